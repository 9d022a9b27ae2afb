"""findings.junit.xml: parses, one test case per rule x resource, failures and skips mapped."""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def test_junit_parses_and_maps_statuses(outdir, result):
    root = ET.parse(outdir / "findings.junit.xml").getroot()
    assert root.tag == "testsuites"
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == len(result.findings)
    failures = [c for c in cases if c.find("failure") is not None]
    skipped = [c for c in cases if c.find("skipped") is not None]
    statuses = [f.status for f in result.findings]
    assert len(failures) == statuses.count("fail")
    assert len(skipped) == statuses.count("unknown") + statuses.count("waived")
    assert int(root.get("tests")) == len(cases)
    assert int(root.get("failures")) == len(failures)
    assert int(root.get("skipped")) == len(skipped)
    for suite in root.findall("testsuite"):
        assert int(suite.get("tests")) == len(suite.findall("testcase"))
        assert int(suite.get("failures")) == len(suite.findall("testcase/failure"))


def test_junit_content_is_useful_in_a_ci_view(outdir):
    root = ET.parse(outdir / "findings.junit.xml").getroot()
    cases = {(c.get("classname"), c.get("name")): c for c in root.iter("testcase")}
    ledger = cases[("resilience.no-cross-region-replica.RES-TESTREPL-001",
                    "arn:aws:rds:me-central-1:111122223333:db:ledger-db [ledger]")]
    failure = ledger.find("failure")
    assert failure.get("type") == "high" and "ledger-db" in failure.get("message")
    assert "remediation:" in failure.text and '"replicas": []' in failure.text
    waived = next(c for c in root.iter("testcase") if "pay-docs" in c.get("name"))
    assert waived.find("skipped").get("message").startswith("waived until 2027-01-31 by cto@example.com")
    expired = next(c for c in root.iter("testcase") if "tmp-scratch" in c.get("name"))
    assert "waiver expired" in expired.find("failure").text
    unknown = next(c for c in root.iter("testcase") if c.find("skipped") is not None
                   and c.find("skipped").get("message").startswith("unknown:"))
    assert "audit-log" in unknown.get("name")


def test_control_characters_do_not_break_the_xml(tmp_path):
    from resilience.reports import junit

    from . import estate

    result = estate.scan()
    result.findings[0].message = "bad \x00\x07 bytes"
    junit.write(result, tmp_path)
    ET.parse(tmp_path / "findings.junit.xml")


@pytest.mark.parametrize("empty", [False, True])
def test_streamed_file_is_what_the_whole_tree_writes(tmp_path, empty):
    """write() streams a suite at a time; the file is byte for byte ElementTree's indented whole tree."""
    from resilience.reports import junit

    from . import estate

    result = estate.scan()
    if empty:
        result.findings = []
    (tmp_path / "streamed").mkdir()
    path = junit.write(result, tmp_path / "streamed")
    tree = ET.ElementTree(junit.build(result))
    ET.indent(tree, space="  ")
    tree.write(tmp_path / "whole.xml", encoding="utf-8", xml_declaration=True)
    assert path.read_bytes() == (tmp_path / "whole.xml").read_bytes()


@functools.cache
def _scanned():
    """The estate's results (copied and changed by each example)."""
    from . import estate

    return estate.scan()

_TEXT = st.lists(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6) | st.sampled_from(
    [*"&<>\"'\t\n\r\x00\x07\x1f ", "\u00e9", "\U0001f600", "]]>", "&amp;", "<resilience-test-cases />"]),
    max_size=8).map("".join)


@given(st.lists(st.fixed_dictionaries({
    "status": st.sampled_from(["pass", "fail", "unknown", "waived"]), "message": _TEXT, "resource": _TEXT,
    "workload": st.none() | _TEXT, "remediation": _TEXT, "notes": st.lists(_TEXT, max_size=2),
    "evidence": st.dictionaries(_TEXT, _TEXT | st.integers(-2**63, 2**63 - 1), max_size=3), "baseline": st.none() | _TEXT,
    "waiver": st.none() | st.fixed_dictionaries({"expires": _TEXT, "approved_by": _TEXT, "reason": _TEXT,
                                                 "expired": st.booleans()}),
    "title": _TEXT}), min_size=1, max_size=4))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_written_file_is_what_elementtree_writes_for_any_text(tmp_path, changes):
    """write() makes the test cases' text itself; ElementTree's serialiser of build() is the reference, on
    text with markup, quotes, control characters, line breaks, tabs, edge spaces and non-ASCII."""
    import copy
    import dataclasses

    from resilience.reports import junit

    result = dataclasses.replace(_scanned(), findings=[copy.copy(f) for f in _scanned().findings])
    for finding, change in zip(result.findings, changes, strict=False):
        for key, value in change.items():
            setattr(finding, key, value)
    out = tmp_path / str(len(list(tmp_path.iterdir())))
    out.mkdir()
    path = junit.write(result, out)
    tree = ET.ElementTree(junit.build(result))
    ET.indent(tree, space="  ")
    tree.write(out / "whole.xml", encoding="utf-8", xml_declaration=True)
    assert path.read_bytes() == (out / "whole.xml").read_bytes()
