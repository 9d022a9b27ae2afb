"""AWS Resilience Hub: applications and their assessments (resilience-policy compliance)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resilience.model import RESILIENCE_ASSESSMENT, Inventory

from .common import Scope, inventory, iso
from .context import TaskContext
from .pagination import token_loop

NAME = "resiliencehub"
CLIENT = "resiliencehub"
GLOBAL = False
#: skip (``skipped``) regions botocore's endpoint data says the service is not offered in
AVAILABILITY_CHECK = True
PERMISSIONS = [
    "resiliencehub:ListAppAssessments",
    "resiliencehub:ListApps",
]
COVERAGE = {
    "resiliencehub": "ListApps",
    "resiliencehub:assessments": "ListAppAssessments",
}


# --- get -------------------------------------------------------------------------------------
def get_apps(client: Any) -> list[dict[str, Any]]:
    return token_loop(client, "list_apps", "appSummaries")


def get_assessments(client: Any, app_arn: str) -> list[dict[str, Any]]:
    return token_loop(client, "list_app_assessments", "assessmentSummaries", appArn=app_arn)


# --- transform -------------------------------------------------------------------------------
def transform_assessments(app: Mapping[str, Any], assessments: list[Mapping[str, Any]], scope: Scope) -> Inventory:
    out = inventory()
    for assessment in assessments:
        arn = assessment["assessmentArn"]
        out.resources.append(
            scope.resource(
                id=arn,
                kind=RESILIENCE_ASSESSMENT,
                type="AWS::ResilienceHub::AppAssessment",
                name=assessment.get("assessmentName") or arn.rsplit("/", 1)[-1],
                source="resiliencehub:ListAppAssessments",
                attrs={
                    "compliance": assessment.get("complianceStatus"),
                    "status": assessment.get("assessmentStatus"),
                    "finished_at": iso(assessment.get("endTime")),
                    "app": assessment.get("appArn") or app.get("appArn"),
                    "app_name": app.get("name"),
                    "resiliency_score": assessment.get("resiliencyScore"),
                },
            )
        )
    return out


# --- collect ---------------------------------------------------------------------------------
def collect(ctx: TaskContext) -> Inventory:
    client = ctx.client(CLIENT)
    out = inventory()
    for app in get_apps(client):
        assessments = ctx.read("resiliencehub:assessments", get_assessments, client, app["appArn"], about=app.get("name"))
        if assessments is not None:
            out.extend(transform_assessments(app, assessments, ctx.scope))
    return out
