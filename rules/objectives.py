"""Recovery objectives: declared (objective-missing) and achievable by the architecture
(rto-mismatch, rpo-mismatch). SOC 2 A1.2: recovery infrastructure that meets the objectives.

The achievable RTO/RPO comes from :func:`resilience.recovery.estimate`: every component on the
workload's serving path, the recovery mechanism each needs in each scenario, priced by the
recovery model table (``docs/recovery-model.md``). Findings carry the arithmetic.
"""

from __future__ import annotations

from collections.abc import Iterator

from resilience import failure_domains
from resilience.durations import format_duration
from resilience.evidence_sources import for_workload
from resilience.graph_facts import regions_of
from resilience.mappings import controls_for
from resilience.recovery import estimate, estimate_domains, fmt, is_unbounded, json_seconds
from resilience.rule import Result, Rule, RuleContext

from ._common import failover_records

WA_REL13_BP01 = "AWS Well-Architected REL13-BP01 (define recovery objectives for downtime and data loss)"
WA_REL13_BP02 = "AWS Well-Architected REL13-BP02 (use defined recovery strategies to meet the recovery objectives)"
DR_WHITEPAPER = "Disaster Recovery of Workloads on AWS (whitepaper): recovery objectives and DR strategies"
SOC2_A1_2 = "AICPA TSC A1.2 (recovery infrastructure to meet the entity's availability commitments)"
#: the services whose resources the estimate prices (a failed read of any of them, or of another service a
#: workload uses, makes a verdict it could change unknown: ``recovery_steps.NOT_ESTIMATE_READS`` are the exceptions)
_REQUIRES = ("rds", "dynamodb", "s3", "ec2", "autoscaling", "elbv2", "elb", "lambda", "ecs", "eks", "elasticache",
             "efs", "route53", "cloudfront", "globalaccelerator", "backup")


def _workload_result(ctx: RuleContext, workload: str, status: str, message: str, **kw) -> Result:
    return Result(status=status, resource=f"workload:{workload}", message=message, resource_type="workload",
                  region=None, workload=workload, workloads=(workload,), **kw)


def _objective_from(ctx: RuleContext, workload: str, disruption: str, metric: str) -> str:
    spec = ctx.policy.workloads.get(workload)
    if spec is not None and getattr(spec.objectives.get(disruption), metric, None) is not None:
        return f"workload {workload} ({ctx.policy.location(spec.line)})"
    if spec is not None and spec.tier:
        tier = ctx.policy.tiers.get(spec.tier)
        return f"tier {spec.tier} ({ctx.policy.location(tier.line)})" if tier else f"tier {spec.tier}"
    return "policy"


# --- objective-missing --------------------------------------------------------------------------


def _objective_missing(ctx: RuleContext, workload: str) -> Iterator[Result]:
    """One result per workload (declared in the policy or found through the ``resilience:workload``
    tag). ``pass``: the policy gives it an RTO or RPO for at least one disruption type (``az``,
    ``region``), directly or through its tier; the objectives are listed, and a disruption type
    without objectives is named. ``fail``: none at all, so nothing can say whether its recovery
    infrastructure is adequate."""
    objectives = ctx.policy.objectives_for(workload)
    declared = {d: {k: v for k, v in (("rto", o.rto), ("rpo", o.rpo)) if v is not None}
                for d, o in objectives.items()}
    spec = ctx.policy.workloads.get(workload)
    where = ctx.policy.location(spec.line) if spec else "tag resilience:workload only (not in the policy)"
    if not objectives:
        yield _workload_result(
            ctx, workload, "fail",
            f"{workload}: no RTO/RPO objective is declared (neither on the workload nor through a tier)",
            observed={"objectives": {}, "declared_at": where, "tier": spec.tier if spec else None},
            expected={"objectives": "rto and rpo for az and region disruptions"},
            source=f"policy file: {where}",
        )
        return
    missing = [d for d in ("az", "region") if d not in objectives]
    text = "; ".join(f"{d} " + ", ".join(f"{k.upper()} {format_duration(v)}" for k, v in values.items())
                     for d, values in sorted(declared.items()))
    message = f"{workload}: objectives declared ({text})"
    if missing:
        message += f"; none for {', '.join(missing)} disruptions"
    yield _workload_result(
        ctx, workload, "pass", message,
        observed={"objectives": declared, "declared_at": where, "tier": spec.tier if spec else None,
                  "no_objective_for": missing},
        expected={"objectives": "rto and rpo for az and region disruptions"},
        source=f"policy file: {where}",
    )


