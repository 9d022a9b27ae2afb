"""One survival engine (issue #10 item 2): every takeover the simulator shows (blast radius
``taken_over_by``, and through it the tabletop's diagram and expected outcomes) is a failover
``survival.assess`` counted; nothing blocked by a failed control plane, and no DNS switch without a
health check, is ever shown as a takeover; what depends on a store whose failover cannot run is
impaired."""

from __future__ import annotations

import pytest

from resilience import simulate, survival
from resilience.graph import build_graph
from resilience.model import FAILS_OVER_TO, REPLICATES_TO, Edge
from tests.conftest import SCAN_TIME
from tests.simulate import estates

ESTATES = [estates.multi_az_single_region, estates.active_passive, estates.two_region_compute_pinned_data,
           estates.replicated_within_gulf, estates.single_az, estates.combined]


def blocked_active_passive():
    inventory, policy = estates.active_passive()
    db, replica = next((e.src, e.dst) for e in inventory.edges if e.kind == REPLICATES_TO)
    inventory.edges.append(Edge(db, replica, FAILS_OVER_TO, "test", {"needs_control_plane_in": "me-central-1"}))
    return inventory, policy


def unchecked_dns_active_passive():
    inventory, policy = estates.active_passive()
    for r in inventory.resources:
        r.attrs.pop("health_check_id", None)
    for e in inventory.edges:
        e.attrs.pop("health_check_id", None)
        if e.kind == FAILS_OVER_TO:
            e.attrs["health_checked"] = False
    return inventory, policy


def check_agreement(inventory, policy, regions):
    graph = build_graph(inventory, policy)
    for region in regions:
        spec = simulate.build_scenario(policy=policy, regions=[region])
        sim = simulate.simulate(graph, policy, spec, coverage=inventory.coverage, generated_at=SCAN_TIME)
        counted = {(a, b) for w in sim.workloads for a, b, _ in w.failovers}
        blocked = {f for w in sim.workloads for f in survival.assess(graph, w.name, spec.core).control_plane}
        for entry in sim.blast.entries:
            for target in entry.taken_over_by:
                assert (entry.id, target) in counted, (region, entry.id, target)
                assert not any(graph.nodes[target].get("name", target) in note and
                               graph.nodes[entry.id].get("name", entry.id) in note for note in blocked)


@pytest.mark.parametrize("make", [*ESTATES, blocked_active_passive, unchecked_dns_active_passive],
                         ids=lambda f: f.__name__)
def test_every_takeover_shown_is_a_failover_assess_counted(make):
    inventory, policy = make()
    regions = sorted({r.region for r in inventory.resources if r.region not in ("global", "unknown")})
    check_agreement(inventory, policy, regions)


def test_the_demo_takeovers_agree_with_assess():
    pytest.importorskip("moto")
    from resilience.demo import demo_scan

    scan = demo_scan()
    regions = sorted({r.region for r in scan.inventory.resources if r.region not in ("global", "unknown")})
    check_agreement(scan.inventory, scan.policy, regions)


def _sim(make, region="me-central-1"):
    inventory, policy = make()
    spec = simulate.build_scenario(policy=policy, regions=[region])
    return simulate.run(inventory, policy, spec, SCAN_TIME)


def test_a_blocked_promotion_is_not_a_takeover_and_the_dr_compute_that_needs_it_is_impaired():
    sim = _sim(blocked_active_passive)
    db = next(e for e in sim.blast.entries if e.name == "payments-db")
    assert db.taken_over_by == []
    dr_compute = [e for e in sim.blast.entries if e.region == "eu-central-1" and e.kind == "compute_group"]
    assert dr_compute and all(e.how == "dependency" and "payments-db" in e.reason for e in dr_compute)


def test_dns_failover_without_a_health_check_is_not_a_takeover():
    sim = _sim(unchecked_dns_active_passive)
    [w] = [w for w in sim.workloads if w.name == "payments"]
    assert not w.serving
    records = [e for e in sim.blast.entries if e.kind == "dns_record"]
    assert all(e.taken_over_by == [] for e in records)


def test_a_promotion_that_can_run_is_shown_as_a_takeover():
    sim = _sim(estates.active_passive)
    db = next(e for e in sim.blast.entries if e.name == "payments-db")
    assert [sim.graph.nodes[t]["name"] for t in db.taken_over_by] == ["payments-db-replica"]
