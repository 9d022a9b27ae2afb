import datetime as dt

import pytest

from resilience.engine import failing_at, finding_id, run_rules
from resilience.graph import build_graph
from resilience.model import Coverage, Inventory
from resilience.policy import parse_policy
from resilience.rule import Result, Rule, RuleContext
from tests.conftest import SCAN_TIME, res

DB = "arn:aws:rds:me-central-1:123456789012:db:ledger"
DB2 = "arn:aws:rds:us-east-1:123456789012:db:other"


def _single_az(ctx):
    """Fails every database with one zone."""
    for node, data in ctx.graph.nodes(data=True):
        if data["kind"] == "database":
            status = "fail" if len(data["zones"]) == 1 else "pass"
            yield ctx.result(node, status, f"{data['name']} sits in {len(data['zones'])} zone(s)")


RULE = Rule(id="RES-TEST-001", title="t", category="zonal-spof", severity="high", controls=("SOC2:A1.2",),
            rationale="r", remediation="fix it", check=_single_az)


def _graph(policy=None):
    inv = Inventory(resources=[res(DB, "database", zones=("mec1-az1",), tags={"app": "ledger"}),
                               res(DB2, "database", region="us-east-1", zones=("use1-az1", "use1-az2"))])
    return build_graph(inv, policy)


def _ctx(policy_text="version: 1\n", **kw):
    policy = parse_policy(policy_text, "p.yaml")
    return RuleContext(graph=_graph(policy), policy=policy, scan_time=SCAN_TIME, **kw)


def test_results_become_findings_with_rule_metadata_and_evidence():
    findings = run_rules(_ctx(), [RULE])
    assert [f.status for f in findings] == ["fail", "pass"]
    f = findings[0]
    assert f.resource == DB and f.region == "me-central-1" and f.severity == "high"
    assert f.controls == ["SOC2:A1.2"] and f.remediation == "fix it"
    assert f.evidence["source"] == "test:Describe" and f.evidence["observed_at"].startswith("2026-11-20")
    assert f.id == finding_id("RES-TEST-001", DB, None)


def test_finding_id_ignores_display_text_and_order():
    a = finding_id("RES-X-001", "arn:1", "payments", "me-central-1")
    assert a == finding_id("RES-X-001", "arn:1", "payments", "me-central-1")
    assert a != finding_id("RES-X-001", "arn:1", "payments", "me-south-1")
    assert a != finding_id("RES-X-002", "arn:1", "payments", "me-central-1")


def test_audited_regions_filter_resource_results():
    findings = run_rules(_ctx(audited_regions=("me-central-1",)), [RULE])
    assert [f.resource for f in findings] == [DB]


WAIVER = """version: 1
waivers:
  - rule: RES-TEST-001
    resource: {db}
    reason: rebuilt nightly
    approved_by: cto@example.com
    expires: {expires}
"""


def test_active_waiver_waives_and_expired_waiver_fails_with_note():
    active = run_rules(_ctx(WAIVER.format(db=DB, expires="2027-01-31")), [RULE])
    assert active[0].status == "waived" and active[0].waiver["approved_by"] == "cto@example.com"
    assert not failing_at(active, "low")
    expired = run_rules(_ctx(WAIVER.format(db=DB, expires="2026-01-31")), [RULE])
    f = next(f for f in expired if f.resource == DB)
    assert f.status == "fail" and f.waiver["expired"] is True
    assert "waiver expired on 2026-01-31 (p.yaml:3)" in f.notes[0]
    assert failing_at(expired, "high") == [f]


def test_a_crashing_rule_is_reported_unknown_not_hidden():
    def broken(ctx):
        raise KeyError("zones")
        yield  # pragma: no cover

    rule = Rule(id="RES-TEST-002", title="t", category="zonal-spof", severity="high", controls=("SOC2:A1.2",),
                rationale="r", remediation="x", check=broken)
    (f,) = run_rules(_ctx(), [rule])
    assert f.status == "unknown" and "KeyError" in f.message


def test_fail_on_thresholds():
    findings = run_rules(_ctx(), [RULE])
    assert failing_at(findings, "high") and failing_at(findings, "critical") == []
    assert failing_at(findings, "none") == []


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"id": "bad id"}, "id must look like"),
        ({"category": "nope"}, "unknown category"),
        ({"controls": ("SOC2:Z9",)}, "unknown control"),
        ({"controls": ()}, "no controls"),
        ({"remediation": " "}, "empty remediation"),
        ({"severity": "urgent"}, "unknown severity"),
    ],
)
def test_rule_definitions_validate_themselves(changes, problem):
    fields = dict(id="RES-TEST-003", title="t", category="zonal-spof", severity="high", controls=("SOC2:A1.2",),
                  rationale="r", remediation="x", check=_single_az)
    with pytest.raises(ValueError, match=problem):
        Rule(**{**fields, **changes})


def test_context_gaps_match_service_prefix_and_global():
    ctx = _ctx(coverage=[
        Coverage("aws", "1", "me-central-1", "rds:snapshots", "denied", "AccessDenied"),
        Coverage("aws", "1", "global", "route53", "unreachable", "timeout"),
        Coverage("aws", "1", "me-central-1", "ec2", "ok"),
    ])
    assert [c.service for c in ctx.gaps(region="me-central-1", services=["rds"])] == ["rds:snapshots"]
    assert [c.service for c in ctx.gaps(region="eu-west-1", services=["route53"])] == ["route53"]
    assert ctx.gaps(region="me-central-1", services=["ec2"]) == []


def test_result_status_is_validated():
    with pytest.raises(ValueError):
        Result(status="maybe", resource="x", message="m")
    assert dt  # module used for fixtures elsewhere
