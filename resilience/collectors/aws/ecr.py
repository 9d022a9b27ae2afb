"""ECR: repositories and the registry's replication configuration (which regions each repository's
images are copied to). A component pulling from a repository depends on that repository's region:
without replication (or with a reference to the primary region's URI), a DR region's containers
cannot start when the primary region is lost."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resilience.model import IMAGE_REPOSITORY, REPLICATES_TO, Inventory

from .common import Scope, edge, inventory, iso, tags_from_list
from .context import TaskContext
from .pagination import paginate

NAME = "ecr"
CLIENT = "ecr"
GLOBAL = False
PERMISSIONS = [
    "ecr:DescribeRegistry",
    "ecr:DescribeRepositories",
    "ecr:ListTagsForResource",
]
COVERAGE = {
    "ecr": "DescribeRepositories",
    "ecr:replication": "DescribeRegistry (the registry's replication rules)",
    "ecr:tags": "ListTagsForResource (workload membership by tag)",
}


# --- get -------------------------------------------------------------------------------------
def get_repositories(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "describe_repositories", "repositories")


def get_registry(client: Any) -> dict[str, Any]:
    return client.describe_registry()


def get_tags(client: Any, arns: list[str]) -> dict[str, dict[str, str]]:
    return {arn: tags_from_list(client.list_tags_for_resource(resourceArn=arn).get("tags")) for arn in arns}


# --- transform -------------------------------------------------------------------------------
def replication_destinations(repo_name: str, registry: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(region, registry id)`` pairs the registry's rules copy ``repo_name`` to (PREFIX_MATCH filters;
    a rule without filters copies every repository)."""
    out: list[tuple[str, str]] = []
    for rule in (registry.get("replicationConfiguration") or {}).get("rules") or ():
        filters = rule.get("repositoryFilters") or ()
        if filters and not any(f.get("filterType", "PREFIX_MATCH") == "PREFIX_MATCH"
                               and repo_name.startswith(f.get("filter", "")) for f in filters):
            continue
        for dest in rule.get("destinations") or ():
            pair = (dest.get("region", ""), dest.get("registryId", ""))
            if pair[0] and pair not in out:
                out.append(pair)
    return out


def transform_repositories(
    repos: list[Mapping[str, Any]], scope: Scope, registry: Mapping[str, Any] | None
) -> Inventory:
    """repository nodes; repository -replicates_to-> the same name in each destination registry."""
    out = inventory()
    for repo in repos:
        name = repo["repositoryName"]
        destinations = None if registry is None else replication_destinations(name, registry)
        out.resources.append(scope.resource(
            id=repo["repositoryArn"], kind=IMAGE_REPOSITORY, type="AWS::ECR::Repository", name=name,
            source="ecr:DescribeRepositories",
            attrs={"uri": repo.get("repositoryUri"), "created_at": iso(repo.get("createdAt")),
                   "tag_mutability": repo.get("imageTagMutability"),
                   "replication_regions": None if destinations is None else sorted({r for r, _ in destinations})},
        ))
        for region, registry_id in destinations or ():
            dst = scope.arn("ecr", f"repository/{name}", region=region, account=registry_id or scope.account)
            if dst != repo["repositoryArn"]:
                out.edges.append(edge(repo["repositoryArn"], dst, REPLICATES_TO, "ecr:DescribeRegistry", mode="async"))
    return out


# --- collect ---------------------------------------------------------------------------------
def collect(ctx: TaskContext) -> Inventory:
    client = ctx.client(CLIENT)
    repos = get_repositories(client)
    registry = ctx.read("ecr:replication", get_registry, client)
    out = transform_repositories(repos, ctx.scope, registry)
    tags = ctx.read("ecr:tags", get_tags, client, [r["repositoryArn"] for r in repos]) if repos else None
    for resource in out.resources:
        resource.tags.update((tags or {}).get(resource.id, {}))
    return out
