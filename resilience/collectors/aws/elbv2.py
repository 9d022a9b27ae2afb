"""Application/network/gateway load balancers, their listeners, target groups and targets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resilience.model import LOAD_BALANCER, ROUTES_TO, TARGET_GROUP, Inventory

from .common import Scope, edge, inventory, is_arn, tags_from_list, zone_ids_for
from .context import TaskContext
from .ec2 import instance_arn
from .pagination import paginate

NAME = "elbv2"
CLIENT = "elbv2"
GLOBAL = False
PERMISSIONS = [
    "ec2:DescribeAvailabilityZones",
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeTags",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetHealth",
]
COVERAGE = {
    "elbv2": "DescribeLoadBalancers",
    "elbv2:target-groups": "DescribeTargetGroups",
    "elbv2:listeners": "DescribeListeners (load balancer -> target group)",
    "elbv2:target-health": "DescribeTargetHealth (registered targets)",
    "elbv2:tags": "DescribeTags",
}
TAG_BATCH = 20


# --- get -------------------------------------------------------------------------------------
def get_load_balancers(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "describe_load_balancers", "LoadBalancers")


def get_target_groups(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "describe_target_groups", "TargetGroups")


def get_listeners(client: Any, lb_arns: list[str]) -> dict[str, list[dict[str, Any]]]:
    return {arn: paginate(client, "describe_listeners", "Listeners", LoadBalancerArn=arn) for arn in lb_arns}


def get_target_health(client: Any, tg_arns: list[str]) -> dict[str, list[dict[str, Any]]]:
    return {
        arn: client.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"] for arn in tg_arns
    }


def get_tags(client: Any, arns: list[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i in range(0, len(arns), TAG_BATCH):
        out.extend(client.describe_tags(ResourceArns=arns[i : i + TAG_BATCH])["TagDescriptions"])
    return out


# --- transform -------------------------------------------------------------------------------
def transform_tags(descriptions: list[Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    return {d["ResourceArn"]: tags_from_list(d.get("Tags")) for d in descriptions}


def transform_load_balancers(
    lbs: list[Mapping[str, Any]], scope: Scope, zone_ids: Mapping[str, str], tags: Mapping[str, Mapping[str, str]]
) -> Inventory:
    out = inventory()
    for lb in lbs:
        azs = lb.get("AvailabilityZones", [])
        out.resources.append(
            scope.resource(
                id=lb["LoadBalancerArn"],
                kind=LOAD_BALANCER,
                type="AWS::ElasticLoadBalancingV2::LoadBalancer",
                name=lb.get("LoadBalancerName", lb["LoadBalancerArn"]),
                source="elbv2:DescribeLoadBalancers",
                zones=zone_ids_for([az.get("ZoneName", "") for az in azs], zone_ids),
                tags=tags.get(lb["LoadBalancerArn"], {}),
                attrs={
                    "dns_name": (lb.get("DNSName") or "").lower() or None,
                    "scheme": lb.get("Scheme"),
                    "lb_type": lb.get("Type"),
                    "subnets": [az["SubnetId"] for az in azs if az.get("SubnetId")],
                },
            )
        )
    return out


def forwarded_target_groups(actions: list[Mapping[str, Any]]) -> list[str]:
    """Target group ARNs a listener's (default) actions forward to."""
    arns: list[str] = []
    for action in actions:
        if action.get("TargetGroupArn"):
            arns.append(action["TargetGroupArn"])
        for tg in action.get("ForwardConfig", {}).get("TargetGroups", []):
            if tg.get("TargetGroupArn"):
                arns.append(tg["TargetGroupArn"])
    return list(dict.fromkeys(arns))


def transform_listeners(listeners_by_lb: Mapping[str, list[Mapping[str, Any]]]) -> Inventory:
    out = inventory()
    for lb_arn, listeners in listeners_by_lb.items():
        for listener in listeners:
            for tg in forwarded_target_groups(listener.get("DefaultActions", [])):
                out.edges.append(edge(lb_arn, tg, ROUTES_TO, "elbv2:DescribeListeners"))
    return out


def target_id(scope: Scope, target_type: str | None, raw_id: str) -> str:
    """Instance ids become instance ARNs; Lambda/ALB targets are ARNs already; IPs stay IPs."""
    if target_type == "instance" and raw_id.startswith("i-"):
        return instance_arn(scope, raw_id)
    return raw_id


def transform_target_groups(
    tgs: list[Mapping[str, Any]],
    scope: Scope,
    health: Mapping[str, list[Mapping[str, Any]]] | None,
    tags: Mapping[str, Mapping[str, str]],
) -> Inventory:
    """``health`` is ``None`` when DescribeTargetHealth failed: targets stay unknown (absent)."""
    out = inventory()
    source = "elbv2:DescribeTargetGroups"
    for tg in tgs:
        arn = tg["TargetGroupArn"]
        target_type = tg.get("TargetType")
        attrs: dict[str, Any] = {"target_type": target_type}
        if health is not None and arn in health:
            # sorted: the API returns targets in no fixed order, and the inventory must not change with it
            states = dict(sorted(
                (target_id(scope, target_type, d["Target"]["Id"]), d.get("TargetHealth", {}).get("State"))
                for d in health[arn]
            ))
            attrs["targets"] = list(states)
            attrs["target_states"] = states
            out.edges.extend(
                edge(arn, t, ROUTES_TO, "elbv2:DescribeTargetHealth") for t in states if is_arn(t)
            )
        out.resources.append(
            scope.resource(
                id=arn,
                kind=TARGET_GROUP,
                type="AWS::ElasticLoadBalancingV2::TargetGroup",
                name=tg.get("TargetGroupName", arn),
                source=source,
                tags=tags.get(arn, {}),
                attrs=attrs,
            )
        )
        out.edges.extend(edge(lb, arn, ROUTES_TO, source) for lb in tg.get("LoadBalancerArns", []))
    return out


# --- collect ---------------------------------------------------------------------------------
def collect(ctx: TaskContext) -> Inventory:
    client = ctx.client(CLIENT)
    lbs = get_load_balancers(client)
    tgs = ctx.read("elbv2:target-groups", get_target_groups, client)
    lb_arns = [lb["LoadBalancerArn"] for lb in lbs]
    tg_arns = [tg["TargetGroupArn"] for tg in tgs or []]
    tags: dict[str, dict[str, str]] = {}
    if lb_arns or tg_arns:
        tags = transform_tags(ctx.read("elbv2:tags", get_tags, client, lb_arns + tg_arns) or [])
    out = transform_load_balancers(lbs, ctx.scope, ctx.zone_ids(), tags)
    if lb_arns:
        listeners = ctx.read("elbv2:listeners", get_listeners, client, lb_arns)
        if listeners is not None:
            out.extend(transform_listeners(listeners))
    if tgs:
        health = ctx.read("elbv2:target-health", get_target_health, client, tg_arns)
        out.extend(transform_target_groups(tgs, ctx.scope, health, tags))
    return out
