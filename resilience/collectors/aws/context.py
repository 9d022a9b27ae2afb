"""What one (region, service) task sees while it runs: clients, zone ids, guarded reads, coverage."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from resilience.model import Coverage

from .clients import ClientFactory
from .common import PROVIDER, Scope
from .errors import DeadlineExceeded, classify

ZONES_SERVICE = "ec2:zones"

# worst status wins when several reads land in one (region, service) record
_RANK = {"ok": 0, "skipped": 1, "error": 2, "unreachable": 3, "denied": 4}


class CoverageLog:
    """Coverage records of one task, one per (region, service): worst status wins, details join."""

    def __init__(self, account: str) -> None:
        self.account = account
        self._records: dict[tuple[str, str], tuple[str, list[str]]] = {}

    def record(self, region: str, service: str, status: str, detail: str = "") -> None:
        old_status, details = self._records.get((region, service), ("ok", []))
        if detail and detail not in details:
            details.append(detail)
        new_status = status if _RANK[status] >= _RANK[old_status] else old_status
        self._records[(region, service)] = (new_status, details)

    def status(self, region: str, service: str) -> str | None:
        entry = self._records.get((region, service))
        return entry[0] if entry else None

    def records(self) -> list[Coverage]:
        return [
            Coverage(
                provider=PROVIDER,
                account=self.account,
                region=region,
                service=service,
                status=status,
                detail=_join(details),
            )
            for (region, service), (status, details) in sorted(self._records.items())
        ]


def _join(details: list[str], limit: int = 5) -> str:
    text = "; ".join(details[:limit])
    if len(details) > limit:
        text += f"; and {len(details) - limit} more"
    return text


def get_availability_zones(client: Any) -> list[dict[str, Any]]:
    return client.describe_availability_zones()["AvailabilityZones"]


def transform_zone_ids(zones: list[Mapping[str, Any]]) -> dict[str, str]:
    """``{zone name: zone id}`` (``me-central-1a`` -> ``mec1-az1``)."""
    return {z["ZoneName"]: z["ZoneId"] for z in zones if z.get("ZoneName") and z.get("ZoneId")}


class ZoneDirectory:
    """Zone name -> zone id per region, read once per region and shared by every task of it.

    When ``ec2:DescribeAvailabilityZones`` fails the map is empty (zones stay names) and the
    failure is reported once as the ``ec2:zones`` coverage record of that region.
    """

    def __init__(self, clients: ClientFactory) -> None:
        self._clients = clients
        self._lock = threading.Lock()
        self._region_locks: dict[str, threading.Lock] = {}
        self._maps: dict[str, dict[str, str]] = {}
        self._outcomes: dict[str, tuple[str, str]] = {}

    def zone_ids(self, region: str) -> dict[str, str]:
        with self._lock:
            region_lock = self._region_locks.setdefault(region, threading.Lock())
        with region_lock:
            if region not in self._maps:
                try:
                    zones = get_availability_zones(self._clients.client("ec2", region))
                    self._maps[region] = transform_zone_ids(zones)
                    self._outcomes[region] = ("ok", "")
                except Exception as exc:  # reported as coverage, never as "no zones"
                    self._maps[region] = {}
                    self._outcomes[region] = classify(exc)
            return self._maps[region]

    def outcomes(self) -> dict[str, tuple[str, str]]:
        """``{region: (status, detail)}`` of the reads made so far."""
        with self._lock:
            return dict(self._outcomes)

    def coverage(self, account: str) -> list[Coverage]:
        return zone_coverage(account, self.outcomes())


class ZoneView:
    """One task's window on a :class:`ZoneDirectory` shared beyond its scan (a cluster worker's): the outcomes
    of the regions this task asked for, and no others."""

    def __init__(self, directory: ZoneDirectory) -> None:
        self._directory = directory
        self._asked: set[str] = set()

    def zone_ids(self, region: str) -> dict[str, str]:
        self._asked.add(region)
        return self._directory.zone_ids(region)

    def outcomes(self) -> dict[str, tuple[str, str]]:
        shared = self._directory.outcomes()
        return {region: shared[region] for region in sorted(self._asked) if region in shared}


def zone_coverage(account: str, outcomes: Mapping[str, tuple[str, str]]) -> list[Coverage]:
    """The ``ec2:zones`` record of every region whose zones were read."""
    return [
        Coverage(provider=PROVIDER, account=account, region=region, service=ZONES_SERVICE, status=status, detail=detail)
        for region, (status, detail) in sorted(outcomes.items())
    ]


def merge_zone_outcomes(parts: Iterable[Mapping[str, tuple[str, str]]]) -> dict[str, tuple[str, str]]:
    """Zone reads made in several processes (one directory each): per region the worst outcome wins, as
    in a :class:`CoverageLog`, so a failure seen by any of them is reported."""
    merged: dict[str, tuple[str, str]] = {}
    for part in parts:
        for region, outcome in part.items():
            old = merged.get(region)
            if old is None or (_RANK[outcome[0]], outcome[1]) > (_RANK[old[0]], old[1]):
                merged[region] = outcome
    return merged


class TaskContext:
    """Handed to a service module's ``collect``: everything it may touch, nothing global."""

    def __init__(
        self,
        *,
        scope: Scope,
        clients: ClientFactory,
        zones: ZoneDirectory | ZoneView,
        deadline: float,
        client_region: str | None = None,
        scan_regions: tuple[str, ...] = (),
    ) -> None:
        self.scope = scope
        self.clients = clients
        self.zones = zones
        self.deadline = deadline
        self.client_region = client_region or scope.region
        self.scan_regions = scan_regions
        self.coverage = CoverageLog(scope.account)

    @property
    def region(self) -> str:
        return self.scope.region

    def client(self, service: str, region: str | None = None) -> Any:
        return self.clients.client(service, region or self.client_region)

    def zone_ids(self, region: str | None = None) -> dict[str, str]:
        return self.zones.zone_ids(region or self.scope.region)

    def check_deadline(self) -> None:
        if time.monotonic() > self.deadline:
            raise DeadlineExceeded(f"region deadline passed ({self.scope.region})")

    def read(
        self,
        service: str,
        fn: Callable[..., Any],
        *args: Any,
        region: str | None = None,
        about: str | None = None,
        **kwargs: Any,
    ) -> Any | None:
        """Run a secondary read; record its coverage under ``service``; ``None`` when it failed.

        ``None`` never means "nothing there": the failure is in the coverage record, and the
        attributes the read would have filled stay absent on the resources.
        """
        region = region or self.scope.region
        self.check_deadline()
        try:
            value = fn(*args, **kwargs)
        except DeadlineExceeded:
            raise
        except Exception as exc:  # every failure becomes a coverage record
            status, detail = classify(exc)
            self.coverage.record(region, service, status, f"{about}: {detail}" if about else detail)
            return None
        self.coverage.record(region, service, "ok")
        return value

    def gather(
        self,
        service: str,
        get: Callable[[], Any],
        transform: Callable[[Any], Any],
        *,
        region: str | None = None,
        about: str | None = None,
    ) -> Any | None:
        """``transform(get())`` under one guard: a response the transform cannot digest is an
        ``error`` of that secondary read, not the loss of the whole service."""
        return self.read(service, lambda: transform(get()), region=region, about=about)
