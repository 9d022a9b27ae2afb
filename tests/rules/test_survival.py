"""The survival engine on small estates: what keeps serving, and what data survives."""

from __future__ import annotations

from resilience.rules import get_rule

from resilience.survival import (
    DNS_FAILOVER,
    DNS_HEALTH_CHECK,
    GLOBAL_TABLE,
    PROMOTE_REPLICA,
    RESTORE_CROSS_REGION_BACKUP,
    Copy,
    Scenario,
    assess,
    backups_of,
    copy_blocked,
    copy_down,
    data_copies,
    data_outcome,
    display_name,
    failed_nodes,
    regions_of,
    zones_of,
)

UAE, BAHRAIN, IRELAND = "me-central-1", "me-south-1", "eu-west-1"


def stack(prefix: str, region: str, zones: list[str], *, workload: str = "shop") -> dict:
    """LB -> TG -> ASG in one region (no data)."""
    return {
        f"{prefix}-lb": {"kind": "load_balancer", "region": region, "zones": zones, "workload": workload},
        f"{prefix}-tg": {"kind": "target_group", "region": region, "workload": workload},
        f"{prefix}-asg": {"kind": "compute_group", "region": region, "zones": zones, "workload": workload},
    }


def stack_edges(prefix: str) -> list:
    return [[f"{prefix}-lb", "routes_to", f"{prefix}-tg"], [f"{prefix}-tg", "routes_to", f"{prefix}-asg"]]


def record(name: str, target: str, **attrs) -> dict:
    return {"kind": "dns_record", "name": name, "workload": "shop",
            "attrs": {"dns_name": "shop.example.com", "record_type": "A", "public": True, **attrs}}


def single_region_multi_az() -> dict:
    return {
        "resources": {
            **stack("a", UAE, ["mec1-az1", "mec1-az2"]),
            "www": record("www", "a-lb", routing="simple"),
            "db": {"kind": "database", "region": UAE, "zones": ["mec1-az1", "mec1-az2"], "workload": "shop",
                   "attrs": {"multi_az": True, "backup_retention_days": 7}},
        },
        "edges": [["www", "routes_to", "a-lb"], *stack_edges("a"), ["a-asg", "depends_on", "db"]],
    }


def active_passive(*, replica_region: str = IRELAND, hc: bool = True) -> dict:
    """DNS failover from UAE to a passive stack whose database is a promotable replica."""
    return {
        "resources": {
            **stack("a", UAE, ["mec1-az1", "mec1-az2"]),
            **stack("b", replica_region, ["z-b1", "z-b2"]),
            "primary": record("primary", "a-lb", routing="failover", failover_role="PRIMARY",
                              **({"health_check_id": "hc-1"} if hc else {})),
            "secondary": record("secondary", "b-lb", routing="failover", failover_role="SECONDARY"),
            "db": {"kind": "database", "region": UAE, "zones": ["mec1-az1", "mec1-az2"], "workload": "shop",
                   "attrs": {"multi_az": True, "role": "primary", "backup_retention_days": 7}},
            "db-replica": {"kind": "database", "region": replica_region, "zones": ["z-b1"],
                           "attrs": {"role": "replica", "replica_of": "@db"}},
            "assets": {"kind": "object_store", "region": UAE, "workload": "shop",
                       "attrs": {"replication_rules": [{"destination": "@assets-copy", "status": "Enabled"}]}},
            "assets-copy": {"kind": "object_store", "region": replica_region,
                            "attrs": {"is_replica_destination": True}},
        },
        "edges": [
            ["primary", "routes_to", "a-lb"], ["secondary", "routes_to", "b-lb"],
            ["primary", "fails_over_to", "secondary", {"health_checked": hc}],
            *stack_edges("a"), *stack_edges("b"),
            ["a-asg", "depends_on", "db"], ["b-asg", "depends_on", "db"],
            ["a-asg", "depends_on", "assets"], ["b-asg", "depends_on", "assets"],
            ["db", "replicates_to", "db-replica", {"mode": "async", "promotable": True}],
            ["db", "fails_over_to", "db-replica", {"health_checked": False, "needs_control_plane_in": replica_region}],
            ["assets", "replicates_to", "assets-copy", {"mode": "async"}],
        ],
    }


