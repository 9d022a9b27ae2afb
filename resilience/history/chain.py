"""Tamper evidence: each scan row's hash covers its own fields and the previous row's hash.

``verify`` walks the chain in append order and names every scan whose row was altered, whose
predecessor was removed, whose position changed, whose stored findings file no longer has the
recorded SHA-256, or whose derived rows (tallies, results) no longer match the digest in its row.
Removing the *last* scans leaves a shorter chain that is still consistent: record the head hash
``verify`` prints in your working papers, and pass it back with ``--head`` to detect that too.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from . import tables as t
from .store import HistoryStore

GENESIS = "0" * 64
#: the scan columns the row hash covers, in a fixed order (everything but the hash itself)
HASHED = tuple(c.name for c in t.scans.columns if c.name != "row_hash")


def row_hash(row: dict[str, Any]) -> str:
    body = {name: row[name] for name in HASHED}
    body["complete"] = bool(body["complete"])
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def derived_digest(controls: list[tuple], results: list[tuple]) -> str:
    """SHA-256 of the derived rows of one scan, order-independent."""
    body = {"controls": sorted([list(map(_plain, c)) for c in controls]),
            "results": sorted([list(map(_plain, r)) for r in results])}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _plain(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value


CONTROL_FIELDS = ("control", "total", "passed", "waived", "failed", "unknown")
RESULT_FIELDS = ("finding_id", "status", "severity", "rule", "category", "resource", "workload", "account",
                 "controls")


@dataclass(frozen=True)
class Problem:
    scan_id: str
    seq: int
    message: str

    def __str__(self) -> str:
        return f"scan {self.scan_id} (#{self.seq}): {self.message}"


@dataclass(frozen=True)
class Verdict:
    scans: int
    head: str
    problems: tuple[Problem, ...]

    @property
    def intact(self) -> bool:
        return not self.problems


def verify(store: HistoryStore, *, expected_head: str | None = None, documents: bool = True) -> Verdict:
    """Check the whole chain. ``documents=False`` skips re-hashing the stored findings files (fast)."""
    problems: list[Problem] = []
    previous_hash, previous_id, previous_seq, count = GENESIS, "", 0, 0
    with store.begin() as conn:
        rows = conn.execute(select(t.scans).order_by(t.scans.c.seq)).mappings().all()
        stored_ids = {r["scan_id"] for r in rows}
        controls = _grouped(conn, t.scan_controls, CONTROL_FIELDS)
        results = _grouped(conn, t.results, RESULT_FIELDS)
        for row in rows:
            count += 1
            sid, seq = row["scan_id"], row["seq"]
            if row_hash(row) != row["row_hash"]:
                problems.append(Problem(sid, seq, "the row was altered (its hash does not match its content)"))
            if row["prev_hash"] != previous_hash or row["prev_scan_id"] != previous_id:
                if row["prev_scan_id"] and row["prev_scan_id"] != previous_id and \
                        row["prev_scan_id"] not in stored_ids:
                    what = f"the scan before it, {row['prev_scan_id']}, was removed from the history"
                elif row["prev_scan_id"] != previous_id:
                    what = (f"out of order: the chain says it follows {row['prev_scan_id'] or 'nothing'}, "
                            f"but it is stored after {previous_id or 'nothing'}")
                else:
                    what = f"its link to the previous scan {previous_id} does not match (that row was altered)"
                problems.append(Problem(sid, seq, what))
            elif seq != previous_seq + 1:
                problems.append(Problem(sid, seq, f"sequence number {seq} follows {previous_seq}"))
            if derived_digest(controls.get(seq, []), results.get(seq, [])) != row["derived_sha256"]:
                problems.append(Problem(sid, seq, "its stored results or control tallies were altered"))
            if documents:
                problem = _document_problem(conn, row)
                if problem:
                    problems.append(Problem(sid, seq, problem))
            previous_hash, previous_id, previous_seq = row["row_hash"], sid, seq
    if expected_head and expected_head != previous_hash:
        problems.append(Problem(previous_id or "-", previous_seq,
                                f"the head of the chain is {previous_hash[:16]}…, not the expected "
                                f"{expected_head[:16]}… (scans were removed from the end, or added)"))
    return Verdict(scans=count, head=previous_hash, problems=tuple(problems))


def _grouped(conn, table, fields) -> dict[int, list[tuple]]:
    out: dict[int, list[tuple]] = {}
    for row in conn.execute(select(table.c.seq, *(table.c[f] for f in fields))):
        out.setdefault(row[0], []).append(tuple(row[1:]))
    return out


def _document_problem(conn, row) -> str | None:
    body = conn.execute(select(t.documents.c.body).where(t.documents.c.seq == row["seq"])).scalar()
    if body is None:
        return "its stored findings file is missing"
    try:
        data = zlib.decompress(body)
    except zlib.error:
        return "its stored findings file is corrupt"
    digest = hashlib.sha256(data).hexdigest()
    if digest != row["findings_sha256"]:
        return f"its stored findings file was altered (sha256 {digest[:16]}…, recorded {row['findings_sha256'][:16]}…)"
    return None


def head(store: HistoryStore) -> tuple[str, str, int]:
    """``(scan_id, row_hash, seq)`` of the last row (genesis when empty)."""
    with store.begin() as conn:
        row = conn.execute(select(t.scans.c.scan_id, t.scans.c.row_hash, t.scans.c.seq)
                           .order_by(t.scans.c.seq.desc()).limit(1)).first()
    return (row[0], row[1], row[2]) if row else ("", GENESIS, 0)
