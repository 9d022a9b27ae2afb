"""Append findings files to the history: validate, derive, chain.

Idempotent by scan id: a file whose scan is already stored with the same SHA-256 is skipped; the
same scan id with different bytes is refused (a history must not hold two versions of one scan).
A file that does not validate against ``reports/schemas/findings.schema.json`` is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from resilience.errors import InputError

from . import tables as t
from .chain import GENESIS, derived_digest, row_hash
from .store import HistoryStore

#: coverage statuses that mean part of the scope was not assessed (``skipped`` is out of scope on purpose)
GAP_STATUSES = frozenset({"denied", "error", "unreachable"})
NOT_PASSING = ("fail", "unknown", "waived")


@dataclass(frozen=True)
class Added:
    path: str
    scan_id: str
    seq: int
    status: str  # added | already-present


@cache
def _validator():
    # jsonschema-rs: the same 2020-12 schema, checked some hundred times faster than pure Python,
    # which matters when a year of nightly files is backfilled
    import jsonschema_rs

    from resilience.reports.json_report import schema

    return jsonschema_rs.validator_for(schema())


def read_findings(path: Path) -> tuple[dict[str, Any], bytes]:
    """The parsed document and its exact bytes; :class:`InputError` when it is not a valid findings file."""
    try:
        data = path.read_bytes()
        doc = json.loads(data)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise InputError(f"{path}: not JSON: {exc}") from None
    return validated(doc, str(path)), data


def validated(doc: Any, where: str) -> dict[str, Any]:
    error = next(iter(_validator().iter_errors(doc)), None)
    if error is not None:
        at = "/".join(str(p) for p in error.instance_path) or "(top level)"
        raise InputError(f"{where}: not a valid findings.json at {at}: {error.message}")
    return doc


def findings_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given; folders searched recursively for ``findings.json`` (a year of CI artifacts)."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out.extend(sorted(path.rglob("findings.json")))
        elif path.is_file():
            out.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    return out


def utc_start(doc: dict[str, Any]) -> dt.datetime:
    text = doc["scan"]["started_at"]
    when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if when.tzinfo is None:  # a naive time in a findings file is UTC (the tool writes UTC)
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def derive(doc: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Per-control tallies and the results that did not pass, as rows for ``scan_controls`` / ``results``."""
    tallies: dict[str, dict[str, Any]] = {}
    not_passing: dict[str, dict[str, Any]] = {}
    for f in doc.get("findings", []):
        status = f["status"]
        for control in f.get("controls", []):
            tally = tallies.setdefault(control, {"control": control, "total": 0, "passed": 0, "waived": 0,
                                                 "failed": 0, "unknown": 0})
            tally["total"] += 1
            tally[{"pass": "passed", "fail": "failed"}.get(status, status)] += 1
        if status in NOT_PASSING:
            if f["id"] in not_passing:
                raise InputError(f"scan {doc['scan'].get('id')}: result id {f['id']} appears twice")
            not_passing[f["id"]] = {
                "finding_id": f["id"], "status": status, "severity": f.get("severity") or "",
                "rule": f.get("rule") or "", "category": f.get("category") or "",
                "resource": f.get("resource") or "", "workload": f.get("workload") or "",
                "account": f.get("account") or "", "controls": _canonical(sorted(f.get("controls", []))),
            }
    return list(tallies.values()), list(not_passing.values())


def scan_row(doc: dict[str, Any], data: bytes, *, command_line: str, ingested_by: str,
             now: dt.datetime) -> dict[str, Any]:
    """The scan's row without its place in the chain (seq, prev_*, row_hash)."""
    scan = doc["scan"]
    started = utc_start(doc)
    coverage = doc.get("coverage", [])
    return {
        "scan_id": str(scan["id"]),
        "started_at": started.isoformat(),
        "day": started.date().isoformat(),
        "finished_at": str(scan.get("finished_at") or ""),
        "tool_version": str(scan.get("tool_version") or ""),
        "command_line": command_line or str(scan.get("command_line") or ""),
        "ingested_by": ingested_by,
        "identity": str(scan.get("identity") or ""),
        "providers": _canonical(scan.get("provider") or []),
        "accounts": _canonical(scan.get("accounts") or []),
        "regions": _canonical({"audited": scan.get("regions_audited") or [],
                               "scanned": scan.get("regions_scanned") or []}),
        "coverage": _canonical(coverage),
        "complete": not any(c.get("status") in GAP_STATUSES for c in coverage),
        "policy_sha256": str(scan.get("policy_sha256") or ""),
        "findings_sha256": hashlib.sha256(data).hexdigest(),
        "results_total": len(doc.get("findings", [])),
        "ingested_at": now.astimezone(dt.UTC).replace(microsecond=0).isoformat(),
    }


