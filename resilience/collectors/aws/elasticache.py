"""ElastiCache: replication groups (Multi-AZ, automatic failover, node zones), global datastores
(cross-region secondaries) and serverless caches.

A cache is a serving dependency (kind ``cache``), not a data store: what it holds is rebuilt from
the source of truth. Its ``zones`` are the zones it keeps serving from: every node's zone when
automatic failover is enabled (a replica in another zone is promoted), else the primary's zone only
(losing it stops writes until someone promotes a replica). Serverless caches span the region's zones.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resilience.model import CACHE, REPLICATES_TO, Inventory

from .common import Scope, edge, inventory, tags_from_list, zone_ids_for
from .context import TaskContext
from .pagination import paginate

NAME = "elasticache"
CLIENT = "elasticache"
GLOBAL = False
PERMISSIONS = [
    "ec2:DescribeAvailabilityZones",
    "elasticache:DescribeGlobalReplicationGroups",
    "elasticache:DescribeReplicationGroups",
    "elasticache:DescribeServerlessCaches",
    "elasticache:ListTagsForResource",
]
COVERAGE = {
    "elasticache": "DescribeReplicationGroups",
    "elasticache:global-replication-groups": "DescribeGlobalReplicationGroups (global datastores, members per region)",
    "elasticache:serverless": "DescribeServerlessCaches",
    "elasticache:tags": "ListTagsForResource (workload membership by tag)",
}


# --- get -------------------------------------------------------------------------------------
def get_replication_groups(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "describe_replication_groups", "ReplicationGroups")


def get_global_replication_groups(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "describe_global_replication_groups", "GlobalReplicationGroups", ShowMemberInfo=True)


def get_serverless_caches(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "describe_serverless_caches", "ServerlessCaches")


def get_tags(client: Any, arns: list[str]) -> dict[str, dict[str, str]]:
    return {arn: tags_from_list(client.list_tags_for_resource(ResourceName=arn).get("TagList")) for arn in arns}


# --- transform -------------------------------------------------------------------------------
def replication_group_arn(scope: Scope, group_id: str, region: str | None = None) -> str:
    return scope.arn("elasticache", f"replicationgroup:{group_id}", region=region)


def _enabled(value: Any) -> bool | None:
    if value is None:
        return None
    return str(value).lower() in ("enabled", "enabling", "true")


def serving_zones(group: Mapping[str, Any], zone_ids: Mapping[str, str]) -> tuple[str, ...]:
    members = [m for ng in group.get("NodeGroups") or () for m in ng.get("NodeGroupMembers") or ()]
    failover = _enabled(group.get("AutomaticFailover"))
    primaries = [m for m in members if str(m.get("CurrentRole", "")).lower() == "primary"]
    chosen = members if failover or not primaries else primaries
    return zone_ids_for([m.get("PreferredAvailabilityZone", "") for m in chosen], zone_ids)


def transform_replication_groups(groups: list[Mapping[str, Any]], scope: Scope, zone_ids: Mapping[str, str]) -> Inventory:
    out = inventory()
    for group in groups:
        members = [m for ng in group.get("NodeGroups") or () for m in ng.get("NodeGroupMembers") or ()]
        global_info = group.get("GlobalReplicationGroupInfo") or {}
        out.resources.append(scope.resource(
            id=group.get("ARN") or replication_group_arn(scope, group["ReplicationGroupId"]), kind=CACHE,
            type="AWS::ElastiCache::ReplicationGroup", name=group["ReplicationGroupId"],
            source="elasticache:DescribeReplicationGroups", zones=serving_zones(group, zone_ids),
            attrs={
                "engine": group.get("Engine"), "status": group.get("Status"),
                "multi_az": _enabled(group.get("MultiAZ")), "automatic_failover": _enabled(group.get("AutomaticFailover")),
                "cluster_mode": group.get("ClusterEnabled"),
                "node_zones": zone_ids_for([m.get("PreferredAvailabilityZone", "") for m in members], zone_ids),
                "snapshot_retention_days": group.get("SnapshotRetentionLimit"),
                "global_datastore": global_info.get("GlobalReplicationGroupId"),
                "global_role": global_info.get("GlobalReplicationGroupMemberRole"),
            },
        ))
    return out


def transform_global_replication_groups(groups: list[Mapping[str, Any]], scope: Scope) -> Inventory:
    """primary replication group -replicates_to-> each secondary (promotable: a secondary cluster can
    be promoted in its own region)."""
    out = inventory()
    source = "elasticache:DescribeGlobalReplicationGroups"
    for group in groups:
        members = group.get("Members") or ()
        primary = [m for m in members if str(m.get("Role", "")).upper() == "PRIMARY"]
        if not primary:
            continue
        src = replication_group_arn(scope, primary[0]["ReplicationGroupId"], region=primary[0].get("ReplicationGroupRegion"))
        for m in members:
            if str(m.get("Role", "")).upper() == "SECONDARY":
                dst = replication_group_arn(scope, m["ReplicationGroupId"], region=m.get("ReplicationGroupRegion"))
                out.edges.append(edge(src, dst, REPLICATES_TO, source, mode="async", promotable=True,
                                      global_datastore=group.get("GlobalReplicationGroupId")))
    return out


def transform_serverless_caches(caches: list[Mapping[str, Any]], scope: Scope) -> Inventory:
    out = inventory()
    for cache in caches:
        out.resources.append(scope.resource(
            id=cache["ARN"], kind=CACHE, type="AWS::ElastiCache::ServerlessCache", name=cache["ServerlessCacheName"],
            source="elasticache:DescribeServerlessCaches",
            attrs={"engine": cache.get("Engine"), "status": cache.get("Status"), "serverless": True,
                   "subnets": list(cache.get("SubnetIds") or ()),
                   "snapshot_retention_days": cache.get("SnapshotRetentionLimit")},
        ))
    return out


# --- collect ---------------------------------------------------------------------------------
def collect(ctx: TaskContext) -> Inventory:
    client = ctx.client(CLIENT)
    out = transform_replication_groups(get_replication_groups(client), ctx.scope, ctx.zone_ids())
    for part in (
        ctx.gather("elasticache:global-replication-groups", lambda: get_global_replication_groups(client),
                   lambda items: transform_global_replication_groups(items, ctx.scope)),
        ctx.gather("elasticache:serverless", lambda: get_serverless_caches(client),
                   lambda items: transform_serverless_caches(items, ctx.scope)),
    ):
        if part is not None:
            out.extend(part)
    tags = ctx.read("elasticache:tags", get_tags, client, [r.id for r in out.resources]) if out.resources else None
    for resource in out.resources:
        resource.tags.update((tags or {}).get(resource.id, {}))
    return out
