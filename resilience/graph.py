"""Build the dependency graph (``networkx.MultiDiGraph``) from an inventory and a policy.

Node keys are resource ids; node attributes are those of :class:`resilience.model.Resource`
plus ``workloads`` (see ``docs/graph.md``). Edges carry ``kind``, ``source`` and ``attrs``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import fields
from typing import Any

import networkx as nx

from .catalogues.aws import region_of_endpoint_host
from .catalogues.gcp import GCP_REGIONS, region_of_location
from .graph_memo import GraphKeyed
from .model import (
    BACKED_UP_TO,
    DNS_RECORD,
    EDGE_ORDER,
    EXTERNAL,
    REPLICATES_TO,
    RESOURCE_ORDER,
    ROUTES_TO,
    Inventory,
    Resource,
)
from .policy import Policy

WORKLOAD_TAG = "resilience:workload"
_GCP_NAME = re.compile(r"^//([a-z0-9-]+)\.googleapis\.com/projects/([^/]+)/(?:(?:locations|regions|zones)/([^/]+)/)?")


def parse_arn(arn: str) -> dict[str, str] | None:
    """``arn:partition:service:region:account:resource`` -> its parts, or ``None``."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return None
    return {"partition": parts[1], "service": parts[2], "region": parts[3], "account": parts[4],
            "resource": parts[5]}


def parse_gcp_name(resource_id: str) -> dict[str, str] | None:
    """A Google Cloud full resource name ``//SERVICE.googleapis.com/projects/P/...`` -> ``service``,
    ``project`` and ``location`` (the ``locations/``, ``regions/`` or ``zones/`` segment; empty if none)."""
    match = _GCP_NAME.match(resource_id)
    if match is None:
        return None
    return {"service": match.group(1), "project": match.group(2), "location": match.group(3) or ""}


def region_from_id(resource_id: str) -> str:
    """The region encoded in a provider id (an ARN's; a GCP name's location; the region an AWS data store's
    endpoint host names, for a ``dns:HOST`` reference nothing inventoried answers to), ``global`` for
    region-less ARNs, ``unknown`` otherwise."""
    if resource_id.startswith("dns:"):
        return region_of_endpoint_host(resource_id[len("dns:"):]) or "unknown"
    arn = parse_arn(resource_id)
    if arn is not None:
        if arn["service"] == "s3":
            return "unknown"  # bucket ARNs carry no region
        return arn["region"] or "global"
    gcp = parse_gcp_name(resource_id)
    if gcp is not None and gcp["location"]:
        region = region_of_location(gcp["location"])
        return region if region in GCP_REGIONS or region == "global" else "unknown"  # not a multi-region
    return "unknown"


def build_graph(inventory: Inventory, policy: Policy | None = None) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    names = tuple(f.name for f in fields(Resource))
    # filled as add_node and add_edge fill them (tests/test_graph.py compares the two), without their
    # per-call copying of keyword arguments: a tenth of the build at 100,000 resources (issue 17). A new
    # graph: nothing in networkx's cache of it to clear
    nodes, succ, pred = graph._node, graph._succ, graph._pred
    # in the order inventory.json lists them (resources by id, edges by their ends), whatever order the
    # collectors found them in: the findings of a scan are then those of its snapshot analysed again offline
    # (the lists in their evidence follow the graph's order). Already in that order in a file this tool wrote.
    for resource in sorted(inventory.resources, key=RESOURCE_ORDER):
        # the node shares the resource's tags and attrs (read-only from here on): a deep copy of every
        # resource held the estate twice and cost more than the rest of the graph build
        own = resource.__dict__  # a copy of it when it holds exactly the fields, in order (one C call)
        data = dict(own) if tuple(own) == names else {name: getattr(resource, name) for name in names}
        data["zones"] = tuple(resource.zones)
        data["workloads"] = ()
        data["stub"] = False
        node = resource.id
        if node in nodes:  # a resource listed twice: its later record's facts, as add_node would keep
            nodes[node].update(data)
            continue
        nodes[node], succ[node], pred[node] = data, {}, {}
    for edge in sorted(inventory.edges, key=EDGE_ORDER):
        src, dst, kind = edge.src, edge.dst, edge.kind
        for end in (src, dst):
            if end not in nodes:
                nodes[end], succ[end], pred[end] = _stub(end), {}, {}
        data = {"kind": kind, "source": edge.source, "attrs": dict(edge.attrs)}
        keyed = succ[src].get(dst)
        if keyed is None:
            succ[src][dst] = pred[dst][src] = {kind: data}
        elif kind in keyed:  # the same edge twice: its later record's facts, as add_edge would keep
            keyed[kind].update(data)
        else:
            keyed[kind] = data
    assign_workloads(graph, policy)
    graph.graph["meta"] = dict(inventory.meta)
    return graph


