"""RDS, Aurora and DocumentDB: instances, clusters, global clusters (Aurora Global Database and
DocumentDB global clusters: the RDS API lists both), snapshots (incl. cross-region copies),
automated backups and their cross-region replications; the KMS key behind each (``kms_key``).

Regions always come from ARNs, never from availability-zone fields (a cross-region replica can
report its source's zone; moto does exactly that). Zone names that do not belong to the
resource's own region are dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from resilience.model import (
    BACKED_UP_TO,
    DATABASE,
    DEPENDS_ON,
    FAILS_OVER_TO,
    GLOBAL_DATABASE,
    MEMBER_OF,
    RECOVERY_POINT,
    REPLICATES_TO,
    Edge,
    Inventory,
)

from .common import (
    Scope,
    arn_parts,
    arn_region,
    edge,
    endpoint_addresses,
    inventory,
    is_arn,
    iso,
    tags_from_list,
    zone_ids_for,
)
from .context import TaskContext
from .pagination import paginate

NAME = "rds"
CLIENT = "rds"
GLOBAL = False
PERMISSIONS = [
    "ec2:DescribeAvailabilityZones",
    "rds:DescribeDBClusterSnapshots",
    "rds:DescribeDBClusters",
    "rds:DescribeDBInstanceAutomatedBackups",
    "rds:DescribeDBInstances",
    "rds:DescribeDBSnapshots",
    "rds:DescribeGlobalClusters",
]
COVERAGE = {
    "rds": "DescribeDBInstances",
    "rds:clusters": "DescribeDBClusters",
    "rds:global-clusters": "DescribeGlobalClusters",
    "rds:snapshots": "DescribeDBSnapshots (manual, automated and copied)",
    "rds:cluster-snapshots": "DescribeDBClusterSnapshots",
    "rds:automated-backups": "DescribeDBInstanceAutomatedBackups (incl. cross-region replications)",
}
GIB = 2**30


# --- get -------------------------------------------------------------------------------------
def get_db_instances(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "describe_db_instances", "DBInstances")


def get_db_clusters(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "describe_db_clusters", "DBClusters")


def get_global_clusters(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "describe_global_clusters", "GlobalClusters")


def get_db_snapshots(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "describe_db_snapshots", "DBSnapshots")


def get_db_cluster_snapshots(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "describe_db_cluster_snapshots", "DBClusterSnapshots")


def get_automated_backups(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "describe_db_instance_automated_backups", "DBInstanceAutomatedBackups")


# --- helpers ---------------------------------------------------------------------------------
def rds_arn(scope: Scope, kind: str, identifier: str, region: str | None = None, account: str | None = None) -> str:
    """An identifier (or an ARN already) as an RDS ARN: ``kind`` is ``db``, ``cluster``, ``snapshot``..."""
    if is_arn(identifier):
        return identifier
    return scope.arn("rds", f"{kind}:{identifier}", region=region, account=account)


def owner_of(source_arn: str | None) -> str | None:
    """The account a copy's source (an ARN) lives in: a snapshot copied from another account names
    the source DB of *that* account."""
    if not source_arn or not is_arn(source_arn):
        return None
    return arn_parts(source_arn)[3] or None


def global_cluster_arn(scope: Scope, identifier: str) -> str:
    return identifier if is_arn(identifier) else scope.arn("rds", f"global-cluster:{identifier}", region="")


def own_zones(names: Iterable[str], region: str, zone_ids: Mapping[str, str]) -> tuple[str, ...]:
    """Zone ids for the zone names that belong to ``region`` (others are reporting artefacts)."""
    return zone_ids_for([n for n in names if n and n.startswith(region)], zone_ids)


def _replication_edges(src: str, dst: str, source: str) -> list[Edge]:
    """A promotable asynchronous replica: it holds the data and can take over (after promotion)."""
    return [
        edge(src, dst, REPLICATES_TO, source, mode="async", promotable=True),
        edge(src, dst, FAILS_OVER_TO, source, health_checked=False, needs_control_plane_in=arn_region(dst)),
    ]


def _key_edges(copy: str, key: str | None, source: str) -> list[Edge]:
    """A copy -depends_on-> the KMS key it is encrypted under: without the key it cannot be restored."""
    return [edge(copy, key, DEPENDS_ON, source, via="kms")] if key and is_arn(key) else []


def _global_edges(writer: str, reader: str, source: str) -> list[Edge]:
    """Writer -> secondary of a global cluster. The failover the graph relies on is detach-and-promote
    (or a managed unplanned failover), run against the secondary's region alone; a managed
    *switchover* also needs the writer's region (its edges carry ``method: switchover``)."""
    return [
        edge(writer, reader, REPLICATES_TO, source, mode="async", promotable=True),
        edge(writer, reader, FAILS_OVER_TO, source, health_checked=False, needs_control_plane_in=arn_region(reader),
             method="detach_and_promote", switchover_needs_control_plane_in=arn_region(writer)),
    ]


