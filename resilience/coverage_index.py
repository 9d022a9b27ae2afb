"""One index of a scan's coverage records, built once and shared by every question asked of them.

A scan has a coverage record per (provider, account, region, service) read; the survival engine, the
recovery model and the rules ask of them, per node and per workload, "which failed reads could hide
something here?". Scanning every record for every question made the analysis quadratic (issue 17):
with one index per record list, each question touches only the failed reads of the regions it names.

:func:`coverage_index` returns the same index for the same list (by identity, while its length is
unchanged), so callers keep passing the records they have; nothing else needs to carry the index.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable
from functools import cached_property
from typing import Any

from .model import Coverage

#: records for these regions apply to every region
EVERYWHERE = ("global", "*")


class CoverageIndex:
    """The records, their failed reads (order kept), those reads by region, and a memo for the answers
    other modules derive from them (``memo[name]``, like :func:`resilience.survival.per_graph`)."""

    def __init__(self, records: Iterable[Coverage]) -> None:
        self.records: tuple[Coverage, ...] = tuple(records)
        self.failed: tuple[Coverage, ...] = tuple(c for c in self.records if not c.ok)
        #: failed reads that can hide a resource or a fact about one (tag reads only decide membership)
        self.gap_reads: tuple[Coverage, ...] = tuple(c for c in self.failed if not c.service.endswith(":tags"))
        self._positions: dict[str, list[int]] = {}
        for i, c in enumerate(self.failed):
            self._positions.setdefault(c.region, []).append(i)
        self._in_regions: dict[frozenset[str], tuple[Coverage, ...]] = {}
        self.memo: dict[str, dict[Any, Any]] = {}

    @cached_property
    def fingerprint(self) -> str:
        """Equal for two record lists with the same failed reads (a cache key that hashes in O(1))."""
        material = "\x1e".join("\x1f".join((c.provider, c.account, c.region, c.service, c.status))
                               for c in self.failed)
        return hashlib.sha256(material.encode("utf-8")).hexdigest()

    def failed_in(self, regions: Iterable[str | None]) -> tuple[Coverage, ...]:
        """Failed reads for any of ``regions`` or for every region (``global``/``*``), in record order."""
        key = frozenset(r for r in regions if r is not None) | frozenset(EVERYWHERE)
        hit = self._in_regions.get(key)
        if hit is None:
            positions = sorted(i for r in key for i in self._positions.get(r, ()))
            hit = self._in_regions[key] = tuple(self.failed[i] for i in positions)
        return hit

    def answers(self, name: str) -> dict[Any, Any]:
        """A dict for one asker's answers about these records (``name`` scopes it)."""
        return self.memo.setdefault(name, {})


_LOCK = threading.Lock()
_RECENT: OrderedDict[int, tuple[Any, int, CoverageIndex]] = OrderedDict()
_KEEP = 16  # record lists alive at once (the oldest built goes first): a scan's, plus the few tests and simulations build


def coverage_index(coverage: Iterable[Coverage] | CoverageIndex) -> CoverageIndex:
    """The index of ``coverage``: built once per list or tuple (the same object, not grown since),
    and found again from the index's own ``records`` tuple."""
    if isinstance(coverage, CoverageIndex):
        return coverage
    if not isinstance(coverage, (list, tuple)):
        return CoverageIndex(coverage)  # an iterator: nothing to know it by again
    # the analysis asks of one scan's lists ~10^5 times: a hit is read without the lock (a dict read is
    # atomic; only changes to the cache take it), and without refreshing its place in the cache
    hit = _RECENT.get(id(coverage))
    if hit is not None and hit[0] is coverage and hit[1] == len(coverage):
        return hit[2]
    index = CoverageIndex(coverage)
    with _LOCK:
        for obj in (coverage, index.records):  # references kept, so an id is never reused while cached
            _RECENT[id(obj)] = (obj, len(obj), index)
            _RECENT.move_to_end(id(obj))
        while len(_RECENT) > _KEEP:
            _RECENT.popitem(last=False)
    return index
