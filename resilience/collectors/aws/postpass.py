"""Pure passes over the whole collected inventory: what no single (region, service) read can see.

- the same resource seen by several reads (a global cluster from every region, an EBS snapshot
  that is also a Backup recovery point) is merged into one node; duplicate edges into one edge;
- Route 53 alias / CNAME targets are matched to load balancers and records by DNS name;
- ``dns:<name>`` edge targets (CloudFront origins, API Gateway HTTP integrations) and Route 53
  aliases to CloudFront, API Gateway and Global Accelerator are matched to the resource with that
  DNS name;
- buckets that another inventoried bucket replicates into are marked ``is_replica_destination``;
- a copied recovery point inherits its original's ``source_resource`` (and the backup edge);
- a DB snapshot copy whose source region AWS left out is joined to the one inventoried DB of its
  account that carries its ``DbiResourceId`` and identifier; with none (or several) it stays unknown;
- a copy or replica outside the account of its source is marked ``cross_account`` on its edge, and
  a destination that is not inventoried, whose owner only the configuration names (an S3 bucket
  ARN carries no account), becomes an ``external`` node owned by that account. When both accounts
  were scanned the ids are the same and the nodes simply join.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from resilience.catalogues.aws import rds_endpoint_arn
from resilience.model import (
    ACCELERATOR,
    API,
    BACKED_UP_TO,
    CDN_DISTRIBUTION,
    DATABASE,
    DNS_RECORD,
    EXTERNAL,
    FAILS_OVER_TO,
    LOAD_BALANCER,
    MEMBER_OF,
    OBJECT_STORE,
    RECOVERY_POINT,
    REPLICATES_TO,
    ROUTES_TO,
    Edge,
    Inventory,
    Resource,
)

from .common import PROVIDER, arn_parts, arn_region, edge, is_arn
from .references import resolve_images

MERGED_LIST_ATTRS = frozenset({"members"})


def finalize(inv: Inventory) -> Inventory:
    resources = merge_resources(inv.resources)
    edges = resolve_images(resources, resolve_dns_targets(resources, list(inv.edges))) + dns_routes(resources)
    resources, copy_edges = inherit_copy_sources(resources)
    copy_edges += join_unknown_copy_sources(resources)
    edges = dedupe_edges(edges + copy_edges)
    mark_replica_destinations(resources, edges)
    resources = resources + external_owners(resources, edges)
    mark_cross_account(resources, edges)
    return Inventory(resources=resources, edges=edges, coverage=list(inv.coverage), meta=dict(inv.meta))


# --- merging ---------------------------------------------------------------------------------
def merge_resources(resources: Iterable[Resource]) -> list[Resource]:
    """One node per id. The first by (source, type) is the base; the others fill its gaps."""
    groups: dict[str, list[Resource]] = defaultdict(list)
    for resource in resources:
        groups[resource.id].append(resource)
    merged = []
    for rid in sorted(groups):
        # an inventoried node wins over a placeholder another account's pass made for it
        base, *others = sorted(groups[rid], key=lambda r: (r.kind == EXTERNAL, r.source, r.type))
        merged.append(_merge(base, others))
    return merged


def _merge(base: Resource, others: list[Resource]) -> Resource:
    attrs = dict(base.attrs)
    tags = dict(base.tags)
    zones = base.zones
    for other in others:
        for key, value in other.attrs.items():
            if key not in attrs:
                attrs[key] = value
            elif key in MERGED_LIST_ATTRS and isinstance(value, list):
                attrs[key] = sorted(set(attrs[key]) | set(value))
        for key, value in other.tags.items():
            tags.setdefault(key, value)
        zones = zones or other.zones
    return replace(base, attrs=attrs, tags=tags, zones=zones)


def dedupe_edges(edges: Iterable[Edge]) -> list[Edge]:
    """One edge per (src, dst, kind); attrs merged, the first by source winning conflicts."""
    out: dict[tuple[str, str, str], Edge] = {}
    for e in sorted(edges, key=lambda e: (e.src, e.dst, e.kind, e.source)):
        key = (e.src, e.dst, e.kind)
        if key in out:
            kept = out[key]
            out[key] = replace(kept, attrs={**e.attrs, **kept.attrs})
        else:
            out[key] = e
    return list(out.values())


# --- DNS -------------------------------------------------------------------------------------
def normalise_dns(name: str) -> str:
    """Case-insensitive, no trailing dot, no ``dualstack.`` prefix (ELB alias targets carry one)."""
    name = name.strip().rstrip(".").lower()
    return name[len("dualstack.") :] if name.startswith("dualstack.") else name


def dns_routes(resources: Iterable[Resource]) -> list[Edge]:
    """record -routes_to-> load balancer / record whose DNS name its alias (or CNAME) names."""
    resources = list(resources)
    lbs: dict[str, list[str]] = defaultdict(list)
    records: dict[str, list[Resource]] = defaultdict(list)
    for r in resources:
        if r.kind in DNS_NAMED_KINDS and r.attrs.get("dns_name"):
            lbs[normalise_dns(r.attrs["dns_name"])].append(r.id)
        elif r.kind == DNS_RECORD and r.attrs.get("dns_name"):
            records[normalise_dns(r.attrs["dns_name"])].append(r)
    out = []
    for r in resources:
        if r.kind != DNS_RECORD:
            continue
        answers = _answer_types(r)
        for target in _dns_targets(r):
            named = [x.id for x in records.get(target, []) if x.id != r.id and x.attrs.get("record_type") in answers]
            out.extend(_route(r, dst) for dst in lbs.get(target) or named)
    return out


#: kinds whose ``dns_name`` an alias, a CloudFront origin or an HTTP integration may name
DNS_NAMED_KINDS = frozenset({LOAD_BALANCER, CDN_DISTRIBUTION, API, ACCELERATOR})


def resolve_dns_targets(resources: Iterable[Resource], edges: list[Edge]) -> list[Edge]:
    """Edges to ``dns:<name>`` retargeted to the inventoried resource with that DNS name (a load balancer's,
    a distribution's, or a data store's endpoint: ``attrs.endpoints``); an RDS endpoint nothing inventoried
    answers to names its instance or cluster (``ID.[cluster-[ro-]]HASH.REGION.rds.amazonaws.com``: an unseen
    dependency in a known region); any other name stays ``dns:<name>`` (an external or unseen endpoint, of
    unknown region)."""
    named: dict[str, str] = {}
    for r in resources:
        if r.kind in DNS_NAMED_KINDS and r.attrs.get("dns_name"):
            named.setdefault(normalise_dns(r.attrs["dns_name"]), r.id)
        for host in r.attrs.get("endpoints") or ():
            named.setdefault(normalise_dns(host), r.id)
    out = []
    for e in edges:
        if e.dst.startswith("dns:"):
            host = normalise_dns(e.dst[len("dns:"):])
            target = named.get(host) or _rds_endpoint_arn(host, e.src)
            if target:
                e = replace(e, dst=target)
        out.append(e)
    return out


def _rds_endpoint_arn(host: str, referrer: str) -> str | None:
    """The ARN an RDS instance or cluster endpoint host names, in the referrer's account (an endpoint does not
    carry one: :func:`resilience.catalogues.aws.rds_endpoint_arn`)."""
    parts = referrer.split(":")
    if len(parts) < 5 or not parts[4]:
        return None
    return rds_endpoint_arn(host, parts[4], parts[1])


def _answer_types(record: Resource) -> set[str]:
    """Record types an alias / CNAME can resolve through (an A alias never lands on an MX)."""
    if record.attrs.get("record_type") == "CNAME":
        return {"A", "AAAA", "CNAME"}
    return {record.attrs.get("record_type", "A"), "CNAME"}


def _dns_targets(record: Resource) -> list[str]:
    targets = []
    if record.attrs.get("alias_target"):
        targets.append(normalise_dns(record.attrs["alias_target"]))
    if record.attrs.get("record_type") == "CNAME":
        targets.extend(normalise_dns(v) for v in record.attrs.get("values", []))
    return targets


def _route(record: Resource, dst: str) -> Edge:
    return edge(
        record.id,
        dst,
        ROUTES_TO,
        record.source,
        routing=record.attrs.get("routing"),
        health_check_id=record.attrs.get("health_check_id"),
        evaluate_target_health=record.attrs.get("evaluate_target_health"),
    )


# --- S3 ------------------------------------------------------------------------------------
def mark_replica_destinations(resources: list[Resource], edges: Iterable[Edge]) -> None:
    """``is_replica_destination`` on every bucket: True when another inventoried bucket replicates into it."""
    buckets = {r.id: r for r in resources if r.kind == OBJECT_STORE}
    destinations = {e.dst for e in edges if e.kind == REPLICATES_TO and e.src in buckets and e.src != e.dst}
    for rid, bucket in buckets.items():
        bucket.attrs["is_replica_destination"] = rid in destinations


# --- copies --------------------------------------------------------------------------------
def inherit_copy_sources(resources: list[Resource]) -> tuple[list[Resource], list[Edge]]:
    """A copy whose original is inventoried gets the original's ``source_resource`` and the
    ``source_resource -backed_up_to-> copy`` edge (so "is there a backup in another region?" is one hop)."""
    by_id = {r.id: r for r in resources}
    edges: list[Edge] = []
    for _ in range(len(resources)):  # chains of copies resolve in as many rounds as they are long
        changed = False
        for r in resources:
            original = by_id.get(r.attrs.get("copy_of", ""))
            if r.kind != RECOVERY_POINT or "source_resource" in r.attrs or original is None:
                continue
            source_resource: Any = original.attrs.get("source_resource")
            if source_resource:
                r.attrs["source_resource"] = source_resource
                edges.append(edge(source_resource, r.id, BACKED_UP_TO, r.source))
                changed = True
        if not changed:
            break
    return resources, edges


def join_unknown_copy_sources(resources: list[Resource]) -> list[Edge]:
    """``source_unknown`` copies (a region-less reference to their DB) joined to their DB by the DB's
    ``DbiResourceId`` and identifier in the copy's account: the copy then backs up that DB, in the DB's
    region. The id alone is not enough (an identifier is unique per region only), nor the name."""
    dbs: dict[tuple[str, str, str], list[Resource]] = defaultdict(list)
    for r in resources:
        if r.kind == DATABASE and r.attrs.get("dbi_resource_id"):
            dbs[(r.account, r.attrs["dbi_resource_id"], r.name)].append(r)
    edges = []
    for r in resources:
        if r.kind != RECOVERY_POINT or not r.attrs.get("source_unknown"):
            continue
        found = dbs.get((r.account, r.attrs.get("source_dbi_resource_id", ""), r.attrs.get("source_identifier", "")), [])
        if len(found) != 1:
            continue
        db = found[0]
        r.attrs.pop("source_unknown")
        r.attrs["source_resource"] = db.id
        r.attrs["source_matched_by"] = "DbiResourceId"
        if db.region != r.region:
            r.attrs["source_region"] = db.region
        edges.append(edge(db.id, r.id, BACKED_UP_TO, r.source))
    return edges


# --- accounts ------------------------------------------------------------------------------
CROSS_ACCOUNT_KINDS = frozenset({REPLICATES_TO, BACKED_UP_TO, FAILS_OVER_TO, MEMBER_OF})


def account_of(node_id: str, resources: dict[str, Resource]) -> str:
    """The owner of a node: the inventoried resource's account, else the one its ARN names."""
    if node_id in resources and resources[node_id].account:
        return resources[node_id].account
    return arn_parts(node_id)[3] if is_arn(node_id) else ""


