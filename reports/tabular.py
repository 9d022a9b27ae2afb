"""``findings.csv`` and ``findings.xlsx``: one row per result with its evidence flattened into
``evidence.*`` columns (pandas).

The workbook has a ``findings`` sheet, an ``inventory`` sheet (the population: one row per
resource), a ``coverage`` sheet (every read and its status) and a ``scan`` sheet (metadata, and
the baseline comparison when there is one). Text that a spreadsheet would take for a formula
(leading ``=``, ``+``, ``-``, ``@``) is neutralised: names and tags come from the estate.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from resilience.scan import ScanResult

from .common import COVERAGE_COLUMNS, INVENTORY_COLUMNS, finding_rows, inventory_rows, spreadsheet_safe

if TYPE_CHECKING:
    import pandas as pd

XLSX_CELL_LIMIT = 32_767


def findings_frame(findings: list[dict[str, Any]]) -> pd.DataFrame:
    import pandas as pd

    columns, rows = finding_rows(findings)
    return pd.DataFrame(rows, columns=columns)


def inventory_frame(result: ScanResult) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(inventory_rows(result.inventory.to_dict(), result.workloads), columns=list(INVENTORY_COLUMNS))


def coverage_frame(result: ScanResult) -> pd.DataFrame:
    import pandas as pd

    rows = [{"provider": c.provider, "account": c.account, "region": c.region, "service": c.service,
             "status": c.status, "detail": c.detail}
            for c in sorted(result.coverage, key=lambda c: (c.provider, c.account, c.region, c.service))]
    return pd.DataFrame(rows, columns=list(COVERAGE_COLUMNS))


def scan_frame(result: ScanResult) -> pd.DataFrame:
    import pandas as pd

    rows = [{"field": k, "value": v if isinstance(v, str | int | float) else json.dumps(v, default=str)}
            for k, v in result.scan.items()]
    baseline = result.extra.get("baseline")
    if baseline:
        rows += [{"field": "baseline.file", "value": baseline.get("file", "")},
                 {"field": "baseline.scan_id", "value": baseline["scan_id"]},
                 *({"field": f"baseline.{k}", "value": v} for k, v in baseline["counts"].items()),
                 {"field": "baseline.resolved", "value": ";".join(baseline["resolved"])}]
    return pd.DataFrame(rows, columns=["field", "value"])


def _safe(frame: pd.DataFrame, limit: int | None = None) -> pd.DataFrame:
    def cell(v: Any) -> Any:
        v = spreadsheet_safe(v)
        if limit and isinstance(v, str) and len(v) > limit:
            return v[: limit - 20] + "… [truncated]"
        return v
    return frame.apply(lambda col: col.map(cell)) if len(frame) else frame


def write_csv(result: ScanResult, outdir: Path) -> Path:
    path = outdir / "findings.csv"
    frame = _safe(findings_frame([f.to_dict() for f in result.findings]))
    frame.to_csv(path, index=False, lineterminator="\n")
    return path


def write_xlsx(result: ScanResult, outdir: Path) -> Path:
    import pandas as pd

    path = outdir / "findings.xlsx"
    sheets = {
        "findings": findings_frame([f.to_dict() for f in result.findings]),
        "inventory": inventory_frame(result),
        "coverage": coverage_frame(result),
        "scan": scan_frame(result),
    }
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            _safe(frame, XLSX_CELL_LIMIT).to_excel(writer, sheet_name=name, index=False)
            ws = writer.sheets[name]
            ws.freeze_panes = "A2"
            if ws.max_row > 1:
                ws.auto_filter.ref = ws.dimensions
            for column in ws.columns:
                letter = column[0].column_letter
                longest = max((len(str(c.value)) for c in column[:200] if c.value is not None), default=8)
                ws.column_dimensions[letter].width = min(60, max(10, longest + 2))
    return path
