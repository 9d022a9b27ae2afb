"""Issue 12: Azure geo-replication / geo-DR pairings (Redis linked servers, SQL Managed Instance failover
groups, Event Hubs / Service Bus Geo-DR) -> edges, and the verdicts the same rules give them: a sound
cross-region pairing survives its primary's region, a missing or same-region one is flagged, and a denied
read makes the verdict that leans on it unknown (never a pass)."""

from __future__ import annotations

import datetime as dt

import pytest

from resilience.collectors.azure.references import setting_references
from resilience.collectors.azure.transform import transform_subscription
from resilience.model import Coverage, Inventory
from resilience.policy import Policy
from resilience.scan import analyse

from .helpers import OBSERVED
from .test_azure_seen_wrong import WEU_LOCATIONS
from .test_azure_transform import SUB

SCAN_TIME = dt.datetime(2026, 9, 1, 6, tzinfo=dt.UTC)
TAGS = {"resilience:workload": "orders"}


def _rid(rg: str, provider_type: str, name: str) -> str:
    return f"/subscriptions/{SUB}/resourceGroups/{rg}/providers/{provider_type}/{name}"


def _apps(setting_value: str) -> tuple[list[dict], dict]:
    """A web app in UAE North and one in West Europe, both configured with ``setting_value``."""
    rows, references = [], {}
    for region in ("uaenorth", "westeurope"):
        site = _rid("rg", "Microsoft.Web/sites", f"web-{region}")
        rows.append({"id": site, "name": f"web-{region}", "type": "Microsoft.Web/sites", "kind": "app",
                     "location": region, "tags": TAGS, "properties": {"defaultHostName": f"web-{region}.azurewebsites.net"}})
        references[site] = setting_references({"properties": {"BACKEND": setting_value}}, {"properties": {}})
    return rows, references


def _verdicts(t, coverage=(), regions=("uaenorth",)):
    inventory = Inventory(resources=t.resources, edges=t.edges, coverage=list(coverage))
    findings = analyse(inventory, Policy(), scan_time=SCAN_TIME, audited_regions=regions).findings
    return [f for f in findings if f.resource == "workload:orders" and f.rule == "RES-REGIONAL-001"
            and f.region == "uaenorth"]


def _status(t, coverage=()):
    found = _verdicts(t, coverage)
    assert len(found) == 1, [(f.status, f.message) for f in found]
    return found[0].status, found[0].message


def _denied(service: str, region: str = "uaenorth") -> Coverage:
    return Coverage(provider="azure", account=SUB, region=region, service=service, status="denied",
                    detail="(AuthorizationFailed) 403")


# --- Azure Cache for Redis geo-replication ------------------------------------------------------------
def _redis_estate(*, linked: str | None, secondary_region: str = "westeurope", role_listed_by_secondary=False):
    primary = _rid("rg", "Microsoft.Cache/Redis", "redis-a")
    secondary = _rid("rg-dr", "Microsoft.Cache/Redis", "redis-b")
    sku = {"name": "Premium", "family": "P", "capacity": 1}
    rows = [{"id": cid, "name": cid.rsplit("/", 1)[-1], "type": "Microsoft.Cache/Redis", "location": loc, "tags": TAGS,
             "zones": ["1"], "sku": sku, "properties": {"hostName": f"{cid.rsplit('/', 1)[-1]}.redis.cache.windows.net",
                                                        "replicasPerMaster": 1, "sku": sku}}
            for cid, loc in ((primary, "uaenorth"), (secondary, secondary_region))]
    apps, references = _apps("redis-a.redis.cache.windows.net:6380,password=not-kept,ssl=True")
    geo = {"redis": {}}
    if linked == "secondary":  # Linked Server - List of the primary: the linked cache is its Secondary
        geo["redis"][primary] = [{"id": f"{primary}/linkedServers/redis-b", "name": "redis-b",
                                  "type": "Microsoft.Cache/Redis/linkedServers", "properties": {
                                      "linkedRedisCacheId": secondary, "linkedRedisCacheLocation": secondary_region,
                                      "serverRole": "Secondary", "provisioningState": "Succeeded"}}]
    if role_listed_by_secondary:  # the secondary's list names the primary as Primary: the same one edge
        geo["redis"][secondary] = [{"id": f"{secondary}/linkedServers/redis-a", "name": "redis-a", "properties": {
            "linkedRedisCacheId": primary, "linkedRedisCacheLocation": "UAE North", "serverRole": "Primary"}}]
    return transform_subscription(SUB, OBSERVED, locations=WEU_LOCATIONS, rows=rows + apps, site_references=references,
                                  geo=geo), primary, secondary


