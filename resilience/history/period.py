"""The period report (contract 5): per control, on how many days of the period it operated, which
days were not monitored, and every exception with its dates and its remediation SLA.

A day (UTC calendar day of ``scan.started_at``) is, for one control:

- a **monitoring gap** when no complete scan ran that day (no scan, or only scans whose coverage
  had denied/error/unreachable reads) — never counted as operated;
- an **exception day** when a complete scan that day has a result mapped to the control that is
  failing (or ``unknown``: not shown to pass);
- **operated** otherwise: a complete scan that day, every result mapped to the control passing or waived.

Exceptions are episodes of one result (finding id) not passing: first and last day seen, the day a
complete scan no longer showed it (``resolved``), days open, and the policy's remediation SLA for its
severity. Episodes are followed from the start of the history, so one opened before the period keeps
its true first day.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import defaultdict
from typing import Any

from sqlalchemy import select

from resilience.errors import InputError

from . import tables as t
from .chain import verify
from .store import HistoryStore, redact

SCHEMA = "resilience.history-report/v1"
OPERATED, EXCEPTION, GAP = "operated", "exception", "no-scan"
DAY_STATES = (OPERATED, EXCEPTION, GAP)


def parse_day(value: str, flag: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InputError(f"{flag}: not a date (YYYY-MM-DD): {value!r}") from None


def days_between(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def sla_days(remediation_sla: dict[str, int]) -> dict[str, int]:
    """Seconds per severity -> whole days (rounded up: an SLA of 36h is met on day 2, not day 1)."""
    return {sev: math.ceil(seconds / 86400) for sev, seconds in remediation_sla.items()}


def build_report(store: HistoryStore, start: dt.date, end: dt.date, *, controls: tuple[str, ...] = (),
                 remediation_sla: dict[str, int] | None = None, scan_id: str | None = None) -> dict[str, Any]:
    """The contract 5 document for ``start``..``end`` (inclusive). ``scan_id`` restricts it to one scan."""
    if end < start:
        raise InputError(f"--to {end} is before --from {start}")
    slas = sla_days(remediation_sla or {})
    with store.begin() as conn:
        query = select(t.scans.c.seq, t.scans.c.scan_id, t.scans.c.day, t.scans.c.started_at,
                       t.scans.c.findings_sha256, t.scans.c.complete, t.scans.c.row_hash,
                       t.scans.c.tool_version).where(t.scans.c.day <= end.isoformat())
        if scan_id:
            query = query.where(t.scans.c.scan_id == scan_id)
        scans = [dict(r._mapping) for r in conn.execute(query)]
        if scan_id and not scans:
            raise InputError(f"--scan {scan_id}: no such scan in the history")
        scans.sort(key=lambda s: (s["started_at"], s["seq"]))
        wanted_seqs = select(query.subquery().c.seq)
        tallies: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
        for row in conn.execute(select(t.scan_controls.c.seq, t.scan_controls.c.control, t.scan_controls.c.failed,
                                       t.scan_controls.c.unknown).where(t.scan_controls.c.seq.in_(wanted_seqs))):
            tallies[row.seq][row.control] = (row.failed, row.unknown)
        failing: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in conn.execute(select(t.results).where(t.results.c.status.in_(("fail", "unknown")),
                                                        t.results.c.seq.in_(wanted_seqs))):
            failing[row.seq].append({**row._mapping, "controls": json.loads(row.controls)})
    # the rows and links of the chain (not the stored files: `history verify` re-hashes those)
    verdict = verify(store, documents=False)

    in_period = [s for s in scans if s["day"] >= start.isoformat()]
    _check_controls(controls, {c for per_scan in tallies.values() for c in per_scan})
    wanted = list(dict.fromkeys(controls)) or sorted(
        {c for s in in_period for c in tallies.get(s["seq"], {})}, key=_control_order)
    period_days = days_between(start, end)
    return {
        "schema": SCHEMA,
        "period": {"from": start.isoformat(), "to": end.isoformat(), "days": len(period_days)},
        "scans": [{"id": s["scan_id"], "date": s["day"], "started_at": s["started_at"],
                   "findings_sha256": s["findings_sha256"], "complete": bool(s["complete"]),
                   "chain_hash": s["row_hash"], "tool_version": s["tool_version"]} for s in in_period],
        "controls": [_control(c, period_days, in_period, scans, tallies, failing, slas, end) for c in wanted],
        "remediation_sla_days": slas,
        "history": {"db": redact(store.url), "scans": verdict.scans, "head": verdict.head,
                    "chain_intact": verdict.intact, "problems": [str(p) for p in verdict.problems],
                    **({"scan": scan_id} if scan_id else {})},
    }


def _check_controls(asked: tuple[str, ...], seen: set[str]) -> None:
    """A control that no rule maps to and no stored scan mentions is a typo, not a control that operated."""
    from resilience.controls import CONTROLS

    unknown = [c for c in asked if c not in CONTROLS and c not in seen]
    if unknown:
        raise InputError(f"--control: unknown control {', '.join(unknown)} (known: {', '.join(CONTROLS)})")


def _control_order(control: str) -> tuple[int, str]:
    from resilience.controls import CONTROLS

    order = list(CONTROLS)
    return (order.index(control) if control in order else len(order), control)


def day_states(control: str, period_days: list[dt.date], in_period: list[dict[str, Any]],
               tallies: dict[int, dict[str, tuple[int, int]]]) -> dict[str, str]:
    complete_by_day: dict[str, list[int]] = defaultdict(list)
    for s in in_period:
        if s["complete"]:
            complete_by_day[s["day"]].append(s["seq"])
    states = {}
    for day in (d.isoformat() for d in period_days):
        seqs = complete_by_day.get(day)
        if not seqs:
            states[day] = GAP
        elif any(sum(tallies.get(seq, {}).get(control, (0, 0))) for seq in seqs):
            states[day] = EXCEPTION
        else:
            states[day] = OPERATED
    return states


def _control(control: str, period_days, in_period, scans, tallies, failing, slas, end: dt.date) -> dict[str, Any]:
    states = day_states(control, period_days, in_period, tallies)
    start = period_days[0].isoformat()
    return {
        "control": control,
        "days_in_period": len(period_days),
        "days_scanned": sum(1 for s in states.values() if s != GAP),
        "days_operated": sum(1 for s in states.values() if s == OPERATED),
        "monitoring_gaps": [d for d, s in states.items() if s == GAP],
        "days_with_exceptions": sum(1 for s in states.values() if s == EXCEPTION),
        "exception_days": [d for d, s in states.items() if s == EXCEPTION],
        "exceptions": [e for e in exceptions(control, scans, failing, slas, end)
                       if e["resolved"] is None or e["resolved"] >= start],
    }


def exceptions(control: str, scans: list[dict[str, Any]], failing: dict[int, list[dict[str, Any]]],
               slas: dict[str, int], end: dt.date) -> list[dict[str, Any]]:
    """Episodes of results mapped to ``control`` not passing, over ``scans`` in time order."""
    open_: dict[str, dict[str, Any]] = {}
    closed: list[dict[str, Any]] = []
    for s in scans:
        now_failing = {r["finding_id"]: r for r in failing.get(s["seq"], []) if control in r["controls"]}
        for fid, r in now_failing.items():
            episode = open_.setdefault(fid, {"finding_id": fid, "first_seen": s["day"], "resolved": None})
            episode.update(rule=r["rule"], resource=r["resource"], workload=r["workload"] or None,
                           severity=r["severity"], status=r["status"], last_seen=s["day"],
                           **({"account": r["account"]} if r["account"] else {}))
        if s["complete"]:  # only a complete scan can show that a result stopped failing
            for fid in [f for f in open_ if f not in now_failing]:
                episode = open_.pop(fid)
                episode["resolved"] = s["day"]
                closed.append(episode)
    out = []
    for e in [*closed, *open_.values()]:
        stop = dt.date.fromisoformat(e["resolved"]) if e["resolved"] else end + dt.timedelta(days=1)
        days_open = (stop - dt.date.fromisoformat(e["first_seen"])).days
        sla = slas.get(e["severity"])
        out.append({
            "finding_id": e["finding_id"], "rule": e["rule"], "resource": e["resource"], "workload": e["workload"],
            "severity": e["severity"], "status": e["status"], "first_seen": e["first_seen"],
            "last_seen": e["last_seen"], "resolved": e["resolved"], "days_open": days_open,
            "sla_days": sla, "within_sla": None if sla is None else days_open <= sla,
            **({"account": e["account"]} if e.get("account") else {}),
        })
    out.sort(key=lambda e: (e["first_seen"], e["finding_id"]))
    return out
