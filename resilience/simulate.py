"""Region- and zone-loss simulation: what each workload does when part of the estate goes away.

``resilience simulate --fail-region me-central-1 [--fail-region me-south-1] [--fail-az mec1-az1]
[--duration 24h] [--scenario gulf-2026]`` answers, workload by workload and before anyone is in the
room, the tabletop question "what happens if this is gone for a day?". The simulator is offline: it
reads the dependency graph (from a live collection or a saved ``inventory.json``) and the policy, and
takes the time as an input.

Pipeline (each step a function here, or in a sibling module):

1. :func:`build_scenario` turns flags or a named scenario into a :class:`ScenarioSpec`; bad input
   raises :class:`~resilience.errors.InputError` (exit 2). Named scenarios (:data:`NAMED_SCENARIOS`):

   - ``gulf-2026``: AWS me-central-1, then me-south-1, 24 hours (the March 2026 event);
   - ``uae-2026``: AWS me-central-1 alone, 24 hours (the event's first stage);
   - ``uae-north-2026``: Azure uaenorth, then uaecentral, 24 hours;
   - ``gulf-2026-multicloud``: all four, 24 hours;
   - any failure-domain name (:mod:`resilience.failure_domains` plus the policy's ``failure_domains``):
     every region of the domain, 24 hours.

   ``--fail-region``/``--fail-az`` add to a named scenario; ``--duration`` overrides its length.
2. :func:`evaluate` asks :func:`resilience.survival.assess` whether the workload still has a serving
   path and intact data, and :func:`resilience.recovery.estimate_for_scenario` for the achievable
   RTO/RPO (:func:`estimate`; the recovery model reads what is lost, which copy survives and which
   failover can run from :mod:`resilience.survival`, so the two agree); it compares them with the
   workload's objectives for the disruption type (``region`` when a region fails, ``az`` for zones
   only) and decides the outcome (contract 4):

   - ``down``: no serving path and no way to restore elsewhere within the outage, or data with no
     surviving copy;
   - ``degraded``: serves (after failover) or can be restored elsewhere, but short of its objectives,
     with reduced capacity, or relying on a control-plane action in a failed region;
   - ``survives``: keeps serving, or is back, within its objectives.

   ``--duration``: the failure lasts that long, then the region returns. A recovery estimated to take
   longer than the outage is moot: waiting it out *is* the recovery (RTO = duration; RPO 0 on the
   stated assumption that the region comes back with its data, which it did not for some damaged
   me-central-1 zones in 2026).
3. :func:`blast_radius` lists the resources that fail directly (in a failed region or zone) and those
   that fail through their dependencies (depends on, or routes only to, something lost with no
   surviving failover target), and what takes over from each.
4. :func:`run_and_write` writes ``simulation.json`` (contract 4, plus additive fields) and, via
   :mod:`resilience.tabletop`, the tabletop pack (``tabletop.md``, ``tabletop.html``).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from . import __version__, failure_domains, recovery, survival
from .coverage_index import coverage_index
from .durations import format_duration, parse_duration
from .errors import InputError
from .graph import build_graph, workload_names, workload_nodes
from .model import (
    COMPUTE_GROUP,
    DATABASE,
    DEPENDS_ON,
    GLOBAL_DATABASE,
    MEMBER_OF,
    ROUTES_TO,
    Coverage,
    Inventory,
)
from .policy import Policy

SIMULATION_SCHEMA = "resilience.simulation/v1"
OUTCOMES = ("down", "degraded", "survives")
FORMATS = ("json", "md", "html")  # what ``simulate`` writes; other report formats are ignored
JSON_NAME, MD_NAME, HTML_NAME = "simulation.json", "tabletop.md", "tabletop.html"
DEFAULT_NAMED_DURATION = 24 * 3600


# --- words -----------------------------------------------------------------------------------


def fmt_duration(seconds: int | None) -> str:
    """:func:`format_duration`, but whole hours up to three days stay hours (``24h``, not ``1d``)."""
    if seconds is not None and seconds and seconds % 3600 == 0 and seconds < 3 * 86400:
        return f"{seconds // 3600}h"
    return format_duration(seconds)


def span(seconds: int | None, *, adjective: bool = False) -> str:
    """A duration for prose: ``24 hours``, ``90 minutes``, ``3 days``; as an adjective ``24-hour``."""
    if seconds is None:
        return "an unknown time"
    units = ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second"))
    for size, unit in units:
        if size == 86400 and seconds < 3 * 86400:
            continue
        if seconds >= size and seconds % size == 0:
            n = seconds // size
            return f"{n}-{unit}" if adjective else f"{n} {unit}{'s' if n != 1 else ''}"
    return fmt_duration(seconds)


def and_list(items: Iterable[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# --- scenarios ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NamedScenario:
    """A built-in scenario: ``resilience simulate --scenario NAME``."""

    name: str
    title: str
    failed_regions: tuple[str, ...]
    duration: int | None
    narrative: str
    failed_zones: tuple[str, ...] = ()


#: Built-in scenarios. Regions are listed in the order they fail (the tabletop timeline follows it).
#: A failure-domain name (built-in table in :mod:`resilience.failure_domains`, extended by the
#: policy's ``failure_domains``) is also accepted as a scenario: all its regions, 24 hours.
NAMED_SCENARIOS: dict[str, NamedScenario] = {
    s.name: s
    for s in (
        NamedScenario(
            name="gulf-2026",
            title="Gulf regional outage: AWS me-central-1 and me-south-1",
            failed_regions=("me-central-1", "me-south-1"),
            duration=DEFAULT_NAMED_DURATION,
            narrative=(
                "Modelled on March 2026: strikes and power loss take out several AWS facilities in the UAE "
                "(me-central-1) and, hours later, in Bahrain (me-south-1). Multi-AZ deployments fail with "
                "their region; EC2 networking APIs fail region-wide, so nothing can be launched, re-attached "
                "or re-routed inside either region. Only designs that already run, or hold their data, "
                "outside the Gulf keep going. Months later the provider said that data held only in one of "
                "the damaged zones could not be restored."
            ),
        ),
        NamedScenario(
            name="uae-2026",
            title="UAE region outage: AWS me-central-1",
            failed_regions=("me-central-1",),
            duration=DEFAULT_NAMED_DURATION,
            narrative=(
                "The first stage of the March 2026 event: power loss in several me-central-1 (UAE) "
                "facilities makes the whole region inaccessible for a day, control-plane APIs included. "
                "me-south-1 (Bahrain) keeps running, but it shares a failure domain with me-central-1: "
                "a secondary there is one bad day away from failing too (see gulf-2026)."
            ),
        ),
        NamedScenario(
            name="uae-north-2026",
            title="UAE outage on Azure: uaenorth and uaecentral",
            failed_regions=("uaenorth", "uaecentral"),
            duration=DEFAULT_NAMED_DURATION,
            narrative=(
                "The March 2026 event as it would hit an Azure estate: UAE North (Dubai) loses power, then "
                "its paired region UAE Central (Abu Dhabi) goes with it. Paired-region geo-replication, "
                "GRS storage and paired-region backups all sit in the same failure domain."
            ),
        ),
        NamedScenario(
            name="gulf-2026-multicloud",
            title="Gulf outage across providers: AWS me-central-1, me-south-1; Azure uaenorth, uaecentral",
            failed_regions=("me-central-1", "uaenorth", "me-south-1", "uaecentral"),
            duration=DEFAULT_NAMED_DURATION,
            narrative=(
                "The March 2026 event for a multi-cloud estate: every AWS and Azure region in the UAE and "
                "Bahrain is lost for a day. A second provider is not a second failure domain when both sit "
                "on the same grid and the same coast."
            ),
        ),
    )
}


@dataclass(frozen=True)
class ScenarioSpec:
    """The scenario being simulated: what fails, for how long, and under which name."""

    failed_regions: tuple[str, ...] = ()  # in the order they fail
    failed_zones: tuple[str, ...] = ()  # zone ids (mec1-az1), names where the provider has no ids
    duration: int | None = None  # seconds; None: until further notice
    name: str | None = None
    title: str = ""
    narrative: str = ""
    known: tuple[str, ...] = ()  # regions a built-in table vouches for (named scenario, failure domain)

    @property
    def disruption(self) -> str:
        """The policy's disruption type whose objectives apply: ``region`` or ``az``."""
        return "region" if self.failed_regions else "az"

    @functools.cached_property
    def core(self) -> survival.Scenario:
        """The scenario as the survival engine takes it (one per spec: asked for every workload)."""
        return survival.Scenario(failed_regions=frozenset(self.failed_regions),
                                 failed_zones=frozenset(self.failed_zones))

    @property
    def heading(self) -> str:
        """A title for people: the named title or what fails, and for how long."""
        base = self.title or " + ".join(list(self.failed_regions) + list(self.failed_zones)) + \
            (" lost" if self.failed_regions or self.failed_zones else "")
        return f"{base} ({span(self.duration)})" if self.duration else base

    def to_dict(self) -> dict[str, Any]:
        return {
            "failed_regions": sorted(self.failed_regions),
            "failed_zones": sorted(self.failed_zones),
            "duration": self.duration,
            "name": self.name,
            "title": self.heading,
            "order": list(self.failed_regions) + list(self.failed_zones),
        }


