"""The survival engine: what keeps serving, and what data survives, when regions or zones fail.

Rules, the recovery model and the simulator ask one question of the graph: *given a scenario
(a set of failed regions and/or availability-zone ids), does this workload keep a serving path
and does every one of its data stores keep a copy?* The answer is graph-based, never
per-resource: a compute group running in two regions that reads one table pinned in the failed
region is down; a replica bucket is not a problem, it is the surviving copy.

Semantics (``docs/graph.md`` is the vocabulary):

* **Directly failed.** A node is down when its region failed, or when it has zones and *all* of
  them failed. A node with no zones (regional or global) in a live region is up. A resource
  spanning several zones (an Auto Scaling group, a load balancer, a Multi-AZ database) survives
  the loss of one of them. An RDS instance that claims Multi-AZ but has one recorded zone is
  taken at its word (RDS always places the standby in another zone).
* **Unreported zone.** A resource in one zone its API does not name (``attrs.zone_unreported``: Azure
  regional placement in a region with zones) may be in any failed zone of its region
  (:func:`placement_risk`): it is taken as up, and a verdict that survives only if it is up is
  uncertain (its reasons lead ``unknown``). ``Scenario.worst_placement`` takes it as down instead.
* **Serving path.** ``entry -> routes_to* -> compute -> depends_on* -> data``. Entry points are
  the workload's public DNS names (records grouped by name and type). Without any, its front doors
  (CloudFront distributions, APIs, Global Accelerators; a disabled one, ``enabled: false``, serves nothing and
  no record or route reaches it, :func:`is_disabled`: it is an entry point only when the workload has no other
  way in, and what only it routes to is reached by nobody) that no other front door routes to, and its
  load balancers that no front door routes to (else its compute; else, for a workload that runs no
  code, each of its databases, which serves or has a copy stand in for it). A global front door is a function
  of its own (it serves while what it routes to does); regional ones and load balancers are taken
  per region: each region's set is that region's copy of the service, and the workload serves while
  one region's copy serves whole (how clients reach it is then a DNS question, not judged here). A
  target group serves if any target serves (the load balancer health-checks them); a load balancer
  if every target group does; a DNS record if what it routes to serves; a distribution or an API if
  every origin or integration does (an origin group is a target group); an accelerator if any
  endpoint group does.
* **DNS failover** counts only when Route 53 can see the failure: a failover pair whose primary
  is health-checked (a health check, or ``evaluate_target_health`` on an alias), or
  latency/weighted/geolocation/multivalue records where every dead member is health-checked and
  a live one remains. Mechanisms: ``dns-failover``, ``dns-health-check``.
* **Dependencies.** A node that ``depends_on`` a down node is down, unless that dependency has a
  surviving alternative: a promotable replica or standby (``fails_over_to`` / promotable
  ``replicates_to``: ``promote-replica``), a DynamoDB global-table replica (``global-table``), an
  Aurora global database secondary (``global-database-failover``), a replicated bucket
  (``s3-replica``; ``gcs-dual-region``, ``azure-grs`` (the geo-secondary), ``azure-object-replication`` for
  other providers' object stores), a Cosmos DB
  region (``cosmos-db-failover``); for a cache or messaging namespace (not a data store), only a replica it
  ``replicates_to`` with ``promotable: true`` (``replica``). A copy in a failed region does not count.
* **Control plane (REL11-BP04).** A failover whose edge says ``needs_control_plane_in`` a failed
  region cannot be executed: it is not counted, and is described in ``control_plane``
  (:func:`copy_blocked`).
* **Data.** A data store keeps its data if it is up, or any copy of it survives
  (:func:`copy_down`): a replica, a global-table peer, the source it replicates from, or a
  restorable backup — a recovery point, a cross-region snapshot copy, a backup plan's copy to
  another region's vault (``restore-cross-region-backup``), or, when only zones failed, in-region
  backups and point-in-time recovery (``restore-backup``). A copy whose failover can run is
  preferred; a surviving copy whose failover is blocked still holds the data, but is only
  described in ``control_plane`` (a restorable backup, if any, is then the failover listed). A
  copy (a replica) is judged by its source: its source's backups hold its data too. A DB instance
  that is a member of a cluster is judged by its cluster (an Aurora cluster volume spans three
  zones, whatever zone the instance is in), but a cluster whose instances are all down serves
  nothing until a new instance is created. Backups count for ``data_intact`` but never for
  serving: a restore is not a failover. A copy is not primary data: a replica, a store with
  ``replica_of``, or the destination of another store's replication rule (even a disabled one) is
  never itself judged for ``data_intact`` (its loss loses no data). Replication that is switched
  off (``status: Disabled`` on the edge) makes no copy; a ``promotable: false`` replica holds the
  data but never serves.
* **Names.** Sentences (``why``) name resources by :func:`display_name`: a name two resources
  share is qualified by region, then by kind.
* **Unknown.** A verdict that relies on a node in a region (or service) the scan could not read,
  on a failover target nobody inventoried, or that could be overturned by a copy hidden in an
  unreadable region carries reasons in ``unknown``; rules turn such verdicts to ``unknown``. Only
  failed reads (coverage records that are not ``ok``) are ever consulted: passing just those as
  ``coverage`` gives the same answers as passing every record.

Cost: answers that depend on the graph alone (copies and backups of a store, the nodes of a
workload, the nodes a scenario takes down, DNS record groups) are computed once per graph and
kept (see :class:`_GraphMemo`), so asking every workload about every region costs what each
question touches, not the size of the estate each time. A zone scenario that takes down none of the
nodes the workload's assessment without failure read is answered from that assessment
(:func:`_assess_or_reuse`).

Correlated regions are simply several failed regions in one :class:`Scenario`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import networkx as nx

from .copies import (  # noqa: F401 (re-exported: survival is the entry point)
    AZURE_GRS,
    AZURE_OBJECT_REPLICATION,
    COSMOS_DB_FAILOVER,
    DNS_FAILOVER,
    DNS_HEALTH_CHECK,
    GCS_DUAL_REGION,
    GLOBAL_DATABASE_FAILOVER,
    GLOBAL_TABLE,
    OBJECT_REPLICA,
    PROMOTE_REPLICA,
    REPLICA,
    RESTORE_BACKUP,
    RESTORE_CROSS_REGION_BACKUP,
    S3_REPLICA,
    USABLE_STATES,
    Copy,
    _backups_of,
    _data_copies,
    backups_of,
    copy_time,
    copy_usable,
    data_copies,
    failover_control_plane,
    incomplete_replication,
    is_copy,
    plan_selects,
    replication_off,
)
from .coverage_index import coverage_index
from .graph import workload_index
from .graph_facts import (  # noqa: F401 (re-exported: survival is the entry point)
    FRONT_DOOR_KINDS,
    NOWHERE,
    _memo,
    _provider,
    _standby_unrecorded,
    cluster_of,
    coverage_gaps,
    describe_gap,
    display_name,
    forget,
    in_edges,
    is_disabled,
    is_disposable,
    is_stub,
    live_routes,
    nodes_of_kinds,
    out_edges,
    per_graph,
    placement_zones,
    possible_zones,
    real_region,
    region_of_zone,
    regions_of,
    service_of,
    unseen_reasons,
    zone_unreported,
    zones_of,
    zones_of_node,
)
from .model import (
    ACCELERATOR,
    BACKUP_PLAN,
    BACKUP_VAULT,
    COMPUTE_GROUP,
    COMPUTE_KINDS,
    DATA_KINDS,
    DATABASE,
    DEPENDS_ON,
    DNS_RECORD,
    DNS_ZONE,
    EXTERNAL,
    FAILOVER_EXECUTION,
    FAILOVER_PLAN,
    FAILS_OVER_TO,
    FAULT_EXPERIMENT,
    GLOBAL_REGION,
    HEALTH_CHECK,
    IMAGE_REPOSITORY,
    INSTANCE,
    LAUNCH_TEMPLATE,
    LOAD_BALANCER,
    MACHINE_IMAGE,
    MEMBER_OF,
    PARAMETER,
    RECOVERY_POINT,
    REPLICATES_TO,
    RESILIENCE_ASSESSMENT,
    RESTORE_TEST,
    ROUTES_TO,
    ROUTING_CONTROL,
    SUBNET,
    TARGET_GROUP,
    Coverage,
)


@dataclass(frozen=True)
class Scenario:
    """A disruption: failed regions and/or failed availability zones (zone ids such as ``mec1-az1``).

    ``worst_placement``: a resource whose zone is not reported (:func:`placement_risk`) is taken as in the
    failed zone of its region, the worst case; without it such a resource is taken as up, and
    :func:`assess` says the verdict is uncertain when the worst case would change it."""

    failed_regions: frozenset[str] = frozenset()
    failed_zones: frozenset[str] = frozenset()
    worst_placement: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "failed_regions", frozenset(self.failed_regions))
        object.__setattr__(self, "failed_zones", frozenset(self.failed_zones))

    @classmethod
    def regions(cls, *regions: str) -> Scenario:
        return cls(failed_regions=frozenset(regions))

    @classmethod
    def zones(cls, *zones: str) -> Scenario:
        return cls(failed_zones=frozenset(zones))

    def describe(self) -> str:
        parts = []
        if self.failed_regions:
            names = sorted(self.failed_regions)
            parts.append(("region " if len(names) == 1 else "regions ") + _and(names))
        if self.failed_zones:
            names = sorted(self.failed_zones)
            parts.append(("zone " if len(names) == 1 else "zones ") + _and(names))
        return "loss of " + " and ".join(parts) if parts else "no failure"

    def to_dict(self) -> dict[str, list[str]]:
        return {"failed_regions": sorted(self.failed_regions), "failed_zones": sorted(self.failed_zones)}


@dataclass
class WorkloadImpact:
    """What one scenario does to one workload (see the module docstring for the semantics)."""

    workload: str
    scenario: Scenario
    serving: bool
    data_intact: bool
    lost: list[str] = field(default_factory=list)
    failovers: list[tuple[str, str, str]] = field(default_factory=list)
    broken_chain: list[str] = field(default_factory=list)
    why: str = ""
    control_plane: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    lost_data: list[str] = field(default_factory=list)  # data stores with no surviving copy
    entry_points: list[str] = field(default_factory=list)  # the functions judged (DNS names, LBs, compute)
    # it does not serve with nothing failed either (a disabled or routeless way in): not reported in to_dict
    standing: bool = False

    @property
    def survives(self) -> bool:
        return self.serving and self.data_intact

    def to_dict(self) -> dict[str, Any]:
        return {
            "workload": self.workload, "scenario": self.scenario.to_dict(), "serving": self.serving,
            "data_intact": self.data_intact, "lost": list(self.lost), "lost_data": list(self.lost_data),
            "failovers": [list(f) for f in self.failovers], "broken_chain": list(self.broken_chain),
            "why": self.why, "control_plane": list(self.control_plane), "unknown": list(self.unknown),
            "entry_points": list(self.entry_points),
        }


def node_down(graph: nx.MultiDiGraph, node: str, scenario: Scenario) -> str | None:
    """Why ``node`` is directly down in ``scenario`` (a short phrase), or ``None`` when it is up."""
    data = graph._node[node]
    region = data.get("region")
    if region in scenario.failed_regions:
        return f"in failed region {region}"
    if not scenario.failed_zones:  # every check below needs a failed zone (placement_risk too)
        return None
    zones = zones_of_node(data)
    if zones and all(z in scenario.failed_zones for z in zones):
        if _standby_unrecorded(data):
            return None
        return f"only in failed zone{'s' if len(zones) > 1 else ''} {_and(list(zones))}"
    if scenario.failed_zones and (shards := (data.get("attrs") or {}).get("shard_zones")):
        for shard in shards:  # a sharded cache is down when one shard is: its keys are gone
            if shard and all(z in scenario.failed_zones for z in shard):
                return f"a shard of it is only in failed zone{'s' if len(shard) > 1 else ''} {_and(list(shard))}"
    if scenario.worst_placement and placement_risk(graph, node, scenario):
        lost = [z for z in placement_zones(graph, node) if z in scenario.failed_zones]
        return f"taken as in failed zone {_and(lost)}: its zone is not known"
    return None


def placement_risk(graph: nx.MultiDiGraph, node: str, scenario: Scenario) -> str | None:
    """Why ``node`` may be down in ``scenario`` though it is not known to be: its zone is not reported
    (:func:`resilience.graph_facts.zone_unreported`: Azure regional placement), or it was referenced but
    never inventoried (a stub in a known region), and a zone of its region failed, so it may be in it
    (:func:`resilience.graph_facts.placement_zones`). ``None`` otherwise (its zones are known, or none of
    its region failed)."""
    if not scenario.failed_zones:
        return None
    data = graph._node[node]
    unreported = zone_unreported(data)
    if not (unreported or is_stub(data)) or data.get("region") in scenario.failed_regions:
        return None
    lost = [z for z in placement_zones(graph, node) if z in scenario.failed_zones]
    if not lost:
        return None
    if not unreported:  # referenced, never inventoried: it may be zonal, and in the failed zone
        return (f"{display_name(graph, node)} was referenced but not inventoried, so whether it is zonal is "
                f"unknown: it may be in failed zone {_and(lost)}")
    return (f"{display_name(graph, node)} is not pinned to a zone and its zone in {data.get('region')} is not "
            f"reported (regional placement: the platform puts it in one zone of its choosing): it may be in "
            f"failed zone {_and(lost)}")


def failed_nodes(graph: nx.MultiDiGraph, scenario: Scenario) -> set[str]:
    """Nodes directly in a failed region or with all their zones failed (a new set on every call;
    computed once per graph and scenario)."""
    key = (frozenset(scenario.failed_regions), frozenset(scenario.failed_zones), scenario.worst_placement)
    memo = _memo(graph)
    failed = memo.failed.get(key)
    if failed is None:
        failed = memo.failed[key] = frozenset(n for n in graph.nodes if node_down(graph, n, scenario))
    return set(failed)


def copy_down(graph: nx.MultiDiGraph, copy: Copy, scenario: Scenario) -> str | None:
    """Why a copy of a data store (a :func:`data_copies` or :func:`backups_of` entry) is gone in
    ``scenario``, or ``None`` when it survives: an inventoried copy as :func:`node_down` says, any other
    (in-region automated backups / PITR, a plan's vault nobody inventoried) when its region failed.
    The one reading of "this copy survives" for the engine and the recovery model."""
    if copy.id in graph:
        return node_down(graph, copy.id, scenario) or key_lost(graph, copy.id, scenario)
    return f"its region {copy.region} failed" if copy.region in scenario.failed_regions else None


def key_lost(graph: nx.MultiDiGraph, node: str, scenario: Scenario) -> str | None:
    """Why a copy cannot be decrypted in ``scenario``: it ``depends_on`` (``via: kms``) a KMS key that
    exists only in failed regions (its own region, plus a multi-region key's primary and replicas,
    ``key_regions``), so the copy is not restorable; ``None`` when every key survives somewhere. A
    multi-region key (``mrk-``) nobody inventoried may have unseen replicas: it is not judged lost."""
    for key, attrs in out_edges(graph, node, DEPENDS_ON):
        if attrs.get("via") != "kms" or key not in graph:
            continue
        data = graph._node[key]
        regions = list((data.get("attrs") or {}).get("key_regions") or [data.get("region")])
        if data.get("stub") and "/mrk-" in key:
            continue
        if regions and all(r in scenario.failed_regions for r in regions):
            return (f"encrypted under KMS key {display_name(graph, key)} that exists only in failed "
                    f"region{'s' if len(regions) > 1 else ''} {_and(regions)}: not restorable")
    return None


def copy_blocked(copy: Copy, scenario: Scenario) -> str | None:
    """The failed region whose control plane (API) the failover to ``copy`` needs (the
    ``needs_control_plane_in`` of the edge to it, as :func:`data_copies` reads it), or ``None`` when
    the failover can run (REL11-BP04). A blocked copy still holds the data: only its failover is lost."""
    region = copy.control_plane_in
    return region if region and region in scenario.failed_regions else None


# --- the assessment ---------------------------------------------------------------------------------
@dataclass
class _Outcome:
    ok: bool
    chain: list[str]
    cause: str = ""
    failovers: list[tuple[str, str, str]] = field(default_factory=list)
    used: set[str] = field(default_factory=set)  # surviving nodes the verdict relies on
    alternatives: set[str] = field(default_factory=set)  # failover targets relied on / tried
    control_plane: list[str] = field(default_factory=list)
    # a failure no scenario causes (disabled, no route): it fails with nothing failed too, and no failover mends it
    standing: bool = False


class _Assessor:
    def __init__(self, graph: nx.MultiDiGraph, scenario: Scenario, coverage: Iterable[Coverage],
                 *, shallow: bool = False) -> None:
        self.shallow = shallow  # DNS only: anything a record routes to is up unless directly failed
        self.g = graph
        self.s = scenario
        # only failed reads ever matter, and the gaps found for one (region, service, provider) hold for
        # every node sharing it, in every scenario: the index and its answers are shared by every assessment
        self._coverage = coverage_index(coverage)
        self.coverage = self._coverage.records
        self._failed_reads = self._coverage.failed
        self._gap_reads = self._coverage.gap_reads
        # what depends on the graph (and the records) alone is shared by every scenario's assessment: a node's
        # failed reads, and the subnets whose dependencies it needs (see _serve_subnets)
        shared = per_graph(graph, "survival.assessor")
        self._gaps: dict[str, list[tuple[str, bool]]] = shared.setdefault(self._coverage, {})
        self._subnets: dict[str, tuple[str, ...]] = shared.setdefault("subnets", {})
        self._gaps_by_scope: dict[tuple[Any, ...], list[Coverage]] = self._coverage.answers("survival.gaps")
        self._down: dict[str, str | None] = {}
        self._memo: dict[str, _Outcome] = {}
        self._data: dict[str, tuple[bool, list[tuple[str, str, str]], list[str], list[str]]] = {}
        self._judging: set[str] = set()  # instances being judged by their cluster (a member_of cycle guard)
        self._visiting: dict[str, int] = {}  # nodes being judged -> their depth on the serve stack
        self._cycle_low = 1 << 30  # the shallowest node on the stack taken as up by a cycle (see serve)

    # -- node state
    def down(self, node: str) -> str | None:
        if node not in self._down:
            self._down[node] = node_down(self.g, node, self.s)
        return self._down[node]

    def copy_down(self, copy: Copy) -> str | None:
        if copy.id in self.g:
            self.down(copy.id)  # its state is read: kept with every other state read (see read_states)
        return copy_down(self.g, copy, self.s)

    def read_states(self) -> frozenset[str]:
        """Every node whose state (:func:`node_down`) this assessment has read: the only way a zone
        scenario reaches its verdict (see :func:`_assess_or_reuse`)."""
        return frozenset(self._down)

    def kind(self, node: str) -> str:
        return self.g._node[node].get("kind", "")

    def name(self, node: str) -> str:
        return display_name(self.g, node)  # qualified when two resources share a name

    # -- serving
    def serve(self, node: str) -> _Outcome:
        """``node``'s serving outcome. On a ``depends_on`` cycle the node still being judged is taken as
        up (judged by its other branches); an answer that took an *ancestor* as up is provisional and
        not kept, since the ancestor may yet turn out down (a <-> b, a -> c lost: b is lost too)."""
        if node in self._memo:
            return self._memo[node]
        if node in self._visiting:  # a cycle: assume up for now, and remember how far up the stack
            self._cycle_low = min(self._cycle_low, self._visiting[node])
            return _Outcome(True, [node])
        depth = len(self._visiting)
        self._visiting[node] = depth
        outer_low, self._cycle_low = self._cycle_low, depth + 1
        try:
            out = self._serve(node)
        finally:
            del self._visiting[node]
            low = self._cycle_low
            self._cycle_low = min(outer_low, low)
        if low >= depth:  # assumed up only about itself (or nothing): the answer is final
            self._memo[node] = out
        return out

    def _serve(self, node: str) -> _Outcome:
        kind = self.kind(node)
        cause = self.down(node)
        if self.shallow and kind != DNS_RECORD:
            return _Outcome(False, [node], cause) if cause else _Outcome(True, [node], used={node})
        if cause:
            if kind == INSTANCE:  # an Auto Scaling group in surviving zones replaces its instances
                for group, _ in out_edges(self.g, node, MEMBER_OF):
                    if self.kind(group) == COMPUTE_GROUP and not self.down(group):
                        via = self.serve(group)
                        if via.ok:
                            return _prefixed(node, via)
            return _Outcome(False, [node], cause)
        if kind == DNS_RECORD:
            return self._serve_record(node)
        if kind == LOAD_BALANCER:
            return self._serve_lb(node)
        if kind == TARGET_GROUP:
            return self._serve_pool(node)
        if kind in FRONT_DOOR_KINDS:
            return self._serve_front_door(node)
        out = self._serve_deps(node)
        if out.ok and kind == DATABASE:
            members = [m for m, _ in in_edges(self.g, node, MEMBER_OF) if self.kind(m) == DATABASE]
            if members and all(self.down(m) for m in members):
                zones = sorted({z for m in members for z in zones_of_node(self.g._node[m])})
                # the chain ends at the cluster: it is what stops, and what is recovered (a new instance in
                # it), not one of its instances
                return _Outcome(False, [node], f"every instance of the cluster is down: "
                                f"{_and(sorted(self.name(m) for m in members))} in zone{'s' if len(zones) > 1 else ''} "
                                f"{_and(zones)}")
        return out

    def _serve_deps(self, node: str) -> _Outcome:
        result = _Outcome(True, [node], used={node})
        for dep, _ in out_edges(self.g, node, DEPENDS_ON):
            got = self.available(dep)
            if not got.ok:
                return _merge_fail(node, got)
            _absorb(result, got)
        if self.kind(node) != SUBNET:
            got = self._serve_subnets(node)
            if got is not None and not got.ok:
                return _merge_fail(node, got)
            if got is not None:
                _absorb(result, got)
        return result

    def _serve_subnets(self, node: str) -> _Outcome | None:
        """Issue 13: a component placed in subnets whose routes depend on something (a NAT gateway) needs
        one live subnet whose dependencies serve: capacity in zone b whose egress runs through a NAT
        gateway in zone a stops with zone a. ``None`` when none of its subnets has a dependency."""
        subnets = self._subnets.get(node)
        if subnets is None:  # the graph's alone: found once per node
            found = [s for s, _ in out_edges(self.g, node, MEMBER_OF) if self.kind(s) == SUBNET]
            has_deps = any(True for s in found for _ in out_edges(self.g, s, DEPENDS_ON))
            subnets = self._subnets[node] = tuple(found) if has_deps else ()
        if not subnets:
            return None
        outcomes = [self.serve(s) for s in subnets]
        for got in outcomes:
            if got.ok:
                return got
        return max(outcomes, key=lambda o: len(o.chain))

    def available(self, node: str) -> _Outcome:
        """``node`` serves, or one of its alternatives (replica, peer, standby) does."""
        got = self.serve(node)
        if got.ok:
            return got
        control_plane: list[str] = []
        tried: set[str] = set()
        for copy in data_copies(self.g, node) if self._replaceable(node) else ():
            if copy.relation == "source" or copy.id == node or not copy.serving:
                continue
            tried.add(copy.id)
            region = copy_blocked(copy, self.s)
            if region:
                control_plane.append(
                    f"{copy.mechanism} {self.name(node)} -> {self.name(copy.id)} needs the control plane "
                    f"(API) in failed region {region}")
                continue
            alt = self.serve(copy.id)
            if alt.ok:
                out = _Outcome(True, [node, *alt.chain], failovers=[(node, copy.id, copy.mechanism)],
                               used=set(alt.used) | {copy.id}, alternatives={copy.id} | alt.alternatives,
                               control_plane=control_plane + alt.control_plane)
                out.failovers += alt.failovers
                return out
        return _Outcome(False, got.chain, got.cause, alternatives=tried | got.alternatives,
                        control_plane=control_plane + got.control_plane, standing=got.standing)

    def _replaceable(self, node: str) -> bool:
        """Whether a copy of ``node`` can stand in for it: a data store (or an unseen node), or a serving
        dependency whose state a promotable replica keeps (``replicates_to`` with ``promotable: true``: a
        geo-replicated cache, a Geo-DR paired messaging namespace, an ElastiCache global datastore)."""
        kind = self.kind(node)
        if kind in DATA_KINDS or kind == EXTERNAL:
            return True
        if kind in (RECOVERY_POINT, BACKUP_VAULT, BACKUP_PLAN):
            return False
        return any(attrs.get("promotable") is True for _, attrs in out_edges(self.g, node, REPLICATES_TO))

    def _serve_any(self, node: str, targets: list[str], cause: str) -> _Outcome:
        if not targets:
            return self._serve_deps(node)
        outcomes = [self.serve(t) for t in targets]
        for got in outcomes:
            if got.ok:
                return _prefixed(node, got)
        worst = max(outcomes, key=lambda o: len(o.chain))
        return _merge_fail(node, worst)

    def _serve_pool(self, node: str) -> _Outcome:
        """A target group serves while any target does. A member whose edge says ``enabled: false``
        (a disabled Front Door origin or backend) takes no traffic; a pool whose every member is
        disabled serves nothing. A pool with ``health_probe: false`` (a Front Door origin group
        without a health probe) never takes a dead member out: each member of its first priority
        keeps its share of the traffic, so each must serve."""
        edges = out_edges(self.g, node, ROUTES_TO)
        live = live_routes(self.g, node)
        if edges and not live:
            return _Outcome(False, [node], "every member is disabled", standing=True)
        targets = [t for t, _ in live]
        if len(targets) < 2 or (self.g._node[node].get("attrs") or {}).get("health_probe") is not False:
            return self._serve_any(node, targets, "no live target")
        first = min(_priority(a) for _, a in live)
        result = _Outcome(True, [node], used={node})
        for target in [t for t, a in live if _priority(a) == first]:
            got = self.serve(target)
            if not got.ok:
                out = _merge_fail(node, got)
                out.cause = (got.cause + "; " if got.cause else "") + \
                    "the pool has no health probe, so it keeps sending traffic to it"
                return out
            _absorb(result, got)
        return result

    def _serve_front_door(self, node: str) -> _Outcome:
        """A Global Accelerator serves while one endpoint group does (health-checked routing); a
        CloudFront distribution or an API needs every origin / integration it routes to (each serves
        some path): an origin group is a target group, so its failover happens there."""
        if is_disabled(self.g, node):
            return _Outcome(False, [node], "disabled: it serves no request", standing=True)
        targets = [t for t, _ in live_routes(self.g, node)]
        if self.kind(node) == ACCELERATOR:
            return self._serve_any(node, targets, "no live endpoint group")
        result = self._serve_deps(node)
        for target in targets:
            if not result.ok:
                break
            got = self.serve(target)
            if not got.ok:
                return _merge_fail(node, got)
            _absorb(result, got)
        return result

    def _serve_lb(self, node: str) -> _Outcome:
        targets = [t for t, _ in live_routes(self.g, node)]
        groups = [t for t in targets if self.kind(t) == TARGET_GROUP]
        direct = [t for t in targets if t not in groups]
        if not targets:
            if out_edges(self.g, node, ROUTES_TO):  # it routes, but every route is disabled: it serves nothing
                return _Outcome(False, [node], "every route of it is disabled: it sends traffic nowhere", standing=True)
            if (self.g._node[node].get("attrs") or {}).get("routes_read") is True:  # read, and there are none
                return _Outcome(False, [node], "it has no route: it sends traffic nowhere", standing=True)
            return self._serve_deps(node)
        result = _Outcome(True, [node], used={node})
        for tg in groups:
            got = self.serve(tg)
            if not got.ok:
                return _merge_fail(node, got)
            _absorb(result, got)
        if direct:
            got = self._serve_any(node, direct, "no live target")
            if not got.ok:
                return got
            _absorb(result, got)
        return result

    # -- DNS
    def health_checked(self, record: str) -> bool:
        attrs = self.g._node[record].get("attrs") or {}
        if attrs.get("health_check_id") or attrs.get("evaluate_target_health") is True:
            return True
        return any(a.get("health_check_id") or a.get("evaluate_target_health") is True
                   for _, a in out_edges(self.g, record, ROUTES_TO))

    def _serve_record(self, node: str) -> _Outcome:
        """A record serves through what it routes to (a disabled target takes no traffic), or fails
        over to a health-checked secondary. A disabled record (:func:`is_disabled`) serves nothing."""
        if is_disabled(self.g, node):
            return _Outcome(False, [node], "the record is disabled, so it is never answered", standing=True)
        targets = [t for t, _ in live_routes(self.g, node)]
        if not targets and out_edges(self.g, node, ROUTES_TO):
            return _Outcome(False, [node], "every target it routes to is disabled", standing=True)
        if not targets:
            base = _Outcome(True, [node], used={node})
        elif len(targets) == 1 or not self.health_checked(node):
            base = _Outcome(True, [node], used={node})
            for t in targets:
                got = self.serve(t)
                if not got.ok:
                    base = _merge_fail(node, got)
                    break
                _absorb(base, got)
        else:
            base = self._serve_any(node, targets, "no live target")
        if base.ok:
            return base
        worst = base
        for secondary, hc in self._failover_targets(node):
            if not hc:
                continue
            got = self.serve(secondary)
            if got.ok:
                out = _prefixed(node, got)
                out.failovers.insert(0, (node, secondary, DNS_FAILOVER))
                out.alternatives.add(secondary)
                return out
            if len(got.chain) + 1 > len(worst.chain):  # the deeper failure explains more
                worst = _merge_fail(node, got)
                worst.alternatives |= base.alternatives
        return worst

    def _failover_targets(self, record: str) -> list[tuple[str, bool]]:
        """A function of the graph alone: computed once per graph and record."""
        memo = per_graph(self.g, "survival.failover_targets")
        if record not in memo:
            primary_checked = self.health_checked(record)
            out = [(dst, bool(a.get("health_checked")) or primary_checked)
                   for dst, a in out_edges(self.g, record, FAILS_OVER_TO)
                   if self.kind(dst) == DNS_RECORD and not is_disabled(self.g, dst)]
            attrs = self.g._node[record].get("attrs") or {}
            if str(attrs.get("failover_role", "")).upper() == "PRIMARY":
                named = {d for d, _ in out}
                for sibling in self.record_groups().get(_record_key(self.g, record), ()):
                    sattrs = self.g._node[sibling].get("attrs") or {}
                    if sibling != record and str(sattrs.get("failover_role", "")).upper() == "SECONDARY" and \
                            sibling not in named and not is_disabled(self.g, sibling):
                        out.append((sibling, primary_checked))
            memo[record] = tuple(out)
        return list(memo[record])

    def record_groups(self) -> dict[tuple[str, str, str], list[str]]:
        """DNS records by (name, type, zone), built once per graph (read-only: see :func:`record_groups`)."""
        memo = _memo(self.g)
        if memo.record_groups is None:
            groups: dict[tuple[str, str], list[str]] = {}
            for n, d in self.g.nodes(data=True):
                if d.get("kind") == DNS_RECORD:
                    groups.setdefault(_record_key(self.g, n), []).append(n)
            memo.record_groups = {k: sorted(v) for k, v in groups.items()}
        return memo.record_groups

    def serve_record_group(self, members: list[str]) -> _Outcome:
        """One DNS name: failover pair (primary must serve, or fail over) or a set of
        latency/weighted/... records (a live one remains, every dead one is health-checked). A record that
        says ``enabled: false`` (a disabled Traffic Manager endpoint) is never answered: it serves nothing."""
        enabled = [m for m in members if not is_disabled(self.g, m)]
        if members and not enabled:
            return _Outcome(False, [members[0]], "every record of the name is disabled", standing=True)
        members = enabled
        primaries = [m for m in members
                     if str((self.g._node[m].get("attrs") or {}).get("failover_role", "")).upper() == "PRIMARY"
                     or any(self.kind(d) == DNS_RECORD for d, _ in out_edges(self.g, m, FAILS_OVER_TO))]
        secondaries = {d for m in primaries for d, _ in self._failover_targets(m)}
        if primaries:
            result = _Outcome(True, [primaries[0]], used=set())
            for p in primaries:
                got = self.serve(p)
                if not got.ok:
                    return got
                _absorb(result, got)
            result.chain = self.serve(primaries[0]).chain
            return result
        members = [m for m in members if m not in secondaries]
        outcomes = {m: self.serve(m) for m in members}
        live = [m for m in members if outcomes[m].ok]
        dead = [m for m in members if not outcomes[m].ok]
        if len(members) == 1:
            return outcomes[members[0]]
        unchecked = [m for m in dead if not self.health_checked(m)]
        if live and not unchecked:
            result = _Outcome(True, outcomes[live[0]].chain, used=set())
            for m in live:
                _absorb(result, outcomes[m])
            for m in dead:
                result.failovers.append((m, live[0], DNS_HEALTH_CHECK))
            return result
        decisive = unchecked or dead
        worst = max((outcomes[m] for m in decisive), key=lambda o: len(o.chain))
        if live and unchecked:
            worst = _Outcome(False, worst.chain,
                             worst.cause + "; the record has no health check, so DNS keeps answering with it",
                             alternatives=worst.alternatives, control_plane=worst.control_plane,
                             standing=worst.standing)
        return worst

    # -- entry points
    def entry_groups(self, workload: str, nodes: list[str]) -> list[tuple[str, list[str], str]]:
        """``(label, members, how)`` per function of the workload."""
        records = [n for n in nodes if self.kind(n) == DNS_RECORD and self._public(n)
                   and (any(True for _ in out_edges(self.g, n, ROUTES_TO))
                        or any(True for _ in out_edges(self.g, n, FAILS_OVER_TO)))]
        if records:
            groups: dict[tuple[str, str, str], list[str]] = {}
            for r in records:
                groups.setdefault(_record_key(self.g, r), []).append(r)
            aliased = {dst for r in records for dst, _ in out_edges(self.g, r, ROUTES_TO)
                       if self.kind(dst) == DNS_RECORD}
            out = []
            for key, members in sorted(groups.items()):
                if all(m in aliased for m in members):
                    continue
                out.append((key[0], sorted(members), "dns"))
            if out:
                return out
        # a front door (CDN distribution, API, accelerator) is where clients come in, and what it routes to
        # (its origins, integrations, endpoints) is judged through it: only front doors nothing else of the
        # workload's routes to, and load balancers no front door routes to, are entry points
        doors = [n for n in nodes if self.kind(n) in FRONT_DOOR_KINDS and not is_stub(self.g._node[n])]
        # what any front door routes to is reached through it, a disabled one's too (which lets no client in:
        # what is only behind it is reached by nobody, and is no entry point of its own)
        behind = self._behind(doors)
        front = [n for n in doors if not is_disabled(self.g, n) and n not in behind]
        lbs = [n for n in nodes if self.kind(n) == LOAD_BALANCER and not is_stub(self.g._node[n]) and n not in behind]
        # a global front door is one function of its own: it serves only while its origins do, whatever region
        # another entry point is in
        everywhere = [n for n in front if not real_region(self.g._node[n].get("region"))]
        regional = [n for n in front if n not in everywhere] + lbs
        out = [(self.name(n), [n], "regional") for n in sorted(everywhere)]
        if regional:
            label = "load balancers" if not front else "front doors" if not lbs else "front doors and load balancers"
            out.append((f"{workload} ({label})", sorted(regional), "regional"))
        if out:
            return out
        # a standby copy (a cache's geo-secondary, a vault's paired-region copy: ``role: replica``) is no entry
        # point: it serves only by standing in for what it copies
        compute = [n for n in nodes if self.kind(n) in COMPUTE_KINDS and not is_stub(self.g._node[n]) and not (
            self.kind(n) == INSTANCE and any(self.kind(g) == COMPUTE_GROUP for g, _ in out_edges(self.g, n, MEMBER_OF)))
            and (self.g._node[n].get("attrs") or {}).get("role") != "replica"]
        if compute:
            return [(f"{workload} (compute)", sorted(compute), "regional")]
        if doors:  # its only ways in are disabled: they are its entry points, and serve nothing
            return [(self.name(n), [n], "regional") for n in sorted(doors)]
        # nothing of it runs code: its clients connect to its databases, each a function of its own (a
        # DB instance of a cluster is judged by its cluster, a replica by what it copies)
        return [(self.name(n), [n], "data") for n in sorted(nodes)
                if self.kind(n) == DATABASE and not is_stub(self.g._node[n]) and not is_copy(self.g, n)
                and not is_disposable(self.g, n) and self.cluster_of(n) is None]  # nor one holding no data

    def _behind(self, front: list[str]) -> set[str]:
        """Every node a front door of ``front`` reaches through ``routes_to`` / ``fails_over_to`` (origins,
        origin groups, integrations, endpoint groups, and what they route to)."""
        seen: set[str] = set()
        todo = list(front)
        while todo:
            node = todo.pop()
            for kind in (ROUTES_TO, FAILS_OVER_TO):
                for dst, _ in out_edges(self.g, node, kind):
                    if dst not in seen:
                        seen.add(dst)
                        todo.append(dst)
        return seen

    def _public(self, record: str) -> bool:
        attrs = self.g._node[record].get("attrs") or {}
        if attrs.get("public") is not None:
            return bool(attrs["public"])
        for zone, _ in out_edges(self.g, record, MEMBER_OF):
            if self.kind(zone) == DNS_ZONE and (self.g._node[zone].get("attrs") or {}).get("private") is True:
                return False
        return True

    def serve_group(self, members: list[str], how: str) -> _Outcome:
        """A DNS name (see :meth:`serve_record_group`); or, for a workload without DNS records, its
        entry points per region: each region's set is that region's copy of the service, and the
        workload serves while one region's copy serves whole."""
        if how == "dns":
            return self.serve_record_group(members)
        if how == "data":  # a database its clients reach directly: it serves, or a copy stands in for it
            return self.available(members[0])
        by_region: dict[str, list[str]] = {}
        for m in members:
            by_region.setdefault(self.g._node[m].get("region") or "unknown", []).append(m)
        failures: list[_Outcome] = []
        for region in sorted(by_region):
            result = _Outcome(True, [], used=set())
            for m in by_region[region]:
                got = self.serve(m)
                if not got.ok:
                    failures.append(got)
                    break
                _absorb(result, got)
                result.chain = result.chain or got.chain
            else:
                return result
        return max(failures, key=lambda o: len(o.chain))

    # -- data
    def data_survival(self, node: str) -> tuple[bool, list[tuple[str, str, str]], list[str], list[str]]:
        """``(intact, failovers, relied-on copy ids, control-plane notes)`` for one data store.

        A live copy whose failover can run wins (a source or peer needs none; a replica is promoted);
        copies whose failover needs a failed region's control plane still hold the data, but are only
        described in the notes, and a restorable backup (the store's own, or a copy's: its sources')
        is then the way back listed. A DB instance that is a member of a cluster is judged by its
        cluster (the cluster volume holds the data)."""
        got = self._data.get(node)
        if got is None:
            got = self._data[node] = self._data_survival(node)
        intact, failovers, relied, notes = got
        return intact, list(failovers), list(relied), list(notes)

    def _data_survival(self, node: str) -> tuple[bool, list[tuple[str, str, str]], list[str], list[str]]:
        if not self.down(node):
            return True, [], [], []
        cluster = self.cluster_of(node)
        if cluster is not None and cluster not in self._judging:
            self._judging.add(node)
            try:
                return self.data_survival(cluster)
            finally:
                self._judging.discard(node)
        copies = data_copies(self.g, node)
        live = [(c, copy_blocked(c, self.s)) for c in copies if not self.copy_down(c)]
        for copy, region in live:
            if region:
                continue
            # a source or a peer already holds (and serves) the data: nothing to do; a replica is promoted
            failover = [] if copy.relation in ("source", "peer") else [(node, copy.id, copy.mechanism)]
            return True, failover, [copy.id], []
        blocked = [copy for copy, _ in live]  # every surviving copy's failover needs a failed region's API
        notes = [f"{copy.mechanism} {self.name(node)} -> {self.name(copy.id)} needs the control plane "
                 f"(API) in failed region {region}" for copy, region in live]
        # a copy is judged by its source (docs/graph.md): the source's backups hold its data too
        for holder in [*(c.id for c in copies if c.relation == "source"), node]:
            restore = self._restore(holder)
            if restore is not None:
                return True, [restore[0]], restore[1], notes
        if blocked:  # the data is held, but no failover that can run reaches it
            return True, [], [blocked[0].id], notes
        return False, [], [], notes + self.key_notes(node, copies)

    def key_notes(self, node: str, copies: list[Copy]) -> list[str]:
        """The copies and backups (the store's and its sources') lost only to their KMS key: the key
        is the evidence (``key_lost``)."""
        holders = [*(c.id for c in copies if c.relation == "source"), node]
        candidates = [c.id for c in copies] + [b.id for h in holders if h in self.g for b in backups_of(self.g, h)]
        return [f"{self.name(c)} is {reason}" for c in dict.fromkeys(candidates)
                if c in self.g and (reason := key_lost(self.g, c, self.s))]

    def _restore(self, holder: str) -> tuple[tuple[str, str, str], list[str]] | None:
        """The first surviving backup of ``holder``: ``((holder, backup, mechanism), relied-on ids)``."""
        if holder not in self.g:
            return None
        for copy in backups_of(self.g, holder):
            if self.copy_down(copy):
                continue
            if copy.relation == "automated":
                return (holder, holder, RESTORE_BACKUP), []
            mechanism = RESTORE_CROSS_REGION_BACKUP if copy.region != self.g._node[holder].get("region") \
                else RESTORE_BACKUP
            return (holder, copy.id, mechanism), [copy.id]
        return None

    def cluster_of(self, node: str) -> str | None:
        return cluster_of(self.g, node)

    # -- uncertainty
    def gap_reasons(self, node: str, *, copy: bool = False) -> list[str]:
        """Failed reads the verdict on ``node`` relies on. For a data store, a read about its copies
        (replication, replicas, snapshots) matters only when the verdict depends on a copy: the store is
        down in the scenario, or the verdict is that it stops or is lost, or it stands in for a lost store
        (``copy`` for the last two); a store that is up and serves needs no copy."""
        if node not in self.g:
            return []
        if node not in self._gaps:
            self._gaps[node] = self._gap_reasons(node)
        return [text for text, copies_only in self._gaps[node] if not copies_only or copy or self.down(node)]

    def _gap_reasons(self, node: str) -> list[tuple[str, bool]]:
        """``(reason, is it about copies only)`` per failed read that applies to ``node``."""
        if not self._gap_reads:
            return []
        data = self.g._node[node]
        region = data.get("region")
        if not real_region(region) and region != GLOBAL_REGION:
            return []
        scope = (region, service_of(data), _provider(data), data.get("kind") in DATA_KINDS)
        gaps = self._gaps_by_scope.get(scope)
        if gaps is None:
            gaps = coverage_gaps(self._coverage.failed_in([region]), region=region, services=[scope[1]],
                                 provider=scope[2])
            if scope[3]:  # for data, what matters is whether copies could be unseen
                gaps = [c for c in gaps if _replication_read(c)]
            self._gaps_by_scope[scope] = gaps
        return [(f"{describe_gap(c)}: {self.name(node)} relies on it", scope[3] and _copy_read(c))
                for c in gaps if c.applies_to(node) and read_about_type(c, data)]

    def alternative_reasons(self, node: str) -> list[str]:
        if node not in self.g:
            return []
        return self.gap_reasons(node, copy=True) + self.unseen_reasons(node)

    def unseen_reasons(self, node: str) -> list[str]:
        """Why a node a verdict relies on was not seen well enough to count on: nobody inventoried it
        (a stub), or its region is unknown (it may sit in the failed region)."""
        if node not in self.g:
            return []
        return unseen_reasons(self.g, node)

    def hidden_copy_reasons(self, node: str) -> list[str]:
        """Failed reads that could hide a copy of this data store: its own region's backup/replication
        reads (a plan's copy rule, a replication setting), and, when it has local backups to copy from,
        other live regions' (snapshot and vault copies are only listed by the destination region)."""
        if not self._failed_reads:
            return []
        data = self.g._node[node]
        own = data.get("region")
        provider = _provider(data)
        # a copy elsewhere is made from a local backup: without any, other regions cannot hide one
        elsewhere = bool(backups_of(self.g, node))
        # backup_gap reads the node only through its service: the records hold for the whole scope
        scope = ("hidden", own, provider, elsewhere, service_of(data),
                 frozenset(self.s.failed_regions) if elsewhere else None)
        gaps = self._gaps_by_scope.get(scope)
        if gaps is None:
            gaps = self._gaps_by_scope[scope] = [
                c for c in (self._failed_reads if elsewhere else self._coverage.failed_in([own]))
                if (c.region in (own, GLOBAL_REGION, "*") or (elsewhere and c.region not in self.s.failed_regions))
                and (provider is None or c.provider == provider) and backup_gap(data, c)
                # a listing of what a failed region holds: a copy it hid is lost with the region
                and not (lists_held_in_region(c) and c.region in self.s.failed_regions)]
        return [f"{describe_gap(c)}: a copy of {self.name(node)} would not have been seen" for c in gaps
                if c.applies_to(node)]


def _replication_read(c: Coverage) -> bool:
    """A service's primary read, or a read about its replicas, clusters or global tables."""
    _, _, sub = c.service.partition(":")
    return not sub or any(w in sub for w in ("replica", "replication", "global", "cluster", "failover"))


def _copy_read(c: Coverage) -> bool:
    """A read about a store's copies alone (replication, replicas, global tables, failover groups, snapshots,
    backups), not the store itself (its primary read, its cluster)."""
    _, _, sub = c.service.partition(":")
    return any(w in sub for w in ("replica", "replication", "global", "failover", "snapshot", "backup"))


_BACKUP_WORDS = ("snapshot", "backup", "pitr", "versioning", "replica", "replication", "global", "automated",
                 "failover")


def backup_gap(data: dict[str, Any], c: Coverage) -> bool:
    """Whether a failed read (``c``) could have hidden a backup, snapshot or copy of this data store:
    AWS Backup reads, and the store's own service reads about snapshots/backups/replication."""
    base, _, sub = c.service.partition(":")
    if base == "backup":
        return not sub.startswith(("tags", "restore"))
    service = service_of(data)
    if service is None:
        return True
    if base != service:
        return False
    if not sub:
        return service != "ec2"  # DescribeInstances says nothing about snapshots
    return any(w in sub for w in _BACKUP_WORDS)


def hides_copies_only(c: Coverage) -> bool:
    """Whether all failed read ``c`` could have hidden is more copies of data (a backup service's vaults,
    plans, selections, policies, recovery points; a service's listing of its backups, backup runs,
    backup schedules or snapshots: ``rds:snapshots``, ``sqladmin:backupruns``, ``firestore:backups``): an
    unseen copy is one more way to recover, so it can lower an achievable RTO/RPO, never raise it. A backup
    service's tags (workload membership) and restore jobs are not."""
    base, _, sub = c.service.partition(":")
    if base == "backup":
        return not sub.startswith(("tags", "restore"))
    return sub.startswith(("backup", "snapshot"))


#: reads that list only what is held in the region read (recovery points in its vaults, its snapshots and table
#: backups, a Spanner instance's or a Firestore location's backups; a cross-region copy is listed by its
#: destination region): a failure of one cannot hide a copy outside that region (a plan, automated-backup
#: replication or a service's primary read can)
HELD_IN_REGION_READS = frozenset({
    ("aws", "backup:recovery-points"), ("aws", "rds:snapshots"), ("aws", "rds:cluster-snapshots"),
    ("aws", "ec2:snapshots"), ("aws", "dynamodb:backups"), ("gcp", "spanner:backups"), ("gcp", "firestore:backups"),
})


#: reads about one resource type alone: a failure of one can hide nothing about a resource of another type of
#: that service (a standalone ElastiCache cluster is never in a global datastore, and is no serverless cache)
READS_ABOUT_TYPES = {
    ("aws", "elasticache:global-replication-groups"): frozenset({"AWS::ElastiCache::ReplicationGroup"}),
    ("aws", "elasticache:serverless"): frozenset({"AWS::ElastiCache::ServerlessCache"}),
    ("aws", "elasticache:clusters"): frozenset({"AWS::ElastiCache::CacheCluster"}),
}


def read_about_type(c: Coverage, data: dict[str, Any]) -> bool:
    """Whether failed read ``c`` may be about a resource of ``data``'s type (:data:`READS_ABOUT_TYPES`)."""
    types = READS_ABOUT_TYPES.get((c.provider, c.service))
    return types is None or data.get("type") in types


def lists_held_in_region(c: Coverage) -> bool:
    """Whether failed read ``c`` could only have hidden copies held in its own region (:data:`HELD_IN_REGION_READS`)."""
    return (c.provider, c.service) in HELD_IN_REGION_READS


def store_gap(graph: nx.MultiDiGraph, node: str, c: Coverage) -> bool:
    """Whether failed read ``c`` could have hidden a backup, snapshot or copy of data store ``node``:
    :func:`backup_gap` by service, and, for a read made for particular resources (``c.resources``: one
    vault's backup policies), only when it is about the store itself or about where the store's backups
    are held (a vault's policies describe the items that vault protects, not other stores, nor the
    stores of other regions)."""
    if not backup_gap(graph._node[node], c):
        return False
    return not c.resources or c.applies_to(node) or any(c.applies_to(b.id) for b in backups_of(graph, node))


def assess(graph: nx.MultiDiGraph, workload: str, scenario: Scenario, *,
           coverage: Iterable[Coverage] = ()) -> WorkloadImpact:
    """What ``scenario`` does to ``workload``: serving, data, what is lost, what it relies on, and why.

    A function of the graph, the workload, the scenario and the failed reads: decided once per graph
    (rules, recovery estimates and the simulator ask the same question), a fresh copy on every call."""
    index = coverage_index(coverage)
    memo = per_graph(graph, "survival.assess")
    key = (workload, scenario, index.fingerprint)
    if key not in memo:
        memo[key] = _assess_or_reuse(graph, workload, scenario, index)
    return _fresh(memo[key])


def _assess_or_reuse(graph: nx.MultiDiGraph, workload: str, scenario: Scenario, index: Any) -> WorkloadImpact:
    """:func:`_assess`, or for a scenario of failed zones alone that takes down none of the nodes whose state
    the assessment without any failure read, that assessment's verdict told for this scenario.

    Why that is the same answer: with no region failed, a scenario reaches an assessment only through
    :func:`node_down` (copies through :func:`copy_down`, whose region and key checks need a failed region;
    :func:`copy_blocked` likewise). An assessment is a deterministic walk: while every state it reads is
    "up", as with no failure, it reads the same nodes in the same order and ends at the same verdict. Only
    the sentence naming the scenario (``why``) differs. Most zone scenarios of a workload take down
    nothing it reads (issue 17: about 70% at 10,000 resources)."""
    if not scenario.failed_zones or scenario.failed_regions:
        return _assess(graph, workload, scenario, index)[0]
    walks = per_graph(graph, "survival.unfailed_walk")
    key = (workload, index.fingerprint)
    if key not in walks:
        walks[key] = _assess(graph, workload, Scenario(), index)
    unfailed, cause, read = walks[key]
    # a node whose zone is not reported may be in a failed zone: it is touched too (the verdict may be uncertain).
    # Only the read nodes that the failed zones can reach (:func:`_zone_candidates`) need the question
    failed = scenario.failed_zones
    if any(node_down(graph, n, scenario) or placement_risk(graph, n, scenario)
           for zones, within, nodes in _zone_candidates(graph, key, read)
           if (zones <= failed if within else not zones.isdisjoint(failed)) for n in nodes):
        return _assess(graph, workload, scenario, index)[0]
    impact = _fresh(unfailed, scenario=scenario)
    impact.why = _why(graph, impact, cause)
    return impact


def _zone_candidates(graph: nx.MultiDiGraph, key: tuple[str, Any],
                     read: frozenset[str]) -> list[tuple[frozenset[str], bool, tuple[str, ...]]]:
    """The nodes of ``read`` (the states an unfailed assessment read) that a scenario of failed zones alone
    can take down (:func:`node_down`) or put at risk (:func:`placement_risk`), grouped by the zones that
    can: ``(zones, within, nodes)``, the group reachable when the failed zones hold all of ``zones``
    (``within``: the node's zones, a shard's) or one of them (not ``within``: the zones a node of unknown
    zone may be in, :func:`placement_zones`). With no region failed nothing else can: a regional node
    stays up. Once per workload and coverage (``key``)."""
    memo = per_graph(graph, "survival.zone_candidates")
    groups = memo.get(key)
    if groups is None:
        found: dict[tuple[frozenset[str], bool], list[str]] = {}
        nodes = graph._node
        for n in sorted(read):
            data = nodes[n]
            zones = zones_of_node(data)
            if zones:
                found.setdefault((frozenset(zones), True), []).append(n)
            for shard in (data.get("attrs") or {}).get("shard_zones") or ():
                if shard:
                    found.setdefault((frozenset(shard), True), []).append(n)
            if zone_unreported(data) or is_stub(data):
                found.setdefault((frozenset(placement_zones(graph, n)), False), []).append(n)
        groups = memo[key] = [(zones, within, tuple(dict.fromkeys(ns))) for (zones, within), ns in found.items()]
    return groups


def _fresh(impact: WorkloadImpact, **changes: Any) -> WorkloadImpact:
    """A copy of ``impact`` with ``changes`` and lists of its own: what ``dataclasses.replace`` gives (a plain
    dataclass, no ``__post_init__``), without its per-field ``__init__`` (asked ~10^5 times at 100,000 resources)."""
    fresh = object.__new__(WorkloadImpact)
    fields = fresh.__dict__
    fields.update(impact.__dict__)
    fields.update(changes)
    fields.update(lost=list(impact.lost), failovers=list(impact.failovers), broken_chain=list(impact.broken_chain),
                  control_plane=list(impact.control_plane), unknown=list(impact.unknown),
                  lost_data=list(impact.lost_data), entry_points=list(impact.entry_points))
    return fresh


@dataclass(frozen=True)
class _WorkloadShape:
    """What an assessment reads of a workload that no scenario changes: found once per workload."""

    entries: list[tuple[str, list[str], str]]  # Assessor.entry_groups
    primary_data: list[str]  # data stores judged (not copies, stubs or disposable volumes), in graph order
    inventoried: list[tuple[str, bool]]  # (node, serves traffic) of the inventoried members, in graph order


def _workload_shape(graph: nx.MultiDiGraph, workload: str, nodes: list[str], a: _Assessor) -> _WorkloadShape:
    memo = per_graph(graph, "survival.workload_shape")
    shape = memo.get(workload)
    if shape is None:
        data = graph._node
        # a copy (replica, replication target, even of a disabled rule) is not primary data: losing it
        # loses no data; the original it copies is judged instead
        primary = [n for n in nodes if data[n].get("kind") in DATA_KINDS and not is_stub(data[n])
                   and not is_disposable(graph, n) and not is_copy(graph, n)]
        inventoried = [(n, data[n].get("kind") in (LOAD_BALANCER, TARGET_GROUP) or data[n].get("kind") in COMPUTE_KINDS)
                       for n in nodes if not is_stub(data[n])]
        shape = memo[workload] = _WorkloadShape(a.entry_groups(workload, nodes), primary, inventoried)
    return shape


def _assess(graph: nx.MultiDiGraph, workload: str, scenario: Scenario,
            coverage: Any) -> tuple[WorkloadImpact, str, frozenset[str]]:
    """The assessment, the cause of a serving failure, and the nodes whose state it read.

    A resource whose zone is not reported (:func:`placement_risk`) is taken as up; when the workload
    survives so, but would not with such resources in the failed zone (``worst_placement``), the
    verdict is uncertain: each such resource it read is a reason, first in ``unknown``."""
    impact, cause, read = _walk(graph, workload, scenario, coverage)
    if not impact.survives or scenario.worst_placement or not scenario.failed_zones:
        return impact, cause, read
    at_risk = [(n, why) for n in sorted(read) if (why := placement_risk(graph, n, scenario))]
    if not at_risk:
        return impact, cause, read
    worst, _, worst_read = _walk(graph, workload, replace(scenario, worst_placement=True), coverage)
    if not worst.survives:
        decisive = set(worst.broken_chain) | set(worst.lost_data)  # named first: what the worst case turns on
        at_risk.sort(key=lambda item: item[0] not in decisive)
        impact.unknown = _unique([f"{why}; if it is: {worst.why}" for _, why in at_risk] + impact.unknown)
    return impact, cause, read | worst_read


def _walk(graph: nx.MultiDiGraph, workload: str, scenario: Scenario,
          coverage: Any) -> tuple[WorkloadImpact, str, frozenset[str]]:
    a = _Assessor(graph, scenario, coverage)
    nodes = list(workload_index(graph).get(workload, ()))  # graph order, as a scan of every node gives
    failovers: list[tuple[str, str, str]] = []
    control_plane: list[str] = []
    # reasons that could overturn each kind of verdict: a pass, a serving failure, a data loss
    pass_doubts: list[str] = []
    serve_doubts: list[str] = []
    data_doubts: list[str] = []
    broken: list[str] = []
    cause = ""
    standing = False
    serving = True
    shape = _workload_shape(graph, workload, nodes, a)
    entries = shape.entries
    for _label, members, how in entries:
        got = a.serve_group(members, how)
        control_plane += got.control_plane
        if got.ok:
            failovers += got.failovers
            for n in sorted(got.used):
                pass_doubts += a.gap_reasons(n) + a.unseen_reasons(n)
            for n in sorted(got.alternatives):
                pass_doubts += a.alternative_reasons(n)
            continue
        if serving or len(got.chain) > len(broken):
            broken, cause, standing = list(got.chain), got.cause, got.standing
        serving = False
        dead = got.chain[-1] if got.chain else None
        if dead:
            serve_doubts += a.gap_reasons(dead, copy=True)  # it stops unless a copy stands in
            if is_stub(graph._node[dead]):
                serve_doubts.append(f"{dead} was referenced but not inventoried: whether it has a copy "
                                    "elsewhere is unknown")
        for n in sorted(got.alternatives):
            serve_doubts += a.alternative_reasons(n)

    data_intact = True
    lost_data: list[str] = []
    for n in shape.primary_data:
        intact, used_failovers, relied, notes = a.data_survival(n)
        control_plane += notes
        if intact:
            failovers += used_failovers
            pass_doubts += a.unseen_reasons(n)
            for r in relied:
                pass_doubts += a.alternative_reasons(r)
        else:
            data_intact = False
            lost_data.append(n)
            data_doubts += a.gap_reasons(n, copy=True) + a.hidden_copy_reasons(n)
    if serving and not data_intact:
        broken = [lost_data[0]]
    if not serving:
        unknown = serve_doubts
    elif not data_intact:
        unknown = data_doubts
    else:
        unknown = pass_doubts

    def stopped(n: str) -> bool:  # what serves nothing with nothing failed either (no route) is not lost with it
        outcome = a.serve(n)
        return not outcome.ok and not outcome.standing

    lost = [n for n, serves_traffic in shape.inventoried if a.down(n) or (serves_traffic and stopped(n))]

    impact = WorkloadImpact(
        workload=workload, scenario=scenario, serving=serving, data_intact=data_intact,
        lost=sorted(lost), failovers=_sorted_failovers(graph, failovers), broken_chain=broken,
        control_plane=_unique(control_plane), unknown=_unique(unknown), lost_data=sorted(lost_data),
        entry_points=[label for label, _, _ in entries], standing=not serving and standing,
    )
    impact.why = _why(graph, impact, cause, copy_doubt=not serving and bool(data_doubts))
    return impact, cause, a.read_states()


@dataclass
class Availability:
    """One resource (or DNS name) under a scenario: up (itself or through an alternative) or not."""

    ok: bool
    chain: list[str] = field(default_factory=list)
    cause: str = ""
    failovers: list[tuple[str, str, str]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # reasons that could overturn the verdict
    control_plane: list[str] = field(default_factory=list)


def dependency_outcome(graph: nx.MultiDiGraph, node: str, scenario: Scenario, *,
                       coverage: Iterable[Coverage] = ()) -> Availability:
    """Whether something that depends on ``node`` still has it in ``scenario`` (``node`` itself, or a
    promotable replica / global-table peer / replicated bucket that survives)."""
    a = _Assessor(graph, scenario, coverage)
    got = a.available(node)
    doubts: list[str] = []
    if got.ok:
        for n in sorted(got.used):
            doubts += a.unseen_reasons(n)
        for n in sorted(got.alternatives):
            doubts += a.alternative_reasons(n)
    else:
        doubts += a.gap_reasons(node, copy=True)
        for n in sorted(got.alternatives):
            doubts += a.alternative_reasons(n)
    return Availability(got.ok, got.chain, got.cause, _unique(got.failovers), _unique(doubts),
                        _unique(got.control_plane))


def data_outcome(graph: nx.MultiDiGraph, node: str, scenario: Scenario, *,
                 coverage: Iterable[Coverage] = ()) -> Availability:
    """Whether a data store's data survives ``scenario``: itself, a live copy, or a restorable backup.

    As for a workload (:func:`_assess`): the store or the copy it survives by may be of unreported zone
    (:func:`placement_risk`: an LRS storage account, a Recovery Services vault's recovery points); taken as
    up, when the data would be lost with them in the failed zone (``worst_placement``), each is a doubt."""
    a = _Assessor(graph, scenario, coverage)
    intact, failovers, relied, notes = a.data_survival(node)
    doubts: list[str] = []
    if intact:
        at_risk = [why for n in dict.fromkeys([node, *relied])
                   if n in graph and (why := placement_risk(graph, n, scenario))] if not scenario.worst_placement else []
        if at_risk and not _Assessor(graph, replace(scenario, worst_placement=True), coverage).data_survival(node)[0]:
            doubts += at_risk
        for r in relied:
            doubts += a.alternative_reasons(r)
        cause = ""
    else:
        doubts += a.gap_reasons(node, copy=True) + a.hidden_copy_reasons(node)
        cause = a.down(node) or ""
    return Availability(intact, [node], cause, failovers, _unique(doubts), notes)


def record_groups(graph: nx.MultiDiGraph) -> dict[tuple[str, str, str], list[str]]:
    """DNS records grouped by (name, record type, zone): one group is one DNS name as the clients of one
    zone see it."""
    return {key: list(members) for key, members in _Assessor(graph, Scenario(), ()).record_groups().items()}


def record_health_checked(graph: nx.MultiDiGraph, record: str) -> bool:
    """Route 53 can see this record's target fail: a health check, or evaluate-target-health."""
    return _Assessor(graph, Scenario(), ()).health_checked(record)


def is_public_record(graph: nx.MultiDiGraph, record: str) -> bool:
    return _Assessor(graph, Scenario(), ())._public(record)


def dns_targets(graph: nx.MultiDiGraph, records: Iterable[str], *, failover: bool = True,
                live: bool = True) -> list[str]:
    """The first non-DNS nodes the records route (and, with ``failover``, fail over) to, through alias
    chains; with ``live``, only through records and routes that are not disabled (:func:`live_routes`)."""
    seen: set[str] = set()
    out: list[str] = []
    frontier = list(records)
    while frontier:
        current = frontier.pop()
        if current in seen or (live and is_disabled(graph, current)):
            continue
        seen.add(current)
        for kind in (ROUTES_TO, FAILS_OVER_TO) if failover else (ROUTES_TO,):
            edges = live_routes(graph, current) if live and kind == ROUTES_TO else out_edges(graph, current, kind)
            for dst, _ in edges:
                if graph._node[dst].get("kind") == DNS_RECORD:
                    frontier.append(dst)
                elif dst not in out:
                    out.append(dst)
    return out


def dns_outcome(graph: nx.MultiDiGraph, records: list[str], scenario: Scenario, *,
                coverage: Iterable[Coverage] = ()) -> Availability:
    """Whether one DNS name (its records) still answers with a live target in ``scenario``, judging DNS
    alone: anything a record routes to counts as up unless it is directly in a failed region/zone."""
    a = _Assessor(graph, scenario, coverage, shallow=True)
    got = a.serve_record_group(sorted(records))
    return Availability(got.ok, got.chain, got.cause, _unique(got.failovers), [], _unique(got.control_plane))


def chain_evidence(graph: nx.MultiDiGraph, nodes: Iterable[str]) -> tuple[str, str]:
    """``(sources, observed_at)`` for evidence about several nodes: the API calls their facts came
    from (comma-separated, in order) and the latest observation time."""
    sources: list[str] = []
    times: list[str] = []
    for n in nodes:
        if n not in graph:
            continue
        d = graph._node[n]
        if d.get("source") and d["source"] not in sources:
            sources.append(d["source"])
        if d.get("observed_at"):
            times.append(d["observed_at"])
    return ", ".join(sources), max(times) if times else ""


#: kinds that neither serve nor hold the workload's data (copies, their plumbing, configuration, evidence), left
#: out of the components a surviving workload's sentence names as lost
_NOT_NAMED_LOST = frozenset({RECOVERY_POINT, BACKUP_VAULT, BACKUP_PLAN, SUBNET, DNS_ZONE, HEALTH_CHECK, TARGET_GROUP,
                             LAUNCH_TEMPLATE, MACHINE_IMAGE, PARAMETER, IMAGE_REPOSITORY, FAULT_EXPERIMENT, RESTORE_TEST,
                             RESILIENCE_ASSESSMENT, FAILOVER_PLAN, FAILOVER_EXECUTION, ROUTING_CONTROL})


def _why(graph: nx.MultiDiGraph, impact: WorkloadImpact, cause: str, *, copy_doubt: bool = False) -> str:
    """The verdict in one sentence. ``copy_doubt``: a failed read could hide a copy of a data store named as
    having none (the serving failure decides the verdict, so the sentence says only what was seen)."""
    scenario = impact.scenario.describe()

    def name(n: str) -> str:  # two resources of one name are told apart (by region, then kind)
        return display_name(graph, n)

    if not impact.serving:
        chain = " -> ".join(name(n) for n in impact.broken_chain)
        text = (f"{impact.workload} does not serve even before {scenario}: {chain} ({cause})" if impact.standing
                else f"{impact.workload} stops serving on {scenario}: {chain} ({cause})")
        if impact.lost_data:
            text += f"; no surviving copy of {_and([name(n) for n in impact.lost_data])}" + (
                " was seen (a read that failed could hide one)" if copy_doubt else "")
        return text
    if not impact.data_intact:
        lost = _and([name(n) for n in impact.lost_data])
        if not impact.entry_points:  # data only: nothing serves, so "keeps serving" would be a false comfort
            return f"{impact.workload} loses data on {scenario}: no surviving copy of {lost}"
        return f"{impact.workload} keeps serving on {scenario} but loses data: no surviving copy of {lost}"
    if impact.failovers:
        used = "; ".join(f"{name(s)} -> {name(t)} ({m})" if s != t else f"{name(s)} ({m})"
                         for s, t, m in impact.failovers)
        return f"{impact.workload} survives {scenario} through {used}"
    text = f"{impact.workload} survives {scenario} with no failover needed"
    lost = [n for n in impact.lost if graph._node[n].get("kind") not in _NOT_NAMED_LOST and not _in_group(graph, n)]
    if lost:  # e.g. a second site that serves alone while the first one's components are gone
        named = [name(n) for n in lost[:3]] + ([f"{len(lost) - 3} more"] if len(lost) > 3 else [])
        text += f": what it serves through does not need {_and(named)}, lost with it"
    return text


# --- helpers --------------------------------------------------------------------------------------
def _in_group(graph: nx.MultiDiGraph, node: str) -> bool:
    """An instance of an Auto Scaling group: the group replaces it, or is named lost itself."""
    return graph._node[node].get("kind") == INSTANCE and any(
        graph._node[g].get("kind") == COMPUTE_GROUP for g, _ in out_edges(graph, node, MEMBER_OF))


def _record_key(graph: nx.MultiDiGraph, record: str) -> tuple[str, str, str]:
    """(name, type, zone): a routing policy (failover pair, latency set) lives in one zone; the same name
    in another zone (a private zone, another account's) answers other clients and is another group."""
    attrs = graph._node[record].get("attrs") or {}
    name = str(attrs.get("dns_name") or graph._node[record].get("name") or record).rstrip(".").lower()
    return name, str(attrs.get("record_type") or ""), str(attrs.get("zone_id") or "")


def _priority(attrs: dict[str, Any]) -> float:
    """A pool member's priority (lower is preferred); none given: all alike."""
    value = attrs.get("priority")
    return float(value) if isinstance(value, int | float) else 0.0


def _prefixed(node: str, got: _Outcome) -> _Outcome:
    return _Outcome(got.ok, [node, *got.chain], got.cause, list(got.failovers), set(got.used) | {node},
                    set(got.alternatives), list(got.control_plane), got.standing)


def _merge_fail(node: str, got: _Outcome) -> _Outcome:
    return _Outcome(False, [node, *got.chain], got.cause, alternatives=set(got.alternatives),
                    control_plane=list(got.control_plane), standing=got.standing)


def _absorb(into: _Outcome, got: _Outcome) -> None:
    into.failovers += got.failovers
    into.used |= got.used
    into.alternatives |= got.alternatives
    into.control_plane += got.control_plane
    if len(into.chain) == 1 and got.chain and got.chain[0] != into.chain[0]:
        into.chain = [into.chain[0], *got.chain]


def _sorted_failovers(graph: nx.MultiDiGraph, failovers: Iterable[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Each failover once, by the name then the id of what fails over: the walk's order follows the
    inventory's, which an online scan and an offline re-run of the same estate need not share."""
    return sorted(_unique(failovers), key=lambda f: (display_name(graph, f[0]), f[0], f[1], f[2]))


def _unique(items: Iterable[Any]) -> list[Any]:
    return list(dict.fromkeys(items))


def _and(items: list[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
