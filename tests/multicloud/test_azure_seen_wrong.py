"""Issue 12's "seen wrong" Azure cases: API-shaped rows -> transform -> the same rules as every
cloud. Each asserts the verdicts a sound (or faulty) resource gets, not just the graph facts."""

from __future__ import annotations

import datetime as dt

from resilience.collectors.azure.transform import transform_subscription
from resilience.model import Inventory
from resilience.policy import Policy
from resilience.scan import analyse

from .helpers import OBSERVED
from .test_azure_transform import LOCATIONS, SUB, _id

SCAN_TIME = dt.datetime(2026, 9, 1, 6, tzinfo=dt.UTC)
WEU_LOCATIONS = [*LOCATIONS, {"name": "westeurope", "metadata": {
    "regionType": "Physical", "pairedRegion": [{"name": "northeurope"}]},
    "availabilityZoneMappings": [{"logicalZone": "1", "physicalZone": "westeurope-az1"}]}]


def _findings(t, regions=("uaenorth",)):
    inventory = Inventory(resources=t.resources, edges=t.edges)
    return analyse(inventory, Policy(), scan_time=SCAN_TIME, audited_regions=regions).findings


def _verdicts(findings, suffix):
    return {(f.category, f.status) for f in findings if f.resource.endswith(suffix)}


def _account(name, sku, location="uaenorth", secondary=None):
    return {"id": _id("Microsoft.Storage/storageAccounts", name), "name": name, "kind": "StorageV2",
            "type": "microsoft.storage/storageaccounts", "location": location, "sku": {"name": sku},
            "tags": {"resilience:workload": "docs"},
            "properties": {"secondaryLocation": secondary} if secondary else {}}


def _blob(pitr=False, versioning=False, soft_delete=True):
    return {"name": "default", "type": "Microsoft.Storage/storageAccounts/blobServices", "properties": {
        "isVersioningEnabled": versioning, "deleteRetentionPolicy": {"enabled": soft_delete, "days": 7},
        "changeFeed": {"enabled": pitr}, "restorePolicy": {"enabled": pitr, "days": 6} if pitr else {"enabled": False}}}


def _policy(src, dst, listed_by):
    """``Object Replication Policies - List`` item (2023-05-01), as either account lists it."""
    return {"id": f"{listed_by}/objectReplicationPolicies/pol-1", "name": "pol-1",
            "type": "Microsoft.Storage/storageAccounts/objectReplicationPolicies",
            "properties": {"policyId": "pol-1", "enabledTime": "2026-01-05T10:00:00Z", "sourceAccount": src,
                           "destinationAccount": dst, "rules": [{
                               "ruleId": "r-1", "sourceContainer": "docs", "destinationContainer": "docs-dr",
                               "filters": {"prefixMatch": []}}]}}


def test_object_replication_is_read_from_either_account():
    src, dst = _account("docsuaen", "Standard_ZRS"), _account("docsweu", "Standard_ZRS", "westeurope")
    for listed_by in (src["id"], dst["id"]):
        # the destination may name its source by account name only (cross-tenant replication allowed)
        t = transform_subscription(SUB, OBSERVED, locations=WEU_LOCATIONS, rows=[src, dst],
                                   object_replication={listed_by: [_policy("docsuaen", dst["id"], listed_by)]})
        edges = [(e.src, e.dst, e.attrs.get("mechanism")) for e in t.edges if e.kind == "replicates_to"]
        assert edges == [(src["id"], dst["id"], "object replication")]
        assert next(r for r in t.resources if r.id == dst["id"]).attrs["role"] == "replica"
        verdicts = _verdicts(_findings(t), "/docsuaen")
        assert ("no-cross-region-replica", "pass") in verdicts
        assert not any(status == "fail" for _, status in verdicts), verdicts


def test_both_sides_listing_the_policy_make_one_edge():
    src, dst = _account("a", "Standard_LRS"), _account("b", "Standard_LRS", "westeurope")
    t = transform_subscription(SUB, OBSERVED, locations=WEU_LOCATIONS, rows=[src, dst], object_replication={
        src["id"]: [_policy(src["id"], dst["id"], src["id"])], dst["id"]: [_policy(src["id"], dst["id"], dst["id"])]})
    assert len([e for e in t.edges if e.kind == "replicates_to"]) == 1


