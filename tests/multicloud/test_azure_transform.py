"""Azure transforms: API-shaped dicts in, normalised nodes and edges out (no SDK, no server)."""

from __future__ import annotations

import pytest

from resilience.collectors.azure.transform import (
    merge_rows,
    replication_of_sku,
    transform_locations,
    transform_subscription,
)

from .helpers import OBSERVED, region_loss_step

SUB = "00000000-0000-0000-0000-000000000001"
RG = f"/subscriptions/{SUB}/resourceGroups/rg"


def _id(provider_type: str, *names: str) -> str:
    provider, _, rest = provider_type.partition("/")
    parts = []
    for segment, name in zip(rest.split("/"), names, strict=True):
        parts += [segment, name]
    return f"{RG}/providers/{provider}/" + "/".join(parts)


LOCATIONS = [
    {"name": "uaenorth", "metadata": {"regionType": "Physical", "pairedRegion": [{"name": "uaecentral"}]},
     "availabilityZoneMappings": [{"logicalZone": "1", "physicalZone": "uaenorth-az3"},
                                  {"logicalZone": "2", "physicalZone": "uaenorth-az1"}]},
    {"name": "uaecentral", "metadata": {"regionType": "Physical", "pairedRegion": [{"name": "uaenorth"}]}},
    {"name": "qatarcentral", "metadata": {"regionType": "Physical"},
     "availabilityZoneMappings": [{"logicalZone": "1", "physicalZone": "qatarcentral-az1"}]},
    {"name": "europe", "metadata": {"regionType": "Logical"}},
]


def _run(rows, **kw):
    return transform_subscription(SUB, OBSERVED, locations=kw.pop("locations", LOCATIONS), rows=rows, **kw)


def _node(t, suffix):
    return next(r for r in t.resources if r.id.endswith(suffix))


def test_locations_give_zone_mappings_pairs_and_zone_support():
    facts = transform_locations(LOCATIONS)
    assert facts.zone_map["uaenorth"] == {"1": "uaenorth-az3", "2": "uaenorth-az1"}
    assert facts.pair("uaenorth") == "uaecentral"
    assert facts.zones_available("uaecentral") is False
    assert facts.zones_available("qatarcentral") is True
    assert facts.pair("qatarcentral") is None
    assert "europe" not in facts.regions
    # without the live read, the built-in table answers
    offline = transform_locations(None)
    assert offline.zones_available("uaecentral") is False and offline.pair("westeurope") == "northeurope"


def test_storage_replication_skus():
    assert replication_of_sku("Standard_RAGZRS") == "RA-GZRS"
    assert replication_of_sku("Premium_LRS") == "LRS"
    assert replication_of_sku(None) is None
    rows = [{"id": _id("Microsoft.Storage/storageAccounts", name), "name": name,
             "type": "Microsoft.Storage/storageAccounts", "location": "uaenorth", "sku": {"name": sku},
             "kind": "StorageV2", "properties": {"secondaryLocation": "uaecentral"} if "G" in sku else {}}
            for name, sku in (("lrs", "Standard_LRS"), ("zrs", "Standard_ZRS"), ("ragzrs", "Standard_RAGZRS"))]
    t = _run(rows)
    lrs, zrs, gzrs = _node(t, "/lrs"), _node(t, "/zrs"), _node(t, "/ragzrs")
    assert (lrs.attrs["multi_az"], lrs.attrs["geo_redundant"]) == (False, False)
    assert (zrs.attrs["multi_az"], zrs.attrs["placement"]) == (True, "zone_redundant")
    assert gzrs.attrs["read_access_secondary"] is True and gzrs.attrs["secondary_region"] == "uaecentral"
    copy = _node(t, "/ragzrs#secondary")
    assert (copy.region, copy.kind, copy.attrs["replica_of"]) == ("uaecentral", "object_store", gzrs.id)
    assert [(e.src, e.dst, e.kind) for e in t.edges] == [(gzrs.id, copy.id, "replicates_to")]


