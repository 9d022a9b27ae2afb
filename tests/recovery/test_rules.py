"""The objectives and testing rules through the engine: each verdict, both mismatch directions,
the evidence they carry, unknown on missing coverage, purity (scan time from the context)."""

from __future__ import annotations

import datetime as dt
import json

from resilience.rules import BY_ID

from resilience.engine import run_rules
from resilience.mappings import controls_for
from resilience.model import FAULT_EXPERIMENT, RESILIENCE_ASSESSMENT

from .builders import AWAY, HOME, SCAN_TIME, Estate, arn, policy_with

OBJECTIVE_MISSING, RTO, RPO = (BY_ID[i] for i in ("RES-OBJECTIVE-001", "RES-OBJECTIVE-002", "RES-OBJECTIVE-003"))
UNTESTED, STALE, FAILED = (BY_ID[i] for i in ("RES-TEST-001", "RES-TEST-002", "RES-TEST-003"))


def run(e: Estate, policy_text: str, *rules, audited=()):
    return run_rules(e.ctx(policy_text, audited=audited), rules)


def warm_standby() -> Estate:
    e = Estate()
    home, away = e.web_tier(HOME), e.web_tier(AWAY, name="web-euc1")
    e.failover_dns("api.shop.example", home["lb"], away["lb"])
    e.rds_replica(e.rds("shop-db"), lag_s=60)
    return e


def single_region() -> Estate:
    e = Estate()
    web = e.web_tier()
    e.record("www.shop.example", web["lb"], ett=True)
    e.rds("shop-db")
    return e


# --- objective-missing -----------------------------------------------------------------------------


def test_objective_missing_fails_without_objectives_and_passes_with_them():
    e = single_region()
    text = policy_with() + "  other:\n    match: {tags: {app: other}}\n    objectives: {region: {rto: 4h}}\n"
    findings = {f.workload: f for f in run(e, text, OBJECTIVE_MISSING)}
    assert findings["shop"].status == "fail" and findings["shop"].category == "objective-missing"
    assert findings["other"].status == "pass" and "none for az disruptions" in findings["other"].message
    assert findings["shop"].resource == "workload:shop"


def test_objectives_can_come_from_the_tier():
    text = ("version: 1\ntiers:\n  gold: {region: {rto: 1h, rpo: 5m}}\nworkloads:\n  shop:\n"
            "    match: {tags: {app: shop}}\n    tier: gold\n")
    [f] = run(single_region(), text, OBJECTIVE_MISSING)
    assert f.status == "pass" and f.evidence["observed"]["tier"] == "gold"


def test_a_workload_known_only_by_its_tag_has_no_objectives():
    e = Estate(workload=None)
    e.add(arn("lambda", HOME, "function:lonely"), "function", "AWS::Lambda::Function",
          tags={"resilience:workload": "lonely"})
    [f] = run(e, "version: 1\n", OBJECTIVE_MISSING)
    assert f.workload == "lonely" and f.status == "fail"
    assert "tag resilience:workload only" in f.evidence["observed"]["declared_at"]


# --- rto-mismatch / rpo-mismatch ------------------------------------------------------------------


def test_achievable_above_the_objective_fails_below_passes_for_rto_and_rpo():
    e = warm_standby()  # region: RTO 10m (promotion), RPO 60s (observed lag)
    tight = policy_with("{region: {rto: 5m, rpo: 30s}}")
    loose = policy_with("{region: {rto: 15m, rpo: 2m}}")
    equal = policy_with("{region: {rto: 10m, rpo: 1m}}")
    for text, expected in ((tight, "fail"), (loose, "pass"), (equal, "pass")):
        findings = run(e, text, RTO, RPO, audited=(HOME,))
        assert {f.rule: f.status for f in findings} == {RTO.id: expected, RPO.id: expected}, text