# --- the five required behaviours -------------------------------------------------------------
def test_multi_az_single_region_is_down_on_region_loss_but_survives_a_zone(estate):
    e = estate(single_region_multi_az())
    region_loss = assess(e.graph, "shop", Scenario.regions(UAE))
    assert not region_loss.serving and not region_loss.data_intact
    assert region_loss.broken_chain[0] == e.id("www")
    assert "in failed region me-central-1" in region_loss.why
    assert e.id("db") in region_loss.lost and e.id("a-asg") in region_loss.lost

    zone_loss = assess(e.graph, "shop", Scenario.zones("mec1-az1"))
    assert zone_loss.serving and zone_loss.data_intact and zone_loss.lost == []


def test_active_passive_with_dns_failover_and_promotable_replica_keeps_serving(estate):
    e = estate(active_passive())
    impact = assess(e.graph, "shop", Scenario.regions(UAE))
    assert impact.serving and impact.data_intact, impact.why
    assert (e.id("primary"), e.id("secondary"), DNS_FAILOVER) in impact.failovers
    assert (e.id("db"), e.id("db-replica"), PROMOTE_REPLICA) in impact.failovers
    assert any(f[2] == "s3-replica" for f in impact.failovers)
    assert impact.broken_chain == [] and impact.unknown == [] and impact.control_plane == []
    # the copies are workload nodes (inherited): losing their region loses nothing that matters
    assert IRELAND in regions_of(e.graph, "shop")
    other = assess(e.graph, "shop", Scenario.regions(IRELAND))
    assert other.serving and other.data_intact and other.failovers == []


def test_failover_without_health_check_does_not_count(estate):
    impact = assess(estate(active_passive(hc=False)).graph, "shop", Scenario.regions(UAE))
    assert not impact.serving


def test_compute_in_two_regions_with_data_pinned_in_the_failed_one_is_down(estate):
    spec = active_passive()
    spec["edges"] = [e for e in spec["edges"] if e[0] != "db" or e[1] not in ("replicates_to", "fails_over_to")]
    del spec["resources"]["db-replica"]
    e = estate(spec)
    impact = assess(e.graph, "shop", Scenario.regions(UAE))
    assert not impact.serving and not impact.data_intact
    # the deciding chain goes through the surviving region and ends at the pinned database
    assert impact.broken_chain == [e.id(n) for n in ("primary", "secondary", "b-lb", "b-tg", "b-asg", "db")]
    assert e.id("b-asg") in impact.lost  # alive in its region, down through its dependency
    assert e.id("db") in impact.lost_data


def test_replica_in_the_same_failure_domain_survives_one_region_not_the_domain(estate):
    e = estate(active_passive(replica_region=BAHRAIN))
    assert assess(e.graph, "shop", Scenario.regions(UAE)).survives
    both = assess(e.graph, "shop", Scenario.regions(UAE, BAHRAIN))
    assert not both.serving and not both.data_intact
    assert both.scenario.describe() == "loss of regions me-central-1 and me-south-1"


def test_single_az_workload_is_down_when_its_zone_fails(estate):
    e = estate({
        "resources": {
            **stack("a", UAE, ["mec1-az1"]),
            "db": {"kind": "database", "region": UAE, "zones": ["mec1-az1"], "workload": "shop",
                   "attrs": {"multi_az": False, "backup_retention_days": 7}},
        },
        "edges": [*stack_edges("a"), ["a-asg", "depends_on", "db"]],
    })
    assert zones_of(e.graph, "shop") == ["mec1-az1"]
    impact = assess(e.graph, "shop", Scenario.zones("mec1-az1"))
    assert not impact.serving
    assert impact.data_intact  # the automated backups are regional: restorable in another zone
    assert impact.broken_chain[0] == e.id("a-lb")
    assert assess(e.graph, "shop", Scenario.zones("mec1-az2")).survives


# --- finer points -------------------------------------------------------------------------------
def test_failed_nodes_by_region_and_by_all_zones(estate):
    e = estate(single_region_multi_az())
    assert failed_nodes(e.graph, Scenario.zones("mec1-az1")) == set()
    assert failed_nodes(e.graph, Scenario.zones("mec1-az1", "mec1-az2")) == {
        e.id(n) for n in ("a-lb", "a-asg", "db")}
    assert e.id("a-tg") in failed_nodes(e.graph, Scenario.regions(UAE))
    assert e.id("www") not in failed_nodes(e.graph, Scenario.regions(UAE))  # global


