"""Outcome per workload on small graphs: the cases issue 5 names, plus duration and blast radius."""

from __future__ import annotations

import json

import pytest

from resilience import simulate, tabletop
from resilience.errors import InputError
from resilience.graph import build_graph
from resilience.model import DEPENDS_ON, FAILS_OVER_TO, MEMBER_OF, REPLICATES_TO, Edge
from resilience.policy import parse_policy
from tests.conftest import SCAN_TIME
from tests.simulate import estates


def run(estate, **scenario):
    inventory, policy = estate if isinstance(estate, tuple) else estate()
    spec = simulate.build_scenario(policy=policy, **scenario)
    return simulate.run(inventory, policy, spec, SCAN_TIME)


def one(sim, name):
    return next(w for w in sim.workloads if w.name == name)


def test_multi_az_single_region_is_down_when_its_region_fails():
    sim = run(estates.multi_az_single_region, regions=["me-central-1"])
    w = one(sim, "checkout")
    assert w.outcome == "down"
    assert not w.serving and not w.data_intact  # in-region automated backups go with the region
    assert w.estimated_rto is None and w.rto_unbounded and w.rpo_unbounded
    assert w.meets_objectives is False
    assert w.objectives == {"rto": 4 * 3600, "rpo": 3600}
    assert "me-central-1" in w.why


def test_multi_az_survives_one_zone():
    sim = run(estates.multi_az_single_region, zones=["mec1-az1"])
    w = one(sim, "checkout")
    assert w.outcome == "survives" and w.disruption == "az"
    assert w.objectives == {"rto": 30 * 60, "rpo": 5 * 60}


def test_active_passive_survives_within_objectives():
    sim = run(estates.active_passive(rto="4h", rpo="1h"), regions=["me-central-1"])
    w = one(sim, "payments")
    assert w.outcome == "survives" and w.meets_objectives is True
    mechanisms = {m for _, _, m in w.failovers}
    assert {"dns-failover", "promote-replica"} <= mechanisms
    assert any("payments-db-replica" in f for f in w.to_dict()["failover"])
    # promoting the replica is an API call, in the surviving region: called out, not blocking
    promote = [c for c in w.control_plane_actions if c["mechanism"] == "promote-replica"]
    assert promote and promote[0]["region"] == "eu-central-1" and not promote[0]["in_failed_region"]
    assert 0 < w.estimated_rto <= 4 * 3600


def test_active_passive_is_degraded_when_objectives_are_tighter_than_the_failover():
    sim = run(estates.active_passive(rto="10s", rpo="0"), regions=["me-central-1"])
    w = one(sim, "payments")
    assert w.serving and w.data_intact
    assert w.outcome == "degraded" and w.meets_objectives is False


def test_failover_needing_the_failed_regions_control_plane_is_not_counted():
    inventory, policy = estates.active_passive()
    db, replica = next((e.src, e.dst) for e in inventory.edges if e.kind == REPLICATES_TO)
    # e.g. a managed switchover that must be started from the primary's region
    inventory.edges.append(Edge(db, replica, FAILS_OVER_TO, "test", {"needs_control_plane_in": "me-central-1"}))
    w = one(run((inventory, policy), regions=["me-central-1"]), "payments")
    assert w.outcome == "down"
    blocked = [c for c in w.control_plane_actions if c["in_failed_region"]]
    assert blocked and blocked[0]["region"] == "me-central-1"


def test_compute_in_two_regions_with_data_pinned_in_the_failed_one_is_down():
    sim = run(estates.two_region_compute_pinned_data, regions=["me-central-1"])
    w = one(sim, "mobile-api")
    assert w.outcome == "down" and not w.serving
    assert "sessions" in w.why
    # the eu-west-1 function is not in the failed region: it fails through its dependency
    by_id = {e.id: e for e in sim.blast.entries}
    far = by_id[estates.arn("lambda", "eu-west-1", "function:mobile-api")]
    assert far.how == "dependency" and far.reason == "depends on sessions"
    assert far.name == "mobile-api (eu-west-1)"  # same name in two regions: qualified
    assert by_id[estates.arn("dynamodb", "me-central-1", "table/sessions")].how == "direct"


def test_replica_in_the_same_failure_domain_survives_one_region_but_not_the_gulf():
    single = one(run(estates.replicated_within_gulf, regions=["me-central-1"]), "fx-rates")
    assert single.outcome == "survives" and single.serving and single.data_intact
    sim = run(estates.replicated_within_gulf, name="gulf-2026")
    gulf = one(sim, "fx-rates")
    assert gulf.outcome == "down"
    assert sim.spec.failed_regions == ("me-central-1", "me-south-1") and sim.spec.duration == 86400


