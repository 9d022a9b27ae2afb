"""One generic test runs every rule fixture (``fixtures/RES-*.yaml``).

A fixture names the rule and holds one or more cases: a small estate (see ``conftest.py``) and
what the rule must say about it::

    rule: RES-ZONAL-002
    cases:
      - description: ...
        resources: {...}
        edges: [...]
        coverage: [...]          # optional: failed reads
        policy: {...}            # optional: a resilience.yaml document
        audited: [me-central-1]  # optional: --region
        expect:
          pass: [db-multi]
          fail: [db-single]
          unknown: [db-unreported]
          absent: [db-replica]   # documentation: must produce no result

Results are named ``resource-name`` or ``resource-name@key`` (the key's resource name when the
key is a resource id), ``workload:NAME@key`` for workload results. The expectation is exact:
every result the rule yields must be listed, so a false positive fails the test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from resilience.rules import REGISTRY, get_rule

from resilience.engine import run_rules

FIXTURES = Path(__file__).parent / "fixtures"
FAMILIES = ("REGIONAL", "ZONAL", "DATA", "DNS", "CORRELATED", "ACCOUNT")


def _cases():
    for path in sorted(FIXTURES.glob("RES-*.yaml")):
        doc = yaml.safe_load(path.read_text())
        assert doc["rule"] == path.stem.split(".")[0], f"{path.name} names rule {doc['rule']}"  # RULE[.topic].yaml
        for index, case in enumerate(doc["cases"]):
            yield pytest.param(doc["rule"], case, id=f"{doc['rule']}-{index}-{case.get('name', '')}".rstrip("-"))


def identity(estate, result) -> str:
    resource = result.resource if result.resource.startswith("workload:") else estate.name_of(result.resource)
    if result.key:
        key = estate.name_of(result.key)
        return f"{resource}@{key}"
    return resource


@pytest.mark.parametrize(("rule_id", "case"), list(_cases()))
def test_rule_fixture(rule_id, case, estate):
    e = estate(case)
    rule = get_rule(rule_id)
    ctx = e.ctx(tuple(case.get("audited", ())))
    actual: dict[str, str] = {}
    for result in rule.check(ctx):
        ident = identity(e, result)
        assert ident not in actual, f"{rule_id} reported {ident} twice"
        actual[ident] = result.status
        # a raised severity is one the rule declares (the catalogue states it): issue 10 item 10
        if result.severity not in (None, rule.severity):
            assert result.severity in {sev for sev, _ in rule.escalations}, f"{ident}: undeclared {result.severity}"
        # the evidence contract: a message, concrete facts, where they came from, where it is
        assert result.message and result.observed and result.expected, ident
        assert result.source, f"{ident}: no source"
        if result.resource.startswith("workload:"):
            assert result.workload and (result.key or result.status == "unknown"), ident
        else:
            assert result.region, f"{ident}: resource-level results need a region"
            assert result.resource in e.graph, ident
    expect = case["expect"]
    expected = {ident: status for status in ("pass", "fail", "unknown") for ident in expect.get(status) or ()}
    assert actual == expected, case.get("description", "")
    for ident in expect.get("absent") or ():
        assert ident not in actual, f"{ident} must produce no result"
    # the findings serialise (contract 3)
    json.dumps([f.to_dict() for f in run_rules(ctx, [rule])])


def test_every_family_rule_has_a_fixture_with_pass_fail_and_unknown():
    for rule in REGISTRY:
        if rule.id.split("-")[1] not in FAMILIES:
            continue
        path = FIXTURES / f"{rule.id}.yaml"
        assert path.exists(), f"{rule.id} has no fixture"
        cases = yaml.safe_load(path.read_text())["cases"]
        statuses = {status for case in cases for status in ("pass", "fail", "unknown") if case["expect"].get(status)}
        assert statuses == {"pass", "fail", "unknown"}, f"{rule.id} fixture covers only {sorted(statuses)}"


def test_family_rules_document_themselves():
    for rule in REGISTRY:
        if rule.id.split("-")[1] not in FAMILIES:
            continue
        assert rule.check.__doc__ and len(rule.check.__doc__) > 80, rule.id
        assert "SOC2:A1.2" in rule.controls, rule.id
        assert "REL1" in rule.rationale or "REL09" in rule.rationale, rule.id
        assert rule.requires and rule.references, rule.id
