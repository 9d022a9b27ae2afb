"""Rule fixtures for the failure modes issue 13 adds (``fixtures/aws-services/*.yaml``): CloudFront
origin failover and Global Accelerator endpoint groups, an Aurora global switchover blocked by the
failed region's control plane, a copy blocked by a KMS key that exists only in the failed region.

Same format and the same exact-expectation check as ``test_rule_fixtures.py`` (which reads one file
per rule, so these cases live in their own directory).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from resilience.rules import get_rule

from resilience.engine import run_rules

from .test_rule_fixtures import identity

FIXTURES = Path(__file__).parent / "fixtures" / "aws-services"


def _cases():
    for path in sorted(FIXTURES.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text())
        for index, case in enumerate(doc["cases"]):
            yield pytest.param(doc["rule"], case, id=f"{path.stem}-{index}-{case.get('name', '')}")


@pytest.mark.parametrize(("rule_id", "case"), list(_cases()))
def test_aws_service_fixture(rule_id, case, estate):
    e = estate(case)
    rule = get_rule(rule_id)
    ctx = e.ctx(tuple(case.get("audited", ())))
    actual = {}
    for result in rule.check(ctx):
        ident = identity(e, result)
        assert ident not in actual, f"{rule_id} reported {ident} twice"
        actual[ident] = result.status
        assert result.message and result.observed and result.expected and result.source, ident
    expect = case["expect"]
    expected = {ident: status for status in ("pass", "fail", "unknown") for ident in expect.get(status) or ()}
    assert actual == expected, case.get("description", "")
    for needle in expect.get("evidence") or ():  # words the failing result's evidence must contain
        text = json.dumps([f.to_dict() for f in run_rules(ctx, [rule])])
        assert needle in text, needle
    json.dumps([f.to_dict() for f in run_rules(ctx, [rule])])
