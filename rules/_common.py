"""Shared pieces of the resilience rule families (regional, zonal, data, dns, correlated).

Not a rule module: nothing here is registered. Verdict helpers, the data-store population the
data rules judge, and the workload-level result shape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from resilience.coverage_index import coverage_index
from resilience.evidence_sources import TestRecord, failover_tests
from resilience.model import DATA_KINDS, Coverage
from resilience.rule import Result, RuleContext
from resilience.survival import (
    WorkloadImpact,
    chain_evidence,
    cluster_of,
    in_edges,
    is_copy,
    is_disposable,
    is_stub,
    nodes_of_kinds,
    per_graph,
)

# the WA Reliability pillar best practices the rationales cite
WA_REL09_BP01 = "AWS Well-Architected REL09-BP01 (identify and back up all data that needs to be backed up)"
WA_REL09_BP03 = "AWS Well-Architected REL09-BP03 (perform data backup automatically)"
WA_REL10_BP01 = "AWS Well-Architected REL10-BP01 (deploy the workload to multiple locations)"
WA_REL10_BP02 = "AWS Well-Architected REL10-BP02 (select the appropriate locations for your multi-location deployment)"
WA_REL10_BP03 = "AWS Well-Architected REL10-BP03 (automate recovery for components constrained to a single location)"
WA_REL11_BP02 = "AWS Well-Architected REL11-BP02 (fail over to healthy resources)"
WA_REL11_BP04 = "AWS Well-Architected REL11-BP04 (rely on the data plane and not the control plane during recovery)"
WA_REL11_BP05 = "AWS Well-Architected REL11-BP05 (use static stability to prevent bimodal behavior)"
WA_REL13_BP02 = "AWS Well-Architected REL13-BP02 (use defined recovery strategies to meet the recovery objectives)"
SOC2_A1_2 = ("AICPA TSC A1.2 (environmental protections, software, data back-up processes and recovery "
             "infrastructure)")
ZONE_LOSS_2026 = ("AWS, September 2026: data held only in one of the me-central-1 zones damaged in March 2026 "
                  "could not be restored")


def verdict(ok: bool, doubts: list[str]) -> str:
    """``pass``/``fail``, or ``unknown`` when something the scan could not read could overturn it."""
    if doubts:
        return "unknown"
    return "pass" if ok else "fail"


def workload_result(ctx: RuleContext, impact: WorkloadImpact, *, key: str, region: str | None,
                    status: str, message: str, expected: dict[str, Any], severity: str | None = None) -> Result:
    """A workload-level result about one scenario: the impact's facts as evidence."""
    chain = impact.broken_chain
    evidence_nodes = chain or [f[1] for f in impact.failovers] or impact.lost
    source, observed_at = chain_evidence(ctx.graph, evidence_nodes)
    names = {n: ctx.graph._node[n].get("name") or n for n in {*chain, *impact.lost} if n in ctx.graph}
    observed = {
        "scenario": impact.scenario.describe(),
        "serving": impact.serving,
        "data_intact": impact.data_intact,
        "entry_points": impact.entry_points,
        "broken_chain": [names.get(n, n) for n in chain],
        "lost": impact.lost,
        "lost_data": impact.lost_data,
        "failovers": [{"from": a, "to": b, "mechanism": m} for a, b, m in impact.failovers],
    }
    if impact.control_plane:
        observed["control_plane"] = impact.control_plane
    if impact.unknown:
        observed["unknown"] = impact.unknown
    return Result(
        status=status, resource=f"workload:{impact.workload}", message=message, observed=observed,
        expected=expected, source=source or "graph", observed_at=observed_at, resource_type="workload",
        region=region, workload=impact.workload, workloads=(impact.workload,), key=key, severity=severity,
        extra={"chain": chain, "scenario": impact.scenario.to_dict(), "why": impact.why},
    )


def impact_status(impact: WorkloadImpact) -> str:
    return verdict(impact.survives, impact.unknown)


#: the escalation :func:`impact_severity` applies, as the rules using it declare it (``Rule.escalations``)
LOSS_OF_SERVICE_AND_DATA = (("critical", "the workload both stops serving and loses data (no surviving copy) "
                                         "in the scenario"),)


def impact_severity(impact: WorkloadImpact, status: str) -> str | None:
    """Losing data as well as service is worse than an outage: raise such failures to critical."""
    return "critical" if status == "fail" and not impact.data_intact and not impact.serving else None


