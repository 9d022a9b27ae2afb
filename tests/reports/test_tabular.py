"""findings.csv and findings.xlsx: one row per result with a fixed set of columns; the workbook reopens."""

from __future__ import annotations

import openpyxl
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from resilience.reports import tabular

from . import estate


def test_csv_one_row_per_result_with_fixed_columns(outdir, result):
    import json

    from resilience.reports.common import FINDING_COLUMNS

    frame = pd.read_csv(outdir / "findings.csv", keep_default_na=False)
    assert len(frame) == len(result.findings)
    assert list(frame.columns) == list(FINDING_COLUMNS)
    assert not [c for c in frame.columns if c.startswith("evidence.")]
    by_id = {f.id: f for f in result.findings}
    for _, row in frame.iterrows():
        assert json.loads(row["evidence_json"]) == json.loads(json.dumps(by_id[row["id"]].evidence, default=str))
    replica = frame[frame["rule"] == "RES-TESTREPL-001"].iloc[0]
    assert "replicas" in replica["evidence_observed"]
    assert list(frame["status"])[: sum(f.status == "fail" for f in result.findings)] == ["fail"] * 6
    waived = frame[frame["status"] == "waived"].iloc[0]
    assert waived["waiver_approved_by"] == "cto@example.com" and waived["waiver_expired"] == "no"
    expired = frame[frame["resource"] == estate.SCRATCH].iloc[0]
    assert expired["status"] == "fail" and expired["waiver_expired"] == "yes" and "expired" in expired["notes"]


def test_xlsx_reopens_with_the_expected_sheets(outdir, result):
    book = openpyxl.load_workbook(outdir / "findings.xlsx", read_only=True)
    assert book.sheetnames == ["findings", "inventory", "coverage", "scan"]
    sheets = pd.read_excel(outdir / "findings.xlsx", sheet_name=None, keep_default_na=False)
    assert len(sheets["findings"]) == len(result.findings)
    from resilience.reports.common import FINDING_COLUMNS

    assert list(sheets["findings"].columns) == list(FINDING_COLUMNS)
    assert len(sheets["inventory"]) == len(result.inventory.resources)
    assert set(sheets["inventory"]["id"]) == {r.id for r in result.inventory.resources}
    ledger = sheets["inventory"].set_index("id").loc[estate.LEDGER_DB]
    assert ledger["workloads"] == "ledger" and ledger["region"] == "me-central-1"
    assert len(sheets["coverage"]) == len(result.coverage)
    assert "denied" in set(sheets["coverage"]["status"])
    assert "identity" in set(sheets["scan"]["field"])


