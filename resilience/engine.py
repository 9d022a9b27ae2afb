"""Run the rules over the graph and turn their results into findings (contract 3)."""

from __future__ import annotations

import hashlib
import traceback
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

from .controls import SEVERITY_RANK, severity_at_least
from .graph import workload_names
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
        return [_broken(rule, exc)]


def _broken(rule: Rule, exc: Exception) -> Result:
    return Result(
        status="unknown", resource=f"rule:{rule.id}",
        message=f"rule {rule.id} could not be evaluated: {type(exc).__name__}: {exc}",
        observed={"error": traceback.format_exception_only(exc)[-1].strip()},
        source="engine", resource_type="rule",
    )


#: ``(ctx, workload name) -> answer``: per-workload work that is not a rule (the workload summaries of
#: ``findings.json``), run beside the per-workload rules so that it shares their memos
WorkloadTask = Callable[[RuleContext, str], Any]


def evaluate(ctx: RuleContext, rules: Sequence[Rule], *, fanout: Any = None,
             also: WorkloadTask | None = None) -> tuple[list[list[Result]], list[Any]]:
    """Every rule's results (one list per rule, in rule order) and ``also(ctx, name)`` for every workload
    (:func:`resilience.graph.workload_names` order).

    ``fanout`` (a :class:`resilience.fanout.Fanout`): the rules whose work is per workload
    (``Rule.per_workload``) and ``also`` run on the cluster, one task per batch of workloads doing all of
    them for its workloads, so that the survival verdicts and recovery estimates they share are worked out
    once per worker, not once per rule; the other rules run here meanwhile. The results are put back in the
    order of the single process: a rule that raises for a workload gives its one ``unknown`` result, as
    :func:`rule_results` does. Without a fanout: here, rule after rule, then ``also``."""
    if fanout is None:
        per_rule = [rule_results(rule, ctx) for rule in rules]
        return per_rule, [also(ctx, name) for name in workload_names(ctx.graph, ctx.policy)] if also else []
    batched = [i for i, rule in enumerate(rules) if rule.per_workload is not None]
    names = workload_names(ctx.graph, ctx.policy) if batched or also else []
    pending = fanout.submit_batches(_workload_batch, ctx, names, [rules[i] for i in batched], also)
    per_rule: list[list[Result]] = [[] if rule.per_workload is not None else rule_results(rule, ctx)
                                    for rule in rules]
    broken: dict[int, Result] = {}
    answers = []
    for outcomes, answer in pending():
        answers.append(answer)
        for i, got in zip(batched, outcomes, strict=True):
            if i in broken:
                continue
            if isinstance(got, _Broken):  # the single process stops at the first workload that raises
                broken[i] = got.result
                per_rule[i] = [got.result]
            else:
                per_rule[i].extend(got)
    return per_rule, answers


class _Broken(NamedTuple):
    """A per-workload rule raised for one workload: the rule's single ``unknown`` result."""

    result: Result


def _workload_batch(ctx: RuleContext, names: list[str], rules: list[Rule],
                    also: WorkloadTask | None) -> list[tuple[list[list[Result] | _Broken], Any]]:
    """On a worker: for each workload of the batch, every per-workload rule's results and ``also``'s answer."""
    out = []
    for name in names:
        outcomes: list[list[Result] | _Broken] = []
        for rule in rules:
            try:
                outcomes.append(list(rule.per_workload(ctx, name)))  # type: ignore[misc]
            except Exception as exc:
                outcomes.append(_Broken(_broken(rule, exc)))
        out.append((outcomes, also(ctx, name) if also is not None else None))
    return out


def run_rules(ctx: RuleContext, rules: Iterable[Rule], *, fanout: Any = None) -> list[Finding]:
    """The findings of ``rules`` over ``ctx``; ``fanout`` runs the per-workload rules on a Dask cluster
    (:func:`evaluate`). Everything after, ids, waivers and order, happens here either way."""
    rules = list(rules)
    return findings_of(ctx, rules, evaluate(ctx, rules, fanout=fanout)[0])


