"""``report.html``: one self-contained page for a person (an SRE, a DR lead, an auditor).

No JavaScript, no web fonts, no external assets: CSS is inline, charts and the dependency graph
are inline SVG (:mod:`.svg`), and a Content-Security-Policy meta tag forbids loading anything, so
the page renders the same offline, from a zip, or from an e-mail attachment. Every result is there
with its evidence in a collapsible ``<details>``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from importlib.resources import files
from itertools import islice
from pathlib import Path
from typing import Any

from jinja2 import Environment, StrictUndefined, select_autoescape
from markupsafe import Markup

from resilience.controls import CATEGORIES, CONTROLS, SEVERITIES, SEVERITY_RANK
from resilience.durations import format_duration
from resilience.results import Finding, ScanResult, summarise

from . import subservice, svg
from .common import (
    MAX_ACCOUNTS,
    MAX_LISTED,
    MAX_WORKLOADS,
    SEVERITY_COLOURS,
    STATUS_COLOURS,
    STATUS_ORDER,
    flatten,
    in_report_order,
    scan_catalogue,
    scenario_of,
    some,
    status_counts,
)

MAX_GRAPH_NODES = 90
#: "What to fix first": the worst failing results, by severity then blast radius
TOP_RESULTS = 10
#: results drawn in full per section (failing, unknown, waived); the page stays readable at 100,000 results.
#: The rest are counted and left to findings.csv / findings.json, which hold every result.
MAX_DETAILED = MAX_LISTED
#: passing results listed (one line each) under "Passed"
MAX_PASSED = 1000
#: workloads drawn as cards (the worst first); the next ones, up to MAX_WORKLOADS, are rows of a table
MAX_WORKLOAD_CARDS = 100
#: failing results a workload card lists
WORKLOAD_CARD_RESULTS = 8
#: readable evidence: key/value lines shown per side (observed, expected) before "and N more"
MAX_EVIDENCE_LINES = 24
#: a readable evidence value, and a result's raw evidence JSON, are cut at these lengths (findings.json has all)
MAX_EVIDENCE_VALUE = 400
MAX_EVIDENCE_CHARS = 4000
NO_REGION = "(no region)"  # workload-level results
QUIET_KINDS = frozenset({"subnet", "dns_zone"})  # drawn only when a finding is about them


def environment() -> Environment:
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["duration"] = format_duration
    env.filters["pretty"] = lambda v: cut(json.dumps(v, indent=2, sort_keys=True, default=str))
    env.filters["cut"] = cut
    env.filters["some"] = some
    env.filters["short"] = short_name
    env.filters["ident"] = identifier
    env.filters["kv"] = evidence_lines
    env.filters["words"] = unbroken_words
    return env


def cut(text: str, limit: int = MAX_EVIDENCE_CHARS) -> str:
    """``text`` cut at ``limit`` characters, saying so (a Markup stays Markup: JSON text has no entity to split)."""
    if len(text) <= limit:
        return text
    return text[:limit] + type(text)(f"… (cut at {limit:,} characters: findings.json has all of it)")


def identifier(value: Any) -> Markup:
    """An id that may wrap only at its separators (``:``, ``/``), never inside a token such as
    ``RES-CORRELATED-001`` or ``2026-06-30``: each segment is unbreakable, a ``<wbr>`` follows it.
    Copying the text gives the id unchanged."""
    text = str(value)
    parts = re.split(r"(?<=[:/])", text)
    return Markup("<wbr>").join(Markup('<span class="seg">{}</span>').format(p) for p in parts if p)


def unbroken_words(value: Any) -> Markup:
    """Text whose hyphenated tokens (regions, zone ids, dates: ``me-central-1``) never wrap inside; the
    line may still wrap between words."""
    return Markup(" ").join(Markup('<span class="seg">{}</span>').format(w) if "-" in w else w
                            for w in str(value).split(" "))


def evidence_lines(value: Any, limit: int = MAX_EVIDENCE_LINES) -> tuple[list[tuple[str, str]], int]:
    """Evidence as readable ``key: value`` lines (nested keys joined with dots, lists joined with commas)
    and the number of lines left out."""
    flat = flatten(value) if isinstance(value, dict) else {"": value}
    lines = []
    for key, item in flat.items():
        if isinstance(item, str) and item.startswith("["):
            try:
                decoded = json.loads(item)
            except ValueError:
                decoded = None
            if isinstance(decoded, list) and all(not isinstance(x, dict | list) for x in decoded):
                item = ", ".join("—" if x is None else str(x) for x in decoded) or "none"
        text = "—" if item is None or item == "" else str(item).lower() if isinstance(item, bool) else str(item)
        if len(text) > MAX_EVIDENCE_VALUE:
            text = text[: MAX_EVIDENCE_VALUE - 1] + "…"
        lines.append((key.replace("_", " "), text))
    return lines[:limit], max(0, len(lines) - limit)


def short_name(resource_id: str) -> str:
    """A readable tail of a long id: ``arn:aws:rds:...:db:payments-db`` -> ``payments-db``."""
    tail = resource_id.rsplit("/", 1)[-1] if "/" in resource_id else resource_id
    if tail.startswith("arn:") or ":" in tail:
        tail = tail.rsplit(":", 1)[-1] or tail
    return tail or resource_id


def graph_nodes(result: ScanResult, findings: list[Finding]) -> tuple[list[str], int]:
    """The affected part of the graph: workload members and resources with findings, then their
    direct neighbours (replicas, backups, failover targets) while there is room."""
    g = result.graph
    flagged = {f.resource for f in findings if f.status != "pass" and f.resource in g}
    members = {n for n, d in g.nodes(data=True) if d.get("workloads") and d.get("kind") not in QUIET_KINDS}
    core = members | flagged
    if not core:
        core = {n for n, d in g.nodes(data=True) if d.get("kind") not in QUIET_KINDS}
    nodes, succ, pred = g._node, g._succ, g._pred  # the adjacency itself: every node of the estate is visited
    neighbours = {other for n in core for adjacent in (succ[n], pred[n]) for other in adjacent
                  if other not in core and (nodes[other].get("kind") not in QUIET_KINDS or other in flagged)}
    chosen = sorted(flagged) + sorted(core - flagged) + sorted(neighbours)
    total = len(chosen)
    return chosen[:MAX_GRAPH_NODES], total


def node_states(findings: list[Finding], graph, drawn: set[str] | None = None) -> dict[str, svg.NodeState]:
    """The state of each resource with a non-passing result (of those ``drawn``, when given)."""
    states: dict[str, svg.NodeState] = {}
    lines: dict[str, list[str]] = {}
    for f in findings:
        if f.status == "pass" or f.resource not in graph or (drawn is not None and f.resource not in drawn):
            continue
        s = states.setdefault(f.resource, svg.NodeState())
        if f.status == "fail":
            s.failing += 1
            if s.worst is None or SEVERITY_RANK[f.severity] > SEVERITY_RANK[s.worst]:
                s.worst = f.severity
        elif f.status == "unknown":
            s.unknown += 1
        elif f.status == "waived":
            s.waived += 1
        lines.setdefault(f.resource, []).append(f"{f.status} {f.severity}: {f.title}")
    for resource, s in states.items():
        s.lines = (*s.lines, *lines[resource])
    return states


def _objectives(objectives: dict[str, dict[str, int]]) -> str:
    parts = []
    for disruption, o in sorted(objectives.items()):
        bits = [f"{k.upper()} {format_duration(o[k])}" for k in ("rto", "rpo") if o.get(k) is not None]
        parts.append(f"{disruption}: " + ", ".join(bits))
    return "; ".join(parts)


def _share(counts: dict[str, int]) -> str:
    return f"{counts.get('fail', 0)} of {sum(counts.values())} failing"


def display_name(graph, resource: str) -> str:
    """What a person calls the resource: its inventoried name, else a readable tail of its id."""
    if resource.startswith("workload:"):
        return resource  # the same text as the Markdown and CSV: workload:NAME
    if resource in graph and graph.nodes[resource].get("name"):
        return str(graph.nodes[resource]["name"])
    return short_name(resource)


def top_results(failing: list[Finding], graph, workload_sizes: dict[str, int],
                limit: int = TOP_RESULTS) -> list[dict[str, Any]]:
    """The failing results to fix first: by severity, then blast radius (how many workloads the result
    touches, then how many resources depend on it directly: for a workload-level result, the workload's
    size), then title. Each is a finding dict with ``display``, ``scenario`` and ``blast``: that radius
    in words."""
    def radius(f: Finding) -> tuple[int, int]:
        affected = list(dict.fromkeys([*_workloads_of(f), *([f.workload] if f.workload else [])]))
        if f.resource in graph:
            dependents = graph.in_degree(f.resource)
        else:
            dependents = sum(workload_sizes.get(w, 0) for w in affected)
        return len(affected), dependents

    ranked = sorted(failing, key=lambda f: (-SEVERITY_RANK[f.severity], *(-x for x in radius(f)), f.title,
                                            f.id))[:limit]
    out = []
    for f in ranked:
        n_workloads, dependents = radius(f)
        words = []
        if n_workloads:
            words.append(f"{n_workloads} workload{'s' if n_workloads != 1 else ''}")
        if dependents:
            words.append(f"{dependents} dependent resource{'s' if dependents != 1 else ''}"
                         if f.resource in graph else f"{dependents} resource{'s' if dependents != 1 else ''}")
        out.append({**dressed(f, graph), "blast": " · ".join(words)})
    return out


def _workloads_of(f: Finding) -> list[str]:
    """The ``workloads`` of the finding's dict: listed only when there are several (:meth:`Finding.to_dict`)."""
    return f.workloads if len(f.workloads) > 1 else []


