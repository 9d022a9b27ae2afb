"""Auto Scaling groups: configured zones and subnets, attached load balancers, member instances."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resilience.model import COMPUTE_GROUP, DEPENDS_ON, MEMBER_OF, ROUTES_TO, Inventory

from .common import Scope, edge, inventory, tags_from_list, zone_ids_for
from .context import TaskContext
from .ec2 import instance_arn, subnet_arn
from .elb import classic_lb_arn
from .pagination import paginate

NAME = "autoscaling"
CLIENT = "autoscaling"
GLOBAL = False
PERMISSIONS = [
    "autoscaling:DescribeAutoScalingGroups",
    "ec2:DescribeAvailabilityZones",
    "ec2:DescribeSubnets",
]
COVERAGE = {
    "autoscaling": "DescribeAutoScalingGroups",
    "autoscaling:subnets": "ec2:DescribeSubnets of the groups' configured subnets (their zone ids)",
}


# --- get -------------------------------------------------------------------------------------
def get_groups(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "describe_auto_scaling_groups", "AutoScalingGroups")


def get_subnets(ec2_client: Any, subnet_ids: list[str]) -> list[dict[str, Any]]:
    return paginate(ec2_client, "describe_subnets", "Subnets", SubnetIds=subnet_ids)


# --- transform -------------------------------------------------------------------------------
def configured_subnets(group: Mapping[str, Any]) -> list[str]:
    return [s.strip() for s in (group.get("VPCZoneIdentifier") or "").split(",") if s.strip()]


def transform_subnet_zones(subnets: list[Mapping[str, Any]]) -> dict[str, str]:
    """``{subnet id: zone id}``."""
    return {s["SubnetId"]: s.get("AvailabilityZoneId") or s.get("AvailabilityZone", "") for s in subnets}


def launch_template_of(group: Mapping[str, Any]) -> Mapping[str, Any]:
    """The launch template spec of a group, directly or through its mixed instances policy."""
    mixed = ((group.get("MixedInstancesPolicy") or {}).get("LaunchTemplate") or {}).get("LaunchTemplateSpecification")
    return group.get("LaunchTemplate") or mixed or {}


def group_zones(group: Mapping[str, Any], zone_ids: Mapping[str, str], subnet_zones: Mapping[str, str]) -> tuple[str, ...]:
    """The zones the group is *configured* for: its subnets' zones, else its AvailabilityZones."""
    subnets = configured_subnets(group)
    if subnets and all(subnet_zones.get(s) for s in subnets):
        return tuple(dict.fromkeys(subnet_zones[s] for s in subnets))
    return zone_ids_for(group.get("AvailabilityZones", []), zone_ids)


def transform_groups(
    groups: list[Mapping[str, Any]],
    scope: Scope,
    zone_ids: Mapping[str, str],
    subnet_zones: Mapping[str, str],
) -> Inventory:
    out = inventory()
    source = "autoscaling:DescribeAutoScalingGroups"
    for group in groups:
        arn = group["AutoScalingGroupARN"]
        subnets = configured_subnets(group)
        out.resources.append(
            scope.resource(
                id=arn,
                kind=COMPUTE_GROUP,
                type="AWS::AutoScaling::AutoScalingGroup",
                name=group["AutoScalingGroupName"],
                source=source,
                zones=group_zones(group, zone_ids, subnet_zones),
                tags=tags_from_list(group.get("Tags")),
                attrs={
                    "min_size": group.get("MinSize"),
                    "max_size": group.get("MaxSize"),
                    "desired_capacity": group.get("DesiredCapacity"),
                    "subnets": subnets,
                },
            )
        )
        out.edges.extend(edge(arn, subnet_arn(scope, s), MEMBER_OF, source) for s in subnets)
        out.edges.extend(
            edge(instance_arn(scope, i["InstanceId"]), arn, MEMBER_OF, source) for i in group.get("Instances", [])
        )
        out.edges.extend(edge(tg, arn, ROUTES_TO, source) for tg in group.get("TargetGroupARNs", []))
        template = launch_template_of(group)
        if template.get("LaunchTemplateId"):  # issue 13: the group launches what its template names
            out.edges.append(edge(arn, scope.arn("ec2", f"launch-template/{template['LaunchTemplateId']}"), DEPENDS_ON,
                                  source, via=f"launch-template:{template.get('Version', '$Default')}"))
        out.edges.extend(
            edge(classic_lb_arn(scope, name), arn, ROUTES_TO, source) for name in group.get("LoadBalancerNames", [])
        )
    return out


# --- collect ---------------------------------------------------------------------------------
def collect(ctx: TaskContext) -> Inventory:
    groups = get_groups(ctx.client(CLIENT))
    subnet_ids = sorted({s for g in groups for s in configured_subnets(g)})
    subnet_zones: dict[str, str] = {}
    if subnet_ids:
        subnets = ctx.read("autoscaling:subnets", get_subnets, ctx.client("ec2"), subnet_ids)
        subnet_zones = transform_subnet_zones(subnets or [])
    return transform_groups(groups, ctx.scope, ctx.zone_ids(), subnet_zones)
