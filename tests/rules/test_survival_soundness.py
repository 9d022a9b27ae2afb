"""Issue 10: verdicts that must not be optimistic (cycles, copies that do not exist, copies that are
not primary data, stores judged by their cluster), on small estates."""

from __future__ import annotations

import pytest

from resilience.survival import (
    AZURE_GRS,
    COSMOS_DB_FAILOVER,
    GCS_DUAL_REGION,
    S3_REPLICA,
    Scenario,
    assess,
    copy_time,
    copy_usable,
    data_copies,
)

UAE, IRELAND = "me-central-1", "eu-west-1"


def cycle_estate(first: str) -> dict:
    """``svc-a`` and ``svc-b`` depend on each other; ``svc-a`` also reads ``db`` in UAE. ``first`` is
    the function listed first (the workload's nodes are judged in graph order)."""
    functions = {n: {"kind": "function", "region": IRELAND, "workload": "ring"} for n in ("svc-a", "svc-b")}
    ordered = {first: functions[first], **functions}
    return {
        "resources": {**ordered,
                      "db": {"kind": "database", "type": "AWS::DynamoDB::Table", "region": UAE,
                             "attrs": {"pitr": True}}},
        "edges": [["svc-a", "depends_on", "svc-b"], ["svc-b", "depends_on", "svc-a"], ["svc-a", "depends_on", "db"]],
    }


@pytest.mark.parametrize("first", ["svc-a", "svc-b"])
def test_a_node_on_a_cycle_that_is_down_is_never_cached_up(estate, first):
    """a <-> b, a -> db, db lost: b needs a, so b is lost too, whichever is judged first."""
    e = estate(cycle_estate(first))
    impact = assess(e.graph, "ring", Scenario.regions(UAE))
    assert not impact.serving
    assert {e.id("svc-a"), e.id("svc-b")} <= set(impact.lost), impact.lost


def test_a_cycle_with_nothing_lost_still_serves(estate):
    e = estate(cycle_estate("svc-a"))
    impact = assess(e.graph, "ring", Scenario.regions("ap-south-1"))
    assert impact.serving and impact.lost == []


def point(native: str, status, **attrs) -> dict:
    return {"kind": "recovery_point", "type": native, "attrs": {"status": status, **attrs}}


@pytest.mark.parametrize(("native", "good", "bad"), [
    ("AWS::RDS::DBSnapshot", ["available"], ["creating", "copying", "deleting", "failed", "incompatible-restore"]),
    ("AWS::RDS::DBInstanceAutomatedBackup", ["active", "retained", "replicating"], ["creating", "pending"]),
    ("AWS::Backup::RecoveryPoint", ["COMPLETED", "AVAILABLE"],
     ["CREATING", "PARTIAL", "EXPIRED", "STOPPED", "DELETING"]),
    ("AWS::EC2::Snapshot", ["completed"], ["pending", "error", "recoverable", "recovering"]),
    ("AWS::DynamoDB::Backup", ["AVAILABLE"], ["CREATING", "DELETED"]),
    ("sqladmin.googleapis.com/BackupRun", ["SUCCESSFUL"], ["RUNNING", "ENQUEUED", "FAILED", "OVERDUE", "SKIPPED"]),
    ("Azure::GeoRedundantBackups", ["available", "Succeeded"], ["InProgress", "Failed", "partial"]),
])
def test_usable_means_finished(native, good, bad):
    """Issue 10 item 4: a whitelist of finished states per type, not a blacklist of bad words."""
    assert all(copy_usable(point(native, s)) for s in good)
    assert not any(copy_usable(point(native, s)) for s in bad)


def test_azure_protected_item_is_usable_once_it_has_a_recovery_point():
    native = "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems"
    assert copy_usable(point(native, "Unhealthy", created_at="2026-09-01T00:00:00Z"))
    assert not copy_usable(point(native, "IRPending"))


def test_copy_time_is_the_point_in_time_held():
    assert copy_time(point("AWS::RDS::DBSnapshot", "available", created_at="2026-09-01T00:00:00Z")) == \
        "2026-09-01T00:00:00Z"
    assert copy_time(point("AWS::RDS::DBInstanceAutomatedBackup", "active", created_at="2026-08-01T00:00:00Z",
                           latest_restorable_at="2026-10-01T11:00:00Z")) == "2026-10-01T11:00:00Z"
    assert copy_time({"attrs": {}}) is None


@pytest.mark.parametrize(("provider", "native", "mechanism"), [
    ("aws", "AWS::S3::Bucket", S3_REPLICA),
    ("gcp", "storage.googleapis.com/Bucket", GCS_DUAL_REGION),
    ("azure", "Microsoft.Storage/storageAccounts", AZURE_GRS),
    ("azure", "Microsoft.DocumentDB/databaseAccounts", COSMOS_DB_FAILOVER),
])
def test_copy_mechanisms_are_named_in_the_providers_terms(estate, provider, native, mechanism):
    """Issue 10 item 10: not ``s3-replica`` for every object store; AWS names stay for AWS."""
    kind = "database" if "DocumentDB" in native else "object_store"
    e = estate({
        "resources": {
            "app": {"kind": "function", "region": IRELAND, "workload": "files", "provider": provider},
            "store": {"kind": kind, "type": native, "region": UAE, "provider": provider, "id": "store"},
            "store-copy": {"kind": kind, "type": f"{native}#secondary", "region": IRELAND, "provider": provider,
                           "id": "store-copy", "attrs": {"role": "replica"}},
        },
        "edges": [["app", "depends_on", "store"], ["store", "replicates_to", "store-copy", {"promotable": True}]],
    })
    [copy] = data_copies(e.graph, "store")
    assert copy.mechanism == mechanism
    impact = assess(e.graph, "files", Scenario.regions(UAE))
    assert impact.serving and ("store", "store-copy", mechanism) in impact.failovers, impact.why


def test_a_relied_on_placeholder_of_another_provider_is_unknown_not_safe(estate):
    """Issue 10 item 1 for Azure/GCP: their collectors keep an edge target nobody inventoried as an
    ``external`` placeholder (region from the API's hint). A workload relying on it is ``unknown``, naming it."""
    e = estate({
        "resources": {
            "web-a": {"kind": "function", "region": "uaenorth", "workload": "portal", "provider": "azure"},
            "web-b": {"kind": "function", "region": "westeurope", "workload": "portal", "provider": "azure"},
            "vault": {"kind": "external", "type": "Microsoft.KeyVault/vaults", "region": "northeurope",
                      "provider": "azure", "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv",
                      "attrs": {"placeholder": True, "outside_scan": True}},
        },
        "edges": [["web-a", "depends_on", "vault"], ["web-b", "depends_on", "vault"]],
    })
    impact = assess(e.graph, "portal", Scenario.regions("uaenorth"))
    assert impact.serving
    assert any("kv" in reason and "not inventoried" in reason for reason in impact.unknown), impact.unknown
