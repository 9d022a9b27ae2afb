"""ElastiCache: replication groups (Multi-AZ, automatic failover, node zones), cache clusters outside any
replication group (a single Redis node, a Memcached cluster), global datastores (cross-region secondaries)
and serverless caches.

A cache is a serving dependency (kind ``cache``), not a data store: what it holds is rebuilt from
the source of truth. Its ``zones`` are the zones it keeps serving from: every node's zone when
automatic failover is enabled (a replica in another zone is promoted), else the primary's zone only
(losing it stops writes until someone promotes a replica). A cache cluster outside a replication group
serves from its nodes' zones (one node: one zone, a zonal single point of failure; the members of a
replication group are left to the group). Serverless caches span the region's zones.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resilience.model import CACHE, REPLICATES_TO, Inventory

from .common import Scope, edge, endpoint_addresses, inventory, tags_from_list, zone_ids_for
from .context import TaskContext
from .pagination import paginate

NAME = "elasticache"
CLIENT = "elasticache"
GLOBAL = False
PERMISSIONS = [
    "ec2:DescribeAvailabilityZones",
    "elasticache:DescribeCacheClusters",
    "elasticache:DescribeGlobalReplicationGroups",
    "elasticache:DescribeReplicationGroups",
    "elasticache:DescribeServerlessCaches",
    "elasticache:ListTagsForResource",
]
COVERAGE = {
    "elasticache": "DescribeReplicationGroups",
    "elasticache:clusters": "DescribeCacheClusters (ShowCacheNodeInfo; clusters outside a replication group)",
    "elasticache:global-replication-groups": "DescribeGlobalReplicationGroups (global datastores, members per region)",
    "elasticache:serverless": "DescribeServerlessCaches",
    "elasticache:tags": "ListTagsForResource (workload membership by tag)",
}


# --- get -------------------------------------------------------------------------------------
def get_replication_groups(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "describe_replication_groups", "ReplicationGroups")


def get_cache_clusters(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "describe_cache_clusters", "CacheClusters", ShowCacheNodeInfo=True)


def get_global_replication_groups(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "describe_global_replication_groups", "GlobalReplicationGroups", ShowMemberInfo=True)


def get_serverless_caches(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "describe_serverless_caches", "ServerlessCaches")


def get_tags(client: Any, arn: str) -> dict[str, str]:
    return tags_from_list(client.list_tags_for_resource(ResourceName=arn).get("TagList"))


# --- transform -------------------------------------------------------------------------------
def replication_group_arn(scope: Scope, group_id: str, region: str | None = None) -> str:
    return scope.arn("elasticache", f"replicationgroup:{group_id}", region=region)


def _enabled(value: Any) -> bool | None:
    if value is None:
        return None
    return str(value).lower() in ("enabled", "enabling", "true")


def serving_zones(group: Mapping[str, Any], zone_ids: Mapping[str, str]) -> tuple[str, ...]:
    members = [m for ng in group.get("NodeGroups") or () for m in ng.get("NodeGroupMembers") or ()]
    return _serving_zones_of(members, _enabled(group.get("AutomaticFailover")), zone_ids)


def _serving_zones_of(members: list[Mapping[str, Any]], failover: bool | None,
                      zone_ids: Mapping[str, str]) -> tuple[str, ...]:
    """The zones whose nodes can serve: every member's with automatic failover, else the primaries' (losing a
    primary's zone stops writes until someone promotes a replica)."""
    primaries = [m for m in members if str(m.get("CurrentRole", "")).lower() == "primary"]
    chosen = members if failover or not primaries else primaries
    return zone_ids_for([m.get("PreferredAvailabilityZone", "") for m in chosen], zone_ids)


def shard_zones(group: Mapping[str, Any], zone_ids: Mapping[str, str]) -> list[list[str]] | None:
    """For a group of several shards (cluster mode), the zones each shard can serve from: the keys of a shard
    whose every such zone is lost are gone, so the group is down though its other shards are up (the union of
    the zones, ``zones``, would count that loss as survived). ``None`` for one shard."""
    shards = [ng.get("NodeGroupMembers") or () for ng in group.get("NodeGroups") or ()]
    if len(shards) < 2:
        return None
    failover = _enabled(group.get("AutomaticFailover"))
    return [list(_serving_zones_of(list(members), failover, zone_ids)) for members in shards]


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
                "shard_zones": shard_zones(group, zone_ids),
                "node_zones": zone_ids_for([m.get("PreferredAvailabilityZone", "") for m in members], zone_ids),
                "snapshot_retention_days": group.get("SnapshotRetentionLimit"),
                "global_datastore": global_info.get("GlobalReplicationGroupId"),
                "global_role": global_info.get("GlobalReplicationGroupMemberRole"),
                "endpoints": endpoint_addresses(
                    (group.get("ConfigurationEndpoint") or {}).get("Address"),
                    *((ng.get(k) or {}).get("Address") for ng in group.get("NodeGroups") or ()
                      for k in ("PrimaryEndpoint", "ReaderEndpoint")),
                    *((m.get("ReadEndpoint") or {}).get("Address") for m in members)),
            },
        ))
    return out


