"""SSM Parameter Store: parameter metadata (name, type, tier), so that a component referencing a
parameter (an ECS secret, a ``resolve:ssm:`` AMI) joins the graph in the parameter's region.
``DescribeParameters`` never returns values; ``GetParameter*`` is not called and not in the policy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resilience.model import PARAMETER, Inventory

from .common import Scope, inventory, iso
from .context import TaskContext
from .pagination import paginate
from .references import parameter_arn

NAME = "ssm"
CLIENT = "ssm"
GLOBAL = False
PERMISSIONS = ["ssm:DescribeParameters"]
COVERAGE = {"ssm": "DescribeParameters (metadata only, never values)"}


def get_parameters(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "describe_parameters", "Parameters")


def transform_parameters(parameters: list[Mapping[str, Any]], scope: Scope) -> Inventory:
    out = inventory()
    for p in parameters:
        out.resources.append(scope.resource(
            id=p.get("ARN") or parameter_arn(scope, p["Name"]), kind=PARAMETER, type="AWS::SSM::Parameter",
            name=p["Name"], source="ssm:DescribeParameters",
            attrs={"parameter_type": p.get("Type"), "tier": p.get("Tier"), "last_modified": iso(p.get("LastModifiedDate"))},
        ))
    return out


def collect(ctx: TaskContext) -> Inventory:
    return transform_parameters(get_parameters(ctx.client(CLIENT)), ctx.scope)
