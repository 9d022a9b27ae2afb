"""The analysis fanned out to a Dask cluster: ``scan --dask ADDRESS|local`` (issue 17, contract 1).

Without the flag nothing here runs: one process, as always. With it, the graph, the policy and the
coverage records are sent to every worker once; then each rule runs as one task over the whole graph,
and the per-workload recovery summaries of ``findings.json`` run as one task per batch of workloads.
The results come back in the order the single process produces them, and the engine does the rest
(ids, waivers, order) locally, so the findings are byte-identical either way (a test checks it).

The same client carries the AWS reads of ``scan --dask`` (one task per account, region and service: see
:mod:`resilience.collectors.aws.cluster`, which takes :attr:`Fanout.client`; Azure and GCP stay here).

``local`` starts a LocalCluster of worker processes on this machine; an address (``tcp://host:8786``)
uses a scheduler a team already runs (a plain ``dask scheduler``, dask-kubernetes, dask-gateway). Its
workers need ``resilience-audit`` installed at the same version. A scheduler that does not answer within
:data:`CONNECT_TIMEOUT_S` is an input error (exit 2), never a hung scan.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .errors import InputError

#: the environment variable naming a scheduler when ``--dask`` is not given
SCHEDULER_ENV = "RESILIENCE_DASK_SCHEDULER"
CONNECT_TIMEOUT_S = 10
#: workloads per recovery-summary task: enough work to outweigh a task's overhead
WORKLOAD_BATCH = 200


def scheduler_address(flag: str | None) -> str | None:
    """``--dask`` wins over :data:`SCHEDULER_ENV`; neither: no cluster."""
    return flag or os.environ.get(SCHEDULER_ENV) or None


@dataclass
class Fanout:
    """What :func:`resilience.scan.analyse` hands to the cluster: the rules and the workload batches."""

    client: Any  # distributed.Client

    def map_rules(self, ctx: Any, rules: Sequence[Any], run_one: Callable[[Any, Any], list[Any]]) -> list[list[Any]]:
        """``run_one(rule, ctx)`` for every rule, on the workers; the lists in rule order."""
        shared = self.client.scatter(ctx, broadcast=True)
        futures = [self.client.submit(run_one, rule, shared, pure=False, key=f"rule-{i}-{rule.id}")
                   for i, rule in enumerate(rules)]
        return self.client.gather(futures)

    def map_workloads(self, names: Sequence[str], summarise: Callable[..., Any], **shared: Any) -> list[Any]:
        """``summarise(name, **shared)`` for every workload, in batches; the answers in ``names`` order."""
        scattered = {k: self.client.scatter(v, broadcast=True) for k, v in shared.items()}
        batches = [list(names[i:i + WORKLOAD_BATCH]) for i in range(0, len(names), WORKLOAD_BATCH)]
        futures = [self.client.submit(_summarise_batch, batch, summarise, pure=False, key=f"workloads-{i}",
                                      **scattered) for i, batch in enumerate(batches)]
        return [answer for batch in self.client.gather(futures) for answer in batch]


def _summarise_batch(names: list[str], summarise: Callable[..., Any], **shared: Any) -> list[Any]:
    return [summarise(name, **shared) for name in names]


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
        yield Fanout(client)
    finally:
        client.close()
        if local is not None:
            local.close()
