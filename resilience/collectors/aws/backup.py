"""AWS Backup: vaults, plans (rules, copy actions), selections, recovery points, restore jobs
and restore testing plans."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resilience.model import (
    BACKED_UP_TO,
    BACKUP_PLAN,
    BACKUP_VAULT,
    MEMBER_OF,
    RECOVERY_POINT,
    REPLICATES_TO,
    RESTORE_TEST,
    Inventory,
)

from .common import Scope, arn_region, edge, inventory, is_arn, iso, seconds_between
from .context import TaskContext
from .pagination import paginate

NAME = "backup"
CLIENT = "backup"
GLOBAL = False
PERMISSIONS = [
    "backup:GetBackupPlan",
    "backup:GetBackupSelection",
    "backup:ListBackupPlans",
    "backup:ListBackupSelections",
    "backup:ListBackupVaults",
    "backup:ListRecoveryPointsByBackupVault",
    "backup:ListRestoreJobs",
    "backup:ListRestoreTestingPlans",
    "backup:ListTags",
]
COVERAGE = {
    "backup": "ListBackupVaults",
    "backup:plans": "ListBackupPlans + GetBackupPlan (rules, copy actions)",
    "backup:selections": "ListBackupSelections + GetBackupSelection",
    "backup:recovery-points": "ListRecoveryPointsByBackupVault",
    "backup:restore-jobs": "ListRestoreJobs",
    "backup:restore-testing": "ListRestoreTestingPlans",
    "backup:tags": "ListTags (vaults and plans)",
}


# --- get -------------------------------------------------------------------------------------
def get_vaults(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "list_backup_vaults", "BackupVaultList")


def get_plans(client: Any) -> list[dict[str, Any]]:
    """GetBackupPlan for every plan listed."""
    plans = paginate(client, "list_backup_plans", "BackupPlansList")
    return [client.get_backup_plan(BackupPlanId=p["BackupPlanId"]) for p in plans]


def get_selections(client: Any, plan_id: str) -> list[dict[str, Any]]:
    """GetBackupSelection for every selection of the plan."""
    listed = paginate(client, "list_backup_selections", "BackupSelectionsList", BackupPlanId=plan_id)
    return [
        client.get_backup_selection(BackupPlanId=plan_id, SelectionId=s["SelectionId"])["BackupSelection"]
        for s in listed
    ]


def get_recovery_points(client: Any, vault_name: str) -> list[dict[str, Any]]:
    return paginate(client, "list_recovery_points_by_backup_vault", "RecoveryPoints", BackupVaultName=vault_name)


def get_restore_jobs(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "list_restore_jobs", "RestoreJobs")


def get_restore_testing_plans(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "list_restore_testing_plans", "RestoreTestingPlans")


def get_tags(client: Any, arn: str) -> dict[str, str]:
    """ListTags has no botocore paginator: a manual token loop."""
    tags: dict[str, str] = {}
    token = None
    while True:
        page = client.list_tags(ResourceArn=arn, **({"NextToken": token} if token else {}))
        tags.update(page.get("Tags") or {})
        token = page.get("NextToken")
        if not token:
            return tags


# --- transform -------------------------------------------------------------------------------
def vault_arn(scope: Scope, name: str) -> str:
    return scope.arn("backup", f"backup-vault:{name}")


def transform_vaults(vaults: list[Mapping[str, Any]], scope: Scope, tags: Mapping[str, Mapping[str, str]]) -> Inventory:
    out = inventory()
    for vault in vaults:
        arn = vault["BackupVaultArn"]
        out.resources.append(
            scope.resource(
                id=arn,
                kind=BACKUP_VAULT,
                type="AWS::Backup::BackupVault",
                name=vault.get("BackupVaultName", arn),
                source="backup:ListBackupVaults",
                tags=tags.get(arn, {}),
                attrs={"recovery_points": vault.get("NumberOfRecoveryPoints"), "locked": vault.get("Locked")},
            )
        )
    return out


def plan_rules(plan: Mapping[str, Any], scope: Scope) -> list[dict[str, Any]]:
    return [
        {
            "name": rule.get("RuleName"),
            "schedule": rule.get("ScheduleExpression"),
            "target_vault": vault_arn(scope, rule["TargetBackupVaultName"]) if rule.get("TargetBackupVaultName") else None,
            "lifecycle_delete_days": rule.get("Lifecycle", {}).get("DeleteAfterDays"),
            "copy_to": [c["DestinationBackupVaultArn"] for c in rule.get("CopyActions", []) if c.get("DestinationBackupVaultArn")],
        }
        for rule in plan.get("Rules", [])
    ]


def selection_entry(selection: Mapping[str, Any]) -> dict[str, Any]:
    """``{name, resources, conditions}``; tag conditions kept as data, never expanded."""
    conditions: dict[str, Any] = {}
    if selection.get("ListOfTags"):
        conditions["tags"] = [
            {"type": t.get("ConditionType"), "key": t.get("ConditionKey"), "value": t.get("ConditionValue")}
            for t in selection["ListOfTags"]
        ]
    for op, items in (selection.get("Conditions") or {}).items():
        if items:
            conditions[op] = [{"key": c.get("ConditionKey"), "value": c.get("ConditionValue")} for c in items]
    if selection.get("NotResources"):
        conditions["not_resources"] = list(selection["NotResources"])
    return {"name": selection.get("SelectionName"), "resources": list(selection.get("Resources", [])), "conditions": conditions}


def transform_plan(
    response: Mapping[str, Any],
    scope: Scope,
    selections: list[Mapping[str, Any]] | None,
    tags: Mapping[str, str],
) -> Inventory:
    """A GetBackupPlan response (+ its selections; ``None`` when they could not be read)."""
    out = inventory()
    source = "backup:GetBackupPlan"
    arn = response["BackupPlanArn"]
    plan = response.get("BackupPlan", {})
    rules = plan_rules(plan, scope)
    entries = [selection_entry(s) for s in selections] if selections is not None else None
    out.resources.append(
        scope.resource(
            id=arn,
            kind=BACKUP_PLAN,
            type="AWS::Backup::BackupPlan",
            name=plan.get("BackupPlanName", arn),
            source=source,
            tags=tags,
            attrs={"rules": rules, "selections": entries},
        )
    )
    for rule in rules:
        if rule["target_vault"]:
            out.edges.append(edge(arn, rule["target_vault"], BACKED_UP_TO, source, schedule=rule["schedule"], rule=rule["name"]))
            out.edges.extend(
                edge(rule["target_vault"], dst, REPLICATES_TO, source, mode="periodic") for dst in rule["copy_to"]
            )
    schedule = "; ".join(dict.fromkeys(r["schedule"] for r in rules if r["schedule"])) or None
    for entry in entries or []:
        for resource in entry["resources"]:
            if is_arn(resource) and "*" not in resource:
                out.edges.append(edge(resource, arn, BACKED_UP_TO, "backup:GetBackupSelection", schedule=schedule))
    return out


def creator(point: Mapping[str, Any]) -> dict[str, Any]:
    """What made a recovery point, as ``snapshot_type`` (:func:`resilience.copies.made_on_request` reads it):
    ``backup-plan`` when its ``CreatedBy`` names the plan (``BackupPlanId``: a plan's rule or copy action
    made it, and makes the next one), ``on-demand`` when it names none (StartBackupJob / StartCopyJob run by
    hand: nothing renews it)."""
    plan = (point.get("CreatedBy") or {}).get("BackupPlanId")
    return {"snapshot_type": "backup-plan" if plan else "on-demand", "backup_plan_id": plan}


def transform_recovery_points(points: list[Mapping[str, Any]], scope: Scope) -> Inventory:
    """Recovery points: resource -backed_up_to-> point; point -member_of-> its vault."""
    out = inventory()
    source = "backup:ListRecoveryPointsByBackupVault"
    for point in points:
        arn = point["RecoveryPointArn"]
        resource = point.get("ResourceArn")
        origin_vault = point.get("SourceBackupVaultArn")
        origin = arn_region(origin_vault) if origin_vault and is_arn(origin_vault) else None
        out.resources.append(
            scope.resource(
                id=arn,
                kind=RECOVERY_POINT,
                type="AWS::Backup::RecoveryPoint",
                name=point.get("ResourceName") or arn.rsplit(":", 1)[-1],
                source=source,
                attrs={
                    "created_at": iso(point.get("CreationDate")),
                    "source_resource": resource,
                    "source_region": origin if origin and origin != arn_region(arn) else None,
                    "size_bytes": point.get("BackupSizeInBytes"),
                    "status": point.get("Status"),
                    "vault": point.get("BackupVaultArn"),
                    **creator(point),
                },
            )
        )
        if resource:
            out.edges.append(edge(resource, arn, BACKED_UP_TO, source))
        if point.get("BackupVaultArn"):
            out.edges.append(edge(arn, point["BackupVaultArn"], MEMBER_OF, source))
    return out


def restore_job_arn(scope: Scope, job_id: str) -> str:
    return scope.arn("backup", f"restore-job:{job_id}")


def transform_restore_jobs(jobs: list[Mapping[str, Any]], scope: Scope) -> Inventory:
    out = inventory()
    for job in jobs:
        out.resources.append(
            scope.resource(
                id=restore_job_arn(scope, job["RestoreJobId"]),
                kind=RESTORE_TEST,
                type="AWS::Backup::RestoreJob",
                name=job["RestoreJobId"],
                source="backup:ListRestoreJobs",
                attrs={
                    "status": job.get("Status"),
                    "completed_at": iso(job.get("CompletionDate")),
                    "resource": job.get("SourceResourceArn"),
                    "recovery_point": job.get("RecoveryPointArn"),
                    "created_resource": job.get("CreatedResourceArn"),
                    "duration_s": seconds_between(job.get("CreationDate"), job.get("CompletionDate")),
                    "validation_status": job.get("ValidationStatus"),
                    "restore_testing_plan": (job.get("CreatedBy") or {}).get("RestoreTestingPlanArn"),
                },
            )
        )
    return out


def transform_restore_testing_plans(plans: list[Mapping[str, Any]], scope: Scope) -> Inventory:
    out = inventory()
    for plan in plans:
        out.resources.append(
            scope.resource(
                id=plan["RestoreTestingPlanArn"],
                kind=RESTORE_TEST,
                type="AWS::Backup::RestoreTestingPlan",
                name=plan.get("RestoreTestingPlanName", plan["RestoreTestingPlanArn"]),
                source="backup:ListRestoreTestingPlans",
                attrs={"schedule": plan.get("ScheduleExpression"), "completed_at": iso(plan.get("LastExecutionTime"))},
            )
        )
    return out


# --- collect ---------------------------------------------------------------------------------
def _tags(ctx: TaskContext, client: Any, arns: list[str]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for arn in arns:
        tags = ctx.read("backup:tags", get_tags, client, arn, about=arn)
        out[arn] = tags or {}
    return out


def collect(ctx: TaskContext) -> Inventory:
    client = ctx.client(CLIENT)
    vaults = get_vaults(client)
    plans = ctx.read("backup:plans", get_plans, client) or []
    tags = _tags(ctx, client, [v["BackupVaultArn"] for v in vaults] + [p["BackupPlanArn"] for p in plans])
    out = transform_vaults(vaults, ctx.scope, tags)
    for plan in plans:
        selections = ctx.read("backup:selections", get_selections, client, plan["BackupPlanId"], about=plan["BackupPlanArn"])
        out.extend(transform_plan(plan, ctx.scope, selections, tags.get(plan["BackupPlanArn"], {})))
    parts = [
        ctx.gather(
            "backup:recovery-points",
            lambda name=vault["BackupVaultName"]: get_recovery_points(client, name),
            lambda points: transform_recovery_points(points, ctx.scope),
            about=vault["BackupVaultName"],
        )
        for vault in vaults
    ]
    parts.append(ctx.gather("backup:restore-jobs", lambda: get_restore_jobs(client), lambda jobs: transform_restore_jobs(jobs, ctx.scope)))
    parts.append(
        ctx.gather(
            "backup:restore-testing",
            lambda: get_restore_testing_plans(client),
            lambda plans: transform_restore_testing_plans(plans, ctx.scope),
        )
    )
    for part in parts:
        if part is not None:
            out.extend(part)
    return out
