"""Build the dependency graph (``networkx.MultiDiGraph``) from an inventory and a policy.

Node keys are resource ids; node attributes are those of :class:`resilience.model.Resource`
plus ``workloads`` (see ``docs/graph.md``). Edges carry ``kind``, ``source`` and ``attrs``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict

import networkx as nx

from .model import (
    BACKED_UP_TO,
    DNS_RECORD,
    EXTERNAL,
    REPLICATES_TO,
    ROUTES_TO,
    Inventory,
)
from .policy import Policy

WORKLOAD_TAG = "resilience:workload"


def parse_arn(arn: str) -> dict[str, str] | None:
    """``arn:partition:service:region:account:resource`` -> its parts, or ``None``."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return None
    return {"partition": parts[1], "service": parts[2], "region": parts[3], "account": parts[4],
            "resource": parts[5]}


def region_from_id(resource_id: str) -> str:
    """The region encoded in a provider id, ``global`` for region-less ARNs, ``unknown`` otherwise."""
    arn = parse_arn(resource_id)
    if arn is not None:
        if arn["service"] == "s3":
            return "unknown"  # bucket ARNs carry no region
        return arn["region"] or "global"
    return "unknown"


def build_graph(inventory: Inventory, policy: Policy | None = None) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    for resource in inventory.resources:
        data = asdict(resource)
        data["zones"] = tuple(resource.zones)
        data["workloads"] = ()
        data["stub"] = False
        graph.add_node(resource.id, **data)
    for edge in inventory.edges:
        for end in (edge.src, edge.dst):
            if end not in graph:
                graph.add_node(end, **_stub(end))
        graph.add_edge(edge.src, edge.dst, key=edge.kind, kind=edge.kind, source=edge.source,
                       attrs=dict(edge.attrs))
    assign_workloads(graph, policy)
    graph.graph["meta"] = dict(inventory.meta)
    return graph


def _stub(resource_id: str) -> dict:
    arn = parse_arn(resource_id) or {}
    return {
        "id": resource_id, "provider": "aws" if arn else "unknown", "account": arn.get("account", ""),
        "region": region_from_id(resource_id), "kind": EXTERNAL, "type": "external",
        "name": resource_id.rsplit("/", 1)[-1].rsplit(":", 1)[-1], "source": "reference",
        "observed_at": "", "zones": (), "tags": {}, "attrs": {}, "workloads": (), "stub": True,
    }


def assign_workloads(graph: nx.MultiDiGraph, policy: Policy | None) -> None:
    """Declared membership (policy ``match``, the ``resilience:workload`` tag), then inheritance.

    Inheritance, so that untaggable or untagged parts are not left out of their workload:
    a DNS record belongs to the workloads of what it routes to, and a copy (replica, backup,
    recovery point) to the workloads of the data it copies.
    """
    specs = policy.workloads.values() if policy else ()
    for node, data in graph.nodes(data=True):
        names = set()
        tag = data["tags"].get(WORKLOAD_TAG)
        if tag:
            names.add(tag)
        for spec in specs:
            m = spec.match
            if m.is_empty():
                continue
            if _matches(node, data, m):
                names.add(spec.name)
        data["workloads"] = tuple(sorted(names))

    changed = True
    while changed:  # propagate to a fixed point; each pass only ever adds names
        changed = False
        for src, dst, kind in graph.edges(keys=True):
            if kind in (REPLICATES_TO, BACKED_UP_TO):
                changed |= _inherit(graph, child=dst, parent=src)
            elif kind == ROUTES_TO and graph.nodes[src]["kind"] == DNS_RECORD:
                changed |= _inherit(graph, child=src, parent=dst)


def _matches(node: str, data: dict, match) -> bool:
    if node in match.resources:
        return True
    if match.tags and all(data["tags"].get(k) == v for k, v in match.tags.items()):
        return True
    return bool(match.resource_groups) and _resource_group(node) in {g.lower() for g in match.resource_groups}


def _inherit(graph: nx.MultiDiGraph, *, child: str, parent: str) -> bool:
    have = set(graph.nodes[child]["workloads"])
    new = have | set(graph.nodes[parent]["workloads"])
    if new != have:
        graph.nodes[child]["workloads"] = tuple(sorted(new))
        return True
    return False


def _resource_group(resource_id: str) -> str | None:
    lowered = resource_id.lower()
    marker = "/resourcegroups/"
    if marker in lowered:
        return lowered.split(marker, 1)[1].split("/", 1)[0]
    return None


def workload_names(graph: nx.MultiDiGraph, policy: Policy | None = None) -> list[str]:
    names = {w for _, d in graph.nodes(data=True) for w in d["workloads"]}
    if policy:
        names |= set(policy.workloads)
    return sorted(names)


def workload_nodes(graph: nx.MultiDiGraph, workload: str) -> list[str]:
    return sorted(n for n, d in graph.nodes(data=True) if workload in d["workloads"])


def edges_of_kind(graph: nx.MultiDiGraph, kinds: Iterable[str]) -> Iterator[tuple[str, str, str, dict]]:
    wanted = set(kinds)
    for src, dst, key, data in graph.edges(keys=True, data=True):
        if key in wanted:
            yield src, dst, key, data


def graph_to_json(graph: nx.MultiDiGraph) -> dict:
    """Node-link JSON of the graph (for ``--format graph``)."""
    return nx.node_link_data(graph, edges="edges")


def write_graphml(graph: nx.MultiDiGraph, path: str) -> None:
    """GraphML wants scalar attributes: nested values are written as JSON strings."""
    import json

    flat = nx.MultiDiGraph()
    for node, data in graph.nodes(data=True):
        flat.add_node(node, **{k: v if isinstance(v, str | int | float | bool) else json.dumps(v, default=str)
                               for k, v in data.items()})
    for src, dst, key, data in graph.edges(keys=True, data=True):
        flat.add_edge(src, dst, key=key, **{k: v if isinstance(v, str | int | float | bool)
                                            else json.dumps(v, default=str) for k, v in data.items()})
    nx.write_graphml(flat, path)
