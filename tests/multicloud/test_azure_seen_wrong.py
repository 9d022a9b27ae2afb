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
    assert len(lrs.zones) == 1 and lrs.attrs["placement"] == "zonal"
    # its point-in-time restore lives in the same datacentre: it does not survive that zone
    assert next(r for r in t.resources if r.id.endswith("/lrs#protection")).zones == lrs.zones
    findings = _findings(t)
    assert ("zonal-spof", "fail") in _verdicts(findings, "/lrs")
    assert not [f for f in findings if f.resource.endswith("/zrs") and f.category == "zonal-spof"]


def test_soft_delete_alone_is_not_a_backup():
    acct = _account("sd", "Standard_GRS", secondary="uaecentral")
    t = transform_subscription(SUB, OBSERVED, locations=LOCATIONS, rows=[acct], blob_services={acct["id"]: _blob()})
    assert not [r for r in t.resources if r.id.endswith("#protection")]
    assert next(r for r in t.resources if r.id == acct["id"]).attrs["soft_delete_days"] == 7