def test_mismatch_evidence_carries_the_arithmetic_steps_and_strategy():
    e = single_region()
    [rpo] = run(e, policy_with("{region: {rpo: 15m}}"), RPO)
    assert rpo.status == "fail" and rpo.severity == "critical"  # unbounded data loss
    ev = rpo.evidence
    assert ev["observed"]["rpo"] is None and ev["observed"]["unbounded"] is True
    assert ev["expected"] == {"rpo": 900, "text": "15m", "objective_from": "workload shop (test.yaml:4)"}
    assert ev["arithmetic"][0] == "region RPO objective 15m"
    assert any("shop-db has no copy outside me-central-1" in line and "RPO unbounded" in line
               for line in ev["arithmetic"])
    assert ev["strategy"]["name"] == "none"
    assert {s["model_key"] for s in ev["steps"]} >= {"no-copy", "compute-redeploy"}
    assert all({"resource", "mechanism", "rto", "rpo", "reasoning", "source", "model_key"} <= set(s)
               for s in ev["steps"])
    assert "shop-db: no-copy" in rpo.message
    json.dumps([f.to_dict() for f in run(e, policy_with("{region: {rto: 1h, rpo: 15m}}"), RTO, RPO)],
               allow_nan=False)


def test_a_surviving_copy_nothing_renews_is_a_miss_not_a_total_loss():
    """Blind aws13: one hand-made snapshot copied to eu-west-1, 2h old, against a 1h RPO failed 'critical' like a
    store with no copy at all; the RPO stays unbounded (nothing makes the next copy), the severity does not."""
    e = single_region()
    db = next(r.id for r in e.resources if r.name == "shop-db")
    rid = arn("rds", AWAY, "snapshot:adhoc-dr")
    e.add(rid, "recovery_point", "AWS::RDS::DBSnapshot", region=AWAY, name="adhoc-dr",
          attrs={"created_at": (SCAN_TIME - dt.timedelta(hours=2)).isoformat(), "source_resource": db,
                 "status": "available", "snapshot_type": "manual"})
    e.edge(db, rid, "backed_up_to")
    [rpo] = run(e, policy_with("{region: {rpo: 1h}}"), RPO)
    assert rpo.status == "fail" and rpo.evidence["observed"]["unbounded"] is True
    assert rpo.severity != "critical"
    assert "a copy survives, but nothing makes the next one" in rpo.message


def test_mismatch_is_reported_per_disruption_with_stable_identity():
    e = warm_standby()
    findings = run(e, policy_with("{region: {rto: 1h}, az: {rto: 15m}}"), RTO)
    assert sorted(f.evidence["observed"]["disruption"] for f in findings) == ["az", "region"]
    assert len({f.id for f in findings}) == 2
    again = run(e, policy_with("{region: {rto: 1h}, az: {rto: 15m}}"), RTO)
    assert sorted(f.id for f in findings) == sorted(f.id for f in again)


def test_mismatch_is_unknown_when_a_needed_read_failed():
    e = single_region()
    e.gap("rds")
    [f] = run(e, policy_with("{az: {rto: 1h}}"), RTO)
    assert f.status == "unknown" and f.evidence["unknown"]
    assert "could not be read" in f.message


def test_mismatch_is_unknown_for_a_workload_with_no_resources():
    [f] = run(Estate(), policy_with("{region: {rto: 1h}}"), RTO)
    assert f.status == "unknown" and "no resource" in f.message


def test_audited_region_limits_the_region_scenarios():
    e = warm_standby()
    text = policy_with("{region: {rto: 5m}}")
    assert run(e, text, RTO, audited=(AWAY,))[0].status == "pass"  # losing the standby region costs nothing
    assert run(e, text, RTO, audited=(HOME,))[0].status == "fail"


def test_mismatch_lists_resilience_hub_assessments_as_supporting_evidence():
    e = warm_standby()
    e.add(arn("resiliencehub", HOME, "app-assessment/a1"), RESILIENCE_ASSESSMENT, "AWS::ResilienceHub::AppAssessment",
          attrs={"compliance": "PolicyBreached", "status": "Success", "finished_at": "2026-11-01T10:00:00Z",
                 "app_name": "shop"}, workload=None)
    [f] = run(e, policy_with("{region: {rto: 1h}}"), RTO, audited=(HOME,))
    [hub] = f.evidence["resilience_hub"]
    assert hub["source"] == "resiliencehub" and hub["result"] == "fail" and hub["kind"] == "assessment"