def test_coverage_gap_in_the_failover_region_makes_the_verdict_uncertain(estate):
    spec = active_passive()
    spec["coverage"] = [{"region": IRELAND, "service": "rds", "status": "denied"}]
    impact = assess(estate(spec).graph, "shop", Scenario.regions(UAE), coverage=estate(spec).inventory.coverage)
    assert impact.survives
    assert any("rds in eu-west-1 could not be read (denied)" in u for u in impact.unknown)


def test_failover_needing_the_control_plane_of_the_failed_region_is_not_counted(estate):
    spec = active_passive()
    spec["edges"] = [[*e[:3], {**e[3], "needs_control_plane_in": UAE}] if e[1] == "fails_over_to" and e[0] == "db"
                     else e for e in spec["edges"]]
    spec["edges"] = [e for e in spec["edges"] if not (e[0] == "db" and e[1] == "replicates_to")]
    impact = assess(estate(spec).graph, "shop", Scenario.regions(UAE))
    assert not impact.serving
    assert any("control plane" in c and UAE in c for c in impact.control_plane)


def test_cross_region_backup_keeps_data_but_not_serving(estate):
    e = estate({
        "resources": {
            **stack("a", UAE, ["mec1-az1", "mec1-az2"]),
            "db": {"kind": "database", "region": UAE, "zones": ["mec1-az1", "mec1-az2"], "workload": "shop",
                   "attrs": {"multi_az": True, "backup_retention_days": 7}},
            "snap": {"kind": "recovery_point", "region": UAE, "attrs": {"source_resource": "@db", "status": "available"}},
            "snap-copy": {"kind": "recovery_point", "region": IRELAND,
                          "attrs": {"copy_of": "@snap", "status": "available"}},
        },
        "edges": [*stack_edges("a"), ["a-asg", "depends_on", "db"], ["db", "backed_up_to", "snap"],
                  ["snap", "replicates_to", "snap-copy", {"mode": "periodic"}]],
    })
    impact = assess(e.graph, "shop", Scenario.regions(UAE))
    assert not impact.serving and impact.data_intact
    assert (e.id("db"), e.id("snap-copy"), RESTORE_CROSS_REGION_BACKUP) in impact.failovers


def test_latency_records_fail_over_only_when_health_checked(estate):
    def spec(hc: bool) -> dict:
        extra = {"health_check_id": "hc"} if hc else {}
        return {
            "resources": {
                **stack("a", UAE, ["mec1-az1", "mec1-az2"]), **stack("b", IRELAND, ["z1", "z2"]),
                "lat-a": record("lat-a", "a-lb", routing="latency", set_identifier="a", **extra),
                "lat-b": record("lat-b", "b-lb", routing="latency", set_identifier="b", **extra),
            },
            "edges": [["lat-a", "routes_to", "a-lb"], ["lat-b", "routes_to", "b-lb"],
                      *stack_edges("a"), *stack_edges("b")],
        }

    e = estate(spec(True))
    impact = assess(e.graph, "shop", Scenario.regions(UAE))
    assert impact.serving and (e.id("lat-a"), e.id("lat-b"), DNS_HEALTH_CHECK) in impact.failovers
    unchecked = assess(estate(spec(False)).graph, "shop", Scenario.regions(UAE))
    assert not unchecked.serving and "no health check" in unchecked.why


def test_global_table_and_asg_replacing_instances(estate):
    e = estate({
        "resources": {
            **stack("a", UAE, ["mec1-az1", "mec1-az2"]), **stack("b", IRELAND, ["z1", "z2"]),
            "i-1": {"kind": "instance", "region": UAE, "zones": ["mec1-az1"], "workload": "shop"},
            "lat-a": record("lat-a", "a-lb", routing="latency", evaluate_target_health=True),
            "lat-b": record("lat-b", "b-lb", routing="latency", evaluate_target_health=True),
            "orders": {"kind": "database", "type": "AWS::DynamoDB::Table", "region": UAE, "workload": "shop",
                       "attrs": {"role": "member", "pitr": True}},
            "orders-b": {"kind": "database", "type": "AWS::DynamoDB::Table", "region": IRELAND,
                         "attrs": {"role": "member", "pitr": True}},
        },
        "edges": [["lat-a", "routes_to", "a-lb"], ["lat-b", "routes_to", "b-lb"], *stack_edges("a"),
                  *stack_edges("b"), ["a-tg", "routes_to", "i-1"], ["i-1", "member_of", "a-asg"],
                  ["a-asg", "depends_on", "orders"], ["b-asg", "depends_on", "orders"],
                  ["orders", "replicates_to", "orders-b", {"promotable": True}],
                  ["orders-b", "replicates_to", "orders", {"promotable": True}]],
    })
    zone = assess(e.graph, "shop", Scenario.zones("mec1-az1"))
    assert zone.survives and e.id("i-1") in zone.lost
    region = assess(e.graph, "shop", Scenario.regions(UAE))
    assert region.survives and (e.id("orders"), e.id("orders-b"), GLOBAL_TABLE) in region.failovers