_AZ_ID = re.compile(r"^[a-z]{2,5}\d{1,2}-az\d{1,2}$")  # AWS AZ ids: mec1-az1, use1-az4, apne1-az2
_ZONE_NAME = re.compile(r"^[a-z0-9-]+[a-z0-9]$")


def scenario_names(policy: Policy | None = None) -> list[str]:
    names = set(NAMED_SCENARIOS)
    names |= set(_domains(policy))
    return sorted(names)


def _domains(policy: Policy | None) -> dict[str, frozenset[str]]:
    """Failure domains: the built-in table (:mod:`resilience.failure_domains`) plus the policy's."""
    return dict(failure_domains.domains(policy or Policy()))


def build_scenario(*, regions: Iterable[str] = (), zones: Iterable[str] = (), duration: str | int | None = None,
                   name: str | None = None, policy: Policy | None = None) -> ScenarioSpec:
    """A :class:`ScenarioSpec` from CLI-style input; raises :class:`InputError` on bad input.

    ``name`` is a built-in scenario or a failure-domain name; ``regions`` and ``zones`` add to it.
    ``duration`` (``24h``) overrides a named scenario's own.
    """
    regions = tuple(dict.fromkeys(r.strip() for r in regions if r and r.strip()))
    zones = tuple(dict.fromkeys(z.strip() for z in zones if z and z.strip()))
    title = narrative = ""
    seconds: int | None = None
    if name:
        named = NAMED_SCENARIOS.get(name)
        if named is not None:
            base_regions, base_zones = named.failed_regions, named.failed_zones
            seconds, title, narrative = named.duration, named.title, named.narrative
        else:
            domains = _domains(policy)
            if name not in domains:
                raise InputError(f"unknown scenario '{name}' (known: {', '.join(scenario_names(policy))})")
            base_regions, base_zones = tuple(sorted(domains[name])), ()
            seconds = DEFAULT_NAMED_DURATION
            title = f"Failure domain '{name}' lost: {', '.join(base_regions)}"
            narrative = (f"Every region of the failure domain '{name}' ({', '.join(base_regions)}) is lost at "
                         "once: they share power, network or geography, so one event can take them together.")
        extra = [r for r in regions if r not in base_regions] + [z for z in zones if z not in base_zones]
        if extra:
            title = f"{title}, plus {', '.join(extra)}"
        regions = tuple(dict.fromkeys(base_regions + regions))
        zones = tuple(dict.fromkeys(base_zones + zones))
    if duration not in (None, ""):
        try:
            seconds = parse_duration(duration)
        except ValueError as exc:
            raise InputError(f"--duration: {exc}") from None
        if seconds <= 0:
            raise InputError(f"--duration: must be longer than 0, got {duration!r}")
    if not narrative and (regions or zones):
        narrative = _narrative(regions, zones)
    if not regions and not zones:
        raise InputError("empty scenario: give --fail-region REGION, --fail-az AZ_ID or --scenario NAME "
                         f"(named scenarios: {', '.join(scenario_names(policy))})")
    for zone in zones:
        if not (_AZ_ID.match(zone) or _ZONE_NAME.match(zone)):
            raise InputError(f"bad zone '{zone}': give an availability-zone id such as mec1-az1")
    return ScenarioSpec(failed_regions=regions, failed_zones=zones, duration=seconds, name=name, title=title,
                        narrative=narrative, known=tuple(base_regions) if name else ())


