"""Tested recovery (SOC 2 A1.3): failover-untested, failover-test-stale, failover-test-failed.

Evidence is merged from every source by :func:`resilience.evidence_sources.failover_tests`: the
policy file's ``failover_tests`` records, AWS FIS experiments, AWS Backup restore jobs; AWS
Resilience Hub assessments are listed as supporting evidence but are analyses, not tests. Each
rule judges the workload per disruption type its objectives name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from resilience.coverage_index import coverage_index
from resilience.durations import format_duration
from resilience.evidence_sources import TestRecord, by_workload, for_workload, test_sources
from resilience.mappings import controls_for
from resilience.recovery import members_of
from resilience.rule import Result, Rule, RuleContext

from ._common import failover_records, per_estate

WA_REL13_BP03 = "AWS Well-Architected REL13-BP03 (test disaster recovery implementation to validate the implementation)"
WA_REL12_BP05 = "AWS Well-Architected REL12-BP05 (test resiliency using chaos engineering)"
SOC2_A1_3 = "AICPA TSC A1.3 (recovery plan procedures supporting system recovery are tested)"
NIST_CP_4 = "NIST SP 800-53 Rev. 5 CP-4 (contingency plan testing)"
#: coverage records whose failure could hide a test record (FIS experiments, AWS Backup restore jobs)
EVIDENCE_SERVICES = ("fis", "backup", "backup:restore-jobs")
_BAD = ("denied", "error", "unreachable")


def _disruptions(ctx: RuleContext, workload: str) -> list[str]:
    """The disruption types the workload's objectives name (none: no test is asked of it)."""
    return sorted(ctx.policy.objectives_for(workload))


def _result(workload: str, disruption: str, status: str, message: str, *, tests: list[TestRecord],
            supporting: list[TestRecord], observed: dict, expected: dict, source: str, observed_at: str = "",
            severity: str | None = None, extra: dict | None = None) -> Result:
    return Result(
        status=status, resource=f"workload:{workload}", message=message, resource_type="workload", region=None,
        workload=workload, workloads=(workload,), key=disruption, observed=observed, expected=expected,
        source=source, observed_at=observed_at, severity=severity,
        extra={"tests": [t.to_dict() for t in tests[:20]], "supporting_assessments": [t.to_dict() for t in supporting],
               **(extra or {})},
    )


def _supporting(records: list[TestRecord], workload: str, disruption: str) -> list[TestRecord]:
    return [r for r in for_workload(records, workload, kinds=("assessment",)) if r.scenario in (disruption, None)]


def _describe(record: TestRecord) -> str:
    where = {"policy": "policy file", "fis": "AWS FIS", "backup": "AWS Backup restore job",
             "resiliencehub": "Resilience Hub"}.get(record.source, record.source)
    return f"{record.date.isoformat()} ({where}: {record.record_id})"


def _latest_facts(record: TestRecord, scan_time: dt.datetime) -> dict:
    return {
        "latest_date": record.date.isoformat(), "result": record.result, "source": record.source,
        "record": record.record_id, "link": record.link, "kind": record.kind,
        "age_days": max(0, (scan_time.date() - record.date).days),
        "measured_rto": record.measured_rto, "measured_rpo": record.measured_rpo,
    }


def _evidence_gaps(ctx: RuleContext, workload: str) -> list[str]:
    regions = frozenset(ctx.graph._node[n]["region"] for n in members_of(ctx.graph, workload))
    index = coverage_index(ctx.coverage)
    known = index.answers("testing.evidence_gaps")  # workloads share region sets: once per set, not per workload
    if regions not in known:
        known[regions] = sorted({f"{c.provider} {c.service} in {c.region} could not be read ({c.status})"
                                 for c in index.failed_in(regions)
                                 if c.status in _BAD and c.service in EVIDENCE_SERVICES})
    return list(known[regions])


# --- failover-untested ---------------------------------------------------------------------------


def _providers(ctx: RuleContext) -> frozenset[str]:
    """The providers scanned: those of the reads (coverage) and of the inventoried resources."""
    return per_estate(ctx, "rules.testing.providers", lambda: frozenset(
        {c.provider for c in ctx.coverage} | {d.get("provider") for _, d in ctx.graph.nodes(data=True)
                                              if not d.get("stub")}) - {None, ""})


