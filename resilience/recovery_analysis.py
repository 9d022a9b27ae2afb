"""One workload in one scenario, priced: what survival says is lost, which copy survives and which failover
can run, turned into recovery steps with the model's times (see :mod:`resilience.recovery`), and the
backup schedules that bound the RPO."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from . import survival
from .copies import made_on_request
from .coverage_index import coverage_index
from .durations import format_duration
from .model import (
    BACKED_UP_TO,
    BACKUP_PLAN,
    COMPUTE_GROUP,
    COMPUTE_KINDS,
    DATA_KINDS,
    DATABASE,
    DEPENDS_ON,
    DNS_RECORD,
    EXTERNAL,
    FAILS_OVER_TO,
    INSTANCE,
    LOAD_BALANCER,
    MEMBER_OF,
    OBJECT_STORE,
    QUEUE,
    RECOVERY_POINT,
    REPLICATES_TO,
    ROUTES_TO,
    TARGET_GROUP,
    VOLUME,
    Coverage,
)
from .recovery_model import (  # noqa: F401 (the table's names stay importable from here)
    BASES,
    DISRUPTIONS,
    UNBOUNDED,
    ModelEntry,
    RecoveryModel,
    RecoveryModelError,
    load_table,
    model_for,
    parse_table,
    validate_recovery_model,
)
from .recovery_steps import _NOT_SERVING, GIB, MIB, Step, _as_scenario, _index, fmt, scenario_label
from .schedules import schedule_interval  # noqa: F401 (re-exported)


@dataclass
class _Option:
    mechanism: str
    model_key: str
    rto: float | None
    rpo: float | None
    reasoning: str
    to: str | None = None
    rto_lower_bound: bool = False  # the RTO is a fixed part only (a restore of unknown size): it may take longer

    def sort_key(self) -> tuple:
        """Known times first, fastest first; then lower bounds (a restore of unknown size can be slower than
        any known mechanism, so it never wins on its fixed part alone); unbounded last."""
        rto = self.rto if self.rto is not None else UNBOUNDED
        rank = 2 if rto == UNBOUNDED else 1 if self.rto_lower_bound else 0
        return (rank, rto, self.rpo if self.rpo is not None else UNBOUNDED)


def _resource_gaps(coverage: Iterable[Coverage]) -> tuple[Coverage, ...]:
    """The failed reads made for one resource, found once per coverage list (not per analysis)."""
    index = coverage_index(coverage)
    memo = index.answers("recovery.resource_gaps")
    if "gaps" not in memo:
        memo["gaps"] = tuple(c for c in index.failed if c.status in ("denied", "error", "unreachable")
                             and c.resources)
    return memo["gaps"]


class _Analysis:
    """One workload in one scenario. What is lost, which copy survives, what is disposable and which
    failover can run are :mod:`resilience.survival`'s answers (``node_down``, ``is_disposable``,
    ``data_copies``, ``backups_of``, ``copy_down``, ``copy_blocked``, ``data_outcome``); this class only
    prices them with the model."""

    def __init__(self, graph: nx.MultiDiGraph, workload: str, scenario: Any, model: RecoveryModel,
                 coverage: tuple[Coverage, ...], as_of: dt.datetime | None,
                 objective: Any = None) -> None:
        self.g = graph
        self.workload = workload
        self.scenario = _as_scenario(scenario)
        self.failed_regions = self.scenario.failed_regions
        self.failed_zones = self.scenario.failed_zones
        self.label = scenario_label(scenario)
        self.model = model
        self.as_of = as_of
        self.objective = objective  # the workload's objective for this disruption (rto/rpo seconds), if declared
        self.serving = False  # survival's verdict for the scenario: the workload keeps serving
        self.unknown: list[str] = []
        # what a doubt in ``unknown`` is about: (the store whose copy it concerns, what marks a step relying on that
        # copy: the copy's id as the step's ``to``, or the model key of a restore from it); else any step
        self.doubt_scope: dict[str, tuple[str, frozenset[str]]] = {}
        self.notes: list[str] = []
        # reads made for one resource that failed: a copy held under it may lack facts (its schedule)
        self._resource_gaps = _resource_gaps(coverage)
        self.coverage = coverage
        self._available: dict[str, survival.Availability] = {}  # survival's dependency_outcome, per node
        self.index = _index(graph)
        self.members = self.index.members.get(workload, [])
        self._nodes = graph._node  # node data (what graph.nodes[n] returns), looked up ~10^5 times per workload
        self._down: dict[str, bool] = {}
        memos = survival.per_graph(graph, "recovery.analysis")  # this graph's memos below, found in one look-up
        if not memos:
            memos.update((name, survival.per_graph(graph, f"recovery.{name}"))
                         for name in ("path", "shape", "chain", "chain_parts"))
        paths = memos["path"]  # the graph's and workload's alone: once
        if workload not in paths:
            paths[workload] = self._path()
        self.path = list(paths[workload])
        # what depends on the graph and the workload alone, not on the scenario: computed once per workload
        self._shape = memos["shape"].setdefault(workload, {})
        self._chains = memos["chain"]
        self._chain_memo = memos["chain_parts"]

    def path_regions(self) -> frozenset[str]:
        """The regions of the serving path's nodes (shared: read-only)."""
        if "regions" not in self._shape:
            self._shape["regions"] = frozenset(self._nodes[n]["region"] for n in self.path)
        return self._shape["regions"]

    # ---- graph helpers
    def d(self, n: str) -> dict[str, Any]:
        return self._nodes[n]

    def kind(self, n: str) -> str:
        return self._nodes[n]["kind"]

    def attrs(self, n: str) -> dict[str, Any]:
        return self.d(n).get("attrs") or {}

    def name(self, n: str) -> str:
        return self.d(n).get("name") or n

    def region(self, n: str) -> str:
        return self.d(n).get("region") or "unknown"

    def out(self, n: str, kind: str) -> list[tuple[str, dict]]:
        return survival.out_edges(self.g, n, kind)

    def inn(self, n: str, kind: str) -> list[tuple[str, dict]]:
        return [(src, data.get("attrs") or {}) for src, _, k, data in self.g.in_edges(n, keys=True, data=True)
                if k == kind]

    # ---- survival's verdicts
    def lost(self, n: str) -> bool:
        """Down in the scenario, as :func:`resilience.survival.node_down` decides (its region failed, or
        every zone it has; a Multi-AZ RDS instance with one recorded zone keeps its standby elsewhere)."""
        got = self._down.get(n)
        if got is None:
            got = self._down[n] = survival.node_down(self.g, n, self.scenario) is not None
        return got

    def affected(self, n: str) -> bool:
        """Lost, or a multi-zone resource that lost one of its zones (its own HA mechanism recovers it)."""
        return self.lost(n) or not self.failed_zones.isdisjoint(survival.zones_of_node(self._nodes[n]))

    def region_known(self, n: str) -> bool:
        return self.region(n) not in ("unknown", "")

    def entry(self, key: str) -> ModelEntry:
        return self.model[key]

    # ---- the serving path: members plus what they depend on (dependencies of other workloads too)
    def _path(self) -> list[str]:
        seen: set[str] = set()
        stack = [n for n in self.members if self.kind(n) not in _NOT_SERVING]
        while stack:
            n = stack.pop()
            if n in seen:
                continue
            seen.add(n)
            for dst, _ in self.out(n, DEPENDS_ON) + survival.live_routes(self.g, n):
                if self.kind(dst) not in _NOT_SERVING and dst not in seen:
                    stack.append(dst)
        return sorted(seen)

    def run(self) -> list[Step]:
        steps: list[Step] = []
        steps += self._data_steps()
        compute_steps = self._compute_steps()
        steps += compute_steps
        steps += self._messaging_steps()
        steps += self._entry_steps()
        return steps

    def _messaging_steps(self) -> list[Step]:
        """A lost messaging namespace on the path that survival serves through a Geo-DR pairing: the alias
        fails over (an RTO path), but the pairing copies metadata only, so its messages are no copy (RPO
        unbounded): ``messaging-geo-dr-failover``."""
        steps = []
        for n in self.path:
            if self.kind(n) != QUEUE or not self.lost(n):
                continue
            option = self._replica_takeover(n)
            if option is not None and option.model_key == "messaging-geo-dr-failover":
                steps.append(self._step(n, option, "data"))
        return steps

    def _step(self, node: str, option: _Option, role: str, alternatives: Iterable[_Option] = ()) -> Step:
        return Step(
            resource=node, name=self.name(node), mechanism=option.mechanism, rto=option.rto, rpo=option.rpo,
            reasoning=option.reasoning, model_key=option.model_key, scenario=self.label,
            # the mechanism's source in the documentation of the provider the step is about
            source=self.entry(option.model_key).source_for(self.d(node).get("provider")),
            role=role, to=option.to, rto_lower_bound=option.rto_lower_bound,
            alternatives=tuple(f"{a.model_key}: RTO {fmt(a.rto)}, RPO {fmt(a.rpo)} ({a.reasoning})"
                               for a in alternatives),
        )

    def _option(self, key: str, reasoning: str, *, rto: float | None = None, rpo: float | None = None,
                to: str | None = None, computed: bool = False, lower_bound: bool = False) -> _Option:
        """An option priced by model entry ``key``. Table values (or policy overrides) win over the
        computed ``rto``/``rpo`` passed in, except where the table says ``computed``."""
        entry = self.entry(key)
        use_rto = entry.rto if entry.rto is not None else rto
        use_rpo = entry.rpo if entry.rpo is not None else rpo
        if computed and "rpo" not in entry.overridden and rpo is not None:
            use_rpo = rpo  # an observed number (replica lag) beats the table's typical value
        return _Option(mechanism=entry.mechanism, model_key=key, rto=use_rto, rpo=use_rpo, reasoning=reasoning,
                       to=to, rto_lower_bound=lower_bound and entry.rto is None)

    # ---- data ----------------------------------------------------------------------------
    def copies(self, n: str) -> list[survival.Copy]:
        """Live copies (replicas, standbys, peers, source), with the control plane each failover needs."""
        return survival.data_copies(self.g, n)

    def backups(self, n: str) -> list[survival.Copy]:
        """Backups: recovery points and their copies, plans and their vaults, automated backups/PITR."""
        return survival.backups_of(self.g, n)

    def _data_nodes(self) -> list[str]:
        out = []
        for n in self.path:
            # an Auto Scaling instance's volume is replaced with the instance: survival.is_disposable
            if self.kind(n) not in DATA_KINDS or survival.is_disposable(self.g, n):
                continue
            # an instance is priced as its cluster (which owns the storage), read the way survival judges
            # it: survival.cluster_of (a member_of edge, else attrs.cluster_id)
            out.append(survival.cluster_of(self.g, n) or n)
        return sorted(set(out))

    def _data_sets(self) -> list[list[str]]:
        """Data stores grouped with their live copies (replicas, peers, sources, global-table and
        global-database members: :func:`survival.data_copies`). Shared: read-only."""
        if "data_sets" not in self._shape:
            self._shape["data_sets"] = self._group_data_sets()
        return self._shape["data_sets"]

    def _group_data_sets(self) -> list[list[str]]:
        nodes = self._data_nodes()
        parent: dict[str, str] = {}

        def find(x: str) -> str:
            parent.setdefault(x, x)
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        def union(a: str, b: str) -> None:
            parent[find(a)] = find(b)

        for n in nodes:
            find(n)
            for copy in self.copies(n):
                union(n, copy.id)
        groups: dict[str, list[str]] = {}
        for n in list(parent):
            if self.kind(n) in DATA_KINDS or self.kind(n) == EXTERNAL:  # not a replicated VM (Site Recovery)
                groups.setdefault(find(n), []).append(n)
        return sorted(sorted(group) for group in groups.values())

    def _writers(self, group: list[str]) -> list[str]:
        """Members that accept writes: role ``primary``/``member`` (global-table members all write;
        Aurora global secondaries and read replicas report ``replica``); without roles, the nodes
        nothing replicates into. Shared: read-only."""
        known = self._shape.setdefault("writers", {})
        key = tuple(group)
        if key not in known:
            known[key] = self._find_writers(group)
        return known[key]

    def _find_writers(self, group: list[str]) -> list[str]:
        writers = [n for n in group if self.kind(n) != EXTERNAL
                   and self.attrs(n).get("role") in ("primary", "member")]
        if not writers:
            replicated_into = {dst for n in group for dst, _ in self.out(n, REPLICATES_TO)}
            writers = [n for n in group if n not in replicated_into and self.kind(n) != EXTERNAL]
            if not writers:  # replication both ways (bidirectional S3 replication): every copy is written to
                writers = [n for n in group if self.kind(n) != EXTERNAL]
        return sorted(set(writers))

    def _data_steps(self) -> list[Step]:
        steps = []
        for group in self._data_sets():
            writers = self._writers(group)
            for w in writers:
                if not self.affected(w):
                    continue
                if not self.lost(w):
                    option = self._in_place_option(w)
                    if option is not None:
                        steps.append(self._step(w, option, "data"))
                    continue
                steps.append(self._lost_data_step(w, writers))
        return steps

    def _lost_data_step(self, w: str, writers: list[str]) -> Step:
        """A lost data store: the fastest of its surviving copies and backups; ``no-copy`` when
        :func:`survival.data_outcome` finds none (the one definition of "a copy survives")."""
        outcome = survival.data_outcome(self.g, w, self.scenario)
        # survival's own pick always counts, even if the per-copy reading below were stricter
        chosen = {dst for _, dst, _ in outcome.failovers} if outcome.ok else set()
        backups, lost_copies, lost_with = self._backup_options(w, chosen)
        options = self._copy_options(w, writers, chosen) + backups if outcome.ok else []
        if lost_copies:
            self.notes.append(f"{self.name(w)}: {'; '.join(lost_copies)} would be lost with {lost_with}")
        if not options:
            return self._step(w, self._no_copy_option(w, lost_copies), "data")
        options.sort(key=_Option.sort_key)
        meeting = [o for o in options if self._meets_objective(o)]
        if meeting and meeting[0] is not options[0]:
            # a slower option that meets both objectives is the one to run (a faster restore that loses a
            # day does not meet an RPO of minutes): the achievable figures are that option's
            chosen = meeting[0]
            chosen.reasoning += (f" (chosen over the faster {options[0].model_key}, RTO {fmt(options[0].rto)} / "
                                 f"RPO {fmt(options[0].rpo)}, which misses the objective)")
            options = [chosen, *(o for o in options if o is not chosen)]
        return self._step(w, options[0], "data", options[1:])

    def _meets_objective(self, option: _Option) -> bool:
        target = self.objective
        if target is None or (target.rto is None and target.rpo is None):
            return False
        if option.rto_lower_bound and target.rto is not None:
            return False  # only its fixed part is known: whether it meets the RTO is not
        return all(want is None or (got is not None and got <= want)
                   for got, want in ((option.rto, target.rto), (option.rpo, target.rpo)))

    def _where(self) -> str:
        return ", ".join(sorted(self.failed_regions | self.failed_zones))

    def _multi_writer_option(self, lost: str, other: str, attrs: Mapping[str, Any]) -> _Option:
        """Several copies accept writes (global-table members, two-way replication): the others keep
        going; what was not yet replicated from the lost one is lost."""
        option = self._replica_option(lost, other, attrs)
        unreplicated = ("replication is synchronous: no acknowledged write is lost" if attrs.get("mode") == "sync"
                        else f"writes not yet replicated from {self.name(lost)} are lost")
        option.reasoning = (f"{self.name(lost)} is lost; {self.name(other)} in {self.region(other)} keeps accepting "
                            f"reads and writes; {unreplicated}")
        return option

    def _in_place_option(self, n: str) -> _Option | None:
        """A multi-zone resource that lost one of its zones: its own HA mechanism."""
        t = self.d(n)["type"]
        a = self.attrs(n)
        engine = str(a.get("engine") or "")
        lost_zones = ", ".join(sorted(set(self.d(n)["zones"]) & self.failed_zones))
        if t == "AWS::RDS::DBInstance" and a.get("multi_az"):
            return self._option("rds-multi-az-instance",
                                f"{self.name(n)} is Multi-AZ; {lost_zones} is lost: RDS fails over to the standby")
        if t == "AWS::RDS::DBCluster" and engine.startswith("aurora"):
            instances = [src for src, _ in self.inn(n, MEMBER_OF) if self.kind(src) == DATABASE]
            if instances and not any(self.lost(i) for i in instances):
                return None  # storage spans three zones and no instance was in the lost zone
            surviving = [i for i in instances if not self.lost(i)]
            if surviving:
                return self._option("aurora-replica-failover",
                                    f"{self.name(n)}: an instance in {lost_zones} is lost; reader "
                                    f"{self.name(surviving[0])} is promoted", to=surviving[0])
            return self._option("aurora-no-replica",
                                f"{self.name(n)} has no instance outside {lost_zones}; Aurora recreates the writer "
                                "(the cluster volume survives)")
        if t == "AWS::RDS::DBCluster" and a.get("multi_az"):
            return self._option("rds-multi-az-cluster",
                                f"{self.name(n)} is a Multi-AZ DB cluster; {lost_zones} is lost: a readable "
                                "standby takes over")
        return self._option("regional-service-multi-az",
                            f"{self.name(n)} spans {len(self.d(n)['zones'])} zones; {lost_zones} is lost, the "
                            "others keep serving")

    def copy_doubt(self, text: str, store: str, relied_on: str) -> None:
        """A doubt about one copy of ``store`` (where it is): it can change only ``store``'s step, and raise it
        only when that step relies on the copy (its option's ``to``, or the model key of a restore from it)."""
        self.unknown.append(text)
        self.doubt_scope[text] = (store, frozenset({relied_on}))

    def _copy_options(self, w: str, writers: list[str], chosen: set[str]) -> list[_Option]:
        """One option per live copy of ``w`` (:func:`survival.data_copies`) that survives; a failover
        whose control plane is in a failed region is priced ``control-plane-blocked``."""
        options = []
        for copy in self.copies(w):
            if copy.id == w or (survival.copy_down(self.g, copy, self.scenario) and copy.id not in chosen):
                continue
            if not self.region_known(copy.id):
                self.copy_doubt(f"replica {copy.id} of {self.name(w)}: its region is unknown, so whether it "
                                f"survives {self.label} cannot be told", w, copy.id)
            attrs = self._replication_attrs(w, copy.id)
            if copy.id in writers:
                option = self._multi_writer_option(w, copy.id, attrs)
            else:
                option = self._replica_option(w, copy.id, attrs)
            region = survival.copy_blocked(copy, self.scenario)
            if region:
                self.notes.append(f"{self.name(w)} -> {self.name(copy.id)}: the failover needs the control plane "
                                  f"(API) of failed region {region}; not counted")
                option = self._blocked_option(w, copy, option, region)
            options.append(option)
        return options

    def _replication_attrs(self, w: str, dst: str) -> Mapping[str, Any]:
        """The replication edge's attributes (``mode``, ``lag_s``, ``rtc``) between ``w`` and its copy
        ``dst`` (either way), else of the edge that feeds ``dst`` (a replica of a replica)."""
        for a, b in ((w, dst), (dst, w)):
            if self.g.has_edge(a, b, REPLICATES_TO):
                return self.g.edges[a, b, REPLICATES_TO].get("attrs") or {}
        incoming = self.inn(dst, REPLICATES_TO)
        return incoming[0][1] if incoming else {}

    def _blocked_option(self, w: str, copy: survival.Copy, priced: _Option, region: str) -> _Option:
        """The copy holds the data (its RPO stands) but the failover to it cannot be started (REL11-BP04)."""
        return self._option(
            "control-plane-blocked",
            f"{self.name(w)} is lost with {self._where()}; {self.name(copy.id)} in {self.region(copy.id)} holds "
            f"the data ({priced.model_key}: RPO {fmt(priced.rpo)}), but {copy.mechanism} needs the control plane "
            f"(API) of failed region {region}: it cannot run until {region} returns", rpo=priced.rpo)

    def _replica_option(self, w: str, dst: str, ea: Mapping[str, Any]) -> _Option:
        t = self.d(w)["type"]
        a = self.attrs(w)
        where = f"{self.name(dst)} in {self.region(dst)}"
        lost = f"{self.name(w)} is lost with {self._where()}"
        lag = ea.get("lag_s") if isinstance(ea.get("lag_s"), int | float) else None
        sync = ea.get("mode") == "sync"
        if ea.get("mechanism") == "site-recovery":  # an Azure VM's disks, replicated by Site Recovery
            entry = self.entry("azure-site-recovery-failover")
            rpo = float(lag) if lag is not None else entry.param("assumed_lag")
            return self._option("azure-site-recovery-failover", f"{lost}; Site Recovery fails over (manually) to "
                                f"{where}", rpo=rpo, to=dst, computed=True)
        if self.kind(w) == OBJECT_STORE and t.startswith("storage.googleapis.com/"):
            if ea.get("rtc"):
                return self._option("gcs-dual-region-turbo", f"{lost}; {where} holds the objects (turbo "
                                    "replication)", to=dst)
            return self._option("gcs-dual-region", f"{lost}; {where} holds the objects (default replication)",
                                to=dst)
        if self.kind(w) == OBJECT_STORE and t.startswith("Microsoft.Storage/") and dst.endswith("#secondary"):
            return self._option("azure-storage-geo-failover", f"{lost}; account failover to the geo-secondary "
                                f"{where}", to=dst)
        if self.kind(w) == OBJECT_STORE and t.startswith("Microsoft.Storage/"):
            return self._option("azure-object-replication", f"{lost}; block blobs replicate (object replication, "
                                f"asynchronous) to {where}", to=dst)
        if self.kind(w) == OBJECT_STORE:
            if ea.get("rtc"):
                return self._option("s3-crr-rtc", f"{lost}; objects replicate with RTC to {where}", to=dst)
            return self._option("s3-crr", f"{lost}; objects replicate (no RTC, no SLA) to {where}", to=dst)
        if t.startswith("AWS::DynamoDB"):
            return self._option("dynamodb-global-table", f"{lost}; global-table replica {where}",
                                rpo=lag, to=dst, computed=lag is not None)
        is_global = bool(a.get("global_cluster_id") or self.attrs(dst).get("global_cluster_id"))
        if t == "AWS::RDS::DBCluster" and str(a.get("engine", "")).startswith("aurora") and is_global:
            return self._option("aurora-global-database", f"{lost}; secondary cluster {where} is promoted",
                                rpo=lag, to=dst, computed=lag is not None)
        if t.startswith("Microsoft.Sql/"):
            return self._azure_sql_option(w, dst, lost, where, lag)
        if t.startswith(("spanner.googleapis.com/", "firestore.googleapis.com/")) and sync \
                and self._failover_attrs(w, dst).get("automatic") is True:
            return self._option("gcp-multi-region-database", f"{lost}; {where} keeps serving: synchronous "
                                "replication across regions, failover by the service", to=dst)
        if t.lower().startswith("microsoft.documentdb/"):
            return self._cosmos_option(w, dst, lost, where, lag, sync)
        key = "cloudsql-replica-promotion" if t.startswith("sqladmin.googleapis.com/") else "rds-read-replica-promotion"
        entry = self.entry(key)
        if sync:
            rpo, lag_text = 0.0, "synchronous replication: no lag"
        elif lag is not None:
            rpo, lag_text = float(lag), f"observed replica lag {format_duration(lag)}"
        else:
            rpo, lag_text = entry.param("assumed_lag"), (f"replica lag not reported, "
                                                         f"{format_duration(entry.param('assumed_lag'))} assumed")
        what = "read replica" if self.kind(dst) in (DATABASE, EXTERNAL) else "replica"
        return self._option(key, f"{lost}; {what} {where} is promoted ({lag_text})", rpo=rpo, to=dst)

    def _cosmos_option(self, w: str, dst: str, lost: str, where: str, lag: float | None, sync: bool) -> _Option:
        """A Cosmos DB account's read region takes the writes: by itself with service-managed failover, else when
        someone changes the failover priority."""
        entry = self.entry("cosmos-db-failover")
        automatic = self._failover_attrs(w, dst).get("automatic") is True
        managed = entry.param("service_managed")
        rto = managed if automatic else entry.param("decision") + managed
        how = (f"service-managed failover: {format_duration(rto)}" if automatic else
               f"no service-managed failover: someone changes the failover priority: "
               f"{format_duration(entry.param('decision'))} to decide + {format_duration(managed)} = {format_duration(rto)}")
        if sync:
            rpo, lag_text = 0.0, "strong consistency: no lag"
        elif lag is not None:
            rpo, lag_text = float(lag), f"observed replication lag {format_duration(lag)}"
        else:
            rpo, lag_text = entry.param("assumed_lag"), f"lag not reported, {format_duration(entry.param('assumed_lag'))} assumed"
        return self._option("cosmos-db-failover", f"{lost}; its read region {self.region(dst)} takes the writes ({how}; {lag_text})",
                            rto=rto, rpo=rpo, to=dst)

    def _azure_sql_option(self, w: str, dst: str, lost: str, where: str, lag: float | None) -> _Option:
        """An Azure SQL geo-secondary. Anyone can force the failover (decision + failover); with the Automatic
        policy Microsoft also runs it after the group's grace period: whichever comes first."""
        fo = self._failover_attrs(w, dst)
        customer = self.entry("azure-sql-customer-failover")
        decide, switch = customer.param("decision"), customer.param("failover")
        forced = decide + switch
        forced_text = (f"{format_duration(decide)} to decide + {format_duration(switch)} failover to {where} = "
                       f"{format_duration(forced)}")
        if fo.get("automatic") is True:
            managed = self.entry("azure-sql-failover-group-automatic")
            grace = fo.get("grace_period_minutes")
            wait = float(grace) * 60 if isinstance(grace, int | float) else managed.param("default_grace_period")
            said = (f"the {format_duration(wait)} grace period" if isinstance(grace, int | float)
                    else f"the default {format_duration(wait)} grace period (the group's was not reported)")
            automatic = wait + managed.param("listener_switch")
            # both paths are stated: whichever comes first prices the step
            text = (f"{lost}; automatic failover (Microsoft managed) after {said}: {format_duration(wait)} + "
                    f"{format_duration(managed.param('listener_switch'))} listener switch = "
                    f"{format_duration(automatic)}; a person forcing failover after the {format_duration(decide)} "
                    f"decision time is assumed: {forced_text}; whichever comes first")
            candidates = [
                self._option("azure-sql-failover-group-automatic", text, rto=automatic, rpo=lag, to=dst,
                             computed=lag is not None),
                self._option("azure-sql-customer-failover", text, rto=forced, rpo=lag, to=dst, computed=lag is not None)]
            return min(candidates, key=_Option.sort_key)
        how = ("failover is manual (customer-managed, the failover group's policy is Manual): a person must start it"
               if fo else "a geo-replication link fails over only when asked: a person must start it")
        return self._option("azure-sql-customer-failover", f"{lost}; {how}: {forced_text}", rto=forced, rpo=lag,
                            to=dst, computed=lag is not None)

    def _failover_attrs(self, w: str, dst: str) -> Mapping[str, Any]:
        """The ``fails_over_to`` edge's attributes between ``w`` and ``dst`` (either way); empty when none."""
        for a, b in ((w, dst), (dst, w)):
            if self.g.has_edge(a, b, FAILS_OVER_TO):
                return self.g.edges[a, b, FAILS_OVER_TO].get("attrs") or {}
        return {}

    # ---- backups
    def _size_bytes(self, n: str, points: Iterable[str] = ()) -> float | None:
        a = self.attrs(n)
        if isinstance(a.get("storage_bytes"), int | float):
            return float(a["storage_bytes"])
        if isinstance(a.get("size_gib"), int | float):
            return float(a["size_gib"]) * GIB
        sizes = [self.attrs(p).get("size_bytes") for p in points]
        sizes = [s for s in sizes if isinstance(s, int | float)]
        if sizes:
            return float(max(sizes))
        if self.kind(n) == INSTANCE:  # a VM restored whole: its attached disks, when every size is known
            disks = _attached_disks(self.g).get(n)
            if disks and all(isinstance(size, int | float) for size in disks):
                return float(sum(disks)) * GIB
        return None

    def _restore_time(self, key: str, n: str, points: Iterable[str]) -> tuple[float | None, str, bool]:
        """``(seconds, how, lower bound)``: the fixed part plus the size at the table's throughput; the
        fixed part alone, a lower bound, when the size is unknown."""
        entry = self.entry(key if key in ("restore-in-region-backup", "restore-cross-region-copy")
                           else "restore-in-region-backup")
        fixed, rate = entry.param("fixed"), entry.param("throughput_mib_s")
        size = self._size_bytes(n, points)
        if size is None:
            return fixed, (f"size unknown: {format_duration(fixed)} fixed part only (a lower bound)"), True
        seconds = fixed + size / (rate * MIB)
        return seconds, (f"{format_duration(fixed)} + {size / GIB:.0f} GiB at {rate:g} MiB/s "
                         f"= {format_duration(seconds)}"), False

    def _schedules(self, w: str, backups: list[survival.Copy]) -> dict[str, list[str]]:
        """The schedules that fill each backup location of ``w``: a plan's rules (``schedule`` for its
        ``target_vault`` and ``copy_to`` vaults), ``backed_up_to`` edge schedules (to a plan, or straight to
        the recovery points a service keeps on a schedule: Cloud SQL's daily backups), inherited by the
        vaults a vault copies to."""
        out: dict[str, list[str]] = {}

        def put(node: str | None, schedule: str | None) -> None:
            if node and schedule and schedule not in out.setdefault(node, []):
                out[node].append(schedule)

        edge_schedule = {plan: ea.get("schedule") for plan, ea in self.out(w, BACKED_UP_TO)}
        for copy in backups:
            if copy.id not in self.g:
                continue
            put(copy.id, edge_schedule.get(copy.id))
            if self.kind(copy.id) != BACKUP_PLAN:
                continue
            for rule in self.attrs(copy.id).get("rules") or ():
                put(copy.id, rule.get("schedule"))
                for vault in [rule.get("target_vault"), *(rule.get("copy_to") or ())]:
                    put(vault, rule.get("schedule"))
            for vault, va in self.out(copy.id, BACKED_UP_TO):
                put(vault, va.get("schedule") or edge_schedule.get(copy.id))
        frontier = [v for v in out if v in self.g]
        while frontier:
            vault = frontier.pop()
            for dst, _ in self.out(vault, REPLICATES_TO):
                before = len(out.get(dst, ()))
                for schedule in out[vault]:
                    put(dst, schedule)
                if len(out[dst]) != before and dst in self.g:
                    frontier.append(dst)
        return out

    def _interval(self, key: str, schedules: Iterable[str | None], points: list[str],
                  copies: Iterable[str] = ()) -> tuple[float, str]:
        """RPO of restoring from one backup location: the age of its newest usable copy at scan time
        (what is lost if the failure happens now) or the schedule's interval (what is lost if it happens
        just before the next copy), whichever is worse. Without a scan time or observed copies, the
        schedule alone; without a schedule, the age alone; without either, the table's assumption.
        Without a schedule and with only copies made by hand (:func:`copies.made_on_request`: a manual
        snapshot, its cross-region copy), nothing makes the next copy: unbounded, whatever their age.
        Without a schedule because a read made for what holds the copies failed (an Azure vault's
        backup policies), the estimate is not complete: the schedule may be longer than the age."""
        intervals = [s for s in (schedule_interval(x) for x in schedules if x) if s is not None]
        if not intervals and self._resource_gaps:
            held = list(dict.fromkeys([*points, *copies]))
            for c in self._resource_gaps:
                if any(c.applies_to(n) for n in held):
                    self.unknown.append(f"{c.provider} {c.service} in {c.region} could not be read ({c.status}"
                                        f"{': ' + c.detail if c.detail else ''}): the backup schedule of "
                                        f"{', '.join(self.name(n) for n in held if c.applies_to(n))} is unknown, "
                                        "so the RPO may be longer than estimated")
        age = self._newest_age(points)
        unusable = [p for p in points if not survival.copy_usable(self.d(p))]
        skipped = (f" ({len(unusable)} copy(ies) not completed are not counted: "
                   f"{', '.join(sorted({str(self.attrs(p).get('status')) for p in unusable}))})") if unusable else ""
        if intervals:
            best = min(intervals)
            if age is None:
                return best, f"backup schedule every {format_duration(best)}{skipped}"
            worst = max(age, best)
            return worst, (f"newest usable copy {format_duration(age)} old at scan time, backup schedule every "
                           f"{format_duration(best)}: max({format_duration(age)}, {format_duration(best)}) = "
                           f"{format_duration(worst)}{skipped}")
        usable = [p for p in points if p not in unusable]
        renewed = [p for p in usable if not made_on_request(self.d(p))]
        if usable and not renewed and not any(c in self.g and self.kind(c) != RECOVERY_POINT for c in copies):
            # one-off copies that nothing renews: what a failure loses grows with every hour from the scan on
            old = f"{format_duration(age)} old at scan time" if age is not None else "of unknown age"
            return UNBOUNDED, (f"latest copy {self._newest_name(usable)} {old}, made by hand "
                               f"({self._made_how(usable)}); no schedule or rule makes another, so no RPO is "
                               f"guaranteed{skipped}")
        if renewed:
            age = self._newest_age(renewed)
        if age is not None:
            return age, f"no schedule found; newest copy is {format_duration(age)} old at scan time{skipped}"
        entry = self.entry(key)
        assumed = entry.param("assumed_interval")
        return assumed, f"no schedule found; {format_duration(assumed)} interval assumed{skipped}"

    def _made_how(self, points: list[str]) -> str:
        """How the one-off copies among ``points`` were made, in the provider's words."""
        kinds = sorted({f"{self.d(p).get('type')} {self.attrs(p).get('snapshot_type')}" for p in points
                        if made_on_request(self.d(p))})
        return ", ".join(kinds)

    def _newest_name(self, points: list[str]) -> str:
        """The name of the newest copy among ``points`` (by the time it holds; any, when none is dated)."""
        dated = [(str(survival.copy_time(self.d(p)) or ""), p) for p in points]
        return self.name(max(dated)[1])

    def _newest_age(self, points: list[str]) -> float | None:
        """Seconds since the newest usable (completed) copy among ``points`` was made, at scan time."""
        if self.as_of is None:
            return None
        ages = []
        for p in points:
            created = _parse_time(survival.copy_time(self.d(p)))
            if created is not None and survival.copy_usable(self.d(p)):
                ages.append((self.as_of - created).total_seconds())
        return max(0.0, min(ages)) if ages else None

    def _pitr_reaches_now(self, w: str, points: list[str]) -> bool:
        """Whether a Cloud SQL instance's point-in-time recovery can restore to minutes ago: it is on, its logs
        are not on the instance's disk (lost with its zone), and they reach back to the newest usable backup it
        replays them onto (kept ``transactionLogRetentionDays``, 7 by default on Enterprise edition); a backup
        older than that leaves a gap, and the restore stops at the backup."""
        attrs = self.attrs(w)
        if not attrs.get("pitr") or attrs.get("pitr_log_storage") == "DISK":
            return False
        age = self._newest_age(points)
        return age is None or age <= float(attrs.get("log_retention_days") or 7) * 86400

    def _backup_options(self, w: str, chosen: set[str]) -> tuple[list[_Option], list[str], str]:
        """Restore options for lost ``w`` from the backups :func:`survival.backups_of` finds (in its
        region, usable when the region survives; copies elsewhere), the backups lost with it, and what
        they are lost with (their failed regions, else the failed zones)."""
        home = self.region(w)
        t = self.d(w)["type"]
        volume = self.kind(w) == VOLUME
        backups = self.backups(w)
        points = [c.id for c in backups if c.id in self.g and self.kind(c.id) == RECOVERY_POINT]
        options: list[_Option] = []
        near: list[survival.Copy] = []
        away: list[survival.Copy] = []
        gone: list[survival.Copy] = []
        for copy in backups:
            if survival.copy_down(self.g, copy, self.scenario) and copy.id not in chosen:
                gone.append(copy)
            elif copy.relation == "automated" and t.startswith("AWS::RDS"):
                rto, how, low = self._restore_time("rds-pitr", w, points)
                options.append(self._option("rds-pitr", f"{self.name(w)} is lost; point-in-time restore in {home} "
                                            f"({how})", rto=rto, lower_bound=low))
            elif copy.relation == "automated" and t == "sqladmin.googleapis.com/Instance" and self._pitr_reaches_now(
                    w, points):
                rto, how, low = self._restore_time("cloudsql-pitr", w, points)
                options.append(self._option("cloudsql-pitr", f"{self.name(w)} is lost; point-in-time restore in "
                                            f"{home} from the logs kept in Cloud Storage ({how})", rto=rto,
                                            lower_bound=low))
                near.append(copy)  # its daily backups: another in-region restore
            elif copy.relation == "automated" and t.startswith("AWS::DynamoDB"):
                rto, how, low = self._restore_time("dynamodb-pitr", w, points)
                options.append(self._option("dynamodb-pitr", f"{self.name(w)} is lost; PITR restore in {home} "
                                            f"({how})", rto=rto, lower_bound=low))
            elif copy.region == home:
                near.append(copy)  # other providers' automated backups: an in-region restore
            else:
                away.append(copy)
        schedules = self._schedules(w, backups) if near or away else {}
        if near:
            key = "ebs-snapshot-restore" if volume else "restore-in-region-backup"
            near_points = [c.id for c in near if c.id in points]
            rpo, rpo_how = self._interval(key, [s for c in near for s in schedules.get(c.id, ())], near_points,
                                          [c.id for c in near if c.id in self.g])
            if volume:
                options.append(self._option(key, f"{self.name(w)} is lost; volume from snapshot in {home} "
                                            f"(RPO: {rpo_how})", rpo=rpo))
            else:
                rto, how, low = self._restore_time(key, w, near_points)
                options.append(self._option(key, f"{self.name(w)} is lost; restore from backup in {home} "
                                            f"({how}; RPO: {rpo_how})", rto=rto, rpo=rpo, lower_bound=low))
        if away:
            key = "ebs-snapshot-restore" if volume else "restore-cross-region-copy"
            for copy in away:
                if copy.region in ("unknown", ""):
                    self.copy_doubt(f"backup {copy.id} of {self.name(w)}: its region is unknown, so whether it "
                                    f"survives {self.label} cannot be told", w, key)
            regions = sorted({c.region for c in away})
            away_points = [c.id for c in away if c.id in points]
            rpo, rpo_how = self._interval(key, [s for c in away for s in schedules.get(c.id, ())], away_points,
                                          [c.id for c in away if c.id in self.g])
            target = (away_points or [c.id for c in away])[0]
            if volume:
                options.append(self._option(key, f"{self.name(w)} is lost; volume from the snapshot copy in "
                                            f"{', '.join(regions)} (RPO: {rpo_how})", rpo=rpo, to=target))
            else:
                rto, how, low = self._restore_time(key, w, away_points)
                options.append(self._option(key, f"{self.name(w)} is lost; restore the copy in {', '.join(regions)} "
                                            f"({how}; RPO: {rpo_how})", rto=rto, rpo=rpo, to=target, lower_bound=low))
        lost_with = ", ".join(sorted({c.region for c in gone if c.region in self.failed_regions})) or self._where()
        return options, self._lost_copies(w, gone), lost_with

    def _lost_copies(self, w: str, gone: list[survival.Copy]) -> list[str]:
        """How the backups lost with the scenario read in the no-copy reasoning and the notes."""
        out = []
        stored = [c for c in gone if c.relation != "automated"
                  and (c.id not in self.g or self.kind(c.id) != BACKUP_PLAN)]  # a plan holds no data itself
        if stored:
            n_points = sum(1 for c in stored if c.id in self.g and self.kind(c.id) == RECOVERY_POINT)
            regions = ", ".join(sorted({c.region for c in stored}))
            out.append(f"{n_points} recovery point(s) and {len(stored) - n_points} backup vault(s) in {regions}")
        for c in gone:
            if c.relation == "automated":
                what = "point-in-time recovery" if self.attrs(w).get("pitr") else "automated backups"
                out.append(f"{what} (kept in {c.region})")
        return out

    def _no_copy_option(self, w: str, lost_copies: list[str]) -> _Option:
        detail = f" ({'; '.join(lost_copies)} lost with it)" if lost_copies else ""
        partial = survival.incomplete_replication(self.g, w)
        detail += f"; not counted: {'; '.join(partial)}" if partial else ""
        where = self._where()
        return self._option("no-copy", f"{self.name(w)} has no copy outside {where}{detail}")

    # ---- compute ---------------------------------------------------------------------------
    def _compute_nodes(self) -> list[str]:
        """The compute of the serving path (an instance of a group is represented by its group). Shared: read-only."""
        if "compute" not in self._shape:
            self._shape["compute"] = self._find_compute_nodes()
        return self._shape["compute"]

    def _find_compute_nodes(self) -> list[str]:
        out = []
        for n in self.path:
            k = self.kind(n)
            if k not in COMPUTE_KINDS:
                continue
            if k == INSTANCE and any(self.kind(g) == COMPUTE_GROUP for g, _ in self.out(n, MEMBER_OF)):
                continue  # represented by its group
            out.append(n)
        return out

    def _capacity(self, n: str) -> float | None:
        k, a = self.kind(n), self.attrs(n)
        if k == COMPUTE_GROUP:
            value = a.get("desired_capacity")
            return float(value) if isinstance(value, int | float) else None
        if k == INSTANCE:
            return 1.0 if a.get("state") in (None, "running") else 0.0
        return 1.0  # functions scale on demand

    def _scale_out_blocked(self, n: str) -> str | None:
        """Why a group that does not replace the instances it loses with a zone by itself
        (``replaces_lost_instances: false``: an Azure scale set) cannot scale out in the zones left;
        ``None`` when it can (an autoscale setting is on, its maximum is above the current capacity and
        zone balance is best-effort) or when the group replaces them itself (an Auto Scaling group
        relaunches to its desired capacity in the other zones, whatever its maximum)."""
        a = self.attrs(n)
        if a.get("replaces_lost_instances") is not False:
            return None
        if not a.get("autoscale_enabled"):
            return "no autoscale setting is enabled for it"
        if a.get("zone_balance") is True:
            return "strict zone balance: a scale-out that unbalances the zones fails"
        maximum, desired = a.get("max_size"), a.get("desired_capacity")
        if not isinstance(maximum, int | float):
            return "its autoscale maximum is unknown"
        if isinstance(desired, int | float) and maximum <= desired:
            return f"its autoscale maximum ({maximum:g}) is its current capacity ({desired:g})"
        return None

    def _compute_steps(self) -> list[Step]:
        steps = []
        nodes = self._compute_nodes()
        for n in nodes:
            if not self.affected(n):
                continue
            name = self.name(n)
            if not self.lost(n):
                lost_zones = ", ".join(sorted(set(self.d(n)["zones"]) & self.failed_zones))
                capacity = self._capacity(n)
                capped = self._scale_out_blocked(n) if self.kind(n) == COMPUTE_GROUP else None
                if capped and (capacity is None or capacity < 2):
                    option = self._option("instance-launch", f"{name} runs {capacity or 'an unknown number of'} "
                                          f"instance(s); losing {lost_zones} may take all of them, and nothing "
                                          f"replaces them by itself ({capped}): someone must raise the capacity "
                                          "for an instance in another zone")
                elif capped:
                    option = self._option("scale-set-no-scale-out",
                                          f"{name} spans {len(self.d(n)['zones'])} zones; {lost_zones} is lost, the "
                                          f"rest keep serving with fewer instances until it returns ({capped})")
                    self.notes.append(f"reduced capacity: {name} does not replace the instances lost with "
                                      f"{lost_zones} ({capped})")
                elif (self.kind(n) == COMPUTE_GROUP and "desired_capacity" not in self.attrs(n)
                      and self.attrs(n).get("placement") == "zone_redundant"):
                    # a platform service with no instances of the customer's (a Key Vault): the platform keeps it
                    option = self._option("regional-service-multi-az", f"{name} is zone-redundant; {lost_zones} is "
                                          "lost, the service keeps serving from the other zones")
                elif self.kind(n) == COMPUTE_GROUP and (capacity is None or capacity < 2):
                    option = self._option("instance-launch", f"{name} runs {capacity or 'an unknown number of'} "
                                          f"instance(s); losing {lost_zones} may take all of them: a replacement "
                                          "is launched in another zone")
                else:
                    option = self._option("asg-multi-az" if self.kind(n) == COMPUTE_GROUP else
                                          "regional-service-multi-az",
                                          f"{name} spans {len(self.d(n)['zones'])} zones; {lost_zones} is lost, "
                                          "the rest keep serving")
                steps.append(self._step(n, option, "compute"))
                continue
            takeover = self._replica_takeover(n)
            first_alternative, first_running = (None, None) if takeover else self._standby(n, nodes)
            if takeover:
                option = takeover
            elif first_running:
                alt = first_running
                option = self._option("standby-compute-running",
                                      f"{name} is lost with {self._where()}; {self.name(alt)} in "
                                      f"{self.region(alt)} is already running", to=alt)
            elif first_alternative:
                alt = first_alternative
                option = self._option("instance-launch",
                                      f"{name} is lost with {self._where()}; {self.name(alt)} in "
                                      f"{self.region(alt)} is at zero capacity and must scale out (pilot light)",
                                      to=alt)
            elif recovered := self._site_recovery_target(n):  # an Azure VM Site Recovery recreates elsewhere
                option = self._option("azure-site-recovery-failover",
                                      f"{name} is lost with {self._where()}; Site Recovery fails it over (manually) "
                                      f"to {self.name(recovered)} in {self.region(recovered)}", to=recovered,
                                      rpo=0.0, computed=True)  # the disks' step carries the data loss
            elif self.serving:
                option = self._option("serving-without-it",
                                      f"{name} is lost with {self._where()} and nothing of its kind survives, but "
                                      "the workload keeps serving without it (survival finds a serving path that "
                                      "does not need it): rebuilding it restores capacity, not service")
            elif restored := self._restored_instance(n):
                option = restored
            else:
                option = self._option("compute-redeploy",
                                      f"{name} is lost and the workload has no {self.kind(n).replace('_', ' ')} "
                                      f"outside {self._where()}{self._cannot_stand_in(n, nodes)}")
            steps.append(self._step(n, option, "compute"))
        return steps

    def _restored_instance(self, n: str) -> _Option | None:
        """A lost instance (a VM) whose own backups survive: restoring one recreates the VM, disks and all,
        where the backup is (Azure Backup's protected VM and its cross-region-restore copy; an AWS Backup
        recovery point of an EC2 instance). A copy in another region first; an in-region one survives a zone
        loss. ``None`` when no backup of the VM itself survives (its disks' own are their data steps)."""
        if self.kind(n) != INSTANCE:
            return None
        kept = [c for c in self.backups(n) if c.relation != "automated" and c.region not in ("", "unknown")
                and not survival.copy_down(self.g, c, self.scenario)]
        away = [c for c in kept if c.region != self.region(n)]
        chosen = away or kept
        if not chosen:
            return None
        key = "restore-cross-region-copy" if away else "restore-in-region-backup"
        points = [c.id for c in chosen if c.id in self.g and self.kind(c.id) == RECOVERY_POINT]
        rto, how, low = self._restore_time(key, n, points)
        where = ", ".join(sorted({c.region for c in chosen}))
        return self._option(key, f"{self.name(n)} is lost with {self._where()}; restore the VM from its backup in "
                            f"{where} ({how})", rto=rto, rpo=0.0, computed=True, to=chosen[0].id, lower_bound=low)

    def _outcome(self, n: str) -> survival.Availability:
        """Survival's answer for ``n`` in this scenario: it serves (itself or through a replica), or not."""
        got = self._available.get(n)
        if got is None:
            got = self._available[n] = survival.dependency_outcome(self.g, n, self.scenario, coverage=self.coverage)
        return got

    def _needs(self, n: str) -> frozenset[str]:
        """Everything ``n`` depends on, transitively (scenario-independent: shared, read-only)."""
        needs = self._shape.setdefault("needs", {})
        if n not in needs:
            seen: set[str] = set()
            stack = [n]
            while stack:
                for dep, _ in self.out(stack.pop(), DEPENDS_ON):
                    if dep not in seen:
                        seen.add(dep)
                        stack.append(dep)
            needs[n] = frozenset(seen)
        return needs[n]

    def _standby(self, n: str, nodes: list[str]) -> tuple[str | None, str | None]:
        """(first surviving, first running) counterpart of lost ``n``: compute of its kind and resource type
        (a cache is not a standby for an app, nor an app for a cache) that does not itself depend on ``n``
        and is not lost itself. Whether it serves *now* is not asked: what it waits for (a database being
        restored) is recovered by its own step, and the worst step decides the estimate."""
        base = str(self.d(n).get("type") or "").split("#")[0]
        alternatives = [m for m in nodes if m != n and self.kind(m) == self.kind(n) and not self.lost(m)
                        and str(self.d(m).get("type") or "").split("#")[0] == base
                        and n not in self._needs(m)]
        running = next((m for m in alternatives if (self._capacity(m) or 0) > 0), None)
        return (alternatives[0] if alternatives else None), running

    def _cannot_stand_in(self, n: str, nodes: list[str]) -> str:
        """Why the surviving compute of ``n``'s kind and type is no standby for it ("" when there is none)."""
        base = str(self.d(n).get("type") or "").split("#")[0]
        for m in nodes:
            if m == n or self.lost(m) or self.kind(m) != self.kind(n) \
                    or str(self.d(m).get("type") or "").split("#")[0] != base:
                continue
            if n in self._needs(m):
                return f" that can serve: {self.name(m)} in {self.region(m)} survives but depends on it"
            got = self._outcome(m)
            if not got.ok:
                chain = " -> ".join(self.name(c) for c in got.chain if c in self.g)
                return f" that can serve: {self.name(m)} in {self.region(m)} survives but cannot serve ({chain}" \
                       f"{', ' + got.cause if got.cause else ''})"
        return ""

    def _replica_takeover(self, n: str) -> _Option | None:
        """A lost serving dependency counted as compute (an Azure Key Vault, a geo-replicated Redis cache)
        whose promotable replica survival fails over to: that replica is its standby, not some other compute."""
        if not any(a.get("promotable") is True for _, a in self.out(n, REPLICATES_TO)):
            return None
        got = self._outcome(n)
        failover = next((f for f in got.failovers if f[0] == n), None) if got.ok else None
        if failover is None:
            return None
        dst, mechanism = failover[1], failover[2]
        edge = self._replication_attrs(n, dst)
        automatic = edge.get("automatic") is True
        if edge.get("messages_replicated") is False:  # Geo-DR: the alias moves, the messages stay behind
            entry = self.entry("messaging-geo-dr-failover")
            return self._option("messaging-geo-dr-failover", f"{self.name(n)} is lost with {self._where()}; the "
                                f"Geo-DR alias{' ' + str(edge['alias']) if edge.get('alias') else ''} fails over to "
                                f"{self.name(dst)} in {self.region(dst)} ({format_duration(entry.param('decision'))} "
                                "to decide), where new messages flow; the pairing copies metadata only, so the "
                                "messages held in the lost namespace are not recovered", rto=entry.param("decision"),
                                to=dst)
        entry = self.entry("serving-replica-takeover")
        rto = 0.0 if automatic else entry.param("decision")
        how = ("the platform fails over to it by itself" if automatic else
               f"someone promotes or unlinks it: {format_duration(rto)} to decide")
        read_only = ", read-only" if edge.get("read_only") or self.attrs(dst).get("read_only") else ""
        return self._option("serving-replica-takeover", f"{self.name(n)} is lost with {self._where()}; its replica "
                            f"{self.name(dst)} in {self.region(dst)} takes over ({edge.get('mechanism') or mechanism}"
                            f"{read_only}): {how}", rto=rto, to=dst)

    def _site_recovery_target(self, n: str) -> str | None:
        """The surviving Site Recovery replica a lost VM fails over to (``fails_over_to`` edge with
        mechanism ``site-recovery``), if any."""
        for dst, attrs in self.out(n, FAILS_OVER_TO):
            if attrs.get("mechanism") == "site-recovery" and dst in self.g and not self.lost(dst):
                return dst
        return None

    # ---- entry points -------------------------------------------------------------------------
    def _chain(self, start: str) -> frozenset[str]:
        """Everything traffic for ``start`` reaches along routes_to (records, LBs, groups, targets); a
        disabled route or record carries none (:func:`resilience.survival.live_routes`)."""
        if start not in self._chains:
            self._chains[start] = frozenset(self._follow_routes(start))
        return self._chains[start]

    def _follow_routes(self, start: str) -> set[str]:
        seen: set[str] = set()
        stack = [dst for dst, _ in survival.live_routes(self.g, start)]
        while stack:
            n = stack.pop()
            if n in seen:
                continue
            seen.add(n)
            stack += [dst for dst, _ in survival.live_routes(self.g, n)]
        return seen

    def _serves(self, start: str) -> bool | None:
        """Does anything behind a record (``start``: what its :meth:`_chain` reaches) survive? ``None`` when it
        routes to unknown places only."""
        hops, lbs, compute, known = self._chain_parts(start)
        if not hops:
            return None
        if lbs and all(self.lost(n) for n in lbs):
            return False
        if compute:
            return any(not self.lost(n) for n in compute)
        if not known:
            return None
        return any(not self.lost(n) for n in known)

    def _chain_parts(self, start: str) -> tuple[bool, list[str], list[str], list[str]]:
        """What :meth:`_serves` reads of ``start``'s chain, scenario-independent (once per graph and record):
        whether it reaches a hop (neither a record nor a target group), its load balancers, its compute, and its
        hops of known region that are inventoried. Shared: read-only."""
        parts = self._chain_memo
        got = parts.get(start)
        if got is None:
            hops = [n for n in self._chain(start) if self.kind(n) not in (DNS_RECORD, TARGET_GROUP)]
            got = parts[start] = (
                bool(hops), [n for n in hops if self.kind(n) == LOAD_BALANCER],
                [n for n in hops if self.kind(n) in COMPUTE_KINDS],
                [n for n in hops if self.kind(n) != EXTERNAL and self.region_known(n)])
        return got

    def _entry_groups(self) -> tuple[list[tuple[str, list[str], list[str]]], list[str]]:
        """The workload's DNS names on its path, scenario-independent (once per workload): ``(name, the records
        answering for it with their failover partners, the active ones among them)`` by name, and the load
        balancers of the path that no such record routes to. Shared: read-only."""
        if "entry_groups" not in self._shape:
            records = [n for n in self.path if self.kind(n) == DNS_RECORD and self.out(n, ROUTES_TO)
                       and not survival.is_disabled(self.g, n)]
            by_name: dict[str, list[str]] = {}
            for r in records:
                by_name.setdefault(str(self.attrs(r).get("dns_name") or self.name(r)).rstrip(".").lower(),
                                   []).append(r)
            covered: set[str] = set()
            groups = []
            for dns_name, group in sorted(by_name.items()):
                siblings = list(group)
                for r in group:  # failover partners named by fails_over_to, even if not in the workload
                    siblings += [dst for dst, _ in self.out(r, FAILS_OVER_TO) if self.kind(dst) == DNS_RECORD
                                 and not survival.is_disabled(self.g, dst)]
                siblings = sorted(set(siblings))
                for r in siblings:
                    covered |= self._chain(r)
                active = [r for r in siblings if self.attrs(r).get("failover_role") != "SECONDARY"] or siblings
                groups.append((dns_name, siblings, active))
            lbs = [n for n in self.path if self.kind(n) == LOAD_BALANCER and n not in covered]
            self._shape["entry_groups"] = (groups, lbs)
        return self._shape["entry_groups"]

    def _entry_steps(self) -> list[Step]:
        steps: list[Step] = []
        groups, uncovered = self._entry_groups()
        for dns_name, siblings, active in groups:
            state = {r: self._serves(r) for r in siblings}
            broken = [r for r in active if state[r] is False]
            if not broken:
                if any(state[r] is None for r in active):
                    self.unknown.append(f"{dns_name}: its targets are not in the inventory, so whether they "
                                        f"survive {self.label} cannot be told")
                continue
            healthy = [r for r in siblings if state[r] is True]
            if not healthy:
                # compute that survives outside every route of the name (behind a disabled endpoint, say)
                # is a standby only once someone sends traffic to it; otherwise the compute/data steps say why
                reached = frozenset().union(*(self._chain(r) for r in siblings))
                stranded = [n for n in self._compute_nodes() if n not in reached and not self.lost(n)]
                # the standby of what the routes reached: the same type first (the DR web app, not a cache)
                served = {self.d(n)["type"] for r in broken for n in self._chain(r)}
                stranded.sort(key=lambda n: self.d(n)["type"] not in served)
                if stranded:
                    option = self._option("manual-dns-switch", f"{dns_name}: every live route points at "
                                          f"{self._where()}; {self.name(stranded[0])} in "
                                          f"{self.region(stranded[0])} survives but no enabled record or route "
                                          "sends traffic to it", to=stranded[0])
                    steps.append(self._step(broken[0], option, "entry"))
                continue
            r = broken[0]
            alt = healthy[0]
            if self._health_checked(r, alt):
                key = self._dns_failover_key(r)
                rto, how = self._dns_time(r, key)
                option = self._option(key, f"{dns_name}: {self.name(r)} is unhealthy; {self._dns_service(r)} "
                                      f"answers with {self.name(alt)} ({how})", rto=rto, to=alt)
            else:
                option = self._option("manual-dns-switch", f"{dns_name}: {self.name(r)} points at "
                                      f"{self._where()}; {self.name(alt)} survives but no health check moves "
                                      "traffic to it", to=alt)
            steps.append(self._step(r, option, "entry"))
        # load balancers that no DNS record in the inventory routes to
        for lb in uncovered:
            if not self.lost(lb):
                continue
            others = [m for m in self.path if self.kind(m) == LOAD_BALANCER and m != lb and not self.lost(m)]
            if others:
                option = self._option("manual-dns-switch", f"{self.name(lb)} is lost; {self.name(others[0])} "
                                      f"survives but nothing routes clients to it automatically", to=others[0])
            elif self.serving:
                option = self._option("serving-without-it",
                                      f"{self.name(lb)} is lost with {self._where()} and no load balancer survives, "
                                      "but the workload keeps serving without it (survival finds a serving path "
                                      "that does not need it)")
            else:
                option = self._option("compute-redeploy", f"{self.name(lb)} is lost and the workload has no "
                                      f"load balancer outside {self._where()}")
            steps.append(self._step(lb, option, "entry"))
        return steps

    def _health_checked(self, record: str, alt: str) -> bool:
        """Route 53 moves traffic off ``record`` by itself only when ``record`` is health-checked
        (its own health check, or an alias evaluating target health) and not simple routing."""
        a = self.attrs(record)
        if a.get("routing") == "simple":
            return False
        if a.get("health_check_id") or a.get("evaluate_target_health"):
            return True
        return any(ea.get("health_checked") for dst, ea in self.out(record, FAILS_OVER_TO) if dst == alt)

    def _dns_service(self, record: str) -> str:
        """The DNS service that answers for ``record``, from its provider: Route 53, Traffic Manager or
        Azure DNS, Cloud DNS."""
        provider, t = self.d(record).get("provider"), str(self.d(record).get("type") or "").lower()
        if provider == "azure":
            return "Traffic Manager" if t.startswith("microsoft.network/trafficmanagerprofiles") else "Azure DNS"
        return "Cloud DNS" if provider == "gcp" else "Route 53"

    def _dns_failover_key(self, record: str) -> str:
        """The model entry of a health-checked DNS failover for ``record``'s provider."""
        return {"azure": "traffic-manager-failover", "gcp": "cloud-dns-failover"}.get(
            self.d(record).get("provider"), "route53-failover")

    def _dns_time(self, record: str, key: str = "route53-failover") -> tuple[float, str]:
        entry = self.entry(key)
        interval, threshold, ttl = (entry.param("request_interval"), entry.param("failure_threshold"),
                                    entry.param("ttl"))
        a = self.attrs(record)
        check = self._health_check_node(a.get("health_check_id"))
        if check is not None:
            ca = self.attrs(check)
            for field in ("request_interval", "interval_s"):  # Route 53's; Traffic Manager's monitor, Compute Engine's
                if isinstance(ca.get(field), int | float):
                    interval = float(ca[field])
            for field in ("failure_threshold", "tolerated_failures"):
                if isinstance(ca.get(field), int | float):
                    threshold = float(ca[field])
        if isinstance(a.get("ttl"), int | float):
            ttl = float(a["ttl"])
        total = interval * threshold + ttl
        return total, (f"{format_duration(interval)} x {threshold:g} + TTL {format_duration(ttl)} "
                       f"= {format_duration(total)}")

    def _health_check_node(self, check_id: Any) -> str | None:
        if not check_id:
            return None
        return self.index.health_checks.get(str(check_id))


def _attached_disks(graph: nx.MultiDiGraph) -> dict[str, list[Any]]:
    """Instance id -> the sizes (GiB, as reported) of the volumes attached to it (``attrs.attached_to``)."""
    memo = survival.per_graph(graph, "recovery.attached_disks")
    if not memo:
        memo[None] = []  # built
        for _, data in graph.nodes(data=True):
            if data.get("kind") == VOLUME:
                attrs = data.get("attrs") or {}
                for owner in attrs.get("attached_to") or ():
                    memo.setdefault(owner, []).append(attrs.get("size_gib"))
    return memo


def _parse_time(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, str) and value:
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return None