def test_zones_are_mapped_to_physical_ids_and_placement_is_recorded():
    rows = [
        {"id": _id("Microsoft.Compute/virtualMachineScaleSets", "one"), "name": "one",
         "type": "microsoft.compute/virtualmachinescalesets", "location": "UAE North", "zones": ["2"],
         "sku": {"capacity": 3}, "properties": {}},
        {"id": _id("Microsoft.Compute/virtualMachines", "vm"), "name": "vm", "type": "Microsoft.Compute/virtualMachines",
         "location": "uaecentral", "properties": {}},
    ]
    t = _run(rows)
    one = _node(t, "/one")
    assert one.region == "uaenorth" and one.zones == ("uaenorth-az1",)
    assert one.attrs["placement"] == "zonal" and one.attrs["logical_zones"] == ["2"]
    vm = _node(t, "/vm")
    assert vm.attrs["placement"] == "regional" and vm.attrs["region_zones_available"] is False


def test_sql_failover_group_and_geo_replica():
    primary = _id("Microsoft.Sql/servers/databases", "p-srv", "db")
    partner_server = f"/subscriptions/{SUB}/resourceGroups/dr/providers/Microsoft.Sql/servers/s-srv"
    server = _id("Microsoft.Sql/servers", "p-srv")
    rows = [{"id": primary, "name": "p-srv/db", "type": "Microsoft.Sql/servers/databases", "location": "uaenorth",
             "properties": {"zoneRedundant": True, "currentBackupStorageRedundancy": "Geo"}}]
    group = {"id": f"{server}/failoverGroups/fg", "name": "fg", "properties": {
        "replicationRole": "Primary", "readWriteEndpoint": {"failoverPolicy": "Automatic",
                                                             "failoverWithDataLossGracePeriodMinutes": 480},
        "partnerServers": [{"id": partner_server, "location": "West Europe"}], "databases": [primary]}}
    link = {"id": f"{primary}/replicationLinks/x", "properties": {
        "role": "Primary", "partnerServer": "s-srv", "partnerDatabase": "db", "partnerLocation": "West Europe",
        "replicationMode": "ASYNC", "partnerDatabaseId": f"{partner_server}/databases/db"}}
    t = _run(rows, failover_groups={server: [group]}, replication_links={server: [link]})
    partner = f"{partner_server}/databases/db"
    failover = [e for e in t.edges if e.kind == "fails_over_to"]
    assert len(failover) == 1 and failover[0].attrs["health_checked"] is True  # the group's, not the link's
    assert failover[0].attrs["needs_control_plane_in"] == "westeurope"
    assert failover[0].attrs["grace_period_minutes"] == 480  # readWriteEndpoint.failoverWithDataLossGracePeriodMinutes
    assert [e.dst for e in t.edges if e.kind == "replicates_to" and e.src == primary] == [partner]
    fg = _node(t, "/failoverGroups/fg")
    assert fg.kind == "global_database" and partner in fg.attrs["members"]
    assert t.hints[partner.lower()]["region"] == "westeurope"  # a placeholder with the API's region
    geo = _node(t, "/db#geo-backup")
    assert geo.region == "uaecentral" and geo.kind == "recovery_point"


def test_traffic_manager_priority_profile_is_a_failover_record_pair():
    lb = _id("Microsoft.Network/loadBalancers", "lb")
    ip = _id("Microsoft.Network/publicIPAddresses", "ip")
    profile = _id("Microsoft.Network/trafficManagerProfiles", "tm")
    rows = [
        {"id": lb, "name": "lb", "type": "Microsoft.Network/loadBalancers", "location": "uaenorth",
         "sku": {"name": "Standard"}, "properties": {"frontendIPConfigurations": [
             {"id": f"{lb}/frontendIPConfigurations/fe", "properties": {"publicIPAddress": {"id": ip}}}]}},
        {"id": ip, "name": "ip", "type": "Microsoft.Network/publicIPAddresses", "location": "uaenorth",
         "zones": ["1", "2"], "properties": {"ipConfiguration": {"id": f"{lb}/frontendIPConfigurations/fe"}}},
        {"id": profile, "name": "tm", "type": "Microsoft.Network/trafficManagerProfiles", "location": "global",
         "properties": {"trafficRoutingMethod": "Priority", "dnsConfig": {"fqdn": "app.trafficmanager.net"},
                        "monitorConfig": {"protocol": "HTTPS", "port": 443, "path": "/health"},
                        "endpoints": [
                            {"id": f"{profile}/externalEndpoints/b", "name": "b",
                             "properties": {"priority": 2, "target": "dr.example.com", "endpointStatus": "Enabled"}},
                            {"id": f"{profile}/azureEndpoints/a", "name": "a",
                             "properties": {"priority": 1, "targetResourceId": ip, "endpointStatus": "Enabled",
                                            "endpointLocation": "UAE North"}}]}},
    ]
    t = _run(rows)
    balancer = _node(t, "/loadBalancers/lb")
    assert balancer.zones == ("uaenorth-az3", "uaenorth-az1")  # from its public IP's zones
    first, second = _node(t, "/azureEndpoints/a"), _node(t, "/externalEndpoints/b")
    assert (first.attrs["failover_role"], second.attrs["failover_role"]) == ("PRIMARY", "SECONDARY")
    assert first.attrs["health_check_id"] == f"{profile}#monitor"
    routes = {(e.src, e.dst) for e in t.edges if e.kind == "routes_to"}
    assert (profile, first.id) in routes and (first.id, lb) in routes  # the public IP resolves to its LB
    assert [(e.src, e.dst, e.attrs["health_checked"]) for e in t.edges if e.kind == "fails_over_to"] == [
        (first.id, second.id, True)]


