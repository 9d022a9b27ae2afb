"""Route 53 Application Recovery Controller: routing controls (failover switches) and Region switch
plans with their executions.

- Routing controls (``routing_control`` nodes, global): the API answers in us-west-2 only.
- Region switch plans (``failover_plan``): read from the partition's control plane (us-east-1);
  plan -depends_on-> every resource its workflows act on (``via: region_switch:<block type>``). A
  plan's Aurora global database block with ``behavior: switchoverOnly`` adds
  ``fails_over_to`` primary cluster -> each other cluster with ``method: switchover``: a switchover
  needs the primary region's control plane (``survival`` reads the method).
- Executions (``failover_execution``, -member_of-> their plan): listed in the plan's regions (the
  data plane); each finished one, with its recorded recovery time, is failover-test evidence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from resilience.model import (
    DEPENDS_ON,
    FAILOVER_EXECUTION,
    FAILOVER_PLAN,
    FAILS_OVER_TO,
    GLOBAL_REGION,
    MEMBER_OF,
    ROUTING_CONTROL,
    Inventory,
)

from .common import PARTITION_DEFAULT_REGION, Scope, arn_region, edge, inventory, is_arn, iso, seconds_between
from .context import TaskContext
from .pagination import paginate

NAME = "arc"
CLIENT = "route53-recovery-control-config"
GLOBAL = True
#: the only region the recovery-control configuration API answers in
CONTROL_CONFIG_REGION = "us-west-2"
PERMISSIONS = [
    "arc-region-switch:GetPlan",
    "arc-region-switch:ListPlanExecutions",
    "arc-region-switch:ListPlans",
    "route53-recovery-control-config:ListClusters",
    "route53-recovery-control-config:ListControlPanels",
    "route53-recovery-control-config:ListRoutingControls",
]
COVERAGE = {
    "arc": "route53-recovery-control-config ListClusters + ListControlPanels + ListRoutingControls (us-west-2)",
    "arc:region-switch": "arc-region-switch ListPlans + GetPlan (partition control plane)",
    "arc:executions": "arc-region-switch ListPlanExecutions (in the plan's regions)",
}
_DURATION = re.compile(r"^P(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$")


# --- get -------------------------------------------------------------------------------------
def get_routing_controls(client: Any) -> list[dict[str, Any]]:
    controls: list[dict[str, Any]] = []
    for cluster in paginate(client, "list_clusters", "Clusters"):
        for panel in paginate(client, "list_control_panels", "ControlPanels", ClusterArn=cluster["ClusterArn"]):
            controls.extend(paginate(client, "list_routing_controls", "RoutingControls",
                                     ControlPanelArn=panel["ControlPanelArn"]))
    return controls


def get_plans(client: Any) -> list[dict[str, Any]]:
    return [client.get_plan(arn=p["arn"])["plan"] for p in paginate(client, "list_plans", "plans")]


def get_executions(client: Any, plan_arn: str) -> list[dict[str, Any]]:
    return paginate(client, "list_plan_executions", "items", planArn=plan_arn)


# --- transform -------------------------------------------------------------------------------
def recovery_seconds(value: Any) -> int | None:
    """``actualRecoveryTime`` (an ISO 8601 duration such as ``PT12M30S``) in seconds."""
    match = _DURATION.match(str(value or "").strip())
    if not match or not any(match.groupdict().values()):
        return None
    parts = {k: float(v) for k, v in match.groupdict().items() if v}
    return int(parts.get("d", 0) * 86400 + parts.get("h", 0) * 3600 + parts.get("m", 0) * 60 + parts.get("s", 0))


def transform_routing_controls(controls: list[Mapping[str, Any]], scope: Scope) -> Inventory:
    out = inventory()
    for control in controls:
        out.resources.append(scope.resource(
            id=control["RoutingControlArn"], kind=ROUTING_CONTROL, type="AWS::Route53RecoveryControl::RoutingControl",
            name=control.get("Name") or control["RoutingControlArn"], source="arc:ListRoutingControls",
            region=GLOBAL_REGION, attrs={"control_panel": control.get("ControlPanelArn"), "status": control.get("Status")}))
    return out


def _blocks(steps: list[Mapping[str, Any]]) -> list[tuple[str, Mapping[str, Any]]]:
    """``(block type, block configuration)`` for every step, nested parallel blocks included."""
    out = []
    for step in steps or ():
        config = step.get("executionBlockConfiguration") or {}
        for block_type, block in config.items():
            if block_type == "parallelConfig":
                out += _blocks(block.get("steps") or [])
            elif isinstance(block, Mapping):
                out.append((block_type, block))
    return out


def _targets(block: Mapping[str, Any]) -> list[str]:
    arns = []
    for value in block.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and is_arn(item) and ":iam::" not in item:
                arns.append(item)
            elif isinstance(item, Mapping):
                arns += [v for v in item.values() if isinstance(v, str) and is_arn(v) and ":iam::" not in v]
    return arns


def transform_plans(plans: list[Mapping[str, Any]], scope: Scope) -> Inventory:
    out = inventory()
    source = "arc:GetPlan"
    for plan in plans:
        arn = plan["arn"]
        blocks = [b for wf in plan.get("workflows") or () for b in _blocks(wf.get("steps") or [])]
        out.resources.append(scope.resource(
            id=arn, kind=FAILOVER_PLAN, type="AWS::ARCRegionSwitch::Plan", name=plan.get("name") or arn,
            source=source, region=GLOBAL_REGION,
            attrs={"regions": list(plan.get("regions") or []), "primary_region": plan.get("primaryRegion"),
                   "recovery_approach": plan.get("recoveryApproach"),
                   "rto_minutes": plan.get("recoveryTimeObjectiveMinutes"),
                   "block_types": sorted({t for t, _ in blocks})}))
        seen: set[str] = set()
        for block_type, block in blocks:
            for target in _targets(block):
                if target not in seen:
                    seen.add(target)
                    out.edges.append(edge(arn, target, DEPENDS_ON, source, via=f"region_switch:{block_type}"))
            if block_type == "globalAuroraConfig" and block.get("behavior") == "switchoverOnly":
                out.edges.extend(_switchover_edges(block, plan.get("primaryRegion"), arn, source))
    return out


def _switchover_edges(block: Mapping[str, Any], primary_region: str | None, plan: str, source: str) -> list:
    clusters = [c for c in block.get("databaseClusterArns") or [] if is_arn(c)]
    primaries = [c for c in clusters if arn_region(c) == primary_region]
    return [edge(p, c, FAILS_OVER_TO, source, method="switchover", health_checked=False, plan=plan,
                 needs_control_plane_in=arn_region(p))
            for p in primaries for c in clusters if c not in primaries]


def transform_executions(executions: list[Mapping[str, Any]], plan: Mapping[str, Any], scope: Scope) -> Inventory:
    out = inventory()
    for ex in executions:
        arn = f"{ex.get('planArn') or plan['arn']}/execution/{ex['executionId']}"
        out.resources.append(scope.resource(
            id=arn, kind=FAILOVER_EXECUTION, type="AWS::ARCRegionSwitch::PlanExecution",
            name=f"{plan.get('name', 'plan')} execution {ex['executionId']}",
            source="arc:ListPlanExecutions", region=GLOBAL_REGION,
            attrs={"plan": plan["arn"], "state": ex.get("executionState"), "action": ex.get("executionAction"),
                   "mode": ex.get("mode"), "execution_region": ex.get("executionRegion"),
                   "primary_region": plan.get("primaryRegion"), "regions": list(plan.get("regions") or []),
                   "started_at": iso(ex.get("startTime")), "ended_at": iso(ex.get("endTime")),
                   "duration_s": seconds_between(ex.get("startTime"), ex.get("endTime")),
                   "actual_recovery_time": ex.get("actualRecoveryTime"),
                   "recovery_time_s": recovery_seconds(ex.get("actualRecoveryTime")),
                   "rto_minutes": plan.get("recoveryTimeObjectiveMinutes")}))
        out.edges.append(edge(arn, plan["arn"], MEMBER_OF, "arc:ListPlanExecutions"))
    return out


# --- collect ---------------------------------------------------------------------------------
def collect(ctx: TaskContext) -> Inventory:
    out = transform_routing_controls(get_routing_controls(ctx.client(CLIENT, region=CONTROL_CONFIG_REGION)), ctx.scope)
    # ListPlans/GetPlan are control-plane calls: botocore routes them to the partition leader's endpoint
    switch = ctx.client("arc-region-switch", region=PARTITION_DEFAULT_REGION.get(ctx.scope.partition, "us-east-1"))
    plans = ctx.read("arc:region-switch", get_plans, switch)
    if plans is None:
        return out
    out.extend(transform_plans(plans, ctx.scope))
    for plan in plans:
        for region in plan.get("regions") or [plan.get("primaryRegion")]:
            executions = ctx.read("arc:executions", get_executions, ctx.client("arc-region-switch", region=region),
                                  plan["arn"], region=region, about=plan.get("name"))
            if executions is not None:  # any one of the plan's regions lists its executions
                out.extend(transform_executions(executions, plan, ctx.scope))
                break
    return out
