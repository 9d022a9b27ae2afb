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