def test_site_recovery_test_failover_is_restore_test_evidence():
    vm = _id("Microsoft.Compute/virtualMachines", "vm")
    disk = _id("Microsoft.Compute/disks", "osdisk")
    item = f"{RG}/providers/Microsoft.RecoveryServices/vaults/v/replicationFabrics/f/replicationProtectionContainers/c/replicationProtectedItems/i"
    rows = [{"id": vm, "name": "vm", "type": "Microsoft.Compute/virtualMachines", "location": "uaenorth", "zones": ["1"]},
            {"id": disk, "name": "osdisk", "type": "Microsoft.Compute/disks", "location": "uaenorth", "zones": ["1"],
             "managedBy": vm, "sku": {"name": "Premium_LRS"}}]
    recovery = [{"id": item, "type": "microsoft.recoveryservices/vaults/replicationfabrics/"
                 "replicationprotectioncontainers/replicationprotecteditems", "properties": {
                     "friendlyName": "vm", "protectionState": "Protected",
                     "lastSuccessfulTestFailoverTime": "2026-05-10T09:42:00Z",
                     "providerSpecificDetails": {"fabricObjectId": vm, "primaryFabricLocation": "uaenorth",
                                                 "recoveryFabricLocation": "westeurope", "rpoInSeconds": 30}}}]
    t = _run(rows, recovery_rows=recovery)
    test = _node(t, "#test-failover")
    assert test.kind == "restore_test" and test.region == "westeurope"
    assert test.attrs == {**test.attrs, "status": "COMPLETED", "completed_at": "2026-05-10T09:42:00Z",
                          "resource": vm, "scenario": "region"}
    replica = _node(t, "/replicationProtectedItems/i")
    # the replicated disks, not a running VM: Site Recovery creates the VM when a failover starts
    assert replica.kind == "volume" and replica.attrs["role"] == "replica"
    kinds = {(e.src, e.kind) for e in t.edges if e.dst == item}
    assert kinds == {(vm, "fails_over_to"), (disk, "replicates_to")}


def test_cosmos_multi_region_account_and_cross_cloud_tag():
    account = _id("Microsoft.DocumentDB/databaseAccounts", "c")
    rows = [{"id": account, "name": "c", "type": "Microsoft.DocumentDB/databaseAccounts", "location": "uaenorth",
             "tags": {"resilience:replica-of": "arn:aws:dynamodb:me-central-1:123456789012:table/orders"},
             "properties": {
                 "enableAutomaticFailover": True,
                 "locations": [{"locationName": "West Europe", "failoverPriority": 1, "isZoneRedundant": True},
                               {"locationName": "UAE North", "failoverPriority": 0, "isZoneRedundant": False}],
                 "writeLocations": [{"locationName": "UAE North"}],
                 "backupPolicy": {"type": "Periodic", "periodicModeProperties": {
                     "backupRetentionIntervalInHours": 48, "backupStorageRedundancy": "Geo"}}}}]
    t = _run(rows)
    primary, replica = _node(t, "/databaseAccounts/c"), _node(t, "/databaseAccounts/c#westeurope")
    assert primary.region == "uaenorth" and primary.attrs["multi_az"] is False
    assert primary.attrs["backup_retention_days"] == 2
    assert replica.region == "westeurope" and replica.attrs["replica_of"] == account
    assert {(e.kind, e.dst) for e in t.edges if e.src == account} >= {
        ("replicates_to", replica.id), ("fails_over_to", replica.id), ("backed_up_to", f"{account}#geo-backup")}
    cross = [e for e in t.edges if e.src.startswith("arn:aws:dynamodb")]
    assert cross and cross[0].dst == account and cross[0].attrs["cross_cloud"] is True