def test_redis_geo_replication_is_a_promotable_manual_replica_and_survives_the_primary_region():
    t, primary, secondary = _redis_estate(linked="secondary", role_listed_by_secondary=True)
    edges = [e for e in t.edges if e.kind == "replicates_to"]
    assert [(e.src, e.dst) for e in edges] == [(primary, secondary)]  # one edge, whichever side listed it
    # as an ElastiCache global datastore: async, promotable; Azure's failover is a manual unlink
    assert {k: edges[0].attrs[k] for k in ("mode", "promotable", "automatic")} == {
        "mode": "async", "promotable": True, "automatic": False}
    b = next(r for r in t.resources if r.id == secondary)
    assert (b.attrs["role"], b.attrs["replica_of"]) == ("replica", primary)
    status, message = _status(t)
    assert status == "pass", message
    assert "redis-b" in message


def test_redis_without_geo_replication_or_with_a_same_region_secondary_is_flagged():
    t, _, _ = _redis_estate(linked=None)
    assert _status(t)[0] == "fail"
    same, _, _ = _redis_estate(linked="secondary", secondary_region="uaenorth")
    assert _status(same)[0] == "fail"


def test_a_denied_linked_servers_read_makes_the_verdict_unknown_not_fail():
    t, _, _ = _redis_estate(linked=None)  # the read failed: no edge, as the collector leaves it
    status, message = _status(t, [_denied("redis:linkedservers")])
    assert status == "unknown" and "redis:linkedservers" in message


# --- SQL Managed Instance failover groups -----------------------------------------------------------
def _mi_estate(*, policy: str | None = "Automatic", partner_region="westeurope", redundancy="Local"):
    primary = _rid("rg", "Microsoft.Sql/managedInstances", "mi-a")
    partner = _rid("rg-dr", "Microsoft.Sql/managedInstances", "mi-b")
    rows = [{"id": mid, "name": mid.rsplit("/", 1)[-1], "type": "Microsoft.Sql/managedInstances", "location": loc,
             "tags": TAGS, "sku": {"name": "GP_Gen5"}, "properties": {
                 "fullyQualifiedDomainName": f"{mid.rsplit('/', 1)[-1]}.z1.database.windows.net", "dnsZone": "z1",
                 "zoneRedundant": True, "currentBackupStorageRedundancy": redundancy}}
            for mid, loc in ((primary, "uaenorth"), (partner, partner_region))]
    apps, references = _apps("Server=tcp:mi-a.z1.database.windows.net,1433;Initial Catalog=orders;Password=x")
    groups = []
    if policy:
        group = _rid("rg", "Microsoft.Sql/locations", "uaenorth/instanceFailoverGroups/fog-orders")
        groups = [{"id": group, "name": "fog-orders", "type": "Microsoft.Sql/locations/instanceFailoverGroups",
                   "properties": {"readWriteEndpoint": {"failoverPolicy": policy,
                                                        "failoverWithDataLossGracePeriodMinutes": 60},
                                  "replicationRole": "Primary", "partnerRegions": [{"location": partner_region}],
                                  "managedInstancePairs": [{"primaryManagedInstanceId": primary,
                                                            "partnerManagedInstanceId": partner}]}},
                  {"id": group, "name": "fog-orders", "properties": {"replicationRole": "Secondary"}}]
    t = transform_subscription(SUB, OBSERVED, locations=WEU_LOCATIONS, rows=rows + apps, site_references=references,
                               geo={"instance_failover_groups": groups})
    return t, primary, partner


def test_managed_instance_failover_group_is_modelled_like_a_sql_failover_group_and_survives():
    t, primary, partner = _mi_estate()
    mi = next(r for r in t.resources if r.id == primary)
    assert (mi.kind, mi.attrs["multi_az"], mi.attrs["placement"]) == ("database", True, "zone_redundant")
    failover = [e for e in t.edges if e.kind == "fails_over_to"]
    assert [(e.src, e.dst) for e in failover] == [(primary, partner)]
    assert failover[0].attrs == {"health_checked": True, "automatic": True, "grace_period_minutes": 60,
                                 "needs_control_plane_in": "westeurope"}
    group = next(r for r in t.resources if r.kind == "global_database")
    assert group.attrs["partner_regions"] == ["westeurope"] and set(group.attrs["members"]) == {primary, partner}
    assert next(r for r in t.resources if r.id == partner).attrs["role"] == "replica"
    assert {(e.src, e.dst) for e in t.edges if e.kind == "depends_on"} == {
        (s, primary) for s in (_rid("rg", "Microsoft.Web/sites", "web-uaenorth"),
                               _rid("rg", "Microsoft.Web/sites", "web-westeurope"))}
    status, message = _status(t)
    assert status == "pass", message
    manual, _, _ = _mi_estate(policy="Manual")
    edge = next(e for e in manual.edges if e.kind == "fails_over_to")
    assert (edge.attrs["automatic"], edge.attrs["health_checked"]) == (False, False)


