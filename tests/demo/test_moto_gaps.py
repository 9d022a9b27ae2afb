"""The stand-ins for what moto lacks behave like the AWS APIs the collector reads."""

from __future__ import annotations

import boto3
import pytest

from resilience.demo import isolated_aws_env, moto_gaps

moto = pytest.importorskip("moto")


@pytest.fixture
def aws():
    with isolated_aws_env(), moto.mock_aws(), moto_gaps.patched():
        moto_gaps.fresh_backends()
        yield boto3.Session(region_name="me-central-1")


def test_global_table_replica_is_created_and_reported_both_ways(aws):
    home = aws.client("dynamodb", region_name="me-central-1")
    home.create_table(TableName="ledger", BillingMode="PAY_PER_REQUEST",
                      KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                      AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                      Tags=[{"Key": "app", "Value": "payments"}])
    home.update_table(TableName="ledger", ReplicaUpdates=[{"Create": {"RegionName": "eu-central-1"}}])
    mine = home.describe_table(TableName="ledger")["Table"]
    theirs = aws.client("dynamodb", region_name="eu-central-1").describe_table(TableName="ledger")["Table"]
    assert mine["Replicas"] == [{"RegionName": "eu-central-1", "ReplicaStatus": "ACTIVE"}]
    assert theirs["Replicas"] == [{"RegionName": "me-central-1", "ReplicaStatus": "ACTIVE"}]
    assert mine["GlobalTableVersion"] == theirs["GlobalTableVersion"] == "2019.11.21"
    assert theirs["TableArn"].startswith("arn:aws:dynamodb:eu-central-1:")
    # a table that is not global keeps moto's own answer
    home.create_table(TableName="plain", BillingMode="PAY_PER_REQUEST",
                      KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                      AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    assert "Replicas" not in home.describe_table(TableName="plain")["Table"]


def test_backup_selections_jobs_and_cross_region_copies(aws):
    home = aws.client("backup", region_name="me-central-1")
    away = aws.client("backup", region_name="eu-central-1")
    home.create_backup_vault(BackupVaultName="v1")
    remote = away.create_backup_vault(BackupVaultName="v2")["BackupVaultArn"]
    plan = home.create_backup_plan(BackupPlan={"BackupPlanName": "p", "Rules": [
        {"RuleName": "daily", "TargetBackupVaultName": "v1", "ScheduleExpression": "cron(0 3 * * ? *)"}]})
    db = "arn:aws:rds:me-central-1:123456789012:db:x"
    home.create_backup_selection(BackupPlanId=plan["BackupPlanId"], BackupSelection={
        "SelectionName": "s", "IamRoleArn": "arn:aws:iam::123456789012:role/b", "Resources": [db]})
    (listed,) = home.list_backup_selections(BackupPlanId=plan["BackupPlanId"])["BackupSelectionsList"]
    got = home.get_backup_selection(BackupPlanId=plan["BackupPlanId"], SelectionId=listed["SelectionId"])
    assert got["BackupSelection"]["Resources"] == [db]

    point = home.start_backup_job(BackupVaultName="v1", ResourceArn=db,
                                  IamRoleArn="arn:aws:iam::123456789012:role/b")["RecoveryPointArn"]
    home.start_copy_job(RecoveryPointArn=point, SourceBackupVaultName="v1", DestinationBackupVaultArn=remote,
                        IamRoleArn="arn:aws:iam::123456789012:role/b")
    (local,) = home.list_recovery_points_by_backup_vault(BackupVaultName="v1")["RecoveryPoints"]
    (copy,) = away.list_recovery_points_by_backup_vault(BackupVaultName="v2")["RecoveryPoints"]
    assert local["ResourceArn"] == copy["ResourceArn"] == db
    assert copy["SourceBackupVaultArn"].endswith(":backup-vault:v1") and copy["Status"] == "COMPLETED"
    assert away.list_backup_vaults()["BackupVaultList"][0]["NumberOfRecoveryPoints"] == 1
    assert home.list_restore_jobs()["RestoreJobs"] == []
    assert home.list_restore_testing_plans()["RestoreTestingPlans"] == []


def test_rds_automated_backups_carry_their_arn_and_window(aws):
    rds = aws.client("rds", region_name="me-central-1")
    rds.create_db_instance(DBInstanceIdentifier="db1", Engine="postgres", DBInstanceClass="db.t3.micro",
                           MasterUsername="u", MasterUserPassword="password123", AllocatedStorage=20,
                           BackupRetentionPeriod=7)
    (backup,) = rds.describe_db_instance_automated_backups()["DBInstanceAutomatedBackups"]
    assert backup["DBInstanceAutomatedBackupsArn"].startswith("arn:aws:rds:me-central-1:123456789012:auto-backup:ab-")
    assert backup["DBInstanceArn"] == "arn:aws:rds:me-central-1:123456789012:db:db1"
    assert backup["Region"] == "me-central-1" and backup["BackupRetentionPeriod"] == 7
    assert backup["RestoreWindow"]["EarliestTime"] <= backup["RestoreWindow"]["LatestTime"]


def test_nested_installs_share_one_installation(aws):
    with moto_gaps.patched(), moto_gaps.patched():
        pass
    assert moto_gaps.installed()  # the fixture's installation is still there
    test_global_table_replica_is_created_and_reported_both_ways(aws)


def _moto_as_shipped() -> dict[str, object]:
    from moto.backup import urls
    from moto.backup.responses import BackupResponse
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.responses import DynamoHandler
    from moto.rds.models import DBInstanceAutomatedBackup

    return {"update_table": DynamoHandler.update_table, "describe": Table.describe,
            "backup": sorted(vars(BackupResponse)), "paths": sorted(urls.url_paths),
            "rds": sorted(vars(DBInstanceAutomatedBackup))}


def test_the_patches_are_removed_on_exit():
    """Outside ``patched()`` moto is as shipped, so a test of moto's own behaviour passes in any order."""
    before = _moto_as_shipped()
    with moto_gaps.patched():
        assert moto_gaps.installed()
        assert _moto_as_shipped() != before
    assert not moto_gaps.installed()
    assert _moto_as_shipped() == before

