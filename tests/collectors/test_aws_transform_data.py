"""Pure transforms of RDS, DynamoDB, S3 and AWS Backup responses: recorded dicts, no mocks."""

from __future__ import annotations

from resilience.collectors.aws import backup, dynamodb, rds, s3
from resilience.model import BACKED_UP_TO, FAILS_OVER_TO, MEMBER_OF, REPLICATES_TO

from .helpers import ZONE_IDS, by_id, edges_of, load, scope

DB = "arn:aws:rds:me-central-1:123456789012:db:orders-db"
READER = "arn:aws:rds:me-central-1:123456789012:db:orders-db-reader"
REMOTE_REPLICA = "arn:aws:rds:me-south-1:123456789012:db:orders-db-replica"
CLUSTER = "arn:aws:rds:me-central-1:123456789012:cluster:ledger"
EU_CLUSTER = "arn:aws:rds:eu-west-1:123456789012:cluster:ledger-eu"
GLOBAL = "arn:aws:rds::123456789012:global-cluster:ledger-global"
TABLE = "arn:aws:dynamodb:me-central-1:123456789012:table/orders"


def test_db_instances_multi_az_zones_roles_and_replicas():
    inv = rds.transform_db_instances(load("rds/describe_db_instances")["DBInstances"], scope(), ZONE_IDS)
    found = by_id(inv)
    db = found[DB]
    assert db.zones == ("mec1-az1", "mec1-az2")
    assert db.attrs == {
        "engine": "postgres",
        "multi_az": True,
        "backup_retention_days": 7,
        "role": "primary",
        "storage_bytes": 100 * 2**30,
        "deletion_protection": True,
    }
    assert db.tags == {"app": "orders"}
    assert found[READER].attrs["role"] == "replica" and found[READER].attrs["replica_of"] == DB
    member = found["arn:aws:rds:me-central-1:123456789012:db:ledger-1"]
    assert member.attrs["role"] == "member" and member.attrs["cluster_id"] == CLUSTER
    edges = edges_of(inv)
    assert (DB, REMOTE_REPLICA, REPLICATES_TO) in edges
    assert (DB, REMOTE_REPLICA, FAILS_OVER_TO) in edges
    assert (DB, READER, REPLICATES_TO) in edges  # plain identifier resolved in the source's region
    assert (member.id, CLUSTER, MEMBER_OF) in edges
    # cross-region automated-backup replication seen from the source instance
    assert (DB, "arn:aws:rds:eu-west-1:123456789012:auto-backup:ab-orders0000000000000000000001", BACKED_UP_TO) in edges
    failover = next(e for e in inv.edges if e.kind == FAILS_OVER_TO and e.dst == REMOTE_REPLICA)
    assert failover.attrs == {"health_checked": False, "needs_control_plane_in": "me-south-1"}
    replication = next(e for e in inv.edges if e.kind == REPLICATES_TO and e.dst == REMOTE_REPLICA)
    assert replication.attrs == {"mode": "async", "promotable": True}


def test_cross_region_replica_region_from_arn_not_from_the_copied_zone():
    """The replica reports its source's zone (moto does this): region comes from the ARN and the
    foreign zone name is dropped instead of being mistaken for a local zone."""
    [replica] = rds.transform_db_instances(
        load("rds/describe_db_instances_me-south-1")["DBInstances"], scope("me-south-1"), {"me-south-1a": "mes1-az1"}
    ).resources
    assert replica.region == "me-south-1"
    assert replica.zones == ()
    assert replica.attrs["replica_of"] == DB and replica.attrs["role"] == "replica"