def test_merge_rows_overlays_graph_properties_on_arm_rows():
    arm = [{"id": "/subscriptions/x/resourceGroups/RG/providers/A/b/c", "sku": {"name": "s"}, "location": "uaenorth"}]
    graph = [{"id": "/subscriptions/x/resourcegroups/rg/providers/a/b/c", "properties": {"p": 1}, "zones": None}]
    merged = merge_rows(arm, graph)
    assert merged == [{"id": arm[0]["id"], "sku": {"name": "s"}, "location": "uaenorth", "properties": {"p": 1}}]


def test_redis_aks_and_key_vault_rows():
    rows = [
        {"id": _id("Microsoft.Cache/redis", "basic"), "name": "basic", "type": "Microsoft.Cache/Redis",
         "location": "uaenorth", "sku": {"name": "Basic"}, "properties": {"hostName": "basic.redis.cache.windows.net"}},
        {"id": _id("Microsoft.Cache/redis", "prem"), "name": "prem", "type": "Microsoft.Cache/Redis",
         "location": "uaenorth", "zones": ["1", "2"], "sku": {"name": "Premium"}, "properties": {"replicasPerMaster": 2}},
        {"id": _id("Microsoft.ContainerService/managedClusters", "aks"), "name": "aks",
         "type": "Microsoft.ContainerService/managedClusters", "location": "uaenorth", "properties": {
             "agentPoolProfiles": [{"name": "sys", "count": 3, "mode": "System", "availabilityZones": ["1", "2"]},
                                   {"name": "user", "count": 2, "mode": "User", "availabilityZones": ["2"]}]}},
        {"id": _id("Microsoft.KeyVault/vaults", "kv"), "name": "kv", "type": "Microsoft.KeyVault/vaults",
         "location": "uaenorth", "properties": {"vaultUri": "https://kv.vault.azure.net/"}},
        {"id": _id("Microsoft.KeyVault/vaults", "kvc"), "name": "kvc", "type": "Microsoft.KeyVault/vaults",
         "location": "uaecentral", "properties": {"vaultUri": "https://kvc.vault.azure.net/"}},
    ]
    t = _run(rows)
    basic, prem, aks = _node(t, "/basic"), _node(t, "/prem"), _node(t, "/aks")
    # one node, in one zone Azure does not name: any zone of the region may take it (a made-up zone never failed)
    assert basic.zones == () and basic.attrs["desired_capacity"] == 1 and basic.attrs["zone_unreported"] is True
    assert set(basic.attrs["region_zones"]) == {"uaenorth-az1", "uaenorth-az3"}  # the zones this estate maps
    assert prem.zones == ("uaenorth-az3", "uaenorth-az1") and prem.attrs["desired_capacity"] == 3
    assert aks.zones == ("uaenorth-az3", "uaenorth-az1") and aks.attrs["desired_capacity"] == 5
    kv, kvc = _node(t, "/kv"), _node(t, "/kvc")
    assert kv.attrs["placement"] == "zone_redundant" and set(kv.zones) == {"uaenorth-az3", "uaenorth-az1"}
    assert kvc.attrs["placement"] == "regional" and kvc.zones == ()  # UAE Central has no zones
    assert t._by_fqdn("kv.vault.azure.net") == kv.id and t._by_fqdn("basic.redis.cache.windows.net") == basic.id


# --- DNS record sets and Front Door Standard/Premium (issue 12) ------------------------------------
ZONE = _id("Microsoft.Network/dnszones", "contoso.example")
TM = _id("Microsoft.Network/trafficManagerProfiles", "tm-shop")
PIP = _id("Microsoft.Network/publicIPAddresses", "pip-shop")
LB = _id("Microsoft.Network/loadBalancers", "lb-shop")
AFD = _id("Microsoft.Cdn/profiles", "afd-shop")
GROUP = f"{AFD}/origingroups/og-shop"
ROUTE53_RECORD_ATTRS = {"dns_name", "record_type", "routing", "failover_role", "set_identifier", "health_check_id",
                        "evaluate_target_health", "alias_target", "values", "record_region", "weight", "zone_id",
                        "public", "ttl"}


