"""``collect()`` end to end on recorded responses, for the APIs moto does not emulate.

botocore ``Stubber`` replays the handwritten responses in ``data/`` (validated against the real
output shapes) through the real client, paginators, threads, coverage and post-pass:

- AWS Backup selections (ListBackupSelections/GetBackupSelection), recovery points, restore jobs
  and restore testing plans — moto 5.2.5 raises NotImplementedError / 404 for them;
- DynamoDB global-table ``Replicas`` in DescribeTable — moto accepts ReplicaUpdates but never
  reports replicas;
- RDS automated backups (moto omits the ARN, DBInstanceArn, Region and the replications) and
  snapshot-copy provenance (moto drops SourceRegion / SourceDBSnapshotIdentifier).
"""

from __future__ import annotations

from botocore import xform_name

from resilience.collectors.aws import ClientFactory, backup, collect, dynamodb, rds
from resilience.collectors.aws.permissions import iam_action
from resilience.model import BACKED_UP_TO, MEMBER_OF, REPLICATES_TO

from .helpers import IDENTITY, OBSERVED_AT, by_id, coverage_of, edges_of, load, new_session, stub, zones

TABLE = "arn:aws:dynamodb:me-central-1:123456789012:table/orders"


def _factory():
    session = new_session()
    factory = ClientFactory(session, max_attempts=1)
    sts = stub(factory, "sts", "me-central-1", [("get_caller_identity", IDENTITY)])
    return session, factory, [sts]


def _declared(module, factory, service: str, snake_ops: list[str]) -> None:
    """The stubbed calls, as IAM actions, are all declared in the module's PERMISSIONS."""
    model = factory.client(service, "me-central-1").meta.service_model
    api_names = {xform_name(name): name for name in model.operation_names}
    calls = {iam_action(model.signing_name, api_names[op]) for op in snake_ops}
    assert calls <= set(module.PERMISSIONS), sorted(calls - set(module.PERMISSIONS))


BACKUP_CALLS = [
    ("list_backup_vaults", load("backup/list_backup_vaults")),
    ("list_backup_plans", load("backup/list_backup_plans")),
    ("get_backup_plan", load("backup/get_backup_plan")),
    ("list_tags", load("backup/list_tags")),
    ("list_tags", {"Tags": {}}),
    ("list_backup_selections", load("backup/list_backup_selections")),
    ("get_backup_selection", load("backup/get_backup_selection")),
    ("list_recovery_points_by_backup_vault", load("backup/list_recovery_points_by_backup_vault")),
    ("list_restore_jobs", load("backup/list_restore_jobs")),
    ("list_restore_testing_plans", load("backup/list_restore_testing_plans")),
]


def test_backup_selections_recovery_points_and_restore_tests():
    session, factory, stubs = _factory()
    stubs.append(stub(factory, "backup", "me-central-1", BACKUP_CALLS))
    inv = collect(session, ["me-central-1"], observed_at=OBSERVED_AT, services=["backup"], clients=factory)
    for s in stubs:
        s.assert_no_pending_responses()
    cov = coverage_of(inv)
    assert {k[1]: c.status for k, c in cov.items()} == {s: "ok" for s in backup.COVERAGE}
    found = by_id(inv)
    plan = "arn:aws:backup:me-central-1:123456789012:backup-plan:plan-1111"
    vault = "arn:aws:backup:me-central-1:123456789012:backup-vault:primary"
    assert found[plan].attrs["selections"][0]["name"] == "orders-data"
    assert found[vault].tags == {"app": "orders"}
    point = "arn:aws:backup:me-central-1:123456789012:recovery-point:1111aaaa-2222-3333-4444-555566667777"
    edges = edges_of(inv)
    assert {(TABLE, plan, BACKED_UP_TO), (TABLE, point, BACKED_UP_TO), (point, vault, MEMBER_OF)} <= edges
    assert (vault, "arn:aws:backup:eu-west-1:123456789012:backup-vault:dr", REPLICATES_TO) in edges
    kinds = {r.type for r in inv.resources if r.kind == "restore_test"}
    assert kinds == {"AWS::Backup::RestoreJob", "AWS::Backup::RestoreTestingPlan"}
    _declared(backup, factory, "backup", [op for op, _ in BACKUP_CALLS])