def test_pitr_and_versioning_are_judged_alike_and_the_geo_secondary_is_the_copy_outside():
    """Enabling PITR used to create a backup-colocated failure that versioning alone did not, though
    the account's geo-secondary in the paired region holds the data and its versions."""
    for blob in (_blob(pitr=True, versioning=True), _blob(versioning=True)):
        acct = _account("grs", "Standard_GRS", secondary="uaecentral")
        t = transform_subscription(SUB, OBSERVED, locations=LOCATIONS, rows=[acct], blob_services={acct["id"]: blob})
        verdicts = _verdicts(_findings(t), "/grs")
        assert ("backup-colocated", "pass") in verdicts and ("no-backup", "pass") in verdicts, verdicts
    # the same protection on a locally-redundant account: every copy is in uaenorth
    lrs = _account("lrs", "Standard_LRS")
    t = transform_subscription(SUB, OBSERVED, locations=LOCATIONS, rows=[lrs], blob_services={lrs["id"]: _blob(pitr=True)})
    assert ("backup-colocated", "fail") in _verdicts(_findings(t), "/lrs")


def test_lrs_is_data_in_one_zone_and_zrs_is_zone_redundant():
    rows = [_account("lrs", "Standard_LRS"), _account("zrs", "Standard_ZRS")]
    t = transform_subscription(SUB, OBSERVED, locations=LOCATIONS, rows=rows,
                               blob_services={r["id"]: _blob(pitr=True) for r in rows})
    lrs = next(r for r in t.resources if r.id.endswith("/lrs"))
    # one datacentre, in a zone of uaenorth that ARM does not name: regional placement, of unreported zone
    assert lrs.zones == () and lrs.attrs["placement"] == "regional" and lrs.attrs["zone_unreported"] is True
    assert lrs.attrs["region_zones"] == ["uaenorth-az1", "uaenorth-az3"]
    # its point-in-time restore lives in the same datacentre: it does not survive that zone
    protection = next(r for r in t.resources if r.id.endswith("/lrs#protection"))
    assert protection.attrs["colocated_with"] == lrs.id and protection.attrs["zone_unreported"] is True
    findings = _findings(t)
    assert ("zonal-spof", "fail") in _verdicts(findings, "/lrs")
    assert not [f for f in findings if f.resource.endswith("/zrs") and f.category == "zonal-spof"]


def test_an_lrs_account_holding_a_zonal_disks_copy_may_be_in_the_lost_zone():
    """Blind estate: a zonal VM disk's copy held in a Standard_LRS account (object replication from a ZRS
    account is the simplest copy edge the transform makes) was taken to survive the loss of the disk's
    zone, because the account carried a zone of its own that no real zone loss ever failed. The account
    may be in that very zone: the copy is a doubt, never a silent pass; a ZRS destination survives."""
    from resilience.graph import build_graph
    from resilience.survival import Scenario, data_outcome

    for sku, expected in (("Standard_LRS", "unknown"), ("Standard_ZRS", "pass")):
        src, dst = _account("docsaz", "Standard_LRS"), _account("docscopy", sku)
        src = {**src, "zones": ["1"]}  # a one-zone source (as a zonal disk is): lost with uaenorth-az3
        t = transform_subscription(SUB, OBSERVED, locations=LOCATIONS, rows=[src, dst], object_replication={
            src["id"]: [_policy(src["id"], dst["id"], src["id"])]})
        graph = build_graph(Inventory(resources=t.resources, edges=t.edges), Policy())
        # the source as a zonal store: pinned to uaenorth-az3 (logical zone 1)
        graph.nodes[src["id"]]["zones"] = ("uaenorth-az3",)
        graph.nodes[src["id"]]["attrs"].pop("zone_unreported", None)
        outcome = data_outcome(graph, src["id"], Scenario.zones("uaenorth-az3"))
        status = "unknown" if outcome.ok and outcome.unknown else ("pass" if outcome.ok else "fail")
        assert status == expected, (sku, outcome)


def test_soft_delete_alone_is_not_a_backup():
    acct = _account("sd", "Standard_GRS", secondary="uaecentral")
    t = transform_subscription(SUB, OBSERVED, locations=LOCATIONS, rows=[acct], blob_services={acct["id"]: _blob()})
    assert not [r for r in t.resources if r.id.endswith("#protection")]
    assert next(r for r in t.resources if r.id == acct["id"]).attrs["soft_delete_days"] == 7