def test_cluster_whose_instances_share_one_zone_is_down_with_that_zone(estate):
    e = estate({
        "resources": {
            **stack("a", UAE, ["mec1-az1", "mec1-az2"]),
            "cluster": {"kind": "database", "type": "AWS::RDS::DBCluster", "region": UAE, "workload": "shop",
                        "zones": ["mec1-az1", "mec1-az2", "mec1-az3"], "attrs": {"backup_retention_days": 1}},
            "writer": {"kind": "database", "region": UAE, "zones": ["mec1-az1"], "attrs": {"role": "member"}},
            "reader": {"kind": "database", "region": UAE, "zones": ["mec1-az1"], "attrs": {"role": "member"}},
        },
        "edges": [*stack_edges("a"), ["a-asg", "depends_on", "cluster"], ["writer", "member_of", "cluster"],
                  ["reader", "member_of", "cluster"]],
    })
    impact = assess(e.graph, "shop", Scenario.zones("mec1-az1"))
    assert not impact.serving and impact.data_intact
    assert "every instance of the cluster is down" in impact.why


def test_volumes_of_auto_scaling_instances_are_disposable(estate):
    """Tagged root volumes of instances an ASG replaces are not data: their zone's loss loses nothing."""
    e = estate({
        "resources": {
            **stack("a", UAE, ["mec1-az1", "mec1-az2"]),
            "i-1": {"kind": "instance", "region": UAE, "zones": ["mec1-az1"], "workload": "shop"},
            "root-1": {"kind": "volume", "region": UAE, "zones": ["mec1-az1"], "workload": "shop",
                       "attrs": {"attached_to": ["@i-1"]}},
            "data-1": {"kind": "volume", "region": UAE, "zones": ["mec1-az2"], "workload": "shop"},
        },
        "edges": [*stack_edges("a"), ["i-1", "member_of", "a-asg"], ["i-1", "depends_on", "root-1"]],
    })
    assert assess(e.graph, "shop", Scenario.zones("mec1-az1")).survives
    lost = assess(e.graph, "shop", Scenario.zones("mec1-az2"))  # an unattached volume is data
    assert lost.serving and not lost.data_intact and lost.lost_data == [e.id("data-1")]
    assert "data-1" in lost.why


# --- per copy: down, blocked; which copy carries the data ------------------------------------------
def two_replicas(*, first_blocked: bool = True, second_blocked: bool = False, snapshot: bool = False) -> dict:
    """db in UAE (no compute uses it) with two promotable replicas in Ireland whose promotion needs
    the UAE control plane when ``*_blocked``; optionally a snapshot copied to Ireland."""
    def replica(name: str) -> dict:
        return {"kind": "database", "type": "AWS::RDS::DBInstance", "region": IRELAND, "zones": ["z-b1"],
                "attrs": {"role": "replica", "replica_of": "@db"}}

    resources = {
        "db": {"kind": "database", "type": "AWS::RDS::DBInstance", "region": UAE, "zones": ["mec1-az1"],
               "workload": "shop", "attrs": {"role": "primary"}},
        "r1": replica("r1"), "r2": replica("r2"),
    }
    edges = []
    for name, blocked in (("r1", first_blocked), ("r2", second_blocked)):
        edges.append(["db", "fails_over_to", name, {"needs_control_plane_in": UAE if blocked else IRELAND}])
    if snapshot:
        resources["snap"] = {"kind": "recovery_point", "region": IRELAND,
                             "attrs": {"source_resource": "@db", "source_region": UAE, "status": "available"}}
    return {"resources": resources, "edges": edges}


