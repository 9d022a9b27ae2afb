"""Azure Backup policies (Protection Policies - List) -> the schedule that bounds a protected item's RPO.

Pure: a policy dict in (the REST shape of ``ProtectionPolicyResource``), facts out. The schedule is
written as the ``rate(...)`` expression :func:`resilience.schedules.schedule_interval` reads:

- ``SimpleSchedulePolicy`` (IaaS VM standard policy, Azure Files, workload full backups):
  ``scheduleRunFrequency`` ``Daily`` -> ``rate(1 day)``; ``Weekly`` -> the longest gap between the
  ``scheduleRunDays`` (``rate(7 days)`` for one day a week); ``Hourly`` -> ``hourlySchedule.interval``;
- ``SimpleSchedulePolicyV2`` (IaaS VM enhanced policy): ``hourlySchedule.interval`` /
  ``dailySchedule`` / ``weeklySchedule.scheduleRunDays``;
- ``LogSchedulePolicy`` (SQL / SAP HANA / SAP ASE log backups, in ``subProtectionPolicy``):
  ``scheduleFrequencyInMins``. A workload policy's schedule is its most frequent sub-policy (the log
  backups: a database restores to a point in time from the last full/differential plus logs).

Retention: the longest window any of the policy's retention schedules keeps a point
(``retentionDuration`` ``count`` x ``durationType`` Days / Weeks / Months / Years), in days.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DURATION_DAYS = {"days": 1, "weeks": 7, "months": 30, "years": 365}


def _weekly_gap_days(days: Iterable[Any]) -> int | None:
    """The longest gap (days) between the runs of a weekly schedule: 7 for one day a week."""
    picked = sorted({_WEEKDAYS.index(str(d).lower()) for d in days or () if str(d).lower() in _WEEKDAYS})
    if not picked:
        return None
    return max((picked[(i + 1) % len(picked)] - d) % 7 or 7 for i, d in enumerate(picked))


def _rate(minutes: float | None) -> str | None:
    if not minutes or minutes <= 0:
        return None
    minutes = int(minutes)
    if minutes % 1440 == 0:
        n = minutes // 1440
        return f"rate({n} day{'s' if n > 1 else ''})"
    if minutes % 60 == 0:
        n = minutes // 60
        return f"rate({n} hour{'s' if n > 1 else ''})"
    return f"rate({minutes} minute{'s' if minutes > 1 else ''})"


def schedule_minutes(schedule: Mapping[str, Any] | None) -> tuple[float | None, str | None]:
    """(minutes between runs, frequency label) of one ``schedulePolicy``; ``(None, None)`` unread."""
    if not schedule:
        return None, None
    kind = str(schedule.get("schedulePolicyType") or "")
    if kind == "LogSchedulePolicy":
        every = schedule.get("scheduleFrequencyInMins")
        return (float(every), "Log") if isinstance(every, int | float) and every > 0 else (None, "Log")
    frequency = str(schedule.get("scheduleRunFrequency") or "")
    lowered = frequency.lower()
    if lowered == "hourly":
        interval = (schedule.get("hourlySchedule") or {}).get("interval")
        return (float(interval) * 60, frequency) if isinstance(interval, int | float) and interval > 0 \
            else (None, frequency)
    if lowered == "daily":
        return 1440.0, frequency
    if lowered == "weekly":
        days = schedule.get("scheduleRunDays") or (schedule.get("weeklySchedule") or {}).get("scheduleRunDays")
        gap = _weekly_gap_days(days) if days else 7
        return (float(gap) * 1440, frequency) if gap else (None, frequency)
    return None, frequency or None


def _retention_days(retention: Mapping[str, Any] | None) -> float | None:
    """The longest window a ``retentionPolicy`` keeps a point (LongTermRetentionPolicy: its daily,
    weekly, monthly and yearly schedules; SimpleRetentionPolicy: its one duration)."""
    if not retention:
        return None
    durations = [retention.get("retentionDuration")]
    for key in ("dailySchedule", "weeklySchedule", "monthlySchedule", "yearlySchedule"):
        durations.append((retention.get(key) or {}).get("retentionDuration"))
    days = []
    for d in durations:
        if not d:
            continue
        count, unit = d.get("count"), str(d.get("durationType") or "").lower()
        if isinstance(count, int | float) and unit in _DURATION_DAYS:
            days.append(float(count) * _DURATION_DAYS[unit])
    return max(days) if days else None


def policy_facts(policy: Mapping[str, Any]) -> dict[str, Any]:
    """What the estimate needs from one policy: ``schedule`` (a ``rate(...)`` expression, or ``None``
    when the policy's schedule could not be read), and the raw facts kept as attributes."""
    props = policy.get("properties") or {}
    candidates: list[tuple[float | None, str | None, Mapping[str, Any] | None]] = []
    if props.get("schedulePolicy"):
        minutes, frequency = schedule_minutes(props.get("schedulePolicy"))
        candidates.append((minutes, frequency, props.get("retentionPolicy")))
    for sub in props.get("subProtectionPolicy") or ():
        minutes, frequency = schedule_minutes(sub.get("schedulePolicy"))
        kind = sub.get("policyType")
        label = kind if kind and frequency in (None, "Log") else f"{kind}:{frequency}" if kind else frequency
        candidates.append((minutes, label, sub.get("retentionPolicy")))
    timed = [c for c in candidates if c[0] is not None]
    best = min(timed, key=lambda c: c[0]) if timed else (candidates[0] if candidates else (None, None, None))
    retention = [r for r in (_retention_days(c[2]) for c in candidates) if r is not None]
    return {"policy_name": policy.get("name"), "schedule": _rate(best[0]), "backup_frequency": best[1],
            "backup_interval_minutes": best[0], "retention_days": max(retention) if retention else None,
            "backup_management_type": props.get("backupManagementType"),
            "schedule_policy_type": ((props.get("schedulePolicy") or {}).get("schedulePolicyType")
                                     or ",".join(sorted({str((s.get("schedulePolicy") or {}).get("schedulePolicyType"))
                                                         for s in props.get("subProtectionPolicy") or ()})) or None)}


def policies_by_id(backup_policies: Mapping[str, Iterable[Mapping[str, Any]]] | None) -> dict[str, dict[str, Any]]:
    """``{policy id (lower-cased): facts}`` for every vault's listed policies, keyed also by
    ``vault id/backupPolicies/name`` so an item naming its policy by name finds it."""
    out: dict[str, dict[str, Any]] = {}
    for vault_id, policies in (backup_policies or {}).items():
        for policy in policies or ():
            facts = policy_facts(policy)
            if policy.get("id"):
                out[str(policy["id"]).lower()] = facts
            if policy.get("name"):
                out.setdefault(f"{vault_id}/backupPolicies/{policy['name']}".lower(), facts)
    return out
