"""``findings.csv`` and ``findings.xlsx``: one row per result, with a fixed set of columns.

The columns are the same for every estate (:data:`~.common.FINDING_COLUMNS`), so a spreadsheet or BI
import built on one scan works on the next: the evidence is one JSON column (``evidence_json``) plus
readable summaries (``evidence_observed``, ``evidence_expected``), never one column per evidence key.

The CSV is written row by row; the workbook's rows are streamed into a package that openpyxl lays out
(:mod:`.xlsx_stream`), so memory stays bounded and 100,000s of rows take seconds. It has a ``findings`` sheet, an ``inventory`` sheet (the population: one row per resource), a
``coverage`` sheet (every read and its status) and a ``scan`` sheet (metadata, and the baseline
comparison when there is one). Text that a spreadsheet would take for a formula (leading ``=``, ``+``,
``-``, ``@``) is neutralised: names and tags come from the estate.
"""

from __future__ import annotations

import itertools
import json
import math
import operator
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from resilience.results import ScanResult

from . import xlsx_stream
from .common import (
    COVERAGE_COLUMNS,
    FINDING_COLUMNS,
    INVENTORY_COLUMNS,
    finding_row,
    in_report_order,
    iter_inventory_rows,
    spreadsheet_safe,
)

XLSX_CELL_LIMIT = 32_767
#: the rows of one worksheet (Excel's limit), its header row included
EXCEL_MAX_ROWS = 1_048_576
#: column widths of the workbook, guessed from the header and the first rows (set before the rows stream)
_WIDTH_SAMPLE = 200
#: the first characters :func:`~.common.spreadsheet_safe` neutralises
_FORMULA_START = frozenset("=+-@\t\r")


def _cell(value: Any, limit: int | None = None) -> Any:
    value = "" if value is None else spreadsheet_safe(value)
    if limit and isinstance(value, str) and len(value) > limit:
        return value[: limit - 20] + "… [truncated]"
    return value


def _cells(values: Iterator[Any] | list[Any], limit: int | None = None) -> list[Any]:
    """:func:`_cell` of every value of a row; the common case (a text that is safe as it is) inline."""
    return [v if type(v) is str and (not v or v[0] not in _FORMULA_START) and (not limit or len(v) <= limit)
            else _cell(v, limit) for v in values]


def _findings(result: ScanResult) -> Iterator[dict[str, Any]]:
    """The rows failing-first, each made when it is written (the findings are sorted, not their rows)."""
    for f in in_report_order(result):
        yield finding_row(f.to_dict())


def _inventory(result: ScanResult) -> Iterator[dict[str, Any]]:
    return iter_inventory_rows((vars(r) for r in result.inventory.resources), result.workloads)


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


#: CSV lines gathered before a write
_CSV_BATCH = 512


def csv_line(cells: list[Any]) -> str:
    """One CSV line (``\n``-terminated) as ``csv.writer(fh, lineterminator="\r\n")`` writes it, with ``\n``
    ending it: the minimal quoting, quotes doubled (a test compares the two on arbitrary text). The csv
    module's writer spent 5 s on the 260,000 results of a 100,000-resource estate, most of it copying each
    evidence text a character at a time; here quoting is decided and done by C string methods (issue 17)."""
    if len(cells) == 1 and cells[0] in ("", None):
        return '""\n'  # a row of one empty field, told apart from an empty line
    out = []
    for value in cells:
        if type(value) is not str:
            value = "" if value is None else str(value)
        # quoted when it holds the delimiter, the quote or a line break (\r too, which the csv module leaves
        # bare when lines end in \n alone: a reader would split the row there)
        if '"' in value or "," in value or "\n" in value or "\r" in value:
            value = '"' + value.replace('"', '""') + '"'
        out.append(value)
    return ",".join(out) + "\n"


#: a finding row's values in column order (a tuple, by one C call)
_finding_values = operator.itemgetter(*FINDING_COLUMNS)