# --- transform: instances --------------------------------------------------------------------
def transform_db_instances(instances: list[Mapping[str, Any]], scope: Scope, zone_ids: Mapping[str, str]) -> Inventory:
    out = inventory()
    source = "rds:DescribeDBInstances"
    for db in instances:
        arn = db["DBInstanceArn"]
        region = arn_region(arn)
        replica_of = db.get("ReadReplicaSourceDBInstanceIdentifier") or db.get("ReadReplicaSourceDBClusterIdentifier")
        replica_of_arn = rds_arn(scope, "db" if db.get("ReadReplicaSourceDBInstanceIdentifier") else "cluster", replica_of, region) if replica_of else None
        cluster = rds_arn(scope, "cluster", db["DBClusterIdentifier"], region) if db.get("DBClusterIdentifier") else None
        role = "replica" if replica_of else ("member" if cluster else "primary")
        out.resources.append(
            scope.resource(
                id=arn,
                kind=DATABASE,
                type="AWS::RDS::DBInstance",
                name=db["DBInstanceIdentifier"],
                source=source,
                zones=own_zones([db.get("AvailabilityZone", ""), db.get("SecondaryAvailabilityZone", "")], region, zone_ids),
                tags=tags_from_list(db.get("TagList")),
                attrs={
                    "engine": db.get("Engine"),
                    "multi_az": bool(db.get("MultiAZ", False)),
                    "backup_retention_days": db.get("BackupRetentionPeriod"),
                    "role": role,
                    "replica_of": replica_of_arn,
                    "cluster_id": cluster,
                    "storage_bytes": db["AllocatedStorage"] * GIB if db.get("AllocatedStorage") else None,
                    "deletion_protection": db.get("DeletionProtection"),
                    "kms_key": db.get("KmsKeyId"),
                    # what a snapshot copy names its source by when AWS leaves its region out
                    "dbi_resource_id": db.get("DbiResourceId"),
                    # the host names a configuration reaches it by (post-pass: dns: targets)
                    "endpoints": endpoint_addresses((db.get("Endpoint") or {}).get("Address")),
                },
            )
        )
        if cluster:
            out.edges.append(edge(arn, cluster, MEMBER_OF, source))
        if replica_of_arn:
            out.edges.extend(_replication_edges(replica_of_arn, arn, source))
        for replica in db.get("ReadReplicaDBInstanceIdentifiers", []):
            out.edges.extend(_replication_edges(arn, rds_arn(scope, "db", replica, region), source))
        for replica in db.get("ReadReplicaDBClusterIdentifiers", []):
            out.edges.extend(_replication_edges(arn, rds_arn(scope, "cluster", replica, region), source))
        for replication in db.get("DBInstanceAutomatedBackupsReplications", []):
            if replication.get("DBInstanceAutomatedBackupsArn"):
                out.edges.append(edge(arn, replication["DBInstanceAutomatedBackupsArn"], BACKED_UP_TO, source))
    return out


# --- transform: clusters ---------------------------------------------------------------------
def global_membership(global_clusters: list[Mapping[str, Any]]) -> dict[str, tuple[str, bool]]:
    """``{cluster ARN: (global cluster ARN, is writer)}``."""
    out: dict[str, tuple[str, bool]] = {}
    for gc in global_clusters:
        for member in gc.get("GlobalClusterMembers", []):
            out[member["DBClusterArn"]] = (gc["GlobalClusterArn"], bool(member.get("IsWriter")))
    return out


