"""EKS: clusters (their subnets' zones), managed node groups and Fargate profiles (subnets, zones,
scaling, the launch template a node group uses)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resilience.model import COMPUTE_GROUP, CONTAINER_CLUSTER, DEPENDS_ON, MEMBER_OF, Inventory

from .common import Scope, edge, inventory
from .context import TaskContext
from .ec2 import subnet_arn
from .pagination import paginate

NAME = "eks"
CLIENT = "eks"
GLOBAL = False
PERMISSIONS = [
    "ec2:DescribeSubnets",
    "eks:DescribeCluster",
    "eks:DescribeFargateProfile",
    "eks:DescribeNodegroup",
    "eks:ListClusters",
    "eks:ListFargateProfiles",
    "eks:ListNodegroups",
]
COVERAGE = {
    "eks": "ListClusters + DescribeCluster",
    "eks:nodegroups": "ListNodegroups + DescribeNodegroup",
    "eks:fargate-profiles": "ListFargateProfiles + DescribeFargateProfile",
    "eks:subnets": "ec2:DescribeSubnets of the clusters', node groups' and profiles' subnets",
}


# --- get -------------------------------------------------------------------------------------
def get_clusters(client: Any) -> list[dict[str, Any]]:
    return [client.describe_cluster(name=n)["cluster"] for n in paginate(client, "list_clusters", "clusters")]


def get_nodegroups(client: Any, cluster: str) -> list[dict[str, Any]]:
    names = paginate(client, "list_nodegroups", "nodegroups", clusterName=cluster)
    return [client.describe_nodegroup(clusterName=cluster, nodegroupName=n)["nodegroup"] for n in names]


def get_fargate_profiles(client: Any, cluster: str) -> list[dict[str, Any]]:
    names = paginate(client, "list_fargate_profiles", "fargateProfileNames", clusterName=cluster)
    return [client.describe_fargate_profile(clusterName=cluster, fargateProfileName=n)["fargateProfile"]
            for n in names]


def get_subnets(ec2_client: Any, subnet_ids: list[str]) -> list[dict[str, Any]]:
    return paginate(ec2_client, "describe_subnets", "Subnets", SubnetIds=subnet_ids)


# --- transform -------------------------------------------------------------------------------
def _zones(subnets: list[str], subnet_zones: Mapping[str, str]) -> list[str]:
    return list(dict.fromkeys(subnet_zones[s] for s in subnets if subnet_zones.get(s)))


def cluster_subnets(cluster: Mapping[str, Any]) -> list[str]:
    return list((cluster.get("resourcesVpcConfig") or {}).get("subnetIds") or ())


def transform_clusters(clusters: list[Mapping[str, Any]], scope: Scope, subnet_zones: Mapping[str, str]) -> Inventory:
    out = inventory()
    for cluster in clusters:
        subnets = cluster_subnets(cluster)
        out.resources.append(scope.resource(
            id=cluster["arn"], kind=CONTAINER_CLUSTER, type="AWS::EKS::Cluster", name=cluster.get("name", cluster["arn"]),
            source="eks:DescribeCluster", zones=_zones(subnets, subnet_zones), tags=dict(cluster.get("tags") or {}),
            attrs={"status": cluster.get("status"), "version": cluster.get("version"), "subnets": subnets},
        ))
    return out


def transform_nodegroups(groups: list[Mapping[str, Any]], scope: Scope, cluster_arns: Mapping[str, str],
                         subnet_zones: Mapping[str, str]) -> Inventory:
    out = inventory()
    source = "eks:DescribeNodegroup"
    for group in groups:
        arn = group["nodegroupArn"]
        subnets = list(group.get("subnets") or ())
        scaling = group.get("scalingConfig") or {}
        template = group.get("launchTemplate") or {}
        out.resources.append(scope.resource(
            id=arn, kind=COMPUTE_GROUP, type="AWS::EKS::Nodegroup", name=group.get("nodegroupName", arn), source=source,
            zones=_zones(subnets, subnet_zones), tags=dict(group.get("tags") or {}),
            attrs={"min_size": scaling.get("minSize"), "max_size": scaling.get("maxSize"),
                   "desired_capacity": scaling.get("desiredSize"), "subnets": subnets,
                   "capacity_type": group.get("capacityType"), "ami_type": group.get("amiType"),
                   "launch_template": template.get("id")},
        ))
        cluster = cluster_arns.get(group.get("clusterName", ""))
        if cluster:
            out.edges.append(edge(arn, cluster, MEMBER_OF, source))
        out.edges.extend(edge(arn, subnet_arn(scope, s), MEMBER_OF, source) for s in subnets)
        if template.get("id"):
            out.edges.append(edge(arn, scope.arn("ec2", f"launch-template/{template['id']}"), DEPENDS_ON, source,
                                  via=f"launch-template:{template.get('version', '')}"))
    return out


def transform_fargate_profiles(profiles: list[Mapping[str, Any]], scope: Scope, cluster_arns: Mapping[str, str],
                               subnet_zones: Mapping[str, str]) -> Inventory:
    out = inventory()
    source = "eks:DescribeFargateProfile"
    for profile in profiles:
        arn = profile["fargateProfileArn"]
        subnets = list(profile.get("subnets") or ())
        out.resources.append(scope.resource(
            id=arn, kind=COMPUTE_GROUP, type="AWS::EKS::FargateProfile", name=profile.get("fargateProfileName", arn),
            source=source, zones=_zones(subnets, subnet_zones), tags=dict(profile.get("tags") or {}),
            attrs={"subnets": subnets, "status": profile.get("status"),
                   "namespaces": sorted({s.get("namespace", "") for s in profile.get("selectors") or ()})},
        ))
        cluster = cluster_arns.get(profile.get("clusterName", ""))
        if cluster:
            out.edges.append(edge(arn, cluster, MEMBER_OF, source))
        out.edges.extend(edge(arn, subnet_arn(scope, s), MEMBER_OF, source) for s in subnets)
    return out


# --- collect ---------------------------------------------------------------------------------
def collect(ctx: TaskContext) -> Inventory:
    client = ctx.client(CLIENT)
    clusters = get_clusters(client)
    groups: list[dict[str, Any]] = []
    profiles: list[dict[str, Any]] = []
    for cluster in clusters:
        groups += ctx.read("eks:nodegroups", get_nodegroups, client, cluster["name"], about=cluster["name"]) or []
        profiles += ctx.read("eks:fargate-profiles", get_fargate_profiles, client, cluster["name"],
                             about=cluster["name"]) or []
    subnet_ids = sorted({s for c in clusters for s in cluster_subnets(c)}
                        | {s for g in groups + profiles for s in g.get("subnets") or ()})
    subnet_zones: dict[str, str] = {}
    if subnet_ids:
        subnets = ctx.read("eks:subnets", get_subnets, ctx.client("ec2"), subnet_ids) or []
        subnet_zones = {s["SubnetId"]: s.get("AvailabilityZoneId") or s.get("AvailabilityZone", "") for s in subnets}
    cluster_arns = {c["name"]: c["arn"] for c in clusters}
    out = transform_clusters(clusters, ctx.scope, subnet_zones)
    out.extend(transform_nodegroups(groups, ctx.scope, cluster_arns, subnet_zones))
    out.extend(transform_fargate_profiles(profiles, ctx.scope, cluster_arns, subnet_zones))
    return out