def _untested(ctx: RuleContext, workload: str) -> Iterator[Result]:
    """For every workload with objectives and every disruption type they name (``az``, ``region``):
    ``pass`` when at least one exercise or restore record covers that disruption type (policy file
    record, FIS experiment whose actions or tag make it an az/region test, AWS Backup restore job:
    a restore into another region is a region test, within the region an az test; Azure Site Recovery
    test failover); ``fail`` when none does (Resilience Hub assessments alone do not count; the message
    names the sources read for the providers scanned); ``unknown`` when none was found but FIS
    experiments or AWS Backup restore jobs could not be read in a region the workload runs in."""
    records = failover_records(ctx)
    for disruption in _disruptions(ctx, workload):
        tests = for_workload(records, workload, disruption)
        supporting = _supporting(records, workload, disruption)
        expected = {"tests": f"at least one {disruption} failover or restore test"}
        if tests:
            latest = tests[0]
            yield _result(workload, disruption, "pass",
                          f"{workload}: {disruption} recovery tested, latest {_describe(latest)}, "
                          f"{len(tests)} record(s)", tests=tests, supporting=supporting,
                          observed={"tests": len(tests), "latest_date": latest.date.isoformat(),
                                    "sources": sorted({t.source for t in tests})},
                          expected=expected, source=f"{latest.source}: {latest.record_id}",
                          observed_at=latest.timestamp or latest.date.isoformat())
            continue
        gaps = _evidence_gaps(ctx, workload)
        other = [r for r in by_workload(records).get(workload, ()) if r.kind != "assessment" and r.scenario is None]
        names, services = test_sources(_providers(ctx))
        message = f"{workload}: no {disruption} failover or restore test recorded ({', '.join(names)})"
        if supporting:
            message += f"; {len(supporting)} Resilience Hub assessment(s) found, which are analyses, not tests"
        if other:
            message += f"; {len(other)} FIS experiment(s) not recognisable as an az or region test"
        status = "unknown" if gaps else "fail"
        if gaps:
            message += f"; but {gaps[0]}"
        yield _result(workload, disruption, status, message, tests=other, supporting=supporting,
                      observed={"tests": 0, "unclassified_experiments": len(other),
                                "assessments": len(supporting), "unknown": gaps},
                      expected=expected, source="; ".join(services))


# --- failover-test-stale -----------------------------------------------------------------------


