"""Blind test azure6: the recovery model chose a lost compute node's standby by kind alone, so an Azure Cache
for Redis (mapped as a compute group) was "recovered" by the app that depends on it, and a Key Vault by a
Redis cache. A standby is compute of the same kind and resource type that does not depend on the lost node
and that survival says serves; a serving dependency with a promotable replica is taken over by that replica."""

from __future__ import annotations

from resilience import recovery
from resilience.collectors.azure.transform import transform_subscription
from resilience.graph import build_graph
from resilience.model import Inventory
from resilience.policy import parse_policy
from resilience.survival import Scenario, assess

from .helpers import OBSERVED
from .test_azure_transform import SUB, _id, _site

LOCATIONS = [
    {"name": region, "metadata": {"regionType": "Physical", "pairedRegion": [{"name": pair}]},
     "availabilityZoneMappings": [{"logicalZone": str(i), "physicalZone": f"{region}-az{i}"} for i in (1, 2, 3)]}
    for region, pair in (("uaenorth", "uaecentral"), ("westeurope", "northeurope"), ("northeurope", "westeurope"))
] + [{"name": "uaecentral", "metadata": {"regionType": "Physical", "pairedRegion": [{"name": "uaenorth"}]}}]


def _redis(name: str, region: str, tier: str, workload: str, zones=()) -> dict:
    sku = {"name": tier, "family": "C", "capacity": 1}
    return {"id": _id("Microsoft.Cache/Redis", name), "name": name, "type": "Microsoft.Cache/Redis", "location": region,
            "zones": list(zones), "sku": sku, "tags": {"resilience:workload": workload},
            "properties": {"hostName": f"{name}.redis.cache.windows.net", "sku": sku}}


def _graph(t, workload: str):
    policy = parse_policy(f"version: 1\nworkloads:\n  {workload}: {{match: {{tags: {{resilience:workload: "
                          f"{workload}}}}}}}\n", "<t>")
    return build_graph(Inventory(resources=t.resources, edges=t.edges), policy), policy


def _steps(graph, policy, workload: str, scenario: Scenario) -> dict[str, recovery.Step]:
    est = recovery.estimate_for_scenario(graph, workload, scenario, policy=policy)
    return {s.name: s for s in est.steps}


def test_a_cache_is_never_recovered_by_the_app_that_needs_it():
    """orders: apps in uaenorth and westeurope both read a Basic Redis cache in uaenorth. Losing uaenorth stops
    the workload (survival), so the cache's step may not show the westeurope app (which needs it) as its standby."""
    t = transform_subscription(SUB, OBSERVED, locations=LOCATIONS, rows=[
        _site("app-orders-uaen", "uaenorth", "orders"), _site("app-orders-weu", "westeurope", "orders"),
        _redis("redis-orders-uaen", "uaenorth", "Basic", "orders")])
    cache = _id("Microsoft.Cache/Redis", "redis-orders-uaen")
    for app in ("app-orders-uaen", "app-orders-weu"):
        t.link(_id("Microsoft.Web/sites", app), cache, "depends_on", "test")
    graph, policy = _graph(t, "orders")
    lost = Scenario(failed_regions=frozenset({"uaenorth"}))
    assert not assess(graph, "orders", lost).serving

    steps = _steps(graph, policy, "orders", lost)
    assert steps["redis-orders-uaen"].model_key == "compute-redeploy", steps["redis-orders-uaen"]
    assert steps["redis-orders-uaen"].to is None
    # the westeurope app may stand in for the lost app once the cache is back; the cache cannot come back, so the
    # estimate is unbounded, decided by the cache, as survival says the workload stops serving
    est = recovery.estimate_for_scenario(graph, "orders", lost, policy=policy)
    assert est.rto is None or recovery.is_unbounded(est.rto)
    assert est.deciding_step("rto").name == "redis-orders-uaen"
    assert recovery.is_unbounded(recovery.estimate_for_scenario(graph, "orders", lost, policy=policy).rto)


