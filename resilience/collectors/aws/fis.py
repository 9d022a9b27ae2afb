"""AWS FIS: fault injection experiments and templates (evidence of failover testing)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resilience.model import FAULT_EXPERIMENT, Inventory

from .common import Scope, inventory, iso
from .context import TaskContext
from .pagination import paginate

NAME = "fis"
CLIENT = "fis"
GLOBAL = False
#: skip (``skipped``) regions botocore's endpoint data says the service is not offered in
AVAILABILITY_CHECK = True
PERMISSIONS = [
    "fis:GetExperiment",
    "fis:GetExperimentTemplate",
    "fis:ListExperimentTemplates",
    "fis:ListExperiments",
]
COVERAGE = {
    "fis": "ListExperiments + GetExperiment",
    "fis:templates": "ListExperimentTemplates + GetExperimentTemplate",
}


# --- get -------------------------------------------------------------------------------------
def get_experiments(client: Any) -> list[dict[str, Any]]:
    listed = paginate(client, "list_experiments", "experiments")
    return [client.get_experiment(id=e["id"])["experiment"] for e in listed]


def get_templates(client: Any) -> list[dict[str, Any]]:
    listed = paginate(client, "list_experiment_templates", "experimentTemplates")
    return [client.get_experiment_template(id=t["id"])["experimentTemplate"] for t in listed]


# --- transform -------------------------------------------------------------------------------
def target_attrs(targets: Mapping[str, Mapping[str, Any]] | None, actions: Mapping[str, Mapping[str, Any]] | None) -> dict[str, Any]:
    """Resource ARNs and tag selectors the experiment aims at; the FIS actions it runs."""
    arns: list[str] = []
    selectors: list[dict[str, str]] = []
    for target in (targets or {}).values():
        arns.extend(a for a in target.get("resourceArns", []) if a not in arns)
        selectors.extend({"key": k, "value": v} for k, v in (target.get("resourceTags") or {}).items())
    action_ids = sorted({a["actionId"] for a in (actions or {}).values() if a.get("actionId")})
    return {"targets": arns, "target_tags": selectors, "actions": action_ids}


def transform_experiments(experiments: list[Mapping[str, Any]], scope: Scope) -> Inventory:
    out = inventory()
    for exp in experiments:
        out.resources.append(
            scope.resource(
                id=exp.get("arn") or scope.arn("fis", f"experiment/{exp['id']}"),
                kind=FAULT_EXPERIMENT,
                type="AWS::FIS::Experiment",
                name=(exp.get("tags") or {}).get("Name") or exp["id"],
                source="fis:GetExperiment",
                tags=exp.get("tags") or {},
                attrs={
                    "status": (exp.get("state") or {}).get("status"),
                    "started_at": iso(exp.get("startTime")),
                    "ended_at": iso(exp.get("endTime")),
                    "template_id": exp.get("experimentTemplateId"),
                    **target_attrs(exp.get("targets"), exp.get("actions")),
                },
            )
        )
    return out


def transform_templates(templates: list[Mapping[str, Any]], scope: Scope) -> Inventory:
    out = inventory()
    for template in templates:
        out.resources.append(
            scope.resource(
                id=template.get("arn") or scope.arn("fis", f"experiment-template/{template['id']}"),
                kind=FAULT_EXPERIMENT,
                type="AWS::FIS::ExperimentTemplate",
                name=(template.get("tags") or {}).get("Name") or template["id"],
                source="fis:GetExperimentTemplate",
                tags=template.get("tags") or {},
                attrs={"template_id": template["id"], **target_attrs(template.get("targets"), template.get("actions"))},
            )
        )
    return out


# --- collect ---------------------------------------------------------------------------------
def collect(ctx: TaskContext) -> Inventory:
    client = ctx.client(CLIENT)
    out = transform_experiments(get_experiments(client), ctx.scope)
    templates = ctx.gather("fis:templates", lambda: get_templates(client), lambda items: transform_templates(items, ctx.scope))
    if templates is not None:
        out.extend(templates)
    return out
