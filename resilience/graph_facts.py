"""Facts the survival engine and the rules read off the dependency graph: edges by kind, zones and
regions, coverage gaps, stubs and unseen nodes, display names, clusters, and the per-graph memos that
keep every question linear in what it touches (see :mod:`resilience.survival`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import networkx as nx

from .graph import forget_workload_index, workload_index
from .graph_memo import GraphKeyed
from .model import (
    ACCELERATOR,
    API,
    CDN_DISTRIBUTION,
    COMPUTE_GROUP,
    DATABASE,
    DEPENDS_ON,
    DNS_RECORD,
    EXTERNAL,
    FUNCTION,
    GLOBAL_DATABASE,
    GLOBAL_REGION,
    INSTANCE,
    LOAD_BALANCER,
    MEMBER_OF,
    OBJECT_STORE,
    ROUTES_TO,
    TARGET_GROUP,
    VOLUME,
    Coverage,
)

if TYPE_CHECKING:  # annotations only
    from .copies import Copy


NOWHERE = ("", GLOBAL_REGION, "unknown", None)


# --- small graph helpers (shared with the rules) ---------------------------------------------------
def zones_of_node(data: dict[str, Any]) -> tuple[str, ...]:
    zones = data.get("zones")
    if not zones:
        return ()
    if len(zones) == 1:  # most nodes: asked ~10^6 times per 100,000 resources
        return (zones[0],) if zones[0] else ()
    return tuple(dict.fromkeys(z for z in zones if z))


def real_region(region: str | None) -> bool:
    return region not in NOWHERE


def out_edges(graph: nx.MultiDiGraph, node: str, kind: str) -> list[tuple[str, dict[str, Any]]]:
    """``(dst, edge attrs)`` of ``node``'s outgoing edges of ``kind``."""
    # edges are keyed by their kind: read the adjacency ({dst: {key: data}}) directly -- the same
    # edges, in the same order, as graph.out_edges(node, keys=True, data=True) filtered on the key,
    # without building a view per call (the survival walk asks this millions of times at 100,000 resources)
    adjacent = graph._succ.get(node) if isinstance(graph, nx.MultiDiGraph) else None
    if adjacent is not None:
        return [(dst, data.get("attrs") or {}) for dst, keyed in adjacent.items()
                if (data := keyed.get(kind)) is not None]
    return [(dst, data.get("attrs") or {}) for _, dst, key, data in graph.out_edges(node, keys=True, data=True)
            if key == kind]


def in_edges(graph: nx.MultiDiGraph, node: str, kind: str) -> list[tuple[str, dict[str, Any]]]:
    """``(src, edge attrs)`` of ``node``'s incoming edges of ``kind`` (see :func:`out_edges`)."""
    adjacent = graph._pred.get(node) if isinstance(graph, nx.MultiDiGraph) else None
    if adjacent is not None:
        return [(src, data.get("attrs") or {}) for src, keyed in adjacent.items()
                if (data := keyed.get(kind)) is not None]
    return [(src, data.get("attrs") or {}) for src, _, key, data in graph.in_edges(node, keys=True, data=True)
            if key == kind]


#: edge services in front of a workload (issue 13): served by :meth:`_Assessor._serve_front_door`
FRONT_DOOR_KINDS = frozenset({CDN_DISTRIBUTION, API, ACCELERATOR})


#: kinds whose ``enabled: false`` means the resource takes no traffic (read by :func:`is_disabled`)
_SWITCHABLE_KINDS = FRONT_DOOR_KINDS | {DNS_RECORD}


def is_disabled(graph: nx.MultiDiGraph, node: str) -> bool:
    """A DNS record or a front door marked ``enabled: false`` serves nothing: a disabled Traffic Manager
    endpoint or profile is never answered, a disabled CloudFront distribution or Global Accelerator accepts
    no request. It routes nothing, is no entry point and no failover target, and a record or route to it
    carries no traffic. The one reading of that flag."""
    data = graph._node[node]
    return data.get("kind") in _SWITCHABLE_KINDS and (data.get("attrs") or {}).get("enabled") is False


