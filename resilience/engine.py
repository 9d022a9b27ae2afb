"""Run the rules over the graph and turn their results into findings (contract 3)."""

from __future__ import annotations

import hashlib
import traceback
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .controls import SEVERITY_RANK, severity_at_least
from .results import Finding
from .rule import Result, Rule, RuleContext


def finding_id(rule_id: str, resource: str, workload: str | None, key: str = "") -> str:
    """Stable identity: rule id + identity fields only, never display text."""
    material = "\x1f".join((rule_id, resource, workload or "", key))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:24]


def rule_results(rule: Rule, ctx: RuleContext) -> list[Result]:
    """One rule's results; a broken rule is reported (``unknown``), not hidden and not fatal to the scan."""
    try:
        return list(rule.check(ctx))
    except Exception as exc:
        return [Result(
            status="unknown", resource=f"rule:{rule.id}",
            message=f"rule {rule.id} could not be evaluated: {type(exc).__name__}: {exc}",
            observed={"error": traceback.format_exception_only(exc)[-1].strip()},
            source="engine", resource_type="rule",
        )]


#: runs every rule over a context: ``(ctx, rules, rule_results) -> one result list per rule, in rule order``
MapRules = Callable[[RuleContext, Sequence[Rule], Callable[[Rule, RuleContext], list[Result]]], list[list[Result]]]


def run_rules(ctx: RuleContext, rules: Iterable[Rule], *, map_rules: MapRules | None = None) -> list[Finding]:
    """The findings of ``rules`` over ``ctx``. ``map_rules`` runs the rules elsewhere (a Dask cluster:
    :mod:`resilience.fanout`); everything after, ids, waivers and order, happens here either way."""
    rules = list(rules)
    per_rule = (map_rules(ctx, rules, rule_results) if map_rules is not None
                else [rule_results(rule, ctx) for rule in rules])
    findings: list[Finding] = []
    scanned_at = ctx.scan_time.isoformat()
    if len(per_rule) != len(rules):
        raise ValueError(f"{len(per_rule)} result lists for {len(rules)} rules")
    for i, rule in enumerate(rules):
        results, per_rule[i] = per_rule[i], []  # each rule's results go as they become findings (memory)
        for result in results:
            if not _in_scope(result, ctx.audited_regions):
                continue
            findings.append(_with_owner(_finding(rule, result, scanned_at), result, ctx))
        del results
    apply_waivers(findings, ctx)
    findings.sort(key=lambda f: (-SEVERITY_RANK[f.severity], f.status != "fail", f.rule, f.resource, f.id))
    return _dedupe(findings)


def _in_scope(result: Result, audited: tuple[str, ...]) -> bool:
    """With ``--region`` given, keep results about those regions and region-less ones."""
    if not audited or result.region in (None, "", "global", "unknown"):
        return True
    return result.region in audited


def _finding(rule: Rule, result: Result, scanned_at: str) -> Finding:
    evidence = {
        "observed": result.observed,
        "expected": result.expected,
        "source": result.source,
        "observed_at": result.observed_at or scanned_at,
        **result.extra,
    }
    return Finding(
        id=finding_id(rule.id, result.resource, result.workload, result.key),
        rule=rule.id, category=rule.category, status=result.status,
        severity=result.severity or rule.severity, title=rule.title, message=result.message,
        resource=result.resource, resource_type=result.resource_type, region=result.region,
        workload=result.workload, controls=list(rule.controls), evidence=evidence,
        remediation=rule.remediation, workloads=list(result.workloads),
    )


def _with_owner(finding: Finding, result: Result, ctx: RuleContext) -> Finding:
    """``account`` (the owner of the resource) and, for a workload, ``accounts`` (every owner)."""
    graph = ctx.graph
    if result.resource in graph:
        finding.account = graph.nodes[result.resource].get("account") or None
    elif result.resource.startswith("workload:"):
        finding.accounts = _workload_accounts(ctx, result.workload or result.resource.split(":", 1)[1])
        finding.account = finding.accounts[0] if len(finding.accounts) == 1 else None
    elif result.resource_type == "coverage":
        finding.account = result.observed.get("account") or None
    return finding


def _workload_accounts(ctx: RuleContext, workload: str) -> list[str]:
    from .graph import workload_index
    from .survival import per_graph

    memo = per_graph(ctx.graph, "engine.workload_accounts")
    if workload not in memo:
        nodes = ctx.graph.nodes
        memo[workload] = sorted({nodes[n].get("account") for n in workload_index(ctx.graph).get(workload, ())
                                 if nodes[n].get("account")})
    return memo[workload]


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[str] = set()
    out = []
    for f in findings:
        if f.id in seen:
            continue
        seen.add(f.id)
        out.append(f)
    return out


def apply_waivers(findings: list[Finding], ctx: RuleContext) -> None:
    """An active waiver turns a failure into ``waived``; an expired one leaves it failing, with a note."""
    today = ctx.scan_time.date()
    candidates = _WaiverIndex(ctx.policy.waivers)
    for f in findings:
        if f.status != "fail":
            continue
        for waiver in candidates.for_finding(f):
            if not waiver.matches(rule=f.rule, category=f.category, resource=f.resource, workload=f.workload):
                continue
            record = {
                "reason": waiver.reason, "approved_by": waiver.approved_by,
                "expires": waiver.expires.isoformat(), "policy_line": ctx.policy.location(waiver.line),
            }
            if waiver.expired_on(today):
                f.waiver = {**record, "expired": True}
                f.notes.append(
                    f"waiver expired on {waiver.expires.isoformat()} ({ctx.policy.location(waiver.line)}): "
                    "the finding counts as a failure again"
                )
            else:
                f.waiver = {**record, "expired": False}
                f.status = "waived"
            break


class _WaiverIndex:
    """The policy's waivers by the resource or workload they name, so that each finding is tested against
    the few that could match it, in policy order (the first match applies), not against every waiver."""

    def __init__(self, waivers: Iterable[Any]) -> None:
        self.by_resource: dict[str, list[tuple[int, Any]]] = {}
        self.by_workload: dict[str, list[tuple[int, Any]]] = {}
        self.rest: list[tuple[int, Any]] = []
        for i, w in enumerate(waivers):
            if w.resource is not None:
                self.by_resource.setdefault(w.resource, []).append((i, w))
            elif w.workload is not None:
                self.by_workload.setdefault(w.workload, []).append((i, w))
            else:
                self.rest.append((i, w))

    def for_finding(self, f: Finding) -> list[Any]:
        found = self.by_resource.get(f.resource, []) + self.by_workload.get(f.workload or "", []) + self.rest
        return [w for _, w in sorted(found, key=lambda pair: pair[0])]


def failing_at(findings: Iterable[Finding], threshold: str | None, *, new_only: bool = False) -> list[Finding]:
    """Failures at or above ``threshold`` (``None``/``none``: never fail); with ``new_only``, only
    findings a baseline classified as new."""
    if threshold in (None, "none"):
        return []
    return [
        f for f in findings
        if f.failing and severity_at_least(f.severity, threshold) and (not new_only or f.baseline in (None, "new"))
    ]
