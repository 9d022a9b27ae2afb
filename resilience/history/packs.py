"""Evidence packs from the history, in the manifest format of :mod:`resilience.evidence_pack`
(so ``resilience evidence verify`` checks them): the auditor's sample (chosen days, each scan's
original findings file) and the period's pack (the period report and every scan of the period).

Both are refused when ``verify`` finds the chain broken: evidence is not packed from a tampered history.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
import zlib
from pathlib import Path
from typing import Any

from sqlalchemy import select

from resilience.evidence_pack import MANIFEST, manifest_of, zip_entry
from resilience.reports.common import spreadsheet_safe

from . import tables as t
from .chain import Verdict, verify
from .store import HistoryStore, redact

SCAN_COLUMNS = ("seq", "date", "scan_id", "started_at", "complete", "tool_version", "identity", "command_line",
                "policy_sha256", "findings_sha256", "prev_hash", "row_hash", "file")


class TamperedHistory(Exception):
    """The chain did not verify; the message names the scans."""


def _checked(store: HistoryStore) -> Verdict:
    verdict = verify(store)
    if not verdict.intact:
        raise TamperedHistory("; ".join(str(p) for p in verdict.problems))
    return verdict


def _scans_on(store: HistoryStore, days: list[str]) -> list[dict[str, Any]]:
    """The scan rows of those days, in time order (without the stored files: those are streamed)."""
    with store.begin() as conn:
        rows = conn.execute(select(t.scans).where(t.scans.c.day.in_(days))
                            .order_by(t.scans.c.started_at, t.scans.c.seq))
        return [dict(r._mapping) for r in rows]


def _index(scans: list[dict[str, Any]], folder: str) -> list[dict[str, Any]]:
    return [{"seq": s["seq"], "date": s["day"], "scan_id": s["scan_id"], "started_at": s["started_at"],
             "complete": "yes" if s["complete"] else "no", "tool_version": s["tool_version"],
             "identity": s["identity"], "command_line": s["command_line"], "policy_sha256": s["policy_sha256"],
             "findings_sha256": s["findings_sha256"], "prev_hash": s["prev_hash"], "row_hash": s["row_hash"],
             "file": f"{folder}/{s['day']}/{s['scan_id']}/findings.json"} for s in scans]


def _csv(rows: list[dict[str, Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(SCAN_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: spreadsheet_safe(v) for k, v in row.items()} for row in rows)
    return buf.getvalue().encode("utf-8")


def _stamp(scans: list[dict[str, Any]]) -> tuple[int, int, int, int, int, int]:
    if not scans:
        return (1980, 1, 1, 0, 0, 0)
    when = dt.datetime.fromisoformat(scans[-1]["started_at"])
    return (when.year, when.month, when.day, when.hour, when.minute, when.second)


def _write(store: HistoryStore, output: Path, pack_id: str, small: dict[str, bytes], scans: list[dict[str, Any]],
           index: list[dict[str, Any]]) -> str:
    """Write the pack a file at a time (a year of large findings files never sits in memory at once):
    the small files, then each scan's original file from the store, then the manifest. Return the
    manifest's SHA-256."""
    stamp = _stamp(scans)
    digests: dict[str, tuple[str, int]] = {}
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as zf:
        def put(name: str, data: bytes) -> None:
            zf.writestr(zip_entry(name, stamp), data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
            digests[name] = (hashlib.sha256(data).hexdigest(), len(data))

        for name in sorted(small):
            put(name, small[name])
        for scan, entry in zip(scans, index, strict=True):
            with store.begin() as conn:
                body = conn.execute(select(t.documents.c.body).where(t.documents.c.seq == scan["seq"])).scalar()
            data = zlib.decompress(body) if body is not None else b""
            if hashlib.sha256(data).hexdigest() != scan["findings_sha256"]:  # changed since verify()
                raise TamperedHistory(f"scan {scan['scan_id']}: stored findings file does not match its hash")
            put(entry["file"], data)
        manifest = manifest_of(digests, pack_id)
        zf.writestr(zip_entry(MANIFEST, stamp), manifest, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    tmp.replace(output)
    return hashlib.sha256(manifest).hexdigest()


def build_sample_pack(store: HistoryStore, days: list[str], output: Path, *, selection: dict[str, Any]) -> str:
    """Write the sample pack; return its manifest SHA-256."""
    verdict = _checked(store)
    scans = _scans_on(store, days)
    index = _index(scans, "samples")
    missing = sorted(set(days) - {s["day"] for s in scans})
    small = {
        "samples/index.csv": _csv(index),
        "samples/selection.json": (json.dumps(
            {**selection, "days": days, "days_without_scan": missing, "history": redact(store.url),
             "chain_head": verdict.head, "chain_scans": verdict.scans}, indent=2, sort_keys=True) + "\n").encode(),
        "README.md": _sample_readme(days, missing, index, verdict).encode(),
    }
    return _write(store, output, f"history-sample:{','.join(days)}", small, scans, index)


def build_period_pack(store: HistoryStore, report: dict[str, Any], rendered: dict[str, str], output: Path) -> str:
    """Write the period's pack: the report in every format given, and each scan of the period."""
    verdict = _checked(store)
    scans = _scans_on(store, sorted({s["date"] for s in report["scans"]}))
    index = _index(scans, "scans")
    small = {f"report/{name}": text.encode("utf-8") for name, text in rendered.items()}
    small["scans/index.csv"] = _csv(index)
    small["README.md"] = _period_readme(report, index, verdict, sorted(rendered)).encode()
    period = report["period"]
    return _write(store, output, f"history:{period['from']}..{period['to']}", small, scans, index)


_CHECKING = (
    "## Checking it\n\n"
    "- `resilience evidence verify PACK.zip` re-hashes every file against `manifest.json`.\n"
    "- Each `findings.json` is the original file of its scan, byte for byte: its SHA-256 is the "
    "`findings_sha256` in the index, the value the history recorded when the scan was added.\n"
    "- `row_hash` chains the scans: each row's hash covers its fields and the previous row's hash "
    "(`prev_hash`). `resilience history verify --db URL --head HASH` re-checks the whole history against "
    "the chain head recorded below.\n"
)


def _sample_readme(days: list[str], missing: list[str], index: list[dict[str, Any]], verdict: Verdict) -> str:
    lines = ["# Resilience history: sample", "",
             f"The results of the sampled days ({', '.join(days)}), exported from a history of {verdict.scans} "
             f"scans whose chain verified intact when the sample was taken (chain head `{verdict.head}`).", "",
             "| Date | Scan | Complete coverage | findings.json SHA-256 |", "|---|---|---|---|"]
    lines += [f"| {r['date']} | {r['scan_id']} | {r['complete']} | `{r['findings_sha256']}` |" for r in index]
    if missing:
        lines += ["", f"No scan on: {', '.join(missing)} (a monitoring gap)."]
    lines += ["", "`samples/selection.json` records how the days were chosen (named dates, or a seeded "
                  "random draw that anyone can repeat).", "", _CHECKING]
    return "\n".join(lines)


def _period_readme(report: dict[str, Any], index: list[dict[str, Any]], verdict: Verdict, names: list[str]) -> str:
    period = report["period"]
    lines = ["# Resilience history: period evidence", "",
             f"Control operation from {period['from']} to {period['to']} ({period['days']} days), from "
             f"{len(index)} scans of a history of {verdict.scans} whose chain verified intact when this pack "
             f"was built (chain head `{verdict.head}`).", "",
             "| Control | Days | Operated | Monitoring gaps | Exceptions |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {c['control']} | {c['days_in_period']} | {c['days_operated']} | {len(c['monitoring_gaps'])} | "
              f"{len(c['exceptions'])} |" for c in report["controls"]]
    lines += ["", "## What is where", "",
              *[f"- `report/{n}`" for n in names],
              "- `scans/index.csv`: every scan of the period with its hashes",
              "- `scans/<date>/<scan id>/findings.json`: the original findings file of each scan", "", _CHECKING]
    return "\n".join(lines)