def transform_db_clusters(
    clusters: list[Mapping[str, Any]],
    scope: Scope,
    zone_ids: Mapping[str, str],
    membership: Mapping[str, tuple[str, bool]],
) -> Inventory:
    out = inventory()
    source = "rds:DescribeDBClusters"
    for cluster in clusters:
        arn = cluster["DBClusterArn"]
        region = arn_region(arn)
        source_arn = cluster.get("ReplicationSourceIdentifier")
        global_arn, is_writer = membership.get(arn, (None, False))
        if global_arn is None and cluster.get("GlobalClusterIdentifier"):
            global_arn = global_cluster_arn(scope, cluster["GlobalClusterIdentifier"])
        in_global_as_reader = global_arn is not None and not is_writer and arn in membership
        out.resources.append(
            scope.resource(
                id=arn,
                kind=DATABASE,
                type="AWS::RDS::DBCluster",
                name=cluster["DBClusterIdentifier"],
                source=source,
                zones=own_zones(cluster.get("AvailabilityZones", []), region, zone_ids),
                tags=tags_from_list(cluster.get("TagList")),
                attrs={
                    "engine": cluster.get("Engine"),
                    "multi_az": bool(cluster.get("MultiAZ", False)),
                    "backup_retention_days": cluster.get("BackupRetentionPeriod"),
                    "role": "replica" if (source_arn or in_global_as_reader) else "primary",
                    "replica_of": rds_arn(scope, "cluster", source_arn, region) if source_arn else None,
                    "global_cluster_id": global_arn,
                    "deletion_protection": cluster.get("DeletionProtection"),
                    "kms_key": cluster.get("KmsKeyId"),
                    "endpoints": endpoint_addresses(cluster.get("Endpoint"), cluster.get("ReaderEndpoint"),
                                                    *(cluster.get("CustomEndpoints") or ())),
                },
            )
        )
        for member in cluster.get("DBClusterMembers", []):
            out.edges.append(edge(rds_arn(scope, "db", member["DBInstanceIdentifier"], region), arn, MEMBER_OF, source))
        if source_arn:
            kind = "db" if ":db:" in source_arn else "cluster"
            out.edges.extend(_replication_edges(rds_arn(scope, kind, source_arn, region), arn, source))
        for replica in cluster.get("ReadReplicaIdentifiers", []):
            out.edges.extend(_replication_edges(arn, rds_arn(scope, "cluster", replica, region), source))
    return out


def transform_global_clusters(global_clusters: list[Mapping[str, Any]], scope: Scope) -> Inventory:
    """Global cluster node; member clusters -member_of-> it; writer -replicates_to/fails_over_to-> readers."""
    out = inventory()
    source = "rds:DescribeGlobalClusters"
    for gc in global_clusters:
        arn = gc["GlobalClusterArn"]
        members = gc.get("GlobalClusterMembers", [])
        writer = next((m["DBClusterArn"] for m in members if m.get("IsWriter")), None)
        out.resources.append(
            scope.resource(
                id=arn,
                kind=GLOBAL_DATABASE,
                type="AWS::DocDB::GlobalCluster" if gc.get("Engine") == "docdb" else "AWS::RDS::GlobalCluster",
                name=gc.get("GlobalClusterIdentifier", arn),
                source=source,
                tags=tags_from_list(gc.get("TagList")),
                attrs={
                    "engine": gc.get("Engine"),
                    "members": [m["DBClusterArn"] for m in members],
                    "writer": writer,
                    "deletion_protection": gc.get("DeletionProtection"),
                },
            )
        )
        out.edges.extend(edge(m["DBClusterArn"], arn, MEMBER_OF, source) for m in members)
        for member in members:
            if member.get("IsWriter"):
                for reader in member.get("Readers", []):
                    out.edges.extend(_global_edges(member["DBClusterArn"], reader, source))
    return out


# --- transform: recovery points --------------------------------------------------------------
def is_copy(snap: Mapping[str, Any]) -> bool:
    """A copied DB snapshot: AWS names its source (cross-region / cross-account copies), or its creation
    time moved while ``OriginalSnapshotCreateTime`` ("doesn't change when the snapshot is copied") did not."""
    if snap.get("SourceDBSnapshotIdentifier"):
        return True
    original, taken = snap.get("OriginalSnapshotCreateTime"), snap.get("SnapshotCreateTime")
    return original is not None and taken is not None and original != taken


