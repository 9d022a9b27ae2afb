"""Spanner and Firestore backups and backup schedules, read per resource after Cloud Asset (which holds
neither): Spanner ``backups.list`` per instance and ``backupSchedules.list`` per database, Firestore
``backups.list`` per location and ``backupSchedules.list`` per database.

Every read has its own coverage record in the region of what it is about (``spanner:backups``,
``spanner:backupschedules``, ``firestore:backups``, ``firestore:backupschedules``); a failed read leaves
its resource out of :class:`BackupReads` (unread, not empty), so the transform makes no copy of it and the
record, naming the resources the read was about (``Coverage.resources``: a Firestore location's databases; a
Spanner instance and every instance with data, whose copies it may hold), makes the verdicts that rest on it
``unknown``, and no others. Once an endpoint does not answer, the reads left on
it are recorded ``unreachable`` and not tried.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from resilience.collectors.multicloud import CoverageLog, guarded
from resilience.model import GLOBAL_REGION

from . import api
from .clients import GcpSettings, RetryAfter
from .errors import classify
from .regions import region_of_location
from .services import MULTI_REGION_CONFIGS, BackupReads

SPANNER_INSTANCE = "spanner.googleapis.com/Instance"
SPANNER_DATABASE = "spanner.googleapis.com/Database"
FIRESTORE_DATABASE = "firestore.googleapis.com/Database"


def _last(path: Any) -> str:
    return str(path or "").rstrip("/").rsplit("/", 1)[-1]


def spanner_region(data: dict) -> str:
    """The region a Spanner instance's reads are recorded in: its configuration's (first) region."""
    config = _last(data.get("config"))
    if config.startswith("regional-"):
        return config.removeprefix("regional-")
    regions = MULTI_REGION_CONFIGS.get(config)
    return regions[0] if regions else GLOBAL_REGION


def firestore_region(location: str) -> str:
    location = location.lower()
    regions = MULTI_REGION_CONFIGS.get(location)
    return regions[0] if regions else region_of_location(location) if location else GLOBAL_REGION


class _Reader:
    """One endpoint's reads: each through the bounded retry and timeout, recorded; none after it went dead."""

    def __init__(self, settings: GcpSettings, log: CoverageLog, endpoint: str) -> None:
        self.settings, self.log, self.endpoint = settings, log, endpoint
        self.dead = ""

    def read(self, fn: Callable[[Any], Any], *, account: str, region: str, service: str, about: str,
             resource: str | tuple[str, ...] | None) -> Any | None:
        if self.dead:
            self.log.record(account, region, service, "unreachable", f"not attempted: {self.dead}",
                            resource=resource)
            return None
        retry = RetryAfter(max_attempts=self.settings.max_attempts, backoff_s=self.settings.backoff_s,
                           max_retry_after_s=self.settings.max_retry_after_s)
        got = guarded(self.log, classify, account=account, region=region, service=service,
                      fn=lambda: fn(retry), about=about, resource=resource)
        if got is None and self.log.status(account, region, service) == "unreachable":
            self.dead = f"the endpoint {self.endpoint} did not answer"
        return got


def read_backups(session: Any, settings: GcpSettings, assets: list[dict], log: CoverageLog,
                 default_project: str) -> BackupReads:
    out = BackupReads()
    _spanner(session, settings, assets, log, default_project, out)
    _firestore(session, settings, assets, log, default_project, out)
    return out


def _data(asset: dict) -> dict:
    return (asset.get("resource") or {}).get("data") or {}


def _project(name: str, default: str) -> str:
    parts = name.split("/")
    return parts[1] if len(parts) > 1 and parts[0] == "projects" else default