# --- rto-mismatch / rpo-mismatch ----------------------------------------------------------------


def _mismatch(ctx: RuleContext, workload: str, metric: str) -> Iterator[Result]:
    for disruption, objective in sorted(ctx.policy.objectives_for(workload).items()):
        target = getattr(objective, metric)
        if target is None:
            continue
        regions = ctx.audited_regions or None
        est = estimate(ctx.graph, workload, disruption, policy=ctx.policy, coverage=ctx.coverage,
                       as_of=ctx.as_of, regions=regions)
        records = failover_records(ctx)
        hub = [r.to_dict() for r in for_workload(records, workload, kinds=("assessment",))
               if r.scenario in (disruption, None)]
        yield _mismatch_result(ctx, workload, disruption, metric, target, est, hub, key=disruption)
        if disruption != "region":
            continue
        # the regions of one failure domain fail together: price that loss too, one result per domain
        for domain, got in estimate_domains(ctx.graph, workload, policy=ctx.policy, coverage=ctx.coverage,
                                            as_of=ctx.as_of, regions=regions):
            yield _mismatch_result(ctx, workload, disruption, metric, target, got, hub,
                                   key=f"region:domain:{domain}", domain=domain)


def _mismatch_result(ctx: RuleContext, workload: str, disruption: str, metric: str, target: int, est,
                     hub: list, *, key: str, domain: str | None = None) -> Result:
    name = metric.upper()
    value = getattr(est, metric)
    scenario = est.rto_scenario if metric == "rto" else est.rpo_scenario
    deciding = est.deciding_step(metric)
    what = f"{disruption} {name}"
    if domain is not None:
        what += f" on the loss of failure domain {domain}"
    if not est.affected and not est.unknown:
        # nothing to price: say so, with the scenario, rather than "0s meets the objective"
        status = "pass"
        if disruption == "az":
            message = (f"{workload}: not affected by the loss of a zone: nothing of it, nor anything it depends "
                       f"on, is zonal (regional and global services only); the az {name} objective "
                       f"{format_duration(target)} is not at stake")
        else:
            message = (f"{workload}: not affected by the loss of {scenario or 'the audited region'}: nothing of "
                       f"it, nor anything it depends on or copies to, is there; the {disruption} {name} "
                       f"objective {format_duration(target)} is not at stake")
    elif value is None:
        status = "unknown"
        message = f"{workload}: {what} cannot be estimated: {'; '.join(est.unknown)}"
    elif est.unknown and (overturn := (est.could_lower if value > target else est.could_raise).get(metric,
                                                                                                   est.unknown)):
        status = "unknown"  # what was not read could turn the verdict
        message = (f"{workload}: {what} objective {format_duration(target)}; estimated "
                   f"{fmt(value)} but part of the scope is not known ({overturn[0]})")
    else:
        status = "fail" if value > target else "pass"
        relation = "exceeds" if status == "fail" else "meets"
        message = f"{workload}: achievable {what} {fmt(value)} {relation} the objective {format_duration(target)}"
        if deciding is not None:
            message += f" ({deciding.name}: {deciding.model_key}"
            message += f", {scenario})" if scenario else ")"
            if metric == "rpo" and is_unbounded(value) and not _data_lost(deciding):
                message += ": a copy survives, but nothing makes the next one, so the data lost grows with time"
        elif scenario:
            message += f" ({scenario})"
        if est.unknown:  # the verdict holds whatever the unread part holds
            message += f"; also not known, but it could not turn this verdict: {est.unknown[0]}"
    # critical: the data is gone (no copy survives); a surviving copy nothing renews is a miss like any other
    severity = "critical" if (status == "fail" and metric == "rpo" and is_unbounded(value)
                              and (deciding is None or _data_lost(deciding))) else None
    steps = [s.to_dict() for s in est.steps if s.scenario == scenario]
    observed = {"disruption": disruption, metric: json_seconds(value), "unbounded": is_unbounded(value),
                "text": fmt(value), "scenario": scenario, "strategy": est.strategy,
                "deciding_component": deciding.resource if deciding else None, "affected": est.affected}
    if domain is not None:
        observed["failure_domain"] = domain
        observed["failure_domain_reason"] = failure_domains.describe(domain, ctx.policy, regions_of(ctx.graph, workload))
    return _workload_result(
        ctx, workload, status, message,
        observed=observed,
        expected={metric: target, "text": format_duration(target),
                  "objective_from": _objective_from(ctx, workload, disruption, metric)},
        source="recovery model (resilience/data/recovery_model.yaml) over the dependency graph",
        key=key, severity=severity,
        extra={
            "arithmetic": est.arithmetic(metric, target),
            "steps": steps,
            "strategy": {"name": est.strategy, "reasons": est.strategy_reasons},
            "scenarios": est.scenarios,
            "why": est.why,
            "unknown": est.unknown,
            "could_lower": est.could_lower.get(metric, est.unknown),
            "could_raise": est.could_raise.get(metric, est.unknown),
            "notes": est.notes,
            "resilience_hub": hub,
        },
    )


