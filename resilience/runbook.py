"""Failover runbooks generated from the graph: the steps that would actually run (contract 6).

The runbook is read from the decisions the rest of the tool makes, never re-derived:
:func:`resilience.simulate.evaluate` (which reads :func:`resilience.survival.assess` for what is lost, which
copy survives and which failover can run, and :mod:`resilience.recovery` for how each component recovers and
how long it takes). This module orders those component recoveries into phases a person runs — data first,
then compute, then traffic, then verification —, adds the A1.3 evidence capture and the failback, and hands
each step to :mod:`resilience.runbook_actions` for its API call and command.

Honest about what cannot run: a step whose API lives in the failed region is ``blocked`` with its
alternative; a workload with data that has no copy outside the failed area gets ``recoverable: false``, no
steps, and a first line that says why, instead of steps that cannot succeed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from . import runbook_actions as acts
from .coverage_index import coverage_index
from .durations import format_duration
from .errors import InputError
from .model import Coverage
from .policy import Policy

RUNBOOK_SCHEMA = "resilience.runbook/v1"
PHASES = ("data", "compute", "traffic", "verify", "evidence", "failback")
FORMATS = ("json", "md", "html")
PHASE_TITLES = {"data": "Data", "compute": "Compute", "traffic": "Traffic", "verify": "Verify",
                "evidence": "Evidence for A1.3", "failback": "Failback (after the primary region is back)"}
_ROLE_PHASE = {"data": "data", "compute": "compute", "dependency": "compute", "entry": "traffic"}


@dataclass
class RunbookStep:
    n: int
    phase: str
    action: str
    resource: str | None
    region: str | None
    command: str | None
    api: str | None
    expected_duration: int | None
    blocked: bool = False
    why: str = ""
    params: dict[str, Any] | None = None  # the API call's parameters (validated against botocore's model)
    alternative: str | None = None
    prechecks: list[str] = field(default_factory=list)
    capture: list[str] = field(default_factory=list)
    automatic: bool = False
    starts_at: int | None = None  # seconds after the failover is declared, on the recovery model's timeline

    def to_dict(self) -> dict[str, Any]:
        d = {"n": self.n, "phase": self.phase, "action": self.action, "resource": self.resource,
             "region": self.region, "command": self.command, "api": self.api,
             "expected_duration": self.expected_duration, "blocked": self.blocked, "why": self.why}
        d |= {"params": self.params, "alternative": self.alternative, "prechecks": list(self.prechecks),
              "capture": list(self.capture), "automatic": self.automatic, "starts_at": self.starts_at}
        return d


@dataclass
class Runbook:
    workload: str
    scenario: Any  # resilience.simulate.ScenarioSpec
    recoverable: bool
    estimated_rto: int | None
    estimated_rpo: int | None
    why: str
    steps: list[RunbookStep]
    outcome: str
    rto_arithmetic: list[str] = field(default_factory=list)
    objectives: dict[str, int | None] = field(default_factory=dict)
    strategy: str | None = None
    owner: str | None = None
    unknown: list[str] = field(default_factory=list)
    generated_at: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": RUNBOOK_SCHEMA, "workload": self.workload,
            "scenario": {"failed_regions": sorted(self.scenario.failed_regions),
                         "failed_zones": sorted(self.scenario.failed_zones),
                         "name": self.scenario.name, "title": self.scenario.heading},
            "recoverable": self.recoverable, "estimated_rto": self.estimated_rto,
            "steps": [s.to_dict() for s in self.steps],
            # additive to contract 6
            "why": self.why, "outcome": self.outcome, "estimated_rpo": self.estimated_rpo,
            "rto_arithmetic": list(self.rto_arithmetic), "objectives": dict(self.objectives),
            "strategy": self.strategy, "owner": self.owner, "unknown": list(self.unknown),
            "generated_at": self.generated_at,
        }

    def phase(self, name: str) -> list[RunbookStep]:
        return [s for s in self.steps if s.phase == name]


def parse_scenario(text: str, policy: Policy | None = None):
    """``region:R[,R2]`` | ``az:AZID[,AZID2]`` | a named scenario or failure domain -> a ScenarioSpec."""
    from . import simulate

    text = (text or "").strip()
    kind, _, rest = text.partition(":")
    items = [v.strip() for v in rest.split(",") if v.strip()]
    if kind == "region" and items:
        spec = simulate.build_scenario(regions=items, policy=policy)
    elif kind in ("az", "zone") and items:
        spec = simulate.build_scenario(zones=items, policy=policy)
    elif text and ":" not in text:
        spec = simulate.build_scenario(name=text, policy=policy)
    else:
        raise InputError(f"bad --scenario '{text}': give region:R, az:AZ_ID or a scenario name")
    # a runbook is what to run, however long the outage: waiting for the region is not a step plan
    return dataclasses.replace(spec, duration=None)


def build(graph: nx.MultiDiGraph, policy: Policy, spec: Any, workload: str, *,
          coverage: Iterable[Coverage] = (), generated_at: dt.datetime | None = None) -> Runbook:
    """The runbook of ``workload`` for ``spec`` (see the module docstring)."""
    from . import simulate, survival
    from .graph import workload_names

    coverage = coverage_index(coverage).records
    if workload not in workload_names(graph, policy):
        known = ", ".join(workload_names(graph, policy)) or "none"
        raise InputError(f"unknown workload '{workload}' (known: {known})")
    from .graph import workload_nodes

    spec_wl = policy.workloads.get(workload)
    if not workload_nodes(graph, workload):  # unseen is not safe: say nothing can be written
        return Runbook(workload=workload, scenario=spec, recoverable=False, estimated_rto=None, estimated_rpo=None,
                       steps=[], outcome="unknown", owner=spec_wl.owner if spec_wl else None,
                       why=f"no resource of workload '{workload}' was found in the inventory (not collected, or "
                           "its match names nothing): what it needs in this scenario is unknown",
                       unknown=[f"no resource of workload '{workload}' in the inventory"],
                       generated_at=generated_at.isoformat() if generated_at else "")
    outcome = simulate.evaluate(graph, policy, spec, workload, coverage=coverage)
    impact = survival.assess(graph, workload, spec.core, coverage=coverage)
    base = dict(workload=workload, scenario=spec, outcome=outcome.outcome,
                objectives=dict(outcome.objectives), strategy=outcome.strategy,
                owner=spec_wl.owner if spec_wl else None, unknown=list(outcome.unknown),
                generated_at=generated_at.isoformat() if generated_at else "")
    if not outcome.affected:
        return Runbook(recoverable=True, estimated_rto=0, estimated_rpo=0, steps=[],
                       why=f"{workload} is not touched by {spec.heading}: nothing to fail over", **base)
    if outcome.lost_data:
        where = ", ".join(sorted(set(spec.failed_regions) | set(spec.failed_zones)))
        lost = "; ".join(f"{acts.name(graph, n)} exists only in {acts.region(graph, n) or where}"
                         for n in outcome.lost_data)
        return Runbook(recoverable=False, estimated_rto=None, estimated_rpo=None, steps=[],
                       why=f"nothing to fail over to: {lost} (no copy outside {where})", **base)

    failed = set(spec.failed_regions)
    order = ("data", "dependency", "compute", "entry")
    ordered = sorted(outcome.steps, key=lambda s: order.index(s.get("role") or "data")
                     if (s.get("role") or "data") in order else len(order))
    actions: list[acts.Action] = []
    for step in ordered:
        phase = _ROLE_PHASE.get(step.get("role") or "data", "data")
        if phase == "data":
            actions += acts.data_actions(graph, step, failed)
        elif phase == "compute":
            actions += acts.compute_actions(graph, step)
        else:
            actions += acts.traffic_actions(graph, step, failed)
    recovery_actions = list(actions)
    start, *evidence = _evidence(graph, policy, workload, spec, outcome, recovery_actions)
    actions = [start, *actions, *_verify(graph, impact, spec), *evidence, *_failback(graph, recovery_actions)]
    steps = _number(actions)
    saving = next(s for s in steps if s.phase == "evidence" and s.action.startswith("save each step"))
    saving.capture = [f"step {s.n}: {c}" for s in steps if s.phase in ("data", "compute", "traffic", "verify")
                      for c in s.capture]
    rto = outcome.estimated_rto
    return Runbook(recoverable=True, estimated_rto=rto, estimated_rpo=outcome.estimated_rpo, steps=steps,
                   why=outcome.why, rto_arithmetic=_arithmetic(outcome, steps), **base)


def _number(actions: list[acts.Action]) -> list[RunbookStep]:
    """Number the steps; ``starts_at`` follows the recovery model's timeline: every component starts its
    recovery at T+0 (the estimate is the slowest of them), verification and evidence after the slowest."""
    longest = max((a.expected_duration or 0 for a in actions if a.phase in ("data", "compute", "traffic")),
                  default=0)
    out = []
    for n, a in enumerate(actions, start=1):
        starts = 0 if a.phase in ("data", "compute", "traffic") else longest if a.phase == "verify" else None
        out.append(RunbookStep(
            n=n, phase=a.phase, action=a.action, resource=a.resource, region=a.region,
            command=a.call.command() if a.call else a.command, api=a.call.api if a.call else None,
            expected_duration=a.expected_duration, blocked=a.blocked, why=a.why,
            params=dict(a.call.params) if a.call else None, alternative=a.alternative, prechecks=list(a.prechecks),
            capture=list(a.capture), automatic=a.automatic, starts_at=starts))
    return out


def _arithmetic(outcome: Any, steps: list[RunbookStep]) -> list[str]:
    """How the runbook's timings add up to the scan's estimate (one line per timed step, then the total)."""
    lines = []
    timed = [s for s in steps if s.phase in ("data", "compute", "traffic") and s.expected_duration is not None]
    for s in timed:
        lines.append(f"step {s.n} ({s.phase}) {s.action}: starts T+0, takes {format_duration(s.expected_duration)}")
    if outcome.rto_unbounded:
        lines.append("estimated RTO: unbounded (a component has no way back; see the step marked blocked or "
                     "without a duration)")
    elif outcome.estimated_rto is not None:
        lines.append(f"the components recover in parallel: estimated RTO = the slowest = "
                     f"{format_duration(outcome.estimated_rto)} (the scan's estimate for this scenario)")
    return lines


def _verify(graph: nx.MultiDiGraph, impact: Any, spec: Any) -> list[acts.Action]:
    out = []
    for entry in getattr(impact, "entry_points", []) or []:
        host = entry if "." in entry and " " not in entry else None
        out.append(acts.Action(
            "verify", f"the first successful request to {entry} from outside {', '.join(spec.failed_regions) or 'the failed zone'}",
            None, None, command=f"curl -fsS -o /dev/null -w '%{{http_code}} %{{time_total}}s\\n' https://{host}/"
            if host else None, why="the service is back when a real request succeeds, not when the last command returns",
            capture=["the time (UTC) and HTTP status of the first successful request: the end of the measured RTO"]))
    if not out:
        out.append(acts.Action("verify", "the first successful request to the workload in the recovery region", None,
                               None, why="no DNS entry point was inventoried for the workload",
                               capture=["the time (UTC) of the first successful request"]))
    return out


def _evidence(graph: nx.MultiDiGraph, policy: Policy, workload: str, spec: Any, outcome: Any,
              recovery: list[acts.Action]) -> list[acts.Action]:
    """The A1.3 evidence capture as numbered steps, ending with the policy record to paste."""
    objectives = outcome.objectives
    rto_obj, rpo_obj = objectives.get("rto"), objectives.get("rpo")
    disruption = spec.disruption
    record = "\n".join([
        "failover_tests:",
        f"  - workload: {workload}",
        f"    scenario: {disruption}",
        "    date: <YYYY-MM-DD of the exercise>",
        "    result: <pass | fail>",
        "    measured_rto: <T1 - T0, e.g. 42m>",
        "    measured_rpo: <replica lag or copy age at the data step, e.g. 30s>",
        "    evidence: <link to the ticket holding the saved outputs>",
        f"    notes: runbook for {spec.heading}",
    ])
    owner = (policy.workloads.get(workload).owner if policy.workloads.get(workload) else None) or "<workload owner>"
    return [
        acts.Action("evidence", "declare the start: the incident commander records T0 (UTC) and who declared the "
                    "failover", None, None, command="date -u +%Y-%m-%dT%H:%M:%SZ | tee -a failover-evidence.log",
                    why="the measured RTO starts when the failover is declared, not when the first command runs",
                    capture=["T0 and the name of the person who declared it"]),
        acts.Action("evidence", "save each step's output as it runs (command output with its timestamp, "
                    "health-check state, replica lag)", None, None,
                    command="<command> 2>&1 | tee -a failover-evidence.log",
                    why="an auditor re-performs nothing: the saved outputs are the evidence"),
        acts.Action("evidence", "record T1: the first successful request in the recovery region (the verify step)",
                    None, None, why="the end of the measured RTO", capture=["T1"]),
        acts.Action("evidence", "compute the measured RTO = T1 - T0 and RPO = the replica lag or copy age saved at "
                    "the data steps; compare with the objectives "
                    f"(RTO {format_duration(rto_obj) if rto_obj is not None else 'not declared'}, "
                    f"RPO {format_duration(rpo_obj) if rpo_obj is not None else 'not declared'})", None, None,
                    why="A1.3: the test result is the measured recovery against the objective",
                    capture=["the arithmetic, written out"]),
        acts.Action("evidence", f"sign-off by {owner} and the DR lead: result pass or fail, and the follow-up "
                    "actions with owners", None, None, why="a test with no reviewed result is not evidence of "
                    "operating effectiveness", capture=["the signed record"]),
        acts.Action("evidence", "paste the failover_tests record into the policy file, so the next scan counts the "
                    "test", None, None, command=record,
                    why="RES-TEST-001/002/003 read failover_tests: the test then counts for A1.3"),
    ]


def _failback(graph: nx.MultiDiGraph, recovery: list[acts.Action]) -> list[acts.Action]:
    """Failback in reverse order: traffic back last-in-first-out, then compute, then data."""
    out = []
    for a in reversed(recovery):
        if a.call and a.call.api == "route53:GetHealthCheckStatus":
            out.append(acts.Action(
                "failback", "before the primary region serves again, hold traffic on the recovery region: Route 53 "
                "failover records send it back as soon as the primary's health check passes, before its data is "
                "re-synced (invert or disable that health check until the failback is planned)", a.resource, "global",
                why="an automatic failback to a primary with stale data loses the writes made during the failover"))
        if a.blocked or a.automatic:
            continue
        target = acts.name(graph, a.resource) if a.resource else "the component"
        if a.phase == "traffic":
            text = f"return traffic for {target} to the primary region once it serves again (reverse of step: " \
                   f"{a.action})"
        elif a.phase == "compute":
            text = f"scale {target} back to its standby size after traffic has returned"
        elif a.call and a.call.api == "rds:PromoteReadReplica":
            text = (f"re-protect {target}: create a cross-region read replica of it in the primary region "
                    "(rds:CreateDBInstanceReadReplica), let it catch up, then switch writers back in a maintenance "
                    "window")
        else:
            text = f"re-establish replication or backups of {target} towards the primary region, then move writers " \
                   "back in a maintenance window"
        out.append(acts.Action("failback", text, a.resource, a.region, why="failback runs in the reverse order "
                               "of the failover, each step only after the one before it is verified"))
    return out


def write(book: Runbook, outdir, formats: Iterable[str]) -> list:
    """``runbook.json`` always; ``runbook.md`` / ``runbook.html``; the ARC Region switch plan and SSM
    Automation drafts beside them (``runbook-exports/``)."""
    import json
    from pathlib import Path

    from . import runbook_exports

    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    path = outdir / "runbook.json"
    path.write_text(json.dumps(book.to_dict(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    written.append(path)
    for fmt in formats:
        if fmt in ("md", "html"):
            path = outdir / f"runbook.{fmt}"
            path.write_text(render(book, fmt), encoding="utf-8")
            written.append(path)
    if book.recoverable and book.steps:
        exports = outdir / "runbook-exports"
        exports.mkdir(exist_ok=True)
        for filename, document in runbook_exports.documents(book).items():
            path = exports / filename
            path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
            written.append(path)
    return written


def render(book: Runbook, fmt: str) -> str:
    """``runbook.md`` or ``runbook.html`` from the templates in ``resilience.reports``."""
    from importlib.resources import files

    from jinja2 import Environment, StrictUndefined, select_autoescape

    html = fmt == "html"
    env = Environment(autoescape=select_autoescape(default=html, default_for_string=html), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["duration"] = lambda v: "not estimated" if v is None else format_duration(v)
    env.filters["md"] = _md_escape
    template = env.from_string(files("resilience.reports").joinpath(f"templates/runbook.{fmt}.j2")
                               .read_text(encoding="utf-8"))
    return template.render(book=book, titles=PHASE_TITLES)


def _md_escape(value: Any) -> str:
    """Names and tags come from the estate: no raw HTML or table breaks in Markdown."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace("|", "\\|")


def parse_formats(value: str | None) -> tuple[str, ...]:
    formats = tuple(dict.fromkeys(f.strip() for f in (value or "json").split(",") if f.strip()))
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise InputError(f"unknown runbook format(s) {', '.join(bad)} (known: {', '.join(FORMATS)})")
    return tuple(dict.fromkeys(("json", *formats)))
