"""Cross-account edges in the pure transforms and the post-pass (recorded API shapes, no mock)."""

from __future__ import annotations

from resilience.collectors.aws import rds, s3
from resilience.collectors.aws.common import Scope
from resilience.collectors.aws.postpass import finalize
from resilience.model import Inventory

from .helpers import OBSERVED_AT

PROD, DR = "111111111111", "222222222222"


def scope(account: str, region: str = "me-central-1") -> Scope:
    return Scope(account=account, partition="aws", region=region, observed_at=OBSERVED_AT)


REPLICATION = {"Role": f"arn:aws:iam::{PROD}:role/replication", "Rules": [
    {"ID": "to-dr", "Status": "Enabled", "Priority": 1,
     "Destination": {"Bucket": "arn:aws:s3:::dr-replica", "Account": DR,
                     "AccessControlTranslation": {"Owner": "Destination"}}}]}


def _bucket(account: str, name: str, replication=None):
    return s3.transform_bucket({"Name": name}, "me-central-1", scope(account), versioning={"Status": "Enabled"},
                               replication=replication, tags=[])


def test_replication_to_another_accounts_bucket_names_the_owner():
    inv = _bucket(PROD, "prod-data", REPLICATION)
    (e,) = inv.edges
    assert e.dst == "arn:aws:s3:::dr-replica" and e.attrs["dst_account"] == DR
    assert inv.resources[0].attrs["replication_rules"][0]["account"] == DR


def test_unscanned_destination_becomes_an_external_node_of_its_owner():
    out = finalize(_bucket(PROD, "prod-data", REPLICATION))
    stub = {r.id: r for r in out.resources}["arn:aws:s3:::dr-replica"]
    assert (stub.kind, stub.account, stub.region) == ("external", DR, "unknown")
    assert out.edges[0].attrs["cross_account"] is True


def test_scanned_destination_joins_and_wins_over_the_placeholder():
    per_account = [finalize(_bucket(PROD, "prod-data", REPLICATION)), finalize(_bucket(DR, "dr-replica"))]
    merged = Inventory()
    for part in per_account:
        merged.extend(part)
    out = finalize(merged)
    replica = {r.id: r for r in out.resources}["arn:aws:s3:::dr-replica"]
    assert (replica.kind, replica.account) == ("object_store", DR)
    assert replica.attrs["is_replica_destination"] is True
    assert [r.id for r in out.resources].count("arn:aws:s3:::dr-replica") == 1


def test_same_account_edges_are_not_marked():
    same = dict(REPLICATION, Rules=[dict(REPLICATION["Rules"][0], Destination={"Bucket": "arn:aws:s3:::mine"})])
    out = finalize(_bucket(PROD, "prod-data", same))
    assert "cross_account" not in out.edges[0].attrs
    assert not [r for r in out.resources if r.kind == "external"]


def test_snapshot_copied_from_another_account_names_the_source_accounts_database():
    source = f"arn:aws:rds:me-central-1:{PROD}:snapshot:orders-2026-03-01"
    copied = {"DBSnapshotArn": f"arn:aws:rds:eu-central-1:{DR}:snapshot:orders-copy",
              "DBSnapshotIdentifier": "orders-copy", "DBInstanceIdentifier": "orders", "SourceRegion": "me-central-1",
              "SourceDBSnapshotIdentifier": source, "Status": "available", "SnapshotType": "manual"}
    inv = rds.transform_db_snapshots([copied], scope(DR, "eu-central-1"))
    (snap,) = inv.resources
    assert snap.account == DR
    assert snap.attrs["source_resource"] == f"arn:aws:rds:me-central-1:{PROD}:db:orders"
    assert (source, snap.id, "replicates_to") in {(e.src, e.dst, e.kind) for e in inv.edges}


def test_cluster_snapshot_copied_from_another_account_names_the_source_cluster():
    source = f"arn:aws:rds:me-central-1:{PROD}:cluster-snapshot:ledger-1"
    copied = {"DBClusterSnapshotArn": f"arn:aws:rds:eu-central-1:{DR}:cluster-snapshot:ledger-copy",
              "DBClusterSnapshotIdentifier": "ledger-copy", "DBClusterIdentifier": "ledger",
              "SourceDBClusterSnapshotArn": source, "Status": "available"}
    (snap,) = rds.transform_db_cluster_snapshots([copied], scope(DR, "eu-central-1")).resources
    assert snap.attrs["source_resource"] == f"arn:aws:rds:me-central-1:{PROD}:cluster:ledger"


def test_local_snapshot_keeps_its_own_account():
    local = {"DBSnapshotArn": f"arn:aws:rds:me-central-1:{PROD}:snapshot:s1", "DBInstanceIdentifier": "orders",
             "Status": "available"}
    (snap,) = rds.transform_db_snapshots([local], scope(PROD)).resources
    assert snap.attrs["source_resource"] == f"arn:aws:rds:me-central-1:{PROD}:db:orders"


def test_global_table_replica_in_another_account_is_a_cross_account_peer_edge():
    from resilience.collectors.aws import dynamodb

    table = {"TableName": "orders", "TableArn": f"arn:aws:dynamodb:me-central-1:{PROD}:table/orders",
             "Replicas": [{"RegionName": "me-central-1"},
                          {"RegionName": "eu-central-1", "ReplicaArn": f"arn:aws:dynamodb:eu-central-1:{DR}:table/orders"}]}
    out = finalize(dynamodb.transform_table(table, scope(PROD), None, {}))
    [e] = [e for e in out.edges if e.kind == "replicates_to"]
    assert e.dst == f"arn:aws:dynamodb:eu-central-1:{DR}:table/orders" and e.attrs["cross_account"] is True


def test_aurora_global_database_members_in_two_accounts_join_on_their_arns():
    writer = f"arn:aws:rds:me-central-1:{PROD}:cluster:ledger"
    reader = f"arn:aws:rds:eu-central-1:{DR}:cluster:ledger-dr"
    gc = {"GlobalClusterArn": f"arn:aws:rds::{PROD}:global-cluster:ledger", "GlobalClusterIdentifier": "ledger",
          "GlobalClusterMembers": [{"DBClusterArn": writer, "IsWriter": True, "Readers": [reader]},
                                   {"DBClusterArn": reader, "IsWriter": False}]}
    seen_from_prod = rds.transform_global_clusters([gc], scope(PROD))
    seen_from_dr = rds.transform_global_clusters([gc], scope(DR, "eu-central-1"))
    merged = Inventory()
    merged.extend(seen_from_prod)
    merged.extend(seen_from_dr)
    out = finalize(merged)
    assert [r.id for r in out.resources] == [gc["GlobalClusterArn"]]  # one node, not one per account
    kinds = {(e.src, e.dst, e.kind): e.attrs for e in out.edges}
    assert kinds[(writer, reader, "replicates_to")]["cross_account"] is True
    assert kinds[(reader, gc["GlobalClusterArn"], "member_of")]["cross_account"] is True
    assert "cross_account" not in kinds[(writer, gc["GlobalClusterArn"], "member_of")]