def test_aurora_cluster_and_global_cluster():
    globals_ = load("rds/describe_global_clusters")["GlobalClusters"]
    membership = rds.global_membership(globals_)
    clusters = rds.transform_db_clusters(load("rds/describe_db_clusters")["DBClusters"], scope(), ZONE_IDS, membership)
    [cluster] = clusters.resources
    assert cluster.zones == ("mec1-az1", "mec1-az2", "mec1-az3")
    assert cluster.attrs["role"] == "primary" and cluster.attrs["global_cluster_id"] == GLOBAL
    assert cluster.attrs["backup_retention_days"] == 14
    assert edges_of(clusters) == {("arn:aws:rds:me-central-1:123456789012:db:ledger-1", CLUSTER, MEMBER_OF)}

    inv = rds.transform_global_clusters(globals_, scope())
    [gc] = inv.resources
    assert gc.region == "global" and gc.kind == "global_database"
    assert gc.attrs["members"] == [CLUSTER, EU_CLUSTER] and gc.attrs["writer"] == CLUSTER
    assert edges_of(inv) == {
        (CLUSTER, GLOBAL, MEMBER_OF),
        (EU_CLUSTER, GLOBAL, MEMBER_OF),
        (CLUSTER, EU_CLUSTER, REPLICATES_TO),
        (CLUSTER, EU_CLUSTER, FAILS_OVER_TO),
    }


def test_reader_cluster_of_a_global_cluster_is_a_replica():
    membership = rds.global_membership(load("rds/describe_global_clusters")["GlobalClusters"])
    eu = {"DBClusterIdentifier": "ledger-eu", "DBClusterArn": EU_CLUSTER, "AvailabilityZones": ["eu-west-1a"], "Engine": "aurora-postgresql"}
    [cluster] = rds.transform_db_clusters([eu], scope("eu-west-1"), {"eu-west-1a": "euw1-az1"}, membership).resources
    assert cluster.attrs["role"] == "replica" and cluster.region == "eu-west-1" and cluster.zones == ("euw1-az1",)


def test_snapshot_copied_from_another_region():
    inv = rds.transform_db_snapshots(load("rds/describe_db_snapshots_me-south-1")["DBSnapshots"], scope("me-south-1"))
    [snap] = inv.resources
    source_snapshot = "arn:aws:rds:me-central-1:123456789012:snapshot:rds:orders-db-2026-02-28-01-00"
    assert snap.region == "me-south-1"
    assert snap.attrs["source_region"] == "me-central-1"
    assert snap.attrs["source_resource"] == DB  # the DB lives in the source region
    assert snap.attrs["copy_of"] == source_snapshot
    assert edges_of(inv) == {(DB, snap.id, BACKED_UP_TO), (source_snapshot, snap.id, REPLICATES_TO)}


def test_cluster_snapshot_copy():
    inv = rds.transform_db_cluster_snapshots(load("rds/describe_db_cluster_snapshots")["DBClusterSnapshots"], scope())
    [snap] = inv.resources
    assert snap.attrs["source_region"] == "eu-west-1"
    assert snap.attrs["source_resource"] == EU_CLUSTER
    assert (EU_CLUSTER, snap.id, BACKED_UP_TO) in edges_of(inv)


def test_automated_backups_and_their_cross_region_replication():
    source = rds.transform_automated_backups(load("rds/describe_db_instance_automated_backups")["DBInstanceAutomatedBackups"], scope())
    [local] = source.resources
    replicated = "arn:aws:rds:eu-west-1:123456789012:auto-backup:ab-orders0000000000000000000001"
    assert local.attrs["latest_restorable_at"] == "2026-02-28T23:55:00Z"
    assert "source_region" not in local.attrs
    assert edges_of(source) == {(DB, local.id, BACKED_UP_TO), (local.id, replicated, REPLICATES_TO), (DB, replicated, BACKED_UP_TO)}

    target = rds.transform_automated_backups(
        load("rds/describe_db_instance_automated_backups_eu-west-1")["DBInstanceAutomatedBackups"], scope("eu-west-1")
    )
    [copy] = target.resources
    assert copy.id == replicated and copy.region == "eu-west-1"
    assert copy.attrs["source_region"] == "me-central-1" and copy.attrs["status"] == "replicating"


