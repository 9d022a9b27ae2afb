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
