"""The simulator reports the recovery model's estimate for the scenario as it is, next to survival's
impact: no filter on the steps (``counted`` is always true), no forced-unbounded RPO, no
blocked-failover override. The recovery model and survival agree, so nothing needs papering over."""

from __future__ import annotations

import pytest

from resilience import recovery, simulate, survival
from resilience.graph import build_graph, workload_names
from resilience.model import DEPENDS_ON, FAILS_OVER_TO, MEMBER_OF, RECOVERY_POINT, REPLICATES_TO, Edge
from tests.conftest import SCAN_TIME
from tests.simulate import estates


def run(estate, **scenario):
    inventory, policy = estate if isinstance(estate, tuple) else estate()
    spec = simulate.build_scenario(policy=policy, **scenario)
    return simulate.run(inventory, policy, spec, SCAN_TIME)


def one(sim, name):
    return next(w for w in sim.workloads if w.name == name)


def blocked_active_passive():
    inventory, policy = estates.active_passive()
    db, replica = next((e.src, e.dst) for e in inventory.edges if e.kind == REPLICATES_TO)
    inventory.edges.append(Edge(db, replica, FAILS_OVER_TO, "test", {"needs_control_plane_in": "me-central-1"}))
    return inventory, policy


# --- 1. blocked failover: recovery's own estimate says there is no recovery path -------------------------


def test_a_blocked_promotion_is_recoverys_unbounded_rto_not_a_simulator_override():
    w = one(run(blocked_active_passive(), regions=["me-central-1"]), "payments")
    assert w.outcome == "down" and not w.serving
    step = next(s for s in w.steps if s["name"] == "payments-db")
    assert step["model_key"] == "control-plane-blocked" and step["rto_unbounded"] and step["counted"]
    assert w.rto_unbounded and w.estimated_rto is None
    # the replica keeps the data (survival: data_intact), so the RPO is its lag, not unbounded
    assert w.data_intact and w.estimated_rpo == 300 and not w.rpo_unbounded
    assert any(c["in_failed_region"] for c in w.control_plane_actions)


def test_a_blocked_promotion_is_described_once_and_never_as_a_failover_that_runs():
    # survival lists a blocked failover only in control_plane, so the simulator needs no de-duplication
    w = one(run(blocked_active_passive(), regions=["me-central-1"]), "payments")
    assert "promote-replica" not in {m for _, _, m in w.failovers}
    promote = [c for c in w.control_plane_actions if "payments-db-replica" in c["action"]]
    assert promote and all(c["in_failed_region"] and c["mechanism"] == "blocked" for c in promote)
    assert len({c["action"] for c in w.control_plane_actions}) == len(w.control_plane_actions)


def test_a_blocked_promotion_with_a_restorable_copy_elsewhere_is_restored_not_down():
    # the promotion cannot run, but a snapshot copied to eu-central-1 bounds the way back: the
    # simulator no longer overrides recovery's bounded estimate with "blocked, so no recovery path"
    inventory, policy = blocked_active_passive()
    db = next(e.src for e in inventory.edges if e.kind == REPLICATES_TO)
    copy = estates.arn("rds", "eu-central-1", "snapshot:payments-db-copy")
    inventory.resources.append(estates.res(copy, RECOVERY_POINT, region="eu-central-1", type_="AWS::RDS::DBSnapshot",
                                           attrs={"source_resource": db, "status": "available",
                                                  "created_at": "2026-11-20T03:00:00Z"}))
    w = one(run((inventory, policy), regions=["me-central-1"]), "payments")
    step = next(s for s in w.steps if s["name"] == "payments-db")
    assert step["model_key"] == "restore-cross-region-copy"
    assert not w.serving and not w.rto_unbounded and w.estimated_rto == step["rto"]
    assert w.outcome == "degraded"  # restorable elsewhere (short of its 1h RPO), no longer "down"


# --- 2 and 3. in-place failovers count; disposable volumes have no step at all -----------------------------


def test_multi_az_failover_with_one_recorded_zone_counts_in_the_az_rto():
    inventory, policy = estates.multi_az_single_region()
    db = next(r for r in inventory.resources if r.kind == "database")
    db.zones = ("mec1-az1",)  # MultiAZ true, standby zone not reported
    w = one(run((inventory, policy), zones=["mec1-az1"]), "checkout")
    assert w.outcome == "survives" and w.serving and w.data_intact
    assert w.estimated_rto == 120 and w.estimated_rpo == 0
    assert [s["model_key"] for s in w.steps if s["name"] == "checkout-db"] == ["rds-multi-az-instance"]