# --- failover-untested / -stale / -failed ----------------------------------------------------------

TESTS = """\
  - {workload: shop, scenario: region, date: 2026-09-01, result: pass, measured_rto: 40m, measured_rpo: 1m,
     evidence: "https://tickets.example.com/DR-1"}
"""


def test_untested_fails_per_disruption_without_a_record_and_passes_with_one():
    e = warm_standby()
    findings = {f.evidence["observed"].get("tests"): f for f in
                run(e, policy_with("{region: {rto: 1h}, az: {rto: 15m}}", tests=TESTS), UNTESTED)}
    passed, failed = findings[1], findings[0]
    assert passed.status == "pass" and "region recovery tested, latest 2026-09-01" in passed.message
    assert failed.status == "fail" and "no az failover or restore test" in failed.message
    assert passed.controls == list(controls_for("failover-untested"))


def test_untested_is_unknown_when_fis_could_not_be_read():
    e = warm_standby()
    e.gap("fis")
    [f] = run(e, policy_with("{region: {rto: 1h}}"), UNTESTED)
    assert f.status == "unknown" and "fis in me-central-1" in f.message


def test_untested_ignores_workloads_without_objectives():
    assert run(warm_standby(), policy_with(), UNTESTED, STALE, FAILED) == []


def test_assessments_alone_are_not_tests():
    e = warm_standby()
    e.add(arn("resiliencehub", HOME, "app-assessment/a1"), RESILIENCE_ASSESSMENT, "AWS::ResilienceHub::AppAssessment",
          attrs={"compliance": {"Region": {"complianceStatus": "PolicyMet", "currentRtoInSecs": 600}},
                 "status": "Success", "finished_at": "2026-11-01T10:00:00Z"})
    [f] = run(e, policy_with("{region: {rto: 1h}}"), UNTESTED)
    assert f.status == "fail" and "Resilience Hub assessment(s) found, which are analyses" in f.message
    assert f.evidence["supporting_assessments"][0]["measured_rto"] == 600


def test_stale_compares_the_latest_test_with_test_max_age():
    e = warm_standby()
    text = policy_with("{region: {rto: 1h}}", tests=TESTS)  # 80 days before the scan
    [fresh] = run(e, text, STALE)
    assert fresh.status == "pass" and fresh.evidence["observed"]["age_days"] == 80
    [stale] = run(e, text + "test_max_age: 30d\n", STALE)
    assert stale.status == "fail" and "80 days old, older than test_max_age 30d" in stale.message
    assert stale.evidence["observed"]["link"] == "https://tickets.example.com/DR-1"
    assert stale.evidence["source"] == "policy: test.yaml:7"


def test_stale_uses_the_tier_max_age():
    text = ("version: 1\ntiers:\n  gold: {region: {rto: 1h}, test_max_age: 60d}\nworkloads:\n  shop:\n"
            "    match: {tags: {app: shop}}\n    tier: gold\nfailover_tests:\n" + TESTS)
    [f] = run(warm_standby(), text, STALE)
    assert f.status == "fail" and f.evidence["expected"]["max_age_days"] == 60


def test_stale_reads_the_scan_time_from_the_context_not_the_clock():
    e = warm_standby()
    ctx = e.ctx(policy_with("{region: {rto: 1h}}", tests=TESTS))
    ctx.scan_time = SCAN_TIME + dt.timedelta(days=400)
    [f] = run_rules(ctx, (STALE,))
    assert f.status == "fail" and f.evidence["observed"]["age_days"] == 480