def test_copy_down_and_copy_blocked_read_one_copy(estate):
    e = estate(two_replicas(snapshot=True))
    g = e.graph
    r1, r2 = (next(c for c in data_copies(g, e.id("db")) if c.id == e.id(n)) for n in ("r1", "r2"))
    assert copy_down(g, r1, Scenario.regions(UAE)) is None
    assert copy_down(g, r1, Scenario.regions(IRELAND)) == "in failed region eu-west-1"  # node_down's reason
    assert copy_blocked(r1, Scenario.regions(UAE)) == UAE and copy_blocked(r2, Scenario.regions(UAE)) is None
    assert copy_blocked(r1, Scenario.regions(IRELAND)) is None  # the API it needs is up
    # a copy nobody inventoried (in-region automated backups, a vault named by a plan) by its region
    gone = Copy(id="vault-elsewhere", region=BAHRAIN, relation="backup", mechanism="restore-backup", serving=False)
    assert copy_down(g, gone, Scenario.regions(BAHRAIN)) and copy_down(g, gone, Scenario.regions(UAE)) is None
    assert copy_down(g, gone, Scenario.zones("mes1-az1")) is None
    assert [c.id for c in backups_of(g, e.id("db"))] == [e.id("snap")]


def test_data_survival_prefers_a_copy_whose_failover_can_run(estate):
    e = estate(two_replicas(first_blocked=True, second_blocked=False))
    got = data_outcome(e.graph, e.id("db"), Scenario.regions(UAE))
    assert got.ok and got.failovers == [(e.id("db"), e.id("r2"), PROMOTE_REPLICA)]
    assert got.control_plane == []  # the blocked promotion is not needed
    impact = assess(e.graph, "shop", Scenario.regions(UAE))
    assert impact.data_intact and impact.failovers == [(e.id("db"), e.id("r2"), PROMOTE_REPLICA)]


def test_only_blocked_copies_keep_the_data_with_no_failover_listed(estate):
    e = estate(two_replicas(first_blocked=True, second_blocked=True))
    got = data_outcome(e.graph, e.id("db"), Scenario.regions(UAE))
    assert got.ok and got.failovers == []
    assert len(got.control_plane) == 2 and all(f"failed region {UAE}" in c for c in got.control_plane)
    impact = assess(e.graph, "shop", Scenario.regions(UAE))
    assert impact.data_intact and impact.failovers == [] and impact.control_plane == got.control_plane
    # the data is held, but nothing that can run puts a copy in service: the database (the workload's only
    # entry point, as it runs no code) stops
    assert impact.entry_points == ["db"] and not impact.serving
    assert impact.why.startswith(f"shop stops serving on loss of region {UAE}: db")
    # with a snapshot copied out of the region, restoring it is the way back that can run
    e = estate(two_replicas(first_blocked=True, second_blocked=True, snapshot=True))
    got = data_outcome(e.graph, e.id("db"), Scenario.regions(UAE))
    assert got.ok and got.failovers == [(e.id("db"), e.id("snap"), RESTORE_CROSS_REGION_BACKUP)]
    assert len(got.control_plane) == 2


def aurora(instance_zones: list[str]) -> dict:
    resources = {
        "cluster": {"kind": "database", "type": "AWS::RDS::DBCluster", "region": UAE, "workload": "shop",
                    "zones": ["mec1-az1", "mec1-az2", "mec1-az3"], "attrs": {"engine": "aurora-mysql"}},
    }
    edges = []
    for i, zone in enumerate(instance_zones):
        resources[f"inst-{i}"] = {"kind": "database", "type": "AWS::RDS::DBInstance", "region": UAE, "zones": [zone],
                                  "workload": "shop", "attrs": {"role": "member", "cluster_id": "@cluster"}}
        edges.append([f"inst-{i}", "member_of", "cluster"])
    return {"resources": resources, "edges": edges}


def test_a_cluster_member_instance_is_judged_by_its_cluster(estate):
    e = estate(aurora(["mec1-az1"]))
    zone = assess(e.graph, "shop", Scenario.zones("mec1-az1"))
    assert zone.data_intact and zone.lost_data == [] and e.id("inst-0") in zone.lost
    assert data_outcome(e.graph, e.id("inst-0"), Scenario.zones("mec1-az1")).ok
    region = assess(e.graph, "shop", Scenario.regions(UAE))  # no copy anywhere: the instance goes with it
    assert not region.data_intact and region.lost_data == sorted([e.id("cluster"), e.id("inst-0")])


