"""A read made for one resource (one web app's settings, one server's failover groups, one instance's
backup runs) that fails puts only the verdicts relying on that resource in doubt. A blind Azure estate
found one app's 403 making every app of its region "rely on it": 15 results unknown whose settings were
read fine."""

from __future__ import annotations

from resilience.collectors.multicloud import CoverageLog
from resilience.graph import build_graph
from resilience.model import Coverage, Inventory, Resource
from resilience.policy import parse_policy
from resilience.survival import Scenario, assess

SITES = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites"


def test_the_log_names_the_resources_while_every_failure_was_a_per_resource_read():
    log = CoverageLog("azure")
    log.record("s", "uaenorth", "web:settings", "ok", resource=f"{SITES}/b")
    log.record("s", "uaenorth", "web:settings", "denied", "a: 403", resource=f"{SITES}/a")
    log.record("s", "westeurope", "web:settings", "denied", "c: 403", resource=f"{SITES}/c")
    log.record("s", "westeurope", "web:settings", "error", "the list failed")  # scope-wide
    by_region = {c.region: c for c in log.records()}
    assert (by_region["uaenorth"].status, by_region["uaenorth"].resources) == ("denied", (f"{SITES}/a",))
    assert by_region["westeurope"].resources == ()  # one scope-wide failure: the whole scope is in doubt


def test_a_record_applies_to_its_resource_and_what_belongs_to_it_only():
    record = Coverage("azure", "s", "uaenorth", "web:settings", "denied", resources=(f"{SITES}/A",))
    assert record.applies_to(f"{SITES}/a") and record.applies_to(f"{SITES}/a/slots/x")
    assert record.applies_to(f"{SITES}/a#backups") and not record.applies_to(f"{SITES}/ab")
    assert Coverage("azure", "s", "uaenorth", "web", "denied").applies_to("anything")
    # inventory.json keeps the field only when set, so every record without it is written as before
    assert "resources" not in Coverage("azure", "s", "r", "web", "ok").to_dict()
    assert Inventory.from_dict({"schema": Inventory.SCHEMA, "meta": {}, "resources": [], "edges": [],
                                "coverage": [record.to_dict()]}).coverage[0].resources == (f"{SITES}/A",)


def _app(name: str) -> Resource:
    return Resource(id=f"{SITES}/{name}", provider="azure", account="s", region="uaenorth", kind="compute_group",
                    type="Microsoft.Web/sites", name=name, source="web:ResourceGraph.Resources",
                    observed_at="2026-12-01T00:00:00Z", zones=("uaenorth-az1", "uaenorth-az2", "uaenorth-az3"),
                    tags={"app": name}, attrs={"desired_capacity": 3, "placement": "zone_redundant"})


def test_only_the_app_whose_settings_were_unread_is_in_doubt():
    denied = Coverage("azure", "s", "uaenorth", "web:settings", "denied", "a: 403", resources=(f"{SITES}/a",))
    inventory = Inventory(resources=[_app("a"), _app("b")], coverage=[denied])
    policy = parse_policy("version: 1\nworkloads:\n  a: {match: {tags: {app: a}}}\n"
                          "  b: {match: {tags: {app: b}}}\n", "<test>")
    graph = build_graph(inventory, policy)
    zone = Scenario.zones("uaenorth-az1")
    doubtful = assess(graph, "a", zone, coverage=inventory.coverage)
    sound = assess(graph, "b", zone, coverage=inventory.coverage)
    assert any("web:settings" in u for u in doubtful.unknown), doubtful.unknown
    assert not any("web:settings" in u for u in sound.unknown), sound.unknown
