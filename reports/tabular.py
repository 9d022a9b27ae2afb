"""``findings.csv`` and ``findings.xlsx``: one row per result, with a fixed set of columns.

The columns are the same for every estate (:data:`~.common.FINDING_COLUMNS`), so a spreadsheet or BI
import built on one scan works on the next: the evidence is one JSON column (``evidence_json``) plus
readable summaries (``evidence_observed``, ``evidence_expected``), never one column per evidence key.

The CSV is written row by row; the workbook in openpyxl's write-only mode (rows streamed, constant
memory). It has a ``findings`` sheet, an ``inventory`` sheet (the population: one row per resource), a
``coverage`` sheet (every read and its status) and a ``scan`` sheet (metadata, and the baseline
comparison when there is one). Text that a spreadsheet would take for a formula (leading ``=``, ``+``,
``-``, ``@``) is neutralised: names and tags come from the estate.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from resilience.results import ScanResult

from .common import (
    COVERAGE_COLUMNS,
    FINDING_COLUMNS,
    INVENTORY_COLUMNS,
    inventory_rows,
    iter_finding_rows,
    spreadsheet_safe,
)

XLSX_CELL_LIMIT = 32_767
#: column widths of the workbook, guessed from the header and the first rows (write-only: set up front)
_WIDTH_SAMPLE = 200


def _cell(value: Any, limit: int | None = None) -> Any:
    value = "" if value is None else spreadsheet_safe(value)
    if limit and isinstance(value, str) and len(value) > limit:
        return value[: limit - 20] + "… [truncated]"
    return value


def _findings(result: ScanResult) -> Iterator[dict[str, Any]]:
    return iter_finding_rows(f.to_dict() for f in result.findings)


def _inventory(result: ScanResult) -> list[dict[str, Any]]:
    return inventory_rows(result.inventory.to_dict(), result.workloads)


def _coverage(result: ScanResult) -> list[dict[str, Any]]:
    return [{"provider": c.provider, "account": c.account, "region": c.region, "service": c.service,
             "status": c.status, "detail": c.detail}
            for c in sorted(result.coverage, key=lambda c: (c.provider, c.account, c.region, c.service))]


def _scan(result: ScanResult) -> list[dict[str, Any]]:
    rows = [{"field": k, "value": v if isinstance(v, str | int | float) else json.dumps(v, default=str)}
            for k, v in result.scan.items()]
    baseline = result.extra.get("baseline")
    if baseline:
        rows += [{"field": "baseline.file", "value": baseline.get("file", "")},
                 {"field": "baseline.scan_id", "value": baseline["scan_id"]},
                 *({"field": f"baseline.{k}", "value": v} for k, v in baseline["counts"].items()),
                 {"field": "baseline.resolved", "value": ";".join(baseline["resolved"])}]
    return rows


def write_csv(result: ScanResult, outdir: Path) -> Path:
    path = outdir / "findings.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(FINDING_COLUMNS), lineterminator="\n")
        writer.writeheader()
        for row in _findings(result):
            writer.writerow({k: _cell(v) for k, v in row.items()})
    return path


def write_xlsx(result: ScanResult, outdir: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    path = outdir / "findings.xlsx"
    book = Workbook(write_only=True)
    sheets: list[tuple[str, tuple[str, ...], Iterable[dict[str, Any]]]] = [
        ("findings", FINDING_COLUMNS, _findings(result)),
        ("inventory", INVENTORY_COLUMNS, _inventory(result)),
        ("coverage", COVERAGE_COLUMNS, _coverage(result)),
        ("scan", ("field", "value"), _scan(result)),
    ]
    for name, columns, rows in sheets:
        ws = book.create_sheet(name)
        rows = iter(rows)
        head = [r for _, r in zip(range(_WIDTH_SAMPLE), rows, strict=False)]
        for i, column in enumerate(columns, start=1):
            longest = max([len(column), *(len(str(r.get(column, ""))) for r in head)])
            ws.column_dimensions[get_column_letter(i)].width = min(60, max(10, longest + 2))
        ws.freeze_panes = "A2"
        ws.append(list(columns))
        count = 0
        for row in _chain(head, rows):
            ws.append([_cell(row.get(c, ""), XLSX_CELL_LIMIT) for c in columns])
            count += 1
        if count:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    book.save(path)
    return path


def _chain(head: list[dict[str, Any]], rest: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    yield from head
    yield from rest
