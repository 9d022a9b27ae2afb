"""Bounded fan-out over (region, service) tasks with a per-region deadline.

A region's clock starts when its first task starts. A task still running when its region's
deadline passes is abandoned: it becomes an ``unreachable`` coverage record and the scan moves
on. Python cannot kill a thread, so the executor holding an abandoned thread is retired
(``shutdown(wait=False, cancel_futures=True)``) and later tasks go to a fresh executor: a stuck
endpoint costs one deadline, never a hung scan, and never starves the other regions.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, TypeVar

T = TypeVar("T")  # the task
R = TypeVar("R")  # what a task produces


def run_tasks(
    tasks: Iterable[T],
    *,
    region_of: Callable[[T], str],
    work: Callable[[T, float], R],
    give_up: Callable[[T, str, str], R],
    on_result: Callable[[R], None] | None = None,
    max_workers: int,
    region_deadline_s: float,
    clock: Callable[[], float] = time.monotonic,
) -> list[R]:
    """Run ``work(task, deadline)`` for every task; ``give_up(task, status, detail)`` for the rest.

    ``deadline`` is the absolute :func:`time.monotonic` time the task's region must finish by
    (``work`` may check it between reads). ``on_result`` sees each result, in the calling thread.
    Returns in bounded time even if threads hang.
    """
    queue = deque(tasks)
    started: dict[str, float] = {}
    live: dict[Future[Any], T] = {}
    results: list[R] = []
    executor = _executor(max_workers)

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
                live[executor.submit(work, task, deadline_of(task))] = task
            if not live:
                continue
            next_deadline = min(deadline_of(t) for t in live.values())
            done, _ = wait(list(live), timeout=max(0.0, next_deadline - clock()), return_when=FIRST_COMPLETED)
            for future in done:
                task = live.pop(future)
                try:
                    emit(future.result())
                except Exception as exc:  # work() reports its own failures; this is a last resort
                    emit(give_up(task, "error", f"{type(exc).__name__}: {exc}"))
            now = clock()
            late = [f for f, t in live.items() if now >= deadline_of(t)]
            for future in late:
                task = live.pop(future)
                future.cancel()
                detail = f"no answer within the {region_deadline_s:g}s region deadline"
                emit(give_up(task, "unreachable", detail))
            if late:
                executor.shutdown(wait=False, cancel_futures=True)
                executor = _executor(max_workers)
    finally:
        executor.shutdown(wait=False, cancel_futures=True)
    return results


def _executor(max_workers: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=max(1, max_workers), thread_name_prefix="resilience-aws")
