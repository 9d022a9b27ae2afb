"""Autoscale settings (Microsoft.Insights/autoscalesettings, Resource Graph ``compute`` family) on the scale sets
they size: min / max / desired as an Auto Scaling group carries them. Azure does not recreate the instances a
scale set loses with a zone; only a scale-out adds instances in the zones left, so a zone-spanning scale set
whose autoscale maximum is above its capacity is priced like an ASG, and one capped at its size is not. A
single-zone scale set autoscales only within its zone: headroom does not save it (issue 12)."""

from __future__ import annotations

import pytest

from resilience import recovery
from resilience.graph import build_graph
from resilience.model import Inventory
from resilience.policy import parse_policy
from resilience.survival import Scenario

from .helpers import by_name
from .test_azure_transform import LOCATIONS, RG, _run

VMSS_TYPE = "Microsoft.Compute/virtualMachineScaleSets"


def _rows(zones: list[str], capacity: int, *, maximum: int | None, enabled: bool = True,
          zone_balance: bool | None = None, scheduled_maximum: int | None = None) -> list[dict]:
    vmss = f"{RG}/providers/Microsoft.Compute/virtualMachineScaleSets/web"
    rows = [{"id": vmss, "name": "web", "type": VMSS_TYPE, "location": "uaenorth", "zones": zones,
             "sku": {"name": "Standard_D2s_v5", "tier": "Standard", "capacity": capacity}, "tags": {"app": "web"},
             "properties": {"orchestrationMode": "Uniform", "zoneBalance": zone_balance}}]
    if maximum is not None:
        profiles = [{"name": "default", "capacity": {"minimum": str(capacity), "maximum": str(maximum),
                                                     "default": str(capacity)}, "rules": []}]
        if scheduled_maximum is not None:  # a weekend profile first: the default one still gives the bounds
            profiles.insert(0, {"name": "weekend", "capacity": {"minimum": "1", "maximum": str(scheduled_maximum),
                                                                "default": "1"}, "rules": [],
                                "recurrence": {"frequency": "Week", "schedule": {
                                    "timeZone": "UTC", "days": ["Saturday"], "hours": [0], "minutes": [0]}}})
        # the Resource Graph row of an autoscale setting (type lower-cased as Resource Graph returns it)
        rows.append({"id": f"{RG}/providers/microsoft.insights/autoscalesettings/web-autoscale",
                     "name": "web-autoscale", "type": "microsoft.insights/autoscalesettings", "location": "uaenorth",
                     "properties": {"enabled": enabled, "targetResourceUri": vmss.lower(), "profiles": profiles,
                                    "targetResourceLocation": "uaenorth", "notifications": []}})
    return rows


def _zone_loss(rows):
    t = _run(rows, locations=LOCATIONS)
    inventory = Inventory(resources=t.resources, edges=t.edges)
    graph = build_graph(inventory, parse_policy("version: 1\nworkloads:\n  web: {match: {tags: {app: web}}}\n",
                                                "<test>"))
    estimate = recovery.estimate_for_scenario(graph, "web", Scenario.zones("uaenorth-az3"))  # logical zone 1
    [step] = [s for s in estimate.steps if s.name == "web"]
    return by_name(inventory, "virtualMachineScaleSets/web"), step, estimate


def test_the_autoscale_bounds_go_onto_the_scale_set_it_targets():
    vmss, _step, _estimate = _zone_loss(_rows(["1", "2"], 4, maximum=10, scheduled_maximum=2))
    a = vmss.attrs
    assert (a["min_size"], a["max_size"], a["desired_capacity"]) == (4, 10, 4)  # the default profile's bounds
    assert a["autoscale_enabled"] is True and a["autoscale_setting"].endswith("/web-autoscale")
    assert [p["name"] for p in a["autoscale_profiles"]] == ["weekend", "default"]
    assert a["replaces_lost_instances"] is False


def test_a_zone_spanning_scale_set_that_can_scale_out_is_priced_like_an_auto_scaling_group():
    _vmss, step, estimate = _zone_loss(_rows(["1", "2"], 4, maximum=10))
    assert step.model_key == "asg-multi-az" and step.rto == 0
    assert not any("reduced capacity" in n for n in estimate.notes)


@pytest.mark.parametrize("rows, why", [
    (_rows(["1", "2"], 4, maximum=4), "autoscale maximum (4) is its current capacity (4)"),
    (_rows(["1", "2"], 4, maximum=None), "no autoscale setting is enabled"),
    (_rows(["1", "2"], 4, maximum=10, enabled=False), "no autoscale setting is enabled"),
    (_rows(["1", "2"], 4, maximum=10, zone_balance=True), "strict zone balance"),
])
def test_a_zone_spanning_scale_set_that_cannot_scale_out_keeps_serving_with_fewer_instances(rows, why):
    _vmss, step, estimate = _zone_loss(rows)
    assert step.model_key == "scale-set-no-scale-out", (step.model_key, step.reasoning)
    assert why in step.reasoning
    assert any(n.startswith("reduced capacity: web") for n in estimate.notes), estimate.notes


def test_one_instance_left_capped_needs_someone_to_raise_the_capacity():
    _vmss, step, _estimate = _zone_loss(_rows(["1", "2"], 1, maximum=1))
    assert step.model_key == "instance-launch" and "someone must raise the capacity" in step.reasoning


def test_a_single_zone_scale_set_is_lost_with_its_zone_whatever_its_autoscale_maximum():
    """Autoscale adds instances only in the scale set's own zones: headroom does not move it elsewhere."""
    for maximum in (3, 30):
        vmss, step, estimate = _zone_loss(_rows(["1"], 3, maximum=maximum))
        assert vmss.attrs["max_size"] == maximum
        assert step.model_key == "compute-redeploy", (maximum, step.model_key, step.reasoning)
        assert recovery.is_unbounded(estimate.rto)
