"""VPC routing: NAT gateways (their zone), the route each subnet's egress takes, interface endpoints.

A private subnet whose default route (``0.0.0.0/0`` or ``::/0``) goes to a NAT gateway gets a
``depends_on`` edge to that gateway (``via = "route-table:RTB:CIDR"``). The survival engine then
asks, for a component placed in several subnets, whether one of them keeps a working route: a
subnet in zone b routed through a NAT gateway in zone a stops with zone a (the classic zonal SPOF).
A subnet with no explicit route-table association uses its VPC's main route table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resilience.model import DEPENDS_ON, MEMBER_OF, NETWORK_GATEWAY, Inventory

from .common import Scope, edge, inventory, name_from_tags, tags_from_list
from .context import TaskContext
from .ec2 import subnet_arn
from .pagination import paginate

NAME = "vpc"
CLIENT = "ec2"
GLOBAL = False
PERMISSIONS = [
    "ec2:DescribeNatGateways",
    "ec2:DescribeRouteTables",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcEndpoints",
]
COVERAGE = {
    "vpc": "ec2:DescribeRouteTables (the route each subnet's default route takes)",
    "ec2:nat-gateways": "DescribeNatGateways (+ DescribeSubnets for their zones)",
    "ec2:vpc-endpoints": "DescribeVpcEndpoints (interface endpoints and their subnets' zones)",
}

DEFAULT_ROUTES = ("0.0.0.0/0", "::/0")
_GONE = ("deleted", "deleting", "failed", "rejected", "expired")


# --- get -------------------------------------------------------------------------------------
def get_route_tables(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "describe_route_tables", "RouteTables")


def get_subnets(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "describe_subnets", "Subnets")


def get_nat_gateways(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "describe_nat_gateways", "NatGateways")


def get_vpc_endpoints(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "describe_vpc_endpoints", "VpcEndpoints")


# --- transform -------------------------------------------------------------------------------
def nat_gateway_arn(scope: Scope, nat_id: str) -> str:
    return scope.arn("ec2", f"natgateway/{nat_id}")


def vpc_endpoint_arn(scope: Scope, endpoint_id: str) -> str:
    return scope.arn("ec2", f"vpc-endpoint/{endpoint_id}")


def subnet_zones(subnets: list[Mapping[str, Any]]) -> dict[str, str]:
    """``{subnet id: zone id}`` (zone name when the id is missing)."""
    return {s["SubnetId"]: s.get("AvailabilityZoneId") or s.get("AvailabilityZone", "") for s in subnets}


def transform_nat_gateways(nats: list[Mapping[str, Any]], scope: Scope, zones: Mapping[str, str]) -> Inventory:
    out = inventory()
    source = "ec2:DescribeNatGateways"
    for nat in nats:
        if str(nat.get("State", "")).lower() in _GONE:
            continue
        arn = nat_gateway_arn(scope, nat["NatGatewayId"])
        subnet = nat.get("SubnetId")
        regional = str(nat.get("AvailabilityMode", "")).lower() == "regional"  # a regional NAT gateway spans zones
        tags = tags_from_list(nat.get("Tags"))
        out.resources.append(scope.resource(
            id=arn, kind=NETWORK_GATEWAY, type="AWS::EC2::NatGateway", name=name_from_tags(tags, nat["NatGatewayId"]),
            source=source, zones=[] if regional or not zones.get(subnet or "") else [zones[subnet]], tags=tags,
            attrs={"state": nat.get("State"), "subnet_id": subnet, "vpc_id": nat.get("VpcId"),
                   "connectivity_type": nat.get("ConnectivityType"),
                   "availability_mode": nat.get("AvailabilityMode")},
        ))
        if subnet:
            out.edges.append(edge(arn, subnet_arn(scope, subnet), MEMBER_OF, source))
    return out


def subnet_route_tables(tables: list[Mapping[str, Any]], subnets: list[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """``{subnet id: its route table}``: the explicit association, else its VPC's main table."""
    main: dict[str, Mapping[str, Any]] = {}
    explicit: dict[str, Mapping[str, Any]] = {}
    for table in tables:
        for assoc in table.get("Associations") or ():
            if assoc.get("Main"):
                main[table.get("VpcId", "")] = table
            elif assoc.get("SubnetId"):
                explicit[assoc["SubnetId"]] = table
    out = {}
    for subnet in subnets:
        table = explicit.get(subnet["SubnetId"]) or main.get(subnet.get("VpcId", ""))
        if table is not None:
            out[subnet["SubnetId"]] = table
    return out