def live_routes(graph: nx.MultiDiGraph, node: str) -> list[tuple[str, dict[str, Any]]]:
    """``node``'s ``routes_to`` edges that carry traffic: not the edge marked ``enabled: false`` (a
    disabled Front Door origin or backend), nor one to a disabled record or front door (:func:`is_disabled`)."""
    return [(dst, attrs) for dst, attrs in out_edges(graph, node, ROUTES_TO)
            if attrs.get("enabled") is not False and not is_disabled(graph, dst)]


_AWS_SERVICES = {
    "RDS": "rds", "DynamoDB": "dynamodb", "S3": "s3", "EC2": "ec2", "AutoScaling": "autoscaling",
    "ElasticLoadBalancingV2": "elbv2", "ElasticLoadBalancing": "elb", "Lambda": "lambda",
    "Route53": "route53", "Backup": "backup", "FIS": "fis", "ResilienceHub": "resiliencehub",
}


def service_of(data: dict[str, Any]) -> str | None:
    """The coverage service name a node's facts come from (``rds``, ``dynamodb``...), if known."""
    source = data.get("source") or ""
    if ":" in source and source != "reference":
        return source.split(":", 1)[0]
    native = data.get("type") or ""
    if native.startswith("AWS::"):
        part = native.split("::")[1]
        return _AWS_SERVICES.get(part, part.lower())
    node_id = data.get("id") or ""
    if node_id.startswith("arn:"):
        parts = node_id.split(":", 5)
        if len(parts) > 2:
            return parts[2]
    return None


def coverage_gaps(coverage: Iterable[Coverage], *, region: str | None, services: Iterable[str | None] = (),
                  provider: str | None = None, account: str | None = None) -> list[Coverage]:
    """Non-``ok`` coverage records for ``region`` (records for ``global``/``*`` apply everywhere) and any
    of ``services`` (exact or prefix match: ``rds`` covers ``rds:snapshots``; ``None`` matches any).
    Tag reads (``...:tags``) are left out: they decide workload membership (the coverage rule reports
    them), not whether a resource survives."""
    wanted = [s for s in services]
    out = []
    for c in coverage:
        if c.ok or c.service.endswith(":tags"):  # tags decide membership, not resilience facts
            continue
        if provider and c.provider and c.provider != provider:
            continue
        if account and c.account and c.account != account:
            continue
        if region is not None and c.region not in (region, GLOBAL_REGION, "*"):
            continue
        if wanted and None not in wanted and not any(
            c.service == s or c.service.startswith(f"{s}:") for s in wanted if s
        ):
            continue
        out.append(c)
    return out


def describe_gap(c: Coverage) -> str:
    return f"{c.provider} {c.service} in {c.region} could not be read ({c.status})"


def is_stub(data: dict[str, Any]) -> bool:
    return bool(data.get("stub")) or data.get("kind") == EXTERNAL


def unseen_reasons(graph: nx.MultiDiGraph, node: str) -> list[str]:
    """Why ``node`` cannot be counted on as seen: not inventoried (a stub), or its region unknown. A
    verdict that relies on such a node is ``unknown`` (issue 10: unseen is never safe)."""
    data = graph._node[node]
    reasons = []
    if is_stub(data):
        reasons.append(f"{node} was referenced but not inventoried: its existence, region and health are "
                       "unverified")
    if data.get("region") == "unknown":
        reasons.append(f"the region of {display_name(graph, node)} is unknown: it may be in the failed region")
    return reasons


def region_of_zone(graph: nx.MultiDiGraph, zone: str) -> str | None:
    """The region of the first node (in graph order) in a real region that lists ``zone`` (as one of its
    zones, or as a zone it may be in: :func:`possible_zones`)."""
    memo = _memo(graph)
    if memo.zone_region is None:
        index: dict[Any, str] = {}
        for _, data in graph.nodes(data=True):
            if real_region(data.get("region")):
                for z in data.get("zones") or ():
                    index.setdefault(z, data["region"])
        for _, data in graph.nodes(data=True):
            if real_region(data.get("region")):
                for z in possible_zones(data):
                    index.setdefault(z, data["region"])
        memo.zone_region = index
    return memo.zone_region.get(zone)


