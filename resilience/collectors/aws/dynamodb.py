"""DynamoDB: tables, point-in-time recovery, global-table replicas, on-demand backups."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from resilience.model import (
    BACKED_UP_TO,
    DATABASE,
    GLOBAL_DATABASE,
    MEMBER_OF,
    RECOVERY_POINT,
    REPLICATES_TO,
    Inventory,
)

from .common import Scope, arn_region, edge, inventory, iso, tags_from_list
from .context import TaskContext
from .errors import error_code
from .pagination import paginate

NAME = "dynamodb"
CLIENT = "dynamodb"
GLOBAL = False
PERMISSIONS = [
    "dynamodb:DescribeContinuousBackups",
    "dynamodb:DescribeTable",
    "dynamodb:ListBackups",
    "dynamodb:ListTables",
    "dynamodb:ListTagsOfResource",
]
COVERAGE = {
    "dynamodb": "ListTables + DescribeTable (incl. global-table replicas)",
    "dynamodb:pitr": "DescribeContinuousBackups (point-in-time recovery)",
    "dynamodb:backups": "ListBackups (on-demand and AWS Backup table backups)",
    "dynamodb:tags": "ListTagsOfResource",
}


# --- get -------------------------------------------------------------------------------------
def get_tables(client: Any) -> list[dict[str, Any]]:
    """DescribeTable for every listed table (a table deleted meanwhile is simply gone)."""
    tables = []
    for name in paginate(client, "list_tables", "TableNames"):
        try:
            tables.append(client.describe_table(TableName=name)["Table"])
        except ClientError as exc:
            if error_code(exc) != "ResourceNotFoundException":
                raise
    return tables


def get_continuous_backups(client: Any, table_name: str) -> dict[str, Any]:
    return client.describe_continuous_backups(TableName=table_name)["ContinuousBackupsDescription"]


def get_tags(client: Any, table_arn: str) -> list[dict[str, Any]]:
    return paginate(client, "list_tags_of_resource", "Tags", ResourceArn=table_arn)


def get_backups(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "list_backups", "BackupSummaries")


# --- transform -------------------------------------------------------------------------------
def global_table_arn(scope: Scope, table_name: str) -> str:
    return scope.arn("dynamodb", f"global-table/{table_name}", region="")


def replica_arns(table: Mapping[str, Any], scope: Scope) -> list[str]:
    """ARNs of the table's replicas in *other* regions."""
    own_region = arn_region(table["TableArn"])
    out = []
    for replica in table.get("Replicas", []):
        region = replica.get("RegionName")
        if region and region != own_region:
            out.append(replica.get("ReplicaArn") or scope.arn("dynamodb", f"table/{table['TableName']}", region=region))
    return out


def pitr_attrs(continuous: Mapping[str, Any] | None) -> dict[str, Any]:
    """``pitr`` (and its window) from DescribeContinuousBackups; empty when that read failed."""
    if continuous is None:
        return {}
    desc = continuous.get("PointInTimeRecoveryDescription", {})
    enabled = desc.get("PointInTimeRecoveryStatus") == "ENABLED"
    return {"pitr": enabled, "backup_retention_days": desc.get("RecoveryPeriodInDays") if enabled else None}


def transform_table(
    table: Mapping[str, Any],
    scope: Scope,
    continuous: Mapping[str, Any] | None,
    tags: Mapping[str, str],
) -> Inventory:
    out = inventory()
    source = "dynamodb:DescribeTable"
    arn = table["TableArn"]
    replicas = replica_arns(table, scope)
    global_arn = global_table_arn(scope, table["TableName"]) if replicas else None
    mode = "sync" if table.get("MultiRegionConsistency") == "STRONG" else "async"
    out.resources.append(
        scope.resource(
            id=arn,
            kind=DATABASE,
            type="AWS::DynamoDB::Table",
            name=table["TableName"],
            source=source,
            tags=tags,
            attrs={
                "engine": "dynamodb",
                "role": "member" if replicas else "primary",
                "global_cluster_id": global_arn,
                "storage_bytes": table.get("TableSizeBytes"),
                "deletion_protection": table.get("DeletionProtectionEnabled"),
                **pitr_attrs(continuous),
            },
        )
    )
    out.edges.extend(edge(arn, r, REPLICATES_TO, source, mode=mode, promotable=True) for r in replicas)
    if global_arn:
        out.resources.append(
            scope.resource(
                id=global_arn,
                kind=GLOBAL_DATABASE,
                type="AWS::DynamoDB::GlobalTable",
                name=table["TableName"],
                source=source,
                attrs={"members": sorted([arn, *replicas]), "global_table_version": table.get("GlobalTableVersion")},
            )
        )
        out.edges.append(edge(arn, global_arn, MEMBER_OF, source))
    return out


def transform_backups(backups: list[Mapping[str, Any]], scope: Scope) -> Inventory:
    out = inventory()
    source = "dynamodb:ListBackups"
    for backup in backups:
        arn = backup["BackupArn"]
        table = backup.get("TableArn")
        out.resources.append(
            scope.resource(
                id=arn,
                kind=RECOVERY_POINT,
                type="AWS::DynamoDB::Backup",
                name=backup.get("BackupName", arn),
                source=source,
                attrs={
                    "created_at": iso(backup.get("BackupCreationDateTime")),
                    "source_resource": table,
                    "size_bytes": backup.get("BackupSizeBytes"),
                    "status": backup.get("BackupStatus"),
                    "snapshot_type": backup.get("BackupType"),
                },
            )
        )
        if table:
            out.edges.append(edge(table, arn, BACKED_UP_TO, source))
    return out


# --- collect ---------------------------------------------------------------------------------
def collect(ctx: TaskContext) -> Inventory:
    client = ctx.client(CLIENT)
    out = inventory()
    for table in get_tables(client):
        name = table["TableName"]
        continuous = ctx.read("dynamodb:pitr", get_continuous_backups, client, name, about=name)
        tags = ctx.read("dynamodb:tags", get_tags, client, table["TableArn"], about=name)
        out.extend(transform_table(table, ctx.scope, continuous, tags_from_list(tags)))
    backups = ctx.gather("dynamodb:backups", lambda: get_backups(client), lambda items: transform_backups(items, ctx.scope))
    if backups is not None:
        out.extend(backups)
    return out