def _site_recovered_vm():
    from .test_azure_transform import _id as rid

    vm, disk = rid("Microsoft.Compute/virtualMachines", "vm1"), rid("Microsoft.Compute/disks", "vm1-os")
    tags = {"resilience:workload": "legacy"}
    rows = [{"id": vm, "name": "vm1", "type": "Microsoft.Compute/virtualMachines", "location": "uaenorth",
             "zones": ["1"], "tags": tags, "properties": {}},
            {"id": disk, "name": "vm1-os", "type": "Microsoft.Compute/disks", "location": "uaenorth", "zones": ["1"],
             "managedBy": vm, "tags": tags, "properties": {}}]
    vault = f"/subscriptions/{SUB}/resourceGroups/dr/providers/Microsoft.RecoveryServices/vaults/asr-weu"
    # RecoveryServicesResources row of an A2A replicated item (providerSpecificDetails: A2AReplicationDetails)
    item = {"id": f"{vault}/replicationFabrics/f/replicationProtectionContainers/c/replicationProtectedItems/vm1",
            "name": "vm1", "type": "microsoft.recoveryservices/vaults/replicationfabrics/"
                                   "replicationprotectioncontainers/replicationprotecteditems",
            "properties": {"friendlyName": "vm1", "protectionState": "Protected", "replicationHealth": "Normal",
                           "lastSuccessfulTestFailoverTime": "2026-08-10T09:00:00Z", "providerSpecificDetails": {
                               "instanceType": "A2A", "fabricObjectId": vm, "primaryFabricLocation": "uaenorth",
                               "recoveryFabricLocation": "westeurope", "rpoInSeconds": 40}}}
    return transform_subscription(SUB, OBSERVED, locations=WEU_LOCATIONS, rows=rows, recovery_rows=[item])


POLICY = """
version: 1
workloads:
  legacy:
    match: {tags: {"resilience:workload": legacy}}
    objectives:
      az: {rto: 15m, rpo: 15m}
      region: {rto: 4h, rpo: 15m}
"""


def test_site_recovery_is_a_manual_recovery_not_zone_survival():
    from resilience.policy import parse_policy

    t = _site_recovered_vm()
    replica = next(r for r in t.resources if r.type == "Microsoft.RecoveryServices/replicationProtectedItems")
    assert replica.kind == "volume" and replica.region == "westeurope"  # replicated disks, no running VM
    inventory = Inventory(resources=t.resources, edges=t.edges)
    findings = analyse(inventory, parse_policy(POLICY), scan_time=SCAN_TIME, audited_regions=("uaenorth",)).findings
    legacy = {(f.rule, f.status, f.message.split(":")[1][:40]) for f in findings if f.resource == "workload:legacy"}
    zone_loss = [f for f in findings if f.resource == "workload:legacy" and f.category == "zonal-spof"]
    assert zone_loss and all(f.status == "fail" for f in zone_loss), legacy
    rto = {f.evidence["observed"]["disruption"]: f for f in findings
           if f.resource == "workload:legacy" and f.category == "rto-mismatch"}
    # priced by the Site Recovery entry (2h SLA), not by RDS replica promotion nor an unbounded redeploy
    assert rto["az"].status == "fail" and rto["region"].status == "pass", legacy
    assert all("azure-site-recovery-failover" in f.message for f in rto.values())
    assert not any("rds-read-replica-promotion" in str(f.evidence) for f in findings)
    rpo = [f for f in findings if f.resource == "workload:legacy" and f.category == "rpo-mismatch"]
    assert rpo and all(f.evidence["observed"]["rpo"] == 40 for f in rpo)  # the item's observed rpoInSeconds