def test_dynamodb_global_table_replicas_pitr_and_tags():
    table = load("dynamodb/describe_table")["Table"]
    continuous = load("dynamodb/describe_continuous_backups")["ContinuousBackupsDescription"]
    inv = dynamodb.transform_table(table, scope(), continuous, {"app": "orders"})
    found = by_id(inv)
    t = found[TABLE]
    global_table = "arn:aws:dynamodb::123456789012:global-table/orders"
    assert t.attrs == {
        "engine": "dynamodb",
        "role": "member",
        "global_cluster_id": global_table,
        "storage_bytes": 52428800,
        "deletion_protection": True,
        "pitr": True,
        "backup_retention_days": 35,
    }
    eu = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders"
    bahrain = "arn:aws:dynamodb:me-south-1:123456789012:table/orders"
    assert edges_of(inv) == {(TABLE, eu, REPLICATES_TO), (TABLE, bahrain, REPLICATES_TO), (TABLE, global_table, MEMBER_OF)}
    assert found[global_table].attrs["members"] == sorted([TABLE, eu, bahrain])
    assert found[global_table].region == "global"


def test_dynamodb_pitr_unknown_when_its_read_failed():
    table = {"TableName": "t", "TableArn": "arn:aws:dynamodb:me-central-1:123456789012:table/t"}
    [t] = dynamodb.transform_table(table, scope(), None, {}).resources
    assert "pitr" not in t.attrs and t.attrs["role"] == "primary"
    [t] = dynamodb.transform_table(table, scope(), {"PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"}}, {}).resources
    assert t.attrs["pitr"] is False


def test_dynamodb_backups_are_recovery_points():
    inv = dynamodb.transform_backups(load("dynamodb/list_backups")["BackupSummaries"], scope())
    [point] = inv.resources
    assert point.kind == "recovery_point" and point.attrs["source_resource"] == TABLE
    assert edges_of(inv) == {(TABLE, point.id, BACKED_UP_TO)}


def test_s3_location_normalisation():
    assert s3.normalise_location({"LocationConstraint": None}) == "us-east-1"
    assert s3.normalise_location({}) == "us-east-1"
    assert s3.normalise_location({"LocationConstraint": "EU"}) == "eu-west-1"
    assert s3.normalise_location({"LocationConstraint": "me-central-1"}) == "me-central-1"


def test_s3_bucket_replication_rules_and_rtc():
    replication = {
        "Role": "arn:aws:iam::123456789012:role/replication",
        "Rules": [
            {"ID": "to-eu", "Status": "Enabled", "Destination": {"Bucket": "arn:aws:s3:::orders-eu", "ReplicationTime": {"Status": "Enabled", "Time": {"Minutes": 15}}}},
            {"ID": "off", "Status": "Disabled", "Destination": {"Bucket": "arn:aws:s3:::orders-old"}},
        ],
    }
    inv = s3.transform_bucket(
        {"Name": "orders", "CreationDate": "2025-01-01T00:00:00Z"},
        "me-central-1",
        scope("global"),
        versioning={"Status": "Enabled"},
        replication=replication,
        tags=[{"Key": "app", "Value": "orders"}],
    )
    [bucket] = inv.resources
    assert bucket.id == "arn:aws:s3:::orders" and bucket.region == "me-central-1"
    assert bucket.attrs["versioning"] == "Enabled"
    assert bucket.attrs["replication_rules"] == [
        {"id": "to-eu", "status": "Enabled", "destination": "arn:aws:s3:::orders-eu", "rtc": True,
         "sse_kms_objects": False},
        {"id": "off", "status": "Disabled", "destination": "arn:aws:s3:::orders-old", "rtc": False,
         "sse_kms_objects": False},
    ]
    assert edges_of(inv) == {("arn:aws:s3:::orders", "arn:aws:s3:::orders-eu", REPLICATES_TO)}
    # the default encryption was not read (not passed): no judgement of the rule's completeness
    assert inv.edges[0].attrs == {"mode": "async", "rtc": True, "rule": "to-eu"}


