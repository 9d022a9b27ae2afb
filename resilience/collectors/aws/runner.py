"""Bounded fan-out over (region, service) tasks with a per-region deadline.

A region's clock starts when its first task starts. A task still running when its region's
deadline passes is abandoned: it becomes an ``unreachable`` coverage record and the scan moves
on. Where the tasks run is a :class:`Pool`: threads of this process by default
(:class:`ThreadPool`), or the workers of a Dask cluster (:mod:`.cluster`); the deadline logic is
the same for both. Python cannot kill a thread, so the thread pool holding an abandoned thread is
retired (``shutdown(wait=False, cancel_futures=True)``) and later tasks go to a fresh executor: a
stuck endpoint costs one deadline, never a hung scan, and never starves the other regions.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from queue import Empty, SimpleQueue
from typing import Any, Protocol, TypeVar

T = TypeVar("T")  # the task
R = TypeVar("R")  # what a task produces


class Pool(Protocol):
    """Where :func:`run_tasks` runs ``work``. Futures need ``add_done_callback``, ``result`` and ``cancel``."""

    def submit(self, work: Callable[[Any, float], Any], task: Any, deadline: float) -> Any:
        """Start ``work(task, deadline)``; ``deadline`` is a :func:`time.monotonic` time of this process
        (a pool that runs the work elsewhere translates it)."""
        ...

    def abandon(self, futures: list[Any]) -> None:
        """Give up on running ``futures``: their results are never read."""
        ...

    def close(self) -> None: ...


class ThreadPool:
    """Threads of this process; a pool that abandoned a thread is replaced by a fresh one."""

    def __init__(self, max_workers: int) -> None:
        self._max_workers = max(1, max_workers)
        self._executor = self._fresh()

    def _fresh(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(max_workers=self._max_workers, thread_name_prefix="resilience-aws")

    def submit(self, work: Callable[[Any, float], Any], task: Any, deadline: float) -> Any:
        return self._executor.submit(work, task, deadline)

    def abandon(self, futures: list[Any]) -> None:
        for future in futures:
            future.cancel()
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._executor = self._fresh()

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def run_tasks(
    tasks: Iterable[T],
    *,
    region_of: Callable[[T], Any],
    work: Callable[[T, float], R],
    give_up: Callable[[T, str, str], R],
    on_result: Callable[[R], None] | None = None,
    max_workers: int,
    region_deadline_s: float,
    clock: Callable[[], float] = time.monotonic,
    pool: Pool | None = None,
) -> list[R]:
    """Run ``work(task, deadline)`` for every task; ``give_up(task, status, detail)`` for the rest.

    ``deadline`` is the absolute :func:`time.monotonic` time the task's region must finish by
    (``work`` may check it between reads). At most ``max_workers`` tasks are in flight.
    ``on_result`` sees each result, in the calling thread. ``pool``: where the work runs (default:
    threads of this process; a given pool is not closed here). Returns in bounded time even if
    the work hangs.
    """
    queue = deque(tasks)
    started: dict[Any, float] = {}
    live: dict[Any, T] = {}
    finished: SimpleQueue[Any] = SimpleQueue()
    results: list[R] = []
    own = pool is None
    runner: Pool = ThreadPool(max_workers) if pool is None else pool

    def emit(result: R) -> None:
        results.append(result)
        if on_result:
            on_result(result)

    def deadline_of(task: T) -> float:
        return started[region_of(task)] + region_deadline_s

    try:
        while queue or live:
            while queue and len(live) < max_workers:
                task = queue.popleft()
                now = clock()
                started.setdefault(region_of(task), now)
                if now >= deadline_of(task):
                    emit(give_up(task, "unreachable", "not started before the region deadline"))
                    continue
                future = runner.submit(work, task, deadline_of(task))
                live[future] = task
                future.add_done_callback(finished.put)
            if not live:
                continue
            next_deadline = min(deadline_of(t) for t in live.values())
            for future in _done(finished, timeout=max(0.0, next_deadline - clock())):
                task = live.pop(future, None)
                if task is None:  # abandoned earlier; its result is not wanted
                    continue
                try:
                    emit(future.result())
                except Exception as exc:  # work() reports its own failures; this is a last resort
                    emit(give_up(task, "error", f"{type(exc).__name__}: {exc}"))
            now = clock()
            late = [f for f, t in live.items() if now >= deadline_of(t)]
            for future in late:
                task = live.pop(future)
                detail = f"no answer within the {region_deadline_s:g}s region deadline"
                emit(give_up(task, "unreachable", detail))
            if late:
                runner.abandon(late)
    finally:
        if live:
            runner.abandon(list(live))
        if own:
            runner.close()
    return results


def _done(finished: SimpleQueue[Any], *, timeout: float) -> list[Any]:
    """The futures that finished: wait up to ``timeout`` for the first, then take what else is there."""
    try:
        done = [finished.get(timeout=timeout) if timeout > 0 else finished.get_nowait()]
    except Empty:
        return []
    while True:
        try:
            done.append(finished.get_nowait())
        except Empty:
            return done
