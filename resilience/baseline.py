"""Compare a scan with earlier ones (``scan --baseline previous/findings.json``, repeatable).

The nightly CI question is "what got worse since last night?". Results are matched by their
stable finding id (rule id + identity fields, never display text), so a reworded message or a
reordered inventory does not make an old failure look new.

- **new**: failing now, and not failing in the most recent baseline (absent, passing, unknown, or
  waived then: a waiver that expired overnight makes its finding new again, which is the point).
- **unchanged**: failing now and failing then.
- **resolved**: failing then, now not failing (pass, unknown, waived) or absent.

The most recent baseline (by its ``scan.started_at``; the last given on a tie) classifies. All of
them, plus the history each one carries, make the trend line of the HTML report. The result is an
additive top-level ``baseline`` section of ``findings.json`` and ``Finding.baseline`` on failing
results; ``--fail-on`` then counts new failures only (``--fail-on-all`` for the strict mode).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .controls import SEVERITIES, SEVERITY_RANK
from .errors import InputError
from .results import FINDINGS_SCHEMA, Finding, ScanResult

MAX_HISTORY = 120  # trend points kept (about four months of nightly runs)


def load_baseline(path: str | Path) -> dict[str, Any]:
    """A previous ``findings.json``; an unreadable or foreign file is an input error (exit 2)."""
    path = Path(path)
    try:
        doc = json.loads(path.read_bytes())
    except OSError as exc:
        raise InputError(f"--baseline {path}: cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise InputError(f"--baseline {path}: not JSON: {exc}") from None
    except RecursionError:
        raise InputError(f"--baseline {path}: not JSON: nested too deeply") from None
    if not isinstance(doc, dict) or doc.get("schema") != FINDINGS_SCHEMA:
        got = doc.get("schema") if isinstance(doc, dict) else type(doc).__name__
        raise InputError(f"--baseline {path}: not a findings.json ({FINDINGS_SCHEMA}); schema is {got!r}")
    if not isinstance(doc.get("findings"), list) or not isinstance(doc.get("scan"), dict):
        raise InputError(f"--baseline {path}: findings.json without 'scan' and 'findings'")
    for i, f in enumerate(doc["findings"]):
        if not isinstance(f, dict) or not isinstance(f.get("id"), str) or not isinstance(f.get("status"), str):
            raise InputError(f"--baseline {path}: finding #{i} has no 'id'/'status' strings")
        for key in ("severity", "rule", "title", "resource", "workload", "region"):
            if f.get(key) is not None and not isinstance(f[key], str):
                raise InputError(f"--baseline {path}: finding #{i}: '{key}' must be a string")
    if not isinstance(doc.get("baseline") or {}, dict):
        raise InputError(f"--baseline {path}: 'baseline' must be an object")
    if not isinstance((doc.get("baseline") or {}).get("history") or [], list):
        raise InputError(f"--baseline {path}: 'baseline.history' must be a list")
    doc.setdefault("_path", str(path))
    return doc


def _when(doc: dict[str, Any]) -> dt.datetime:
    text = str(doc.get("scan", {}).get("started_at") or "")
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return dt.datetime.min.replace(tzinfo=dt.UTC)
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def history_point(scan: dict[str, Any], findings: Iterable[dict[str, Any]]) -> dict[str, Any]:
    findings = list(findings)
    by_severity = {s: 0 for s in SEVERITIES}
    for f in findings:
        if f.get("status") == "fail" and f.get("severity") in by_severity:
            by_severity[f["severity"]] += 1
    return {"scan_id": str(scan.get("id", "")), "started_at": str(scan.get("started_at", "")),
            "failing": sum(by_severity.values()), "failing_by_severity": by_severity, "results": len(findings)}


def classify(findings: Sequence[Finding], previous: dict[str, Any]) -> dict[str, Any]:
    """Set ``Finding.baseline`` on failing results; return the comparison (ids, counts)."""
    before = {f["id"]: f for f in previous["findings"]}
    now = {f.id: f for f in findings}
    new, unchanged = [], []
    for f in findings:
        if f.status != "fail":
            f.baseline = None
            continue
        was = before.get(f.id)
        if was is not None and was.get("status") == "fail":
            f.baseline = "unchanged"
            unchanged.append(f.id)
        else:
            f.baseline = "new"
            new.append(f.id)
    resolved = []
    for fid, was in before.items():
        if was.get("status") != "fail":
            continue
        current = now.get(fid)
        if current is not None and current.status == "fail":
            continue
        resolved.append({
            "id": fid, "rule": str(was.get("rule", "")), "title": str(was.get("title", "")),
            "severity": was.get("severity") if was.get("severity") in SEVERITIES else "info",
            "resource": str(was.get("resource", "")), "workload": was.get("workload"),
            "region": was.get("region"), "now": current.status if current is not None else "absent",
        })
    resolved.sort(key=lambda r: (-SEVERITY_RANK[r["severity"]], r["rule"], r["resource"], r["id"]))
    return {
        "scan_id": str(previous["scan"].get("id", "")),
        "started_at": str(previous["scan"].get("started_at", "")),
        "counts": {"new": len(new), "unchanged": len(unchanged), "resolved": len(resolved)},
        "new": sorted(new),
        "resolved": [r["id"] for r in resolved],
        "resolved_findings": resolved,
    }


def _history(docs: Sequence[dict[str, Any]], result: ScanResult) -> list[dict[str, Any]]:
    points: dict[str, dict[str, Any]] = {}
    for doc in docs:
        for p in (doc.get("baseline") or {}).get("history", []) or []:
            if isinstance(p, dict) and p.get("scan_id") and isinstance(p["scan_id"], str) \
                    and isinstance(p.get("failing"), int):
                points.setdefault(p["scan_id"], p)
        point = history_point(doc["scan"], doc["findings"])
        points[point["scan_id"]] = point
    current = history_point(result.scan, (f.to_dict() for f in result.findings))
    points.pop(current["scan_id"], None)
    ordered = sorted(points.values(), key=lambda p: (_when({"scan": p}), p["scan_id"]))
    return [*ordered[-(MAX_HISTORY - 1):], current]


def apply_baselines(result: ScanResult, paths: Sequence[str | Path]) -> dict[str, Any] | None:
    """Load the baselines, classify ``result``'s findings against the most recent one, and record
    the comparison as ``result.extra["baseline"]`` (written into ``findings.json``)."""
    if not paths:
        return None
    docs = [load_baseline(p) for p in paths]
    latest = max(enumerate(docs), key=lambda item: (_when(item[1]), item[0]))[1]
    section = {
        "file": latest["_path"],
        "files": [d["_path"] for d in docs],
        **classify(result.findings, latest),
        "history": _history(docs, result),
    }
    result.extra["baseline"] = section
    return section