def _narrative(regions: tuple[str, ...], zones: tuple[str, ...]) -> str:
    if regions:
        first, rest = regions[0], list(regions[1:])
        text = (f"A regional outage: power loss takes the facilities of {first} down one zone after another, "
                f"until the provider declares the whole region impaired, its control-plane APIs included. "
                "Multi-AZ deployments fail with their region.")
        if rest:
            text += f" Hours later {and_list(rest)} {'goes' if len(rest) == 1 else 'go'} the same way."
        return text + " Only what already runs, or keeps its data, elsewhere carries on."
    return (f"A zonal outage: the facility behind {and_list(list(zones))} loses power. Everything placed only "
            "there stops; what spans other zones of the region should carry on, on less capacity.")


def validate_scenario(spec: ScenarioSpec, graph: nx.MultiDiGraph | None = None,
                      providers: Iterable[str] = ("aws",), *, check_regions: bool = True) -> list[str]:
    """Check regions and zones against the providers' region tables and the graph.

    Returns warnings (a valid region with nothing inventoried in it); raises :class:`InputError`
    for an unknown region or zone. A region or zone present in the graph is always known.
    """
    from .regions import known_regions

    in_graph_regions: set[str] = set()
    in_graph_zones: dict[str, set[str]] = {}
    if graph is not None:
        for _, data in graph.nodes(data=True):
            in_graph_regions.add(data.get("region", ""))
            for zone in data.get("zones", ()):
                in_graph_zones.setdefault(zone, set()).add(data.get("region", ""))
    warnings = []
    if check_regions:
        builtin = set(spec.known)
        known: set[str] = set()
        for provider in providers:
            try:
                known |= known_regions(provider)
            except ImportError:
                continue
        for region in spec.failed_regions:
            if region in in_graph_regions or region in builtin:
                continue
            if region not in known:
                raise InputError(f"unknown region '{region}' for provider {', '.join(providers)}")
    empty = [r for r in spec.failed_regions if graph is not None and r not in in_graph_regions]
    if empty:
        warnings.append(f"nothing inventoried in {and_list(empty)}: the scenario changes nothing there")
    for zone in spec.failed_zones:
        if graph is None or zone in in_graph_zones:
            continue
        if not _AZ_ID.match(zone):
            names = {z for z in in_graph_zones if not _AZ_ID.match(z)}
            hint = "" if names else " (this inventory records zone ids such as " \
                + ", ".join(sorted(in_graph_zones)[:3]) + "; AZ names map to different zones in each account)"
            if in_graph_zones and not names:
                raise InputError(f"unknown zone '{zone}': give an availability-zone id{hint}")
        warnings.append(f"nothing inventoried in zone {zone}: the scenario changes nothing there")
    return warnings


# --- estimates ---------------------------------------------------------------------------------


@dataclass
class EstimateView:
    """The recovery model's answer for one scenario, normalised for ``simulation.json``: seconds;
    ``None`` with ``*_unbounded`` for unbounded; ``None`` alone for not estimated."""

    rto: int | None
    rpo: int | None
    rto_unbounded: bool = False
    rpo_unbounded: bool = False
    steps: list[dict[str, Any]] = field(default_factory=list)
    strategy: str | None = None
    strategy_reasons: list[str] = field(default_factory=list)
    waited: bool = False  # some component's recovery is waiting for the failed location to return
    notes: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def estimate(graph: nx.MultiDiGraph, workload: str, spec: ScenarioSpec, *, policy: Policy,
             coverage: Iterable[Coverage] = ()) -> EstimateView:
    """Achievable RTO/RPO for ``workload`` under ``spec``: :func:`resilience.recovery.estimate_for_scenario`
    as it is (it reads what is lost, which copy survives and which failover can run from
    :mod:`resilience.survival`, and already makes a recovery longer than ``spec.duration`` a wait for
    the region's return). Every step counts; ``counted`` stays in the JSON, always true."""
    est = recovery.estimate_for_scenario(graph, workload, spec.core, policy=policy, coverage=coverage,
                                         duration=spec.duration)
    steps, seen = [], set()
    for step in est.steps:
        d = step.to_dict()
        d["counted"] = True
        key = (d["name"], d["mechanism"], d["rto"], d["rpo"], d["reasoning"])
        if key not in seen:  # the same service deployed twice yields the same step twice
            seen.add(key)
            steps.append(d)
    return EstimateView(
        rto=recovery.json_seconds(est.rto), rpo=recovery.json_seconds(est.rpo),
        rto_unbounded=recovery.is_unbounded(est.rto), rpo_unbounded=recovery.is_unbounded(est.rpo),
        steps=steps, strategy=est.strategy, strategy_reasons=list(est.strategy_reasons),
        waited=any(s.model_key == "scenario-duration" for s in est.steps),
        notes=list(est.notes), unknown=list(est.unknown),
    )