def dressed(f: Finding, graph) -> dict[str, Any]:
    """A finding as the template shows it: its dict, with the display name and scenario."""
    d = f.to_dict()
    d["display"] = display_name(graph, f.resource)
    d["scenario"] = scenario_of(d)
    return d


def context(result: ScanResult) -> dict[str, Any]:
    """What the page shows. Every result is counted; only those drawn (at most MAX_DETAILED per status,
    MAX_PASSED passing, the workload cards' first failing ones) are made into dicts."""
    g = result.graph
    ordered = in_report_order(result)
    everything: dict[str, list[Finding]] = {s: [] for s in STATUS_ORDER}
    for f in ordered:
        if f.status in everything:
            everything[f.status].append(f)
    counts = {s: len(everything[s]) for s in STATUS_ORDER}
    by_status = {s: [dressed(f, g) for f in everything[s][:MAX_PASSED if s == "pass" else MAX_DETAILED]]
                 for s in STATUS_ORDER}
    summary = summarise(result.findings)
    failing = everything["fail"]
    by_severity = Counter(f.severity for f in failing)
    sev_counts = {s: by_severity.get(s, 0) for s in SEVERITIES}
    baseline = result.extra.get("baseline")
    if baseline:
        baseline = {**baseline, "resolved_findings": [{**r, "display": display_name(result.graph, r["resource"])}
                                                       for r in baseline.get("resolved_findings", [])]}

    # summary by control
    per_control = status_counts((c, f.status) for f in ordered for c in f.controls)
    control_rows = [(c, per_control[c]) for c in sorted(per_control, key=lambda c: (list(CONTROLS).index(c)
                                                                                   if c in CONTROLS else 999, c))]
    # failing results by category, stacked by severity: where the problems are
    per_category: dict[str, dict[str, int]] = {}
    for f in failing:
        bucket = per_category.setdefault(f.category, {s: 0 for s in SEVERITIES})
        bucket[f.severity] += 1
    category_rows = [(c, per_category[c]) for c in sorted(per_category, key=lambda c: (
        -sum(per_category[c].values()), list(CATEGORIES).index(c) if c in CATEGORIES else 999))]

    # regions
    audited = list(result.scan.get("regions_audited", []))
    region_resources = Counter(str(d.get("region") or "unknown") for _, d in g.nodes(data=True) if not d.get("stub"))
    kinds_in = Counter((str(d.get("region") or "unknown"), d.get("kind", ""))
                       for _, d in g.nodes(data=True) if not d.get("stub"))
    region_kinds: dict[str, Counter] = {}
    for (region, kind), n in kinds_in.items():
        region_kinds.setdefault(region, Counter())[kind] = n
    region_providers: dict[str, set[str]] = {}
    for region, provider in {(str(d.get("region") or "unknown"), str(d["provider"])) for _, d in g.nodes(data=True)
                             if d.get("provider") and d.get("provider") != "unknown"}:
        region_providers.setdefault(region, set()).add(provider)
    per_region = status_counts((f.region or NO_REGION, f.status) for f in ordered)
    failing_by_region = Counter((f.region or NO_REGION, f.severity) for f in failing)
    regions = []
    for r in svg.region_order(set(region_resources) | set(per_region) - {NO_REGION}, audited) + \
            ([NO_REGION] if NO_REGION in per_region else []):
        counts_here = per_region.get(r, {s: 0 for s in STATUS_ORDER})
        regions.append({
            "name": r, "audited": r in audited, "resources": region_resources.get(r, 0),
            "provider": ", ".join(sorted(region_providers.get(r, ()))),
            "kinds": ", ".join(f"{n} {k.replace('_', ' ')}{'s' if n > 1 else ''}" for k, n in
                               sorted(region_kinds.get(r, Counter()).items(), key=lambda kv: (-kv[1], kv[0]))),
            "counts": counts_here,
            "failing_by_severity": {s: failing_by_region.get((r, s), 0) for s in SEVERITIES},
        })
    top = max((sum(r["counts"].values()) for r in regions), default=1)
    for r in regions:
        r["bar"] = svg.mini_bar(r["counts"], keys=STATUS_ORDER, colours=STATUS_COLOURS, top=top)

    # workloads
    specs = result.policy.workloads
    per_workload: dict[str, list[Finding]] = {}
    for f in ordered:
        for name in dict.fromkeys([*_workloads_of(f), *([f.workload] if f.workload else [])]):
            per_workload.setdefault(name, []).append(f)
    workloads = []
    for w in result.workloads:
        name = w["name"]
        mine = per_workload.get(name, [])
        counts_here = Counter(f.status for f in mine)
        worst = min((f.severity for f in mine if f.status == "fail"), key=SEVERITIES.index, default=None)
        spec = specs.get(name)
        workloads.append({
            "name": name, "resources": len(w["resources"]), "objectives": _objectives(w.get("objectives", {})),
            "tier": spec.tier if spec else None, "owner": spec.owner if spec else None,
            "counts": {s: counts_here.get(s, 0) for s in STATUS_ORDER}, "worst": worst,
            "failing": [f for f in mine if f.status == "fail"],
            "regions": sorted({str(g.nodes[n].get("region")) for n in w["resources"] if n in g}),
        })
    # worst first: by worst failing severity, then by how many results fail, then unknown
    workloads.sort(key=lambda w: (SEVERITIES.index(w["worst"]) if w["worst"] else len(SEVERITIES),
                                  -w["counts"]["fail"], -w["counts"]["unknown"], w["name"]))
    for i, w in enumerate(workloads):  # a card lists its first failing results; the rest are counted
        w["failing"] = [dressed(f, g) for f in w["failing"][:WORKLOAD_CARD_RESULTS]] if i < MAX_WORKLOAD_CARDS else []
    failing_workloads = sum(1 for w in workloads if w["counts"]["fail"])
    top = top_results(failing, g, {w["name"]: w["resources"] for w in workloads})
    failed_reads = [c for c in result.coverage if not c.ok and c.status != "skipped"]
    skipped_reads = [c for c in result.coverage if c.status == "skipped"]

    nodes, total_nodes = graph_nodes(result, ordered)
    graph_svg = svg.dependency_graph(g, nodes, node_states(ordered, g, set(nodes)), audited=audited,
                                     severity_colours=SEVERITY_COLOURS)
    history = (baseline or {}).get("history") or []
    trend = svg.trend_chart(history, series=[("failing", "all failing", "#0f172a"),
                                             ("critical", "critical", SEVERITY_COLOURS["critical"]),
                                             ("high", "high", SEVERITY_COLOURS["high"]),
                                             ("medium", "medium", SEVERITY_COLOURS["medium"]),
                                             ("low", "low", SEVERITY_COLOURS["low"])])
    status_colours = dict(STATUS_COLOURS)
    charts = {
        "severity": svg.stacked_bars([(s, {s: sev_counts[s]}) for s in SEVERITIES], keys=SEVERITIES,
                                     colours=SEVERITY_COLOURS, aria_label="failing results by severity",
                                     label_width=90, bar_width=260),
        "controls": svg.stacked_bars(control_rows, keys=STATUS_ORDER, colours=status_colours,
                                     aria_label="share of results by status, per control", sublabels=CONTROLS,
                                     per_row=True, end_label=_share, end_width=110, bar_width=260),
        "categories": svg.stacked_bars(category_rows, keys=SEVERITIES, colours=SEVERITY_COLOURS,
                                       aria_label="failing results by category", sublabels=CATEGORIES),
    }
    waivers = [f for f in ordered if f.waiver]
    counts["waivers"] = len(waivers)
    return {
        "scan": result.scan, "summary": summary, "sev_counts": sev_counts, "by_status": by_status,
        "counts": counts, "baseline": baseline, "gaps": failed_reads, "skipped": skipped_reads,
        "new_failing": [dressed(f, g) for f in islice((f for f in failing if f.baseline == "new"), MAX_DETAILED)],
        "top": top, "failing_workloads": failing_workloads, "max_detailed": MAX_DETAILED, "max_passed": MAX_PASSED,
        "max_cards": MAX_WORKLOAD_CARDS, "max_workloads": MAX_WORKLOADS, "card_results": WORKLOAD_CARD_RESULTS,
        "coverage_total": len(result.coverage), "workloads": workloads, "regions": regions, "charts": charts,
        "trend": trend, "graph_svg": graph_svg, "graph_shown": len(nodes), "graph_total": total_nodes,
        "control_rows": control_rows, "controls": CONTROLS, "waivers": [dressed(f, g) for f in waivers[:MAX_DETAILED]],
        "severities": SEVERITIES, "status_order": STATUS_ORDER, "severity_colours": SEVERITY_COLOURS,
        "status_colours": STATUS_COLOURS, "rules": scan_catalogue(result),
        "edge_style": svg.EDGE_STYLE, "new_ids": set((baseline or {}).get("new", [])),
    }



def render(result: ScanResult) -> str:
    template = environment().from_string(
        files("resilience.reports").joinpath("templates/report.html.j2").read_text(encoding="utf-8")
    )
    page = template.render(**context(result), subservice=Markup(subservice.section(result, "html")))
    return _with_account_section(page, result)


def _with_account_section(page: str, result: ScanResult) -> str:
    """The account view (organisation scans), as its own section before the end of the page."""
    from . import accounts
    from .json_report import account_view

    rows = account_view(result)
    if not accounts.worth_showing(rows):
        return page
    marker = "</main>" if "</main>" in page else "</body>"
    return page.replace(marker, accounts.html(rows, MAX_ACCOUNTS) + marker, 1)


def write(result: ScanResult, outdir: Path) -> Path:
    path = outdir / "report.html"
    path.write_text(render(result), encoding="utf-8")
    return path