#: restores whose RPO is unbounded only because the surviving copies were made by hand (nothing renews them)
_RESTORES = frozenset({"restore-cross-region-copy", "restore-in-region-backup", "ebs-snapshot-restore"})


def _data_lost(step) -> bool:
    """Whether an unbounded RPO step loses the data for good (no surviving copy, no way to reach one, a pairing
    that copies metadata only), not a restore from a surviving copy that nothing renews (one made by hand)."""
    return step.model_key not in _RESTORES


def _rto_mismatch(ctx: RuleContext, workload: str) -> Iterator[Result]:
    """For every workload and disruption type with an RTO objective: the achievable RTO is the
    worst, over the scenarios of that disruption (``az``: each zone the workload uses; ``region``:
    each region it runs in, only the audited ones with ``--region``), of the largest recovery time
    among the affected components of its serving path (entry points, load balancers, compute, data
    stores and what they depend on). Each component's time comes from the recovery model table:
    nothing when it keeps serving, its HA failover, DNS failover (interval x threshold + TTL),
    replica promotion, a restore, or unbounded when nothing can take over.

    ``fail``: achievable > objective; ``pass``: achievable <= objective; ``unknown``: a read the
    estimate relies on was denied, failed or timed out and what it could hide could turn the verdict
    (or the workload has no resources): a miss stands when the unread part could only add to the
    recovery, a pass when it could only have hidden more copies (a backup service's vaults, plans,
    recovery points). The evidence lists every step, its model key and source, the arithmetic, the DR
    strategy and which doubts could lower or raise the estimate (``could_lower``, ``could_raise``).

    Regions of one failure domain (built in, e.g. ``gulf``, or the policy's ``failure_domains``)
    fail together: for each domain holding a priced region and another region the workload, its
    dependencies or its copies use, the region objective is also priced under the loss of the whole
    domain, as a separate result keyed ``region:domain:NAME`` (``observed.failure_domain``)."""
    yield from _mismatch(ctx, workload, "rto")


def _rpo_mismatch(ctx: RuleContext, workload: str) -> Iterator[Result]:
    """For every workload and disruption type with an RPO objective: the achievable RPO is the worst,
    over the scenarios of that disruption, of the largest data-loss window among its affected data
    stores: 0 for synchronous copies and HA failover, the replication lag (observed, or the table's
    typical value) for replicas and global tables, the backup/copy interval for restores (the
    schedule, else the age of the newest copy at scan time), unbounded with no surviving copy, and
    unbounded too when the surviving copies were made by hand and nothing makes the next one (what a
    failure loses grows with every hour; the evidence gives the newest copy's age).

    ``fail``: achievable > objective (critical when no copy survives: data would be lost for good);
    ``pass``: achievable <= objective; ``unknown`` as for rto-mismatch. Failure domains are priced
    as for rto-mismatch: one more result per domain, keyed ``region:domain:NAME``."""
    yield from _mismatch(ctx, workload, "rpo")


OBJECTIVE_MISSING = Rule(
    id="RES-OBJECTIVE-001",
    title="Workload has no recovery objectives",
    category="objective-missing",
    severity="medium",
    controls=controls_for("objective-missing"),
    rationale=(
        "Without a declared RTO and RPO nobody can say whether the recovery infrastructure is adequate: "
        "SOC 2 A1.2 asks for recovery infrastructure that meets the entity's objectives, ISO 27001 A.5.30 "
        "for ICT continuity requirements derived from them, DORA Art. 11 for recovery time and point "
        "objectives per function."
    ),
    remediation=(
        "Declare objectives in the policy file, per disruption type, on the workload or its tier: "
        "`workloads: {NAME: {objectives: {region: {rto: 4h, rpo: 1h}, az: {rto: 15m, rpo: 5m}}}}`, derived "
        "from a business impact analysis."
    ),
    per_workload=_objective_missing,
    references=(WA_REL13_BP01, SOC2_A1_2),
)

