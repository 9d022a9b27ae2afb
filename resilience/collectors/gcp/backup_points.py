"""What Spanner and Firestore backup listings and schedules say of a database's copies (pure).

Shapes: Spanner ``Backup`` (``database``, ``versionTime``, ``createTime``, ``expireTime``, ``sizeBytes``,
``state`` CREATING / READY, ``encryptionInfo``, ``instancePartitions``), ``BackupSchedule``
(``spec.cronSpec.text``, ``fullBackupSpec`` / ``incrementalBackupSpec``, ``retentionDuration``);
Firestore ``Backup`` (``database``, ``snapshotTime``, ``expireTime``, ``state`` CREATING / READY /
NOT_AVAILABLE), ``BackupSchedule`` (``dailyRecurrence`` / ``weeklyRecurrence``, ``retention``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from resilience.schedules import schedule_interval


def _when(backup: Mapping[str, Any]) -> str:
    """The point in time a backup holds: the version / snapshot time, else when it was made."""
    return str(backup.get("versionTime") or backup.get("snapshotTime") or backup.get("createTime") or "")


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _seconds(duration: Any) -> int | None:
    """``"604800s"`` (a protobuf Duration in JSON) -> 604800."""
    text = str(duration or "").strip()
    if not text.endswith("s"):
        return None
    try:
        return int(float(text[:-1]))
    except ValueError:
        return None


def summarise(backups: list[Mapping[str, Any]]) -> dict[str, Any]:
    """Node attrs for the backups of one store kept in one place. The copy that exists is, for each
    database, its newest ``READY`` backup; the store's copy is as old as the oldest of those (the database
    whose newest backup is oldest loses the most), and a restore brings back all of them (their sizes
    add up). With no ready backup there is no usable copy: ``status`` is the newest backup's state, or
    ``NO_BACKUPS``."""
    ready = [b for b in backups if str(b.get("state") or "").upper() == "READY"]
    newest: dict[str, Mapping[str, Any]] = {}
    for backup in ready:
        database = str(backup.get("database") or "")
        if database not in newest or _when(backup) > _when(newest[database]):
            newest[database] = backup
    last = max(backups, key=_when) if backups else None
    sizes = [_int(b.get("sizeBytes")) for b in newest.values()]
    encryption = sorted({str((b.get("encryptionInfo") or {}).get("encryptionType")) for b in newest.values()
                         if (b.get("encryptionInfo") or {}).get("encryptionType")})
    partitions = sorted({str(p.get("instancePartition")) for b in newest.values()
                         for p in b.get("instancePartitions") or () if p.get("instancePartition")})
    return {"backups_read": True, "backups": len(backups),
            "status": "READY" if newest else str((last or {}).get("state") or "NO_BACKUPS"),
            "created_at": min(_when(b) for b in newest.values()) if newest else None,
            "newest_backup_at": max(_when(b) for b in newest.values()) if newest else None,
            "expire_at": min(str(b.get("expireTime")) for b in newest.values() if b.get("expireTime"))
            if any(b.get("expireTime") for b in newest.values()) else None,
            "size_bytes": sum(s for s in sizes if s is not None) if sizes and None not in sizes else None,
            "databases": sorted(newest) or None, "encryption_types": encryption or None,
            "instance_partitions": partitions or None,
            "last_backup_state": (last or {}).get("state") if last else None}


def _interval(expression: str) -> float | None:
    return schedule_interval(expression)  # the one reading of a schedule expression


def _shortest(expressions: Iterable[str]) -> str | None:
    timed = [(i, e) for e in expressions if (i := _interval(e)) is not None]
    return min(timed)[1] if timed else None


def spanner_schedule(per_database: Mapping[str, list[Mapping[str, Any]]]) -> dict[str, Any]:
    """The schedule that bounds an instance's backups: each database's most frequent schedule, and of
    those the least frequent (every database must be covered). A database without a schedule leaves the
    instance without one (its RPO is then the age of its newest backup). ``schedule`` is a ``cron(...)``
    expression of the schedule's crontab (``spec.cronSpec.text``)."""
    best: list[str] = []
    kinds: set[str] = set()
    retention: list[int] = []
    for schedules in per_database.values():
        expressions = [f"cron({text})" for s in schedules
                       if (text := str(((s.get("spec") or {}).get("cronSpec") or {}).get("text") or "").strip())]
        kinds |= {"incremental" if "incrementalBackupSpec" in s else "full" for s in schedules}
        retention += [r for s in schedules if (r := _seconds(s.get("retentionDuration"))) is not None]
        shortest = _shortest(expressions)
        if shortest is None:
            return {"schedule": None, "schedule_types": sorted(kinds) or None,
                    "unscheduled_databases": True if per_database else None}
        best.append(shortest)
    worst = max(best, key=lambda e: _interval(e) or 0.0) if best else None
    return {"schedule": worst, "schedule_types": sorted(kinds) or None,
            "schedule_retention_s": min(retention) if retention else None}


def firestore_schedule(schedules: list[Mapping[str, Any]]) -> dict[str, Any]:
    """A Firestore database's schedules (a daily and a weekly one at most): the most frequent bounds it."""
    expressions = ["rate(1 day)" if "dailyRecurrence" in s else "rate(7 days)" for s in schedules
                   if "dailyRecurrence" in s or "weeklyRecurrence" in s]
    retention = [r for s in schedules if (r := _seconds(s.get("retention"))) is not None]
    return {"schedule": _shortest(expressions), "schedule_retention_s": max(retention) if retention else None}