def transform_routes(tables: list[Mapping[str, Any]], subnets: list[Mapping[str, Any]], scope: Scope) -> Inventory:
    """subnet -depends_on-> the NAT gateway its default route goes to."""
    out = inventory()
    for subnet_id, table in sorted(subnet_route_tables(tables, subnets).items()):
        for route in table.get("Routes") or ():
            cidr = route.get("DestinationCidrBlock") or route.get("DestinationIpv6CidrBlock")
            if cidr not in DEFAULT_ROUTES or not route.get("NatGatewayId") or route.get("State") == "blackhole":
                continue
            out.edges.append(edge(subnet_arn(scope, subnet_id), nat_gateway_arn(scope, route["NatGatewayId"]),
                                  DEPENDS_ON, "ec2:DescribeRouteTables",
                                  via=f"route-table:{table.get('RouteTableId', '')}:{cidr}"))
    return out


def transform_vpc_endpoints(endpoints: list[Mapping[str, Any]], scope: Scope, zones: Mapping[str, str]) -> Inventory:
    """Interface (and Gateway Load Balancer) endpoints: one node, zoned by the subnets it has ENIs in."""
    out = inventory()
    source = "ec2:DescribeVpcEndpoints"
    for endpoint in endpoints:
        if str(endpoint.get("State", "")).lower() in _GONE or endpoint.get("VpcEndpointType") == "Gateway":
            continue  # gateway endpoints (S3, DynamoDB) are route-table entries, regional by design
        arn = vpc_endpoint_arn(scope, endpoint["VpcEndpointId"])
        subnets = list(endpoint.get("SubnetIds") or ())
        tags = tags_from_list(endpoint.get("Tags"))
        out.resources.append(scope.resource(
            id=arn, kind=NETWORK_GATEWAY, type="AWS::EC2::VPCEndpoint",
            name=name_from_tags(tags, endpoint["VpcEndpointId"]), source=source,
            zones=list(dict.fromkeys(zones[s] for s in subnets if zones.get(s))), tags=tags,
            attrs={"service_name": endpoint.get("ServiceName"), "endpoint_type": endpoint.get("VpcEndpointType"),
                   "subnets": subnets, "vpc_id": endpoint.get("VpcId"), "state": endpoint.get("State")},
        ))
        out.edges.extend(edge(arn, subnet_arn(scope, s), MEMBER_OF, source) for s in subnets)
    return out


# --- collect ---------------------------------------------------------------------------------
def collect(ctx: TaskContext) -> Inventory:
    client = ctx.client(CLIENT)
    tables = get_route_tables(client)
    subnets = ctx.read("ec2:nat-gateways", get_subnets, client)
    if subnets is None:  # reported: without subnets neither routes nor zones can be placed
        return inventory()
    zones = subnet_zones(subnets)
    out = transform_routes(tables, subnets, ctx.scope)
    for part in (
        ctx.gather("ec2:nat-gateways", lambda: get_nat_gateways(client),
                   lambda items: transform_nat_gateways(items, ctx.scope, zones)),
        ctx.gather("ec2:vpc-endpoints", lambda: get_vpc_endpoints(client),
                   lambda items: transform_vpc_endpoints(items, ctx.scope, zones)),
    ):
        if part is not None:
            out.extend(part)
    return out