def _site(name, region, workload="shop"):
    return {"id": _id("Microsoft.Web/sites", name), "name": name, "type": "Microsoft.Web/sites", "location": region,
            "kind": "app", "tags": {"resilience:workload": workload},
            "properties": {"defaultHostName": f"{name}.azurewebsites.net"}}


def _record_set(record_type, name, **props):
    return {"id": f"{ZONE}/{record_type}/{name}", "name": name, "type": f"Microsoft.Network/dnszones/{record_type}",
            "properties": {"fqdn": f"{name}.contoso.example.", "TTL": 300, **props}}


def _dns_rows():
    return [
        {"id": ZONE, "name": "contoso.example", "type": "Microsoft.Network/dnszones", "location": "global",
         "properties": {"zoneType": "Public", "numberOfRecordSets": 5}},
        {"id": TM, "name": "tm-shop", "type": "Microsoft.Network/trafficManagerProfiles", "location": "global",
         "properties": {"trafficRoutingMethod": "Priority", "dnsConfig": {"fqdn": "tm-shop.trafficmanager.net"},
                        "monitorConfig": {"protocol": "HTTPS", "port": 443, "path": "/"}, "endpoints": []}},
        {"id": PIP, "name": "pip-shop", "type": "Microsoft.Network/publicIPAddresses", "location": "uaenorth",
         "properties": {"ipAddress": "20.1.2.3", "ipConfiguration": {"id": f"{LB}/frontendIPConfigurations/fe"}}},
        {"id": LB, "name": "lb-shop", "type": "Microsoft.Network/loadBalancers", "location": "uaenorth",
         "properties": {"frontendIPConfigurations": [{"properties": {"publicIPAddress": {"id": PIP}}}]}},
        _site("app-shop", "uaenorth"),
    ]


def test_dns_record_sets_are_route53_shaped_records_routed_to_what_they_name():
    sets = [
        _record_set("A", "api", ARecords=[{"ipv4Address": "20.1.2.3"}]),  # the load balancer's public IP
        _record_set("CNAME", "app", CNAMERecord={"cname": "APP-SHOP.azurewebsites.net."}),
        _record_set("CNAME", "shop", targetResource={"id": TM}),  # an alias record set
        _record_set("CNAME", "ext", CNAMERecord={"cname": "shop.example.net"}),  # nothing inventoried answers
        _record_set("TXT", "txt", TXTRecords=[{"value": ["v=spf1 -all"]}]),
    ]
    t = _run(_dns_rows(), record_sets={ZONE: sets})
    records = {r.attrs["dns_name"]: r for r in t.resources if r.kind == "dns_record" and "/dnszones/" in r.id}
    assert set(records) == {"api.contoso.example", "app.contoso.example", "shop.contoso.example",
                            "ext.contoso.example"}  # TXT: no node
    for record in records.values():
        assert set(record.attrs) - {"resource_group", "target_resource"} <= ROUTE53_RECORD_ATTRS
        assert (record.region, record.attrs["zone_id"], record.attrs["public"]) == ("global", ZONE, True)
        assert record.source.startswith("dns:")
    api = records["api.contoso.example"]
    assert (api.attrs["record_type"], api.attrs["values"], api.attrs["routing"]) == ("A", ["20.1.2.3"], "simple")
    assert records["shop.contoso.example"].attrs["alias_target"] == "tm-shop.trafficmanager.net"
    routes = {(e.src.rsplit("/", 1)[-1], e.dst) for e in t.edges if e.kind == "routes_to" and "/dnszones/" in e.src}
    assert routes == {("api", LB), ("app", _id("Microsoft.Web/sites", "app-shop")), ("shop", TM)}
    assert {e.src.rsplit("/", 1)[-1] for e in t.edges if e.kind == "member_of" and e.dst == ZONE} == {
        "api", "app", "shop", "ext"}
    assert _node(t, "/dnszones/contoso.example").attrs["records_read"] is True
    # the zone's record sets could not be read: the zone says so (the collector records the coverage)
    assert _node(_run(_dns_rows(), record_sets={}), "/dnszones/contoso.example").attrs["records_read"] is False


