"""Global Accelerator: accelerators, their listeners' endpoint groups per region, health checks.

Graph: accelerator (global, ``dns_name`` so Route 53 aliases land on it) -routes_to-> each endpoint
group (a ``target_group`` node in the group's region: traffic goes to any healthy group) -routes_to->
its endpoints (load balancers, instances, Elastic IPs) with their last health state.
The API is served from us-west-2 only (its home region in the ``aws`` partition); coverage is
recorded under ``global``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resilience.model import ACCELERATOR, GLOBAL_REGION, ROUTES_TO, TARGET_GROUP, Inventory

from .common import Scope, edge, inventory, is_arn, iso
from .context import TaskContext
from .pagination import paginate

NAME = "globalaccelerator"
CLIENT = "globalaccelerator"
GLOBAL = True
#: the only region the Global Accelerator API answers in
API_REGION = "us-west-2"
PERMISSIONS = [
    "globalaccelerator:ListAccelerators",
    "globalaccelerator:ListEndpointGroups",
    "globalaccelerator:ListListeners",
]
COVERAGE = {
    "globalaccelerator": "ListAccelerators (us-west-2)",
    "globalaccelerator:endpoint-groups": "ListListeners + ListEndpointGroups",
}


# --- get -------------------------------------------------------------------------------------
def get_accelerators(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "list_accelerators", "Accelerators")


def get_endpoint_groups(client: Any, accelerator_arn: str) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = []
    for listener in paginate(client, "list_listeners", "Listeners", AcceleratorArn=accelerator_arn):
        groups.extend(paginate(client, "list_endpoint_groups", "EndpointGroups", ListenerArn=listener["ListenerArn"]))
    return groups


# --- transform -------------------------------------------------------------------------------
def transform_accelerators(accelerators: list[Mapping[str, Any]], groups: Mapping[str, list[Mapping[str, Any]]],
                           scope: Scope) -> Inventory:
    """``groups``: accelerator ARN -> its endpoint groups (absent when that read failed)."""
    out = inventory()
    source = "globalaccelerator:ListAccelerators"
    for acc in accelerators:
        arn = acc["AcceleratorArn"]
        out.resources.append(scope.resource(
            id=arn, kind=ACCELERATOR, type="AWS::GlobalAccelerator::Accelerator", name=acc.get("Name") or arn,
            source=source, region=GLOBAL_REGION,
            attrs={"dns_name": acc.get("DnsName"), "dual_stack_dns_name": acc.get("DualStackDnsName"),
                   "enabled": acc.get("Enabled"), "status": acc.get("Status"),
                   "created_at": iso(acc.get("CreatedTime"))}))
        for group in groups.get(arn, ()):
            out.extend(_endpoint_group(arn, group, scope))
    return out


def _endpoint_group(accelerator: str, group: Mapping[str, Any], scope: Scope) -> Inventory:
    out = inventory()
    source = "globalaccelerator:ListEndpointGroups"
    arn = group["EndpointGroupArn"]
    region = group.get("EndpointGroupRegion") or "unknown"
    dial = group.get("TrafficDialPercentage")
    out.resources.append(scope.resource(
        id=arn, kind=TARGET_GROUP, type="AWS::GlobalAccelerator::EndpointGroup", name=f"{region} endpoint group",
        source=source, region=region,
        attrs={"traffic_dial_percent": dial, "health_check_protocol": group.get("HealthCheckProtocol"),
               "health_check_path": group.get("HealthCheckPath"), "health_check_port": group.get("HealthCheckPort"),
               "health_check_interval_s": group.get("HealthCheckIntervalSeconds"),
               "threshold_count": group.get("ThresholdCount")}))
    # a group dialled to 0% takes no traffic: it is a standby an operator must dial up, not a live path
    out.edges.append(edge(accelerator, arn, ROUTES_TO, source, health_checked=True, traffic_dial_percent=dial))
    for endpoint in group.get("EndpointDescriptions") or ():
        target = endpoint.get("EndpointId")
        if not target:
            continue
        if not is_arn(target):  # an instance id or an Elastic IP allocation id
            kind = "instance" if target.startswith("i-") else "elastic-ip"
            target = f"arn:{scope.partition}:ec2:{region}:{scope.account}:{kind}/{target}"
        out.edges.append(edge(arn, target, ROUTES_TO, source, weight=endpoint.get("Weight"),
                              health_state=endpoint.get("HealthState")))
    return out


# --- collect ---------------------------------------------------------------------------------
def collect(ctx: TaskContext) -> Inventory:
    client = ctx.client(CLIENT, region=API_REGION)
    accelerators = get_accelerators(client)
    groups = {}
    for acc in accelerators:
        got = ctx.read("globalaccelerator:endpoint-groups", get_endpoint_groups, client, acc["AcceleratorArn"],
                       about=acc.get("Name"))
        if got is not None:
            groups[acc["AcceleratorArn"]] = got
    return transform_accelerators(accelerators, groups, ctx.scope)