def transform_db_snapshots(snapshots: list[Mapping[str, Any]], scope: Scope) -> Inventory:
    """Snapshot nodes; DB -backed_up_to-> snapshot; source snapshot -replicates_to-> its copy.

    A copy whose source region AWS does not give (no ``SourceRegion``, no source ARN) names its DB only
    by identifier, which is unique per region: the source is left unknown (``source_unknown``, with
    the identifier and ``DbiResourceId`` kept), never placed in the copy's own region; the post-pass
    joins it to the DB whose ``DbiResourceId`` it carries, when exactly one was inventoried."""
    out = inventory()
    source = "rds:DescribeDBSnapshots"
    for snap in snapshots:
        arn = snap["DBSnapshotArn"]
        region = arn_region(arn)
        copy_of = snap.get("SourceDBSnapshotIdentifier")
        source_region = snap.get("SourceRegion") or (arn_region(copy_of) if copy_of and is_arn(copy_of) else None)
        unknown = is_copy(snap) and not source_region
        copy_of_arn = rds_arn(scope, "snapshot", copy_of, source_region or region) if copy_of and not unknown else None
        db = rds_arn(scope, "db", snap["DBInstanceIdentifier"], source_region or region,
                     owner_of(copy_of_arn)) if snap.get("DBInstanceIdentifier") and not unknown else None
        attrs = {
            "created_at": iso(snap.get("SnapshotCreateTime")),
            "source_resource": db,
            "source_region": source_region if source_region and source_region != region else None,
            "size_bytes": snap["AllocatedStorage"] * GIB if snap.get("AllocatedStorage") else None,
            "status": snap.get("Status"),
            "copy_of": copy_of_arn,
            "snapshot_type": snap.get("SnapshotType"),
            "kms_key": snap.get("KmsKeyId"),
        }
        if unknown:
            attrs.update(source_unknown=True, source_identifier=snap.get("DBInstanceIdentifier"),
                         source_dbi_resource_id=snap.get("DbiResourceId"))
        out.resources.append(
            scope.resource(
                id=arn,
                kind=RECOVERY_POINT,
                type="AWS::RDS::DBSnapshot",
                name=snap.get("DBSnapshotIdentifier", arn),
                source=source,
                tags=tags_from_list(snap.get("TagList")),
                attrs=attrs,
            )
        )
        out.edges.extend(_key_edges(arn, snap.get("KmsKeyId"), source))
        if db:
            out.edges.append(edge(db, arn, BACKED_UP_TO, source))
        if copy_of_arn:
            out.edges.append(edge(copy_of_arn, arn, REPLICATES_TO, source, mode="periodic"))
    return out


def transform_db_cluster_snapshots(snapshots: list[Mapping[str, Any]], scope: Scope) -> Inventory:
    out = inventory()
    source = "rds:DescribeDBClusterSnapshots"
    for snap in snapshots:
        arn = snap["DBClusterSnapshotArn"]
        region = arn_region(arn)
        copy_of = snap.get("SourceDBClusterSnapshotArn")
        source_region = arn_region(copy_of) if copy_of and is_arn(copy_of) else None
        cluster_region = source_region or region
        cluster = rds_arn(scope, "cluster", snap["DBClusterIdentifier"], cluster_region,
                          owner_of(copy_of)) if snap.get("DBClusterIdentifier") else None
        out.resources.append(
            scope.resource(
                id=arn,
                kind=RECOVERY_POINT,
                type="AWS::RDS::DBClusterSnapshot",
                name=snap.get("DBClusterSnapshotIdentifier", arn),
                source=source,
                tags=tags_from_list(snap.get("TagList")),
                attrs={
                    "created_at": iso(snap.get("SnapshotCreateTime")),
                    "source_resource": cluster,
                    "source_region": source_region if source_region != region else None,
                    "size_bytes": snap["AllocatedStorage"] * GIB if snap.get("AllocatedStorage") else None,
                    "status": snap.get("Status"),
                    "copy_of": copy_of,
                    "snapshot_type": snap.get("SnapshotType"),
                    "kms_key": snap.get("KmsKeyId"),
                },
            )
        )
        out.edges.extend(_key_edges(arn, snap.get("KmsKeyId"), source))
        if cluster:
            out.edges.append(edge(cluster, arn, BACKED_UP_TO, source))
        if copy_of:
            out.edges.append(edge(copy_of, arn, REPLICATES_TO, source, mode="periodic"))
    return out


