"""The generated year (see ``nightly``): the period report gives the exact counts, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from resilience.reports import history_report

from resilience.history import oscal, period
from resilience.history.store import open_store

from . import nightly

YEAR = (nightly.day(1), nightly.day(nightly.DAYS))
GAPS = sorted(nightly.day(n).isoformat() for n in (*nightly.MISSING_DAYS, nightly.GAP_DAY))
SLA = {"critical": 7 * 86400, "high": 7 * 86400, "medium": 90 * 86400}
EXCEPTION_DAYS = nightly.FIXED_DAY - nightly.OPEN_DAY


@pytest.fixture(scope="module")
def year_report(year_url):
    with open_store(year_url, create=False) as store:
        return period.build_report(store, *YEAR, remediation_sla=SLA)


def _control(report, control):
    return next(c for c in report["controls"] if c["control"] == control)


def test_planted_control_counts(year_report, night_base):
    planted = nightly.planted(night_base)
    assert year_report["schema"] == "resilience.history-report/v1"
    assert year_report["period"] == {"from": "2026-01-01", "to": "2026-12-31", "days": 365}
    assert len(year_report["scans"]) == 363
    assert [s["date"] for s in year_report["scans"] if not s["complete"]] == [nightly.day(nightly.GAP_DAY).isoformat()]
    for control in planted["controls"]:
        c = _control(year_report, control)
        assert (c["days_in_period"], c["days_scanned"], c["days_operated"]) == (365, 362, 362 - EXCEPTION_DAYS)
        assert c["monitoring_gaps"] == GAPS
        assert c["days_with_exceptions"] == EXCEPTION_DAYS
        [e] = c["exceptions"]
        assert e == {
            "finding_id": planted["id"], "rule": planted["rule"], "resource": planted["resource"],
            "workload": planted.get("workload"), "severity": "high", "status": "fail",
            "first_seen": nightly.day(nightly.OPEN_DAY).isoformat(),
            "last_seen": nightly.day(nightly.FIXED_DAY - 1).isoformat(),
            "resolved": nightly.day(nightly.FIXED_DAY).isoformat(),
            "days_open": EXCEPTION_DAYS, "sla_days": 7, "within_sla": False,
            **({"account": planted["account"]} if planted.get("account") else {}),
        }


def test_other_controls_operated_every_scanned_day(year_report, night_base):
    planted = set(nightly.planted(night_base)["controls"])
    others = [c for c in year_report["controls"] if c["control"] not in planted]
    assert others, "the demo maps results to controls beyond the planted result's"
    for c in others:
        assert (c["days_scanned"], c["days_operated"], c["exceptions"]) == (362, 362, [])
        assert c["monitoring_gaps"] == GAPS


def test_days_partition_the_period(year_report):
    for c in year_report["controls"]:
        assert c["days_operated"] + c["days_with_exceptions"] + len(c["monitoring_gaps"]) == c["days_in_period"]


def test_control_filter_and_sub_period(year_url):
    with open_store(year_url, create=False) as store:
        report = period.build_report(store, nightly.day(45), nightly.day(60), controls=("SOC2:A1.2",))
    [c] = report["controls"]
    assert c["days_in_period"] == 16 and c["days_operated"] == 16 - (nightly.FIXED_DAY - 45)
    [e] = c["exceptions"]
    # an exception opened before the period keeps its true first day; without a policy there is no SLA
    assert e["first_seen"] == nightly.day(nightly.OPEN_DAY).isoformat()
    assert (e["sla_days"], e["within_sla"]) == (None, None)


def test_single_scan_report(year_url):
    with open_store(year_url, create=False) as store:
        day = nightly.day(nightly.OPEN_DAY + 1)
        report = period.build_report(store, day, day, scan_id=f"nightly-{nightly.OPEN_DAY + 1:03d}")
    assert [s["id"] for s in report["scans"]] == [f"nightly-{nightly.OPEN_DAY + 1:03d}"]
    assert _control(report, "SOC2:A1.2")["days_with_exceptions"] == 1
    # the single scan as OSCAL: one result, one observation for the scan, one for the failing result
    [result] = oscal.assessment_results(report, "0.1.0").results
    assert result.title == f"Scan nightly-{nightly.OPEN_DAY + 1:03d}"
    assert [o.types[0] for o in result.observations].count("historic") == 1


def test_writers(year_report, tmp_path):
    written = history_report.write(year_report, tmp_path, ("json", "md", "html", "csv"))
    assert {p.name for p in written} == {"history-report.json", "history-report.md", "history-report.html",
                                         "history-report.csv", "history-exceptions.csv", "history-days.csv"}
    assert json.loads((tmp_path / "history-report.json").read_text()) == year_report
    html = (tmp_path / "history-report.html").read_text()
    assert "http://" not in html.replace("http-equiv", "") and "<script" not in html
    section = html.split('id="c1"')[1].split("</section>")[0]  # SOC2:A1.2, the first control
    cells = re.findall(r'class="d (operated|exception|no-scan)" title="(\d{4}-\d\d-\d\d)', section)
    assert len(cells) == 365
    states = dict((d, s) for s, d in cells)
    assert [d for d, s in states.items() if s == "no-scan"] == GAPS
    assert sum(s == "exception" for s in states.values()) == EXCEPTION_DAYS
    md = (tmp_path / "history-report.md").read_text()
    assert f"| SOC2:A1.2 | 365 | 362 | {362 - EXCEPTION_DAYS} | {EXCEPTION_DAYS} | 3 | 1 | 1 |" in md
    days_csv = (tmp_path / "history-days.csv").read_text().splitlines()
    assert len(days_csv) == 1 + 365 * len(year_report["controls"])


def test_oscal_assessment_results(year_report, tmp_path):
    from trestle.oscal.assessment_results import AssessmentResults

    path = oscal.write(year_report, tmp_path, "0.1.0")
    doc = AssessmentResults.oscal_read(path)
    [result] = doc.results
    by_target = {f.target.target_id: f for f in result.findings}
    a12 = by_target[oscal.control_token("SOC2:A1.2")]
    assert a12.target.status.state.value == "not-satisfied"
    assert {p.name: p.value for p in a12.props}["days-operated"] == str(362 - EXCEPTION_DAYS)
    assert len(a12.related_observations) == 1
    assert len([o for o in result.observations if o.types and o.types[0] == "historic"]) == 363
    assert result.start == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    # the same period gives the same document
    again = oscal.write(year_report, tmp_path / "again", "0.1.0")
    assert again.read_bytes() == path.read_bytes()
