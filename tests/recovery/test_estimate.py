"""recovery.estimate / estimate_for_scenario on small graphs: each mechanism of the model table,
the worst-scenario combination, unbounded and unknown, duration, overrides, JSON safety."""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest

from resilience.model import CACHE, COMPUTE_GROUP, DEPENDS_ON, FUNCTION, QUEUE, RECOVERY_POINT
from resilience.policy import parse_policy
from resilience.recovery import (
    UNBOUNDED,
    Estimate,
    estimate,
    estimate_for_scenario,
    is_unbounded,
    json_seconds,
    make_scenario,
    schedule_interval,
)

from .builders import ACCOUNT, AWAY, GIB, HOME, SCAN_TIME, Estate, arn, policy_with


def est(e: Estate, disruption: str, policy_text: str | None = None, **kw) -> Estimate:
    policy = parse_policy(policy_text or policy_with(), "test.yaml")
    return estimate(e.graph(policy), "shop", disruption, policy=policy, coverage=e.coverage, as_of=SCAN_TIME, **kw)


def keys(estimate_: Estimate) -> set[str]:
    return {s.model_key for s in estimate_.steps}


def single_region() -> Estate:
    e = Estate()
    web = e.web_tier()
    e.record("www.shop.example", web["lb"], ett=True)
    db = e.rds("shop-db")
    e.function("worker", uses=db)
    return e


# --- az disruptions --------------------------------------------------------------------------------


def test_multi_az_rds_and_asg_survive_a_zone_with_rds_failover_time():
    got = est(single_region(), "az")
    assert got.rto == 120 and got.rpo == 0
    assert "rds-multi-az-instance" in keys(got) and "asg-multi-az" in keys(got)
    assert got.complete


def test_multi_az_rds_with_one_recorded_zone_is_not_lost():
    e = Estate()
    e.rds("shop-db", zones=("mec1-az1",))  # some APIs omit SecondaryAvailabilityZone
    got = est(e, "az")
    assert got.rto == 120 and keys(got) == {"rds-multi-az-instance"}


def test_single_az_rds_restores_from_automated_backups_in_region():
    e = Estate()
    e.rds("shop-db", multi_az=False, size_gib=200)
    got = est(e, "az")
    step = got.steps[0]
    assert step.model_key == "rds-pitr"
    assert got.rpo == 300
    assert got.rto == pytest.approx(1800 + 200 * GIB / (100 * 2**20))  # 30m fixed + 200 GiB at 100 MiB/s
    assert "200 GiB at 100 MiB/s" in step.reasoning


def test_single_az_rds_without_backups_is_unrecoverable():
    e = Estate()
    e.rds("shop-db", multi_az=False, retention=0)
    got = est(e, "az")
    assert is_unbounded(got.rto) and is_unbounded(got.rpo)
    assert got.steps[0].model_key == "no-copy"
    assert "has no copy outside mec1-az1" in got.steps[0].reasoning


def test_aurora_with_a_reader_in_another_zone_fails_over_in_30s():
    e = Estate()
    e.aurora()
    got = est(e, "az")
    assert got.rto == 30 and got.rpo == 0 and keys(got) == {"aurora-replica-failover"}


def test_aurora_without_a_reader_recreates_the_writer():
    e = Estate()
    e.aurora(instance_zones=("mec1-az1",))
    got = est(e, "az")
    assert got.rto == 600 and got.rpo == 0 and "aurora-no-replica" in keys(got)


def test_multi_az_db_cluster_fails_over_in_35s():
    e = Estate()
    e.add(arn("rds", HOME, "cluster:maz"), "database", "AWS::RDS::DBCluster", zones=("mec1-az1", "mec1-az2", "mec1-az3"),
          attrs={"engine": "postgres", "multi_az": True, "role": "primary"})
    got = est(e, "az")
    assert got.rto == 35 and keys(got) == {"rds-multi-az-cluster"}


def test_regional_services_are_untouched_by_a_zone():
    e = Estate()
    table = e.table("orders")
    e.function("api", uses=table)
    e.bucket("shop-assets")
    got = est(e, "az")
    assert got.rto == 0 and got.rpo == 0 and got.steps == []
    assert "no zonal component" in got.why


def test_single_instance_multi_zone_group_relaunches():
    e = Estate()
    e.web_tier(desired=1)
    got = est(e, "az")
    assert got.rto == 300 and "instance-launch" in keys(got)