def test_managed_instance_without_a_failover_group_or_with_a_same_region_partner_is_flagged():
    t, _, _ = _mi_estate(policy=None)
    assert _status(t)[0] == "fail"
    same, _, _ = _mi_estate(partner_region="uaenorth")
    assert _status(same)[0] == "fail"


def test_a_denied_instance_failover_groups_read_makes_the_verdict_unknown_not_fail():
    t, _, _ = _mi_estate(policy=None)
    status, message = _status(t, [_denied("sql:instancefailovergroups")])
    assert status == "unknown" and "sql:instancefailovergroups" in message


# --- Event Hubs / Service Bus Geo-DR ----------------------------------------------------------------
PROVIDERS = {"eventhub": "Microsoft.EventHub/namespaces", "servicebus": "Microsoft.ServiceBus/namespaces"}


def _namespaces(family: str, *, role: str | None = "Primary", secondary_region="westeurope"):
    primary = _rid("rg", PROVIDERS[family], "ns-a")
    secondary = _rid("rg-dr", PROVIDERS[family], "ns-b")
    rows = [{"id": nid, "name": nid.rsplit("/", 1)[-1], "type": PROVIDERS[family].lower(), "location": loc, "tags": TAGS,
             "sku": {"name": "Premium", "tier": "Premium"}, "properties": {
                 "serviceBusEndpoint": f"https://{nid.rsplit('/', 1)[-1]}.servicebus.windows.net:443/",
                 "zoneRedundant": True}}
            for nid, loc in ((primary, "uaenorth"), (secondary, secondary_region))]
    # clients use the Geo-DR alias when there is one, else the namespace's own host name
    host = "orders-alias" if role == "Primary" else "ns-a"
    apps, references = _apps(f"Endpoint=sb://{host}.servicebus.windows.net/;SharedAccessKeyName=app;SharedAccessKey=x")
    configs = {}
    if role:
        configs[primary] = [{"id": f"{primary}/disasterRecoveryConfigs/orders-alias", "name": "orders-alias",
                             "properties": {"role": role, "partnerNamespace": secondary if role == "Primary" else "",
                                            "provisioningState": "Succeeded", "pendingReplicationOperationsCount": 0}}]
    t = transform_subscription(SUB, OBSERVED, locations=WEU_LOCATIONS, rows=rows + apps, site_references=references,
                               geo={family: configs})
    return t, primary, secondary


@pytest.mark.parametrize("family", ["eventhub", "servicebus"])
def test_geo_dr_pairing_takes_over_serving_but_copies_metadata_only(family):
    t, primary, secondary = _namespaces(family)
    ns = next(r for r in t.resources if r.id == primary)
    assert (ns.kind, ns.attrs["placement"], ns.attrs["geo_dr_role"]) == ("queue", "zone_redundant", "primary")
    edges = [e for e in t.edges if e.kind == "replicates_to"]
    assert [(e.src, e.dst) for e in edges] == [(primary, secondary)]
    assert {k: edges[0].attrs[k] for k in ("promotable", "automatic", "copies", "messages_replicated", "alias")} == {
        "promotable": True, "automatic": False, "copies": "metadata", "messages_replicated": False,
        "alias": "orders-alias"}
    # the apps name the alias, which resolves to the namespace that is primary now
    assert {e.dst for e in t.edges if e.kind == "depends_on"} == {primary}
    status, message = _status(t)
    assert status == "pass", message
    # a namespace is not a data store: messages lost with the region are not a data_intact question
    inventory = Inventory(resources=t.resources, edges=t.edges)
    findings = analyse(inventory, Policy(), scan_time=SCAN_TIME, audited_regions=("uaenorth",)).findings
    assert not [f for f in findings if f.resource in (primary, secondary) and f.category == "no-cross-region-replica"]


@pytest.mark.parametrize("family", ["eventhub", "servicebus"])
def test_a_namespace_without_geo_dr_or_not_replicating_or_paired_in_its_own_region_is_flagged(family):
    for t, _, _ in (_namespaces(family, role=None), _namespaces(family, role="PrimaryNotReplicating"),
                    _namespaces(family, secondary_region="uaenorth")):
        assert not [e for e in t.edges if e.kind == "replicates_to" and e.dst.endswith("ns-b")] or \
            next(r for r in t.resources if r.id.endswith("ns-b")).region == "uaenorth"
        assert _status(t)[0] == "fail"