def external_owners(resources: list[Resource], edges: Iterable[Edge]) -> list[Resource]:
    """Placeholders for destinations that are not inventoried but whose owner the edge names
    (``dst_account``: S3 replication to another account's bucket)."""
    known = {r.id for r in resources}
    out: dict[str, Resource] = {}
    for e in edges:
        owner = e.attrs.get("dst_account")
        if not owner or e.dst in known or e.dst in out:
            continue
        region = arn_region(e.dst) if is_arn(e.dst) and not e.dst.startswith("arn:aws:s3:") else "unknown"
        out[e.dst] = Resource(id=e.dst, provider=PROVIDER, account=str(owner), region=region, kind=EXTERNAL,
                              type="external", name=e.dst.rsplit(":", 1)[-1].rsplit("/", 1)[-1], source="reference",
                              observed_at="")
    return list(out.values())


def mark_cross_account(resources: list[Resource], edges: Iterable[Edge]) -> None:
    """``cross_account: True`` on copy, replication and membership edges whose ends have different owners."""
    by_id = {r.id: r for r in resources}
    for e in edges:
        if e.kind not in CROSS_ACCOUNT_KINDS:
            continue
        src, dst = account_of(e.src, by_id), account_of(e.dst, by_id)
        if src and dst and src != dst:
            e.attrs["cross_account"] = True
