"""End to end on the demo estate (moto, in-process): the rule families find what
``resilience/demo/estate.py`` planted, and the sound ``payments`` workload raises nothing.

The estate is built with boto3 under ``moto.mock_aws``, read back by the real AWS collector and
analysed with the bundled policy, exactly as ``resilience demo`` does.
"""

from __future__ import annotations

import pytest

pytest.importorskip("moto")

from resilience.demo import DEMO_CLOCK, build_and_collect, load_demo_policy  # noqa: E402
from resilience.scan import analyse  # noqa: E402

FAMILIES = ("REGIONAL", "ZONAL", "DATA", "DNS", "CORRELATED")
REGIONAL_CATEGORIES = {"regional-spof", "dns-no-failover", "no-cross-region-replica", "backup-colocated",
                       "correlated-region", "cross-region-dependency"}


@pytest.fixture(scope="module")
def demo():
    from resilience.rules import REGISTRY

    estate, inventory = build_and_collect(max_workers=2)
    rules = tuple(r for r in REGISTRY if r.id.split("-")[1] in FAMILIES)
    result = analyse(inventory, load_demo_policy(), scan_time=DEMO_CLOCK, rules=rules)
    return estate, result.findings


def find(findings, *, category, resource=None, status="fail", region=None, **observed):
    out = [f for f in findings if f.category == category and f.status == status
           and (resource is None or f.resource == resource) and (region is None or f.region == region)
           and all(f.evidence["observed"].get(k) == v for k, v in observed.items())]
    return out


def test_checkout_multi_az_single_region(demo):
    estate, findings = demo
    spof = find(findings, category="regional-spof", resource="workload:checkout", region="me-central-1")
    assert spof and spof[0].evidence["chain"][-1] == estate["checkout_alb"]
    assert find(findings, category="dns-no-failover", name="www.shop.example.com")
    assert find(findings, category="backup-colocated", resource=estate["checkout_db"])
    assert find(findings, category="no-cross-region-replica", resource=estate["checkout_db"])
    assert find(findings, category="no-cross-region-replica", resource=estate["checkout_bucket"])
    # a zone loss is survived: Multi-AZ is a zonal control
    assert not find(findings, category="zonal-spof", resource="workload:checkout")
    # the scratch bucket is covered by an active waiver
    scratch = [f for f in findings if f.resource == estate["checkout_scratch"]
               and f.category in ("no-backup", "no-cross-region-replica")]
    assert scratch and all(f.status == "waived" for f in scratch)


def test_reconciliation_single_az(demo):
    estate, findings = demo
    zone = estate["reconciliation_zone_id"]
    workload = [f for f in find(findings, category="zonal-spof", resource="workload:reconciliation")
                if f.evidence["scenario"]["failed_zones"] == [zone]]
    assert workload and any("expired" in n for n in workload[0].notes)  # the expired waiver
    assert find(findings, category="zonal-spof", resource=estate["reconciliation_volume"])  # data in one zone
    assert [f for f in find(findings, category="zonal-spof") if f.rule == "RES-ZONAL-004"
            and f.workload == "reconciliation"]
    assert find(findings, category="no-backup", resource=estate["reconciliation_volume"])


def test_mobile_api_compute_in_two_regions_data_in_one(demo):
    estate, findings = demo
    dep = find(findings, category="cross-region-dependency", resource=estate["mobile_fn_bah"])
    assert dep and dep[0].region == "me-central-1"
    assert dep[0].evidence["observed"]["dependency"] == estate["mobile_sessions"]
    spof = find(findings, category="regional-spof", resource="workload:mobile-api", region="me-central-1")
    assert spof and spof[0].evidence["chain"][-1] == estate["mobile_sessions"]
    # losing Bahrain leaves the UAE function serving: no regional-spof for me-south-1
    assert not find(findings, category="regional-spof", resource="workload:mobile-api", region="me-south-1")
    assert find(findings, category="no-backup", resource=estate["mobile_sessions"])
    assert find(findings, category="no-cross-region-replica", resource=estate["mobile_sessions"])
    gulf = find(findings, category="correlated-region", resource=estate["mobile_bucket"])
    assert gulf and gulf[0].evidence["observed"]["failure_domain"]["name"] == "gulf"
    # the replica bucket is the copy: judged through its source, never on its own
    assert not [f for f in findings if f.resource == estate["mobile_bucket_replica"]]


def test_fx_rates_single_region(demo):
    estate, findings = demo
    assert find(findings, category="regional-spof", resource="workload:fx-rates", region="me-central-1")
    assert find(findings, category="backup-colocated", resource=estate["fx_table"])
    assert find(findings, category="no-cross-region-replica", resource=estate["fx_table"])


def test_payments_raises_no_regional_finding(demo):
    estate, findings = demo
    payments = {v for k, v in estate.ids.items() if k.startswith("payments_")} | {"workload:payments"}
    bad = [f"{f.rule} {f.status} {f.resource}: {f.message}" for f in findings
           if f.status in ("fail", "unknown") and (f.workload == "payments" or f.resource in payments
                                                   or "payments" in f.workloads)]
    assert bad == []
    regional = [f for f in findings if f.resource == "workload:payments" and f.category == "regional-spof"]
    assert {f.region for f in regional} == {"me-central-1", "eu-central-1"}
    assert all(f.status == "pass" for f in regional)
    survived = next(f for f in regional if f.region == "me-central-1")
    mechanisms = {fo["mechanism"] for fo in survived.evidence["observed"]["failovers"]}
    assert {"dns-failover", "promote-replica", "s3-replica"} <= mechanisms
    assert survived.evidence["observed"]["lost_data"] == []  # the ledger lives on in its global-table peer
    # no finding at all on the copies: the replica database and the replica bucket
    for copy in ("payments_db_replica", "payments_bucket_replica"):
        assert not [f for f in findings if f.resource == estate[copy]], copy
    assert not [f for f in findings if f.status in ("fail", "unknown") and f.category in REGIONAL_CATEGORIES
                and f.resource in {estate["payments_alb_euc1"], estate["payments_asg_euc1"]}]


def test_every_raised_severity_is_declared_in_the_catalogue(demo):
    """Issue 10 item 10: a finding more severe than its rule says is one of the rule's declared escalations,
    which `resilience rules` / `explain` and the catalogue state."""
    from resilience.rules import get_rule

    from resilience.catalogue import explain_rule

    raised = [f for f in demo[1] if f.severity != get_rule(f.rule).severity]
    assert raised, "the demo has findings raised to critical (data lost with the service)"
    for f in raised:
        rule = get_rule(f.rule)
        assert f.severity in {sev for sev, _ in rule.escalations}, (f.rule, f.severity)
        assert f"{f.severity} when" in explain_rule(rule.id)