def cluster_zones(cluster: Mapping[str, Any], zone_ids: Mapping[str, str]) -> tuple[str, ...]:
    """The zones a cache cluster's nodes are in (``CacheNodes[].CustomerAvailabilityZone``), else its
    ``PreferredAvailabilityZone`` (``Multiple`` for a Memcached cluster spread over zones names none)."""
    nodes = [n.get("CustomerAvailabilityZone", "") for n in cluster.get("CacheNodes") or ()]
    preferred = cluster.get("PreferredAvailabilityZone", "")
    return zone_ids_for([z for z in nodes if z] or ([preferred] if preferred != "Multiple" else []), zone_ids)


def transform_cache_clusters(clusters: list[Mapping[str, Any]], scope: Scope, zone_ids: Mapping[str, str]) -> Inventory:
    """Cache clusters that are not members of a replication group (the group is the serving unit of its
    members, inventoried from DescribeReplicationGroups)."""
    out = inventory()
    for cluster in clusters:
        if cluster.get("ReplicationGroupId"):
            continue
        name = cluster["CacheClusterId"]
        zones = cluster_zones(cluster, zone_ids)
        out.resources.append(scope.resource(
            id=cluster.get("ARN") or scope.arn("elasticache", f"cluster:{name}"), kind=CACHE,
            type="AWS::ElastiCache::CacheCluster", name=name, source="elasticache:DescribeCacheClusters", zones=zones,
            attrs={
                "engine": cluster.get("Engine"), "status": cluster.get("CacheClusterStatus"),
                "nodes": cluster.get("NumCacheNodes"), "node_zones": zones,
                "az_mode": "cross-az" if len(zones) > 1 or cluster.get("PreferredAvailabilityZone") == "Multiple"
                else "single-az",
                "snapshot_retention_days": cluster.get("SnapshotRetentionLimit"),
                "endpoints": endpoint_addresses(
                    (cluster.get("ConfigurationEndpoint") or {}).get("Address"),
                    *((n.get("Endpoint") or {}).get("Address") for n in cluster.get("CacheNodes") or ())),
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
                   "snapshot_retention_days": cache.get("SnapshotRetentionLimit"),
                   # the host names a configuration reaches it by (post-pass: dns: targets)
                   "endpoints": endpoint_addresses((cache.get("Endpoint") or {}).get("Address"),
                                                   (cache.get("ReaderEndpoint") or {}).get("Address"))},
        ))
    return out


# --- collect ---------------------------------------------------------------------------------
def collect(ctx: TaskContext) -> Inventory:
    client = ctx.client(CLIENT)
    zone_ids = ctx.zone_ids()
    out = transform_replication_groups(get_replication_groups(client), ctx.scope, zone_ids)
    for part in (
        ctx.gather("elasticache:clusters", lambda: get_cache_clusters(client),
                   lambda items: transform_cache_clusters(items, ctx.scope, zone_ids)),
        ctx.gather("elasticache:global-replication-groups", lambda: get_global_replication_groups(client),
                   lambda items: transform_global_replication_groups(items, ctx.scope)),
        ctx.gather("elasticache:serverless", lambda: get_serverless_caches(client),
                   lambda items: transform_serverless_caches(items, ctx.scope)),
    ):
        if part is not None:
            out.extend(part)
    for resource in out.resources:  # one read each: a cache whose tags cannot be read does not untag the others
        resource.tags.update(ctx.read("elasticache:tags", get_tags, client, resource.id, about=resource.id) or {})
    return out
