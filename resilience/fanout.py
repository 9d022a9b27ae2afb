"""The analysis fanned out to a Dask cluster: ``scan --dask ADDRESS|local`` (issue 17, contract 1).

Without the flag nothing here runs: one process, as always. With it, the rule context (graph, policy,
coverage records) is sent to every worker once; then one task per batch of workloads runs, for its
workloads, every per-workload rule and the workload's ``findings.json`` summary, so that the survival
verdicts and recovery estimates they share are worked out once (:func:`resilience.engine.evaluate`); the
other rules run in this process meanwhile. The results come back in the order the single process
produces them, and the engine does the rest (ids, waivers, order) locally, so the findings are
byte-identical either way (a test checks it).

The same client carries the AWS reads of ``scan --dask`` (one task per account, region and service: see
:mod:`resilience.collectors.aws.cluster`, which takes :attr:`Fanout.client`; Azure and GCP stay here).

``local`` starts a LocalCluster of worker processes on this machine; an address (``tcp://host:8786``)
uses a scheduler a team already runs (a plain ``dask scheduler``, dask-kubernetes, dask-gateway). Its
workers need ``resilience-audit`` installed at the same version. A scheduler that does not answer within
:data:`CONNECT_TIMEOUT_S` is an input error (exit 2), never a hung scan.
"""

from __future__ import annotations

import gc
import logging
import math
import os
import pickle
import threading
import uuid
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .errors import InputError

#: the environment variable naming a scheduler when ``--dask`` is not given
SCHEDULER_ENV = "RESILIENCE_DASK_SCHEDULER"
CONNECT_TIMEOUT_S = 10
#: at most this many workloads per task (a task's results wait in the worker's memory until gathered)
WORKLOAD_BATCH = 200
#: batches per worker thread, so that the last ones to finish are short
BATCHES_PER_SLOT = 3
#: the garbage collector's thresholds for an analysis: the command line's (``cli.tune_gc``), in analysis tasks
#: and in the workers of ``local``
GC_THRESHOLDS = (100_000, 50, 1000)


def scheduler_address(flag: str | None) -> str | None:
    """``--dask`` wins over :data:`SCHEDULER_ENV`; neither: no cluster."""
    return flag or os.environ.get(SCHEDULER_ENV) or None


@dataclass
class Fanout:
    """What :func:`resilience.engine.evaluate` hands to the cluster: batches of workloads."""

    client: Any  # distributed.Client

    def slots(self) -> int:
        """Analysis tasks the cluster runs at once: one per worker process (:func:`_in_worker`)."""
        return max(1, len(self.client.nthreads()))

    def submit_batches(self, task: Callable[..., list[Any]], shared: Any, names: Sequence[str],
                       *args: Any) -> Callable[[], list[Any]]:
        """``task(shared, batch, *args)`` on the workers for consecutive batches of ``names``, each returning one
        answer per name. ``shared`` is sent to every worker once, and the tasks of one worker get the same
        object, so what is memoised per graph there is worked out once per worker. Returns at once (the caller
        works meanwhile); calling what it returns waits for every batch and gives the answers in ``names``
        order."""
        if not names:
            return lambda: []
        # hash=False: a random key, rather than tokenising the object once more
        scattered = self.client.scatter(Pickled(shared), broadcast=True, hash=False)
        size = batch_size(len(names), self.slots())
        run = uuid.uuid4().hex
        futures = [scattered] + [
            self.client.submit(_in_worker, task, scattered, list(names[i:i + size]), *args, pure=False,
                               key=f"resilience-workloads-{run}-{i // size}")
            for i in range(0, len(names), size)]

        def gather() -> list[Any]:
            answers = [answer for batch in self.client.gather(futures[1:]) for answer in batch]
            futures.clear()  # released: the workers drop the shared object and what they memoised about it
            return answers

        return gather


class Pickled:
    """An object sent to the workers as one pickle and unpickled by the first task of each worker that needs
    it (:func:`unpickled`, under :func:`_in_worker`'s lock). Scattered as itself, a graph is pickled here,
    unpickled by one worker, pickled again there and unpickled by the next: four passes over it, one after
    the other (17 s of a 50 s analysis at 100,000 resources); as bytes, one pass here and one per worker,
    side by side."""

    __slots__ = ("blob", "__weakref__")

    def __init__(self, obj: Any) -> None:
        self.blob = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)


#: per worker: the objects of the :class:`Pickled` it holds, dropped with them (when the run's tasks are done)
_UNPICKLED: weakref.WeakKeyDictionary[Pickled, Any] = weakref.WeakKeyDictionary()


def unpickled(shared: Pickled) -> Any:
    """The object ``shared`` stands for: the same object for every task of this worker process, so that what
    is memoised about it (per graph) is worked out once per worker."""
    if shared not in _UNPICKLED:
        _UNPICKLED[shared] = pickle.loads(shared.blob)
    return _UNPICKLED[shared]


#: one analysis task at a time in a worker process: the memos the tasks share are plain dicts, and a thread
#: would gain nothing on pure-Python work anyway
_ANALYSING = threading.Lock()


def _in_worker(task: Callable[..., Any], shared: Pickled, *args: Any) -> Any:
    """``task(object, *args)`` on a worker: alone in its process, with the garbage collector tuned as the
    command line tunes it (``cli.tune_gc``): the shared graph lives as long as the tasks, and with the
    default thresholds full collections walk it again and again (three times the work at 10,000
    resources). Put back after, as the worker may be a team's."""
    with _ANALYSING:
        before = gc.get_threshold()
        gc.set_threshold(*GC_THRESHOLDS)
        try:
            return task(unpickled(shared), *args)
        finally:
            gc.set_threshold(*before)


def batch_size(count: int, slots: int) -> int:
    """Workloads per task: :data:`BATCHES_PER_SLOT` batches for each task the cluster runs at once (a slow
    batch does not leave the other workers idle at the end), at most :data:`WORKLOAD_BATCH`."""
    return max(1, min(WORKLOAD_BATCH, math.ceil(count / (max(1, slots) * BATCHES_PER_SLOT))))


@contextmanager
def cluster(address: str) -> Iterator[Fanout]:
    """A client of ``address`` (or of a new LocalCluster for ``local``), closed on the way out."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError("--dask needs the dask extra: pip install 'resilience-audit[dask]'") from None
    local = None
    try:
        if address == "local":
            # ":0": any free port for the scheduler's HTTP server (None still asks for 8787, and warns when taken)
            local = LocalCluster(n_workers=max(1, min(2, os.cpu_count() or 1)), threads_per_worker=1,
                                 processes=True, dashboard_address=":0", silence_logs=logging.ERROR)
            client = Client(local, timeout=CONNECT_TIMEOUT_S)
        else:
            client = Client(address, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError) as exc:
        if local is not None:
            local.close()
        raise InputError(f"--dask {address}: no Dask scheduler answered within {CONNECT_TIMEOUT_S}s "
                         f"({type(exc).__name__}: {exc})") from None
    try:
        if local is not None:  # our own worker processes: tuned as this one is, for the whole run
            client.run(gc.set_threshold, *GC_THRESHOLDS)
        yield Fanout(client)
    finally:
        client.close()
        if local is not None:
            local.close()