def test_a_replica_lost_with_its_source_is_judged_by_the_sources_backups(estate):
    spec = active_passive(replica_region=BAHRAIN)
    spec["resources"]["db-replica"]["workload"] = "shop"
    spec["resources"]["db-replica"]["zones"] = ["mes1-az1"]
    spec["resources"]["snap"] = {"kind": "recovery_point", "region": IRELAND,
                                 "attrs": {"source_resource": "@db", "source_region": UAE, "status": "available"}}
    del spec["resources"]["assets"], spec["resources"]["assets-copy"]
    spec["edges"] = [e for e in spec["edges"] if "assets" not in e]
    e = estate(spec)
    scenario = Scenario.regions(UAE, BAHRAIN)
    restore = (e.id("db"), e.id("snap"), RESTORE_CROSS_REGION_BACKUP)
    assert data_outcome(e.graph, e.id("db-replica"), scenario).failovers == [restore]
    impact = assess(e.graph, "shop", scenario)
    assert impact.data_intact and restore in impact.failovers
    assert not any(f[0] == e.id("db-replica") for f in impact.failovers)


def test_display_name_qualifies_shared_names_by_region_then_kind(estate):
    e = estate({
        "resources": {
            "rates-a": {"name": "rates", "kind": "database", "region": UAE, "workload": "shop"},
            "rates-b": {"name": "rates", "kind": "database", "region": BAHRAIN},
            "rates-snap": {"name": "rates", "kind": "recovery_point", "region": UAE},
            "solo": {"kind": "database", "region": UAE},
        },
        "edges": [],
    })
    g = e.graph
    assert display_name(g, e.id("solo")) == "solo"
    assert display_name(g, e.id("rates-b")) == "rates (me-south-1)"
    # within one region the serving resource keeps its region only; its recovery point adds the kind
    assert display_name(g, e.id("rates-a")) == "rates (me-central-1)"
    assert display_name(g, e.id("rates-snap")) == "rates (me-central-1, recovery point)"
    assert display_name(g, "arn:aws:backup:eu-west-1:1:backup-vault:x") == "arn:aws:backup:eu-west-1:1:backup-vault:x"


def _front_door(*, probe: bool | None, members: list[tuple[str, str, dict]]) -> dict:
    """A global front door -> one pool (``health_probe``) -> compute in each member's region."""
    resources = {"fd": {"kind": "load_balancer", "region": "global", "workload": "shop"},
                 "pool": {"kind": "target_group", "region": "global", "workload": "shop",
                          "attrs": {} if probe is None else {"health_probe": probe}}}
    edges = [["fd", "routes_to", "pool"]]
    for name, region, attrs in members:
        resources[name] = {"kind": "compute_group", "region": region, "workload": "shop"}
        edges.append(["pool", "routes_to", name, attrs])
    return {"resources": resources, "edges": edges}


def test_a_pool_without_health_probe_keeps_sending_to_its_dead_first_priority_member(estate):
    two = [("uae", UAE, {"priority": 1}), ("ire", IRELAND, {"priority": 2})]
    probed = assess(estate(_front_door(probe=True, members=two)).graph, "shop", Scenario.regions(UAE))
    assert probed.serving, probed.why
    # no probe (explicitly false): the priority-1 member keeps its traffic; unknown (no attr): as before
    blind = assess(estate(_front_door(probe=False, members=two)).graph, "shop", Scenario.regions(UAE))
    assert not blind.serving and "no health probe" in blind.why
    assert assess(estate(_front_door(probe=None, members=two)).graph, "shop", Scenario.regions(UAE)).serving
    # the lower-priority member takes no traffic without a probe: losing its region costs nothing
    assert assess(estate(_front_door(probe=False, members=two)).graph, "shop", Scenario.regions(IRELAND)).serving
    # same priority, no probe: each takes a share, so losing either region breaks the pool
    even = [("uae", UAE, {"priority": 1}), ("ire", IRELAND, {"priority": 1})]
    assert not assess(estate(_front_door(probe=False, members=even)).graph, "shop", Scenario.regions(IRELAND)).serving