def test_single_zone_group_and_instance_need_a_redeploy():
    e = Estate()
    e.web_tier(desired=2, zones=("mec1-az1",))
    got = est(e, "az")
    assert is_unbounded(got.rto) and "compute-redeploy" in keys(got)


def test_ebs_volume_restores_from_its_snapshot_and_rpo_is_the_snapshot_age():
    e = Estate()
    _, vol = e.instance_with_volume()
    e.snapshot(vol, created=SCAN_TIME - dt.timedelta(hours=6))
    got = est(e, "az")
    step = next(s for s in got.steps if s.resource == vol)
    assert step.model_key == "ebs-snapshot-restore" and step.rto == 600
    assert step.rpo == 6 * 3600 and "6h old at scan time" in step.reasoning


def test_volume_of_an_auto_scaling_instance_is_not_a_data_store():
    e = Estate()
    web = e.web_tier(desired=2)
    inst, vol = e.instance_with_volume("web-1")
    e.edge(inst, web["asg"], "member_of")
    got = est(e, "az")
    assert vol not in {s.resource for s in got.steps}
    assert got.rpo == 0


# --- region disruptions ----------------------------------------------------------------------------


def test_single_region_is_unbounded_with_the_arithmetic():
    e = single_region()
    got = est(e, "region")
    assert is_unbounded(got.rto) and is_unbounded(got.rpo)
    assert {"no-copy", "compute-redeploy"} <= keys(got)
    lines = got.arithmetic("rpo", 900)
    assert lines[0] == "region RPO objective 15m"
    assert any("shop-db has no copy outside me-central-1" in line and "automated backups" in line for line in lines)
    assert lines[-1].endswith("> objective: fail")
    assert "unbounded" in lines[-1]


def test_backup_and_restore_from_a_cross_region_copy():
    e = Estate()
    db = e.rds("shop-db", size_gib=200)
    e.web_tier()
    e.backup_plan([db], schedule="cron(0 3 * * ? *)")
    got = est(e, "region")
    step = next(s for s in got.steps if s.resource == db)
    assert step.model_key == "restore-cross-region-copy"
    assert step.rpo == 86400
    assert step.rto == pytest.approx(1800 + 200 * GIB / (100 * 2**20))
    assert is_unbounded(got.rto)  # the compute still has to be rebuilt somewhere
    # ... unless the policy declares how long a rebuild takes
    declared = est(e, "region", policy_with(extra="recovery_model:\n  compute-redeploy: {rto: 2h}\n"))
    assert declared.rto == 7200 and declared.rpo == 86400
    redeploy = next(s for s in declared.steps if s.model_key == "compute-redeploy")
    assert "policy recovery_model.compute-redeploy" in redeploy.source


def warm_standby(*, desired_away: int = 3, lag_s: float | None = None, checked: bool = True) -> Estate:
    e = Estate()
    home = e.web_tier(HOME)
    away = e.web_tier(AWAY, name="web-euc1", desired=desired_away)
    e.failover_dns("api.shop.example", home["lb"], away["lb"], checked=checked)
    db = e.rds("shop-db")
    e.rds_replica(db, lag_s=lag_s)
    return e


def test_warm_standby_region_rto_is_the_replica_promotion():
    got = est(warm_standby(), "region", regions=[HOME])
    assert got.rto == 600 and got.rpo == 300  # 10m promotion; replica lag not reported: 5m assumed
    by_key = {s.model_key: s for s in got.steps}
    assert by_key["route53-failover"].rto == 150  # 30s x 3 + TTL 60s
    assert by_key["standby-compute-running"].rto == 0
    assert "replica lag not reported" in by_key["rds-read-replica-promotion"].reasoning
    assert got.strategy == "warm-standby"


def test_observed_replica_lag_and_health_check_settings_are_used():
    e = warm_standby(lag_s=30)
    hc = next(r for r in e.resources if r.kind == "health_check")
    hc.attrs.update(request_interval=10, failure_threshold=2)
    got = est(e, "region", regions=[HOME])
    by_key = {s.model_key: s for s in got.steps}
    assert by_key["rds-read-replica-promotion"].rpo == 30
    assert by_key["route53-failover"].rto == 10 * 2 + 60
    assert "10s x 2 + TTL 1m" in by_key["route53-failover"].reasoning