def findings_of(ctx: RuleContext, rules: Sequence[Rule], per_rule: Sequence[Sequence[Result]]) -> list[Finding]:
    """The findings of the rules' results (one list per rule, in rule order): ids, scope, owners, waivers,
    the report order."""
    findings: list[Finding] = []
    scanned_at = ctx.scan_time.isoformat()
    if len(per_rule) != len(rules):
        raise ValueError(f"{len(per_rule)} result lists for {len(rules)} rules")
    audited = ctx.audited_regions
    workloads: dict[str, tuple[list[str], tuple[str, ...]]] = {}  # name -> (accounts, providers), asked per result
    for i, rule in enumerate(rules):
        results, per_rule[i] = per_rule[i], []  # each rule's results go as they become findings (memory)
        make = _finding_maker(rule, scanned_at, ctx, workloads)
        append = findings.append
        for result in results:
            if audited and not _in_scope(result, audited):
                continue
            append(make(result))
        del results
    apply_waivers(findings, ctx)
    findings.sort(key=lambda f: (-SEVERITY_RANK[f.severity], f.status != "fail", f.rule, f.resource, f.id))
    return _dedupe(findings)


def _in_scope(result: Result, audited: tuple[str, ...]) -> bool:
    """With ``--region`` given, keep results about those regions and region-less ones."""
    if not audited or result.region in (None, "", "global", "unknown"):
        return True
    return result.region in audited


def _finding_maker(rule: Rule, scanned_at: str, ctx: RuleContext,
                   workloads: dict[str, tuple[list[str], tuple[str, ...]]]) -> Callable[[Result], Finding]:
    """``result -> finding`` for one rule: its id, evidence and the rule's fields; ``account`` (the owner of the
    resource) and, for a workload, ``accounts`` (every owner); the remediation in the services of the provider
    the finding is about (``Rule.remediation_for``). The rule's fields, and its remediation per set of
    providers, are looked up once per rule (a scan makes hundreds of thousands of findings); ``workloads``
    keeps each workload's accounts and providers across the rules of one :func:`findings_of`."""
    rule_id, category, default_severity, title = rule.id, rule.category, rule.severity, rule.title
    controls, remediation, by_provider = rule.controls, rule.remediation, bool(rule.provider_remediation)
    remediations: dict[tuple[str | None, ...], str] = {}
    nodes = ctx.graph._node

    def remediation_for(providers: tuple[str | None, ...]) -> str:
        try:
            text = remediations.get(providers)
        except TypeError:  # an unhashable provider in a result's observed facts: asked as it is
            return rule.remediation_for(providers)
        if text is None:
            text = remediations[providers] = rule.remediation_for(providers)
        return text

    def make(result: Result) -> Finding:
        resource, workload = result.resource, result.workload
        evidence = {"observed": result.observed, "expected": result.expected, "source": result.source,
                    "observed_at": result.observed_at or scanned_at}
        if result.extra:
            evidence.update(result.extra)
        finding = Finding(
            id=finding_id(rule_id, resource, workload, result.key),
            rule=rule_id, category=category, status=result.status,
            severity=result.severity or default_severity, title=title, message=result.message,
            resource=resource, resource_type=result.resource_type, region=result.region,
            workload=workload, controls=list(controls), evidence=evidence,
            remediation=remediation, workloads=list(result.workloads),
        )
        data = nodes.get(resource)
        if data is not None:
            finding.account = data.get("account") or None
            providers: tuple[str | None, ...] = (data.get("provider"),)
        elif resource.startswith("workload:"):
            workload = result.workload or resource.split(":", 1)[1]
            known = workloads.get(workload)
            if known is None:
                known = workloads[workload] = (_workload_accounts(ctx, workload), _workload_providers(ctx, workload))
            finding.accounts, providers = list(known[0]), known[1]  # a list of its own: a finding may be changed
            finding.account = finding.accounts[0] if len(finding.accounts) == 1 else None
        else:
            if result.resource_type == "coverage":
                finding.account = result.observed.get("account") or None
            providers = (result.observed.get("provider"),) if isinstance(result.observed, dict) else ()
        if by_provider:
            finding.remediation = remediation_for(providers)
        return finding

    return make


def _workload_accounts(ctx: RuleContext, workload: str) -> list[str]:
    from .graph import workload_index
    from .survival import per_graph

    memo = per_graph(ctx.graph, "engine.workload_accounts")
    if workload not in memo:
        nodes = ctx.graph._node
        memo[workload] = sorted({nodes[n].get("account") for n in workload_index(ctx.graph).get(workload, ())
                                 if nodes[n].get("account")})
    return memo[workload]


def _workload_providers(ctx: RuleContext, workload: str) -> tuple[str, ...]:
    from .graph import workload_index
    from .survival import per_graph

    memo = per_graph(ctx.graph, "engine.workload_providers")
    if workload not in memo:
        nodes = ctx.graph._node
        memo[workload] = tuple(sorted({nodes[n].get("provider") for n in workload_index(ctx.graph).get(workload, ())
                                       if nodes[n].get("provider")}))
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