def test_a_disabled_distribution_is_no_entry_point_and_serves_nothing(estate):
    """A CloudFront distribution with ``Enabled: false`` serves no request: it is no entry point (the load
    balancers it would front are the workload's entry points, judged region by region), and a name aliased to
    it answers nothing."""
    def spec(enabled: bool, *, record: bool = False) -> dict:
        resources = {"cdn": {"kind": "cdn_distribution", "region": "global", "workload": "shop",
                             "attrs": {"enabled": enabled}}}
        edges = [["cdn", "routes_to", "lb-uae"]]
        for name, region in (("uae", UAE), ("ire", IRELAND)):
            resources[f"lb-{name}"] = {"kind": "load_balancer", "region": region, "workload": "shop"}
            resources[f"app-{name}"] = {"kind": "compute_group", "region": region, "workload": "shop"}
            edges.append([f"lb-{name}", "routes_to", f"app-{name}"])
        if record:
            resources["www"] = {"kind": "dns_record", "region": "global", "workload": "shop",
                                "attrs": {"dns_name": "www.example.com", "record_type": "A", "public": True}}
            edges.append(["www", "routes_to", "cdn"])
        return {"resources": resources, "edges": edges}

    # enabled, it is the way in and needs its only origin's region
    assert not assess(estate(spec(True)).graph, "shop", Scenario.regions(UAE)).serving
    disabled = assess(estate(spec(False)).graph, "shop", Scenario.regions(UAE))
    assert disabled.serving and "cdn" not in disabled.entry_points, disabled.why
    aliased = assess(estate(spec(False, record=True)).graph, "shop", Scenario.regions(BAHRAIN))
    assert not aliased.serving, aliased.why
    # blind aws11: the DR load balancer reached only through a disabled distribution is reached by nobody: it is
    # no entry point of its own, so losing its region costs nothing, and losing the live one's stops the workload
    two = {"resources": {
        "cdn": {"kind": "cdn_distribution", "region": "global", "workload": "shop", "attrs": {"enabled": True}},
        "cdn-dr": {"kind": "cdn_distribution", "region": "global", "workload": "shop", "attrs": {"enabled": False}},
        **{f"lb-{n}": {"kind": "load_balancer", "region": r, "workload": "shop"} for n, r in (("uae", UAE), ("ire", IRELAND))},
        **{f"app-{n}": {"kind": "compute_group", "region": r, "workload": "shop"} for n, r in (("uae", UAE), ("ire", IRELAND))}},
        "edges": [["cdn", "routes_to", "lb-uae"], ["cdn-dr", "routes_to", "lb-ire"],
                  ["lb-uae", "routes_to", "app-uae"], ["lb-ire", "routes_to", "app-ire"]]}
    assert assess(estate(two).graph, "shop", Scenario.regions(IRELAND)).serving
    assert not assess(estate(two).graph, "shop", Scenario.regions(UAE)).serving
    # blind aws12: a workload whose only way in is a disabled distribution (over replicated buckets) serves
    # nothing; it was "survives, no failover needed" with no entry point at all
    media = estate({"resources": {
        "cdn": {"kind": "cdn_distribution", "region": "global", "workload": "media", "attrs": {"enabled": False}},
        "assets": {"kind": "object_store", "region": UAE, "workload": "media"}},
        "edges": [["cdn", "routes_to", "assets"]]}).graph
    impact = assess(media, "media", Scenario.regions(UAE))
    assert not impact.serving and "disabled" in impact.why, impact.why


def test_a_disabled_pool_member_serves_nothing(estate):
    members = [("uae", UAE, {"enabled": True}), ("ire", IRELAND, {"enabled": False})]
    impact = assess(estate(_front_door(probe=True, members=members)).graph, "shop", Scenario.regions(UAE))
    assert not impact.serving, impact.why
    none = [("uae", UAE, {"enabled": False}), ("ire", IRELAND, {"enabled": False})]
    impact = assess(estate(_front_door(probe=True, members=none)).graph, "shop", Scenario.regions(UAE))
    assert not impact.serving and "every member is disabled" in impact.why


def test_a_disabled_record_behind_an_alias_is_no_failover_target(estate):
    """Blind test azure6 #1: a name aliased to a health-checked profile whose only failover endpoint is
    disabled (``enabled: false``) does not survive its primary region; enabled, it does."""
    def spec(enabled: bool) -> dict:
        record = {"dns_name": "tm.example.net", "record_type": "CNAME", "public": True, "routing": "failover",
                  "health_check_id": "hc-1"}
        resources = {
            **stack("a", UAE, ["mec1-az1", "mec1-az2"]), **stack("b", IRELAND, ["euw1-az1", "euw1-az2"]),
            "api": {"kind": "dns_record", "workload": "shop",
                    "attrs": {"dns_name": "api.example.com", "record_type": "A", "public": True}},
            "profile": {"kind": "dns_record", "attrs": {**record, "evaluate_target_health": True}},
            "ep-a": {"kind": "dns_record", "attrs": {**record, "failover_role": "PRIMARY"}},
            "ep-b": {"kind": "dns_record", "attrs": {**record, "failover_role": "SECONDARY", "enabled": enabled}},
        }
        edges = [["api", "routes_to", "profile"], ["profile", "routes_to", "ep-a"], ["profile", "routes_to", "ep-b"],
                 ["ep-a", "routes_to", "a-lb"], ["ep-b", "routes_to", "b-lb"], *stack_edges("a"), *stack_edges("b")]
        return {"resources": resources, "edges": edges}

    assert assess(estate(spec(True)).graph, "shop", Scenario.regions(UAE)).serving
    impact = assess(estate(spec(False)).graph, "shop", Scenario.regions(UAE))
    assert not impact.serving and "b-lb" not in " ".join(impact.broken_chain), impact.why