def test_pilot_light_scales_out_the_idle_group():
    got = est(warm_standby(desired_away=0), "region", regions=[HOME])
    by_key = {s.model_key: s for s in got.steps}
    assert by_key["instance-launch"].rto == 300
    assert got.rto == 600
    assert got.strategy == "pilot-light"


def test_failover_without_health_check_is_a_manual_switch():
    got = est(warm_standby(checked=False), "region", regions=[HOME])
    assert "manual-dns-switch" in keys(got) and is_unbounded(got.rto)


def profile_behind_alias(*, away_enabled: bool) -> Estate:
    """A public name aliased to a health-checked priority profile (Traffic Manager's shape): an endpoint per
    region, the away one ``enabled`` or not; a database replicated to the away region."""
    e = Estate()
    home = e.web_tier(HOME)
    away = e.web_tier(AWAY, name="web-euc1")
    e.rds_replica(e.rds("shop-db"))
    e.health_check("hc-profile")
    home_ep = e.record("tm-shop.example", home["lb"], routing="failover", role="PRIMARY", set_id="home",
                       health_check="hc-profile")
    away_ep = e.record("tm-shop.example", away["lb"], routing="failover", set_id="away", health_check="hc-profile")
    next(r for r in e.resources if r.id == away_ep).attrs["enabled"] = away_enabled
    profile = e.add("arn:aws:route53:::profile/tm-shop", "dns_record", "Test::Profile", region="global",
                    workload=None, attrs={"dns_name": "tm-shop.example", "routing": "failover", "public": True,
                                          "health_check_id": "hc-profile", "evaluate_target_health": True})
    for ep in (home_ep, away_ep):
        e.edge(profile, ep, "routes_to", evaluate_target_health=True)
    e.record("api.shop.example", profile)
    return e


def test_a_disabled_endpoint_behind_an_alias_is_no_failover_target():
    """Blind test azure6 #1: the only failover endpoint of the profile is disabled. DNS cannot move traffic to
    the surviving region, so the estimate is not a Route 53-style failover to it: someone must send traffic
    there (unbounded), whatever the standby compute and replica could do."""
    enabled = est(profile_behind_alias(away_enabled=True), "region", regions=[HOME])
    assert "route53-failover" in keys(enabled) and not is_unbounded(enabled.rto)
    got = est(profile_behind_alias(away_enabled=False), "region", regions=[HOME])
    assert "route53-failover" not in keys(got) and is_unbounded(got.rto)
    entry = next(s for s in got.steps if s.role == "entry")
    assert entry.model_key == "manual-dns-switch" and "web-euc1-asg" in entry.reasoning, entry.reasoning


def test_active_active_global_table_and_latency_routing():
    e = Estate()
    home_table, away_table = e.global_table("orders")
    fn_home = e.function("api-mec1", HOME, uses=home_table)
    fn_away = e.function("api-euc1", AWAY, uses=away_table)
    e.health_check("hc-mec1")
    e.health_check("hc-euc1")
    e.record("api.shop.example", fn_home, routing="latency", set_id="mec1", health_check="hc-mec1",
             record_region=HOME)
    e.record("api.shop.example", fn_away, routing="latency", set_id="euc1", health_check="hc-euc1",
             record_region=AWAY)
    got = est(e, "region")
    assert got.rto == 150 and got.rpo == 1
    assert {"dynamodb-global-table", "route53-failover", "standby-compute-running"} <= keys(got)
    assert got.strategy == "multi-site-active-active"


def test_aurora_global_database_secondary_is_promoted():
    e = Estate()
    gid = f"arn:aws:rds::{ACCOUNT}:global-cluster:g"
    primary = e.aurora("primary", HOME, global_id=gid)
    secondary = e.aurora("secondary", AWAY, instance_zones=("euc1-az1",), global_id=gid, role="replica")
    e.edge(primary, secondary, "replicates_to", mode="async", promotable=True)
    got = est(e, "region", regions=[HOME])
    step = next(s for s in got.steps if s.resource == primary)
    assert step.model_key == "aurora-global-database" and step.rto == 60 and step.rpo == 1


def test_s3_replication_with_and_without_rtc():
    for rtc, key in ((True, "s3-crr-rtc"), (False, "s3-crr")):
        e = Estate()
        src = e.bucket("assets-mec1")
        dst = e.bucket("assets-euc1", AWAY)
        e.edge(src, dst, "replicates_to", mode="async", rtc=rtc)
        got = est(e, "region", regions=[HOME])
        assert keys(got) == {key} and got.rpo == 900 and got.rto == 0