def _write_csv_rows(fh: IO[str], rows: Iterator[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], list[Any]]]:
    """``rows`` with their cells, each written as a line of ``findings.csv`` to ``fh`` on the way (header
    first)."""
    batch = [csv_line(list(FINDING_COLUMNS))]
    for row in rows:
        cells = _cells(_finding_values(row))
        batch.append(csv_line(cells))
        if len(batch) >= _CSV_BATCH:
            fh.write("".join(batch))
            batch.clear()
        yield row, cells
    fh.write("".join(batch))


def write_csv(result: ScanResult, outdir: Path) -> Path:
    path = outdir / "findings.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        for _ in _write_csv_rows(fh, _findings(result)):
            pass
    return path


def write_csv_and_xlsx(result: ScanResult, outdir: Path) -> list[Path]:
    """``findings.csv`` and ``findings.xlsx`` in one pass over the results: each row is made once and goes to
    both (making the rows is half of either writer's time), the CSV written as the workbook takes them."""
    path = outdir / "findings.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        rows = _write_csv_rows(fh, _findings(result))
        workbook = write_xlsx(result, outdir, rows)
        for _ in rows:  # the workbook takes as many rows as there are results: this writes the last lines
            pass
    return [path, workbook]


def write_xlsx(result: ScanResult, outdir: Path,
               findings: Iterator[tuple[dict[str, Any], list[Any]]] | None = None) -> Path:
    """``findings``: the findings' rows and their CSV cells, when a caller makes them
    (:func:`write_csv_and_xlsx`)."""
    tables = [
        ("findings", FINDING_COLUMNS, _uncelled(_findings(result)) if findings is None else findings,
         len(result.findings)),
        ("inventory", INVENTORY_COLUMNS, _uncelled(_inventory(result)), len(result.inventory.resources)),
        ("coverage", COVERAGE_COLUMNS, _uncelled(_coverage(result)), len(result.coverage)),
    ]
    scan = _scan(result)
    tables.append(("scan", ("field", "value"), _uncelled(scan), len(scan)))
    sheets = []
    per_sheet = EXCEL_MAX_ROWS - 1  # the header takes a row
    for name, columns, rows, count in tables:
        head = [r for _, r in zip(range(_WIDTH_SAMPLE), rows, strict=False)]
        widths = [min(60, max(10, max([len(column), *(len(str(r.get(column, ""))) for r, _ in head)]) + 2))
                  for column in columns]
        values = _values(head, rows, columns)
        # a table longer than a worksheet holds (a million-resource estate's results) goes on in
        # "findings (2)", "findings (3)", ...: the sheets are written in order, each taking the next rows
        for part in range(max(1, -(-count // per_sheet))):
            size = min(per_sheet, count - part * per_sheet)
            sheets.append(xlsx_stream.Sheet(name if part == 0 else f"{name} ({part + 1})", columns,
                                            itertools.islice(values, size), size, widths))
    return xlsx_stream.write(outdir / "findings.xlsx", sheets)


def _uncelled(rows: Iterable[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], None]]:
    """Rows whose cells are still to be made (:func:`_values` makes them)."""
    return ((row, None) for row in rows)


def _values(head: list[tuple[dict[str, Any], list[Any] | None]],
            rest: Iterator[tuple[dict[str, Any], list[Any] | None]], columns: tuple[str, ...]) -> Iterator[list[Any]]:
    """The workbook's cells of each row: made from the row, or from its CSV cells (the same, but for a text
    longer than a cell holds)."""
    take = operator.itemgetter(*columns) if len(columns) > 1 else None  # a tuple of the values, by one C call
    for pairs in (head, rest):
        for row, cells in pairs:
            if cells is None:
                try:
                    values = take(row) if take is not None else (row[columns[0]],)
                except KeyError:  # a row without some column: empty there
                    values = tuple(row.get(c, "") for c in columns)
                yield _cells(values, XLSX_CELL_LIMIT)
            elif _total_length(cells) <= XLSX_CELL_LIMIT:
                yield cells
            else:
                yield _cells(cells, XLSX_CELL_LIMIT)


def _total_length(cells: list[Any]) -> int | float:
    """The length of a row's texts together (no cell is longer); infinite for a row holding a number."""
    try:
        return sum(map(len, cells))
    except TypeError:
        return math.inf
