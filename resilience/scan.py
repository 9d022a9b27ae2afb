"""One scan: inventory + policy -> graph -> findings, with the metadata an auditor needs.

``collect_*`` talks to the cloud; :func:`analyse` is offline and pure given its inputs (the scan
time is an argument), so a saved ``inventory.json`` can be re-analysed anywhere.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from . import __version__
from .engine import Finding, run_rules
from .graph import build_graph, workload_names, workload_nodes
from .model import Inventory
from .policy import Policy
from .recovery import workload_recovery
from .rule import Rule, RuleContext
from .vendor_assurance import register_view

FINDINGS_SCHEMA = "resilience.findings/v1"


@dataclass
class ScanResult:
    scan: dict[str, Any]
    inventory: Inventory
    graph: nx.MultiDiGraph
    policy: Policy
    findings: list[Finding]
    workloads: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # further sections reporters may add (baseline, ...)

    @property
    def coverage(self):
        return self.inventory.coverage


def analyse(
    inventory: Inventory,
    policy: Policy,
    *,
    scan_time: dt.datetime,
    audited_regions: tuple[str, ...] = (),
    rules: tuple[Rule, ...] | None = None,
    finished_at: dt.datetime | None = None,
) -> ScanResult:
    if rules is None:
        from resilience.rules import REGISTRY

        rules = REGISTRY
    graph = build_graph(inventory, policy)
    ctx = RuleContext(graph=graph, policy=policy, scan_time=scan_time, coverage=list(inventory.coverage),
                      audited_regions=tuple(audited_regions))
    findings = run_rules(ctx, rules)
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
    }
    workloads = [
        {
            "name": name,
            "resources": workload_nodes(graph, name),
            "objectives": {
                disruption: {k: v for k, v in (("rto", o.rto), ("rpo", o.rpo)) if v is not None}
                for disruption, o in policy.objectives_for(name).items()
            },
            # additive: DR strategy and achievable RTO/RPO per disruption, with the estimate's scenario
            "recovery": workload_recovery(graph, name, policy=policy, coverage=inventory.coverage, as_of=scan_time,
                                          regions=audited_regions or None),
        }
        for name in workload_names(graph, policy)
    ]
    extra = {"subservice_organisations": register_view(graph, policy, scan_time.date())}
    return ScanResult(scan=scan, inventory=inventory, graph=graph, policy=policy, findings=findings,
                      workloads=workloads, extra=extra)


def _scan_id(started: str, meta: dict[str, Any], policy: Policy) -> str:
    material = "|".join([started, ",".join(sorted(meta.get("accounts", []))),
                         ",".join(sorted(meta.get("regions_scanned", []))), policy.sha256 or ""])
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def findings_document(result: ScanResult) -> dict[str, Any]:
    """``findings.json`` (contract 3). Every result is listed, passes included: the population."""
    doc = {
        "schema": FINDINGS_SCHEMA,
        "scan": result.scan,
        "coverage": [
            {"provider": c.provider, "account": c.account, "region": c.region, "service": c.service,
             "status": c.status, "detail": c.detail}
            for c in sorted(result.coverage, key=lambda c: (c.provider, c.account, c.region, c.service))
        ],
        "workloads": result.workloads,
        "findings": [f.to_dict() for f in result.findings],
        "summary": summarise(result.findings),
    }
    for key, value in result.extra.items():
        doc.setdefault(key, value)
    return doc


def summarise(findings: list[Finding]) -> dict[str, Any]:
    by_status: dict[str, int] = {}
    failing_by_severity: dict[str, int] = {}
    for f in findings:
        by_status[f.status] = by_status.get(f.status, 0) + 1
        if f.status == "fail":
            failing_by_severity[f.severity] = failing_by_severity.get(f.severity, 0) + 1
    return {"results": len(findings), "by_status": by_status, "failing_by_severity": failing_by_severity}