def test_failed_when_the_latest_failed_or_measured_worse_than_the_objective():
    e = warm_standby()
    ok = policy_with("{region: {rto: 1h, rpo: 5m}}", tests=TESTS)
    assert run(e, ok, FAILED)[0].status == "pass"
    slow = policy_with("{region: {rto: 30m, rpo: 5m}}", tests=TESTS)
    [f] = run(e, slow, FAILED)
    assert f.status == "fail" and "measured RTO 40m exceeds the objective 30m" in f.message
    later_fail = TESTS + "  - {workload: shop, scenario: region, date: 2026-10-01, result: fail, notes: DNS stuck}\n"
    [f] = run(e, policy_with("{region: {rto: 1h}}", tests=later_fail), FAILED)
    assert f.status == "fail" and "it failed (DNS stuck)" in f.message
    assert f.evidence["latest"]["date"] == "2026-10-01"
    later_pass = TESTS.replace("2026-09-01", "2026-11-01") + \
        "  - {workload: shop, scenario: region, date: 2026-10-01, result: fail}\n"
    assert run(e, policy_with("{region: {rto: 1h}}", tests=later_pass), FAILED)[0].status == "pass"


def test_a_failed_fis_experiment_is_a_failed_test_for_its_workload():
    e = warm_standby()
    asg = next(r.id for r in e.resources if r.kind == "compute_group")
    e.add(arn("fis", HOME, "experiment/EXP1"), FAULT_EXPERIMENT, "AWS::FIS::Experiment", workload=None,
          attrs={"status": "stopped", "started_at": "2026-11-10T09:00:00Z", "ended_at": "2026-11-10T09:05:00Z",
                 "targets": [asg], "actions": ["aws:ec2:asg-insufficient-instance-capacity-error"]})
    [f] = run(e, policy_with("{az: {rto: 15m}}"), FAILED)
    assert f.status == "fail" and f.evidence["observed"]["source"] == "fis"
    assert f.evidence["observed"]["link"].startswith("https://me-central-1.console.aws.amazon.com/fis/")


def test_rule_definitions_use_the_mapping():
    for rule in (OBJECTIVE_MISSING, RTO, RPO, UNTESTED, STALE, FAILED):
        assert rule.controls == controls_for(rule.category)


def test_stale_and_failed_are_unknown_when_a_newer_test_could_be_hidden():
    e = warm_standby()
    e.gap("backup:restore-jobs", status="error")
    text = policy_with("{region: {rto: 30m}}", tests=TESTS) + "test_max_age: 30d\n"
    [stale] = run(e, text, STALE)
    [failed] = run(e, text, FAILED)
    assert stale.status == "unknown" and failed.status == "unknown"
    assert "backup:restore-jobs in me-central-1 could not be read" in stale.message
    fresh = policy_with("{region: {rto: 1h}}", tests=TESTS)
    assert run(e, fresh, STALE)[0].status == "pass"  # a hidden newer test could only make it fresher


# --- objectives under the failure that actually happens (issue #10 item 3) ---------------------------


def test_region_objective_is_priced_under_the_loss_of_the_failure_domain():
    """A DR copy in me-south-1 meets the objective for the loss of me-central-1 alone, and fails it
    for the Gulf loss: both results are there, each naming its scenario, agreeing with
    RES-CORRELATED-002."""
    from resilience.rules.correlated import RULES as CORRELATED
    from resilience.rules.objectives import RPO_MISMATCH

    e = Estate()
    db = e.rds("shop-db")
    e.web_tier()
    replica = e.rds_replica(db, region="me-south-1", lag_s=5)
    e.edges = [x for x in e.edges if x.kind != "fails_over_to"]  # promotion needs no failed control plane here
    assert replica
    ctx = e.ctx(policy_with("{region: {rto: 1d, rpo: 1h}}"))
    got = {r.key: r for r in RPO_MISMATCH.check(ctx)}
    assert got["region"].status == "pass"
    gulf = got["region:domain:gulf"]
    assert gulf.status == "fail" and gulf.observed["failure_domain"] == "gulf"
    assert "me-south-1" in gulf.observed["scenario"] and "me-central-1" in gulf.observed["scenario"]
    assert "failure domain gulf" in gulf.message
    correlated = [r for rule in CORRELATED for r in rule.check(ctx) if r.workload == "shop"]
    assert any(r.status == "fail" for r in correlated)


