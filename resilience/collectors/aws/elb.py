"""Classic load balancers: zones, subnets, DNS name, registered instances."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resilience.model import LOAD_BALANCER, ROUTES_TO, Inventory

from .common import Scope, edge, inventory, tags_from_list, zone_ids_for
from .context import TaskContext
from .ec2 import instance_arn
from .pagination import paginate

NAME = "elb"
CLIENT = "elb"
GLOBAL = False
PERMISSIONS = [
    "ec2:DescribeAvailabilityZones",
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeTags",
]
COVERAGE = {
    "elb": "DescribeLoadBalancers (classic load balancers)",
    "elb:tags": "DescribeTags",
}
TAG_BATCH = 20  # DescribeTags takes at most 20 names


# --- get -------------------------------------------------------------------------------------
def get_load_balancers(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "describe_load_balancers", "LoadBalancerDescriptions")


def get_tags(client: Any, names: list[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i in range(0, len(names), TAG_BATCH):
        out.extend(client.describe_tags(LoadBalancerNames=names[i : i + TAG_BATCH])["TagDescriptions"])
    return out


# --- transform -------------------------------------------------------------------------------
def classic_lb_arn(scope: Scope, name: str) -> str:
    return scope.arn("elasticloadbalancing", f"loadbalancer/{name}")


def transform_tags(descriptions: list[Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    return {d["LoadBalancerName"]: tags_from_list(d.get("Tags")) for d in descriptions}


def transform_load_balancers(
    lbs: list[Mapping[str, Any]],
    scope: Scope,
    zone_ids: Mapping[str, str],
    tags: Mapping[str, Mapping[str, str]],
) -> Inventory:
    out = inventory()
    source = "elb:DescribeLoadBalancers"
    for lb in lbs:
        arn = classic_lb_arn(scope, lb["LoadBalancerName"])
        out.resources.append(
            scope.resource(
                id=arn,
                kind=LOAD_BALANCER,
                type="AWS::ElasticLoadBalancing::LoadBalancer",
                name=lb["LoadBalancerName"],
                source=source,
                zones=zone_ids_for(lb.get("AvailabilityZones", []), zone_ids),
                tags=tags.get(lb["LoadBalancerName"], {}),
                attrs={
                    "dns_name": (lb.get("DNSName") or "").lower() or None,
                    "scheme": lb.get("Scheme"),
                    "lb_type": "classic",
                    "subnets": list(lb.get("Subnets", [])),
                },
            )
        )
        out.edges.extend(
            edge(arn, instance_arn(scope, i["InstanceId"]), ROUTES_TO, source)
            for i in lb.get("Instances", [])
        )
    return out


# --- collect ---------------------------------------------------------------------------------
def collect(ctx: TaskContext) -> Inventory:
    client = ctx.client(CLIENT)
    lbs = get_load_balancers(client)
    tags: dict[str, dict[str, str]] = {}
    if lbs:
        descriptions = ctx.read("elb:tags", get_tags, client, [lb["LoadBalancerName"] for lb in lbs])
        tags = transform_tags(descriptions or [])
    return transform_load_balancers(lbs, ctx.scope, ctx.zone_ids(), tags)