# --- outcomes ----------------------------------------------------------------------------------


@dataclass
class WorkloadOutcome:
    name: str
    outcome: str
    affected: bool
    disruption: str
    estimated_rto: int | None
    estimated_rpo: int | None
    rto_unbounded: bool
    rpo_unbounded: bool
    objectives: dict[str, int | None]
    meets_objectives: bool | None
    lost: list[str]
    failovers: list[tuple[str, str, str]]
    why: str
    lost_data: list[str] = field(default_factory=list)
    chain: list[str] = field(default_factory=list)
    control_plane_actions: list[dict[str, Any]] = field(default_factory=list)
    strategy: str | None = None
    strategy_reasons: list[str] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    waited_out: bool = False
    serving: bool = True
    data_intact: bool = True
    tier: str | None = None
    owner: str | None = None
    resources: int = 0
    last_test: dict[str, Any] | None = None  # the latest failover_tests record for this disruption type

    def to_dict(self) -> dict[str, Any]:
        return {
            # contract 4
            "name": self.name,
            "outcome": self.outcome,
            "estimated_rto": self.estimated_rto,
            "estimated_rpo": self.estimated_rpo,
            "objectives": dict(self.objectives),
            "meets_objectives": self.meets_objectives,
            "lost": list(self.lost),
            "failover": [f"{a} -> {b}" for a, b, _ in self.failovers],
            "why": self.why,
            # additive
            "rto_unbounded": self.rto_unbounded,
            "rpo_unbounded": self.rpo_unbounded,
            "disruption": self.disruption,
            "affected": self.affected,
            "serving": self.serving,
            "data_intact": self.data_intact,
            "waited_out": self.waited_out,
            "lost_data": list(self.lost_data),
            "failovers": [{"from": a, "to": b, "mechanism": m} for a, b, m in self.failovers],
            "chain": list(self.chain),
            "control_plane_actions": list(self.control_plane_actions),
            "strategy": self.strategy,
            "steps": [dict(s) for s in self.steps],
            "unknown": list(self.unknown),
            "notes": list(self.notes),
            "strategy_reasons": list(self.strategy_reasons),
            "tier": self.tier,
            "owner": self.owner,
            "last_test": self.last_test,
        }


def _control_plane(actions: Iterable[Any], failed_regions: Iterable[str]) -> list[dict[str, Any]]:
    """Control-plane actions a recovery needs, each flagged when it calls an API in a failed region."""
    failed = set(failed_regions)
    out = []
    for action in actions:
        if isinstance(action, dict):
            text = str(action.get("action") or action.get("text") or action)
            region = action.get("region")
        elif isinstance(action, tuple | list) and len(action) >= 2:
            text, region = str(action[0]), action[1]
        else:
            text = str(getattr(action, "action", None) or getattr(action, "text", None) or action)
            region = getattr(action, "region", None)
        if region is None:
            region = next((r for r in sorted(failed, key=len, reverse=True) if re.search(rf"\b{re.escape(r)}\b", text)),
                          None)
        out.append({"action": text, "region": region, "in_failed_region": bool(region and region in failed),
                    "mechanism": "blocked"})
    return out


#: failover mechanisms (resilience.survival) that need someone to call a cloud API: what they call
CONTROL_PLANE_MECHANISMS = {
    survival.PROMOTE_REPLICA: "promote {dst} to a standalone primary",
    survival.GLOBAL_DATABASE_FAILOVER: "fail the global database over to {dst}",
    survival.RESTORE_CROSS_REGION_BACKUP: "restore {src} from the copy {dst}",
    survival.RESTORE_BACKUP: "restore {src} from its backups",
}


def _failover_actions(graph: nx.MultiDiGraph, failovers: Iterable[tuple[str, str, str]],
                      failed_regions: Iterable[str]) -> list[dict[str, Any]]:
    """The API calls the failovers a workload relies on need, and where (DNS health-check failover,
    global tables and replicated buckets need none: they are data-plane)."""
    failed = set(failed_regions)
    out = []
    for src, dst, mechanism in failovers:
        template = CONTROL_PLANE_MECHANISMS.get(mechanism)
        if template is None:
            continue
        where = dst if dst in graph else src
        region = graph.nodes[where].get("region") if where in graph else None
        text = template.format(src=name_of(graph, src), dst=name_of(graph, dst))
        api = f" (API call in {region})" if region and survival.real_region(region) else ""
        out.append({"action": text + api, "region": region, "in_failed_region": bool(region in failed),
                    "mechanism": mechanism})
    return out


#: ``policy.failover_tests`` by (workload, scenario), per tuple of tests: {id: (tests, index)}
_TESTS_BY_WORKLOAD: dict[int, tuple[Any, dict[tuple[str, str], list[Any]]]] = {}


def _tests_by_workload(tests: Any) -> dict[tuple[str, str], list[Any]]:
    """The failover tests by (workload, scenario), in file order: built once per policy's tuple (kept
    referenced, so its id is never reused while cached), not scanned for every workload and scenario."""
    hit = _TESTS_BY_WORKLOAD.get(id(tests))
    if hit is not None and hit[0] is tests:
        return hit[1]
    index: dict[tuple[str, str], list[Any]] = {}
    for t in tests:
        index.setdefault((t.workload, t.scenario), []).append(t)
    if isinstance(tests, tuple):  # a list could grow behind the cache's back
        if len(_TESTS_BY_WORKLOAD) >= 8:
            _TESTS_BY_WORKLOAD.clear()
        _TESTS_BY_WORKLOAD[id(tests)] = (tests, index)
    return index