def zone_unreported(data: dict[str, Any]) -> bool:
    """A resource in one zone of its region that its API does not name (``attrs.zone_unreported``: an
    Azure VM, scale set, managed disk or platform service created without ``zones`` in a region that has
    zones is *regional* placement: the platform puts it in a zone of its choosing and does not say which)."""
    return bool((data.get("attrs") or {}).get("zone_unreported")) and not zones_of_node(data)


def possible_zones(data: dict[str, Any]) -> tuple[str, ...]:
    """The zones a :func:`zone_unreported` resource may be in (its region's, ``attrs.region_zones``);
    empty for every other resource."""
    if not zone_unreported(data):
        return ()
    return tuple(z for z in (data.get("attrs") or {}).get("region_zones") or () if z)


def placement_zones(graph: nx.MultiDiGraph, node: str) -> tuple[str, ...]:
    """The zones ``node`` sits in, or may sit in: its own (:func:`zones_of_node`); those of its region for a
    resource whose zone is not reported (:func:`possible_zones`); and for a resource referenced but not
    inventoried (a stub) in a known region, every zone of that region the estate shows: it may be zonal
    and in any of them (unseen is never safe)."""
    data = graph._node[node]
    zones = zones_of_node(data) or possible_zones(data)
    if zones or not data.get("stub") or not real_region(data.get("region")) or _regional_service(node):
        return tuple(zones)
    return region_zones(graph, data["region"])


def zones_unlisted(graph: nx.MultiDiGraph, node: str) -> bool:
    """An AWS resource referenced but not inventoried (a stub) that may be zonal, but whose possible zones cannot be
    listed (:func:`placement_zones` has none): its region is unknown, or the estate shows no zone of it. No zone
    scenario reaches it, yet a zone's loss may take it (unseen is never safe)."""
    data = graph._node[node]
    if not data.get("stub") or _regional_service(node) or not _aws_reference(node):
        return False
    return not placement_zones(graph, node)


def _aws_reference(node: str) -> bool:
    """An AWS ARN, or a ``dns:`` reference to an AWS endpoint host (a host elsewhere is in no AWS zone)."""
    if node.startswith("dns:"):
        return node.rstrip(".").endswith((".amazonaws.com", ".amazonaws.com.cn"))
    return node.startswith("arn:aws")


#: AWS services whose resources are regional by construction (never placed in one zone): a reference to one
#: that was not inventoried is unseen, but not zonal
_REGIONAL_AWS_SERVICES = frozenset({
    "secretsmanager", "sqs", "sns", "dynamodb", "s3", "lambda", "ssm", "kms", "kinesis", "firehose", "events",
    "states", "apigateway", "execute-api", "logs", "ecr", "cloudfront", "route53", "iam", "sts", "appsync",
    "cognito-idp", "backup", "acm",
})


def _regional_service(node: str) -> bool:
    """Whether ``node`` is the ARN of a resource of a service that is regional by construction."""
    parts = node.split(":", 3)
    return len(parts) > 2 and parts[0] == "arn" and parts[2] in _REGIONAL_AWS_SERVICES


def region_zones(graph: nx.MultiDiGraph, region: str) -> tuple[str, ...]:
    """The zones of ``region`` that the estate's resources sit in or may sit in, sorted."""
    memo = per_graph(graph, "graph_facts.region_zones")
    if not memo:
        by_region: dict[str, set[str]] = {}
        for _, data in graph.nodes(data=True):
            if real_region(data.get("region")):
                by_region.setdefault(data["region"], set()).update(zones_of_node(data) or possible_zones(data))
        memo.update({r: tuple(sorted(z for z in zones if z)) for r, zones in by_region.items()})
        memo[None] = ()  # built (an estate with no regional resource)
    return memo.get(region, ())


def regions_of(graph: nx.MultiDiGraph, workload: str) -> list[str]:
    """The regions the workload has nodes in (its own and inherited copies), sorted."""
    nodes = graph._node
    return sorted({nodes[n]["region"] for n in workload_index(graph).get(workload, ())
                   if real_region(nodes[n].get("region"))})


def zones_of(graph: nx.MultiDiGraph, workload: str) -> list[str]:
    """The zone ids the workload's (inventoried) nodes sit in, or may sit in (:func:`possible_zones`), sorted."""
    nodes = graph._node
    return sorted({z for n in workload_index(graph).get(workload, ()) if not is_stub(nodes[n])
                   for z in zones_of_node(nodes[n]) or possible_zones(nodes[n])})