# --- item 3: private endpoints and app settings are dependencies ---------------------------------
def _web_tier(connection_string, *, failover_group=False):
    """Two App Service apps (UAE North, West Europe) reaching one SQL database through a private
    endpoint in each app's virtual network; the settings bodies are the List Application Settings /
    List Connection Strings shapes, reduced on arrival by ``setting_references``."""
    from resilience.collectors.azure.references import setting_references

    from .test_azure_transform import _id as rid

    server = rid("Microsoft.Sql/servers", "sql-orders")
    db = f"{server}/databases/orders"
    tags = {"resilience:workload": "shop"}
    rows = [{"id": server, "name": "sql-orders", "type": "Microsoft.Sql/servers", "location": "uaenorth",
             "properties": {"fullyQualifiedDomainName": "sql-orders.database.windows.net"}},
            {"id": db, "name": "sql-orders/orders", "type": "Microsoft.Sql/servers/databases", "location": "uaenorth",
             "tags": tags, "properties": {"zoneRedundant": True, "currentBackupStorageRedundancy": "Geo"}}]
    references = {}
    for region, vnet in (("uaenorth", "vnet-uaen"), ("westeurope", "vnet-weu")):
        site = rid("Microsoft.Web/sites", f"web-{region}")
        subnet = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/{vnet}/subnets/s"
        rows.append({"id": site, "name": f"web-{region}", "type": "Microsoft.Web/sites", "kind": "app",
                     "location": region, "tags": tags, "properties": {
                         "defaultHostName": f"web-{region}.azurewebsites.net", "virtualNetworkSubnetId": subnet}})
        rows.append({"id": rid("Microsoft.Network/privateEndpoints", f"pe-{region}"), "name": f"pe-{region}",
                     "type": "microsoft.network/privateendpoints", "location": region, "properties": {
                         "subnet": {"id": subnet}, "privateLinkServiceConnections": [{"name": "c", "properties": {
                             "privateLinkServiceId": server, "groupIds": ["sqlServer"],
                             "privateLinkServiceConnectionState": {"status": "Approved"}}}],
                         "customDnsConfigs": [{"fqdn": "sql-orders.privatelink.database.windows.net",
                                               "ipAddresses": ["10.0.0.5"]}]}})
        references[site] = setting_references(
            {"properties": {"WEBSITE_RUN_FROM_PACKAGE": "1"}},
            {"properties": {"Orders": {"value": connection_string, "type": "SQLAzure"}}})
    groups = {}
    if failover_group:
        partner = f"/subscriptions/{SUB}/resourceGroups/dr/providers/Microsoft.Sql/servers/sql-orders-weu"
        groups = {server: [{"id": f"{server}/failoverGroups/fg-orders", "name": "fg-orders", "properties": {
            "replicationRole": "Primary", "readWriteEndpoint": {"failoverPolicy": "Automatic",
                                                                "failoverWithDataLossGracePeriodMinutes": 60},
            "partnerServers": [{"id": partner, "location": "westeurope", "replicationRole": "Secondary"}],
            "databases": [db]}}]}
        rows.append({"id": f"{partner}/databases/orders", "name": "sql-orders-weu/orders", "location": "westeurope",
                     "type": "Microsoft.Sql/servers/databases", "tags": tags, "properties": {
                         "zoneRedundant": True, "secondaryType": "Geo"}})
    return transform_subscription(SUB, OBSERVED, locations=WEU_LOCATIONS, rows=rows, site_references=references,
                                  failover_groups=groups)


SECRET = "Sup3r-s3cret"


def test_app_settings_and_private_endpoints_make_depends_on_edges_without_values():
    t = _web_tier(f"Server=tcp:sql-orders.database.windows.net,1433;Initial Catalog=orders;Password={SECRET}")
    deps = sorted((e.src.rsplit("/", 1)[-1], e.dst.rsplit("/", 1)[-1], e.attrs.get("private_endpoint", "").rsplit("/", 1)[-1])
                  for e in t.edges if e.kind == "depends_on")
    assert deps == [("web-uaenorth", "orders", "pe-uaenorth"), ("web-westeurope", "orders", "pe-westeurope")]
    site = next(r for r in t.resources if r.id.endswith("/web-westeurope"))
    assert {ref["setting"] for ref in site.attrs["setting_references"]} == {"Orders"}
    assert SECRET not in repr(t.resources) + repr(t.edges)  # names and hosts only, never values
    # the West Europe web tier stops with the UAE North database: the cross-region dependency shows
    findings = _findings(t)
    region_loss = [f for f in findings if f.resource == "workload:shop" and f.category == "regional-spof"]
    assert region_loss and all(f.status == "fail" for f in region_loss), [(f.status, f.message) for f in findings]


def test_a_failover_group_listener_in_the_settings_is_a_dependency_that_survives():
    t = _web_tier(f"Server=tcp:fg-orders.database.windows.net,1433;Initial Catalog=orders;Password={SECRET}",
                  failover_group=True)
    assert [e.dst.rsplit("/", 1)[-1] for e in t.edges if e.kind == "depends_on"] == ["fg-orders", "fg-orders"]
    region_loss = [f for f in _findings(t) if f.resource == "workload:shop" and f.category == "regional-spof"]
    assert region_loss and all(f.status == "pass" for f in region_loss), [f.message for f in region_loss]
