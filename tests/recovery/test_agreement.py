"""The recovery model and the survival engine agree on what is lost, which copy survives, which
volume is disposable and which failover can run: recovery.py asks survival.py (node_down,
data_copies, backups_of, data_outcome, is_disposable) instead of keeping its own copies of those
rules. One test per disagreement reported between them, then the general property."""

from __future__ import annotations

import pytest

from resilience import survival
from resilience.model import (
    BACKUP_PLAN,
    BACKUP_VAULT,
    CDN_DISTRIBUTION,
    COMPUTE_GROUP,
    FAILS_OVER_TO,
    MEMBER_OF,
    RECOVERY_POINT,
    REPLICATES_TO,
    ROUTES_TO,
    TARGET_GROUP,
)
from resilience.policy import parse_policy
from resilience.recovery import UNBOUNDED, estimate, estimate_for_scenario, is_unbounded

from .builders import ACCOUNT, AWAY, HOME, SCAN_TIME, Estate, arn, policy_with

BAHRAIN = "me-south-1"


def graph_of(e: Estate):
    policy = parse_policy(policy_with(), "t.yaml")
    return e.graph(policy), policy


def both(e: Estate, scenario: survival.Scenario):
    """``(survival impact, recovery estimate)`` for the shop workload in ``scenario``."""
    g, policy = graph_of(e)
    return (survival.assess(g, "shop", scenario, coverage=e.coverage),
            estimate_for_scenario(g, "shop", scenario, policy=policy, coverage=e.coverage, as_of=SCAN_TIME))


def step_for(got, resource: str):
    return next(s for s in got.steps if s.resource == resource)


# --- 1. a failover whose control plane is in the failed region cannot run ------------------------


def replicated_db(e: Estate) -> str:
    """shop-db in me-central-1, which the shop's function in eu-central-1 depends on."""
    db = e.rds("shop-db")
    e.function("api", AWAY, uses=db)
    return db


def test_promotion_needing_the_failed_regions_api_is_no_recovery_path_for_both():
    e = Estate()
    db = replicated_db(e)
    replica = e.rds("shop-db-replica", AWAY, multi_az=False, retention=0, role="replica")
    e.edge(db, replica, REPLICATES_TO, mode="async", promotable=True)
    e.edge(db, replica, FAILS_OVER_TO, needs_control_plane_in=HOME)  # e.g. a switchover started from the primary
    impact, got = both(e, survival.Scenario.regions(HOME))
    # survival: the replica holds the data, but the promotion cannot be run, so nothing serves the function
    assert impact.data_intact and not impact.serving
    assert any("failed region me-central-1" in c for c in impact.control_plane)
    # recovery: no recovery path (RTO unbounded), and the data survives in the replica (RPO = its lag)
    step = step_for(got, db)
    assert step.model_key == "control-plane-blocked" and step.to is None
    assert is_unbounded(step.rto) and step.rpo == 300
    assert is_unbounded(got.rto) and got.rpo == 300
    assert "rds-read-replica-promotion" not in {s.model_key for s in got.steps}


def test_the_control_plane_of_a_failover_to_a_cascaded_replica_is_read_as_survival_reads_it():
    # me-central-1 -> me-south-1 -> eu-central-1 (a cascaded read replica); the failover edge from the
    # primary to the far replica needs the primary's region: survival finds it blocked, so must recovery
    e = Estate()
    db = replicated_db(e)
    near = e.rds("shop-db-bah", BAHRAIN, multi_az=False, retention=0, role="replica", zones=("mes1-az1",))
    far = e.rds("shop-db-euc1", AWAY, multi_az=False, retention=0, role="replica")
    e.edge(db, near, REPLICATES_TO, mode="async", promotable=True)
    e.edge(near, far, REPLICATES_TO, mode="async", promotable=True)
    e.edge(db, far, FAILS_OVER_TO, needs_control_plane_in=HOME)
    impact, got = both(e, survival.Scenario.regions(HOME, BAHRAIN))
    assert impact.data_intact and not impact.serving and impact.control_plane
    step = step_for(got, db)
    assert step.model_key == "control-plane-blocked" and is_unbounded(got.rto)
    # the same estate when the far replica's own region holds the API: both count the promotion
    e.edges[-1].attrs["needs_control_plane_in"] = AWAY
    impact, got = both(e, survival.Scenario.regions(HOME, BAHRAIN))
    assert impact.serving and not impact.control_plane
    assert step_for(got, db).model_key == "rds-read-replica-promotion" and step_for(got, db).to == far
    assert got.rto == 600


