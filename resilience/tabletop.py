"""The tabletop pack: a document a facilitator runs a region-loss exercise from.

Built from a :class:`resilience.simulate.Simulation` (nothing here reads the cloud or the clock):

- the scenario narrative and its assumptions;
- a timeline of injects derived from the scenario (T+0 power loss in the busiest zone of the first
  region, T+1h a second zone, T+2h the region, control-plane and personnel injects, T+6h the
  neighbouring region, a data-loss update, the return), each with the state the graph predicts
  for every workload at that point;
- the expected outcome per workload, with the chain that decides it (for the facilitator);
- the blast radius as a table and a picture (Mermaid in Markdown, inline SVG in HTML);
- questions per team, drawn from what the graph shows for their workloads;
- the evidence checklist that turns the exercise into an A1.3 test record, with a ready-to-paste
  ``failover_tests:`` snippet for the policy file.

``render_markdown`` and ``render_html`` render the same :class:`Pack`; the HTML is the Markdown
rendered to HTML (markdown-it, a dependency of rich), wrapped in a self-contained page, with the
Mermaid diagram replaced by an inline SVG.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import networkx as nx
from jinja2 import Environment, StrictUndefined

from . import simulate, survival
from .model import (
    BACKUP_PLAN,
    BACKUP_VAULT,
    COMPUTE_GROUP,
    DNS_ZONE,
    FAULT_EXPERIMENT,
    HEALTH_CHECK,
    INSTANCE,
    MEMBER_OF,
    RECOVERY_POINT,
    RESILIENCE_ASSESSMENT,
    RESTORE_TEST,
    SUBNET,
    Coverage,
    Inventory,
)
from .policy import Policy
from .simulate import (
    HTML_NAME,
    JSON_NAME,
    MD_NAME,
    NAMED_SCENARIOS,
    OUTCOMES,
    ScenarioSpec,
    Simulation,
    WorkloadOutcome,
    and_list,
    evaluate,
    fmt_duration,
    name_of,
    span,
)

HOUR = 3600
MAX_DIAGRAM_NODES = 60
#: plumbing: never drawn, listed only as a count under the blast-radius table
QUIET_KINDS = frozenset({SUBNET, DNS_ZONE, HEALTH_CHECK})
#: copies and records rather than serving parts: drawn only when they survive (a copy to recover from)
BACKUP_KINDS = frozenset({RECOVERY_POINT, BACKUP_VAULT, BACKUP_PLAN})
RECORD_KINDS = frozenset({FAULT_EXPERIMENT, RESTORE_TEST, RESILIENCE_ASSESSMENT})


def _group_instance(g: nx.MultiDiGraph, node: str) -> bool:
    """An instance that belongs to a compute group (the group stands for it)."""
    return g.nodes[node].get("kind") == INSTANCE and any(
        key == MEMBER_OF and g.nodes[dst].get("kind") == COMPUTE_GROUP for _, dst, key in g.out_edges(node, keys=True))


#: how summarised nodes are counted: category -> (one, many)
CATEGORIES = {
    "plumbing": ("network resource (subnet, zone, health check)", "network resources (subnets, zones, health checks)"),
    "backups": ("backup, vault or recovery point held in the failed area",
                "backups, vaults and recovery points held in the failed area"),
    "records": ("test or experiment record", "test and experiment records"),
    "instances": ("instance of the compute groups above (the group replaces it)",
                  "instances of the compute groups above (their groups replace them)"),
}


def minor(g: nx.MultiDiGraph, node: str) -> str | None:
    """Why a lost node is summarised rather than listed (a category), or ``None`` when it is listed."""
    data = g.nodes[node]
    kind = data.get("kind") or ""
    if kind in QUIET_KINDS:
        return "plumbing"
    if kind in BACKUP_KINDS:
        return "backups"
    if kind in RECORD_KINDS:
        return "records"
    if _group_instance(g, node):
        return "instances"
    if not data.get("workloads"):
        return f"outside:{kind}"
    return None


def counted(category: str, n: int) -> str:
    if category.startswith("outside:"):
        kind = category.split(":", 1)[1].replace("_", " ") or "resource"
        return f"{n} {kind}{'s' if n != 1 else ''} outside any workload"
    one, many = CATEGORIES[category]
    return f"{n} {one if n == 1 else many}"


def summarise(g: nx.MultiDiGraph, nodes: list[str], *, limit: int = 10) -> str:
    """Markdown: the listed nodes by name (up to ``limit``), then the minor ones as counts."""
    listed = [n for n in nodes if minor(g, n) is None]
    counts = Counter(minor(g, n) for n in nodes if minor(g, n) is not None)
    parts = [f"`{name_of(g, n)}`" for n in listed[:limit]]
    if len(listed) > limit:
        parts.append(f"{len(listed) - limit} more")
    parts += [counted(what, n) for what, n in sorted(counts.items())]
    return ", ".join(parts)

# --- injects -----------------------------------------------------------------------------------


@dataclass
class Inject:
    at: int  # seconds after T+0
    title: str
    detail: str
    kind: str  # failure | information | personnel | decision | restore
    expected: dict[str, list[str]] = field(default_factory=dict)  # outcome -> workloads (failure injects)
    changes: list[str] = field(default_factory=list)  # "payments: survives -> down (why)"
    ask: list[str] = field(default_factory=list)

    @property
    def when(self) -> str:
        return "T+0" if self.at == 0 else f"T+{fmt_duration(self.at)}"


def _busiest_zones(graph: nx.MultiDiGraph, region: str) -> list[str]:
    """Zones of ``region`` ordered by how many workload resources sit in them."""
    counts: Counter[str] = Counter()
    for _, data in graph.nodes(data=True):
        if data.get("region") != region:
            continue
        for zone in data.get("zones", ()):
            counts[zone] += 2 if data.get("workloads") else 1
    return [z for z, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def _provider_of(graph: nx.MultiDiGraph, region: str) -> str:
    """The provider of a region: from the inventory, else from the shape of its name."""
    found = Counter(d.get("provider") for _, d in graph.nodes(data=True) if d.get("region") == region)
    if found:
        return found.most_common(1)[0][0] or "aws"
    if re.fullmatch(r"[a-z]+-[a-z]+-\d+", region):
        return "aws"
    if re.fullmatch(r"[a-z]+-[a-z]+\d+", region):
        return "gcp"
    return "azure" if re.fullmatch(r"[a-z0-9]+", region) else "aws"


def _stage_key(spec: ScenarioSpec) -> tuple[Any, ...]:
    """What :func:`evaluate` reads of a scenario: two stages with the same key get the same outcomes."""
    return spec.failed_regions, spec.failed_zones, spec.duration


def _state(sim: Simulation, stage: ScenarioSpec) -> dict[str, WorkloadOutcome]:
    """Every workload's outcome at a stage of the timeline. The stage that is the simulated scenario
    itself (the region lost, usually) is the simulation's own answer: :func:`evaluate` is a function of
    the graph, the policy, the scenario and the workload, so asking again would give the same."""
    if _stage_key(stage) == _stage_key(sim.spec):
        return {w.name: w for w in sim.workloads}
    failed = survival.failed_nodes(sim.graph, stage.core)  # once per stage, not per workload
    return {w.name: evaluate(sim.graph, sim.policy, stage, w.name, coverage=sim.coverage, failed=failed)
            for w in sim.workloads}


def _schedule(spec: ScenarioSpec, base: list[int]) -> float:
    """A factor that squeezes the standard timeline into a short outage (all before 3/4 of it)."""
    last = max(base) if base else 0
    if spec.duration and last and last > 0.75 * spec.duration:
        return 0.75 * spec.duration / last
    return 1.0


def _round(seconds: float) -> int:
    return int(round(seconds / 300.0)) * 300  # five-minute steps


def build_injects(sim: Simulation) -> list[Inject]:
    spec, graph = sim.spec, sim.graph
    plan: list[tuple[int, str, str, str, ScenarioSpec | None]] = []  # (at, kind, title, detail, stage)
    # regions with nothing inventoried change nothing: no inject (the scenario section names them);
    # a failure domain's regions come in order of how much of the estate they hold
    counts = Counter(d.get("region") for _, d in graph.nodes(data=True) if not d.get("stub"))
    regions = [r for r in spec.failed_regions if counts.get(r)] or list(spec.failed_regions)
    if spec.name and spec.name not in NAMED_SCENARIOS:
        regions.sort(key=lambda r: -counts[r])
    extra_zones = [z for z in spec.failed_zones]
    domains = {d["domain"]: d for d in sim.correlated}
    zone_region = {z: r for _, d in graph.nodes(data=True) for z in d.get("zones", ()) for r in [d.get("region")]}

    def stage(regs: list[str], zones: list[str]) -> ScenarioSpec:
        return ScenarioSpec(failed_regions=tuple(regs), failed_zones=tuple(dict.fromkeys(zones)),
                            duration=spec.duration)

    if regions:
        first = regions[0]
        zones = _busiest_zones(graph, first)
        t = 0
        if zones:
            z1 = zones[0]
            plan.append((0, "failure", f"Power loss in zone {z1} ({first})",
                         f"A facility in {first} loses power; everything in zone {z1} stops. The provider's "
                         f"status page reports increased error rates in {first}.", stage([], [z1, *extra_zones])))
            if len(zones) > 1:
                z2 = zones[1]
                plan.append((HOUR, "failure", f"Second zone {z2} goes dark",
                             f"A second {first} facility loses power: zones {z1} and {z2} are down. Multi-AZ "
                             "deployments that counted on those two zones are now on one, or none.",
                             stage([], [z1, z2, *extra_zones])))
            t = 2 * HOUR
        plan.append((t, "failure", f"{first} is lost",
                     f"The provider declares {first} impaired: the remaining zones, the regional services "
                     "(object storage, tables, functions) and the control-plane APIs stop answering. "
                     "Nothing in the region can be read, launched or changed.",
                     stage([first], extra_zones)))
        provider = _provider_of(graph, first)
        apis = {"azure": "Azure Resource Manager operations", "gcp": "Compute Engine and networking APIs"}.get(
            provider, "EC2 and networking APIs")
        precedent = "as they did" if provider == "aws" else "as EC2's did in me-central-1"
        plan.append((t + HOUR, "information", f"Control-plane APIs in {first} fail region-wide",
                     f"{apis} in {first} return errors for every customer, {precedent} in March "
                     "2026: no instance launches, no network-interface or route changes, no snapshot copies out "
                     "of the region. Any recovery step that calls an API in this region cannot run.", None))
        plan.append((t + 2 * HOUR, "personnel", "Key people are unreachable",
                     f"The on-call engineers who live near the {first} facilities cannot be reached (power and "
                     "mobile networks are down). Whoever is next on the rota takes over.", None))
        for i, region in enumerate(regions[1:]):
            domain = next((name for name, d in domains.items() if region in d["failed"] and first in d["failed"]),
                          None)
            shared = f" It shares the failure domain '{domain}' with {first}." if domain else ""
            plan.append((6 * HOUR + i * 2 * HOUR, "failure", f"{region} is lost too",
                         f"Power loss spreads to {region}.{shared} Secondaries, replicas and backup copies held "
                         f"there are gone with it.", stage(regions[: i + 2], extra_zones)))
        last_failure = max(at for at, *_ in plan)
        plan.append((max(12 * HOUR, last_failure + 2 * HOUR), "decision", "No estimate of recovery",
                     "The provider gives no time for restoration and warns that data held only in the damaged "
                     "zones may not be recoverable. Decision point: keep waiting, or restore and run elsewhere "
                     "with the data you have?", None))
    else:
        by_region: dict[str, list[str]] = {}
        for z in extra_zones:
            by_region.setdefault(zone_region.get(z, "its region"), []).append(z)
        where = "; ".join(f"{', '.join(zs)} ({r})" for r, zs in by_region.items())
        plan.append((0, "failure", f"Power loss in zone {where}",
                     f"A facility loses power; everything in {where} stops. The rest of the region keeps running.",
                     stage([], extra_zones)))
        plan.append((30 * 60, "information", "Capacity and API pressure in the rest of the region",
                     "Every customer of the region shifts capacity to the surviving zones at once: launches are "
                     "throttled and some instance types run out. Scaling up in place is slow or fails.", None))
        plan.append((2 * HOUR, "personnel", "Key people are unreachable",
                     "The on-call engineer for the most critical workload cannot be reached; the next person on "
                     "the rota takes over.", None))
        plan.append((4 * HOUR, "decision", "No estimate of recovery",
                     "The provider cannot say when the zone returns and warns that data held only there may not "
                     "be recoverable. Keep waiting, or rebuild elsewhere?", None))

    factor = _schedule(spec, [at for at, *_ in plan])
    injects: list[Inject] = []
    previous: dict[str, WorkloadOutcome] = {}
    for at, kind, title, detail, stage_spec in plan:
        inject = Inject(at=_round(at * factor), title=title, detail=detail, kind=kind)
        if stage_spec is not None:
            state = _state(sim, stage_spec)
            for outcome in OUTCOMES:
                inject.expected[outcome] = sorted(n for n, w in state.items() if w.outcome == outcome)
            for name, w in state.items():
                before = previous.get(name)
                was = before.outcome if before else "survives"
                new_failovers = [f for f in w.failovers if not before or f not in before.failovers]
                if w.outcome != was:
                    inject.changes.append(f"**{name}**: {was} → **{w.outcome}**: {prose(w.why, name)}")
                elif new_failovers and w.outcome != "down":
                    used = "; ".join(f"{name_of(graph, a)} → {name_of(graph, b)} ({m})" if a != b
                                     else f"{name_of(graph, a)} ({m})" for a, b, m in new_failovers)
                    inject.changes.append(f"**{name}**: still **{w.outcome}**, now through {used}.")
            previous = state
        injects.append(inject)
    if spec.duration:
        gone = and_list(list(spec.failed_regions) or list(spec.failed_zones))
        injects.append(Inject(at=spec.duration, kind="restore", title=f"{gone} return",
                              detail=f"Power and the provider's services are restored in {gone}. Decide when and how "
                                     "to fail back, and what data written elsewhere in the meantime must flow back."))
    for inject in injects:
        inject.ask = _inject_questions(sim, inject)
    return injects


def prose(why: str, workload: str | None = None) -> str:
    """survival's one-line *why* for a reader: without the leading workload name when it is already
    shown, arrows as arrows, ending with a full stop."""
    text = (why or "").strip()
    if workload and text.startswith(workload + " "):
        text = text[len(workload) + 1:]
    text = text.replace(" -> ", " → ")
    return text if not text or text.endswith(".") else text + "."


def _inject_questions(sim: Simulation, inject: Inject) -> list[str]:
    ask: list[str] = []
    if inject.kind == "failure":
        ask.append("How do you find out? Which alarm fires, who is paged, and how long until someone looks?")
        if inject.changes:
            ask.append("For each workload that changed state: who decides what happens next, and on what signal?")
    elif inject.kind == "information":
        blocked = [(w.name, c["action"]) for w in sim.workloads for c in w.control_plane_actions
                   if c["in_failed_region"]]
        if blocked:
            ask.extend(f"{name}: your plan calls for “{action}”. That API is gone now: what do you do instead?"
                       for name, action in blocked[:6])
        ask.append("Which runbook steps need an API call, a console login or a deployment pipeline in the failed "
                   "region (REL11-BP04: rely on the data plane during recovery)?")
        ask.append("Where does your identity provider, CI/CD, artefact store or secrets store run? Can you still log in "
                   "and deploy?")
    elif inject.kind == "personnel":
        ask.append("Who is next on the rota for each workload, and do they have the access and the runbook?")
        ask.append("Which decisions were waiting for the person who is unreachable? Who else may take them?")
    elif inject.kind == "decision":
        waited = [w.name for w in sim.workloads if w.waited_out]
        unbounded = [w.name for w in sim.workloads if w.rpo_unbounded or not w.data_intact]
        if waited:
            ask.append(f"{', '.join(waited)}: waiting is the plan by default. Is the business willing to be down "
                       f"for {span(sim.spec.duration)}?")
        if unbounded:
            ask.append(f"{', '.join(unbounded)}: data with no copy outside the failed area. What is lost if it never "
                       "comes back, and who tells customers and regulators?")
        ask.append("Who makes the call to restore elsewhere, and what is written down when they do?")
    elif inject.kind == "restore":
        ask.append("What has to be true before you fail back (data reconciled, replication reversed, capacity "
                   "checked)? Who signs it off?")
        ask.append("Which writes happened in the secondary during the outage, and how do they get back?")
    return ask


# --- questions per team ------------------------------------------------------------------------


@dataclass
class Team:
    name: str
    workloads: list[str]
    questions: list[str]


def _fmt(value: int | None, unbounded: bool = False) -> str:
    return "unbounded" if unbounded or value is None else fmt_duration(value)


def staleness(sim: Simulation, test: dict[str, Any] | None) -> str:
    """``""``, or how a last test is stale: older than the policy's ``test_max_age`` on the day of the
    simulation (its ``generated_at``; no clock is read)."""
    if not test or not test.get("max_age") or not sim.generated_at:
        return ""
    try:
        day = dt.date.fromisoformat(str(sim.generated_at)[:10])
        tested = dt.date.fromisoformat(str(test["date"])[:10])
    except ValueError:
        return ""
    age = (day - tested).days
    limit = int(test["max_age"]) // 86400
    return f"stale: {age} days old, older than test_max_age {limit}d" if age > limit else ""


def rpo_cell(sim: Simulation, w: WorkloadOutcome) -> str:
    """The estimated RPO as the scan would give it: data with no surviving copy is unbounded, even when
    waiting out the outage would bring it back (the 0s holds only if the failed area returns intact)."""
    if w.waited_out and w.lost_data:
        return f"unbounded (0s only if {and_list(sim.spec.failed_regions or sim.spec.failed_zones)} returns with the data)"
    return _fmt(w.estimated_rpo, w.rpo_unbounded)


AUTOMATIC = {"dns-failover", "dns-health-check", "global-table", "s3-replica"}


def workload_questions(sim: Simulation, w: WorkloadOutcome) -> list[str]:
    g = sim.graph
    qs: list[str] = []
    regions = and_list(sim.spec.failed_regions or sim.spec.failed_zones)
    if not w.affected:
        return [f"Nothing of {w.name} is in the failed area. Confirm it: does it call anything that is (an API, a "
                "queue, a licence server, an identity provider) that the inventory does not show?"]
    for src, dst, mechanism in w.failovers[:4]:
        pair = f"{name_of(g, src)} → {name_of(g, dst)}" if src != dst else name_of(g, src)
        if mechanism in AUTOMATIC:
            qs.append(f"{pair} ({mechanism}) should happen by itself. How do you confirm it did, and how long "
                      "did it take the last time it was tested?")
        else:
            qs.append(f"{pair} ({mechanism}) is a decision and an action: who decides, who runs it, where is the "
                      "runbook, and how long did it take the last time?")
    if w.last_test and w.failovers:
        t = w.last_test
        measured = f", measured RTO {fmt_duration(t['measured_rto'])}" if t.get("measured_rto") is not None else ""
        estimate = f"; the graph estimates {_fmt(w.estimated_rto, w.rto_unbounded)}" if measured else ""
        stale = staleness(sim, t)
        stale = f" ({stale})" if stale else ""
        qs.append(f"The last {w.disruption} test on record: {t['date']}{stale}, {t['result']}{measured}{estimate}. What "
                  "explains the difference, what has changed since, and would the same steps work with the people "
                  "in this room?")
    for c in w.control_plane_actions:
        if c["in_failed_region"]:
            qs.append(f"“{c['action']}”: {c['region']} is lost in this scenario. What is the data-plane "
                      "alternative (a pre-provisioned standby, a routing control, a DNS health check)?")
    if w.lost_data:
        data = and_list([name_of(g, n) for n in w.lost_data[:4]])
        qs.append(f"{data} {'has' if len(w.lost_data) == 1 else 'have'} no copy outside {regions}. If "
                  f"{'it does' if len(w.lost_data) == 1 else 'they do'} not come back, what exactly is lost, who "
                  "tells the business, and how is it rebuilt?")
    target = ", ".join(f"{k.upper()} {fmt_duration(v)}" for k, v in w.objectives.items() if v is not None)
    if w.waited_out:
        qs.append(f"The expected recovery is to wait {span(sim.spec.duration)} for {regions} to return"
                  f"{f', against objectives of {target}' if target else ''}. Is that acceptable, and who says so?")
    elif w.meets_objectives is False:
        qs.append(f"The graph estimates RTO {_fmt(w.estimated_rto, w.rto_unbounded)} and RPO "
                  f"{_fmt(w.estimated_rpo, w.rpo_unbounded)} against objectives of {target}. Accept the gap, or "
                  "what changes and by when?")
    if not target:
        qs.append(f"No {w.disruption} RTO/RPO is declared for {w.name}. Who owns that decision, and what would the "
                  "business accept?")
    if w.unknown:
        qs.append(f"Part of {w.name} was not assessed ({'; '.join(w.unknown[:2])}). Who can confirm the missing facts?")
    qs.append("Which timestamps will you record: detection, decision, start and end of each step, first successful "
              "request?")
    return qs


def build_teams(sim: Simulation) -> list[Team]:
    teams: list[Team] = [Team(
        name="Incident command (BCP/DR lead)", workloads=[],
        questions=[
            "What signal declares this a disaster rather than an incident, and who declares it?",
            "At which inject did you decide to fail over rather than wait, and where is that decision recorded?",
            "Who informs customers, regulators and the board, and with what template?",
            "Which workloads are restored first, and who decided that order?",
        ],
    )]
    owners: dict[str, list[WorkloadOutcome]] = {}
    for w in sim.workloads:
        owners.setdefault(w.owner or f"Owner of {w.name}", []).append(w)
    for owner, members in sorted(owners.items(), key=lambda kv: min(OUTCOMES.index(w.outcome) for w in kv[1])):
        questions = []
        for w in members:
            questions.extend(f"{w.name}: {q}" if len(members) > 1 else q for q in workload_questions(sim, w))
        names = [w.name for w in members]
        declared = any(w.owner for w in members)
        teams.append(Team(name=f"{owner} ({', '.join(names)})" if declared else owner, workloads=names,
                          questions=questions))
    gone = list(sim.spec.failed_regions)
    regions = and_list(gone) or "the failed zone's region"
    either = " or ".join([", ".join(gone[:-1]), gone[-1]] if len(gone) > 1 else gone) or "the failed zone's region"
    teams.append(Team(name="Platform and cloud operations", workloads=[], questions=[
        "Is there quota and capacity in the surviving regions for everything that fails over at once?",
        "Are images, secrets, certificates and infrastructure-as-code state available outside "
        f"{regions}?",
        f"Is the home region of your single sign-on (e.g. IAM Identity Center) or break-glass access in {either}? "
        "Can people still log in?",
    ]))
    teams.append(Team(name="Data and databases", workloads=[], questions=[
        "What was the replication lag at T+0, and how will you know what was lost?",
        "Who may promote a replica or restore a backup, and with which credentials?",
        "After the return, how are writes made in the secondary reconciled with the primary?",
    ]))
    teams.append(Team(name="Network and DNS", workloads=[], questions=[
        "Which health checks flip traffic automatically, and which records must be changed by hand?",
        "What are the TTLs on the entry points, and how long do clients keep the old answer?",
        "Does any failover rely on a DNS or routing control plane that might be impaired?",
    ]))
    teams.append(Team(name="Communications and customer support", workloads=[], questions=[
        "What do customers see at each inject, and what do you tell them?",
        "Who approves an external statement, and how fast can it go out?",
    ]))
    return teams


# --- blast radius diagram ----------------------------------------------------------------------

_RESERVED = {"end", "graph", "subgraph", "flowchart", "style", "class", "classdef", "click", "linkstyle", "default"}


def _mermaid_id(text: str, used: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_") or "node"
    if base[0].isdigit():
        base = f"n_{base}"
    if base.lower() in _RESERVED:
        base = f"{base}_"
    candidate, i = base, 2
    while candidate in used:
        candidate, i = f"{base}_{i}", i + 1
    used.add(candidate)
    return candidate


def _label(text: str) -> str:
    return text.replace('"', "#quot;").replace("[", "(").replace("]", ")").replace("|", "/")


def diagram_nodes(sim: Simulation) -> tuple[list[str], int]:
    """The affected part of the graph: what is lost, plus the surviving nodes that take over from it or
    route to it. Quiet kinds (subnets, zones, health checks) and instances of a drawn group are left out.
    Returns (nodes, how many were left out for room)."""
    g, down = sim.graph, sim.blast.down
    keep = {n for n in down if minor(g, n) is None}

    def drawable(n: str) -> bool:
        kind = g.nodes[n].get("kind")
        return n not in down and kind not in QUIET_KINDS and kind not in RECORD_KINDS

    around = set()
    for n in list(keep):
        for _, dst, _key in g.out_edges(n, keys=True):
            if drawable(dst) and _key != MEMBER_OF:
                around.add(dst)
        for src, _, _key in g.in_edges(n, keys=True):
            if drawable(src) and _key != MEMBER_OF and g.nodes[src].get("kind") not in BACKUP_KINDS:
                around.add(src)
    around |= {t for e in sim.blast.entries if e.id in keep for t in e.taken_over_by if t in g}
    nodes = keep | around
    groups = {dst for src, dst, key in g.edges(keys=True) if key == MEMBER_OF and dst in nodes}
    nodes = {n for n in nodes if not (g.nodes[n].get("kind") == INSTANCE and any(
        key == MEMBER_OF and dst in groups for _, dst, key in g.out_edges(n, keys=True)))}

    def rank(n: str) -> tuple:
        d = g.nodes[n]
        return (not d.get("workloads"), n not in down, n in sim.blast.impaired, d.get("region", ""), n)

    ordered = sorted(nodes, key=rank)
    return ordered[:MAX_DIAGRAM_NODES], max(0, len(ordered) - MAX_DIAGRAM_NODES)


def mermaid(sim: Simulation, drawn: tuple[list[str], int] | None = None) -> str:
    """The affected part of the graph as a Mermaid flowchart; ``drawn``: :func:`diagram_nodes`'s answer
    when the caller has it."""
    g = sim.graph
    nodes, _ = drawn or diagram_nodes(sim)
    if not nodes:
        return ""
    used: set[str] = set()
    ids: dict[str, str] = {}
    names = Counter(name_of(g, n) for n in nodes)
    for n in sorted(nodes, key=lambda n: (name_of(g, n), n)):
        name = name_of(g, n)
        ids[n] = _mermaid_id(name if names[name] == 1 else f"{name}_{g.nodes[n].get('region', '')}", used)
    failed_regions = set(sim.spec.failed_regions)
    by_region: dict[str, list[str]] = {}
    for n in nodes:
        by_region.setdefault(g.nodes[n].get("region") or "unknown", []).append(n)
    order = sorted(by_region, key=lambda r: (r not in failed_regions, r == "global", r == "unknown", r))
    lines = ["flowchart LR"]
    for region in order:
        rid = _mermaid_id(f"region_{region}", used)
        title = f"{region} · LOST" if region in failed_regions else region
        lines.append(f'  subgraph {rid}["{_label(title)}"]')
        for n in sorted(by_region[region], key=lambda n: ids[n]):
            d = g.nodes[n]
            zones = ",".join(d.get("zones", ()))
            sub = d.get("kind", "").replace("_", " ") + (f" · {zones}" if zones else "")
            cls = "lost" if n in sim.blast.failed else "impaired" if n in sim.blast.impaired else "survivor"
            lines.append(f'    {ids[n]}["{_label(name_of(g, n))}<br/>{_label(sub)}"]:::{cls}')
        lines.append("  end")
    drawn = set(nodes)
    seen = set()
    for src, dst, key in sorted(g.edges(keys=True)):
        if src not in drawn or dst not in drawn or src == dst or (src, dst, key) in seen:
            continue
        seen.add((src, dst, key))
        arrow = "-.->" if key in ("fails_over_to", "replicates_to", "backed_up_to") else "-->"
        lines.append(f"  {ids[src]} {arrow}|{key.replace('_', ' ')}| {ids[dst]}")
    for e in sim.blast.entries:  # takeovers the graph holds no direct edge for (a standby behind DNS)
        for t in e.taken_over_by:
            if e.id in drawn and t in drawn and not g.has_edge(e.id, t):
                lines.append(f"  {ids[e.id]} -.->|taken over by| {ids[t]}")
    lines += [
        "  classDef lost fill:#f8d7da,stroke:#842029,stroke-width:2px,color:#000",
        "  classDef impaired fill:#fff3cd,stroke:#997404,stroke-dasharray:4 3,color:#000",
        "  classDef survivor fill:#d1e7dd,stroke:#0f5132,color:#000",
    ]
    return "\n".join(lines)


def svg(sim: Simulation, drawn: tuple[list[str], int] | None = None) -> str:
    """The same picture as :func:`mermaid`, drawn as inline SVG by the reports' graph renderer."""
    from resilience.reports import svg as draw

    nodes, _ = drawn or diagram_nodes(sim)
    if not nodes:
        return ""
    states = {}
    reasons = {e.id: e.reason for e in sim.blast.entries}
    for n in nodes:
        if n in sim.blast.down:
            how = "lost" if n in sim.blast.failed else "lost through a dependency"
            states[n] = draw.NodeState(lost=True, lines=(f"{how}: {reasons.get(n, '')}",))
    return str(draw.dependency_graph(sim.graph, nodes, states, audited=list(sim.spec.failed_regions),
                                     band_label="lost", severity_colours={}))