def _stale(ctx: RuleContext, workload: str) -> Iterator[Result]:
    """For every workload with objectives and every disruption type they name that has at least one
    test record: ``fail`` when the latest is older than ``test_max_age`` (the workload's tier's, else
    the policy's, default 365 days) at scan time; ``pass`` otherwise; ``unknown`` instead of ``fail``
    when FIS experiments or AWS Backup restore jobs could not be read in a region the workload runs
    in (a newer test may be there). Untested disruptions are left to failover-untested."""
    records = failover_records(ctx)
    disruptions = _disruptions(ctx, workload)
    if not disruptions:
        return
    max_age = ctx.policy.test_max_age_for(workload)
    for disruption in disruptions:
        tests = for_workload(records, workload, disruption)
        if not tests:
            continue
        latest = tests[0]
        age_days = (ctx.scan_time.date() - latest.date).days
        stale = age_days * 86400 > max_age
        facts = _latest_facts(latest, ctx.scan_time)
        gaps = _evidence_gaps(ctx, workload)
        if stale:
            message = (f"{workload}: latest {disruption} test {_describe(latest)} is {age_days} days old, "
                       f"older than test_max_age {format_duration(max_age)}")
        else:
            message = (f"{workload}: latest {disruption} test {_describe(latest)} is {max(age_days, 0)} days "
                       f"old, within test_max_age {format_duration(max_age)}")
        status = "fail" if stale else "pass"
        if gaps and stale:  # a newer test may sit where the scan could not read
            status, message = "unknown", f"{message}; but {gaps[0]}"
        yield _result(workload, disruption, status, message, tests=tests,
                      supporting=_supporting(records, workload, disruption), observed={**facts, "unknown": gaps},
                      expected={"max_age": max_age, "max_age_days": max_age // 86400},
                      source=f"{latest.source}: {latest.record_id}",
                      observed_at=latest.timestamp or latest.date.isoformat(),
                      extra={"latest": latest.to_dict()})


# --- failover-test-failed ----------------------------------------------------------------------


def _failed(ctx: RuleContext, workload: str) -> Iterator[Result]:
    """For every workload with objectives and every disruption type they name that has at least one
    test record, the latest (by date): ``fail`` when it failed (policy result ``fail``, FIS experiment
    ``failed``/``stopped``, restore job ``FAILED``/``ABORTED`` or failed validation), or when its
    measured RTO or RPO exceeds that disruption's objective; ``pass`` otherwise; ``unknown`` when FIS
    experiments or AWS Backup restore jobs could not be read in a region the workload runs in (the
    latest test may be there)."""
    records = failover_records(ctx)
    objectives = ctx.policy.objectives_for(workload)
    for disruption in sorted(objectives):
        tests = for_workload(records, workload, disruption)
        if not tests:
            continue
        latest = tests[0]
        objective = objectives[disruption]
        problems = []
        if latest.result == "fail":
            problems.append(f"it failed ({latest.detail or latest.source})" if latest.detail else "it failed")
        for metric in ("rto", "rpo"):
            measured = getattr(latest, f"measured_{metric}")
            target = getattr(objective, metric)
            if measured is not None and target is not None and measured > target:
                problems.append(f"measured {metric.upper()} {format_duration(measured)} exceeds the objective "
                                f"{format_duration(target)}")
        facts = _latest_facts(latest, ctx.scan_time)
        gaps = _evidence_gaps(ctx, workload)
        if problems:
            message = f"{workload}: latest {disruption} test {_describe(latest)}: " + "; ".join(problems)
        else:
            measured = [f"{m.upper()} {format_duration(getattr(latest, f'measured_{m}'))}"
                        for m in ("rto", "rpo") if getattr(latest, f"measured_{m}") is not None]
            message = (f"{workload}: latest {disruption} test {_describe(latest)} passed"
                       + (f" (measured {', '.join(measured)})" if measured else ""))
        status = "fail" if problems else "pass"
        if gaps:  # the latest test may sit where the scan could not read
            status, message = "unknown", f"{message}; but {gaps[0]}"
        yield _result(workload, disruption, status, message, tests=tests,
                      supporting=_supporting(records, workload, disruption), observed={**facts, "unknown": gaps},
                      expected={k: v for k, v in (("result", "pass"), ("rto", objective.rto),
                                                  ("rpo", objective.rpo)) if v is not None},
                      source=f"{latest.source}: {latest.record_id}",
                      observed_at=latest.timestamp or latest.date.isoformat(),
                      extra={"latest": latest.to_dict(), "problems": problems})


FAILOVER_UNTESTED = Rule(
    id="RES-TEST-001",
    title="Recovery has never been tested",
    category="failover-untested",
    severity="high",
    controls=controls_for("failover-untested"),
    rationale=(
        "SOC 2 A1.3 asks that recovery plan procedures be tested; an objective never exercised is a "
        "hope. Evidence counts from the policy file (tickets, DR reports), AWS FIS experiments and AWS "
        "Backup restore jobs, per disruption type the objectives name."
    ),
    provider_remediation=(
        ("azure", (
            "Run and record a test for the disruption type: a game day or an Azure Chaos Studio experiment "
            "(zone down, region unreachable), a planned failover (SQL failover group, storage account, Site "
            "Recovery test failover), or a restore into another region for a backup-based recovery; record "
            "manual exercises under failover_tests in the policy file with date, result, measured RTO/RPO and "
            "an evidence link."
        )),
        ("gcp", (
            "Run and record a test for the disruption type: a game day (stop a zone's instances, switch a "
            "Cloud SQL instance over to its cross-region replica, drain a region from the load balancer), or "
            "a restore into another region for a backup-based recovery; record the exercises under "
            "failover_tests in the policy file with date, result, measured RTO/RPO and an evidence link."
        )),
    ),
    remediation=(
        "Run and record a test for the disruption type: a game day or FIS experiment (an AZ power "
        "interruption or cross-region connectivity scenario, tagged resilience:scenario=az|region), or "
        "a restore into another region for a backup-based recovery; record manual exercises under "
        "failover_tests in the policy file with date, result, measured RTO/RPO and an evidence link."
    ),
    per_workload=_untested,
    requires=("fis", "backup"),
    references=(WA_REL13_BP03, WA_REL12_BP05, SOC2_A1_3, NIST_CP_4),
)

FAILOVER_TEST_STALE = Rule(
    id="RES-TEST-002",
    title="Latest recovery test is older than test_max_age",
    category="failover-test-stale",
    severity="medium",
    controls=controls_for("failover-test-stale"),
    rationale=(
        "Architectures drift: a test passed a year ago says little about today's estate. Auditors expect "
        "recovery testing at a defined frequency (at least annually; more often for critical tiers, "
        "DORA Art. 11(6) asks for regular testing of ICT business continuity plans)."
    ),
    remediation=(
        "Re-run the test and record it; set test_max_age per tier in the policy file to the frequency "
        "your continuity plan commits to."
    ),
    per_workload=_stale,
    references=(WA_REL13_BP03, SOC2_A1_3, NIST_CP_4),
)

FAILOVER_TEST_FAILED = Rule(
    id="RES-TEST-003",
    title="Latest recovery test failed or missed the objective",
    category="failover-test-failed",
    severity="high",
    controls=controls_for("failover-test-failed"),
    rationale=(
        "A failed recovery test, or one that recovered slower (RTO) or with more data loss (RPO) than "
        "the objective, is direct evidence the objective cannot be met today. The latest test is what "
        "counts: a later passing test closes the finding."
    ),
    remediation=(
        "Fix what the test exposed (the evidence links to the record), re-run it and record the result; "
        "if the measured RTO/RPO is what the business can accept, revise the objective."
    ),
    per_workload=_failed,
    references=(WA_REL13_BP03, SOC2_A1_3, NIST_CP_4),
)

RULES = (FAILOVER_UNTESTED, FAILOVER_TEST_STALE, FAILOVER_TEST_FAILED)
