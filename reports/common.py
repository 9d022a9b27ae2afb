"""Helpers shared by the reporters: rows (from :mod:`resilience.findings_table`), rule metadata, colours.

Everything here works on plain finding dicts (``Finding.to_dict()`` or an entry of a saved
``findings.json``), so a report can be rebuilt from a scan's output folder without the cloud.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

from resilience.controls import SEVERITIES, SEVERITY_RANK
from resilience.findings_table import (  # noqa: F401 (the reporters import these from here)
    BASE_COLUMNS,
    COVERAGE_COLUMNS,
    FINDING_COLUMNS,
    INVENTORY_COLUMNS,
    STATUS_ORDER,
    SUMMARY_LIMIT,
    evidence_summary,
    finding_row,
    finding_rows,
    flatten,
    inventory_rows,
    iter_finding_rows,
    iter_inventory_rows,
    rule_fingerprint,
    scenario_of,
    sort_key,
    spreadsheet_safe,
    status_rank,
)
from resilience.findings_table import rule_catalogue as _rule_catalogue
from resilience.results import Finding, ScanResult, finding_facts

#: results a report for people (report.md, report.html) lists per section, the worst first; the rest are
#: counted and left to findings.csv / findings.xlsx / findings.json, which hold every result. With the
#: workload and account limits below, the size of those reports does not grow with the estate.
MAX_LISTED = 500
#: workloads and accounts listed in those reports (the worst first); findings.json has all of them
MAX_WORKLOADS = 500
MAX_ACCOUNTS = 500


#: account ids named in a report's header
HEADER_ACCOUNTS = 50


def some(items: list[Any], limit: int = HEADER_ACCOUNTS) -> str:
    """``a, b, c`` for a short list, ``a, b … and 1,234 more`` past ``limit`` items (a header stays one line)."""
    shown = ", ".join(str(i) for i in items[:limit])
    return shown if len(items) <= limit else f"{shown} … and {len(items) - limit:,} more"


def worst_first(items: list[Any], limit: int, failing: dict[str, int], name) -> list[Any]:
    """``items`` as they are when there are at most ``limit``; else the ``limit`` with the most failing
    results (``failing[name(item)]``), in that order."""
    if len(items) <= limit:
        return items
    return sorted(items, key=lambda item: (-failing.get(name(item), 0), name(item)))[:limit]


SEVERITY_COLOURS = {
    "critical": "#7f1d1d",
    "high": "#dc2626",
    "medium": "#ea8a0c",
    "low": "#2563eb",
    "info": "#64748b",
}
STATUS_COLOURS = {"fail": "#dc2626", "unknown": "#7c3aed", "waived": "#64748b", "pass": "#16a34a"}

#: GitHub code scanning reads ``security-severity`` (0.1-10): >= 9 critical, 7-8.9 high, 4-6.9 medium, <4 low
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}


def finding_order(f: Any) -> tuple:
    """:func:`sort_key` of a :class:`~resilience.results.Finding` (failing first, then by severity, rule,
    resource): a writer sorts the findings themselves and makes one row at a time, never a dict of each."""
    return (status_rank(f.status), -SEVERITY_RANK.get(f.severity, 0), f.rule, f.resource, f.id)


def status_counts(pairs: Iterable[tuple[str, str]]) -> dict[str, dict[str, int]]:
    """``{group: {status: n}}`` of ``(group, status)`` pairs, counted in one C pass: the groups in the order they
    first come, each with every status of :data:`STATUS_ORDER` (then any other, in the order it first comes)."""
    out: dict[str, dict[str, int]] = {}
    for (group, status), n in Counter(pairs).items():
        bucket = out.get(group)
        if bucket is None:
            bucket = out[group] = dict.fromkeys(STATUS_ORDER, 0)
        bucket[status] = n
    return out


def failing_by_severity(findings: Iterable[dict[str, Any]]) -> dict[str, int]:
    counts = {s: 0 for s in SEVERITIES}
    for f in findings:
        if f["status"] == "fail":
            counts[f["severity"]] += 1
    return counts


# --- rule metadata ----------------------------------------------------------------------------------


def _registry() -> tuple[Any, ...]:
    try:
        from resilience.rules import REGISTRY
    except Exception:  # a broken registry must not stop the reports of a finished scan
        return ()
    return tuple(REGISTRY)


def rule_catalogue(findings: list[dict[str, Any]], scan: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """:func:`resilience.findings_table.rule_catalogue` with the registry."""
    return _rule_catalogue(findings, scan, _registry())


def scan_catalogue(result: ScanResult) -> list[dict[str, Any]]:
    """The rule catalogue of a scan's results (:func:`rule_catalogue`), as findings.json, the SARIF log and the
    HTML report list it: made once per :func:`shared_views` (read-only)."""
    return shared(result, "rule_catalogue", lambda: rule_catalogue(finding_facts(result.findings), result.scan))


def in_report_order(result: ScanResult) -> list[Finding]:
    """The results sorted by :func:`finding_order` (failing first, then by severity, rule, resource, id), as
    every table and list of the reports shows them: sorted once per :func:`shared_views` (read-only)."""
    return shared(result, "report_order", lambda: sorted(result.findings, key=finding_order))


# --- what several reports of one scan show ----------------------------------------------------------

T = TypeVar("T")

_SHARED: ContextVar[tuple[ScanResult, dict[str, Any]] | None] = ContextVar("resilience_report_views", default=None)


@contextmanager
def shared_views(result: ScanResult) -> Iterator[None]:
    """While the reports of ``result`` are written (:func:`resilience.reports.write_reports`), what several of
    them show (the rule catalogue, the account view, the results in report order) is made once: each was a
    pass over every result, per report, seconds at 100,000 resources (issue 17). Nothing changes the result
    meanwhile."""
    active = _SHARED.get()
    if active is not None and active[0] is result:  # already open (a caller's): its views are kept
        yield
        return
    token = _SHARED.set((result, {}))
    try:
        yield
    finally:
        _SHARED.reset(token)


def shared(result: ScanResult, name: str, make: Callable[[], T]) -> T:
    """``make()``, once per :func:`shared_views` of ``result`` (every time outside one). The answer is shared
    by the reports: none changes it."""
    active = _SHARED.get()
    if active is None or active[0] is not result:
        return make()
    views = active[1]
    if name not in views:
        views[name] = make()
    return views[name]


# --- files ------------------------------------------------------------------------------------------


def artifact_location(path: str | os.PathLike[str], base: Path | None = None) -> dict[str, str]:
    """A SARIF ``artifactLocation`` for ``path``: relative to ``base`` (the working directory: the
    repository checkout in CI) with ``uriBaseId`` ``%SRCROOT%`` when it lies under it, else an
    absolute ``file://`` URI (GitHub converts those against the checkout path)."""
    p = Path(path)
    base = (base or Path.cwd()).resolve()
    resolved = p.resolve() if p.is_absolute() or p.exists() else (base / p).resolve()
    try:
        return {"uri": resolved.relative_to(base).as_posix(), "uriBaseId": "%SRCROOT%"}
    except ValueError:
        return {"uri": resolved.as_uri()}