def test_a_standby_known_only_from_its_failover_edge_counts_for_both():
    # a failover group read without its replication links: fails_over_to, no replicates_to
    e = Estate()
    db = replicated_db(e)
    standby = e.rds("shop-db-standby", AWAY, multi_az=False, retention=0, role="replica")
    e.edge(db, standby, FAILS_OVER_TO, health_checked=True, needs_control_plane_in=AWAY)
    impact, got = both(e, survival.Scenario.regions(HOME))
    assert impact.data_intact and impact.serving
    step = step_for(got, db)
    assert step.model_key == "rds-read-replica-promotion" and step.to == standby
    assert got.rto == 600 and got.rpo == 300


# --- 2. a Multi-AZ RDS instance with one recorded zone keeps its standby elsewhere -------------------


def test_multi_az_instance_with_one_recorded_zone_is_up_for_both_and_fails_over_in_place():
    e = Estate()
    db = e.rds("shop-db", zones=("mec1-az1",))  # some APIs omit SecondaryAvailabilityZone
    e.function("api", uses=db)
    g, policy = graph_of(e)
    scenario = survival.Scenario.zones("mec1-az1")
    assert survival.node_down(g, db, scenario) is None
    impact, got = both(e, scenario)
    assert impact.survives and db not in impact.lost
    assert [(s.resource, s.model_key, s.rto, s.rpo) for s in got.steps] == [(db, "rds-multi-az-instance", 120, 0)]
    assert estimate(g, "shop", "az", policy=policy).rto == 120


# --- 3. the root volume of an Auto Scaling instance is disposable, not data --------------------------


def test_volume_of_an_auto_scaling_member_instance_is_disposable_for_both():
    e = Estate()
    web = e.web_tier(desired=2)
    inst, vol = e.instance_with_volume("web-1")  # tagged with the workload: on the serving path
    e.edge(inst, web["asg"], MEMBER_OF)
    lone, lone_vol = e.instance_with_volume("batch", zone="mec1-az2")  # not in a group: its volume is data
    g, _ = graph_of(e)
    assert survival.is_disposable(g, vol) and not survival.is_disposable(g, lone_vol)
    impact, got = both(e, survival.Scenario.zones("mec1-az1"))
    assert impact.data_intact and vol not in impact.lost_data
    assert vol not in {s.resource for s in got.steps} and got.rpo == 0
    impact, got = both(e, survival.Scenario.zones("mec1-az2"))
    assert impact.lost_data == [lone_vol]
    assert step_for(got, lone_vol).model_key == "no-copy" and is_unbounded(got.rpo)


# --- 4. the RPO is unbounded exactly when survival finds no surviving copy ---------------------------


def snapshot_copy(e: Estate, source: str, *, status: str) -> str:
    """A cross-region copy (eu-central-1) of a snapshot of ``source`` in me-central-1."""
    local = arn("rds", HOME, "snapshot:shop-db-daily")
    far = arn("rds", AWAY, "snapshot:shop-db-daily-copy")
    e.add(local, RECOVERY_POINT, "AWS::RDS::DBSnapshot", attrs={"source_resource": source, "status": "available",
                                                                "created_at": "2026-11-19T03:00:00Z"})
    e.add(far, RECOVERY_POINT, "AWS::RDS::DBSnapshot", region=AWAY,
          attrs={"source_resource": source, "source_region": HOME, "status": status, "copy_of": local,
                 "created_at": "2026-11-19T04:00:00Z"})
    e.edge(source, local, "backed_up_to")
    e.edge(local, far, REPLICATES_TO, mode="periodic")
    return far


def test_a_copy_survival_does_not_count_is_no_copy_for_the_estimate_either():
    e = Estate()
    db = replicated_db(e)
    snapshot_copy(e, db, status="cancelled")  # a copy that never completed: survival ignores it
    impact, got = both(e, survival.Scenario.regions(HOME))
    assert not impact.data_intact and impact.lost_data == [db]
    step = step_for(got, db)
    assert step.model_key == "no-copy" and is_unbounded(got.rpo) and is_unbounded(got.rto)


def test_a_completed_copy_counts_for_both_with_its_age_as_rpo():
    e = Estate()
    db = replicated_db(e)
    far = snapshot_copy(e, db, status="available")
    impact, got = both(e, survival.Scenario.regions(HOME))
    assert impact.data_intact and (db, far, survival.RESTORE_CROSS_REGION_BACKUP) in impact.failovers
    step = step_for(got, db)
    assert step.model_key == "restore-cross-region-copy" and step.to == far
    assert step.rpo == 26 * 3600  # the copy is 26h old at scan time