def test_in_region_backups_do_not_survive_the_region():
    e = Estate()
    db = e.rds("shop-db")
    e.backup_plan([db], copy_to_region=None)
    got = est(e, "region")
    assert is_unbounded(got.rpo)
    assert "0 recovery point(s) and 1 backup vault(s) in me-central-1" in got.steps[0].reasoning


def test_failover_needing_the_failed_regions_control_plane_is_not_counted():
    e = Estate()
    db = e.rds("shop-db")
    replica = e.rds("shop-db-replica", AWAY, multi_az=False, role="replica")
    e.edge(db, replica, "replicates_to", mode="async", promotable=True)
    e.edge(db, replica, "fails_over_to", needs_control_plane_in=HOME)
    got = est(e, "region", regions=[HOME])
    # the promotion cannot run (no recovery path: RTO unbounded), but the replica survives and holds the
    # data, as survival says (data_intact): the RPO is its lag (5m assumed), not unbounded
    assert is_unbounded(got.rto) and got.rpo == 300
    assert got.steps[0].model_key == "control-plane-blocked" and "failed region me-central-1" in got.steps[0].reasoning
    assert any("control plane" in n for n in got.notes)


def test_worst_region_is_reported_and_audited_regions_restrict_the_scenarios():
    e = warm_standby()
    both = est(e, "region")
    assert both.rto_scenario == "region me-central-1" and len(both.scenarios) == 2
    away_only = est(e, "region", regions=[AWAY])
    assert away_only.rto_scenario == "region eu-central-1"
    assert away_only.rto < both.rto


# --- unknown, duration, overrides, JSON ------------------------------------------------------------


def test_a_denied_read_in_the_workloads_region_makes_the_estimate_incomplete():
    e = single_region()
    e.gap("rds")
    got = est(e, "az")
    assert not got.complete and "rds in me-central-1 could not be read (denied" in got.unknown[0]


def test_when_unbounded_a_gap_in_any_region_could_hide_the_copy():
    e = single_region()
    e.gap("backup:recovery-points", region="eu-west-1", status="error")
    assert not est(e, "region").complete
    assert est(e, "az").complete  # bounded: a hidden copy could not change it


def test_gaps_in_unrelated_services_do_not_matter():
    e = single_region()
    e.gap("fis")
    e.gap("backup:restore-jobs")
    assert est(e, "region").complete


def _function_with_cache(e: Estate) -> tuple[str, str]:
    """A function in HOME reaching a one-node ElastiCache replication group there by its endpoint host."""
    cache = e.add(arn("elasticache", HOME, "replicationgroup:sessions"), CACHE, "AWS::ElastiCache::ReplicationGroup",
                  zones=("mec1-az1",), name="sessions", source="elasticache:DescribeReplicationGroups")
    fn = e.add(arn("lambda", HOME, "function:api"), FUNCTION, "AWS::Lambda::Function", name="api",
               source="lambda:ListFunctions")
    e.edge(fn, cache, DEPENDS_ON, via="environment:REDIS_HOST")
    return fn, cache


def test_a_failed_read_that_could_hide_a_copy_of_a_lost_cache_leaves_its_estimate_unknown():
    # blind aws12: survival said the loss of the cache's region is unknown (its global-datastore read failed) while
    # the RTO rule said a certain fail: the estimate counted only the first round's services' reads
    e = Estate()
    cache = e.add(arn("elasticache", HOME, "replicationgroup:sessions"), CACHE, "AWS::ElastiCache::ReplicationGroup",
                  zones=("mec1-az1",), name="sessions", source="elasticache:DescribeReplicationGroups")
    fn = e.add(arn("lambda", AWAY, "function:api"), FUNCTION, "AWS::Lambda::Function", name="api", region=AWAY,
               source="lambda:ListFunctions")
    e.edge(fn, cache, DEPENDS_ON, via="environment:REDIS_HOST")
    e.gap("elasticache:global-replication-groups", status="error")
    got = est(e, "region", regions=[HOME])
    assert is_unbounded(got.rto) and got.deciding_step("rto").resource == cache
    assert got.could_lower["rto"] == ["aws elasticache:global-replication-groups in me-central-1 could not be read "
                                      "(error: AccessDenied)"]


