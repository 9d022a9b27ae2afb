"""The recovery estimate never prices a recovery the survival engine says cannot serve: a dependency lost
with the failed area that nothing replaces (a NAT gateway, an image repository, a secret, an AMI) is a step of
its own, unbounded unless the policy's recovery model says how long a rebuild takes."""

from __future__ import annotations

from resilience import recovery, simulate
from resilience.survival import Scenario, assess

NAT_IN_ONE_ZONE = {
    "resources": {
        "www": {"kind": "dns_record", "workload": "egress",
                "attrs": {"dns_name": "egress.example.com", "record_type": "A", "public": True, "routing": "simple"}},
        "lb": {"kind": "load_balancer", "region": "me-central-1", "zones": ["mec1-az1", "mec1-az2"], "workload": "egress"},
        "asg": {"kind": "compute_group", "region": "me-central-1", "zones": ["mec1-az2"], "workload": "egress"},
        "nat": {"kind": "network_gateway", "type": "AWS::EC2::NatGateway", "region": "me-central-1",
                "zones": ["mec1-az1"]},
    },
    "edges": [["www", "routes_to", "lb"], ["lb", "routes_to", "asg"], ["asg", "depends_on", "nat"]],
    "policy": {"version": 1, "workloads": {"egress": {"match": {"tags": {"resilience:workload": "egress"}},
                                                        "objectives": {"az": {"rto": "1h", "rpo": "0"}}}}},
}


def test_a_lost_dependency_nothing_replaces_makes_the_estimate_unbounded(estate):
    e = estate(NAT_IN_ONE_ZONE)
    scenario = Scenario.zones("mec1-az1")
    impact = assess(e.graph, "egress", scenario)
    assert not impact.serving and impact.broken_chain[-1] == e.id("nat")
    est = recovery.estimate_for_scenario(e.graph, "egress", scenario, policy=e.policy)
    step = next(s for s in est.steps if s.resource == e.id("nat"))
    assert step.model_key == "compute-redeploy" and step.role == "dependency"
    assert recovery.is_unbounded(est.rto)


def test_the_simulation_and_the_objective_agree_with_survival(estate):
    e = estate(NAT_IN_ONE_ZONE)
    spec = simulate.build_scenario(zones=["mec1-az1"], policy=e.policy)
    outcome = simulate.evaluate(e.graph, e.policy, spec, "egress")
    assert outcome.outcome == "down" and outcome.rto_unbounded and outcome.meets_objectives is False


# A blind GCP estate: the workload serves from me-central1 behind its load balancer; a second service in
# europe-west3 takes no traffic. Losing europe-west3, survival said "survives, no failover needed" while the
# estimate priced a rebuild of the lost service: unbounded.
UNUSED_SERVICE_ELSEWHERE = {
    "resources": {
        "www": {"kind": "dns_record", "workload": "ledger",
                "attrs": {"dns_name": "ledger.example.com", "record_type": "A", "public": True, "routing": "simple"}},
        "lb": {"kind": "load_balancer", "region": "me-central1", "zones": ["me-central1-a", "me-central1-b"],
               "workload": "ledger"},
        "api": {"kind": "compute_group", "region": "me-central1", "zones": ["me-central1-a", "me-central1-b"],
                "workload": "ledger", "attrs": {"desired_capacity": 2}},
        "api-eu": {"kind": "function", "region": "europe-west3", "workload": "ledger"},
    },
    "edges": [["www", "routes_to", "lb"], ["lb", "routes_to", "api"]],
    "policy": {"version": 1, "workloads": {"ledger": {"match": {"tags": {"resilience:workload": "ledger"}},
                                                        "objectives": {"region": {"rto": "1h"}}}}},
}


def test_a_lost_component_the_workload_serves_without_is_not_a_recovery(estate):
    e = estate(UNUSED_SERVICE_ELSEWHERE)
    scenario = Scenario(failed_regions=frozenset({"europe-west3"}))
    assert assess(e.graph, "ledger", scenario).serving
    est = recovery.estimate_for_scenario(e.graph, "ledger", scenario, policy=e.policy)
    step = next(s for s in est.steps if s.resource == e.id("api-eu"))
    assert (step.model_key, step.rto) == ("serving-without-it", 0)
    assert est.rto == 0
    # losing the region that serves is still a rebuild: nothing of its kind survives there
    lost = recovery.estimate_for_scenario(e.graph, "ledger", Scenario(failed_regions=frozenset({"me-central1"})),
                                          policy=e.policy)
    assert not assess(e.graph, "ledger", Scenario(failed_regions=frozenset({"me-central1"}))).serving
    assert recovery.is_unbounded(lost.rto)


# Blind aws10: an Aurora cluster (storage over three zones) with one writer and no reader, nothing else in the
# workload. ZONAL-001 passed the writer's zone ("survives, no failover needed": nothing was judged as serving)
# while ZONAL-003 said the zone stops the cluster and the estimate priced aurora-no-replica.
def _aurora(compute: bool) -> dict:
    resources = {
        "ledger": {"kind": "database", "type": "AWS::RDS::DBCluster", "region": "me-central-1", "workload": "ledger",
                   "zones": ["mec1-az1", "mec1-az2", "mec1-az3"],
                   "attrs": {"engine": "aurora-postgresql", "role": "primary", "backup_retention_days": 7}},
        "writer": {"kind": "database", "region": "me-central-1", "zones": ["mec1-az1"], "workload": "ledger",
                   "attrs": {"engine": "aurora-postgresql", "role": "member", "multi_az": False,
                             "backup_retention_days": 7, "cluster_id": "@ledger"}},  # as the RDS collector sets
    }
    edges = [["writer", "member_of", "ledger"]]
    if compute:
        resources["app"] = {"kind": "compute_group", "region": "me-central-1", "zones": ["mec1-az1", "mec1-az2"],
                            "workload": "ledger"}
        edges.append(["app", "depends_on", "ledger"])
    return {"resources": resources, "edges": edges,
            "policy": {"version": 1, "workloads": {"ledger": {"match": {"tags": {"resilience:workload": "ledger"}},
                                                               "objectives": {"az": {"rto": "5m", "rpo": "1m"}}}}}}


def test_a_database_only_workload_stops_with_its_cluster_writer_zone(estate):
    e = estate(_aurora(compute=False))
    impact = assess(e.graph, "ledger", Scenario.zones("mec1-az1"))
    assert impact.entry_points == ["ledger"]
    assert not impact.serving and impact.data_intact and impact.broken_chain == [e.id("ledger")]
    assert "every instance of the cluster is down: writer in zone mec1-az1" in impact.why
    assert assess(e.graph, "ledger", Scenario.zones("mec1-az2")).survives
    region = assess(e.graph, "ledger", Scenario.regions("me-central-1"))
    assert not region.serving and not region.data_intact  # stops, and no copy outside the region


def test_a_cluster_without_a_reader_is_priced_as_aurora_recreating_its_writer(estate):
    """Whether the cluster is reached through compute or directly, the estimate prices the cluster's own
    recovery (a new writer, the volume survives), not a rebuild of the lost instance."""
    for compute in (True, False):
        e = estate(_aurora(compute))
        scenario = Scenario.zones("mec1-az1")
        assert not assess(e.graph, "ledger", scenario).serving
        est = recovery.estimate_for_scenario(e.graph, "ledger", scenario, policy=e.policy)
        assert [s.model_key for s in est.steps if s.resource == e.id("ledger")] == ["aurora-no-replica"], compute
        assert not any(s.model_key == "compute-redeploy" for s in est.steps), compute
        assert est.rto == 600, compute
