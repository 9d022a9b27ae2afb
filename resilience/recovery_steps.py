"""The vocabulary of a recovery estimate: a :class:`Step` per component, the :class:`Estimate` of a
workload, scenarios and their labels, durations in JSON, and the per-graph index of workloads and
health checks the estimates share (see :mod:`resilience.recovery`)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from . import survival
from .durations import format_duration
from .graph_memo import GraphKeyed
from .model import (
    BACKUP_PLAN,
    BACKUP_VAULT,
    DNS_ZONE,
    EXTERNAL,
    FAULT_EXPERIMENT,
    GLOBAL_DATABASE,
    GLOBAL_REGION,
    HEALTH_CHECK,
    RECOVERY_POINT,
    RESILIENCE_ASSESSMENT,
    RESTORE_TEST,
    SUBNET,
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

MIB = 2**20


GIB = 2**30


#: kinds that are never on a serving path (evidence, backup containers, plumbing)
_NOT_SERVING = frozenset({RECOVERY_POINT, BACKUP_VAULT, BACKUP_PLAN, FAULT_EXPERIMENT, RESTORE_TEST,
                          RESILIENCE_ASSESSMENT, HEALTH_CHECK, DNS_ZONE, SUBNET, GLOBAL_DATABASE})


#: AWS reads no estimate uses (coverage record ``service`` or its prefix): evidence of tests and audits (fault
#: experiments, restore jobs, restore testing, Resilience Hub assessments, Artifact reports), the ARC controls and
#: plans no step prices yet, and the organisation's account listing. A failure of any other read may hide a
#: component, a standby or a copy, so it can change an estimate.
NOT_ESTIMATE_READS = ("fis", "arc", "resiliencehub", "artifact", "organizations", "backup:restore-jobs",
                      "backup:restore-testing", "backup:tags")


def estimate_read(service: str) -> bool:
    """Whether a failed AWS read of coverage ``service`` can change a recovery estimate (:data:`NOT_ESTIMATE_READS`)."""
    return not any(service == s or service.startswith(s + ":") for s in NOT_ESTIMATE_READS)


_BAD_STATUSES = ("denied", "error", "unreachable")


def json_seconds(value: float | None) -> int | None:
    """Seconds for JSON: an int, or ``None`` for both unbounded and unknown (see ``*_unbounded``)."""
    if value is None or math.isinf(value):
        return None
    return int(round(value))


def is_unbounded(value: float | None) -> bool:
    return value is not None and math.isinf(value)


def fmt(value: float | None) -> str:
    return "not estimated" if value is None else format_duration(value)


def _worst(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return max(known) if known else None


@dataclass(frozen=True)
class Step:
    """One component of the workload affected by a scenario and how it recovers."""

    resource: str
    name: str
    mechanism: str
    rto: float | None
    rpo: float | None
    reasoning: str
    source: str
    model_key: str
    scenario: str = ""
    role: str = ""  # data | compute | entry
    to: str | None = None  # the alternative used (replica, copy, standby, secondary record)
    alternatives: tuple[str, ...] = ()
    rto_lower_bound: bool = False  # a restore of unknown size: ``rto`` is its fixed part only

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "resource": self.resource, "name": self.name, "role": self.role, "scenario": self.scenario,
            "mechanism": self.mechanism, "model_key": self.model_key,
            "rto": json_seconds(self.rto), "rto_unbounded": is_unbounded(self.rto), "rto_text": fmt(self.rto),
            "rpo": json_seconds(self.rpo), "rpo_unbounded": is_unbounded(self.rpo), "rpo_text": fmt(self.rpo),
            "reasoning": self.reasoning, "source": self.source,
        }
        if self.to:
            d["to"] = self.to
        if self.alternatives:
            d["alternatives"] = list(self.alternatives)
        if self.rto_lower_bound:
            d["rto_lower_bound"] = True
        return d


@dataclass
class Estimate:
    """Achievable RTO/RPO of one workload for one disruption (the worst scenario of it).

    ``rto``/``rpo``: seconds, :data:`UNBOUNDED`, or ``None`` when nothing could be estimated.
    ``unknown`` lists why the estimate may be incomplete (coverage gaps, unresolvable references);
    a rule must answer ``unknown`` rather than ``pass``/``fail`` while it is non-empty.
    """

    workload: str
    disruption: str  # az | region | scenario
    rto: float | None
    rpo: float | None
    steps: list[Step] = field(default_factory=list)
    rto_scenario: str | None = None
    rpo_scenario: str | None = None
    scenarios: list[dict[str, Any]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    strategy: str = "none"
    strategy_reasons: list[str] = field(default_factory=list)
    why: str = ""
    notes: list[str] = field(default_factory=list)
    affected: bool = True  # False: nothing of the workload (or on its path) is in the failed location(s)
    #: per metric (``rto``/``rpo``), the doubts in ``unknown`` that could make it *smaller*: an unseen copy or
    #: alternative of the component that decides it. A doubt not listed could only hide more to recover, so
    #: an estimate that already misses an objective misses it whatever that doubt hides.
    could_lower: dict[str, list[str]] = field(default_factory=dict)
    #: per metric, the doubts in ``unknown`` that could make it *larger*: anything unseen except a read that
    #: could only have hidden more copies (:func:`resilience.survival.hides_copies_only`), so an estimate that
    #: meets an objective meets it whatever such a read hides. Absent for a metric: every doubt counts.
    could_raise: dict[str, list[str]] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return not self.unknown

    def deciding_step(self, metric: str) -> Step | None:
        """The step whose value sets the workload's ``rto`` or ``rpo``."""
        target = getattr(self, metric)
        scenario = self.rto_scenario if metric == "rto" else self.rpo_scenario
        for step in self.steps:
            if step.scenario == scenario and getattr(step, metric) == target and target not in (None, 0):
                return step
        return None

    def arithmetic(self, metric: str, objective: int | None = None) -> list[str]:
        """Human lines: objective, each step's value, the maximum, the verdict."""
        name = metric.upper()
        value = getattr(self, metric)
        scenario = self.rto_scenario if metric == "rto" else self.rpo_scenario
        lines = []
        if objective is not None:
            lines.append(f"{self.disruption} {name} objective {format_duration(objective)}")
        for step in self.steps:
            if step.scenario != scenario:
                continue
            lines.append(f"{step.scenario}: {step.name}: {step.reasoning} -> {step.model_key}: "
                         f"{name} {fmt(getattr(step, metric))}")
        if not any(s.scenario == scenario for s in self.steps):
            lines.append(f"{scenario or self.disruption}: no component on the serving path is affected "
                         f"-> {name} 0s")
        verdict = f"achievable {self.disruption} {name} = max over components = {fmt(value)}"
        if scenario:
            verdict += f" (worst scenario: {scenario})"
        if objective is not None and value is not None:
            verdict += " > objective: fail" if value > objective else " <= objective: pass"
        lines.append(verdict)
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {
            "workload": self.workload, "disruption": self.disruption,
            "rto": json_seconds(self.rto), "rto_unbounded": is_unbounded(self.rto), "rto_text": fmt(self.rto),
            "rpo": json_seconds(self.rpo), "rpo_unbounded": is_unbounded(self.rpo), "rpo_text": fmt(self.rpo),
            "rto_scenario": self.rto_scenario, "rpo_scenario": self.rpo_scenario,
            "scenarios": self.scenarios, "steps": [s.to_dict() for s in self.steps],
            "strategy": self.strategy, "strategy_reasons": list(self.strategy_reasons),
            "unknown": list(self.unknown), "why": self.why, "notes": list(self.notes),
            "affected": self.affected,
        }


