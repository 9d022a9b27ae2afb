"""The "Subservice organisations" section: findings.json, report.md, report.html and the evidence pack agree."""

from __future__ import annotations

import json

import yaml
from resilience.reports import html, markdown

from resilience.evidence_pack import pack_files
from resilience.model import Inventory
from resilience.policy import parse_policy
from resilience.scan import analyse, findings_document
from tests.vendors.test_vendor_rules import CASES, ESTATE, TODAY


def _result():
    case = CASES["stale Type I qualified report, region out of scope, newer report in Artifact"]
    policy = parse_policy(yaml.safe_dump({"version": 1, "providers": case["providers"]}), "resilience.yaml")
    return analyse(Inventory(resources=[*ESTATE, *case["extra"]]), policy, scan_time=TODAY)


def test_findings_json_carries_the_register_view():
    doc = findings_document(_result())
    view = {p["provider"]: p for p in doc["subservice_organisations"]["providers"]}
    assert view["aws"]["register"]["period_end"] == "2025-09-30"
    assert {r["region"]: r["in_scope"] for r in view["aws"]["regions"]} == {
        "eu-central-1": True, "me-central-1": False, "me-south-1": False}
    assert [r["id"] for r in view["aws"]["published_reports"]] == ["report-fall-2026", "report-spring-2026"]


def test_markdown_and_html_show_the_section_escaped():
    result = _result()
    md = markdown.render(result)
    assert "## Subservice organisations" in md and "me-central-1 (1, NOT in scope)" in md
    assert "**no owner**" in md
    page = html.render(result)
    assert '<section id="subservice">' in page and "<strong>NOT in scope</strong>" in page


def test_evidence_pack_holds_the_register_scope_and_results():
    doc = findings_document(_result())
    files = pack_files(doc, {"schema": "resilience.inventory/v1", "resources": [], "edges": [], "coverage": []}, None)
    register = json.loads(files["subservice-organisations/register.json"])
    assert {p["provider"] for p in register["providers"]} == {"aws", "azure"}
    scope = files["subservice-organisations/scope.csv"].decode()
    assert "aws,region,me-central-1,1,no" in scope
    assert "RES-VENDOR-006" in files["subservice-organisations/findings.csv"].decode()
    assert "subservice-organisations/" in files["README.md"].decode()
