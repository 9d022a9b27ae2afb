"""Nightly CI: new / unchanged / resolved against a baseline, waivers, the trend."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from resilience.reports import html, json_report, markdown

from resilience.baseline import apply_baselines
from resilience.engine import failing_at
from resilience.errors import InputError

from . import estate


def _save(result, path):
    path.write_text(json.dumps(json_report.document(result), default=str), encoding="utf-8")
    return path


@pytest.fixture
def night1(tmp_path):
    return _save(estate.scan(), tmp_path / "night1.json")


def _night2():
    return estate.scan(estate.fixed_and_broken(estate.inventory()), when=estate.SCAN_TIME + dt.timedelta(days=1))


def test_fix_one_break_another_gives_one_new_and_one_resolved(night1):
    result = _night2()
    section = apply_baselines(result, [night1])
    assert section["counts"] == {"new": 1, "unchanged": 5, "resolved": 1}
    new = [f for f in result.findings if f.baseline == "new"]
    assert [(f.rule, f.resource) for f in new] == [("RES-TESTDNS-001", estate.DNS)]
    assert section["new"] == [new[0].id]
    resolved = section["resolved_findings"]
    assert [(r["rule"], r["resource"], r["now"]) for r in resolved] == [
        ("RES-TESTREPL-001", estate.LEDGER_DB, "pass")]
    assert section["resolved"] == [resolved[0]["id"]]
    # only failing results are classified
    assert all(f.baseline is None for f in result.findings if f.status != "fail")
    assert all(f.baseline == "unchanged" for f in result.findings if f.status == "fail" and f not in new)


def test_fail_on_counts_new_failures_only(night1):
    result = _night2()
    apply_baselines(result, [night1])
    assert [f.rule for f in failing_at(result.findings, "high", new_only=True)] == ["RES-TESTDNS-001"]
    assert failing_at(result.findings, "critical", new_only=True)
    assert len(failing_at(result.findings, "medium")) == 6  # --fail-on-all: every failure counts
    unchanged_only = estate.scan()
    apply_baselines(unchanged_only, [night1])
    assert failing_at(unchanged_only.findings, "info", new_only=True) == []


def test_waived_and_expired_waivers(result):
    docs = next(f for f in result.findings if f.resource == estate.DOCS)
    assert docs.status == "waived" and docs.waiver["expired"] is False
    assert docs.waiver["approved_by"] == "cto@example.com" and docs.waiver["policy_line"] == "resilience.yaml:23"
    scratch = next(f for f in result.findings if f.resource == estate.SCRATCH)
    assert scratch.status == "fail" and scratch.waiver["expired"] is True
    assert scratch.notes and "waiver expired on 2026-01-31" in scratch.notes[0]
    assert failing_at([docs], "info") == [] and failing_at([scratch], "info") == [scratch]


def test_a_waiver_that_expires_overnight_makes_its_finding_new(tmp_path):
    before = _save(estate.scan(when=dt.datetime(2027, 1, 30, 2, tzinfo=dt.UTC)), tmp_path / "before.json")
    after = estate.scan(when=dt.datetime(2027, 2, 1, 2, tzinfo=dt.UTC))
    section = apply_baselines(after, [before])
    docs = next(f for f in after.findings if f.resource == estate.DOCS)
    assert docs.status == "fail" and docs.baseline == "new"
    assert section["new"] == [docs.id]


def test_waivers_show_in_every_format(outdir):
    md = (outdir / "report.md").read_text(encoding="utf-8")
    assert "## Waived" in md and "## Expired waivers" in md and "WAIVER EXPIRED" in md
    page = (outdir / "report.html").read_text(encoding="utf-8")
    assert "waiver expired" in page and "documents are re-generated from the ledger" in page
    assert "re-generated" in (outdir / "findings.csv").read_text(encoding="utf-8")
    assert "waived until 2027-01-31" in (outdir / "findings.junit.xml").read_text(encoding="utf-8")
    assert '"suppressions"' in (outdir / "findings.sarif").read_text(encoding="utf-8")


def test_the_most_recent_baseline_classifies_and_all_make_the_trend(tmp_path):
    older_result = estate.scan(estate.fixed_and_broken(estate.inventory()),
                               when=estate.SCAN_TIME - dt.timedelta(days=1))
    older = _save(older_result, tmp_path / "older.json")
    newer_result = estate.scan()
    newer = _save(newer_result, tmp_path / "newer.json")
    result = _night2()
    section = apply_baselines(result, [newer, older])  # the order given does not matter
    assert section["file"] == str(newer)
    assert section["counts"] == {"new": 1, "unchanged": 5, "resolved": 1}
    assert [p["scan_id"] for p in section["history"]] == [older_result.scan["id"], newer_result.scan["id"],
                                                          result.scan["id"]]
    assert [p["failing"] for p in section["history"]] == [6, 6, 6]
    page = html.render(result)
    assert 'class="chart trend"' in page and "<polyline" in page
    assert "Since the baseline" in markdown.render(result)
    # the next night, given only this night's findings.json, still sees the whole history
    night2_file = _save(result, tmp_path / "night2.json")
    third = estate.scan(when=estate.SCAN_TIME + dt.timedelta(days=2))
    history = apply_baselines(third, [night2_file])["history"]
    assert [p["scan_id"] for p in history] == [older_result.scan["id"], newer_result.scan["id"],
                                               result.scan["id"], third.scan["id"]]


def test_bad_baselines_are_input_errors(tmp_path):
    (tmp_path / "x.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="not JSON"):
        apply_baselines(estate.scan(), [tmp_path / "x.json"])
    (tmp_path / "y.json").write_text('{"schema": "resilience.simulation/v1"}', encoding="utf-8")
    with pytest.raises(InputError, match="not a findings.json"):
        apply_baselines(estate.scan(), [tmp_path / "y.json"])
    with pytest.raises(InputError, match="cannot read"):
        apply_baselines(estate.scan(), [tmp_path / "missing.json"])


def test_no_baseline_changes_nothing(result):
    assert apply_baselines(result, []) is None
    assert "baseline" not in result.extra and all(f.baseline is None for f in result.findings)
