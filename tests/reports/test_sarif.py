"""findings.sarif: valid SARIF 2.1.0 (official schema, copied in data/) and what GitHub code scanning needs."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft7Validator
from resilience.rules.coverage import COVERAGE_GAP

from .conftest import DATA


@pytest.fixture
def sarif(outdir):
    return json.loads((outdir / "findings.sarif").read_text(encoding="utf-8"))


@pytest.fixture
def run(sarif):
    return sarif["runs"][0]


def test_validates_against_the_official_schema(sarif):
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in Draft7Validator(schema).iter_errors(sarif)]
    assert problems == []
    assert sarif["version"] == "2.1.0"


def test_results_are_the_non_passing_ones(run, result):
    expected = {f.id for f in result.findings if f.status != "pass"}
    assert {r["properties"]["findingId"] for r in run["results"]} == expected
    by_status = {r["properties"]["status"]: r for r in run["results"]}
    assert by_status["fail"]["kind"] == "fail"
    assert by_status["unknown"]["kind"] == "review" and by_status["unknown"]["level"] == "none"
    waived = by_status["waived"]
    assert waived["level"] == "note"
    assert waived["suppressions"][0]["kind"] == "external"
    assert waived["suppressions"][0]["status"] == "accepted"
    assert "re-generated from the ledger" in waived["suppressions"][0]["justification"]


def test_levels_follow_severity(run):
    levels = {(r["properties"]["severity"], r["level"]) for r in run["results"] if r["properties"]["status"] == "fail"}
    assert levels == {("high", "error"), ("medium", "warning")}


def test_every_result_has_what_github_requires(run):
    rules = run["tool"]["driver"]["rules"]
    for r in run["results"]:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["message"]["text"]
        loc = r["locations"][0]
        phys = loc["physicalLocation"]
        assert phys["artifactLocation"]["uri"] and not phys["artifactLocation"]["uri"].startswith("/")
        assert phys["region"]["startLine"] >= 1
        assert loc["logicalLocations"][0]["fullyQualifiedName"] == r["properties"]["resource"]
        fingerprint = r["partialFingerprints"]["primaryLocationLineHash"]
        assert fingerprint == r["properties"]["findingId"] + ":1"
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"] and rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")


def test_physical_location_is_the_policy_file_at_the_workload(run):
    ledger = next(r for r in run["results"] if r["properties"]["workload"] == "ledger"
                  and r["ruleId"] == "RES-TESTDRILL-001")
    phys = ledger["locations"][0]["physicalLocation"]
    assert phys["artifactLocation"]["uri"] == "resilience.yaml"
    assert phys["region"]["startLine"] == 10  # "ledger:" in estate.POLICY
    expired = next(r for r in run["results"] if r["properties"]["resource"] == "arn:aws:s3:::tmp-scratch")
    assert expired["locations"][0]["physicalLocation"]["region"]["startLine"] == 28  # its waiver
    assert any("waiver expired" in n for n in expired["properties"]["notes"])


def test_without_a_policy_the_location_is_findings_json(tmp_path, monkeypatch):
    from resilience.reports import sarif as sarif_report

    from resilience.policy import Policy

    from . import estate

    monkeypatch.chdir(tmp_path)
    doc = sarif_report.build(estate.scan(pol=Policy()), tmp_path / "out")
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"]}
    assert uris == {"out/findings.json"}


def test_rule_metadata_comes_from_the_registry(run):
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == COVERAGE_GAP.id)
    assert rule["fullDescription"]["text"] == COVERAGE_GAP.rationale
    assert rule["help"]["text"] == COVERAGE_GAP.remediation
    assert "SOC2:A1.2" in rule["properties"]["tags"] and "coverage-gap" in rule["properties"]["tags"]
    assert rule["properties"]["security-severity"] == "5.5"


def test_security_severity_maps_to_github_bands(run):
    bands = {r["id"]: float(r["properties"]["security-severity"]) for r in run["tool"]["driver"]["rules"]}
    assert bands["RES-TESTDNS-001"] >= 9.0  # critical
    assert 7.0 <= bands["RES-TESTREPL-001"] < 9.0  # high
    assert 4.0 <= bands["RES-TESTBACKUP-001"] < 7.0  # medium


def test_coverage_gaps_are_notifications(run):
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert len(notes) == 1 and "me-south-1" in notes[0]["message"]["text"]
    assert run["invocations"][0]["startTimeUtc"].endswith("Z")


def test_a_policy_outside_the_working_directory_is_a_file_uri(tmp_path, monkeypatch):
    from resilience.reports import sarif as sarif_report

    from . import estate

    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "cwd").mkdir()
    policy_file = tmp_path / "elsewhere" / "resilience.yaml"
    policy_file.write_text(estate.POLICY, encoding="utf-8")
    monkeypatch.chdir(tmp_path / "cwd")
    doc = sarif_report.build(estate.scan(pol=estate.policy(path=str(policy_file))), tmp_path / "out")
    locations = {json.dumps(r["locations"][0]["physicalLocation"]["artifactLocation"], sort_keys=True)
                 for r in doc["runs"][0]["results"]}
    assert locations == {json.dumps({"uri": policy_file.as_uri()})}


@pytest.mark.parametrize("passing_only", [False, True])
def test_streamed_file_is_what_the_whole_document_encodes_to(tmp_path, passing_only):
    """The writer streams the results one at a time; the file is byte for byte json.dumps(indent=2) of
    the whole document, with results and without any (an estate where everything passes)."""
    from resilience.reports import sarif as sarif_report

    from . import estate

    result = estate.scan()
    if passing_only:
        result.findings = [f for f in result.findings if f.status == "pass"]
    path = sarif_report.write(result, tmp_path)
    expected = json.dumps(sarif_report.build(result, tmp_path), indent=2, default=str) + "\n"
    assert path.read_text(encoding="utf-8") == expected
    assert bool(json.loads(expected)["runs"][0]["results"]) is not passing_only