def _last_test(policy: Policy, workload: str, disruption: str) -> dict[str, Any] | None:
    tests = _tests_by_workload(policy.failover_tests).get((workload, disruption))
    if not tests:
        return None
    t = max(tests, key=lambda t: t.date)
    return {"date": t.date.isoformat(), "result": t.result, "measured_rto": t.measured_rto,
            "measured_rpo": t.measured_rpo, "evidence": t.evidence,
            "max_age": policy.test_max_age_for(workload)}  # additive: the policy's test_max_age for it


def _objectives(policy: Policy, workload: str, disruption: str) -> dict[str, int | None]:
    objective = policy.objectives_for(workload).get(disruption)
    return {"rto": objective.rto if objective else None, "rpo": objective.rpo if objective else None}


def _meets(rto: int | None, rpo: int | None, rto_unb: bool, rpo_unb: bool,
           objectives: dict[str, int | None]) -> bool | None:
    """``True``/``False`` against the declared objectives; ``None`` when none is declared, or when an
    estimate the answer needs could not be made (and nothing else already fails)."""
    checks: list[bool | None] = []
    for value, unbounded, objective in ((rto, rto_unb, objectives["rto"]), (rpo, rpo_unb, objectives["rpo"])):
        if objective is None:
            continue
        checks.append(False if unbounded else None if value is None else value <= objective)
    if False in checks:
        return False
    return None if not checks or None in checks else True


def _capacity(graph: nx.MultiDiGraph, workload: str, failed: set[str]) -> tuple[int, int] | None:
    """(surviving, lost) desired capacity of the workload's compute groups, when both are known."""
    lost = surviving = 0
    seen_lost = seen_surviving = False
    for node in workload_nodes(graph, workload):
        data = graph.nodes[node]
        if data.get("kind") != COMPUTE_GROUP:
            continue
        desired = (data.get("attrs") or {}).get("desired_capacity")
        if not isinstance(desired, int):
            return None
        if node in failed:
            lost += desired
            seen_lost = True
        else:
            surviving += desired
            seen_surviving = True
    if seen_lost and seen_surviving:
        return surviving, lost
    return None


def name_of(graph: nx.MultiDiGraph, node: str) -> str:
    """A node's display name, qualified when another node has the same name: by region
    (``rates (me-south-1)``) and, within one region, by kind (``checkout-db (recovery point)``).
    :func:`resilience.survival.display_name`, so the simulator and survival's sentences agree."""
    return survival.display_name(graph, node)


def evaluate(graph: nx.MultiDiGraph, policy: Policy, spec: ScenarioSpec, workload: str, *,
             coverage: Iterable[Coverage] = (), failed: set[str] | None = None) -> WorkloadOutcome:
    """The outcome of one workload under one scenario (see the module docstring for the rules)."""
    coverage = coverage_index(coverage).records
    failed = failed if failed is not None else set(survival.failed_nodes(graph, spec.core))
    impact = survival.assess(graph, workload, spec.core, coverage=coverage)
    est = estimate(graph, workload, spec, policy=policy, coverage=coverage)
    objectives = _objectives(policy, workload, spec.disruption)
    nodes = workload_nodes(graph, workload)
    touched = set(spec.failed_zones)
    # touched: survival's impact, or a recovery step (a dependency of another workload, a zone failover)
    affected = bool(impact.lost or impact.failovers or not impact.serving or not impact.data_intact or est.steps
                    or any(n in failed or touched & set(graph.nodes[n].get("zones") or ()) for n in nodes))
    spec_wl = policy.workloads.get(workload)
    notes: list[str] = []
    gone = list(spec.failed_regions or spec.failed_zones)
    where, plural = and_list(gone), len(gone) > 1

    # the recovery model's estimate as it is: it agrees with survival on what is lost, which copy
    # survives (RPO unbounded exactly when survival finds none) and which failover can run
    rto, rpo, rto_unb, rpo_unb = est.rto, est.rpo, est.rto_unbounded, est.rpo_unbounded
    waited = est.waited
    if waited:
        waiting_data = [s.get("resource") for s in est.steps
                        if s.get("model_key") == "scenario-duration" and s.get("role") == "data"]
        data = list(dict.fromkeys([*getattr(impact, "lost_data", ()), *[d for d in waiting_data if d]]))
        if data:
            notes.append(
                f"RPO 0 only if {where} {'come' if plural else 'comes'} back with {'their' if plural else 'its'} "
                f"data; if not, {and_list([name_of(graph, d) for d in data])} {'is' if len(data) == 1 else 'are'} "
                "lost (RPO unbounded), as data held only in damaged me-central-1 zones was in 2026"
            )
    control = _control_plane(impact.control_plane, spec.failed_regions)
    blocked = [c for c in control if c["in_failed_region"]]
    # survival never lists a blocked failover in impact.failovers (only in control_plane): no overlap
    control += _failover_actions(graph, impact.failovers, spec.failed_regions)
    # not serving, but the recovery model bounds the way back (a failover that can run, a restore)
    recoverable = impact.serving or (not rto_unb and rto is not None)

    meets = _meets(rto, rpo, rto_unb, rpo_unb, objectives)
    capacity = _capacity(graph, workload, failed)
    reduced = capacity is not None and capacity[0] < capacity[1]
    if reduced:
        notes.append(f"reduced capacity: {capacity[0]} instance(s) desired where {capacity[1]} were lost; "
                     "scaling up is a control-plane action in the surviving region")

    if not affected:
        outcome = "survives"
    elif waited or not impact.data_intact or not recoverable:
        outcome = "down"  # no way back within the outage, or data with no surviving copy
    elif blocked or reduced or meets is False:
        outcome = "degraded"
    elif meets is None and not impact.serving:
        outcome = "degraded"  # restorable, but no objective says how long is acceptable
    else:
        outcome = "survives"
    if affected and not any(v is not None for v in objectives.values()):
        notes.append(f"no {spec.disruption} objectives declared: the outcome is judged on serving alone")
    if blocked:
        notes.append("a failover step calls the control plane of a failed region, so it is not counted "
                     "(REL11-BP04: rely on the data plane during recovery; in March 2026 EC2 networking APIs "
                     "failed region-wide)")
    notes += est.notes

    why = impact.why  # survival already names same-named resources apart (survival.display_name)
    if not affected:
        why = f"{workload} is not touched by this scenario: nothing of it is in {where}, or depends on it"
    if waited:
        tail = f"waiting out the {span(spec.duration, adjective=True)} outage is the recovery"
        why = f"{why}; {tail}" if why else tail
    if blocked and "control plane" not in why:
        why = f"{why}; {blocked[0]['action']}"

    return WorkloadOutcome(
        name=workload, outcome=outcome, affected=affected, disruption=spec.disruption,
        estimated_rto=None if rto_unb else rto, estimated_rpo=None if rpo_unb else rpo,
        rto_unbounded=rto_unb, rpo_unbounded=rpo_unb, objectives=objectives, meets_objectives=meets,
        lost=sorted(impact.lost), failovers=[tuple(f) for f in impact.failovers], why=why,
        lost_data=list(getattr(impact, "lost_data", ())),
        chain=list(impact.broken_chain), control_plane_actions=control, strategy=est.strategy,
        strategy_reasons=est.strategy_reasons, steps=est.steps,
        unknown=list(dict.fromkeys([*impact.unknown, *est.unknown])), notes=list(dict.fromkeys(notes)),
        waited_out=waited, serving=impact.serving, data_intact=impact.data_intact,
        tier=spec_wl.tier if spec_wl else None, owner=spec_wl.owner if spec_wl else None,
        resources=len(nodes), last_test=_last_test(policy, workload, spec.disruption),
    )