def append(store: HistoryStore, doc: dict[str, Any], data: bytes, *, path: str = "-", command_line: str = "",
           ingested_by: str = "", now: dt.datetime | None = None) -> Added:
    """Append one validated findings document (``data`` its exact bytes) at the head of the chain."""
    now = now or dt.datetime.now(dt.UTC)
    row = scan_row(doc, data, command_line=command_line, ingested_by=ingested_by, now=now)
    controls, results = derive(doc)
    row["derived_sha256"] = derived_digest(
        [tuple(c[f] for f in ("control", "total", "passed", "waived", "failed", "unknown")) for c in controls],
        [tuple(r[f] for f in ("finding_id", "status", "severity", "rule", "category", "resource", "workload",
                              "account", "controls")) for r in results])
    body = zlib.compress(data, 6)
    for attempt in range(3):  # a concurrent appender took the head: chain onto the new one
        try:
            with store.begin() as conn:
                existing = conn.execute(select(t.scans.c.seq, t.scans.c.findings_sha256)
                                        .where(t.scans.c.scan_id == row["scan_id"])).first()
                if existing is not None:
                    if existing.findings_sha256 != row["findings_sha256"]:
                        raise InputError(
                            f"{path}: scan {row['scan_id']} is already in the history with a different findings "
                            f"file (sha256 {existing.findings_sha256[:12]}, this one {row['findings_sha256'][:12]})")
                    return Added(path, row["scan_id"], existing.seq, "already-present")
                last = conn.execute(select(t.scans.c.seq, t.scans.c.scan_id, t.scans.c.row_hash)
                                    .order_by(t.scans.c.seq.desc()).limit(1)).first()
                chained = {**row, "seq": (last.seq + 1) if last else 1,
                           "prev_scan_id": last.scan_id if last else "",
                           "prev_hash": last.row_hash if last else GENESIS}
                chained["row_hash"] = row_hash(chained)
                conn.execute(insert(t.scans), [chained])
                conn.execute(insert(t.documents), [{"seq": chained["seq"], "body": body}])
                if controls:
                    conn.execute(insert(t.scan_controls), [{"seq": chained["seq"], **c} for c in controls])
                if results:
                    conn.execute(insert(t.results), [{"seq": chained["seq"], **r} for r in results])
                return Added(path, row["scan_id"], chained["seq"], "added")
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def add_paths(store: HistoryStore, paths: Iterable[str | Path], *, ingested_by: str = "") -> list[Added]:
    """``history add``: validate every file first (all or nothing), then append in scan-time order.

    Two passes so that a year of large files is never held in memory at once; the second pass checks
    that each file still has the bytes the first pass validated."""
    checked = []
    files = findings_files(paths)
    kept: dict[Path, dict[str, Any]] = {}
    for path in files:
        doc, data = read_findings(path)
        checked.append((utc_start(doc), str(doc["scan"]["id"]), path, hashlib.sha256(data).hexdigest()))
        if len(files) == 1:  # the nightly case: one file, parsed once
            kept[path] = doc
        del doc, data
    checked.sort(key=lambda item: (item[0], item[1]))
    added = []
    for _, _, path, digest in checked:
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != digest:
            raise InputError(f"{path}: changed while it was being added; nothing after it was added")
        doc = kept.pop(path, None) or json.loads(data)
        added.append(append(store, doc, data, path=str(path), ingested_by=ingested_by))
    return added