def _afd(origins, *, probe=True):
    """A Front Door Premium profile, one origin group with ``origins`` (name, host, priority, state)."""
    group = {"id": GROUP, "name": "og-shop", "properties": {
        "loadBalancingSettings": {"sampleSize": 4, "successfulSamplesRequired": 3},
        **({"healthProbeSettings": {"probePath": "/healthz", "probeProtocol": "Https",
                                    "probeIntervalInSeconds": 30}} if probe else {})}}
    return {AFD: {"endpoints": [{"id": f"{AFD}/afdendpoints/shop", "name": "shop", "properties": {
                      "hostName": "shop-abc.z01.azurefd.net", "enabledState": "Enabled"}}],
                  "origin_groups": [group],
                  "origins": {GROUP: [{"id": f"{GROUP}/origins/{name}", "name": name, "properties": {
                      "hostName": host, "priority": priority, "weight": 1000, "enabledState": state}}
                      for name, host, priority, state in origins]}}}


def _afd_rows():
    return [_site("app-uaen", "uaenorth"), _site("app-weu", "westeurope"),
            {"id": AFD, "name": "afd-shop", "type": "Microsoft.Cdn/profiles", "location": "Global",
             "sku": {"name": "Premium_AzureFrontDoor"}, "tags": {"resilience:workload": "shop"}, "properties": {}}]


TWO_REGIONS = [("uaen", "app-uaen.azurewebsites.net", 1, "Enabled"), ("weu", "app-weu.azurewebsites.net", 2, "Enabled")]


def _regional_verdicts(transformer):
    import datetime as dt

    from resilience.model import Inventory
    from resilience.policy import Policy
    from resilience.scan import analyse

    inventory = Inventory(resources=transformer.resources, edges=transformer.edges)
    findings = analyse(inventory, Policy(), scan_time=dt.datetime(2026, 9, 1, 6, tzinfo=dt.UTC),
                       audited_regions=("uaenorth", "westeurope")).findings
    return {f.message: f for f in findings if f.rule == "RES-REGIONAL-001" and f.workload == "shop"}


def test_front_door_standard_is_shaped_as_classic_front_door():
    t = _run(_afd_rows(), front_doors=_afd(TWO_REGIONS))
    profile, group = _node(t, "/profiles/afd-shop"), _node(t, "/origingroups/og-shop")
    assert (profile.kind, profile.region, profile.attrs["lb_type"]) == ("load_balancer", "global", "front-door-standard")
    assert profile.attrs["dns_name"] == "shop-abc.z01.azurefd.net" and profile.source.startswith("cdn:")
    assert (group.kind, group.attrs["health_probe"], group.attrs["health_probe_path"]) == ("target_group", True,
                                                                                           "/healthz")
    routes = {(e.src, e.dst): e.attrs for e in t.edges if e.kind == "routes_to"}
    assert routes[(AFD, GROUP)] == {"health_checked": True}
    uaen = routes[(GROUP, _id("Microsoft.Web/sites", "app-uaen"))]
    assert (uaen["priority"], uaen["weight"], uaen["enabled"], uaen["health_checked"]) == (1, 1000, True, True)
    # an origin nothing inventoried answers to is unseen (a stub), never dropped
    unseen = _run(_afd_rows(), front_doors=_afd([("x", "origin.example.net", 1, "Enabled")]))
    assert [e.dst for e in unseen.edges if e.src == GROUP] == ["dns:origin.example.net"]
    # a record that CNAMEs to the endpoint host routes to the profile
    rows = [*_afd_rows(), {"id": ZONE, "name": "contoso.example", "type": "Microsoft.Network/dnszones",
                           "location": "global", "properties": {"zoneType": "Public"}}]
    t = _run(rows, front_doors=_afd(TWO_REGIONS),
             record_sets={ZONE: [_record_set("CNAME", "www", CNAMERecord={"cname": "shop-abc.z01.azurefd.net"})]})
    assert [e.dst for e in t.edges if e.kind == "routes_to" and e.src.endswith("/CNAME/www")] == [AFD]


def test_a_two_region_probed_front_door_survives_the_loss_of_either_region():
    verdicts = _regional_verdicts(_run(_afd_rows(), front_doors=_afd(TWO_REGIONS)))
    assert len(verdicts) == 2 and all(f.status == "pass" for f in verdicts.values()), [
        (f.status, f.message) for f in verdicts.values()]


@pytest.mark.parametrize(("origins", "probe", "why"), [
    (TWO_REGIONS[:1], True, "in failed region uaenorth"),  # one origin, one region
    (TWO_REGIONS, False, "no health probe"),  # two regions, but nothing takes the dead origin out
    ([TWO_REGIONS[0], (*TWO_REGIONS[1][:3], "Disabled")], True, "in failed region uaenorth"),  # standby disabled
])
def test_a_front_door_that_cannot_leave_uae_north_is_flagged(origins, probe, why):
    verdicts = _regional_verdicts(_run(_afd_rows(), front_doors=_afd(origins, probe=probe)))
    lost = [f for f in verdicts.values() if "uaenorth" in f.message]
    assert lost and lost[0].status == "fail" and why in lost[0].message, [
        (f.status, f.message) for f in verdicts.values()]