def test_a_detail_read_of_a_service_the_workload_does_not_use_changes_nothing():
    e = single_region()
    e.gap("efs:replication", status="error")
    e.gap("elasticache:serverless", status="error")
    e.gap("globalaccelerator", region="global", status="error")
    assert est(e, "region").complete and est(e, "az").complete


def test_only_a_compute_or_routing_read_could_hide_a_standby_of_lost_compute():
    e = Estate()
    fn, _ = _function_with_cache(e)
    queue = e.add(arn("sqs", HOME, "jobs"), QUEUE, "AWS::SQS::Queue", name="jobs", source="sqs:ListQueues")
    e.edge(fn, queue, DEPENDS_ON, via="environment:QUEUE_URL")
    e.gap("sqs:attributes", status="error")  # about a queue on the path: it could raise the estimate
    got = est(e, "region")
    step = next(s for s in got.steps if s.resource == fn)
    assert is_unbounded(step.rto) and not step.to
    assert any("sqs:attributes" in u for u in got.could_raise["rto"])
    assert not any("sqs:attributes" in u for u in got.could_lower["rto"])  # a queue read hides no function
    e.gap("lambda", region=AWAY, status="error")  # an unseen function elsewhere could be the standby
    assert any("aws lambda in eu-central-1" in u for u in est(e, "region").could_lower["rto"])


def test_a_doubt_that_could_lower_one_unbounded_step_cannot_lower_the_estimate_another_keeps():
    # blind aws13: the region RTO was unknown because an unread EFS replication could have given the file system a
    # copy, while the ECS service and its balancer, unbounded too, had no counterpart any read could have hidden
    e = Estate()
    db = e.rds("shop-db")
    e.function("worker", uses=db)
    e.gap("backup:recovery-points", region=AWAY, status="error")
    got = est(e, "region")
    assert {s.model_key for s in got.steps if is_unbounded(s.rto)} == {"no-copy", "compute-redeploy"}
    assert got.could_lower["rto"] == []  # the function stays unbounded whatever the vault holds
    assert got.could_lower["rpo"] == ["aws backup:recovery-points in eu-central-1 could not be read (error: "
                                      "AccessDenied)"]  # the data step alone sets the RPO


def test_a_doubt_about_where_a_copy_is_bears_only_on_its_stores_step():
    # blind gcp13: "backup ... of orders-db: its region is unknown" made an unbounded compute RTO unknown, and a
    # 5m RPO set by a replica (not by that backup) unknown against a 5m objective
    e = Estate()
    db = e.rds("shop-db")
    e.function("worker", uses=db)
    e.snapshot(db, region="unknown", created=SCAN_TIME - dt.timedelta(hours=1))
    got = est(e, "region")
    [doubt] = got.unknown
    assert doubt.startswith("backup ") and "its region is unknown" in doubt
    assert got.could_lower["rto"] == [] and got.could_lower["rpo"] == [doubt]  # restoring it sets the RPO
    assert doubt in got.could_raise["rpo"]  # the restore relies on that copy: if it is lost, the RPO rises
    e.rds_replica(db)  # now a replica elsewhere is promoted, and the backup is one more way only
    got = est(e, "region")
    step = next(s for s in got.steps if s.resource == db)
    assert step.model_key != "restore-cross-region-copy"
    assert doubt not in got.could_raise["rpo"] and doubt not in got.could_raise["rto"]


def test_a_manual_switch_names_the_standby_of_what_the_routes_reached():
    # blind azure12: the switch named the DR region's cache (the first surviving compute) instead of its web app
    e = Estate()
    web = e.web_tier()
    e.record("www.shop.example", web["lb"])
    e.add(arn("apprunner", AWAY, "service/jobs"), COMPUTE_GROUP, "AWS::AppRunner::Service", region=AWAY,
          zones=("euc1-az1", "euc1-az2"), attrs={"desired_capacity": 2}, name="jobs")  # sorts first
    dr = e.web_tier(AWAY, name="dr")
    got = est(e, "region", regions=[HOME])
    [switch] = [s for s in got.steps if s.model_key == "manual-dns-switch"]
    assert switch.to == dr["asg"] and "dr-asg in eu-central-1 survives" in switch.reasoning


def test_workload_without_resources_is_not_estimated():
    e = Estate()
    got = est(e, "region")
    assert got.rto is None and got.rpo is None and not got.complete