def test_no_domain_result_when_the_workload_touches_one_region_of_the_domain():
    from resilience.rules.objectives import RTO_MISMATCH

    e = Estate()
    db = e.rds("shop-db")
    e.web_tier()
    e.backup_plan([db])  # copy to eu-central-1: no domain shared with me-central-1
    ctx = e.ctx(policy_with("{region: {rto: 1d, rpo: 1d}}"))
    assert [r.key for r in RTO_MISMATCH.check(ctx)] == ["region"]


def test_a_policy_domain_is_priced_too():
    from resilience.rules.objectives import RTO_MISMATCH

    e = Estate()
    db = e.rds("shop-db")
    e.web_tier()
    e.backup_plan([db])
    ctx = e.ctx(policy_with("{region: {rto: 1d, rpo: 1d}}", extra="failure_domains:\n  mine: [me-central-1, eu-central-1]\n"))
    got = {r.key: r for r in RTO_MISMATCH.check(ctx)}
    assert set(got) == {"region", "region:domain:mine"}
    assert "declared in the policy" in got["region:domain:mine"].observed["failure_domain_reason"]


def test_two_domains_with_the_same_regions_give_one_result():
    from resilience.rules.objectives import RTO_MISMATCH

    e = Estate()
    db = e.rds("shop-db")
    e.web_tier()
    e.backup_plan([db])
    extra = "failure_domains:\n  b-one: [me-central-1, eu-central-1]\n  a-two: [me-central-1, eu-central-1, us-east-1]\n"
    ctx = e.ctx(policy_with("{region: {rto: 1d, rpo: 1d}}", extra=extra))
    assert sorted(r.key for r in RTO_MISMATCH.check(ctx)) == ["region", "region:domain:a-two"]


# --- an audited region that holds nothing (issue #10 item 8) ------------------------------------------


def test_a_workload_with_nothing_in_the_audited_region_is_not_affected_with_the_scenario_named():
    from resilience.rules.objectives import RPO_MISMATCH, RTO_MISMATCH

    e = single_region_shop()
    ctx = e.ctx(policy_with("{region: {rto: 4h, rpo: 1h}}"), audited=("eu-west-1",))
    for rule in (RTO_MISMATCH, RPO_MISMATCH):
        [r] = list(rule.check(ctx))
        assert r.status == "pass"
        assert r.observed["scenario"] == "region eu-west-1" and r.observed["affected"] is False
        assert "not affected by the loss of region eu-west-1" in r.message
        assert "meets the objective" not in r.message and "0s" not in r.message


def test_a_workload_in_the_audited_region_is_affected():
    from resilience.rules.objectives import RTO_MISMATCH

    e = single_region_shop()
    ctx = e.ctx(policy_with("{region: {rto: 4h, rpo: 1h}}"), audited=(HOME,))
    [r] = list(RTO_MISMATCH.check(ctx))
    assert r.status == "fail" and r.observed["affected"] is True


def test_the_scan_records_and_prints_an_audited_region_that_holds_nothing(tmp_path):
    from click.testing import CliRunner

    from resilience.cli import main
    from resilience.policy import parse_policy
    from resilience.scan import analyse, empty_region_lines

    e = single_region_shop()
    policy = parse_policy(policy_with("{region: {rto: 4h, rpo: 1h}}"), "p.yaml")
    result = analyse(e.inventory(), policy, scan_time=SCAN_TIME, audited_regions=("eu-west-1", HOME))
    assert result.scan["regions_audited_empty"] == ["eu-west-1"]
    assert empty_region_lines(result) == [
        "note: audited region eu-west-1 holds no inventoried resource: every workload is not affected by its loss"]
    inventory = tmp_path / "inventory.json"
    inventory.write_text(e.inventory().to_json())
    (tmp_path / "p.yaml").write_text(policy_with("{region: {rto: 4h, rpo: 1h}}"))
    run = CliRunner().invoke(main, ["scan", "--inventory", str(inventory), "--policy", str(tmp_path / "p.yaml"),
                                    "--region", "eu-west-1", "--output", str(tmp_path / "out"), "--format", "json",
                                    "--fail-on", "none"], catch_exceptions=False)
    assert run.exit_code == 0, run.output
    assert sum("audited region eu-west-1 holds no inventoried resource" in line
               for line in run.output.splitlines()) == 1