UAEN_GROUP = f"{AFD}/origingroups/og-uaen"


def _with_routes(front_doors, routes, *, endpoint_state="Enabled"):
    """``front_doors`` with a second, unprobed origin group (og-uaen: the UAE North origin alone) and the shop
    endpoint's ``routes`` ((name, origin group id, enabledState)); ``routes=None``: the routes were not read."""
    read = front_doors[AFD]
    uaen = UAEN_GROUP
    read["origin_groups"].append({"id": uaen, "name": "og-uaen", "properties": {}})
    read["origins"][uaen] = [{"id": f"{uaen}/origins/uaen", "name": "uaen", "properties": {
        "hostName": "app-uaen.azurewebsites.net", "priority": 1, "weight": 1000, "enabledState": "Enabled"}}]
    endpoint = read["endpoints"][0]
    endpoint["properties"]["enabledState"] = endpoint_state
    read["routes"] = {} if routes is None else {endpoint["id"]: [
        {"id": f"{endpoint['id']}/routes/{name}", "name": name, "properties": {
            "originGroup": {"id": group}, "enabledState": state, "patternsToMatch": ["/*"]}}
        for name, group, state in routes]}
    return front_doors, uaen


def test_front_door_routes_decide_which_origin_group_an_endpoint_sends_to():
    """Blind Azure estate: the profile was taken to route to every origin group, so the endpoint's path was
    a guess. The routes decide it: the enabled route's group carries the traffic; a group reached only by a
    disabled route is an ``enabled: false`` edge (it carries nothing); a group no route names has no edge."""
    fd, uaen = _with_routes(_afd(TWO_REGIONS), [("r-main", GROUP, "Enabled"), ("r-old", UAEN_GROUP, "Disabled")])
    t = _run(_afd_rows(), front_doors=fd)
    routes = {e.dst: e for e in t.edges if e.kind == "routes_to" and e.src == AFD}
    assert routes[GROUP].attrs.get("enabled") is not False and routes[uaen].attrs["enabled"] is False
    assert _node(t, "/profiles/afd-shop").attrs["routes_read"] is True
    # the live route goes to the probed two-region group: the workload survives either region
    verdicts = _regional_verdicts(t)
    assert verdicts and all(f.status == "pass" for f in verdicts.values()), [
        (f.status, f.message) for f in verdicts.values()]
    # the enabled route sends to the UAE North-only group: losing UAE North stops the workload, though the
    # two-region group exists (no route sends to it: no edge)
    fd, uaen = _with_routes(_afd(TWO_REGIONS), [("r-main", UAEN_GROUP, "Enabled")])
    t = _run(_afd_rows(), front_doors=fd)
    assert {e.dst for e in t.edges if e.kind == "routes_to" and e.src == AFD} == {uaen}
    lost = [f for f in _regional_verdicts(t).values() if "uaenorth" in f.message]
    assert lost and lost[0].status == "fail", [(f.status, f.message) for f in _regional_verdicts(t).values()]


@pytest.mark.parametrize("routes, endpoint_state", [
    ([("r-main", GROUP, "Disabled")], "Enabled"),  # the only route is disabled
    ([("r-main", GROUP, "Enabled")], "Disabled"),  # the endpoint is disabled: its routes carry nothing
])
def test_a_front_door_whose_routes_are_all_disabled_serves_nothing(routes, endpoint_state):
    fd, _ = _with_routes(_afd(TWO_REGIONS), routes, endpoint_state=endpoint_state)
    t = _run(_afd_rows(), front_doors=fd)
    assert all(e.attrs.get("enabled") is False for e in t.edges if e.kind == "routes_to" and e.src == AFD)
    verdicts = _regional_verdicts(t)
    assert verdicts and all(f.status == "fail" for f in verdicts.values()), [
        (f.status, f.message) for f in verdicts.values()]
    assert any("every route of it is disabled" in f.message for f in verdicts.values())