# --- blast radius ------------------------------------------------------------------------------


@dataclass
class BlastEntry:
    id: str
    name: str
    kind: str
    region: str
    zones: tuple[str, ...]
    how: str  # direct | dependency
    reason: str
    workloads: tuple[str, ...]
    taken_over_by: list[str] = field(default_factory=list)  # surviving failover targets

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "kind": self.kind, "region": self.region,
                "zones": list(self.zones), "how": self.how, "reason": self.reason,
                "workloads": list(self.workloads), "taken_over_by": list(self.taken_over_by)}


@dataclass
class BlastRadius:
    entries: list[BlastEntry]
    failed: set[str]  # direct
    impaired: set[str]  # through dependencies

    @property
    def down(self) -> set[str]:
        return self.failed | self.impaired

    def to_dict(self) -> dict[str, Any]:
        return {"direct": len(self.failed), "through_dependencies": len(self.impaired),
                "resources": [e.to_dict() for e in self.entries]}


def blast_radius(graph: nx.MultiDiGraph, spec: ScenarioSpec, failed: set[str] | None = None, *,
                 coverage: Iterable[Coverage] = ()) -> BlastRadius:
    """Resources lost directly (in a failed region or zone) and through dependencies.

    Through dependencies, to a fixed point: a resource that ``depends_on`` a resource survival says
    it no longer has (:func:`survival.dependency_outcome`: the resource itself, or an alternative whose
    failover can run; a promotion whose control plane is in a failed region does not count); a
    router (DNS record, load balancer, target group) none of whose ``routes_to`` targets is
    available so; a cluster or global database whose every member is lost. What takes over from a
    lost resource is not decided here: :func:`_add_takeovers` reads it from the failovers
    :func:`survival.assess` counted.
    """
    failed = set(failed if failed is not None else survival.failed_nodes(graph, spec.core))
    regions, zones = set(spec.failed_regions), set(spec.failed_zones)
    coverage = coverage_index(coverage).records
    reasons: dict[str, str] = {}
    for node in failed:
        data = graph.nodes[node]
        if data.get("region") in regions:
            reasons[node] = f"in {data['region']}"
        else:
            hit = sorted(set(data.get("zones", ())) & zones)
            reasons[node] = f"in zone {', '.join(hit)}" if hit else "in the failed area"
    down = set(failed)
    answers: dict[str, bool] = {}

    def available(target: str) -> bool:
        if target not in answers:  # survival's answer: the node, or an alternative that can take over
            answers[target] = survival.dependency_outcome(graph, target, spec.core, coverage=coverage).ok
        return answers[target]

    # Dependencies and routes are judged by survival alone (``available`` never reads ``down``): one pass
    # in graph order finds every such loss. Only "all its members are lost" grows with ``down``, so it is
    # followed from each lost node to the clusters it is a member of, to the same fixed point as
    # re-scanning the graph until nothing changes (and the same reasons: a node is judged by its own
    # dependencies and routes first, by its members only when those keep it).
    succ, pred, nodes = graph.succ, graph.pred, graph.nodes
    for node in nodes:
        if node in down:
            continue
        reason = None
        routes = []
        for dst, keys in succ[node].items():  # out_edges(node, keys=True) order
            for key in keys:
                if key == DEPENDS_ON and not available(dst):
                    reason = f"depends on {name_of(graph, dst)}"
                    break
                if key == ROUTES_TO:
                    routes.append(dst)
            if reason is not None:
                break
        if reason is None and routes and not any(available(r) for r in routes):
            reason = "routes only to " + ", ".join(sorted(name_of(graph, r) for r in routes)[:3])
        if reason:
            down.add(node)
            reasons[node] = reason

    def members_lost(node: str) -> bool:
        members = [src for src, keys in pred[node].items() for key in keys if key == MEMBER_OF]
        return bool(members) and all(m in down for m in members)

    queue = list(down)
    while queue:
        lost = queue.pop()
        for cluster, keys in succ[lost].items():
            if MEMBER_OF in keys and cluster not in down and nodes[cluster].get("kind") in (DATABASE, GLOBAL_DATABASE) \
                    and members_lost(cluster):
                down.add(cluster)
                reasons[cluster] = "all its members are lost"
                queue.append(cluster)

    entries = []
    for node in down:
        data = graph.nodes[node]
        entries.append(BlastEntry(
            id=node, name=name_of(graph, node), kind=data.get("kind", ""), region=data.get("region", ""),
            zones=tuple(data.get("zones", ())), how="direct" if node in failed else "dependency",
            reason=reasons[node], workloads=tuple(data.get("workloads", ())),
        ))
    entries.sort(key=lambda e: (e.how != "direct", not e.workloads, e.workloads, e.region, e.kind, e.name, e.id))
    return BlastRadius(entries=entries, failed=failed, impaired=down - failed)