def test_formula_injection_is_neutralised(tmp_path):
    inv = estate.inventory()
    inv.resources[-1].name = '=HYPERLINK("http://evil.example","click")'
    inv.resources[-1].tags = {"owner": "+cmd"}
    result = estate.scan(inv)
    tabular.write_xlsx(result, tmp_path)
    tabular.write_csv(result, tmp_path)
    book = openpyxl.load_workbook(tmp_path / "findings.xlsx")
    cells = [c for row in book["inventory"].iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    assert any(str(c.value).startswith("'=HYPERLINK") for c in cells)
    assert "\n=" not in (tmp_path / "findings.csv").read_text(encoding="utf-8").replace('"', "")


def test_columns_do_not_depend_on_the_estate(tmp_path):
    """Two different estates (one with an extra, oddly named evidence key) give the same header."""
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    result = estate.scan()
    tabular.write_csv(result, first)
    other = estate.scan()
    for f in other.findings:
        f.evidence = {**f.evidence, "observed": {**f.evidence.get("observed", {}),
                                                 "health_checked": {"//dns.googleapis.com/x": True}}}
    tabular.write_csv(other, second)
    header = (first / "findings.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == (second / "findings.csv").read_text(encoding="utf-8").splitlines()[0]
    assert "//dns.googleapis.com" not in header
    assert "//dns.googleapis.com/x: True" in (second / "findings.csv").read_text(encoding="utf-8")


def test_streamed_workbook_cells_read_back_as_written(tmp_path):
    """The rows streamed into the laid-out package read back as the values given: markup, control
    characters (as Excel's _xHHHH_ escape), edge whitespace, numbers, booleans; empties are empty."""
    from resilience.reports import xlsx_stream

    rows = [["a & <b> \"c\"", "  padded ", 42, 2.5, True, ""], ["bell\x07", None, -1, 1e-07, False, "x"]]
    path = xlsx_stream.write(tmp_path / "t.xlsx", [
        xlsx_stream.Sheet("one", ("text", "space", "int", "float", "bool", "last"), iter(rows), 2, (12,) * 6),
        xlsx_stream.Sheet("empty", ("field",), iter(()), 0),
    ])
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["one", "empty"]
    ws = book["one"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:F3"
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0] == ["text", "space", "int", "float", "bool", "last"]
    assert values[1] == ["a & <b> \"c\"", "  padded ", 42, 2.5, True, None]
    assert values[2][0] == "bell_x0007_" and values[2][1] is None and values[2][2:] == [-1, 1e-07, False, "x"]
    assert [[c.value for c in row] for row in book["empty"].iter_rows()] == [["field"]]


def test_streamed_workbook_checks_the_announced_row_count(tmp_path):
    import pytest
    from resilience.reports import xlsx_stream

    with pytest.raises(ValueError, match="1 rows written, 2 announced"):
        xlsx_stream.write(tmp_path / "t.xlsx", [xlsx_stream.Sheet("one", ("a",), iter([["x"]]), 2)])


def test_xlsx_continues_a_table_longer_than_a_worksheet_on_numbered_sheets(tmp_path, result, monkeypatch):
    monkeypatch.setattr(tabular, "EXCEL_MAX_ROWS", 4)  # three results per sheet
    path = tabular.write_xlsx(result, tmp_path)
    sheets = pd.read_excel(path, sheet_name=None, keep_default_na=False)
    parts = [name for name in sheets if name == "findings" or name.startswith("findings (")]
    assert len(parts) == -(-len(result.findings) // 3) > 1
    assert parts[1] == "findings (2)"
    assert all(len(sheets[name]) == 3 for name in parts[:-1])
    rows = pd.concat([sheets[name] for name in parts])
    from resilience.reports.common import finding_order

    assert list(rows["id"]) == [f.id for f in sorted(result.findings, key=finding_order)]


@given(st.lists(st.one_of(st.text(), st.sampled_from(['"', ",", "\r", "\n", "\r\n", " ", "", "a\"b,c"])),
                min_size=1, max_size=6))
@settings(max_examples=300, deadline=None)
def test_csv_line_is_what_the_csv_module_writes(cells):
    """csv.writer with lines ending in \\r\\n quotes what holds the delimiter, the quote, \\r or \\n; the line
    written ends in \\n alone."""
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    assert tabular.csv_line(cells) == buffer.getvalue()[:-2] + "\n"


def test_a_carriage_return_in_a_text_keeps_its_csv_row_whole(tmp_path):
    import csv

    inv = estate.inventory()
    inv.resources[-1].name = "line one\rline two"
    result = estate.scan(inv)
    tabular.write_csv(result, tmp_path)
    with (tmp_path / "findings.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) == len(result.findings) + 1
    assert all(len(row) == len(rows[0]) for row in rows)


def test_csv_and_xlsx_written_together_are_the_files_written_apart(tmp_path, result):
    apart, together = tmp_path / "apart", tmp_path / "together"
    apart.mkdir()
    together.mkdir()
    tabular.write_csv(result, apart)
    tabular.write_xlsx(result, apart)
    assert tabular.write_csv_and_xlsx(result, together) == [together / "findings.csv", together / "findings.xlsx"]
    assert (together / "findings.csv").read_bytes() == (apart / "findings.csv").read_bytes()

    def cells(path):
        book = openpyxl.load_workbook(path, read_only=True)
        return {name: [[c.value for c in row] for row in book[name].iter_rows()] for name in book.sheetnames}

    assert cells(together / "findings.xlsx") == cells(apart / "findings.xlsx")


def test_write_reports_writes_csv_and_xlsx_in_the_order_asked(tmp_path, result):
    from resilience.reports import write_reports

    written = write_reports(result, tmp_path, ("xlsx", "md", "csv"))
    assert [p.name for p in written] == ["findings.json", "findings.xlsx", "report.md", "findings.csv"]
    assert (tmp_path / "findings.csv").read_text(encoding="utf-8").count("\n") > len(result.findings)


def test_a_failed_write_of_streamed_rows_is_raised_not_lost():
    """The rows are compressed and written by a thread of their own: a write that fails there is raised in
    the writer, and the thread is ended either way."""
    import pytest
    from resilience.reports import xlsx_stream

    class Full:
        def write(self, data):
            raise OSError(28, "No space left on device")

    compressing = xlsx_stream._Compressing(Full())
    with pytest.raises(OSError, match="No space left"), compressing as rows:
        for _ in range(20):  # more than the queue holds: a write after the failure raises it, or the exit does
            rows.write(b"<row/>")
    assert not compressing._thread.is_alive()

    stopped = xlsx_stream._Compressing(Full())
    with pytest.raises(ValueError, match="the rows' own error"), stopped:
        raise ValueError("the rows' own error")  # raised as it is, the thread ended
    assert not stopped._thread.is_alive()