#: kinds that serve or hold the data themselves: in a name shared within one region, these keep the plain
#: name and the other kinds (a recovery point named after its database) are qualified by their kind
_SERVING_KINDS = frozenset({DNS_RECORD, LOAD_BALANCER, TARGET_GROUP, COMPUTE_GROUP, INSTANCE, FUNCTION,
                            DATABASE, GLOBAL_DATABASE, OBJECT_STORE, VOLUME})


def display_name(graph: nx.MultiDiGraph, node: str) -> str:
    """A node's name for sentences, qualified when another node has the same name: by region
    (``rates (me-south-1)``) and, within one region, by kind (``checkout-db (recovery point)``; the
    serving resource keeps its plain name unless another serving kind shares it). Ids not in the
    graph are returned as they are. The name index is built once per graph (see :class:`_GraphMemo`)."""
    if node not in graph:
        return node
    data = graph._node[node]
    name = data.get("name") or node
    memo = _memo(graph)
    if memo.names is None:
        index: dict[str, list[tuple[str, str]]] = {}
        for n, d in graph.nodes(data=True):
            index.setdefault(d.get("name") or n, []).append((d.get("region") or "", d.get("kind") or ""))
        memo.names = index
    same = memo.names.get(name, ())
    if len(same) < 2:
        return name
    region, kind = data.get("region") or "", data.get("kind") or ""
    # a name many accounts share (a copy per account) would be compared with all of them on every call
    answers = per_graph(graph, "graph_facts.display_name")
    key = (name, region, kind)
    if key not in answers:
        answers[key] = _qualified(name, region, kind, same)
    return answers[key]


def _qualified(name: str, region: str, kind: str, same: list[tuple[str, str]]) -> str:
    qualifiers = []
    if any(r != region for r, _ in same):
        qualifiers.append(region)
    if any(r == region and k != kind for r, k in same) and (
            kind not in _SERVING_KINDS or any(r == region and k != kind and k in _SERVING_KINDS for r, k in same)):
        qualifiers.append(kind.replace("_", " "))
    return f"{name} ({', '.join(qualifiers)})" if qualifiers else name


def _standby_unrecorded(data: dict[str, Any]) -> bool:
    attrs = data.get("attrs") or {}
    return (data.get("type") == "AWS::RDS::DBInstance" and attrs.get("multi_az") is True
            and len(zones_of_node(data)) == 1)


def cluster_of(graph: nx.MultiDiGraph, node: str) -> str | None:
    """The DB cluster a DB instance is a member of (``member_of``, else ``cluster_id``), if inventoried:
    the cluster owns the storage (an Aurora cluster volume), so the instance is judged by it."""
    data = graph._node[node]
    if data.get("kind") != DATABASE:
        return None
    for dst, _ in out_edges(graph, node, MEMBER_OF):
        if dst != node and graph._node[dst].get("kind") == DATABASE and not is_stub(graph._node[dst]):
            return dst
    cluster = (data.get("attrs") or {}).get("cluster_id")
    if cluster and cluster != node and cluster in graph and graph._node[cluster].get("kind") == DATABASE \
            and not is_stub(graph._node[cluster]):
        return cluster
    return None


def is_disposable(graph: nx.MultiDiGraph, node: str) -> bool:
    """A store whose loss loses no data: a volume attached only to instances an Auto Scaling group replaces
    (stateless by design: the group relaunches the instance, with a fresh volume, from its launch template),
    or a store the collector saw holding no data of its own (``holds_data: false``: a Spanner instance with
    no database, which only holds backups copied into it; those are judged as copies of their source)."""
    data = graph._node[node]
    if (data.get("attrs") or {}).get("holds_data") is False:
        return True
    if data.get("kind") != VOLUME:
        return False
    attached = set((data.get("attrs") or {}).get("attached_to") or ())
    attached |= {src for src, _ in in_edges(graph, node, DEPENDS_ON) if graph._node[src].get("kind") == INSTANCE}
    if not attached:
        return False
    return all(i in graph and any(graph._node[g].get("kind") == COMPUTE_GROUP for g, _ in out_edges(graph, i, MEMBER_OF))
               for i in attached)