def test_duration_bounds_every_step_by_waiting():
    e = single_region()
    policy = parse_policy(policy_with(), "t.yaml")
    g = e.graph(policy)
    scenario = make_scenario(regions=[HOME])
    forever = estimate_for_scenario(g, "shop", scenario, policy=policy)
    assert is_unbounded(forever.rto)
    short = estimate_for_scenario(g, "shop", scenario, policy=policy, duration=3600)
    assert short.rto == 3600 and short.rpo == 0
    assert {s.model_key for s in short.steps} == {"scenario-duration"}
    assert all(s.alternatives for s in short.steps)


def test_estimate_for_scenario_accepts_survival_scenarios_and_several_regions():
    from resilience.survival import Scenario

    e = warm_standby()
    policy = parse_policy(policy_with(), "t.yaml")
    got = estimate_for_scenario(e.graph(policy), "shop", Scenario(failed_regions=frozenset({HOME, AWAY})),
                                policy=policy)
    assert is_unbounded(got.rto) and got.rto_scenario == "region eu-central-1 + region me-central-1"


def test_policy_override_wins_and_is_named_as_source():
    text = policy_with(extra="recovery_model:\n  rds-multi-az-instance: {rto: 90s, note: measured in DR-1}\n")
    got = est(single_region(), "az", text)
    step = next(s for s in got.steps if s.model_key == "rds-multi-az-instance")
    assert got.rto == 90 and step.rto == 90
    assert step.source.startswith("policy recovery_model.rds-multi-az-instance (rto)")


def test_json_never_holds_infinity():
    got = est(single_region(), "region")
    doc = got.to_dict()
    text = json.dumps(doc, allow_nan=False)
    assert doc["rto"] is None and doc["rto_unbounded"] is True and doc["rto_text"] == "unbounded"
    assert all(s["rpo"] is None and s["rpo_unbounded"] for s in doc["steps"] if s["model_key"] == "no-copy")
    assert "Infinity" not in text
    assert json_seconds(UNBOUNDED) is None and json_seconds(None) is None and json_seconds(12.4) == 12
    assert math.isinf(UNBOUNDED)


def test_estimates_are_cached_per_graph_and_inputs():
    e = single_region()
    policy = parse_policy(policy_with(), "t.yaml")
    g = e.graph(policy)
    a = estimate(g, "shop", "region", policy=policy)
    assert estimate(g, "shop", "region", policy=policy) is a
    assert estimate(g, "shop", "region", policy=policy, as_of=SCAN_TIME) is not a


@pytest.mark.parametrize("expression, seconds", [
    ("rate(1 hour)", 3600), ("rate(12 hours)", 43200), ("rate(30 minutes)", 1800), ("rate(1 day)", 86400),
    ("cron(0 3 * * ? *)", 86400), ("cron(0 */6 * * ? *)", 21600), ("cron(30 2,14 * * ? *)", 43200),
    ("cron(0/15 * * * ? *)", 900), ("cron(0 5 ? * MON *)", 7 * 86400), ("cron(0 5 ? * MON-FRI *)", 7 * 86400 / 5),
    ("cron(0 5 1 * ? *)", 30 * 86400), ("nonsense", None), (None, None),
])
def test_schedule_interval(expression, seconds):
    assert schedule_interval(expression) == (pytest.approx(seconds) if seconds else None)


# --- dependencies, survival, findings.json block ------------------------------------------------------


def test_a_dependency_of_another_workload_is_on_the_serving_path():
    e = Estate()
    db = e.rds("ledger", multi_az=False, retention=0)  # shop's own
    e.workload = "reports"
    e.function("report-builder", uses=db)
    policy = parse_policy(policy_with(workload="reports"), "t.yaml")
    g = e.graph(policy)
    got = estimate(g, "reports", "az", policy=policy)
    assert got.rto_scenario == "az mec1-az1" and is_unbounded(got.rpo)
    assert [s.name for s in got.steps] == ["ledger"]


def test_regions_and_zones_agree_with_the_survival_engine():
    from resilience import recovery, survival

    e = warm_standby()
    e.backup_plan([next(r.id for r in e.resources if r.name == "shop-db")])
    g = e.graph(parse_policy(policy_with(), "t.yaml"))
    assert recovery.regions_of(g, "shop") == survival.regions_of(g, "shop")
    assert recovery.zones_of(g, "shop") == survival.zones_of(g, "shop")


