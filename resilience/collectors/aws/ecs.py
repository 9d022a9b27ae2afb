"""ECS: clusters, services (subnets, zones, desired count, capacity providers) and what their task
definitions reference: container images (ECR repositories), secrets and SSM parameters, EFS volumes.

Task definitions are read for their references only: an environment variable's *value* is never
stored (its name is, and an ARN-only value becomes a ``depends_on`` edge, as for Lambda); a secret is
kept as the ARN its ``valueFrom`` names, never resolved.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resilience.model import COMPUTE_GROUP, CONTAINER_CLUSTER, DEPENDS_ON, MEMBER_OF, ROUTES_TO, Inventory

from .awslambda import arn_references
from .common import Scope, edge, inventory, tags_from_list
from .context import TaskContext
from .ec2 import subnet_arn
from .pagination import paginate
from .references import ecr_repository, secret_or_parameter, value_references

NAME = "ecs"
CLIENT = "ecs"
GLOBAL = False
PERMISSIONS = [
    "ec2:DescribeSubnets",
    "ecs:DescribeClusters",
    "ecs:DescribeServices",
    "ecs:DescribeTaskDefinition",
    "ecs:ListClusters",
    "ecs:ListServices",
]
COVERAGE = {
    "ecs": "ListClusters + DescribeClusters",
    "ecs:services": "ListServices + DescribeServices",
    "ecs:task-definitions": "DescribeTaskDefinition (image, secret, parameter and EFS references)",
    "ecs:subnets": "ec2:DescribeSubnets of the services' subnets (their zone ids)",
}
_BATCH_CLUSTERS = 100
_BATCH_SERVICES = 10


# --- get -------------------------------------------------------------------------------------
def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def get_clusters(client: Any) -> list[dict[str, Any]]:
    arns = paginate(client, "list_clusters", "clusterArns")
    out: list[dict[str, Any]] = []
    for chunk in _chunks(arns, _BATCH_CLUSTERS):
        out += client.describe_clusters(clusters=chunk, include=["TAGS"]).get("clusters", [])
    return out


def get_services(client: Any, cluster_arn: str) -> list[dict[str, Any]]:
    arns = paginate(client, "list_services", "serviceArns", cluster=cluster_arn)
    out: list[dict[str, Any]] = []
    for chunk in _chunks(arns, _BATCH_SERVICES):
        out += client.describe_services(cluster=cluster_arn, services=chunk, include=["TAGS"]).get("services", [])
    return out


def get_task_definition(client: Any, arn: str) -> dict[str, Any]:
    return client.describe_task_definition(taskDefinition=arn).get("taskDefinition", {})


def get_subnets(ec2_client: Any, subnet_ids: list[str]) -> list[dict[str, Any]]:
    return paginate(ec2_client, "describe_subnets", "Subnets", SubnetIds=subnet_ids)


# --- transform -------------------------------------------------------------------------------
def service_subnets(service: Mapping[str, Any]) -> list[str]:
    return list(((service.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}).get("subnets") or ())


def transform_clusters(clusters: list[Mapping[str, Any]], scope: Scope) -> Inventory:
    out = inventory()
    for cluster in clusters:
        out.resources.append(scope.resource(
            id=cluster["clusterArn"], kind=CONTAINER_CLUSTER, type="AWS::ECS::Cluster",
            name=cluster.get("clusterName", cluster["clusterArn"]), source="ecs:DescribeClusters",
            tags=tags_from_list(cluster.get("tags")),
            attrs={"status": cluster.get("status"), "capacity_providers": list(cluster.get("capacityProviders") or ())},
        ))
    return out


def task_references(task_def: Mapping[str, Any], scope: Scope) -> list[tuple[str, str]]:
    """``(referenced id, via)`` for every image, secret, parameter, EFS volume and ARN-valued
    environment variable of a task definition (values are never returned)."""
    family = f"task-definition:{task_def.get('family', '')}:{task_def.get('revision', '')}"
    refs: list[tuple[str, str]] = []
    for container in task_def.get("containerDefinitions") or ():
        where = f"{family}/container:{container.get('name', '')}"
        repo = ecr_repository(container.get("image", ""), scope.partition)
        if repo:
            refs.append((repo, f"{where}/image"))
        for secret in container.get("secrets") or ():
            target = secret_or_parameter(secret.get("valueFrom", ""), scope)
            if target:
                refs.append((target, f"{where}/secret:{secret.get('name', '')}"))
        credentials = (container.get("repositoryCredentials") or {}).get("credentialsParameter")
        if credentials:
            target = secret_or_parameter(credentials, scope)
            if target:
                refs.append((target, f"{where}/repository-credentials"))
        for variable in container.get("environment") or ():
            value = str(variable.get("value", ""))
            for ref in arn_references(value) + value_references(value):
                refs.append((ref, f"{where}/environment:{variable.get('name', '')}"))
    for volume in task_def.get("volumes") or ():
        fs = (volume.get("efsVolumeConfiguration") or {}).get("fileSystemId")
        if fs:
            refs.append((scope.arn("elasticfilesystem", f"file-system/{fs}"), f"{family}/volume:{volume.get('name', '')}"))
    return list(dict.fromkeys(refs))


def task_summary(task_def: Mapping[str, Any]) -> dict[str, Any]:
    containers = task_def.get("containerDefinitions") or ()
    return {
        "images": sorted({c.get("image", "") for c in containers if c.get("image")}),
        "secret_refs": sorted({s.get("valueFrom", "") for c in containers for s in c.get("secrets") or ()}),
        "env_keys": sorted({v.get("name", "") for c in containers for v in c.get("environment") or ()}),
    }


def transform_services(
    services: list[Mapping[str, Any]],
    scope: Scope,
    task_defs: Mapping[str, Mapping[str, Any]],
    subnet_zones: Mapping[str, str],
) -> Inventory:
    """service -member_of-> cluster and subnets; target group -routes_to-> service; service -depends_on->
    each reference of its task definition (images, secrets, parameters, file systems)."""
    out = inventory()
    source = "ecs:DescribeServices"
    for service in services:
        if str(service.get("status", "")).upper() == "INACTIVE":
            continue
        arn = service["serviceArn"]
        subnets = service_subnets(service)
        task_arn = service.get("taskDefinition", "")
        task_def = task_defs.get(task_arn)
        strategy = service.get("capacityProviderStrategy") or ()
        spread = [p.get("field") for p in service.get("placementStrategy") or () if p.get("type") == "spread"]
        attrs: dict[str, Any] = {
            "desired_count": service.get("desiredCount"), "running_count": service.get("runningCount"),
            "launch_type": service.get("launchType"), "capacity_providers": [s.get("capacityProvider") for s in strategy],
            "subnets": subnets, "task_definition": task_arn, "cluster": service.get("clusterArn"),
            "zone_spread": "attribute:ecs.availability-zone" in spread or None,
        }
        if task_def is not None:
            attrs.update(task_summary(task_def))
        out.resources.append(scope.resource(
            id=arn, kind=COMPUTE_GROUP, type="AWS::ECS::Service", name=service.get("serviceName", arn), source=source,
            zones=list(dict.fromkeys(subnet_zones[s] for s in subnets if subnet_zones.get(s))),
            tags=tags_from_list(service.get("tags")), attrs=attrs,
        ))
        if service.get("clusterArn"):
            out.edges.append(edge(arn, service["clusterArn"], MEMBER_OF, source))
        out.edges.extend(edge(arn, subnet_arn(scope, s), MEMBER_OF, source) for s in subnets)
        out.edges.extend(edge(lb["targetGroupArn"], arn, ROUTES_TO, source)
                         for lb in service.get("loadBalancers") or () if lb.get("targetGroupArn"))
        if task_def is not None:
            out.edges.extend(edge(arn, ref, DEPENDS_ON, "ecs:DescribeTaskDefinition", via=via)
                             for ref, via in task_references(task_def, scope))
    return out


# --- collect ---------------------------------------------------------------------------------
def collect(ctx: TaskContext) -> Inventory:
    client = ctx.client(CLIENT)
    clusters = get_clusters(client)
    out = transform_clusters(clusters, ctx.scope)
    services: list[dict[str, Any]] = []
    for cluster in clusters:
        services += ctx.read("ecs:services", get_services, client, cluster["clusterArn"],
                             about=cluster.get("clusterName")) or []
    task_defs: dict[str, Any] = {}
    for arn in sorted({s["taskDefinition"] for s in services if s.get("taskDefinition")}):
        got = ctx.read("ecs:task-definitions", get_task_definition, client, arn, about=arn)
        if got is not None:
            task_defs[arn] = got
    subnet_ids = sorted({s for svc in services for s in service_subnets(svc)})
    subnet_zones: dict[str, str] = {}
    if subnet_ids:
        subnets = ctx.read("ecs:subnets", get_subnets, ctx.client("ec2"), subnet_ids) or []
        subnet_zones = {s["SubnetId"]: s.get("AvailabilityZoneId") or s.get("AvailabilityZone", "") for s in subnets}
    out.extend(transform_services(services, ctx.scope, task_defs, subnet_zones))
    return out