# --- per-graph memos ---------------------------------------------------------------------------------
@dataclass
class _GraphMemo:
    """Lookups and answers that depend on the graph alone, kept per graph so that the rules' many
    questions (every workload x scenario, every data store) cost what they touch, not the estate.

    ``size`` (the node count, O(1)) is the version: everything is dropped when nodes are added. A
    MultiDiGraph's edge count is O(nodes) to compute -- checking it on every call once made
    ``backups_of`` quadratic -- so edges added between existing nodes, or attributes changed in
    place, are not noticed: the graph is read-only once built (rules, the recovery model and the
    simulator never change it); code that changes one after analysing it calls :func:`forget`."""

    size: int
    by_source: dict[str, list[str]] | None = None  # recovery points by source_resource (no edge needed)
    plans: dict[Any, list[str]] | None = None  # backup plans by (region, account): tag-based selections have no edge
    zone_region: dict[Any, str] | None = None  # zone -> region of the first node listing it
    record_groups: dict[tuple[str, str, str], list[str]] | None = None
    names: dict[str, list[tuple[str, str]]] | None = None  # display name -> (region, kind) of each node
    failed: dict[tuple[frozenset[str], frozenset[str]], frozenset[str]] = field(default_factory=dict)
    by_kind: dict[Any, tuple[str, ...]] | None = None  # see nodes_of_kinds
    copies: dict[str, tuple[Copy, ...]] = field(default_factory=dict)
    backups: dict[str, tuple[Copy, ...]] = field(default_factory=dict)
    other: dict[str, dict[Any, Any]] = field(default_factory=dict)  # other modules' (see per_graph)


_MEMO: GraphKeyed = GraphKeyed()


def _memo(graph: nx.MultiDiGraph) -> _GraphMemo:
    size = len(graph._node)  # graph.number_of_nodes(), without the method call (asked ~10^6 times)
    memo = _MEMO.get(graph)
    if memo is None or memo.size != size:
        memo = _MEMO[graph] = _GraphMemo(size)
    return memo


def nodes_of_kinds(graph: nx.MultiDiGraph, kinds: Iterable[str] | None = None) -> tuple[str, ...]:
    """The nodes of ``kinds`` (every node when ``None``), sorted by id: ``sorted(graph.nodes)`` filtered on
    ``kind``. Sorted once per graph and kept by kind: the rules that judge every store or every group each
    sorted the whole estate to visit a few kinds of it (issue 17)."""
    memo = _memo(graph)
    by_kind = memo.by_kind
    if by_kind is None:
        nodes = graph._node
        ordered = tuple(sorted(nodes))
        grouped: dict[Any, list[str]] = {}
        for n in ordered:
            grouped.setdefault(nodes[n].get("kind"), []).append(n)
        by_kind = memo.by_kind = {kind: tuple(ns) for kind, ns in grouped.items()}
        by_kind[None] = ordered
    key = None if kinds is None else frozenset(kinds)
    got = by_kind.get(key)
    if got is None:  # several kinds: their nodes merged back into id order
        got = by_kind[key] = tuple(sorted(n for kind in key for n in by_kind.get(kind, ())))
    return got


def per_graph(graph: nx.MultiDiGraph, name: str) -> dict[Any, Any]:
    """A dict for another module's answers about ``graph`` (``name`` scopes it, e.g. the rules'
    data-store population), kept and dropped with this module's memos (nodes added, :func:`forget`)."""
    other = _memo(graph).other
    got = other.get(name)
    if got is None:  # asked ~10^5 times per 100,000 resources: no new dict made on each
        got = other[name] = {}
    return got


def forget(graph: nx.MultiDiGraph) -> None:
    """Drop every per-graph memo and index kept for ``graph`` (this module's and
    :func:`resilience.graph.workload_index`): for code that changes a graph in place after asking
    questions of it."""
    _MEMO.pop(graph, None)
    forget_workload_index(graph)


def _provider(data: dict[str, Any]) -> str | None:
    provider = data.get("provider")
    return provider if provider in ("aws", "azure", "gcp") else None
