"""findings.junit.xml: parses, one test case per rule x resource, failures and skips mapped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest


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
