"""The shipped least-privilege policy is the one generated from the collectors' PERMISSIONS."""

from __future__ import annotations

import json
from pathlib import Path

from resilience.collectors.aws import SERVICES, iam_policy
from resilience.collectors.aws.permissions import render
from resilience.collectors.aws.services import READ_ONLY_ACTION

POLICY = Path(__file__).resolve().parents[2] / "examples" / "iam" / "resilience-readonly-policy.json"


def test_committed_policy_matches_the_declarations():
    assert POLICY.read_text() == render(), (
        "examples/iam/resilience-readonly-policy.json is stale: run "
        "`python -m resilience.collectors.aws.policy > examples/iam/resilience-readonly-policy.json`"
    )


def test_policy_is_read_only_and_complete():
    [statement] = iam_policy()["Statement"]
    assert statement["Effect"] == "Allow" and statement["Resource"] == "*"
    actions = statement["Action"]
    assert actions == sorted(set(actions))
    assert all(READ_ONLY_ACTION.match(a) for a in actions)
    assert {p for m in SERVICES for p in m.PERMISSIONS} <= set(actions)
    assert "ec2:DescribeRegions" in actions and "s3:ListAllMyBuckets" in actions
    json.dumps(iam_policy())


def test_every_coverage_service_name_is_documented():
    """docs/graph.md (Coverage section) lists every service name the collectors report."""
    import re

    doc = (Path(__file__).resolve().parents[2] / "docs" / "graph.md").read_text()
    section = doc[doc.index("### AWS service names") :]
    documented = set(re.findall(r"`([a-z0-9]+(?::[a-z0-9-]+)?)`", section))
    declared = {name for m in SERVICES for name in m.COVERAGE}
    assert declared <= documented, sorted(declared - documented)