def test_s3_bucket_details_not_read_stay_absent():
    [bucket] = s3.transform_bucket({"Name": "b"}, "eu-west-1", scope("global")).resources
    assert "versioning" not in bucket.attrs and "replication_rules" not in bucket.attrs
    [bucket] = s3.transform_bucket({"Name": "b"}, "eu-west-1", scope("global"), versioning={}, replication={}).resources
    assert bucket.attrs["versioning"] == "Disabled" and bucket.attrs["replication_rules"] == []


VAULT = "arn:aws:backup:me-central-1:123456789012:backup-vault:primary"
PLAN = "arn:aws:backup:me-central-1:123456789012:backup-plan:plan-1111"


def test_backup_plan_rules_copy_actions_and_selections():
    selection = load("backup/get_backup_selection")["BackupSelection"]
    inv = backup.transform_plan(load("backup/get_backup_plan"), scope(), [selection], {"app": "orders"})
    [plan] = inv.resources
    dr_vault = "arn:aws:backup:eu-west-1:123456789012:backup-vault:dr"
    assert plan.attrs["rules"] == [
        {"name": "daily-35d", "schedule": "cron(0 3 * * ? *)", "target_vault": VAULT, "lifecycle_delete_days": 35, "copy_to": [dr_vault]}
    ]
    assert plan.attrs["selections"] == [
        {
            "name": "orders-data",
            "resources": [TABLE, "arn:aws:ec2:*:*:volume/*"],
            "conditions": {
                "tags": [{"type": "STRINGEQUALS", "key": "backup", "value": "daily"}],
                "not_resources": ["arn:aws:ec2:me-central-1:123456789012:volume/vol-0scratch"],
            },
        }
    ]
    # explicit ARNs become edges; wildcards and tag conditions stay data
    assert edges_of(inv) == {(PLAN, VAULT, BACKED_UP_TO), (VAULT, dr_vault, REPLICATES_TO), (TABLE, PLAN, BACKED_UP_TO)}


def test_backup_plan_selections_unknown_when_unreadable():
    [plan] = backup.transform_plan(load("backup/get_backup_plan"), scope(), None, {}).resources
    assert "selections" not in plan.attrs


def test_backup_recovery_points_including_a_copy_from_another_region():
    inv = backup.transform_recovery_points(load("backup/list_recovery_points_by_backup_vault")["RecoveryPoints"], scope())
    found = by_id(inv)
    point = found["arn:aws:backup:me-central-1:123456789012:recovery-point:1111aaaa-2222-3333-4444-555566667777"]
    assert point.attrs["source_resource"] == TABLE and point.attrs["vault"] == VAULT
    copy = found["arn:aws:ec2:me-central-1::snapshot/snap-0bk00000000000001"]
    assert copy.attrs["source_region"] == "me-south-1"
    assert (TABLE, point.id, BACKED_UP_TO) in edges_of(inv)
    assert (point.id, VAULT, MEMBER_OF) in edges_of(inv)


def test_restore_jobs_and_restore_testing_plans_are_restore_tests():
    [job] = backup.transform_restore_jobs(load("backup/list_restore_jobs")["RestoreJobs"], scope()).resources
    assert job.kind == "restore_test" and job.id == "arn:aws:backup:me-central-1:123456789012:restore-job:restore-0001"
    assert job.attrs["status"] == "COMPLETED" and job.attrs["resource"] == TABLE
    assert job.attrs["duration_s"] == 42 * 60 and job.attrs["completed_at"] == "2026-02-28T05:42:00Z"
    assert job.attrs["validation_status"] == "SUCCESSFUL"
    [plan] = backup.transform_restore_testing_plans(load("backup/list_restore_testing_plans")["RestoreTestingPlans"], scope()).resources
    assert plan.type == "AWS::Backup::RestoreTestingPlan" and plan.attrs["completed_at"] == "2026-02-28T05:00:00Z"


def test_backup_vaults():
    [vault] = backup.transform_vaults(load("backup/list_backup_vaults")["BackupVaultList"], scope(), {VAULT: {"app": "orders"}}).resources
    assert vault.attrs == {"recovery_points": 2, "locked": True} and vault.tags == {"app": "orders"}
