"""CloudFront: distributions, their origins (ALB, S3, API Gateway, custom) and origin groups.

Graph: distribution -routes_to-> each origin it uses (every origin serves some path, so all are
needed); an origin group is a ``target_group`` node (any live member serves): group -routes_to->
its members and -fails_over_to-> its secondary, with the status codes that trigger the failover.
An origin is named by its domain: an S3 origin becomes the bucket's ARN, an API Gateway origin the
API's ARN, anything else ``dns:<domain>``, which the post-pass resolves to the load balancer (or
other resource) with that DNS name. CloudFront is global; its API is read in the partition's home
region (us-east-1).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from resilience.model import (
    CDN_DISTRIBUTION,
    FAILS_OVER_TO,
    GLOBAL_REGION,
    ROUTES_TO,
    TARGET_GROUP,
    Inventory,
)

from .common import Scope, edge, inventory, tags_from_list
from .context import TaskContext

NAME = "cloudfront"
CLIENT = "cloudfront"
GLOBAL = True
PERMISSIONS = ["cloudfront:ListDistributions", "cloudfront:ListTagsForResource"]
COVERAGE = {
    "cloudfront": "ListDistributions (origins, origin groups and cache behaviours)",
    "cloudfront:tags": "ListTagsForResource",
}

DNS_PREFIX = "dns:"
_S3 = re.compile(r"^(?P<bucket>[a-z0-9][a-z0-9.-]*?)\.s3(?:[.-](?:website[.-])?(?P<region>[a-z]{2}-[a-z]+-\d))?\.amazonaws\.com$")
_API = re.compile(r"^(?P<api>[a-z0-9]+)\.execute-api\.(?P<region>[a-z]{2}-[a-z]+-\d)\.amazonaws\.com$")


# --- get -------------------------------------------------------------------------------------
def get_distributions(client: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in client.get_paginator("list_distributions").paginate():
        items.extend((page.get("DistributionList") or {}).get("Items") or [])
    return items


# --- transform -------------------------------------------------------------------------------
def _items(value: Mapping[str, Any] | None) -> list[Any]:
    return list((value or {}).get("Items") or [])


def origin_target(domain: str, scope: Scope, *, http_api: bool = False) -> str:
    """The graph id an origin domain names: a bucket or API ARN when the domain says which,
    else ``dns:<domain>`` for the post-pass to resolve."""
    domain = domain.strip().rstrip(".").lower()
    s3 = _S3.match(domain)
    if s3:
        return f"arn:{scope.partition}:s3:::{s3['bucket']}"
    api = _API.match(domain)
    if api:
        return f"arn:{scope.partition}:apigateway:{api['region']}::/{'apis' if http_api else 'restapis'}/{api['api']}"
    return DNS_PREFIX + domain


def _origin_kind(origin: Mapping[str, Any]) -> str:
    if origin.get("S3OriginConfig") is not None or _S3.match(str(origin.get("DomainName", "")).lower()):
        return "s3"
    if _API.match(str(origin.get("DomainName", "")).lower()):
        return "apigateway"
    if ".elb." in str(origin.get("DomainName", "")):
        return "load_balancer"
    return "custom"


def get_tags(client: Any, arn: str) -> dict[str, str]:
    return tags_from_list((client.list_tags_for_resource(Resource=arn).get("Tags") or {}).get("Items"))


def transform_distributions(distributions: list[Mapping[str, Any]], scope: Scope,
                            tags: Mapping[str, Mapping[str, str]] | None = None) -> Inventory:
    out = inventory()
    source = "cloudfront:ListDistributions"
    for dist in distributions:
        arn = dist.get("ARN") or scope.arn("cloudfront", f"distribution/{dist['Id']}", region=GLOBAL_REGION)
        origins = {o["Id"]: o for o in _items(dist.get("Origins"))}
        targets = {oid: origin_target(o.get("DomainName", oid), scope) for oid, o in origins.items()}
        groups = {g["Id"]: g for g in _items(dist.get("OriginGroups"))}
        behaviours = [dist.get("DefaultCacheBehavior") or {}, *_items(dist.get("CacheBehaviors"))]
        used = [b.get("TargetOriginId") for b in behaviours if b.get("TargetOriginId")]
        used = list(dict.fromkeys(used))
        out.resources.append(
            scope.resource(
                id=arn,
                kind=CDN_DISTRIBUTION,
                type="AWS::CloudFront::Distribution",
                name=dist.get("Comment") or dist.get("DomainName") or dist["Id"],
                source=source,
                region=GLOBAL_REGION,
                tags=(tags or {}).get(arn, {}),
                attrs={
                    "dns_name": dist.get("DomainName"),
                    "aliases": _items(dist.get("Aliases")),
                    "status": dist.get("Status"),
                    "enabled": dist.get("Enabled"),
                    "origins": [{"id": oid, "domain": o.get("DomainName"), "type": _origin_kind(o)}
                                for oid, o in origins.items()],
                    "origin_groups": sorted(groups),
                },
            )
        )
        for target_id in used:
            if target_id in groups:
                group_arn = f"{arn}/origin-group/{target_id}"
                out.edges.append(edge(arn, group_arn, ROUTES_TO, source, origin=target_id))
                out.extend(_origin_group(groups[target_id], group_arn, targets, scope, source))
            elif target_id in targets:
                out.edges.append(edge(arn, targets[target_id], ROUTES_TO, source, origin=target_id))
    return out


def _origin_group(group: Mapping[str, Any], group_arn: str, targets: Mapping[str, str], scope: Scope,
                  source: str) -> Inventory:
    out = inventory()
    members = [m["OriginId"] for m in _items(group.get("Members")) if m.get("OriginId") in targets]
    codes = sorted(int(c) for c in _items((group.get("FailoverCriteria") or {}).get("StatusCodes")))
    out.resources.append(
        scope.resource(
            id=group_arn,
            kind=TARGET_GROUP,
            type="AWS::CloudFront::OriginGroup",
            name=group["Id"],
            source=source,
            region=GLOBAL_REGION,
            attrs={"members": members, "failover_status_codes": codes,
                   "selection_criteria": group.get("SelectionCriteria")},
        )
    )
    for position, member in enumerate(members):
        out.edges.append(edge(group_arn, targets[member], ROUTES_TO, source,
                              role="primary" if position == 0 else "secondary"))
    if len(members) > 1:
        # CloudFront retries the secondary when the primary answers one of the codes (or times out);
        # the edge leaves the group, not the primary origin: two buckets in a group share no data
        out.edges.append(edge(group_arn, targets[members[1]], FAILS_OVER_TO, source, primary=targets[members[0]],
                              health_checked=bool(codes), status_codes=codes, via=f"origin_group:{group['Id']}"))
    return out


# --- collect ---------------------------------------------------------------------------------
def collect(ctx: TaskContext) -> Inventory:
    client = ctx.client(CLIENT)
    distributions = get_distributions(client)
    tags = {}
    for dist in distributions:
        got = ctx.read("cloudfront:tags", get_tags, client, dist["ARN"], about=dist["Id"]) if dist.get("ARN") else None
        if got is not None:
            tags[dist["ARN"]] = got
    return transform_distributions(distributions, ctx.scope, tags)