def _automated_backup_id(scope: Scope, backup: Mapping[str, Any]) -> str:
    """Stand-in id when a response lacks DBInstanceAutomatedBackupsArn (emulators omit it)."""
    key = backup.get("DbiResourceId") or backup.get("DBInstanceIdentifier", "unknown")
    return scope.arn("rds", f"auto-backup:{key}")


def transform_automated_backups(backups: list[Mapping[str, Any]], scope: Scope) -> Inventory:
    """Automated backups (point-in-time restore) of DB instances, incl. replicated ones.

    In the replica region the record's ``Region`` is the source DB's region; in the source region
    ``DBInstanceAutomatedBackupsReplications`` lists the replicated copies' ARNs.
    """
    out = inventory()
    source = "rds:DescribeDBInstanceAutomatedBackups"
    for backup in backups:
        db = backup.get("DBInstanceArn")
        origin = backup.get("Region")
        arn = backup.get("DBInstanceAutomatedBackupsArn") or _automated_backup_id(scope, backup)
        region = arn_region(arn)
        window = backup.get("RestoreWindow", {})
        if db is None and backup.get("DBInstanceIdentifier"):
            db = rds_arn(scope, "db", backup["DBInstanceIdentifier"], origin or region)
        out.resources.append(
            scope.resource(
                id=arn,
                kind=RECOVERY_POINT,
                type="AWS::RDS::DBInstanceAutomatedBackup",
                name=f"{backup.get('DBInstanceIdentifier', arn)} (automated backups)",
                source=source,
                tags=tags_from_list(backup.get("TagList")),
                attrs={
                    "created_at": iso(window.get("EarliestTime")),
                    "latest_restorable_at": iso(window.get("LatestTime")),
                    "source_resource": db,
                    "source_region": origin if origin and origin != region else None,
                    "size_bytes": backup["AllocatedStorage"] * GIB if backup.get("AllocatedStorage") else None,
                    "status": backup.get("Status"),
                    "backup_retention_days": backup.get("BackupRetentionPeriod"),
                    "kms_key": backup.get("KmsKeyId"),
                },
            )
        )
        out.edges.extend(_key_edges(arn, backup.get("KmsKeyId"), source))
        if db:
            out.edges.append(edge(db, arn, BACKED_UP_TO, source))
        for replication in backup.get("DBInstanceAutomatedBackupsReplications", []):
            copy = replication.get("DBInstanceAutomatedBackupsArn")
            if copy:
                out.edges.append(edge(arn, copy, REPLICATES_TO, source, mode="async"))
                if db:
                    out.edges.append(edge(db, copy, BACKED_UP_TO, source))
    return out


# --- collect ---------------------------------------------------------------------------------
def collect(ctx: TaskContext) -> Inventory:
    client = ctx.client(CLIENT)
    instances = get_db_instances(client)
    zone_ids = ctx.zone_ids()
    out = transform_db_instances(instances, ctx.scope, zone_ids)
    global_clusters = ctx.read("rds:global-clusters", get_global_clusters, client)
    if global_clusters is not None:
        out.extend(transform_global_clusters(global_clusters, ctx.scope))
    clusters = ctx.read("rds:clusters", get_db_clusters, client)
    if clusters is not None:
        out.extend(transform_db_clusters(clusters, ctx.scope, zone_ids, global_membership(global_clusters or [])))
    reads = (
        ("rds:snapshots", get_db_snapshots, transform_db_snapshots),
        ("rds:cluster-snapshots", get_db_cluster_snapshots, transform_db_cluster_snapshots),
        ("rds:automated-backups", get_automated_backups, transform_automated_backups),
    )
    for service, get, transform in reads:
        part = ctx.gather(service, lambda get=get: get(client), lambda items, transform=transform: transform(items, ctx.scope))
        if part is not None:
            out.extend(part)
    return out