def test_single_region_loss_notes_the_correlated_region_it_keeps():
    sim = run(estates.replicated_within_gulf, regions=["me-central-1"])
    # only regions the estate uses are named (the built-in Gulf domain also holds Azure and GCP regions)
    assert sim.correlated == [{"domain": "gulf", "failed": ["me-central-1"], "kept": ["me-south-1"],
                               "suggest": "resilience simulate --scenario gulf-2026"}]


def test_single_az_workload_is_down_when_its_zone_fails():
    sim = run(estates.single_az, zones=["mec1-az1"])
    w = one(sim, "reconciliation")
    assert w.outcome == "down" and not w.serving and not w.data_intact
    assert w.meets_objectives is None  # none declared: said so, not guessed
    assert any("no az objectives" in n for n in w.notes)


def test_waiting_out_the_outage_is_the_recovery_when_it_is_shorter():
    sim = run(estates.multi_az_single_region, regions=["me-central-1"], duration="24h")
    w = one(sim, "checkout")
    assert w.waited_out and w.outcome == "down"
    assert w.estimated_rto == 86400 and not w.rto_unbounded
    assert w.estimated_rpo == 0 and any(n.startswith("RPO 0 only if me-central-1 comes back") for n in w.notes)
    assert w.why.endswith("waiting out the 24-hour outage is the recovery")


def test_a_recovery_shorter_than_the_outage_is_kept():
    w = one(run(estates.active_passive(), regions=["me-central-1"], duration="24h"), "payments")
    assert not w.waited_out and w.outcome == "survives" and w.estimated_rto < 86400


def test_unaffected_workloads_survive_untouched():
    sim = run(estates.combined(), zones=["euc1-az2"])
    checkout = one(sim, "checkout")
    assert not checkout.affected and checkout.outcome == "survives"
    assert "not touched by this scenario" in checkout.why
    assert checkout.estimated_rto == 0 and checkout.estimated_rpo == 0


def test_simulation_json_follows_contract_4(tmp_path):
    inventory, policy = estates.combined()
    paths = tabletop.run_and_write(inventory, policy, "gulf-2026", tmp_path, ("json", "md", "csv"), SCAN_TIME)
    assert [p.name for p in paths] == ["simulation.json", "tabletop.md"]  # csv is not ours: ignored
    text = (tmp_path / "simulation.json").read_text()
    assert "Infinity" not in text and "NaN" not in text
    doc = json.loads(text)
    assert doc["schema"] == "resilience.simulation/v1"
    assert doc["scenario"]["failed_regions"] == ["me-central-1", "me-south-1"]
    assert doc["scenario"]["failed_zones"] == [] and doc["scenario"]["duration"] == 86400
    assert doc["scenario"]["name"] == "gulf-2026"
    assert {w["name"] for w in doc["workloads"]} == {"checkout", "payments", "mobile-api", "fx-rates",
                                                      "reconciliation"}
    for w in doc["workloads"]:
        assert {"name", "outcome", "estimated_rto", "estimated_rpo", "objectives", "meets_objectives", "lost",
                "failover", "why"} <= set(w)
        assert w["outcome"] in ("down", "degraded", "survives")
        assert set(w["objectives"]) == {"rto", "rpo"}
        assert all(isinstance(x, int) or x is None for x in (w["estimated_rto"], w["estimated_rpo"]))
        assert w["meets_objectives"] in (True, False, None)
        assert all(" -> " in f for f in w["failover"])
        assert isinstance(w["why"], str) and w["why"] and "\n" not in w["why"]
        assert {"rto_unbounded", "rpo_unbounded", "control_plane_actions", "strategy", "steps"} <= set(w)
    assert doc["source"]["inventory_sha256"] and doc["blast_radius"]["resources"]


def test_unbounded_estimates_are_null_with_a_flag():
    doc = run(estates.multi_az_single_region, regions=["me-central-1"]).to_dict()
    w = doc["workloads"][0]
    assert w["estimated_rto"] is None and w["rto_unbounded"] is True
    assert w["estimated_rpo"] is None and w["rpo_unbounded"] is True


def test_works_on_a_graph_as_well_as_an_inventory():
    inventory, policy = estates.single_az()
    graph = build_graph(inventory, policy)
    sim = simulate.run(graph, policy, simulate.build_scenario(zones=["mec1-az1"]), SCAN_TIME)
    assert one(sim, "reconciliation").outcome == "down"


@pytest.mark.parametrize("kwargs, message", [
    ({}, "empty scenario"),
    ({"name": "atlantis-2030"}, "unknown scenario 'atlantis-2030'"),
    ({"regions": ["me-central-1"], "duration": "a day"}, "--duration"),
    ({"regions": ["me-central-1"], "duration": "0"}, "--duration"),
    ({"zones": ["not a zone!"]}, "bad zone"),
])
def test_bad_scenarios_are_input_errors(kwargs, message):
    with pytest.raises(InputError, match=message):
        simulate.build_scenario(**kwargs)