# --- the simulation ----------------------------------------------------------------------------


@dataclass
class Simulation:
    spec: ScenarioSpec
    workloads: list[WorkloadOutcome]
    blast: BlastRadius
    graph: nx.MultiDiGraph
    policy: Policy
    generated_at: str
    coverage: list[Coverage] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    source: dict[str, Any] = field(default_factory=dict)  # the snapshot the simulation ran on
    correlated: list[dict[str, Any]] = field(default_factory=list)  # failure domains partly kept
    unmatched: list[str] = field(default_factory=list)  # policy workloads with no resources

    def counts(self) -> dict[str, int]:
        return {o: sum(1 for w in self.workloads if w.outcome == o) for o in OUTCOMES}

    def gaps(self) -> list[Coverage]:
        return [c for c in self.coverage if not c.ok]

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SIMULATION_SCHEMA,
            "scenario": self.spec.to_dict(),
            "workloads": [w.to_dict() for w in self.workloads],
            # additive
            "generated_at": self.generated_at,
            "tool_version": __version__,
            "source": self.source,
            "summary": {**self.counts(), "workloads": len(self.workloads),
                        "resources_lost_directly": len(self.blast.failed),
                        "resources_lost_through_dependencies": len(self.blast.impaired)},
            "blast_radius": self.blast.to_dict(),
            "correlated_regions": self.correlated,
            "unmatched_workloads": self.unmatched,
            "coverage_gaps": [c.to_dict() for c in self.gaps()],
            "warnings": self.warnings,
        }


def _add_takeovers(blast: BlastRadius, outcomes: Iterable[WorkloadOutcome]) -> None:
    """What takes over from each lost resource: exactly the failovers :func:`survival.assess` counted
    for the workloads (a failover blocked by a failed control plane, or a DNS switch no health check
    makes, is never one). Recovery steps' alternatives (a manual DNS switch, a restore) are priced in
    the estimate, not shown as takeovers."""
    by_id = {e.id: e for e in blast.entries}
    for w in outcomes:
        for src, dst, _mechanism in w.failovers:
            entry = by_id.get(src)
            if src != dst and entry is not None and dst not in blast.down and dst not in entry.taken_over_by:
                entry.taken_over_by = sorted([*entry.taken_over_by, dst])