def test_a_group_that_must_launch_a_replacement_counts_its_launch_time():
    # survival keeps the group serving (it spans two zones), the table prices the relaunch: 5m
    inventory, policy = estates.multi_az_single_region()
    asg = next(r for r in inventory.resources if r.kind == "compute_group")
    asg.attrs.update(desired_capacity=1, min_size=1)
    w = one(run((inventory, policy), zones=["mec1-az2"]), "checkout")
    assert w.serving and w.estimated_rto == 300
    assert {s["model_key"] for s in w.steps} == {"instance-launch", "rds-multi-az-instance"}


def test_the_root_volume_of_an_auto_scaling_member_is_not_a_step():
    inventory, policy = estates.multi_az_single_region()
    asg = next(r for r in inventory.resources if r.kind == "compute_group")
    inst = estates.arn("ec2", "me-central-1", "instance/i-0web")
    vol = estates.arn("ec2", "me-central-1", "volume/vol-0root")
    tags = {"app": "checkout"}  # members of the workload, so on its serving path
    inventory.resources += [estates.res(inst, "instance", zones=("mec1-az1",), tags=tags, type_="AWS::EC2::Instance"),
                            estates.res(vol, "volume", zones=("mec1-az1",), tags=tags, type_="AWS::EC2::Volume",
                                        attrs={"size_gib": 8, "attached_to": [inst]})]
    inventory.edges += [Edge(inst, asg.id, MEMBER_OF, "test"), Edge(inst, vol, DEPENDS_ON, "test")]
    w = one(run((inventory, policy), zones=["mec1-az1"]), "checkout")
    assert vol not in {s["resource"] for s in w.steps} and vol not in w.lost_data
    assert w.outcome == "survives" and w.estimated_rto == 120 and w.estimated_rpo == 0


# --- 4. an unbounded RPO comes from recovery, where survival finds no copy ---------------------------------


def test_no_surviving_copy_is_recoverys_unbounded_rpo():
    w = one(run(estates.single_az, zones=["mec1-az1"]), "reconciliation")
    assert not w.data_intact and w.rpo_unbounded and w.estimated_rpo is None
    assert any(s["model_key"] == "no-copy" and s["rpo_unbounded"] for s in w.steps)


def test_a_dns_name_without_health_check_is_a_manual_switch_for_the_simulator_too():
    # survival: DNS cannot see the failure, so the workload stops serving; recovery: manual-dns-switch,
    # unbounded. The DNS record is no workload member: the old step filter dropped it and reported 10m.
    inventory, policy = estates.active_passive()
    primary = next(r for r in inventory.resources if r.kind == "dns_record" and r.attrs.get("health_check_id"))
    primary.attrs["health_check_id"] = None
    for edge in inventory.edges:
        edge.attrs.pop("health_check_id", None)
        if edge.kind == FAILS_OVER_TO:
            edge.attrs["health_checked"] = False
    w = one(run((inventory, policy), regions=["me-central-1"]), "payments")
    assert not w.serving and w.rto_unbounded and w.outcome == "down"
    assert "manual-dns-switch" in {s["model_key"] for s in w.steps}


SCENARIOS = [{"regions": ["me-central-1"]}, {"regions": ["eu-central-1"]}, {"name": "gulf-2026"},
             {"regions": ["me-central-1"], "duration": "2h"}, {"zones": ["mec1-az1"]}, {"zones": ["euc1-az1"]}]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: "-".join(f"{k}={v}" for k, v in s.items()))
def test_the_simulated_estimate_is_the_recovery_models(scenario):
    inventory, policy = estates.combined()
    sim = run((inventory, policy), **scenario)
    graph = build_graph(inventory, policy)
    for name in workload_names(graph, policy):
        w = one(sim, name)
        est = recovery.estimate_for_scenario(graph, name, sim.spec.core, policy=policy, duration=sim.spec.duration)
        assert (w.estimated_rto, w.rto_unbounded) == (recovery.json_seconds(est.rto), recovery.is_unbounded(est.rto))
        assert (w.estimated_rpo, w.rpo_unbounded) == (recovery.json_seconds(est.rpo), recovery.is_unbounded(est.rpo))
        assert all(s["counted"] for s in w.steps)
        impact = survival.assess(graph, name, sim.spec.core)
        assert (w.serving, w.data_intact) == (impact.serving, impact.data_intact)
        if not impact.data_intact and not w.waited_out:
            assert w.rpo_unbounded  # recovery's own answer, in agreement with survival


# --- 5. survival's sentence names two resources of one name apart -----------------------------------------


def test_the_simulators_why_qualifies_same_named_resources_by_region():
    w = one(run(estates.replicated_within_gulf, name="gulf-2026"), "fx-rates")
    assert "no surviving copy of rates (me-central-1) and rates (me-south-1)" in w.why


def test_survivals_why_names_same_named_resources_apart():
    inventory, policy = estates.replicated_within_gulf()
    impact = survival.assess(build_graph(inventory, policy), "fx-rates",
                             survival.Scenario.regions("me-central-1", "me-south-1"))
    assert "rates and rates" not in impact.why