def single_region_shop() -> Estate:
    e = Estate()
    e.rds("shop-db")
    e.web_tier()
    return e


def test_a_workload_with_no_zonal_component_is_not_affected_by_a_zone_loss():
    from resilience.rules.objectives import RTO_MISMATCH

    e = Estate()
    e.function("quote", uses=e.table("rates"))
    ctx = e.ctx(policy_with("{az: {rto: 1h, rpo: 15m}}"))
    [r] = list(RTO_MISMATCH.check(ctx))
    assert r.status == "pass" and r.observed["affected"] is False
    assert "not affected by the loss of a zone" in r.message and "0s meets" not in r.message


def test_a_miss_no_unread_part_could_rescue_stays_a_fail():
    """A blind GCP estate: one denied read (Cloud Functions) turned every unbounded RPO into unknown. A read that
    could not hide a copy of the store that decides the RPO can only add to the recovery: the miss stands."""
    def single_region(*gaps: str, region: str = HOME) -> Estate:
        e = Estate()
        e.web_tier(HOME)
        db = e.rds("shop-db", retention=7)
        next(r for r in e.resources if r.id == db).source = "rds:DescribeDBInstances"  # as the collector says
        for service in gaps:
            e.gap(service, region=region)
        return e

    text = policy_with("{region: {rto: 1h, rpo: 15m}}")
    [clean] = run(single_region(), text, RPO)
    assert clean.status == "fail" and "no-copy" in clean.message
    [functions] = run(single_region("lambda"), text, RPO)  # functions are no copy of a database
    assert functions.status == "fail" and "also not known, but it could not turn this verdict" in functions.message
    assert functions.evidence["could_lower"] == [] and functions.evidence["unknown"]
    # another region's snapshot listing could hide a copy made there; the failed region's lists only what it
    # holds, which is lost with it
    [snapshots] = run(single_region("rds:snapshots", region=AWAY), text, RPO)
    assert snapshots.status == "unknown" and snapshots.evidence["could_lower"]
    [held] = run(single_region("rds:snapshots"), text, RPO)
    assert held.status == "fail" and held.evidence["could_lower"] == []


def test_a_met_objective_no_unread_part_could_break_stays_a_pass():
    """A blind AWS estate: one unreadable vault's recovery points turned every workload's met objectives into
    unknown, those without AWS Backup too. What a backup service's read could hide is more copies, which can only
    shorten a recovery: the pass stands. A read that could hide more to recover still makes it unknown."""
    def estate(*gaps: str) -> Estate:
        e = Estate()
        e.web_tier(HOME)
        e.rds("shop-db", retention=7)
        for service in gaps:
            e.gap(service)
        return e

    text = policy_with("{az: {rto: 30d, rpo: 30d}}")
    [clean] = run(estate(), text, RTO)
    assert clean.status == "pass"
    [vault] = run(estate("backup:recovery-points"), text, RTO)
    assert vault.status == "pass" and "also not known, but it could not turn this verdict" in vault.message
    assert vault.evidence["could_raise"] == [] and vault.evidence["unknown"]
    [compute] = run(estate("ec2"), text, RTO)  # an unseen dependency could add to the recovery
    assert compute.status == "unknown" and compute.evidence["could_raise"]
    assert "ec2" in compute.message


def _replicated_web_tier(*gaps: str) -> Estate:
    """A web tier over a database with a replica in another region (the data survives the region, the compute
    does not), with failed reads of ``gaps`` in that other region."""
    e = Estate()
    e.web_tier(HOME)
    e.rds_replica(e.rds("shop-db", retention=7))
    for service in gaps:
        e.gap(service, region=AWAY)
    return e


