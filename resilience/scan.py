"""One scan: inventory + policy -> graph -> findings, with the metadata an auditor needs.

``collect_*`` talks to the cloud; :func:`analyse` is offline and pure given its inputs (the scan
time is an argument), so a saved ``inventory.json`` can be re-analysed anywhere.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import networkx as nx

from . import __version__
from .engine import evaluate, findings_of
from .graph import build_graph, workload_nodes
from .model import EXTERNAL, Inventory
from .policy import Policy
from .recovery import release, workload_recovery
from .results import FINDINGS_SCHEMA, Finding, ScanResult, findings_document, summarise  # noqa: F401 (re-exported)
from .rule import Rule, RuleContext
from .vendor_assurance import register_view


def analyse(
    inventory: Inventory,
    policy: Policy,
    *,
    scan_time: dt.datetime,
    audited_regions: tuple[str, ...] = (),
    rules: tuple[Rule, ...] | None = None,
    finished_at: dt.datetime | None = None,
    fanout: Any = None,
) -> ScanResult:
    """``fanout``: a :class:`resilience.fanout.Fanout` to run the per-workload rules and the workload
    summaries on a Dask cluster, in batches of workloads (same findings, byte for byte); ``None``: here."""
    if rules is None:
        from resilience.rules import REGISTRY

        rules = REGISTRY
    graph = build_graph(inventory, policy)
    # the age of a copy is measured when the estate was read, not when it is analysed: a saved inventory
    # analysed a week later has the same RPOs (its backups did not age in the file)
    observed_at = inventory.observed_until()
    ctx = RuleContext(graph=graph, policy=policy, scan_time=scan_time, coverage=list(inventory.coverage),
                      audited_regions=tuple(audited_regions), observed_at=observed_at)
    # here: the rules, then the workload summaries; on a cluster: the per-workload rules and the summaries
    # together, in batches of workloads
    per_rule, workloads = evaluate(ctx, rules, fanout=fanout, also=_summary)
    extra = {"subservice_organisations": register_view(graph, policy, scan_time.date())}
    release(graph)  # the verdicts are in the results: their working answers go before the findings are made
    findings = findings_of(ctx, rules, per_rule)
    meta = inventory.meta
    started = meta.get("started_at") or scan_time.isoformat()
    scan = {
        "id": _scan_id(started, meta, policy),
        "started_at": started,
        "finished_at": (finished_at or scan_time).isoformat(),
        "tool_version": __version__,
        "provider": sorted(meta.get("providers", [])) or sorted({r.provider for r in inventory.resources}),
        "accounts": sorted(meta.get("accounts", [])) or sorted({r.account for r in inventory.resources if r.account}),
        "regions_audited": list(audited_regions),
        "regions_scanned": sorted(meta.get("regions_scanned", [])),
        "identity": meta.get("identity", ""),
        "policy_sha256": policy.sha256 or "",
        "policy_file": policy.path or "",
        "rules": len(rules),
        "resources": graph.number_of_nodes(),
        # additive: audited regions in which the inventory holds no resource (nothing there to lose)
        "regions_audited_empty": empty_regions(graph, audited_regions),
    }
    return ScanResult(scan=scan, inventory=inventory, graph=graph, policy=policy, findings=findings,
                      workloads=workloads, extra=extra)


def workload_summary(name: str, *, graph: nx.MultiDiGraph, policy: Policy, coverage: Any, as_of: dt.datetime,
                     regions: tuple[str, ...] | None) -> dict[str, Any]:
    """One workload's entry in ``findings.json``: its resources, objectives and achievable recovery."""
    return {
        "name": name,
        "resources": workload_nodes(graph, name),
        "objectives": {
            disruption: {k: v for k, v in (("rto", o.rto), ("rpo", o.rpo)) if v is not None}
            for disruption, o in policy.objectives_for(name).items()
        },
        # additive: DR strategy and achievable RTO/RPO per disruption, with the estimate's scenario
        "recovery": workload_recovery(graph, name, policy=policy, coverage=coverage, as_of=as_of, regions=regions),
    }


def _summary(ctx: RuleContext, name: str) -> dict[str, Any]:
    """:func:`workload_summary` from the rule context (what a cluster's workload batch has)."""
    return workload_summary(name, graph=ctx.graph, policy=ctx.policy, coverage=ctx.coverage, as_of=ctx.as_of,
                            regions=ctx.audited_regions or None)


def empty_regions(graph: nx.MultiDiGraph, audited: tuple[str, ...] | list[str]) -> list[str]:
    """The audited regions that hold no inventoried resource (references nobody inventoried do not count)."""
    held = {d.get("region") for _, d in graph.nodes(data=True) if not d.get("stub") and d.get("kind") != EXTERNAL}
    return [r for r in audited if r not in held]


def empty_region_lines(result: ScanResult) -> list[str]:
    """One line per audited region that holds nothing, for the console."""
    return [f"note: audited region {r} holds no inventoried resource: every workload is not affected by its loss"
            for r in result.scan.get("regions_audited_empty") or ()]


def _scan_id(started: str, meta: dict[str, Any], policy: Policy) -> str:
    material = "|".join([started, ",".join(sorted(meta.get("accounts", []))),
                         ",".join(sorted(meta.get("regions_scanned", []))), policy.sha256 or ""])
    return hashlib.sha256(material.encode()).hexdigest()[:16]