# --- a read about copies matters only when a copy is needed ----------------------------------------
def efs_behind(service_region: str, *, alone: bool = False) -> dict:
    """A Regional EFS file system in UAE (no zones of its own) mounted by an ECS service in
    ``service_region`` (two zones), or alone in its workload; efs:replication could not be read in UAE."""
    resources = {"fs": {"kind": "file_system", "type": "AWS::EFS::FileSystem", "region": UAE, "workload": "files",
                        "source": "efs:DescribeFileSystems",
                        "attrs": {"storage": "regional", "mount_target_zones": ["mec1-az1", "mec1-az2"]}}}
    edges = []
    if not alone:
        zones = ["mec1-az1", "mec1-az2"] if service_region == UAE else ["euw1-az1", "euw1-az2"]
        resources["svc"] = {"kind": "compute_group", "type": "AWS::ECS::Service", "region": service_region,
                            "zones": zones, "workload": "files"}
        edges.append(["svc", "depends_on", "fs"])
    return {"resources": resources, "edges": edges,
            "coverage": [{"region": UAE, "service": "efs:replication", "status": "error"}]}


def test_an_unread_replication_setting_does_not_doubt_a_store_that_is_up(estate):
    """Blind aws10: a Regional EFS survives a zone loss by itself; "efs:replication could not be read:
    files-fs relies on it" made ZONAL-001 unknown though no copy was needed."""
    e = estate(efs_behind(UAE))
    impact = assess(e.graph, "files", Scenario.zones("mec1-az1"), coverage=e.inventory.coverage)
    assert impact.survives and impact.unknown == []
    results = [r for r in get_rule("RES-ZONAL-001").check(e.ctx()) if r.workload == "files"]
    assert results and all(r.status == "pass" for r in results)


def test_an_unread_replication_setting_still_doubts_a_lost_store(estate):
    # the service survives elsewhere, the file system it needs is lost: a hidden replica could stand in
    e = estate(efs_behind(IRELAND))
    impact = assess(e.graph, "files", Scenario.regions(UAE), coverage=e.inventory.coverage)
    assert not impact.serving and impact.broken_chain[-1] == e.id("fs")
    assert any("efs:replication" in u for u in impact.unknown)
    # nothing serves from it: its loss is a loss of data, which a hidden replica could overturn
    e = estate(efs_behind(UAE, alone=True))
    impact = assess(e.graph, "files", Scenario.regions(UAE), coverage=e.inventory.coverage)
    assert not impact.data_intact and any("efs:replication" in u for u in impact.unknown)
    got = data_outcome(e.graph, e.id("fs"), Scenario.regions(UAE), coverage=e.inventory.coverage)
    assert not got.ok and any("efs:replication" in u for u in got.unknown)


def test_an_azure_storage_copy_is_named_by_how_it_is_made():
    """Blind azure12: an object-replication copy (another storage account) was named ``azure-grs``, the account's
    own geo-secondary's mechanism; the recovery model already priced it as object replication."""
    from resilience.graph import build_graph
    from resilience.model import REPLICATES_TO, Edge, Inventory
    from resilience.survival import AZURE_GRS, AZURE_OBJECT_REPLICATION
    from tests.conftest import res

    base = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/"
    source, other = base + "stshopuaen", base + "stshopweu"
    secondary = f"{source}#secondary"
    resources = [res(rid, "object_store", region=region, type_="Microsoft.Storage/storageAccounts")
                 for rid, region in ((source, "uaenorth"), (other, "westeurope"), (secondary, "uaecentral"))]
    for r in resources:
        r.provider = "azure"
    graph = build_graph(Inventory(resources=resources, edges=[
        Edge(source, secondary, REPLICATES_TO, "storage:ListAccounts"),
        Edge(source, other, REPLICATES_TO, "storage:objectreplication")]))
    mechanisms = {c.id: c.mechanism for c in data_copies(graph, source)}
    assert mechanisms == {secondary: AZURE_GRS, other: AZURE_OBJECT_REPLICATION}