# --- the pack ----------------------------------------------------------------------------------


@dataclass
class Pack:
    sim: Simulation
    injects: list[Inject]
    teams: list[Team]
    diagram: str
    diagram_left_out: int
    failover_yaml: str
    context: dict[str, Any] = field(default_factory=dict)
    drawn: tuple[list[str], int] | None = None  # diagram_nodes(sim), found once for the Mermaid and the SVG


def failover_tests_yaml(sim: Simulation) -> str:
    """A ``failover_tests:`` snippet (contract 2) for the policy file, one record per affected workload
    declared in the policy. ``result`` starts as ``fail`` and the measured values empty (commented out),
    so that pasting it unchanged never records a pass, or a timing, nobody observed."""
    spec = sim.spec
    day = (sim.generated_at or "")[:10] or "YYYY-MM-DD"
    label = f"{spec.name + ': ' if spec.name else ''}{' + '.join(list(spec.failed_regions) + list(spec.failed_zones))}"
    if spec.duration:
        label += f", {fmt_duration(spec.duration)}"
    lines = ["failover_tests:",
             f"  # Tabletop exercise: {label}.",
             "  # Set the date to the day of the exercise, the result and the measured values from the",
             "  # exercise record, and link that record as the evidence."]
    declared = [w for w in sim.workloads if w.affected and w.name in sim.policy.workloads]
    for w in declared:
        target = ", ".join(f"{k.upper()} {fmt_duration(v)}" for k, v in w.objectives.items() if v is not None)
        lines += [
            f"  - workload: {w.name}",
            f"    scenario: {spec.disruption}",
            f"    date: {day}",
            f"    result: fail          # pass only if the recovery met {target or 'its objectives'}",
            f"    # measured_rto:       # from the record; the graph estimates {_fmt(w.estimated_rto, w.rto_unbounded)}",
            f"    # measured_rpo:       # from the record; the graph estimates {_fmt(w.estimated_rpo, w.rpo_unbounded)}",
            "    evidence: https://tickets.example.com/REPLACE-ME",
            f'    notes: "tabletop, {label}; expected outcome: {w.outcome}"',
        ]
    undeclared = [w.name for w in sim.workloads if w.affected and w.name not in sim.policy.workloads]
    if undeclared:
        lines.append(f"  # not in the policy's workloads (declare them there first): {', '.join(undeclared)}")
    if not declared:
        lines.append("  []")
    return "\n".join(lines)