def _correlated(spec: ScenarioSpec, policy: Policy, graph: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Failure domains a failed region belongs to whose other regions the scenario keeps (only
    regions this inventory has resources in: the ones the exercise is about)."""
    out = []
    failed = set(spec.failed_regions)
    present = {d.get("region") for _, d in graph.nodes(data=True) if not d.get("stub")}
    for name, members in sorted(_domains(policy).items()):
        hit = failed & set(members)
        kept = sorted((set(members) - failed) & present)
        if hit and kept:
            together = set(failed) | set(kept)
            named = next((n for n, sc in NAMED_SCENARIOS.items() if set(sc.failed_regions) == together), None)
            command = f"--scenario {named}" if named else " ".join(f"--fail-region {r}" for r in
                                                                   [*spec.failed_regions, *kept])
            out.append({"domain": name, "failed": sorted(hit), "kept": kept,
                        "suggest": f"resilience simulate {command}"})
    return out


def simulate(graph: nx.MultiDiGraph, policy: Policy, spec: ScenarioSpec, *, coverage: Iterable[Coverage] = (),
             generated_at: dt.datetime | str | None = None, source: dict[str, Any] | None = None,
             warnings: Iterable[str] = ()) -> Simulation:
    coverage = coverage_index(coverage).records
    failed = set(survival.failed_nodes(graph, spec.core))
    names = workload_names(graph, policy)
    populated = [n for n in names if workload_nodes(graph, n)]
    kept = set(populated)
    outcomes = [evaluate(graph, policy, spec, n, coverage=coverage, failed=failed) for n in populated]
    order = {o: i for i, o in enumerate(OUTCOMES)}
    outcomes.sort(key=lambda w: (order[w.outcome], not w.affected, w.name))
    stamp = generated_at.isoformat() if isinstance(generated_at, dt.datetime) else (generated_at or "")
    blast = blast_radius(graph, spec, failed, coverage=coverage)
    _add_takeovers(blast, outcomes)
    return Simulation(spec=spec, workloads=outcomes, blast=blast, graph=graph,
                      policy=policy, generated_at=stamp, coverage=coverage, warnings=list(warnings),
                      source=dict(source or {}), correlated=_correlated(spec, policy, graph),
                      unmatched=[n for n in names if n not in kept])


def _source(inventory: Inventory | None, policy: Policy, inventory_sha256: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"policy_file": policy.path or "", "policy_sha256": policy.sha256 or ""}
    if inventory is not None:
        meta = inventory.meta or {}
        out.update({
            # of inventory.json as written next to the reports (to_json() + newline), or of the file read
            "inventory_sha256": inventory_sha256
            or hashlib.sha256((inventory.to_json() + "\n").encode("utf-8")).hexdigest(),
            "collected_at": meta.get("started_at", ""),
            "accounts": sorted(meta.get("accounts", [])),
            "regions_scanned": sorted(meta.get("regions_scanned", [])),
            "resources": len(inventory.resources),
        })
    return out


def run(graph_or_inventory: nx.MultiDiGraph | Inventory, policy: Policy, scenario: ScenarioSpec | str,
        scan_time: dt.datetime, *, coverage: Iterable[Coverage] | None = None,
        providers: Iterable[str] | None = None, inventory_sha256: str | None = None) -> Simulation:
    """Simulate on a graph or an inventory; ``scenario`` may be a built-in or failure-domain name."""
    if isinstance(scenario, str):
        scenario = build_scenario(name=scenario, policy=policy)
    inventory = graph_or_inventory if isinstance(graph_or_inventory, Inventory) else None
    if inventory is not None:
        graph = build_graph(inventory, policy)
        coverage = inventory.coverage if coverage is None else coverage
    else:
        graph = graph_or_inventory
    found = {d.get("provider") for _, d in graph.nodes(data=True)} - {None, "unknown"}
    warnings = validate_scenario(scenario, graph, tuple(sorted(set(providers or ()) | found)) or ("aws",))
    return simulate(graph, policy, scenario, coverage=coverage or (), generated_at=scan_time,
                    source=_source(inventory, policy, inventory_sha256), warnings=warnings)


def collection_scope(scope: tuple[str, ...], spec: ScenarioSpec, providers: Iterable[str]) -> tuple[str, ...]:
    """A live collection's ``--scan-regions``: the failed regions are always collected (those the
    providers know; empty scope stays empty, meaning every enabled region)."""
    if not scope:
        return scope
    from .regions import known_regions

    known: set[str] = set()
    for provider in providers:
        try:
            known |= known_regions(provider)
        except ImportError:
            continue
    return tuple(dict.fromkeys(scope + tuple(r for r in spec.failed_regions if r in known)))


def parse_formats(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """``json,md,html`` -> a tuple; unknown names are an input error. JSON is always written."""
    if value is None or value == "":
        return ("json", "md")
    items = value.split(",") if isinstance(value, str) else list(value)
    names = tuple(dict.fromkeys(p.strip().lower() for p in items if p.strip()))
    unknown = [n for n in names if n not in FORMATS]
    if unknown:
        raise InputError(f"unknown format '{unknown[0]}' for simulate (known: {', '.join(FORMATS)})")
    return names


# --- terminal ----------------------------------------------------------------------------------


#: workloads listed on the terminal (the worst first)
SUMMARY_ROWS = 50


def print_summary(sim: Simulation, *, written: Iterable[str] = (), out=None) -> None:
    """The outcome table on the terminal, then one line of *why* per workload."""
    from rich.console import Console
    from rich.table import Table

    out = out or Console(highlight=False)
    out.print(f"Scenario: {sim.spec.heading}")
    for warning in sim.warnings:
        out.print(f"note: {warning}")
    table = Table(show_edge=False)
    for col in ("workload", "outcome", "RTO", "RPO", "objective RTO / RPO", "meets"):
        table.add_column(col)

    def cell(value: int | None, unbounded: bool) -> str:
        return "unbounded" if unbounded else "not estimated" if value is None else fmt_duration(value)

    shown = sim.workloads[:SUMMARY_ROWS]  # worst first: an organisation's thousands are in simulation.json
    for w in shown:
        objective = " / ".join(fmt_duration(w.objectives[k]) if w.objectives[k] is not None else "-"
                               for k in ("rto", "rpo"))
        meets = {True: "yes", False: "no", None: "-"}[w.meets_objectives]
        table.add_row(w.name, w.outcome, cell(w.estimated_rto, w.rto_unbounded) + (" (wait)" if w.waited_out else ""),
                      cell(w.estimated_rpo, w.rpo_unbounded), objective, meets)
    out.print(table)
    for w in shown:
        if w.affected:
            out.print(f"- {w.why.replace(' -> ', ' → ')}")
    if len(sim.workloads) > len(shown):
        out.print(f"({len(sim.workloads) - len(shown)} more workloads in simulation.json)")
    c = sim.counts()
    out.print(f"{len(sim.workloads)} workloads: {c['down']} down, {c['degraded']} degraded, {c['survives']} "
              f"survive{'s' if c['survives'] == 1 else ''}; {len(sim.blast.failed)} resources lost directly, "
              f"{len(sim.blast.impaired)} through dependencies")
    for path in written:
        out.print(f"wrote {path}")


__all__ = [
    "NAMED_SCENARIOS", "OUTCOMES", "SIMULATION_SCHEMA", "BlastRadius", "ScenarioSpec", "Simulation",
    "WorkloadOutcome", "blast_radius", "build_scenario", "evaluate", "run", "simulate", "validate_scenario",
]