def test_a_tag_selected_backup_plan_copying_to_another_region_counts_for_both():
    # AWS Backup selects by tag: no backed_up_to edge, the plan's selection and copy rule say it all
    e = Estate()
    db = replicated_db(e)
    vault = e.add(arn("backup", HOME, "backup-vault:main"), BACKUP_VAULT, "AWS::Backup::BackupVault", workload=None)
    remote = arn("backup", AWAY, "backup-vault:dr")  # in another account's inventory: not collected here
    e.add(arn("backup", HOME, "backup-plan:tagged"), BACKUP_PLAN, "AWS::Backup::BackupPlan", workload=None,
          attrs={"rules": [{"name": "daily", "schedule": "cron(0 3 * * ? *)", "target_vault": vault,
                            "copy_to": [remote]}],
                 "selections": [{"name": "by-tag", "conditions": {"tags": [{"key": "app", "value": "shop"}]}}]})
    impact, got = both(e, survival.Scenario.regions(HOME))
    assert impact.data_intact and (db, remote, survival.RESTORE_CROSS_REGION_BACKUP) in impact.failovers
    step = step_for(got, db)
    assert step.model_key == "restore-cross-region-copy" and step.to == remote and step.rpo == 86400
    # lost with the region as well: the plan's copy rule is the only thing that keeps the data
    impact, got = both(e, survival.Scenario.regions(HOME, AWAY))
    assert not impact.data_intact and is_unbounded(got.rpo)


def estates() -> dict[str, Estate]:
    out = {}
    e = Estate()
    web = e.web_tier()
    e.record("www.shop.example", web["lb"], ett=True)
    e.function("worker", uses=e.rds("shop-db"))
    out["single-region"] = e
    e = Estate()
    home, away = e.web_tier(HOME), e.web_tier(AWAY, name="web-euc1")
    e.failover_dns("api.shop.example", home["lb"], away["lb"])
    db = e.rds("shop-db")
    e.rds_replica(db)
    e.backup_plan([db])
    out["warm-standby"] = e
    e = Estate()
    a, b = e.global_table("orders")
    e.function("api-mec1", HOME, uses=a)
    e.function("api-euc1", AWAY, uses=b)
    src, dst = e.bucket("assets-mec1"), e.bucket("assets-euc1", AWAY)
    e.edge(src, dst, REPLICATES_TO, mode="async", rtc=True)
    out["global-table"] = e
    e = Estate()
    e.rds("ledger", multi_az=False)
    _, vol = e.instance_with_volume()
    e.snapshot(vol, created=SCAN_TIME, region=AWAY)
    e.aurora(global_id=f"arn:aws:rds::{ACCOUNT}:global-cluster:g")
    out["single-az"] = e
    out["pool-without-probe"] = pool_without_probe()
    return out


def pool_without_probe() -> Estate:
    """A global front door's pool with no health probe over compute in each region (app services, no load
    balancer), HOME's first: it keeps sending traffic to HOME's when that is lost, though EU's runs."""
    e = Estate()
    home, away = (e.add(arn("autoscaling", region, f"autoScalingGroup:1:autoScalingGroupName/{name}"), COMPUTE_GROUP,
                        "AWS::AutoScaling::AutoScalingGroup", region=region, zones=zones, name=name,
                        attrs={"min_size": 2, "max_size": 4, "desired_capacity": 2})
                  for name, region, zones in (("app-mec1", HOME, ("mec1-az1", "mec1-az2")),
                                              ("app-euc1", AWAY, ("euc1-az1", "euc1-az2"))))
    door = e.add(arn("cloudfront", "", "distribution/shop"), CDN_DISTRIBUTION, "AWS::CloudFront::Distribution",
                 region="global", name="shop-cdn")
    pool = e.add(arn("cloudfront", "", "distribution/shop/origin-group/web"), TARGET_GROUP, "origin group",
                 region="global", name="web-origins", attrs={"health_probe": False})
    e.edge(door, pool, ROUTES_TO)
    e.edge(pool, home, ROUTES_TO, priority=1)
    e.edge(pool, away, ROUTES_TO, priority=2)
    return e