def make_scenario(*, regions: Iterable[str] = (), zones: Iterable[str] = ()) -> survival.Scenario:
    """A :class:`resilience.survival.Scenario`."""
    return survival.Scenario(failed_regions=frozenset(regions), failed_zones=frozenset(zones))


def _as_scenario(scenario: Any) -> survival.Scenario:
    """Any object with ``failed_regions``/``failed_zones`` as a :class:`resilience.survival.Scenario`."""
    if isinstance(scenario, survival.Scenario):
        return scenario
    return make_scenario(regions=scenario.failed_regions, zones=scenario.failed_zones)


def scenario_label(scenario: Any) -> str:
    parts = [f"region {r}" for r in sorted(scenario.failed_regions)]
    parts += [f"az {z}" for z in sorted(scenario.failed_zones)]
    return " + ".join(parts) or "no failure"


def _serving_nodes(graph: nx.MultiDiGraph, workload: str) -> list[str]:
    return [n for n in _index(graph).members.get(workload, []) if graph._node[n]["kind"] not in _NOT_SERVING]


def members_of(graph: nx.MultiDiGraph, workload: str) -> list[str]:
    """The workload's nodes (sorted), from an index built once per graph: ``graph.workload_nodes``
    without the full scan per call."""
    return list(_index(graph).members.get(workload, []))


def regions_of(graph: nx.MultiDiGraph, workload: str) -> list[str]:
    """Regions the workload has nodes in (its own and inherited copies): the same set as
    ``survival.regions_of``, read from the per-graph index."""
    return sorted({graph._node[n]["region"] for n in members_of(graph, workload)}
                  - {GLOBAL_REGION, "unknown", "", None})


def zones_of(graph: nx.MultiDiGraph, workload: str) -> list[str]:
    """Zone ids of the workload's inventoried nodes (or the zones a node whose zone is not reported may be
    in): the same set as ``survival.zones_of``."""
    return sorted({z for n in members_of(graph, workload) if not graph._node[n].get("stub")
                   and graph._node[n]["kind"] != EXTERNAL
                   for z in survival.zones_of_node(graph._node[n]) or survival.possible_zones(graph._node[n])})


_CACHE: GraphKeyed = GraphKeyed()


_INDEX: GraphKeyed = GraphKeyed()


@dataclass
class _GraphIndex:
    """Lookups the estimate needs many times, built once per graph (and rebuilt if it grows)."""

    version: int
    members: dict[str, list[str]]  # workload -> its nodes
    health_checks: dict[str, str]  # health check id (and node id) -> node
    strategies: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # classify_strategy results


def _index(graph: nx.MultiDiGraph) -> _GraphIndex:
    """Rules treat the graph as read-only during a run; the index is rebuilt when nodes are added
    (the node count is O(1); counting a MultiDiGraph's edges is not)."""
    version = graph.number_of_nodes()
    cached = _INDEX.get(graph)
    if cached is not None and cached.version == version:
        return cached
    members: dict[str, list[str]] = {}
    checks: dict[str, str] = {}
    nodes = graph._node
    for n in survival.nodes_of_kinds(graph):
        d = nodes[n]
        for w in d.get("workloads") or ():
            members.setdefault(w, []).append(n)
        if d.get("kind") == HEALTH_CHECK:
            checks[n] = n
            checks[str(n).rsplit("/", 1)[-1]] = n
    index = _GraphIndex(version, members, checks)
    _INDEX[graph] = index
    return index
