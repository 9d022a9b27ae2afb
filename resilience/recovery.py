"""The recovery model: what RTO and RPO a workload's architecture can achieve, and why.

Three things live here:

* the **recovery model table** (``resilience/data/recovery_model.yaml``): per mechanism and
  disruption, an RTO and RPO with the document each number comes from. It is data in one place,
  published as ``docs/recovery-model.md`` (``python -m resilience.recovery_docs > docs/recovery-model.md``)
  and overridable from the policy file's ``recovery_model:`` mapping (:func:`validate_recovery_model`);
* the **estimate** (:func:`estimate`, :func:`estimate_for_scenario`): for one workload and one
  disruption, every affected component on the serving path and the recovery mechanism it needs,
  with the arithmetic (:class:`Step`). What is lost, which copies survive, which failover can run
  (control plane) and which volumes are disposable are :mod:`resilience.survival`'s answers
  (``node_down``, ``data_copies``, ``backups_of``, ``data_outcome``, ``is_disposable``): this module
  prices them, it never decides them, so the estimate and the simulator's verdicts agree;
* the **DR strategy classification** (:func:`classify_strategy`).

Conventions. Durations are seconds. ``math.inf`` (:data:`UNBOUNDED`) means *unbounded*: no
mechanism in the inventory bounds the recovery (no copy of the data, nothing to fail over to).
``None`` means *not estimated*: the inputs were missing (see :attr:`Estimate.unknown`). JSON never
carries ``Infinity``: :func:`json_seconds` writes an unbounded value as ``null`` beside
``"<field>_unbounded": true``.

Pure: reads only the graph, the policy and the coverage records; no I/O beyond the packaged
table, no clock (``as_of`` is an input).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import networkx as nx

from . import failure_domains, survival
from .coverage_index import coverage_index
from .durations import format_duration
from .graph_facts import display_name, placement_zones, service_of, zones_unlisted
from .model import (
    DATA_KINDS,
    DNS_RECORD,
    EXTERNAL,
    GLOBAL_REGION,
    INSTANCE,
    Coverage,
)
from .recovery_analysis import (  # noqa: F401 (re-exported: recovery is the entry point)
    _Analysis,
    schedule_interval,
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
from .recovery_steps import (  # noqa: F401 (re-exported: recovery is the entry point)
    _BAD_STATUSES,
    _CACHE,
    _INDEX,
    GIB,
    MIB,
    Estimate,
    Step,
    _as_scenario,
    _serving_nodes,
    _worst,
    estimate_read,
    fmt,
    is_unbounded,
    json_seconds,
    make_scenario,
    members_of,
    regions_of,
    scenario_label,
    zones_of,
)
from .recovery_strategy import (  # noqa: F401 (re-exported: recovery is the entry point)
    STRATEGIES,
    classify_strategy,
)

# ==========================================================================================
# Results
# ==========================================================================================


# ==========================================================================================
# Scenarios
# ==========================================================================================


# ==========================================================================================
# Estimation
# ==========================================================================================


def release(graph: nx.MultiDiGraph) -> None:
    """Drop every answer kept for ``graph``: assessments, estimates and the indexes behind them. For the end
    of an analysis: the findings hold what they need, and at a million resources these answers take
    gigabytes the reports need (issue 17). Asking again later recomputes them."""
    survival.forget(graph)
    _CACHE.pop(graph, None)
    _INDEX.pop(graph, None)


def estimate(graph: nx.MultiDiGraph, workload: str, disruption: str, *, policy: Any = None,
             coverage: Iterable[Coverage] = (), as_of: dt.datetime | None = None,
             regions: Iterable[str] | None = None) -> Estimate:
    """Achievable RTO/RPO of ``workload`` for ``disruption`` (``az``: each zone it uses fails in
    turn; ``region``: each region it runs in, or only ``regions`` when given): the worst scenario.

    ``as_of`` (the scan time) lets the RPO of an unscheduled backup be the age of its newest copy.
    """
    if disruption not in DISRUPTIONS:
        raise ValueError(f"disruption must be one of {DISRUPTIONS}, got {disruption!r}")
    index = coverage_index(coverage)
    coverage = index.records
    if disruption == "az":
        regions = None  # a zone's loss is priced wherever the zone is: the audited regions do not narrow it
    key = (workload, disruption, repr(getattr(policy, "recovery_model", None)),
           repr(policy.objectives_for(workload)) if policy is not None else None, index.fingerprint, as_of,
           tuple(sorted(regions)) if regions is not None else None, graph.number_of_nodes())
    per_graph = _CACHE.setdefault(graph, {})
    if key not in per_graph:
        per_graph[key] = _estimate(graph, workload, disruption, policy=policy, coverage=coverage, as_of=as_of,
                                   regions=regions)
    return per_graph[key]


def workload_zones(graph: nx.MultiDiGraph, workload: str) -> list[str]:
    """The zones whose loss may touch ``workload``, sorted: those its resources and everything on its serving
    path (what it depends on, another workload's database too) sit in or may sit in
    (:func:`resilience.graph_facts.placement_zones`: a resource of unreported zone, an uninventoried
    dependency). The zone scenarios of RES-ZONAL-001 and of the az estimate, one list for both."""
    memo = survival.per_graph(graph, "recovery.workload_zones")
    if workload not in memo:
        zones = set(zones_of(graph, workload))
        for n in _path(graph, workload):
            data = graph._node[n]
            if data["kind"] != EXTERNAL or data.get("stub"):
                zones.update(placement_zones(graph, n))
        memo[workload] = sorted(zones)
    return list(memo[workload])


def _path(graph: nx.MultiDiGraph, workload: str) -> list[str]:
    """The workload's serving path with nothing failed (its members and what they reach)."""
    memo = survival.per_graph(graph, "recovery.path")
    if workload not in memo:
        memo[workload] = _Analysis(graph, workload, survival.Scenario(), RecoveryModel(load_table()), (), None).path
    return memo[workload]


def _estimate(graph, workload, disruption, *, policy, coverage, as_of, regions) -> Estimate:
    strategy, reasons = classify_strategy(graph, workload)
    if not _serving_nodes(graph, workload):
        return Estimate(workload=workload, disruption=disruption, rto=None, rpo=None, strategy=strategy,
                        strategy_reasons=reasons,
                        unknown=[f"no resource of workload '{workload}' was found in the inventory"],
                        why="nothing to estimate")
    # the workload's own regions/zones, and those of what it depends on (another workload's table)
    path = _path(graph, workload)
    if disruption == "az":
        scenarios = [make_scenario(zones=[z]) for z in workload_zones(graph, workload)]
        if not scenarios:
            # an unseen dependency whose zones cannot be listed may be zonal: "not affected" is then not known
            unseen = [f"{display_name(graph, n)} was referenced but not inventoried, and in which zone it is (if "
                      "any) cannot be told: the loss of a zone may take it" for n in path if zones_unlisted(graph, n)]
            return Estimate(workload=workload, disruption="az", rto=0.0, rpo=0.0, strategy=strategy,
                            strategy_reasons=reasons, affected=False,
                            why="no zonal component: every resource is regional or global, so the loss of "
                                "one zone does not interrupt it",
                            unknown=unseen + _coverage_unknowns(graph, workload, coverage, set(), wide=False,
                                                                path=path))
    else:
        names = sorted(set(regions_of(graph, workload)) | {
            graph._node[n]["region"] for n in path if graph._node[n]["region"] not in (GLOBAL_REGION, "unknown", "")})
        if regions is not None:
            wanted = set(regions)
            names = [r for r in names if r in wanted]
        scenarios = [make_scenario(regions=[r]) for r in names]
        if not scenarios:
            audited = sorted(regions or ())
            label = scenario_label(make_scenario(regions=audited)) if audited else None
            where = ", ".join(audited) or "the region(s) under audit"
            return Estimate(workload=workload, disruption="region", rto=0.0, rpo=0.0, strategy=strategy,
                            strategy_reasons=reasons, rto_scenario=label, rpo_scenario=label, affected=False,
                            why=f"not affected: neither the workload nor anything it depends on or copies to "
                                f"is in {where}",
                            unknown=_coverage_unknowns(graph, workload, coverage, set(audited), wide=False,
                                                       path=path))
    parts = [estimate_for_scenario(graph, workload, s, policy=policy, coverage=coverage, as_of=as_of)
             for s in scenarios]
    certain: set[str] = set()
    if disruption == "az":
        zoned = [(sorted(_as_scenario(s).failed_zones)[0], p) for s, p in zip(scenarios, parts, strict=True)]
        certain = {m for m in ("rto", "rpo") if _placement_certain(graph, workload, zoned, m)}
    rto = _worst(p.rto for p in parts)
    rpo = _worst(p.rpo for p in parts)
    rto_part = next((p for p in parts if p.rto == rto), parts[0])
    rpo_part = next((p for p in parts if p.rpo == rpo), parts[0])
    steps: list[Step] = []
    for part in (rto_part, rpo_part) if rpo_part is not rto_part else (rto_part,):
        steps += part.steps
    unknown = list(dict.fromkeys(u for p in parts for u in p.unknown))
    notes = list(dict.fromkeys(n for p in parts for n in p.notes))
    return Estimate(
        workload=workload, disruption=disruption, rto=rto, rpo=rpo, steps=steps,
        rto_scenario=rto_part.rto_scenario, rpo_scenario=rpo_part.rpo_scenario,
        scenarios=[{"scenario": p.rto_scenario, "rto": json_seconds(p.rto), "rto_unbounded": is_unbounded(p.rto),
                    "rpo": json_seconds(p.rpo), "rpo_unbounded": is_unbounded(p.rpo)} for p in parts],
        unknown=unknown, strategy=strategy, strategy_reasons=reasons,
        why=rto_part.why if rto_part.rto else rpo_part.why, notes=notes,
        # a placement doubt cannot lower a worst that every zone the component may be in gives
        could_lower={"rto": [u for u in rto_part.could_lower.get("rto", rto_part.unknown)
                             if not ("rto" in certain and u.endswith(PRICED_AS_IF))],
                     "rpo": [u for u in rpo_part.could_lower.get("rpo", rpo_part.unknown)
                             if not ("rpo" in certain and u.endswith(PRICED_AS_IF))]},
        # any scenario could turn out the worst: what could raise one of them could raise the estimate
        could_raise={metric: list(dict.fromkeys(u for p in parts for u in p.could_raise.get(metric, p.unknown)))
                     for metric in ("rto", "rpo")},
    )


def estimate_for_scenario(graph: nx.MultiDiGraph, workload: str, scenario: Any, *, policy: Any = None,
                          coverage: Iterable[Coverage] = (), duration: float | None = None,
                          as_of: dt.datetime | None = None, impact: Any = None) -> Estimate:
    """Achievable RTO/RPO of ``workload`` when ``scenario`` (``failed_regions``/``failed_zones``)
    happens. ``duration``: how long the failed locations stay down (seconds); when given, waiting
    for them to return (data intact) is an option for every component, so nothing exceeds it.
    ``impact``: the :func:`resilience.survival.assess` result for the same scenario, when the caller
    has it; its ``why`` and control-plane notes are then reported with the estimate.

    Without ``duration`` and ``impact``, the answer is computed once per graph and question (the RTO and
    RPO rules, the workload summaries and the failure-domain prices ask the same one); it is shared, so
    callers copy before changing it (``dataclasses.replace``)."""
    index = coverage_index(coverage)
    if duration is not None or impact is not None:
        got = _estimate_for_scenario(graph, workload, scenario, policy=policy, coverage=index.records,
                                     duration=duration, as_of=as_of, impact=impact)
        return _worst_placement(graph, workload, scenario, got, policy=policy, coverage=index.records,
                                duration=duration, as_of=as_of)
    key = ("scenario", workload, _as_scenario(scenario), repr(getattr(policy, "recovery_model", None)),
           repr(policy.objectives_for(workload)) if hasattr(policy, "objectives_for") else None, index.fingerprint,
           as_of, graph.number_of_nodes())
    per_graph = _CACHE.setdefault(graph, {})
    if key not in per_graph:
        got = _estimate_for_scenario(graph, workload, scenario, policy=policy, coverage=index.records,
                                     duration=None, as_of=as_of, impact=None)
        per_graph[key] = _worst_placement(graph, workload, scenario, got, policy=policy, coverage=index.records,
                                          duration=None, as_of=as_of)
    return per_graph[key]


#: ends a placement doubt (:func:`_worst_placement`): the estimate prices the component as in the failed zone
PRICED_AS_IF = " (priced as if it is)"


def _placement_unknown(graph: nx.MultiDiGraph, workload: str) -> list[str]:
    """The workload's members and serving-path nodes whose zone is not known (Azure regional placement, or
    referenced but never inventoried), in path order: the only ones :func:`resilience.survival.placement_risk`
    can name, found once per workload rather than once per zone scenario."""
    memo = survival.per_graph(graph, "recovery.placement_unknown")
    if workload not in memo:
        nodes = graph._node
        memo[workload] = [n for n in dict.fromkeys([*members_of(graph, workload), *_path(graph, workload)])
                          if n in nodes and (survival.zone_unreported(nodes[n]) or survival.is_stub(nodes[n]))]
    return memo[workload]


def _placement_certain(graph: nx.MultiDiGraph, workload: str, zoned: list[tuple[str, Estimate]],
                       metric: str) -> bool:
    """Whether the worst of the zone estimates ``zoned`` (zone, estimate) holds whatever the placement: one
    component of unknown zone is on the path (Azure regional placement, or an uninventoried dependency), it
    is in one of the zones it may be in, and each of those zones, priced with it there, gives that worst.
    Then the zone it is really in gives it too: where it is cannot lower the az estimate."""
    uncertain = [n for n in _placement_unknown(graph, workload) if placement_zones(graph, n)]
    if len(uncertain) != 1:
        return False
    zones = set(placement_zones(graph, uncertain[0]))
    worst = _worst(getattr(e, metric) for _, e in zoned)
    mine = [e for zone, e in zoned if zone in zones]
    return bool(mine) and all(getattr(e, metric) == worst for e in mine)


def _worst_placement(graph: nx.MultiDiGraph, workload: str, scenario: Any, got: Estimate, **kw: Any) -> Estimate:
    """A zone loss may take a component whose zone is not reported (:func:`resilience.survival.placement_risk`,
    Azure regional placement): the estimate is then the worst case (such components in the failed zone),
    and what it would be if they are elsewhere is a doubt that could *lower* it (``could_lower``), so a
    worst case that misses an objective is ``unknown``, and one that meets it meets it whatever the placement."""
    scenario = _as_scenario(scenario)
    if not scenario.failed_zones or scenario.worst_placement:
        return got
    risks = [why for n in _placement_unknown(graph, workload) if (why := survival.placement_risk(graph, n, scenario))]
    if not risks:
        return got
    worst = estimate_for_scenario(graph, workload, replace(scenario, worst_placement=True), **kw)
    changed = [m for m in ("rto", "rpo") if getattr(worst, m) != getattr(got, m)]
    if not changed:
        return got
    risks = [f"{why}{PRICED_AS_IF}" for why in risks]
    return replace(worst, unknown=list(dict.fromkeys(risks + worst.unknown)),
                   could_lower={m: list(dict.fromkeys((risks if m in changed else []) + worst.could_lower.get(m, [])))
                                for m in ("rto", "rpo")},
                   could_raise={m: list(worst.could_raise.get(m, worst.unknown)) for m in ("rto", "rpo")})


def _estimate_for_scenario(graph: nx.MultiDiGraph, workload: str, scenario: Any, *, policy: Any,
                           coverage: tuple[Coverage, ...], duration: float | None, as_of: dt.datetime | None,
                           impact: Any) -> Estimate:
    analysis = _Analysis(graph, workload, scenario, model_for(policy), coverage, as_of,
                         objective=_objective(policy, workload, scenario))
    if impact is None:
        impact = survival.assess(graph, workload, analysis.scenario, coverage=coverage)
    analysis.serving = bool(getattr(impact, "serving", False))  # survival's verdict: one source of truth
    steps = analysis.run()
    steps += _broken_dependency_steps(analysis, steps, impact)
    if duration is not None:
        steps = [_wait_if_shorter(s, float(duration)) for s in steps]
    label = scenario_label(scenario)
    rto = None if any(s.rto is None for s in steps) else _worst([0.0, *(s.rto for s in steps)])
    rpo = None if any(s.rpo is None for s in steps) else _worst([0.0, *(s.rpo for s in steps)])
    analysis.unknown += [f"{s.name}: {s.model_key} has no value for this case" for s in steps
                         if s.rto is None or s.rpo is None]
    strategy, reasons = classify_strategy(graph, workload)
    wide = any(is_unbounded(s.rto) or is_unbounded(s.rpo) for s in steps)
    regions = analysis.path_regions()
    gaps = _coverage_unknowns(graph, workload, coverage, regions, wide=wide, path=analysis.path, records=True)
    # a lost dependency that was referenced but never inventoried: whether it holds data (and has a copy) is
    # unknown, so a met RPO could be broken by it, and its rebuild priced here could be shorter
    stubs = _path_stubs(graph, workload, analysis.path)
    unseen = [text for n, text in stubs if analysis.lost(n)]
    # a restore of unknown size that sets the RTO: only its fixed part is known, a longer one could miss
    worst_rto = _worst([0.0, *(s.rto for s in steps)]) if rto is not None else None
    bounds = [f"{s.name}: the size to restore is unknown, so {fmt(s.rto)} ({s.model_key}) is its fixed part only, "
              f"a lower bound" for s in steps if s.rto_lower_bound and s.rto == worst_rto]
    unknown = analysis.unknown + unseen + bounds + [text for text, _, _ in gaps]
    # what each doubt is about: a copy of one store (analysis.doubt_scope), an unseen dependency; else any step
    about = {text: store for text, (store, _) in analysis.doubt_scope.items()}
    about.update((text, n) for n, text in stubs)
    could_lower = {metric: _could_lower(graph, steps, metric, analysis.unknown + (unseen if metric == "rto" else []),
                                        [(text, c) for text, c, bearing in gaps if bearing[metric]],
                                        analysis.failed_regions, about)
                   for metric in ("rto", "rpo")}
    raising = [d for d in analysis.unknown if _doubt_could_raise(analysis.doubt_scope.get(d), steps)]
    could_raise = {metric: raising + [text for text, c, bearing in gaps
                                      if bearing[metric] and not survival.hides_copies_only(c)]
                   for metric in ("rto", "rpo")}
    notes = list(analysis.notes)
    why = ""
    if impact is not None:
        why = getattr(impact, "why", "") or ""
        # survival's own doubts (impact.unknown) are its verdict's; the estimate's come from coverage
        notes += [f"recovery needs the control plane: {c}" for c in getattr(impact, "control_plane", []) or []]
    if not why:
        why = _why(steps, rto, rpo, label)
    return Estimate(workload=workload, disruption="scenario", rto=rto, rpo=rpo, steps=steps, rto_scenario=label,
                    rpo_scenario=label, unknown=list(dict.fromkeys(unknown)), strategy=strategy,
                    strategy_reasons=reasons, why=why, notes=list(dict.fromkeys(notes)), could_lower=could_lower,
                    could_raise={"rto": list(dict.fromkeys(bounds + could_raise["rto"])),
                                 "rpo": list(dict.fromkeys(unseen + could_raise["rpo"]))},
                    scenarios=[{"scenario": label, "rto": json_seconds(rto), "rto_unbounded": is_unbounded(rto),
                                "rpo": json_seconds(rpo), "rpo_unbounded": is_unbounded(rpo)}])


def _path_stubs(graph: nx.MultiDiGraph, workload: str, path: list[str]) -> list[tuple[str, str]]:
    """``(node, doubt)`` for each node of the workload's serving path (``path``) that was referenced but never
    inventoried, in path order: whether it holds data, and has a copy, is unknown. The graph's and the workload's
    alone: once per workload (shared: read-only)."""
    memo = survival.per_graph(graph, "recovery.path_stubs")
    got = memo.get(workload)
    if got is None:
        got = memo[workload] = [
            (n, f"{survival.display_name(graph, n)} was referenced but not inventoried: whether it holds data, and "
                f"has a copy, is unknown") for n in path if graph._node[n].get("stub")]
    return got


def domain_scenarios(graph: nx.MultiDiGraph, workload: str, *, policy: Any = None,
                     regions: Iterable[str] | None = None) -> list[tuple[str, frozenset[str]]]:
    """``(domain name, the regions that fail)`` for each failure domain (:mod:`resilience.failure_domains`,
    built in or from the policy) that holds a region the workload's region objective is priced in
    (only the audited ones when ``regions`` is given) and at least one *other* region the workload
    touches: its own resources, what it depends on, where its DNS names route or fail over to
    (:func:`resilience.survival.dns_targets`), or a copy or backup of its data. Losing such a domain is a
    different failure from losing its regions one at a time; a domain the workload has one region in
    fails like that region alone and is not listed.

    The regions that fail are every region of the domain the estate holds, not only those found here:
    a region this list misses (a standby another workload owns) must still fail with its domain, or the
    workload would survive on it. Regions the estate holds nothing in are left out (they change nothing,
    and the scenario's label stays checkable against the inventory). Two domains that the workload
    touches in the same regions are one scenario, named by the first domain (by name)."""
    nodes = graph._node
    touched, priced = _touched_regions(graph, workload)
    if regions is not None:
        priced &= set(regions)
    estate = survival.per_graph(graph, "recovery.estate_regions")
    if "regions" not in estate:
        estate["regions"] = frozenset(d.get("region") for d in nodes.values())
    out: dict[frozenset[str], tuple[str, frozenset[str]]] = {}
    for name, members in failure_domains.domains(policy).items():
        if members & priced and len(members & touched) >= 2:
            out.setdefault(frozenset(members & touched), (name, frozenset(members & estate["regions"])))
    return list(out.values())


def _touched_regions(graph: nx.MultiDiGraph, workload: str) -> tuple[frozenset[str], frozenset[str]]:
    """For :func:`domain_scenarios`: the real regions the workload touches (its own and its path's, where its
    data is copied or backed up, where its DNS names route or fail over to), and its own and its path's alone.
    The graph's and the workload's alone: found once per workload (shared: read-only)."""
    memo = survival.per_graph(graph, "recovery.touched_regions")
    got = memo.get(workload)
    if got is None:
        path = _path(graph, workload)
        nodes = graph._node
        own = set(regions_of(graph, workload)) | {nodes[n]["region"] for n in path}
        touched = set(own)
        for n in path:
            if nodes[n].get("kind") in DATA_KINDS:
                touched |= {c.region for c in survival.data_copies(graph, n)}
                touched |= {c.region for c in survival.backups_of(graph, n)}
        records = [n for n in path if nodes[n].get("kind") == DNS_RECORD]
        touched |= {nodes[t].get("region") for t in survival.dns_targets(graph, records)}
        nowhere = {GLOBAL_REGION, "unknown", "", None}
        got = memo[workload] = (frozenset(touched - nowhere), frozenset(own - nowhere))
    return got


def estimate_domains(graph: nx.MultiDiGraph, workload: str, *, policy: Any = None, coverage: Iterable[Coverage] = (),
                     as_of: dt.datetime | None = None,
                     regions: Iterable[str] | None = None) -> list[tuple[str, Estimate]]:
    """The region objective priced under the loss of each failure domain of :func:`domain_scenarios`
    (every region of the domain at once): ``(domain name, estimate)``, the estimate's
    ``disruption`` is ``region`` and its scenario label names every failed region."""
    coverage = coverage_index(coverage).records
    out = []
    for name, members in domain_scenarios(graph, workload, policy=policy, regions=regions):
        got = estimate_for_scenario(graph, workload, make_scenario(regions=members), policy=policy,
                                    coverage=coverage, as_of=as_of)
        out.append((name, replace(got, disruption="region")))
    return out


def _broken_dependency_steps(analysis: _Analysis, steps: list[Step], impact: Any) -> list[Step]:
    """The component that stops the workload serving, as survival decided, when no data, compute or entry
    step prices it (a NAT gateway, an image repository, a secret, an AMI, a cache only in the failed area):
    nothing replaces it, so it is rebuilt elsewhere (``compute-redeploy``: unbounded unless the policy's
    recovery model says how long the rebuild takes). When a step prices it as taken over at once (a running
    standby) but survival finds no path to the survivor, moving the traffic is a person's step
    (``manual-dns-switch``). Without them the estimate would price a recovery the survival engine says
    cannot serve."""
    if getattr(impact, "serving", True) or not getattr(impact, "broken_chain", None):
        return []
    cause = impact.broken_chain[-1]
    if cause not in analysis.g:
        return []
    chain = " -> ".join(analysis.name(n) for n in impact.broken_chain if n in analysis.g)
    priced = [s for s in steps if s.resource == cause]
    if not priced and getattr(impact, "standing", False):
        # it serves nothing with nothing failed either (disabled, no route): no failover mends it, a person does
        option = analysis._option(
            "manual-dns-switch", f"{chain}: {analysis.name(cause)} serves nothing even before {analysis._where()} "
            f"is lost (disabled, or no route); {analysis.workload} serves again only when someone enables it or "
            "gives it a route")
        return [analysis._step(impact.broken_chain[0], option, "entry")]
    if not priced:
        option = analysis._option(
            "compute-redeploy", f"{analysis.name(cause)} is lost with {analysis._where()} and nothing replaces it "
            f"({chain}): {analysis.workload} cannot serve until it is rebuilt outside the failed area")
        return [analysis._step(cause, option, "dependency")]
    if any(s.rto is None or s.rto > 0 for s in steps if s.resource in impact.broken_chain):
        return []  # a step on the broken chain already prices the time it takes
    # the lost component's step says something takes over at once (a running standby, a replica), yet survival
    # finds no path that reaches it: traffic keeps going to the lost one (a pool without a health probe) or no
    # enabled route leads to the survivor, until someone moves it (blind azure11: RTO 0s beside "stops serving")
    standby = next((s.to for s in priced if s.to and s.to in analysis.g), None)
    survivor = (f"{analysis.name(standby)} in {analysis.region(standby)} survives but nothing sends traffic to it "
                "by itself" if standby else "nothing sends traffic elsewhere by itself")
    option = analysis._option("manual-dns-switch", f"{chain}: {analysis.name(cause)} is lost with "
                              f"{analysis._where()} and the workload stops serving; {survivor}", to=standby)
    return [analysis._step(impact.broken_chain[0], option, "entry")]


def _wait_if_shorter(step: Step, duration: float) -> Step:
    if step.rto is None or step.rto <= duration:
        return step
    return replace(
        step, mechanism="wait for the failed location to return", rto=duration, rpo=0.0,
        model_key="scenario-duration", source="scenario duration (given by the caller)", to=None,
        reasoning=_wait_reasoning(step, duration),
        alternatives=(*step.alternatives, f"{step.model_key}: RTO {fmt(step.rto)}, RPO {fmt(step.rpo)}"),
    )


def _wait_reasoning(step: Step, duration: float) -> str:
    lasts = f"the outage lasts {format_duration(duration)}"
    if is_unbounded(step.rto):
        return (f"{step.reasoning}; nothing brings it back sooner, so it returns when the outage ends "
                f"({lasts}), with its data only if the failed location comes back intact")
    return (f"{step.reasoning}; {lasts}, less than the {fmt(step.rto)} that {step.mechanism} would take, so the "
            "component is back, data intact, when it ends")


def _why(steps: list[Step], rto: float | None, rpo: float | None, label: str) -> str:
    if not steps:
        return f"{label}: nothing on the serving path is affected"
    worst_rto = max(steps, key=lambda s: (s.rto if s.rto is not None else -1))
    worst_rpo = max(steps, key=lambda s: (s.rpo if s.rpo is not None else -1))
    text = f"{label}: RTO {fmt(rto)} set by {worst_rto.name} ({worst_rto.model_key})"
    if worst_rpo.rpo:
        text += f"; RPO {fmt(rpo)} set by {worst_rpo.name} ({worst_rpo.model_key})"
    return text


def _objective(policy: Any, workload: str, scenario: Any) -> Any:
    """The workload's objective for the scenario's kind of disruption (``region`` when a region fails, else
    ``az``), which decides between a faster option and one that meets the objective."""
    if policy is None or not hasattr(policy, "objectives_for"):
        return None
    failed_regions = getattr(_as_scenario(scenario), "failed_regions", ())
    return policy.objectives_for(workload).get("region" if failed_regions else "az")


def _could_lower(graph: nx.MultiDiGraph, steps: list[Step], metric: str, doubts: list[str],
                 gaps: list[tuple[str, Coverage]], failed_regions: Iterable[str] = (),
                 about: dict[str, str] | None = None) -> list[str]:
    """The doubts that could make ``metric`` smaller than estimated: those about the steps that set it (the
    worst), and only when every one of those steps could be lowered (the estimate is their maximum: one that
    nothing could lower keeps it). For a lost data store only a read that could have hidden a copy of it
    counts (:func:`survival.store_gap`, as the data rules judge it: its service's backup or replication
    reads, a backup service's reads about it or about where its backups are held); for compute, a gap that
    could hide a standby or a way around the loss (:func:`_could_hide_standby`) but a backup service's, which
    holds no copy of a group, function or service to restore (an instance's machine image aside). A doubt that
    is not a coverage gap counts for the step of the resource it is about (``about``), else for every step."""
    values = [getattr(s, metric) for s in steps]
    if not values or any(v is None for v in values):
        return list(doubts) + [text for text, _ in gaps]
    worst = _worst([0.0, *values])
    if not worst:
        return []  # nothing to lower
    about = about or {}
    out: list[str] = []
    for step in (s for s in steps if getattr(s, metric) == worst):
        mine = [d for d in doubts if about.get(d, step.resource) == step.resource]
        mine += [text for text, c in gaps if _gap_lowers(graph, step, c, failed_regions)]
        if not mine:
            return []  # this step stays at the worst whatever was not seen
        out += mine
    return list(dict.fromkeys(out))


def _gap_lowers(graph: nx.MultiDiGraph, step: Step, c: Coverage, failed_regions: Iterable[str]) -> bool:
    """Whether failed read ``c`` could hide what would lower ``step`` (see :func:`_could_lower`)."""
    data = graph._node[step.resource] if step.resource in graph else None
    if data is None:
        return True
    if step.role == "data":
        # a listing of what a failed region holds: any copy it hid is lost with the region
        return survival.store_gap(graph, step.resource, c) and not (
            survival.lists_held_in_region(c) and c.region in failed_regions)
    return (data["kind"] == INSTANCE or not survival.hides_copies_only(c)) and _could_hide_standby(data, step, c)


def _doubt_could_raise(scope: tuple[str, frozenset[str]] | None, steps: list[Step]) -> bool:
    """Whether a doubt could raise the estimate: one about a copy of a store (``scope``: the store, and what
    relies on the copy) only when the store's step relies on that copy; an unseen copy it does not use can only
    add a way to recover. Any other doubt could."""
    if scope is None:
        return True
    store, relied_on = scope
    mine = [s for s in steps if s.resource == store]
    return not mine or any(s.model_key in relied_on or s.to in relied_on for s in mine)


#: AWS services where a standby of a compute step could hide (an unseen group, function, service or cluster)
_COMPUTE_SERVICES = frozenset({"ec2", "autoscaling", "lambda", "ecs", "eks"})
#: AWS services that could route around a lost component to its counterpart (a record, balancer, distribution,
#: accelerator or API sending users to the standby)
_ROUTING_SERVICES = frozenset({"elbv2", "elb", "route53", "cloudfront", "globalaccelerator", "apigateway"})


def _could_hide_standby(data: dict[str, Any], step: Step, c: Coverage) -> bool:
    """Whether failed read ``c`` could hide a standby of compute step ``step`` (resource ``data``), or a faster
    way to the counterpart it already has: on AWS, a read of its own service or of a compute service; a routing
    service's only when the step has a counterpart to route to (``step.to``: a standby reached by a manual
    switch). A failed queue, topic or secret read hides neither. The Azure and GCP collectors read only what
    builds the graph, so each of their gaps could."""
    if c.provider != "aws":
        return True
    base = c.service.split(":", 1)[0]
    if base in _COMPUTE_SERVICES or base == service_of(data):
        return True
    return base in _ROUTING_SERVICES and bool(step.to)


#: AWS sub-reads that list resources of their own (tags list workload membership); every other sub-read
#: (``efs:replication``, ``elbv2:listeners``) is a detail of resources its service's listing returned
_LISTING_READS = frozenset({"tags", "clusters", "serverless", "http-apis", "services", "volumes", "records"})
#: AWS services whose listing may hide a data store (an unseen store can raise an RPO; nothing else can)
_DATA_SERVICES = frozenset({"rds", "dynamodb", "s3", "ec2", "efs", "backup"})
#: AWS services whose listing may hide a way in to a workload (compute, a regional balancer, a record, an API)
_ENTRY_SERVICES = _COMPUTE_SERVICES | {"elbv2", "elb", "route53", "apigateway"}
#: kinds AWS Backup can hold a copy of
_BACKED_UP = DATA_KINDS | {INSTANCE}


def gap_bearing(graph: nx.MultiDiGraph, nodes: Iterable[str], c: Coverage) -> dict[str, bool]:
    """Which of a workload's estimates (``rto``, ``rpo``) failed read ``c`` could change, given the workload's
    path ``nodes`` (its members and what they reach). On AWS, a listing (:data:`_LISTING_READS`, or a service's
    primary read) that may hide a data store member bears on both (:data:`_DATA_SERVICES`), one that may hide a
    way in on the RTO (:data:`_ENTRY_SERVICES`). Any other read bears only when the path holds a resource of its
    service (an AWS Backup read: one that can be backed up), and on the RPO only when that resource holds data:
    an unseen cache, queue, secret, distribution or accelerator changes a workload only through something that
    references it, and a reference to one nothing inventoried answers to is an unseen dependency already. The
    Azure and GCP collectors read only what builds the graph, so each of their gaps bears on both."""
    if c.provider != "aws":
        return {"rto": True, "rpo": True}
    base, _, sub = c.service.partition(":")
    if not sub or sub in _LISTING_READS:
        if base in _DATA_SERVICES:
            return {"rto": True, "rpo": True}
        if base in _ENTRY_SERVICES:
            return {"rto": True, "rpo": False}
    if base == "backup":
        about = [graph._node[n] for n in nodes if graph._node[n]["kind"] in _BACKED_UP and c.applies_to(n)]
    else:
        about = [graph._node[n] for n in nodes if service_of(graph._node[n]) == base and c.applies_to(n)]
    return {"rto": bool(about), "rpo": any(d["kind"] in DATA_KINDS for d in about)}


def _coverage_unknowns(graph, workload, coverage, regions: set[str], *, wide: bool,
                       path: Iterable[str] | None = None, records: bool = False) -> list[Any]:
    """Coverage gaps that can change the estimate.

    A gap in a region the workload runs in may hide one of its components (the estimate could be
    too optimistic); when the estimate is unbounded somewhere, a gap in *any* region may hide the
    copy that would bound it. A read made for one resource (``Coverage.resources``) counts only when
    the workload's path (``path``: its members and what they reach) holds that resource, and any read only
    when it bears on the path's estimates (:func:`gap_bearing`, worked out once here). ``skipped`` scopes
    are out of scope on purpose and not counted. ``records``: ``(text, record, bearing)`` triples.
    """
    index = coverage_index(coverage)
    memo = index.answers("recovery.coverage_unknowns")
    key = True if wide else frozenset(regions)
    if key not in memo:
        out = []
        for c in index.failed if wide else index.failed_in(regions):
            if c.status not in _BAD_STATUSES:
                continue
            # AWS reads some things no estimate uses (test evidence, the organisation); the Azure and GCP
            # collectors read only what builds the graph, so each of their gaps counts
            if c.provider == "aws" and not estimate_read(c.service):
                continue
            out.append((f"{c.provider} {c.service} in {c.region} could not be read ({c.status}"
                        f"{': ' + c.detail if c.detail else ''})", c))
        memo[key] = out
    nodes = list(path) if path is not None else None
    kept: dict[str, tuple[Coverage, dict[str, bool]]] = {}
    for text, c in memo[key]:
        if c.resources and nodes is not None and not any(c.applies_to(n) for n in nodes):
            continue
        bearing = gap_bearing(graph, nodes, c) if nodes is not None else {"rto": True, "rpo": True}
        if any(bearing.values()):
            kept[text] = (c, bearing)
    if records:  # (text, record, bearing), for the caller that sorts the doubts by what they could change
        return [(text, c, bearing) for text, (c, bearing) in sorted(kept.items(), key=lambda item: item[0])]
    return sorted(kept)


# --- the analysis of one scenario ----------------------------------------------------------


# ==========================================================================================
# Schedules
# ==========================================================================================


# ==========================================================================================
# DR strategy classification
# ==========================================================================================


# ==========================================================================================
# Summary for findings.json (``workloads[].recovery``)
# ==========================================================================================


def workload_recovery(graph: nx.MultiDiGraph, workload: str, *, policy: Any = None,
                      coverage: Iterable[Coverage] = (), as_of: dt.datetime | None = None,
                      regions: Iterable[str] | None = None) -> dict[str, Any]:
    """The additive ``recovery`` block proposed for each ``findings.json`` workload:
    ``{"strategy", "strategy_reasons", "achievable": {az|region: {rto, rto_unbounded, rpo, ...}}}``."""
    coverage = coverage_index(coverage).records
    strategy, reasons = classify_strategy(graph, workload)
    achievable = {}
    for disruption in DISRUPTIONS:
        est = estimate(graph, workload, disruption, policy=policy, coverage=coverage, as_of=as_of,
                       regions=regions if disruption == "region" else None)
        achievable[disruption] = {
            "rto": json_seconds(est.rto), "rto_unbounded": is_unbounded(est.rto),
            "rpo": json_seconds(est.rpo), "rpo_unbounded": is_unbounded(est.rpo),
            "rto_scenario": est.rto_scenario, "rpo_scenario": est.rpo_scenario,
            "complete": est.complete,
        }
    return {"strategy": strategy, "strategy_reasons": reasons, "achievable": achievable}