def test_an_endpoint_whose_routes_were_not_read_may_send_to_any_origin_group():
    fd, uaen = _with_routes(_afd(TWO_REGIONS), None)
    t = _run(_afd_rows(), front_doors=fd)
    assert {e.dst for e in t.edges if e.kind == "routes_to" and e.src == AFD} == {GROUP, uaen}
    assert _node(t, "/profiles/afd-shop").attrs["routes_read"] is False


def test_a_disabled_traffic_manager_endpoint_is_no_failover_target():
    """A disabled endpoint is never answered: a priority profile whose West Europe endpoint is disabled does not
    survive the loss of UAE North (it counted as a live answer)."""
    profile = _id("Microsoft.Network/trafficManagerProfiles", "tm-shop")
    north, west = _site("app-uaen", "uaenorth"), _site("app-weu", "westeurope")

    def endpoint(name, site, priority, status):
        return {"id": f"{profile}/azureEndpoints/{name}", "name": name, "properties": {
            "priority": priority, "targetResourceId": site["id"], "endpointStatus": status}}

    def rows(west_status):
        return [north, west, {"id": profile, "name": "tm-shop", "type": "Microsoft.Network/trafficManagerProfiles",
                              "location": "global", "tags": {"resilience:workload": "shop"}, "properties": {
                                  "trafficRoutingMethod": "Priority", "dnsConfig": {"fqdn": "tm-shop.trafficmanager.net"},
                                  "monitorConfig": {"protocol": "HTTPS", "port": 443, "path": "/"},
                                  "endpoints": [endpoint("weu", west, 1, west_status),
                                                endpoint("uaen", north, 2, "Enabled")]}}]

    enabled, disabled = _run(rows("Enabled")), _run(rows("Disabled"))
    assert _node(disabled, "/azureEndpoints/uaen").attrs["failover_role"] == "PRIMARY"  # the first enabled one
    assert "failover_role" not in _node(disabled, "/azureEndpoints/weu").attrs
    survives = [m for m in _regional_verdicts(enabled) if "loss of region uaenorth" in m]
    assert survives and _regional_verdicts(enabled)[survives[0]].status == "pass"
    lost = [f for m, f in _regional_verdicts(disabled).items() if "loss of region uaenorth" in m]
    assert lost and lost[0].status == "fail", [f.message for f in lost]


def test_a_geo_redundant_account_recovers_by_account_failover_not_as_s3_replication():
    account = _id("Microsoft.Storage/storageAccounts", "stdocs")
    t = _run([{"id": account, "name": "stdocs", "type": "Microsoft.Storage/storageAccounts", "location": "uaenorth",
               "sku": {"name": "Standard_GRS"}, "kind": "StorageV2", "tags": {"app": "docs"},
               "properties": {"secondaryLocation": "westeurope"}}])
    step = region_loss_step(t, "docs", account, "uaenorth")
    assert (step.model_key, step.rto, step.rpo) == ("azure-storage-geo-failover", 3600, 900)


def test_a_key_vault_is_read_from_its_paired_region_when_its_own_is_lost():
    """A blind estate's sound workload: apps in North and West Europe read one vault in West Europe; Key Vault keeps
    the vault's contents in the paired region (North Europe) and serves them read-only there in an outage."""
    from resilience.graph import build_graph
    from resilience.model import Inventory
    from resilience.policy import parse_policy
    from resilience.survival import Scenario, assess

    vault = _id("Microsoft.KeyVault/vaults", "kv-shop")
    t = _run([{"id": vault, "name": "kv-shop", "type": "Microsoft.KeyVault/vaults", "location": "westeurope",
               "tags": {"resilience:workload": "shop"}, "properties": {"vaultUri": "https://kv-shop.vault.azure.net/"}},
              _site("app-shop-neu", "northeurope")])
    t.link(_id("Microsoft.Web/sites", "app-shop-neu"), vault, "depends_on", "test")
    copy = _node(t, "kv-shop#paired")
    assert (copy.region, copy.attrs["read_only"]) == ("northeurope", True)
    policy = parse_policy("version: 1\nworkloads:\n  shop: {match: {tags: {resilience:workload: shop}}}\n", "<t>")
    graph = build_graph(Inventory(resources=t.resources, edges=t.edges), policy)
    assert assess(graph, "shop", Scenario(failed_regions=frozenset({"westeurope"}))).serving
    # losing both regions of the pair leaves no copy
    assert not assess(graph, "shop", Scenario(failed_regions=frozenset({"westeurope", "northeurope"}))).serving