def test_dynamodb_global_table_replicas():
    session, factory, stubs = _factory()
    calls = [
        ("list_tables", load("dynamodb/list_tables")),
        ("describe_table", load("dynamodb/describe_table")),
        ("describe_continuous_backups", load("dynamodb/describe_continuous_backups")),
        ("list_tags_of_resource", load("dynamodb/list_tags_of_resource")),
        ("list_backups", load("dynamodb/list_backups")),
    ]
    stubs.append(stub(factory, "dynamodb", "me-central-1", calls))
    inv = collect(session, ["me-central-1"], observed_at=OBSERVED_AT, services=["dynamodb"], clients=factory)
    for s in stubs:
        s.assert_no_pending_responses()
    assert all(c.status == "ok" for c in inv.coverage)
    table = by_id(inv)[TABLE]
    assert table.attrs["pitr"] is True and table.tags == {"app": "orders"}
    replicas = {dst for src, dst, kind in edges_of(inv, REPLICATES_TO) if src == TABLE}
    assert replicas == {"arn:aws:dynamodb:eu-west-1:123456789012:table/orders", "arn:aws:dynamodb:me-south-1:123456789012:table/orders"}
    _declared(dynamodb, factory, "dynamodb", [op for op, _ in calls])


def _rds_calls(instances: str, snapshots: dict, backups: dict) -> list:
    return [
        ("describe_db_instances", load(instances)),
        ("describe_global_clusters", load("rds/describe_global_clusters")),
        ("describe_db_clusters", {"DBClusters": []}),
        ("describe_db_snapshots", snapshots),
        ("describe_db_cluster_snapshots", {"DBClusterSnapshots": []}),
        ("describe_db_instance_automated_backups", backups),
    ]


def test_rds_replicas_snapshot_copies_and_automated_backup_replication_across_regions():
    session, factory, stubs = _factory()
    per_region = {
        "me-central-1": _rds_calls("rds/describe_db_instances", load("rds/describe_db_snapshots"), load("rds/describe_db_instance_automated_backups")),
        "me-south-1": _rds_calls("rds/describe_db_instances_me-south-1", load("rds/describe_db_snapshots_me-south-1"), {"DBInstanceAutomatedBackups": []}),
        "eu-west-1": [("describe_db_instances", {"DBInstances": []})]
        + _rds_calls("rds/describe_db_instances", {"DBSnapshots": []}, load("rds/describe_db_instance_automated_backups_eu-west-1"))[1:],
    }
    for region, calls in per_region.items():
        stubs.append(stub(factory, "rds", region, calls))
        stubs.append(stub(factory, "ec2", region, [("describe_availability_zones", zones(region))]))
    inv = collect(session, list(per_region), observed_at=OBSERVED_AT, services=["rds"], clients=factory)
    for s in stubs:
        s.assert_no_pending_responses()
    assert all(c.status == "ok" for c in inv.coverage), [c for c in inv.coverage if not c.ok]
    found = by_id(inv)
    db = "arn:aws:rds:me-central-1:123456789012:db:orders-db"
    global_cluster = [r for r in inv.resources if r.kind == "global_database"]
    assert len(global_cluster) == 1  # read in three regions, merged into one node
    copy = found["arn:aws:rds:me-south-1:123456789012:snapshot:orders-db-copy-2026-02-28"]
    assert copy.attrs["source_region"] == "me-central-1" and copy.attrs["source_resource"] == db
    replicated = found["arn:aws:rds:eu-west-1:123456789012:auto-backup:ab-orders0000000000000000000001"]
    assert replicated.region == "eu-west-1" and replicated.attrs["source_resource"] == db
    edges = edges_of(inv)
    assert (db, copy.id, BACKED_UP_TO) in edges and (db, replicated.id, BACKED_UP_TO) in edges
    assert found[db].zones == ("mec1-az1", "mec1-az2")
    _declared(rds, factory, "rds", [op for calls in per_region.values() for op, _ in calls])
