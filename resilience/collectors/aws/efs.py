"""EFS: regional vs One Zone file systems, mount targets per zone, replication, backup policy.

A One Zone file system holds its data in one zone (``zones`` = that zone id); a regional one spans
the region's zones (``zones`` empty). ``automatic_backups`` (backup policy ENABLED) means AWS Backup
keeps daily backups in the region's default vault: restorable after a zone loss, lost with the
region. Replication gives ``replicates_to`` to the destination file system.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from resilience.model import FILE_SYSTEM, REPLICATES_TO, Inventory

from .common import Scope, edge, inventory, iso, tags_from_list, zone_ids_for
from .context import TaskContext
from .pagination import paginate, token_loop

NAME = "efs"
CLIENT = "efs"
GLOBAL = False
PERMISSIONS = [
    "ec2:DescribeAvailabilityZones",
    "elasticfilesystem:DescribeBackupPolicy",
    "elasticfilesystem:DescribeFileSystems",
    "elasticfilesystem:DescribeMountTargets",
    "elasticfilesystem:DescribeReplicationConfigurations",
]
COVERAGE = {
    "efs": "DescribeFileSystems",
    "efs:mount-targets": "DescribeMountTargets (zones clients can mount from)",
    "efs:backup-policy": "DescribeBackupPolicy (automatic backups; PolicyNotFound is 'disabled', not an error)",
    "efs:replication": "DescribeReplicationConfigurations (destination region and file system)",
}


# --- get -------------------------------------------------------------------------------------
def get_file_systems(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "describe_file_systems", "FileSystems")


def get_mount_targets(client: Any, fs_id: str) -> list[dict[str, Any]]:
    return paginate(client, "describe_mount_targets", "MountTargets", FileSystemId=fs_id)


def get_backup_policy(client: Any, fs_id: str) -> str:
    """The backup policy status; ``DISABLED`` when the file system has none (PolicyNotFound)."""
    try:
        return client.describe_backup_policy(FileSystemId=fs_id)["BackupPolicy"]["Status"]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "PolicyNotFound":
            return "DISABLED"
        raise


def get_replications(client: Any) -> list[dict[str, Any]]:
    return token_loop(client, "describe_replication_configurations", "Replications",
                      token_in="NextToken", token_out="NextToken")


# --- transform -------------------------------------------------------------------------------
def file_system_arn(scope: Scope, fs_id: str, region: str | None = None) -> str:
    return scope.arn("elasticfilesystem", f"file-system/{fs_id}", region=region)


def transform_file_systems(
    file_systems: list[Mapping[str, Any]],
    scope: Scope,
    zone_ids: Mapping[str, str],
    mount_targets: Mapping[str, list[Mapping[str, Any]]],
    backup_policies: Mapping[str, str],
) -> Inventory:
    out = inventory()
    for fs in file_systems:
        fs_id = fs["FileSystemId"]
        one_zone = fs.get("AvailabilityZoneId") or fs.get("AvailabilityZoneName")
        zones = [fs["AvailabilityZoneId"]] if fs.get("AvailabilityZoneId") else (
            list(zone_ids_for([fs["AvailabilityZoneName"]], zone_ids)) if one_zone else [])
        targets = mount_targets.get(fs_id)
        policy = backup_policies.get(fs_id)
        protection = (fs.get("FileSystemProtection") or {}).get("ReplicationOverwriteProtection")
        out.resources.append(scope.resource(
            id=fs.get("FileSystemArn") or file_system_arn(scope, fs_id), kind=FILE_SYSTEM, type="AWS::EFS::FileSystem",
            name=fs.get("Name") or fs_id, source="efs:DescribeFileSystems", zones=zones,
            tags=tags_from_list(fs.get("Tags")),
            attrs={
                "storage": "one_zone" if one_zone else "regional",
                "lifecycle_state": fs.get("LifeCycleState"), "encrypted": fs.get("Encrypted"),
                "size_bytes": (fs.get("SizeInBytes") or {}).get("Value"), "created_at": iso(fs.get("CreationTime")),
                "mount_target_zones": None if targets is None else list(dict.fromkeys(
                    t.get("AvailabilityZoneId") or zone_ids.get(t.get("AvailabilityZoneName", ""), "") for t in targets)),
                "automatic_backups": None if policy is None else policy.upper() in ("ENABLED", "ENABLING"),
                # a replication destination is read-only until its replication is deleted (failover)
                "role": "replica" if protection == "REPLICATING" else None,
            },
        ))
    return out


def transform_replications(replications: list[Mapping[str, Any]], scope: Scope) -> Inventory:
    out = inventory()
    for rep in replications:
        src = rep.get("SourceFileSystemArn") or file_system_arn(scope, rep["SourceFileSystemId"],
                                                                 region=rep.get("SourceFileSystemRegion"))
        for dest in rep.get("Destinations") or ():
            if not dest.get("FileSystemId"):
                continue
            dst = file_system_arn(scope, dest["FileSystemId"], region=dest.get("Region"))
            out.edges.append(edge(src, dst, REPLICATES_TO, "efs:DescribeReplicationConfigurations", mode="async",
                                  status=dest.get("Status")))
    return out


# --- collect ---------------------------------------------------------------------------------
def collect(ctx: TaskContext) -> Inventory:
    client = ctx.client(CLIENT)
    file_systems = get_file_systems(client)
    targets: dict[str, Any] = {}
    policies: dict[str, str] = {}
    for fs in file_systems:
        fs_id = fs["FileSystemId"]
        got = ctx.read("efs:mount-targets", get_mount_targets, client, fs_id, about=fs_id)
        if got is not None:
            targets[fs_id] = got
        policy = ctx.read("efs:backup-policy", get_backup_policy, client, fs_id, about=fs_id)
        if policy is not None:
            policies[fs_id] = policy
    out = transform_file_systems(file_systems, ctx.scope, ctx.zone_ids(), targets, policies)
    replications = ctx.gather("efs:replication", lambda: get_replications(client),
                              lambda items: transform_replications(items, ctx.scope))
    if replications is not None:
        out.extend(replications)
    return out