def test_a_vault_fails_over_to_its_paired_copy_and_an_app_to_an_app():
    """shop: apps in westeurope and northeurope read a vault in westeurope; a zone-redundant Redis cache in
    northeurope. Losing westeurope: the vault's standby is its paired read-only copy (not the cache), the app's
    standby is the other app (not the cache). Losing a northeurope zone: the zone-redundant vault copy keeps
    serving (no "unknown number of instances" relaunch)."""
    vault = _id("Microsoft.KeyVault/vaults", "kv-shop")
    t = transform_subscription(SUB, OBSERVED, locations=LOCATIONS, rows=[
        _site("app-shop-weu", "westeurope"), _site("app-shop-neu", "northeurope"),
        _redis("redis-shop-neu", "northeurope", "Premium", "shop", zones=("1", "2", "3")),
        {"id": vault, "name": "kv-shop", "type": "Microsoft.KeyVault/vaults", "location": "westeurope",
         "tags": {"resilience:workload": "shop"}, "properties": {"vaultUri": "https://kv-shop.vault.azure.net/"}}])
    for app in ("app-shop-weu", "app-shop-neu"):
        t.link(_id("Microsoft.Web/sites", app), vault, "depends_on", "test")
    t.link(_id("Microsoft.Web/sites", "app-shop-neu"), _id("Microsoft.Cache/Redis", "redis-shop-neu"),
           "depends_on", "test")
    graph, policy = _graph(t, "shop")
    region = Scenario(failed_regions=frozenset({"westeurope"}))
    assert assess(graph, "shop", region).serving

    steps = _steps(graph, policy, "shop", region)
    kv = steps["kv-shop"]
    assert (kv.model_key, kv.to, kv.rto) == ("serving-replica-takeover", f"{vault}#paired", 0), kv
    assert "key-vault-paired-region, read-only" in kv.reasoning
    assert not kv.source.startswith(("Disaster Recovery of Workloads on AWS", "Amazon"))
    app = steps["app-shop-weu"]
    # the rows carry no App Service plan, so its capacity is unknown: priced as a standby to scale out
    assert (app.model_key, app.to) == ("instance-launch", _id("Microsoft.Web/sites", "app-shop-neu")), app

    zone = Scenario(failed_zones=frozenset({"northeurope-az1"}))
    copy = _steps(graph, policy, "shop", zone)["kv-shop (paired, read-only)"]
    assert (copy.model_key, copy.rto) == ("regional-service-multi-az", 0), copy



def test_azure_steps_name_azure_services_and_cite_azure_sources():
    """Blind test azure6: Azure steps said "Route 53 answers with tm-…" and priced Cosmos DB as an RDS read
    replica promotion, with AWS documents as sources."""
    profile = _id("Microsoft.Network/trafficManagerProfiles", "tm-shop")
    account = _id("Microsoft.DocumentDB/databaseAccounts", "cosmos-shop")
    north, west = _site("app-uaen", "uaenorth"), _site("app-weu", "westeurope")

    def endpoint(name, site, priority):
        return {"id": f"{profile}/azureEndpoints/{name}", "name": name, "properties": {
            "priority": priority, "targetResourceId": site["id"], "endpointStatus": "Enabled"}}

    t = transform_subscription(SUB, OBSERVED, locations=LOCATIONS, rows=[
        north, west,
        {"id": profile, "name": "tm-shop", "type": "Microsoft.Network/trafficManagerProfiles", "location": "global",
         "tags": {"resilience:workload": "shop"}, "properties": {
             "trafficRoutingMethod": "Priority", "dnsConfig": {"fqdn": "tm-shop.trafficmanager.net", "ttl": 30},
             "monitorConfig": {"protocol": "HTTPS", "port": 443, "path": "/", "intervalInSeconds": 10,
                               "toleratedNumberOfFailures": 2},
             "endpoints": [endpoint("uaen", north, 1), endpoint("weu", west, 2)]}},
        {"id": account, "name": "cosmos-shop", "type": "Microsoft.DocumentDB/databaseAccounts", "location": "uaenorth",
         "tags": {"resilience:workload": "shop"}, "properties": {
             "enableAutomaticFailover": True, "consistencyPolicy": {"defaultConsistencyLevel": "Session"},
             "locations": [{"locationName": "UAE North", "failoverPriority": 0},
                           {"locationName": "West Europe", "failoverPriority": 1}],
             "writeLocations": [{"locationName": "UAE North"}]}}])
    for site in (north, west):
        t.link(site["id"], account, "depends_on", "test")
    graph, policy = _graph(t, "shop")
    steps = list(_steps(graph, policy, "shop", Scenario(failed_regions=frozenset({"uaenorth"}))).values())

    [entry] = [s for s in steps if s.role == "entry"]
    assert entry.model_key == "traffic-manager-failover", entry
    assert "Traffic Manager answers with" in entry.reasoning and "Route 53" not in entry.reasoning
    # the monitor's probing interval and tolerated failures; the endpoint record carries no TTL: the table's 60s
    assert entry.rto == 10 * 2 + 60
    [cosmos] = [s for s in steps if s.resource == account]
    assert (cosmos.model_key, cosmos.rto, cosmos.rpo) == ("cosmos-db-failover", 15 * 60, 15 * 60), cosmos
    for step in (entry, cosmos):
        assert "learn.microsoft.com" in step.source and "amazon" not in step.source.lower(), step.source