def test_a_backup_services_unread_part_cannot_shorten_the_rebuild_of_compute():
    """A blind AWS estate: one unreadable vault (in another region) made an Auto Scaling group's unbounded
    rebuild `unknown`. A backup service holds no copy of a group to restore: the miss stands; a gap in the
    compute service itself (an unseen standby) still makes it unknown."""
    estate = _replicated_web_tier
    text = policy_with("{region: {rto: 1h, rpo: 1h}}")
    [clean] = run(estate(), text, RTO)
    assert clean.status == "fail" and "compute-redeploy" in clean.message
    [vault] = run(estate("backup:recovery-points"), text, RTO)
    assert vault.status == "fail" and vault.evidence["could_lower"] == [], vault.message
    [compute] = run(estate("autoscaling"), text, RTO)
    assert compute.status == "unknown" and compute.evidence["could_lower"]


def test_a_services_backup_listing_cannot_shorten_the_rebuild_of_compute_either():
    """A blind GCP estate: one denied Firestore backups listing made a DNS failover's and a compute tier's
    missed objectives unknown. A listing of a service's backups or snapshots only hides more copies."""
    text = policy_with("{region: {rto: 1h, rpo: 1h}}")
    [listing] = run(_replicated_web_tier("rds:snapshots"), text, RTO)
    assert listing.status == "fail" and listing.evidence["could_lower"] == [], listing.message


def test_a_listing_of_what_the_failed_region_holds_cannot_hide_a_surviving_copy():
    """A blind GCP estate: a denied backups listing in the region that fails made its store's region loss
    unknown. Whatever that listing hid is in the failed region, and lost with it: the miss stands."""
    def estate(*gaps: str) -> Estate:
        e = Estate()
        e.web_tier(HOME)
        e.table("orders", HOME)
        for service in gaps:
            e.gap(service, region=HOME)
        return e

    text = policy_with("{region: {rto: 30d, rpo: 1h}}")
    [clean] = run(estate(), text, RPO)
    assert clean.status == "fail"
    [held] = run(estate("backup:recovery-points"), text, RPO)  # lists only the points held in HOME
    assert held.status == "fail" and held.evidence["could_lower"] == [], held.message
    [plans] = run(estate("backup:plans"), text, RPO)  # a plan in HOME could copy to another region
    assert plans.status == "unknown", plans.message


def test_survival_agrees_that_a_listing_held_in_the_failed_region_hides_no_surviving_copy():
    e = Estate()
    e.table("orders", HOME)  # a data-only workload: the region loss is judged on its data alone
    e.gap("backup:recovery-points", region=HOME)
    results = run(e, policy_with("{region: {rto: 30d, rpo: 1h}}"), BY_ID["RES-REGIONAL-001"])
    [home] = [r for r in results if r.evidence.get("scenario", {}).get("failed_regions") == [HOME]]
    assert home.status == "fail", home.message


def test_an_aurora_global_databases_secondary_backups_are_backups_outside_the_primarys_region():
    """Blind aws12: the sound workload's Aurora global database failed RES-DATA-002 ("every backup is in
    me-central-1") though its secondary cluster in another region keeps automated backups of the same data. The
    secondary is a replica of the writer (replicates_to), so it was not taken for a peer."""
    from resilience.model import GLOBAL_DATABASE, MEMBER_OF, REPLICATES_TO

    def estate(*, same_global: bool) -> Estate:
        e = Estate()
        group = e.add("arn:aws:rds::123456789012:global-cluster:ledger", GLOBAL_DATABASE, "AWS::RDS::GlobalCluster",
                      region="global", name="ledger")
        primary = e.aurora("ledger", global_id=group if same_global else None)
        secondary = e.aurora("ledger-dr", AWAY, instance_zones=("euc1-az1",), role="replica",
                             global_id=group if same_global else None)
        e.edge(primary, secondary, REPLICATES_TO, mode="async", promotable=True)
        if same_global:
            e.edge(primary, group, MEMBER_OF)
            e.edge(secondary, group, MEMBER_OF)
        return e

    rule = BY_ID["RES-DATA-002"]
    [got] = [r for r in rule.check(estate(same_global=True).ctx()) if r.resource.endswith("cluster:ledger")]
    assert got.status == "pass" and AWAY in got.message, got.message
    # a replica outside a global database (a cross-region read replica) is not counted, as before
    [plain] = [r for r in rule.check(estate(same_global=False).ctx()) if r.resource.endswith("cluster:ledger")]
    assert plain.status == "fail", plain.message