def test_survival_impact_explains_the_scenario_when_given():
    from resilience.survival import Scenario, assess

    e = warm_standby()
    policy = parse_policy(policy_with(), "t.yaml")
    g = e.graph(policy)
    scenario = Scenario.regions(HOME)
    impact = assess(g, "shop", scenario)
    got = estimate_for_scenario(g, "shop", scenario, policy=policy, impact=impact)
    assert got.why == impact.why and got.rto == 600


def test_workload_recovery_block_for_findings_json():
    from resilience.recovery import workload_recovery

    e = warm_standby()
    policy = parse_policy(policy_with(), "t.yaml")
    block = workload_recovery(e.graph(policy), "shop", policy=policy, as_of=SCAN_TIME)
    assert block["strategy"] == "warm-standby" and block["strategy_reasons"]
    assert block["achievable"]["region"] == {"rto": 600, "rto_unbounded": False, "rpo": 300, "rpo_unbounded": False,
                                             "rto_scenario": "region me-central-1",
                                             "rpo_scenario": "region me-central-1", "complete": True}
    assert block["achievable"]["az"]["rto"] == 120
    json.dumps(block, allow_nan=False)


def test_bidirectional_bucket_replication_keeps_serving_from_the_other_side():
    e = Estate()
    a, b = e.bucket("assets-mec1"), e.bucket("assets-euc1", AWAY)
    e.edge(a, b, "replicates_to", mode="async", rtc=True)
    e.edge(b, a, "replicates_to", mode="async", rtc=True)
    got = est(e, "region", regions=[HOME])
    assert got.rto == 0 and keys(got) == {"s3-crr-rtc"}


# --- RPO from the copy that exists (issue #10 item 4) ------------------------------------------------


def _copied_point(e: Estate, source: str, *, age: dt.timedelta, status: str = "COMPLETED", name: str = "rp") -> str:
    """An AWS Backup recovery point of ``source`` in the copy vault in AWAY, made ``age`` before the scan."""
    rid = arn("backup", AWAY, f"recovery-point:{name}")
    e.add(rid, RECOVERY_POINT, "AWS::Backup::RecoveryPoint", region=AWAY, name=name,
          attrs={"created_at": (SCAN_TIME - age).isoformat(), "source_resource": source, "status": status})
    return rid


def test_rpo_is_the_age_of_the_newest_copy_when_it_is_older_than_the_schedule():
    e = Estate()
    db = e.rds("shop-db")
    e.web_tier()
    e.backup_plan([db], schedule="cron(0 3 * * ? *)")  # daily copy to AWAY
    _copied_point(e, db, age=dt.timedelta(days=40))
    step = next(s for s in est(e, "region").steps if s.resource == db)
    assert step.model_key == "restore-cross-region-copy"
    assert step.rpo == 40 * 86400
    assert "40d old at scan time" in step.reasoning and "schedule every 1d" in step.reasoning
    assert "max(40d, 1d) = 40d" in step.reasoning


def test_rpo_is_the_schedule_when_the_newest_copy_is_fresh():
    e = Estate()
    db = e.rds("shop-db")
    e.web_tier()
    e.backup_plan([db], schedule="cron(0 3 * * ? *)")
    _copied_point(e, db, age=dt.timedelta(hours=3))
    step = next(s for s in est(e, "region").steps if s.resource == db)
    assert step.rpo == 86400 and "3h old at scan time" in step.reasoning


@pytest.mark.parametrize("status", ["CREATING", "PARTIAL", "EXPIRED", "pending"])
def test_a_copy_that_is_not_completed_does_not_set_the_age(status):
    e = Estate()
    db = e.rds("shop-db")
    e.web_tier()
    e.backup_plan([db], schedule="cron(0 3 * * ? *)")
    _copied_point(e, db, age=dt.timedelta(days=40), name="old")
    _copied_point(e, db, age=dt.timedelta(hours=1), status=status, name="new")
    step = next(s for s in est(e, "region").steps if s.resource == db)
    assert step.rpo == 40 * 86400
    # one definition of usable (survival.copy_usable): the unfinished copy is never the one restored
    assert step.to.endswith("recovery-point:old")