def test_unknown_region_is_an_input_error():
    inventory, policy = estates.single_az()
    with pytest.raises(InputError, match="unknown region 'me-centrl-1'"):
        simulate.run(inventory, policy, simulate.build_scenario(regions=["me-centrl-1"]), SCAN_TIME)


def test_zone_name_where_the_inventory_has_ids_is_an_input_error():
    inventory, policy = estates.single_az()
    with pytest.raises(InputError, match="availability-zone id"):
        simulate.run(inventory, policy, simulate.build_scenario(zones=["me-central-1a"]), SCAN_TIME)


def test_named_scenarios_and_failure_domains():
    assert {"gulf-2026", "uae-2026", "uae-north-2026", "gulf-2026-multicloud"} <= set(simulate.NAMED_SCENARIOS)
    spec = simulate.build_scenario(name="gulf", duration="6h")  # a failure-domain name works too
    assert {"me-central-1", "me-south-1"} <= set(spec.failed_regions) and spec.duration == 6 * 3600
    policy = parse_policy("version: 1\nfailure_domains:\n  dublin-london: [eu-west-1, eu-west-2]\n", "p.yaml")
    spec = simulate.build_scenario(name="dublin-london", policy=policy)
    assert spec.failed_regions == ("eu-west-1", "eu-west-2") and spec.duration == 86400
    extra = simulate.build_scenario(name="uae-2026", regions=["eu-west-1"])
    assert extra.failed_regions == ("me-central-1", "eu-west-1") and "eu-west-1" in extra.heading
    valid = set(simulate.NAMED_SCENARIOS["uae-north-2026"].failed_regions)
    assert valid == {"uaenorth", "uaecentral"}


def test_a_smaller_standby_is_degraded_with_reduced_capacity():
    inventory, policy = estates.active_passive()
    standby = next(r for r in inventory.resources if r.kind == "compute_group" and r.region == "eu-central-1")
    standby.attrs["desired_capacity"] = 1  # pilot light: 1 instance where 4 ran
    w = one(run((inventory, policy), regions=["me-central-1"]), "payments")
    assert w.serving and w.outcome == "degraded"
    assert any(n.startswith("reduced capacity: 1 instance(s) desired where 4 were lost") for n in w.notes)


def test_components_survival_keeps_do_not_set_the_estimate():
    # the Multi-AZ database's in-place failover counts (a real, short interruption) ...
    w = one(run(estates.active_passive(), zones=["mec1-az1"]), "payments")
    assert w.outcome == "survives"
    db = next(s for s in w.steps if s["name"] == "payments-db")
    assert db["counted"] and db["model_key"] == "rds-multi-az-instance" and w.estimated_rto == db["rto"]
    # ... but a data volume nobody in the workload needs (the root volume of a replaced instance) does not
    inventory, policy = estates.multi_az_single_region()
    asg = next(r for r in inventory.resources if r.kind == "compute_group")
    inst = estates.arn("ec2", "me-central-1", "instance/i-0web")
    vol = estates.arn("ec2", "me-central-1", "volume/vol-0root")
    inventory.resources += [estates.res(inst, "instance", zones=("mec1-az1",), type_="AWS::EC2::Instance"),
                            estates.res(vol, "volume", zones=("mec1-az1",), type_="AWS::EC2::Volume",
                                        attrs={"size_gib": 8, "attached_to": [inst]})]
    inventory.edges += [Edge(inst, asg.id, MEMBER_OF, "test"), Edge(inst, vol, DEPENDS_ON, "test")]
    w = one(run((inventory, policy), zones=["mec1-az1"]), "checkout")
    assert w.outcome == "survives" and not w.rto_unbounded
    assert all(not s["counted"] for s in w.steps if s["resource"] == vol)


def test_the_last_recorded_test_is_carried_for_the_exercise():
    inventory, _ = estates.active_passive()
    policy = parse_policy(estates.ACTIVE_PASSIVE_POLICY.format(rto="4h", rpo="1h") + (
        "failover_tests:\n"
        "  - {workload: payments, scenario: region, date: 2026-03-01, result: fail}\n"
        "  - {workload: payments, scenario: region, date: 2026-09-14, result: pass, measured_rto: 38m,"
        " evidence: 'https://tickets.example.com/DR-2231'}\n"
        "  - {workload: payments, scenario: az, date: 2026-10-01, result: pass}\n"), "p.yaml")
    w = one(run((inventory, policy), regions=["me-central-1"]), "payments").to_dict()
    assert w["last_test"] == {"date": "2026-09-14", "result": "pass", "measured_rto": 2280, "measured_rpo": None,
                              "evidence": "https://tickets.example.com/DR-2231", "max_age": 365 * 86400}