RTO_MISMATCH = Rule(
    id="RES-OBJECTIVE-002",
    title="Architecture cannot meet the workload's RTO",
    category="rto-mismatch",
    severity="high",
    controls=controls_for("rto-mismatch"),
    rationale=(
        "An RTO written down but not achievable by the architecture is a promise the recovery "
        "infrastructure cannot keep. The estimate follows the workload's serving path through the graph "
        "and prices each recovery step with documented AWS figures (or stated assumptions), so the "
        "arithmetic can be checked line by line."
    ),
    provider_remediation=(
        ("azure", (
            "Shorten the slowest step named in the evidence: add a standby in another zone/region (warm "
            "standby or active/active for short RTOs), Front Door or a Traffic Manager profile with health "
            "probes over both, SQL failover groups or a Cosmos DB account with automatic failover instead of "
            "restores; or, if the architecture is right and a number is not, override the model entry in the "
            "policy's recovery_model with a measured value; or revise the objective with the business."
        )),
        ("gcp", (
            "Shorten the slowest step named in the evidence: add a standby in another zone/region (warm "
            "standby or active/active for short RTOs), a global external Application Load Balancer or a "
            "health-checked Cloud DNS failover routing policy over both, Cloud SQL cross-region replicas or a "
            "Spanner multi-region configuration instead of restores; or, if the architecture is right and a "
            "number is not, override the model entry in the policy's recovery_model with a measured value; or "
            "revise the objective with the business."
        )),
    ),
    remediation=(
        "Shorten the slowest step named in the evidence: add a standby in another zone/region (warm "
        "standby or active/active for short RTOs), a health-checked Route 53 failover, replicas instead "
        "of restores; or, if the architecture is right and a number is not, override the model entry in "
        "the policy's recovery_model with a measured value; or revise the objective with the business."
    ),
    per_workload=_rto_mismatch,
    requires=_REQUIRES,
    references=(WA_REL13_BP02, DR_WHITEPAPER, SOC2_A1_2),
)

RPO_MISMATCH = Rule(
    id="RES-OBJECTIVE-003",
    title="Architecture cannot meet the workload's RPO",
    category="rpo-mismatch",
    severity="high",
    escalations=(("critical", "no copy of the data survives the disruption (the achievable RPO is unbounded)"),),
    controls=controls_for("rpo-mismatch"),
    rationale=(
        "The RPO is bounded by the worst data store on the workload's path: the replication lag of its "
        "replica, the interval of its backup copies, or nothing at all when no copy survives the "
        "disruption. In September 2026 AWS said data held only in the damaged me-central-1 zones could "
        "not be restored."
    ),
    provider_remediation=(
        ("azure", (
            "Give the store named in the evidence a copy that survives the disruption at the required "
            "interval: SQL active geo-replication or a failover group, a second Cosmos DB region, "
            "geo-redundant storage (GZRS/RA-GZRS) or object replication, or Azure Backup to a geo-redundant "
            "vault with Cross Region Restore on a schedule no longer than the RPO."
        )),
        ("gcp", (
            "Give the store named in the evidence a copy that survives the disruption at the required "
            "interval: a Cloud SQL cross-region replica, a Spanner or Firestore multi-region configuration, a "
            "dual- or multi-region Cloud Storage bucket (turbo replication for a bounded RPO), or backups and "
            "snapshots kept in another region on a schedule no longer than the RPO."
        )),
    ),
    remediation=(
        "Give the store named in the evidence a copy that survives the disruption at the required "
        "interval: a replica or global table in another region, S3 replication with RTC, or AWS Backup "
        "copies to another region on a schedule no longer than the RPO."
    ),
    per_workload=_rpo_mismatch,
    requires=_REQUIRES,
    references=(WA_REL13_BP02, DR_WHITEPAPER, SOC2_A1_2),
)

RULES = (OBJECTIVE_MISSING, RTO_MISMATCH, RPO_MISMATCH)