def _stub(resource_id: str) -> dict:
    arn = parse_arn(resource_id) or {}
    gcp = parse_gcp_name(resource_id) if not arn else None
    return {
        "id": resource_id, "provider": "aws" if arn else "gcp" if gcp else "unknown",
        "account": arn.get("account", "") or (gcp or {}).get("project", ""),
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
    specs = _SpecIndex(policy.workloads.values() if policy else ())
    by_group: dict[str, set[str]] = {}  # DNS record -> the workloads that selected it by its resource group alone
    for node, data in graph.nodes(data=True):
        names = set()
        tag = data["tags"].get(WORKLOAD_TAG)
        if tag:
            names.add(tag)
        grouped = set()
        for spec in specs.candidates(node, data):
            m = spec.match
            if m.is_empty():
                continue
            if _matches(node, data, m):
                if data["kind"] == DNS_RECORD and _by_group_alone(node, data, m):
                    grouped.add(spec.name)
                else:
                    names.add(spec.name)
        if grouped - names:
            by_group[node] = grouped - names
        data["workloads"] = tuple(sorted(names))
    _propagate(graph)
    # A record selected only by the resource group its zone sits in (a shared zone in one team's group) joins
    # the workloads of what it routes to, like every record; the group's workload keeps it only when it
    # routes to no workload's resource (blind azure11: a zone in storefront's group made the portal record,
    # and portal's outage, storefront's)
    kept = False
    for node, names in by_group.items():
        if not graph._node[node]["workloads"]:
            graph._node[node]["workloads"] = tuple(sorted(names))
            kept = True
    if kept:
        _propagate(graph)


def _propagate(graph: nx.MultiDiGraph) -> None:
    nodes = graph._node
    # (child, parent) of each edge that passes workloads on, in edge order: the passes below walk these alone,
    # not every edge of the graph (most edges pass nothing on)
    links = [(dst, src) if kind in (REPLICATES_TO, BACKED_UP_TO) else (src, dst)
             for src, dst, kind in graph.edges(keys=True)
             if kind in (REPLICATES_TO, BACKED_UP_TO) or (kind == ROUTES_TO and nodes[src]["kind"] == DNS_RECORD)]
    changed = True
    while changed:  # propagate to a fixed point; each pass only ever adds names
        changed = False
        for child, parent in links:
            changed |= _inherit(graph, child=child, parent=parent)


class _SpecIndex:
    """The policy's workload specs, indexed so that each node is tested against the few that could
    match it rather than every workload (N x W): by listed resource id, and by one tag pair of a tag
    match (a tag match needs every pair, so a node without that pair cannot match). Specs matching
    by resource group, or whose pair cannot be looked up (unhashable, ``None``), are always tested.
    :func:`_matches` still decides; candidates come in policy order."""

    def __init__(self, specs) -> None:
        self.specs = list(specs)
        self.by_resource: dict[str, list[int]] = {}
        self.by_tag: dict[tuple, list[int]] = {}
        self.always: list[int] = []
        for i, spec in enumerate(self.specs):
            m = spec.match
            try:
                for resource in m.resources:
                    self.by_resource.setdefault(resource, []).append(i)
                if m.tags and not m.resource_groups:
                    pair = next(iter(m.tags.items()))
                    if pair[1] is None:
                        raise TypeError("None matches an absent tag")
                    self.by_tag.setdefault(pair, []).append(i)
                elif m.resource_groups:
                    self.always.append(i)
            except TypeError:  # unhashable: test it on every node
                self.always.append(i)

    def candidates(self, node: str, data: dict) -> list:
        if not self.by_resource and not self.by_tag:
            return self.specs
        found = set(self.always)
        found.update(self.by_resource.get(node, ()))
        for pair in data["tags"].items():
            try:
                found.update(self.by_tag.get(pair, ()))
            except TypeError:  # an unhashable tag value: no spec indexes it
                continue
        return [self.specs[i] for i in sorted(found)]


def _matches(node: str, data: dict, match) -> bool:
    if node in match.resources:
        return True
    if match.tags and all(data["tags"].get(k) == v for k, v in match.tags.items()):
        return True
    return bool(match.resource_groups) and _resource_group(node) in {g.lower() for g in match.resource_groups}


def _by_group_alone(node: str, data: dict, match) -> bool:
    """Whether ``match`` selects ``node`` by its resource group only (not by id, nor by its tags)."""
    return node not in match.resources and not (
        match.tags and all(data["tags"].get(k) == v for k, v in match.tags.items()))


def _inherit(graph: nx.MultiDiGraph, *, child: str, parent: str) -> bool:
    nodes = graph._node
    inherited = nodes[parent]["workloads"]
    have = nodes[child]["workloads"]
    if not inherited or inherited == have:
        return False
    new = set(have).union(inherited)
    if len(new) != len(have):
        nodes[child]["workloads"] = tuple(sorted(new))
        return True
    return False


def _resource_group(resource_id: str) -> str | None:
    lowered = resource_id.lower()
    marker = "/resourcegroups/"
    if marker in lowered:
        return lowered.split(marker, 1)[1].split("/", 1)[0]
    return None


def workload_names(graph: nx.MultiDiGraph, policy: Policy | None = None) -> list[str]:
    names = set(workload_index(graph))
    if policy:
        names |= set(policy.workloads)
    return sorted(names)


def workload_nodes(graph: nx.MultiDiGraph, workload: str) -> list[str]:
    return sorted(workload_index(graph).get(workload, ()))


_WORKLOAD_INDEX: GraphKeyed = GraphKeyed()


def workload_index(graph: nx.MultiDiGraph) -> dict[str, list[str]]:
    """Workload name -> its nodes, in the graph's node order (the order a scan of
    ``graph.nodes(data=True)`` filtered on ``workloads`` would give). Built once per graph, so that
    per-workload questions cost the workload's size, not the estate's; rebuilt when nodes are added
    (the node count is O(1)). The graph is read-only once built: code that changes a node's
    ``workloads`` in place afterwards calls :func:`resilience.survival.forget`. Treat the lists as read-only."""
    size = graph.number_of_nodes()
    cached = _WORKLOAD_INDEX.get(graph)
    if cached is not None and cached[0] == size:
        return cached[1]
    index: dict[str, list[str]] = {}
    for node, data in graph.nodes(data=True):
        for name in dict.fromkeys(data.get("workloads") or ()):
            index.setdefault(name, []).append(node)
    _WORKLOAD_INDEX[graph] = (size, index)
    return index


def forget_workload_index(graph: nx.MultiDiGraph) -> None:
    """Drop :func:`workload_index`'s entry for ``graph`` (:func:`resilience.survival.forget` drops
    every per-graph memo, this one included)."""
    _WORKLOAD_INDEX.pop(graph, None)


def edges_of_kind(graph: nx.MultiDiGraph, kinds: Iterable[str]) -> Iterator[tuple[str, str, str, dict]]:
    wanted = set(kinds)
    for src, dst, key, data in graph.edges(keys=True, data=True):
        if key in wanted:
            yield src, dst, key, data


def graph_to_json(graph: nx.MultiDiGraph) -> dict:
    """Node-link JSON of the graph (for ``--format graph``)."""
    return nx.node_link_data(graph, edges="edges")


def write_graphml(graph: nx.MultiDiGraph, path: str) -> None:
    """GraphML wants scalar attributes: nested values are written as JSON strings, their keys sorted (the
    order a cloud API lists tags in varies from read to read; the file must not)."""
    flat = nx.MultiDiGraph()
    for node, data in graph.nodes(data=True):
        flat.add_node(node, **{k: v if isinstance(v, str | int | float | bool) else _json_text(v)
                               for k, v in data.items()})
    for src, dst, key, data in graph.edges(keys=True, data=True):
        flat.add_edge(src, dst, key=key, **{k: v if isinstance(v, str | int | float | bool) else _json_text(v)
                                            for k, v in data.items()})
    nx.write_graphml(flat, path)


def _json_text(value: Any) -> str:
    import json

    try:
        return json.dumps(value, default=str, sort_keys=True)
    except TypeError:  # keys of different types cannot be sorted: as they come
        return json.dumps(value, default=str)