@pytest.mark.parametrize("family", ["eventhub", "servicebus"])
def test_a_denied_disaster_recovery_configs_read_makes_the_verdict_unknown_not_fail(family):
    t, _, _ = _namespaces(family, role=None)
    status, message = _status(t, [_denied(f"{family}:disasterrecoveryconfigs")])
    assert status == "unknown" and f"{family}:disasterrecoveryconfigs" in message


# --- through the SDK, against the recorded demo subscription ------------------------------------------
def _collect(env):
    from resilience.collectors.azure.clients import AzureSettings
    from resilience.collectors.azure.collector import collect

    settings = AzureSettings.from_env(env, retry_total=0, connect_timeout_s=2, read_timeout_s=5)
    return collect(settings, observed_at=OBSERVED)


def _ends(inventory, kind):
    return {(e.src.rsplit("/", 1)[-1], e.dst.rsplit("/", 1)[-1]) for e in inventory.edges if e.kind == kind}


def test_the_demo_reads_every_pairing_through_the_sdk(azure_server, azure_env):
    inventory = _collect(azure_env)
    assert {c.status for c in inventory.coverage} == {"ok"}
    replicas = _ends(inventory, "replicates_to")
    assert {("redis-ful-uaen", "redis-ful-weu"), ("evh-ful-uaen", "evh-ful-weu"), ("sb-ful-uaen", "sb-ful-weu")} <= replicas
    assert ("sqlmi-ful-uaen", "sqlmi-ful-weu") in _ends(inventory, "fails_over_to")
    assert {(c.service, c.region) for c in inventory.coverage if c.service in (
        "redis:linkedservers", "sql:instancefailovergroups", "eventhub:disasterrecoveryconfigs",
        "servicebus:disasterrecoveryconfigs")} == {(s, r) for s in (
            "redis:linkedservers", "sql:instancefailovergroups", "eventhub:disasterrecoveryconfigs",
            "servicebus:disasterrecoveryconfigs") for r in ("uaenorth", "westeurope")}
    # Basic and Standard caches cannot be geo-replicated: their linked servers are not asked for
    assert not [c for c in azure_server.calls if c.path.endswith("redis-checkout/linkedServers")]
    paths = [c.path for c in azure_server.calls if "instanceFailoverGroups" in c.path]
    assert sorted(p.split("/providers/")[1] for p in paths) == [
        "Microsoft.Sql/locations/uaenorth/instanceFailoverGroups", "Microsoft.Sql/locations/westeurope/instanceFailoverGroups"]


@pytest.mark.parametrize(("path_end", "service", "edge"), [
    ("redis-ful-uaen/linkedServers", "redis:linkedservers", ("replicates_to", "redis-ful-uaen", "redis-ful-weu")),
    ("rg-fulfilment/providers/Microsoft.Sql/locations/uaenorth/instanceFailoverGroups", "sql:instancefailovergroups",
     None),
    ("evh-ful-uaen/disasterRecoveryConfigs", "eventhub:disasterrecoveryconfigs",
     ("replicates_to", "evh-ful-uaen", "evh-ful-weu")),
    ("sb-ful-uaen/disasterRecoveryConfigs", "servicebus:disasterrecoveryconfigs",
     ("replicates_to", "sb-ful-uaen", "sb-ful-weu")),
])
def test_a_403_on_a_pairing_read_is_denied_in_the_resource_region(azure_server, azure_env, path_end, service, edge):
    from .helpers import SUB as DEMO_SUB

    providers = {"redis": "Microsoft.Cache/Redis/", "evh": "Microsoft.EventHub/namespaces/",
                 "sb-": "Microsoft.ServiceBus/namespaces/"}
    prefix = next((v for k, v in providers.items() if path_end.startswith(k)), "")
    path = f"/subscriptions/{DEMO_SUB}/resourceGroups/rg-fulfilment/providers/{prefix}{path_end}" if prefix \
        else f"/subscriptions/{DEMO_SUB}/resourceGroups/{path_end}"
    azure_server.add({"method": "GET", "path": path, "response": {"status": 403, "body": {"error": {
        "code": "AuthorizationFailed", "message": "does not have authorization to perform action"}}}})
    inventory = _collect(azure_env)
    records = {(c.region, c.status) for c in inventory.coverage if c.service == service and c.account == DEMO_SUB}
    assert records == {("uaenorth", "denied"), ("westeurope", "ok")}
    assert {c.status for c in inventory.coverage if c.service != service} == {"ok"}  # the other reads went on
    if edge:  # the secondary's own list still shows the pairing (either side gives the one edge)
        assert (edge[1], edge[2]) in _ends(inventory, edge[0])
    else:  # the group is described by its primary's location only: with that read denied, no failover
        assert ("sqlmi-ful-uaen", "sqlmi-ful-weu") not in _ends(inventory, "fails_over_to")
