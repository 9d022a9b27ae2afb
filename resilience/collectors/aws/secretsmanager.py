"""Secrets Manager: secrets and their replica regions. Metadata only: no secret value is ever read
(``GetSecretValue`` is not called and not in the policy). A replica keeps the primary's name and
suffix, so its ARN is the primary's with the region swapped."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resilience.model import REPLICATES_TO, SECRET, Inventory

from .common import Scope, edge, inventory, tags_from_list
from .context import TaskContext
from .pagination import paginate

NAME = "secretsmanager"
CLIENT = "secretsmanager"
GLOBAL = False
PERMISSIONS = [
    "secretsmanager:DescribeSecret",
    "secretsmanager:ListSecrets",
]
COVERAGE = {
    "secretsmanager": "ListSecrets (names, ARNs, primary region; never values)",
    "secretsmanager:replication": "DescribeSecret of each primary secret (its replica regions)",
}


# --- get -------------------------------------------------------------------------------------
def get_secrets(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "list_secrets", "SecretList")


def get_replication(client: Any, arn: str) -> list[dict[str, Any]]:
    return client.describe_secret(SecretId=arn).get("ReplicationStatus") or []


# --- transform -------------------------------------------------------------------------------
def in_region(arn: str, region: str) -> str:
    parts = arn.split(":")
    parts[3] = region
    return ":".join(parts)


def transform_secrets(
    secrets: list[Mapping[str, Any]], scope: Scope, replication: Mapping[str, list[Mapping[str, Any]]]
) -> Inventory:
    """secret nodes; primary -replicates_to-> each replica (from the primary's ReplicationStatus, or
    from a replica's PrimaryRegion when it is the replica region being read)."""
    out = inventory()
    source = "secretsmanager:ListSecrets"
    for secret in secrets:
        arn = secret["ARN"]
        primary_region = secret.get("PrimaryRegion") or scope.region
        replicas = replication.get(arn)
        out.resources.append(scope.resource(
            id=arn, kind=SECRET, type="AWS::SecretsManager::Secret", name=secret.get("Name", arn), source=source,
            tags=tags_from_list(secret.get("Tags")),
            attrs={
                "primary_region": primary_region,
                "replica_regions": None if replicas is None else sorted(r["Region"] for r in replicas if r.get("Region")),
                "role": "replica" if primary_region != scope.region else "primary",
                "rotation_enabled": secret.get("RotationEnabled"),
                "kms_key_id": secret.get("KmsKeyId"),
                "owning_service": secret.get("OwningService"),
            },
        ))
        if primary_region != scope.region:
            out.edges.append(edge(in_region(arn, primary_region), arn, REPLICATES_TO, source, mode="async"))
        for replica in replicas or ():
            if replica.get("Region"):
                out.edges.append(edge(arn, in_region(arn, replica["Region"]), REPLICATES_TO,
                                      "secretsmanager:DescribeSecret", mode="async", status=replica.get("Status")))
    return out


# --- collect ---------------------------------------------------------------------------------
def collect(ctx: TaskContext) -> Inventory:
    client = ctx.client(CLIENT)
    secrets = get_secrets(client)
    replication: dict[str, Any] = {}
    for secret in secrets:
        if (secret.get("PrimaryRegion") or ctx.region) == ctx.region:
            got = ctx.read("secretsmanager:replication", get_replication, client, secret["ARN"], about=secret.get("Name"))
            if got is not None:
                replication[secret["ARN"]] = got
    return transform_secrets(secrets, ctx.scope, replication)
