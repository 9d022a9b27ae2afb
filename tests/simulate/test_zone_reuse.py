"""A zone scenario that takes down nothing the assessment without failure read gets that assessment's
verdict (``survival._assess_or_reuse``, issue 17). The shortcut must give exactly what the full walk
gives, for every workload and zone of the demo and of the simulator's estates."""

from __future__ import annotations

import pytest

from resilience import survival
from resilience.coverage_index import coverage_index
from resilience.graph import build_graph, workload_names
from resilience.graph_facts import possible_zones, zones_of_node
from tests.simulate import estates

ESTATES = [estates.multi_az_single_region, estates.active_passive, estates.two_region_compute_pinned_data,
           estates.replicated_within_gulf, estates.single_az, estates.combined]


def _graphs():
    for build in ESTATES:
        inventory, policy = build()
        yield build.__name__, build_graph(inventory, policy), inventory.coverage
    pytest.importorskip("moto")
    from resilience.demo import demo_scan

    demo = demo_scan()
    yield "demo", demo.graph, demo.inventory.coverage
    yield "regional placement", _regional_vm_graph(), ()


def _regional_vm_graph():
    """An Azure VM with no zones (regional placement: in a zone Azure does not report) beside a zonal one."""
    from resilience.collectors.azure.transform import transform_subscription
    from resilience.model import Inventory

    sub = "00000000-0000-0000-0000-000000000001"
    locations = [{"name": "westeurope", "metadata": {"regionType": "Physical"}, "availabilityZoneMappings": [
        {"logicalZone": str(i), "physicalZone": f"westeurope-az{i}"} for i in (1, 2, 3)]}]
    rows = [{"id": f"/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/{name}",
             "name": name, "type": "Microsoft.Compute/virtualMachines", "location": "westeurope",
             "tags": {"resilience:workload": name}, "properties": {}, **extra}
            for name, extra in (("regional", {}), ("pinned", {"zones": ["1"]}))]
    t = transform_subscription(sub, "2026-09-01T06:00:00+00:00", locations=locations, rows=rows)
    return build_graph(Inventory(resources=t.resources, edges=t.edges))


def _touched(graph, read, scenario):
    return any(survival.node_down(graph, n, scenario) or survival.placement_risk(graph, n, scenario) for n in read)


def _zone_scenarios(graph):
    zones = sorted({z for n in graph.nodes for z in zones_of_node(graph._node[n]) or possible_zones(graph._node[n])})
    return [survival.Scenario.zones(z) for z in zones] + [survival.Scenario.zones(*zones[:2])]


def test_the_reused_verdict_is_the_full_walks_verdict():
    reused = walked = 0
    for name, graph, coverage in _graphs():
        index = coverage_index([c for c in coverage if c.status != "ok"])
        for workload in workload_names(graph):
            for scenario in _zone_scenarios(graph):
                unfailed, _, read = survival._assess(graph, workload, survival.Scenario(), index)
                full = survival._assess(graph, workload, scenario, index)[0]
                got = survival._assess_or_reuse(graph, workload, scenario, index)
                assert (got.to_dict(), got.why) == (full.to_dict(), full.why), (name, workload, scenario)
                if _touched(graph, read, scenario):
                    walked += 1
                else:
                    reused += 1
                    assert (full.serving, full.data_intact) == (unfailed.serving, unfailed.data_intact)
    assert reused and walked  # both paths were taken


def test_a_zone_that_takes_down_a_read_node_is_walked():
    inventory, policy = estates.single_az()
    graph = build_graph(inventory, policy)
    workload = workload_names(graph)[0]
    zone = next(z for n in graph.nodes for z in zones_of_node(graph._node[n]))
    got = survival._assess_or_reuse(graph, workload, survival.Scenario.zones(zone), coverage_index([]))
    assert not got.survives and zone in got.why


def test_a_zone_that_may_hold_a_node_of_unreported_zone_is_walked():
    """The regional VM is up in the walk without failure and no zone takes it down for sure, but each
    zone of its region may hold it: the reuse must not hand back the unfailed pass."""
    graph = _regional_vm_graph()
    for zone in ("westeurope-az1", "westeurope-az2"):
        got = survival._assess_or_reuse(graph, "regional", survival.Scenario.zones(zone), coverage_index([]))
        assert got.survives and got.unknown and "may be in failed zone " + zone in got.unknown[0]