def build(sim: Simulation) -> Pack:
    drawn = diagram_nodes(sim)
    return Pack(sim=sim, injects=build_injects(sim), teams=build_teams(sim), diagram=mermaid(sim, drawn),
                diagram_left_out=drawn[1], failover_yaml=failover_tests_yaml(sim), drawn=drawn)


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _environment() -> Environment:
    env = Environment(autoescape=False, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    env.filters["duration"] = lambda v: "unbounded" if v is None else fmt_duration(v)
    env.filters["cell"] = _cell
    env.filters["name"] = lambda node, g: name_of(g, node)
    env.filters["prose"] = prose
    env.filters["words"] = lambda text: str(text).replace("_", " ")
    return env


def _template(name: str) -> str:
    return files("resilience.reports").joinpath(f"templates/{name}").read_text(encoding="utf-8")


def runbook_command(spec: Any, workload: str) -> str:
    """The command that writes ``workload``'s failover runbook for this scenario (``resilience runbook``)."""
    if spec.name:
        scenario = spec.name
    elif spec.failed_regions:
        scenario = "region:" + ",".join(spec.failed_regions)
    else:
        scenario = "az:" + ",".join(spec.failed_zones)
    return (f"resilience runbook --workload {workload} --scenario {scenario} --inventory inventory.json "
            f"--policy policy.yaml --output runbooks/{workload} --format md,html,json")


def render_markdown(pack: Pack) -> str:
    from resilience.reports import markdown_escape

    sim = pack.sim
    # every printed value escaped: resource names and tags must not carry raw HTML into the Markdown
    return markdown_escape.apply(_environment()).from_string(_template("tabletop.md.j2")).render(
        pack=pack, sim=sim, spec=sim.spec, g=sim.graph, counts=sim.counts(), fmt=_fmt, span=span,
        runbook=lambda w: runbook_command(sim.spec, w),
        rpo_cell=lambda w: rpo_cell(sim, w), staleness=lambda t: staleness(sim, t),
        summarise=summarise, counted=counted, blast_rows=[e for e in sim.blast.entries if e.how == "dependency"
                                         or minor(sim.graph, e.id) is None],
        blast_rest=Counter(minor(sim.graph, e.id) for e in sim.blast.entries
                           if e.how == "direct" and minor(sim.graph, e.id) is not None),
        gaps=[c for c in sim.coverage if c.status in ("denied", "error", "unreachable")],
        regions=and_list(sim.spec.failed_regions) or and_list(sim.spec.failed_zones),
    )


def _markdown_to_html(text: str) -> str:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")
    out = md.render(text)
    out = out.replace("<li>[ ] ", '<li class="task"><input type="checkbox" disabled> ')
    return out


SVG_LEGEND = ("Hatched: lost, in a failed region or through a dependency (hover over a box for why). White: still "
              "running (failover targets, copies, callers). Columns are regions; dashed arrows are copies and "
              "failovers.")


def _left_out(paragraph: str) -> str:
    m = re.search(r" \d+ more resources are left out.*?(?=</p>)", paragraph, flags=re.S)
    return m.group(0) if m else ""


def render_html(pack: Pack, markdown: str | None = None) -> str:
    """The pack as a self-contained page; ``markdown``: :func:`render_markdown`'s text when the caller
    already has it (``tabletop.md`` is written too), so it is not rendered twice."""
    body = _markdown_to_html(render_markdown(pack) if markdown is None else markdown)
    picture = svg(pack.sim, pack.drawn)
    body = re.sub(r'<pre><code class="language-mermaid">.*?</code></pre>',
                  lambda _: f'<figure class="blast">{picture}</figure>' if picture else "", body, flags=re.S)
    if picture:  # the Markdown's legend describes the Mermaid colours; the SVG has its own
        body = re.sub(r"<p>Red: lost with .*?</p>", lambda m: "<p>" + SVG_LEGEND + _left_out(m.group(0)) + "</p>",
                      body, flags=re.S)
    return _environment().from_string(_template("tabletop.html.j2")).render(
        title=html.escape(pack.sim.spec.heading), body=body)


# ------------------------------------------------------------------------------------------------
# Files: simulation.json and the pack (here, not in simulate.py: the simulation knows nothing of its renderers)
# ------------------------------------------------------------------------------------------------


def write(sim: Simulation, outdir: Path, formats: Iterable[str], *, inventory: Inventory | None = None) -> list[Path]:
    """``simulation.json`` always; ``tabletop.md`` / ``tabletop.html`` when asked. Unknown formats
    (a scan's csv, sarif...) are ignored, so a caller can pass its own list unchanged. With
    ``inventory`` (a live collection), ``inventory.json`` too, so the exercise can be re-run offline."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    wanted = set(formats)
    path = outdir / JSON_NAME
    path.write_text(json.dumps(sim.to_dict(), indent=2, allow_nan=False) + "\n", encoding="utf-8")
    written = [path]
    if inventory is not None:
        snapshot = outdir / "inventory.json"
        snapshot.write_text(inventory.to_json() + "\n", encoding="utf-8")
        written.append(snapshot)
    if wanted & {"md", "html"}:
        pack = build(sim)
        text = render_markdown(pack)
        if "md" in wanted:
            md = outdir / MD_NAME
            md.write_text(text, encoding="utf-8")
            written.append(md)
        if "html" in wanted:
            html = outdir / HTML_NAME
            html.write_text(render_html(pack, text), encoding="utf-8")
            written.append(html)
    return written


def run_and_write(graph_or_inventory: nx.MultiDiGraph | Inventory, policy: Policy, scenario: ScenarioSpec | str,
                  outdir: Path | str, formats: Iterable[str], scan_time: dt.datetime, *,
                  coverage: Iterable[Coverage] | None = None) -> list[Path]:
    """One call for callers such as the demo: simulate ``scenario`` and write its files.

    ``run_and_write(inventory, policy, "gulf-2026", outdir, formats, scan_time)`` writes
    ``simulation.json`` plus ``tabletop.md`` / ``tabletop.html`` for the formats among ``md``/``html``.
    """
    sim = simulate.run(graph_or_inventory, policy, scenario, scan_time, coverage=coverage)
    return write(sim, Path(outdir), formats)