def _spanner(session: Any, settings: GcpSettings, assets: list[dict], log: CoverageLog, default_project: str,
             out: BackupReads) -> None:
    reader = _Reader(settings, log, settings.spanner_endpoint)
    timeout = settings.timeout_s
    databases: dict[str, list[str]] = {}  # instance path -> its databases' paths (Cloud Asset)
    for asset in assets:
        if asset.get("assetType") == SPANNER_DATABASE:
            path = str(_data(asset).get("name") or asset["name"].split("googleapis.com/", 1)[-1])
            databases.setdefault(path.split("/databases/", 1)[0], []).append(path)
    instances = [a for a in assets if a.get("assetType") == SPANNER_INSTANCE]
    # an instance may hold copies of any instance's backups (backups.copy): its failed listing is about itself
    # and every instance with data, whose copy it could hide — never about another service's stores
    sources = tuple(a["name"] for a in instances
                    if str(_data(a).get("name") or a["name"].split("googleapis.com/", 1)[-1]) in databases)
    for asset in instances:
        data = _data(asset)
        path = str(data.get("name") or asset["name"].split("googleapis.com/", 1)[-1])
        project, instance, region = _project(path, default_project), _last(path), spanner_region(data)
        got = reader.read(lambda r, p=project, i=instance: api.list_spanner_backups(
            session, settings.spanner_endpoint, p, i, retry=r, timeout=timeout),
            account=project, region=region, service="spanner:backups", about=instance,
            resource=tuple(dict.fromkeys((asset["name"], *sources))))
        if got is None:
            continue  # unread: no copy is made of it, and the record says so
        out.spanner_backups[asset["name"]] = got
        schedules: dict[str, list[dict]] = {}
        # the databases Cloud Asset lists, and any a backup names (a database Cloud Asset did not return)
        named = databases.get(path, []) + [str(b.get("database")) for b in got
                                           if str(b.get("database") or "").startswith(f"{path}/databases/")]
        for database in dict.fromkeys(named):
            found = reader.read(lambda r, d=database: api.list_spanner_backup_schedules(
                session, settings.spanner_endpoint, d, retry=r, timeout=timeout),
                account=project, region=region, service="spanner:backupschedules",
                about=f"{instance}/{_last(database)}", resource=asset["name"])
            if found is None:
                break  # one database's schedules unread: the instance's schedule is unknown
            schedules[database] = found
        else:
            out.spanner_schedules[asset["name"]] = schedules


def _firestore(session: Any, settings: GcpSettings, assets: list[dict], log: CoverageLog, default_project: str,
               out: BackupReads) -> None:
    reader = _Reader(settings, log, settings.firestore_endpoint)
    timeout = settings.timeout_s
    by_location: dict[tuple[str, str], list[dict]] = {}
    for asset in assets:
        if asset.get("assetType") != FIRESTORE_DATABASE:
            continue
        data = _data(asset)
        path = str(data.get("name") or asset["name"].split("googleapis.com/", 1)[-1])
        location = str(data.get("locationId") or (asset.get("resource") or {}).get("location") or "").lower()
        project = _project(path, default_project)
        by_location.setdefault((project, location), []).append(asset)
    for (project, location), members in sorted(by_location.items()):
        region = firestore_region(location)
        # one read lists every backup kept in the location; a Firestore backup is kept only in its database's
        # location, so the read is about the databases there (``resources``), not every database of the project
        if location:
            got = reader.read(lambda r, p=project, loc=location: api.list_firestore_backups(
                session, settings.firestore_endpoint, p, loc, retry=r, timeout=timeout),
                account=project, region=region, service="firestore:backups", about=f"locations/{location}",
                resource=tuple(a["name"] for a in members))
        else:
            got = None
            for asset in members:
                log.record(project, region, "firestore:backups", "error",
                           f"{_last(asset['name'])}: its location is unknown, so its backups were not listed",
                           resource=asset["name"])
        for asset in members:
            path = str(_data(asset).get("name") or asset["name"].split("googleapis.com/", 1)[-1])
            if got is not None:  # a backup names its database as projects/P/databases/D
                out.firestore_backups[asset["name"]] = [b for b in got if _last(b.get("database")) == _last(path)]
            database = _last(path)
            found = reader.read(lambda r, p=project, d=database: api.list_firestore_backup_schedules(
                session, settings.firestore_endpoint, p, d, retry=r, timeout=timeout),
                account=project, region=region, service="firestore:backupschedules", about=_last(path),
                resource=asset["name"])
            if found is not None:
                out.firestore_schedules[asset["name"]] = found