def scenario_result(ctx: RuleContext, impact: WorkloadImpact, *, key: str, region: str | None, outside: str,
                    label: str = "") -> Result:
    """The survival engine's verdict on one scenario as a workload result: the status and severity it gives,
    its ``why`` (after ``label``, with the first doubt when uncertain) and what surviving means ``outside``."""
    status = impact_status(impact)
    message = label + impact.why
    if status == "unknown":
        message += f" — uncertain: {impact.unknown[0]}"
    return workload_result(
        ctx, impact, key=key, region=region, status=status, message=message,
        severity=impact_severity(impact, status),
        expected={"serving": True, "data_intact": True, "survives": outside},
    )


def data_stores(ctx: RuleContext, kinds: frozenset[str] = DATA_KINDS) -> Iterator[str]:
    """The originals among the data stores: inventoried, not a replication destination, not the
    disposable volume of an Auto Scaling group's instance, not a member instance of an inventoried DB
    cluster (an Aurora instance: the cluster owns the storage and is judged once). Sorted, for stable output. Worked out
    once per graph (and set of kinds): several rules walk the same population."""
    by_kinds = per_graph(ctx.graph, "rules.data_stores")
    key = frozenset(kinds)
    if key not in by_kinds:
        by_kinds[key] = tuple(_data_stores(ctx, key))
    yield from by_kinds[key]


def _data_stores(ctx: RuleContext, kinds: frozenset[str]) -> Iterator[str]:
    for node in nodes_of_kinds(ctx.graph, kinds):
        data = ctx.graph._node[node]
        if is_stub(data):
            continue
        if is_copy(ctx.graph, node) or is_disposable(ctx.graph, node):
            continue
        if cluster_of(ctx.graph, node) is not None:  # judged once, by the cluster that owns the storage
            continue
        yield node


T = TypeVar("T")


def per_estate(ctx: RuleContext, name: str, compute: Callable[[], T]) -> T:
    """What a per-workload rule needs of the whole estate (the failover-test records, the failure
    domains, the estate's regions): ``compute()`` once per graph and policy, kept with the graph's
    memos, never once per workload (nor once per batch of workloads on a cluster)."""
    memo = per_graph(ctx.graph, name)
    hit = memo.get(id(ctx.policy))
    if hit is None or hit[0] is not ctx.policy:  # the policy is kept in the entry: its id cannot be reused
        hit = memo[id(ctx.policy)] = (ctx.policy, compute())
    return hit[1]


def failover_records(ctx: RuleContext) -> list[TestRecord]:
    """Every failover-test record of the estate (:func:`resilience.evidence_sources.failover_tests`),
    once per graph and policy: the testing and objectives rules read them workload by workload."""
    return per_estate(ctx, "rules.failover_tests", lambda: failover_tests(ctx.graph, ctx.policy))


def failed_reads(ctx: RuleContext) -> tuple[Coverage, ...]:
    """The scan's failed reads (coverage records that are not ``ok``), in their order. Every
    coverage question a rule asks is about these, so a rule filters once per run rather than once
    per resource; passed as ``coverage=`` to :mod:`resilience.survival` they give the same answers
    as every record (it only ever consults failed reads)."""
    return coverage_index(ctx.coverage).failed


def result(ctx: RuleContext, node: str, status: str, message: str, **kw: Any) -> Result:
    """``ctx.result`` for a node; a node with no workload of its own (an untagged volume) is reported
    under the workloads of what uses it (instances it is attached to, components depending on it)."""
    data = ctx.graph._node[node]
    if not data.get("workloads") and "workloads" not in kw:
        users = set((data.get("attrs") or {}).get("attached_to") or ()) | {
            src for src, _ in in_edges(ctx.graph, node, "depends_on")}
        owners = tuple(sorted({w for u in users if u in ctx.graph for w in ctx.graph._node[u].get("workloads") or ()}))
        if owners:
            kw.update(workload=owners[0], workloads=owners)
    return ctx.result(node, status, message, **kw)


def name(ctx: RuleContext, node: str) -> str:
    return ctx.graph._node[node].get("name") or node if node in ctx.graph else node


def own_gaps(ctx: RuleContext, node: str, services: tuple[str, ...]) -> list[str]:
    """Coverage gaps in the node's own region for the given services, described."""
    data = ctx.graph._node[node]
    return [f"{c.provider} {c.service} in {c.region} could not be read ({c.status})"
            for c in ctx.gaps(region=data.get("region"), services=services, account=data.get("account") or None)]
