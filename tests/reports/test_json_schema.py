"""findings.json against the published schema (shipped as package data)."""

from __future__ import annotations

import copy

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from resilience.reports import json_report

from resilience.baseline import apply_baselines
from resilience.controls import CATEGORIES, SEVERITIES, STATUSES

from . import estate


def validator() -> Draft202012Validator:
    schema = json_report.schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def errors(doc) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator().iter_errors(doc)]


def test_schema_ships_as_package_data():
    from importlib.resources import files

    assert files("resilience.reports").joinpath("schemas/findings.schema.json").is_file()


def test_findings_json_validates(findings_doc):
    assert errors(findings_doc) == []
    assert {f["status"] for f in findings_doc["findings"]} == {"fail", "pass", "unknown", "waived"}


def test_schema_enums_match_the_code():
    defs = json_report.schema()["$defs"]
    assert set(defs["category"]["enum"]) == set(CATEGORIES)
    assert tuple(defs["severity"]["enum"]) == SEVERITIES
    assert set(defs["status"]["enum"]) == set(STATUSES)


def test_schema_rejects_what_breaks_the_contract(findings_doc):
    broken = copy.deepcopy(findings_doc)
    broken["findings"][0]["status"] = "maybe"
    del broken["findings"][1]["evidence"]
    broken["scan"].pop("identity")
    problems = errors(broken)
    assert any("findings/0/status" in p for p in problems)
    assert any("findings/1" in p and "evidence" in p for p in problems)
    assert any("scan" in p and "identity" in p for p in problems)


def test_schema_allows_additive_fields(findings_doc):
    extended = copy.deepcopy(findings_doc)
    extended["a_new_section"] = {"anything": [1, 2]}
    extended["findings"][0]["a_new_field"] = "x"
    extended["scan"]["a_new_meta"] = 3
    assert errors(extended) == []


def test_rules_section_lists_what_was_checked(findings_doc):
    rules = {r["id"]: r for r in findings_doc["rules"]}
    assert set(rules) == {r.id for r in estate.rules()}
    assert rules["RES-COVERAGE-001"]["source"] == "registry"
    assert rules["RES-TESTDNS-001"]["source"] == "findings"
    assert rules["RES-TESTBACKUP-001"]["results"] == {"fail": 2, "pass": 1, "unknown": 1, "waived": 1}
    assert all(len(r["fingerprint"]) == 12 for r in rules.values())


def test_baseline_section_validates(tmp_path, findings_doc):
    import json

    previous = tmp_path / "previous.json"
    previous.write_text(json.dumps(findings_doc), encoding="utf-8")
    result = estate.scan(estate.fixed_and_broken(estate.inventory()))
    apply_baselines(result, [previous])
    doc = json_report.document(result)
    assert errors(doc) == []
    assert doc["baseline"]["counts"]["new"] == 1


def test_policy_copy_is_written_verbatim(outdir):
    assert (outdir / "policy.yaml").read_text(encoding="utf-8") == estate.POLICY


@pytest.mark.parametrize("name", ["findings.json", "inventory.json"])
def test_always_written(outdir, name):
    assert (outdir / name).is_file()