def test_a_standby_no_traffic_reaches_is_a_persons_switch_not_an_rto_of_zero():
    """Blind azure11: a Front Door origin group without a health probe keeps sending traffic to its lost first
    origin, so survival says the workload stops serving, while the estimate priced the running standby in the
    other region at RTO 0s and passed a 1h objective. The switch is a person's step: unbounded by default."""
    e = pool_without_probe()
    impact, got = both(e, survival.Scenario.regions(HOME))
    assert not impact.serving and "no health probe" in impact.why
    [switch] = [s for s in got.steps if s.model_key == "manual-dns-switch"]
    assert switch.role == "entry" and switch.to and "nothing sends traffic to it by itself" in switch.reasoning
    assert is_unbounded(got.rto)
    # losing the second origin's region costs nothing: the pool never sent it traffic
    impact, got = both(e, survival.Scenario.regions(AWAY))
    assert impact.serving and got.rto == 0


@pytest.mark.parametrize("name", sorted(estates()))
@pytest.mark.parametrize("scenario", [survival.Scenario.regions(HOME), survival.Scenario.regions(AWAY),
                                      survival.Scenario.zones("mec1-az1")], ids=lambda s: s.describe())
def test_an_rto_of_zero_only_where_survival_says_the_workload_keeps_serving(name, scenario):
    impact, got = both(estates()[name], scenario)
    if not impact.serving:
        assert got.rto is None or got.rto > 0, (impact.why, got.steps)


SCENARIOS = [survival.Scenario.regions(HOME), survival.Scenario.regions(AWAY), survival.Scenario.regions(HOME, AWAY),
             survival.Scenario.zones("mec1-az1"), survival.Scenario.zones("mec1-az2"), survival.Scenario.zones("euc1-az1")]


@pytest.mark.parametrize("name", sorted(estates()))
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.describe())
def test_rpo_is_unbounded_exactly_where_survival_finds_no_surviving_copy(name, scenario):
    e = estates()[name]
    g, policy = graph_of(e)
    impact, got = both(e, scenario)
    data_steps = [s for s in got.steps if s.role == "data"]
    for s in data_steps:
        if s.model_key in ("no-copy", "control-plane-blocked") or not survival.node_down(g, s.resource, scenario):
            continue
        # a lost data store: priced from a copy survival says survives
        assert survival.data_outcome(g, s.resource, scenario).ok, s
    for s in data_steps:
        if is_unbounded(s.rpo):
            assert not survival.data_outcome(g, s.resource, scenario).ok, s
    # the workload's originals (not copies, not cluster member instances): survival's verdict is the RPO's
    originals = [n for n in impact.lost_data if not survival.is_copy(g, n)
                 and survival.cluster_of(g, n) is None]
    assert is_unbounded(got.rpo) == bool(originals)
    assert got.rpo != UNBOUNDED or not impact.data_intact


# --- 5. data is judged where it lives: an instance by its cluster, a replica by its source ------------


def test_an_aurora_writer_instance_in_the_lost_zone_loses_no_data():
    e = Estate()
    e.aurora(instance_zones=("mec1-az1",))
    impact, got = both(e, survival.Scenario.zones("mec1-az1"))
    assert [s.model_key for s in got.steps] == ["aurora-no-replica"] and got.rpo == 0
    assert impact.data_intact


def test_an_instance_linked_to_its_cluster_only_by_the_member_of_edge_is_priced_as_the_cluster():
    """Membership has one reading (graph_facts.cluster_of): an instance whose record names no cluster
    (no attrs.cluster_id) but has a member_of edge to it is judged and priced by its cluster, not as
    separate data (which made the estimate restore the instance from backups, or call it lost)."""
    e = Estate()
    cluster = e.aurora(instance_zones=("mec1-az1",))
    for r in e.resources:
        if r.type == "AWS::RDS::DBInstance":
            r.attrs.pop("cluster_id")
    e.function("api", AWAY, uses=cluster.replace(":cluster:", ":db:") + "-0")
    impact, got = both(e, survival.Scenario.zones("mec1-az1"))
    assert [s.model_key for s in got.steps if s.role == "data"] == ["aurora-no-replica"]
    assert all(s.resource != cluster.replace(":cluster:", ":db:") + "-0" for s in got.steps if s.role == "data")
    assert got.rpo == 0 and impact.data_intact


def test_a_replica_lost_with_its_source_is_covered_by_the_sources_backup_copy():
    e = Estate()
    db = replicated_db(e)
    replica = e.rds("shop-db-bah", BAHRAIN, multi_az=False, retention=0, role="replica", zones=("mes1-az1",))
    e.edge(db, replica, REPLICATES_TO, mode="async", promotable=True)
    e.backup_plan([db])  # copied to eu-central-1
    impact, got = both(e, survival.Scenario.regions(HOME, BAHRAIN))
    assert step_for(got, db).model_key == "restore-cross-region-copy" and got.rpo == 86400
    assert impact.data_intact