@pytest.mark.parametrize(("attrs", "usable"), [
    ({"status": "COMPLETED"}, True), ({"status": "available"}, True), ({"status": "completed"}, True),
    ({}, True), ({"status": "CREATING"}, False), ({"status": "PARTIAL"}, False), ({"status": "EXPIRED"}, False),
    ({"status": "pending"}, False), ({"status": "error"}, False), ({"status": "DELETING"}, False),
])
def test_usable_copy_is_survivals_whitelist(attrs, usable):
    """The RPO counts a copy exactly when survival does (one definition: survival.copy_usable)."""
    from resilience import survival

    assert survival.copy_usable({"attrs": attrs}) is usable


def test_a_saved_inventory_analysed_later_keeps_the_ages_it_was_read_with():
    """The age of a copy is measured when the estate was read (the inventory's finished_at), not when it is
    analysed: re-analysing a saved inventory a month later gives the same RPO (a blind test found it growing
    with the wall clock, so an objective that passed at the scan failed on re-analysis)."""
    from resilience.scan import analyse

    e = Estate()
    db = e.rds("shop-db")
    e.web_tier()
    e.backup_plan([db], schedule="cron(0 3 * * ? *)")
    _copied_point(e, db, age=dt.timedelta(days=40))
    inventory = e.inventory()
    inventory.meta["finished_at"] = SCAN_TIME.isoformat()
    policy = parse_policy(policy_with("{region: {rto: 1d, rpo: 45d}}"), "test.yaml")

    def rpo_result(scan_time: dt.datetime):
        findings = analyse(inventory, policy, scan_time=scan_time).findings
        return next(f for f in findings if f.rule == "RES-OBJECTIVE-003" and f.evidence["observed"]["disruption"] == "region")

    at_scan, month_later = rpo_result(SCAN_TIME), rpo_result(SCAN_TIME + dt.timedelta(days=30))
    assert at_scan.status == month_later.status == "pass"
    assert at_scan.evidence["observed"]["rpo"] == month_later.evidence["observed"]["rpo"] == 40 * 86400


def _manual_copy(e: Estate, source: str, *, age: dt.timedelta, name: str = "adhoc-dr") -> str:
    """A manual RDS snapshot copied to AWAY (CopyDBSnapshot): ``SnapshotType: manual``."""
    rid = arn("rds", AWAY, f"snapshot:{name}")
    e.add(rid, RECOVERY_POINT, "AWS::RDS::DBSnapshot", region=AWAY, name=name,
          attrs={"created_at": (SCAN_TIME - age).isoformat(), "source_resource": source, "status": "available",
                 "snapshot_type": "manual"})
    e.edge(source, rid, "backed_up_to")
    return rid


def test_a_copy_made_by_hand_with_nothing_renewing_it_gives_no_rpo():
    """However fresh, a one-off copy bounds nothing: the next failure may come a year after it."""
    e = Estate()
    db = e.rds("shop-db")
    e.web_tier()
    _manual_copy(e, db, age=dt.timedelta(minutes=2))
    step = next(s for s in est(e, "region").steps if s.resource == db)
    assert step.model_key == "restore-cross-region-copy" and is_unbounded(step.rpo)
    assert "latest copy adhoc-dr 2m old at scan time, made by hand" in step.reasoning
    assert "no schedule or rule makes another" in step.reasoning


def test_a_scheduled_copy_beside_a_manual_one_keeps_the_schedule_rule():
    e = Estate()
    db = e.rds("shop-db")
    e.web_tier()
    e.backup_plan([db], schedule="cron(0 3 * * ? *)")
    _copied_point(e, db, age=dt.timedelta(hours=30))
    _manual_copy(e, db, age=dt.timedelta(minutes=2))
    step = next(s for s in est(e, "region").steps if s.resource == db)
    assert step.rpo == 86400 and "schedule every 1d" in step.reasoning


def test_a_copy_not_made_by_hand_keeps_its_age_beside_a_newer_manual_one():
    """A copy not known to be a one-off (an AWS Backup recovery point whose plan was not seen) keeps the
    age rule, and its age bounds the RPO, not the fresher manual copy's, which nothing renews."""
    e = Estate()
    db = e.rds("shop-db")
    e.web_tier()
    _copied_point(e, db, age=dt.timedelta(hours=3))
    _manual_copy(e, db, age=dt.timedelta(minutes=2))
    step = next(s for s in est(e, "region").steps if s.resource == db)
    assert step.rpo == 3 * 3600 and "3h old at scan time" in step.reasoning
