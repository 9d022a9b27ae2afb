"""Failover-test evidence (SOC 2 A1.3), merged from every source that exists.

:func:`failover_tests` turns the policy file's ``failover_tests`` records and the graph's
``fault_experiment`` (AWS FIS), ``restore_test`` (AWS Backup restore jobs) and
``resilience_assessment`` (AWS Resilience Hub) nodes into :class:`TestRecord` objects, one shape
for all. How each source becomes a record (the mapping to workloads, the scenario inference) is
documented in :data:`SOURCE_RULES` and published in ``docs/recovery-model.md``.

Pure: reads the graph and the policy only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from . import failure_domains
from .durations import format_duration
from .model import (
    DATA_KINDS,
    DEPENDS_ON,
    FAILOVER_EXECUTION,
    FAULT_EXPERIMENT,
    INSTANCE,
    MEMBER_OF,
    RESILIENCE_ASSESSMENT,
    RESTORE_TEST,
)

#: kinds of evidence: an exercise (people or FIS broke something on purpose), a restore (a backup
#: was restored), an assessment (an analysis of the architecture, nothing was exercised)
KINDS = ("exercise", "restore", "assessment")
#: kinds that count as a *test* for failover-untested / -stale / -failed
TEST_KINDS = ("exercise", "restore")
SCENARIO_TAG = "resilience:scenario"

# --- FIS scenario inference ----------------------------------------------------------------------
#: FIS actions that exercise the loss of a region (its connectivity or its replication)
REGION_ACTIONS = frozenset({
    "aws:network:route-table-disrupt-cross-region-connectivity",
    "aws:network:transit-gateway-disrupt-cross-region-connectivity",
    "aws:s3:bucket-pause-replication",
    "aws:dynamodb:global-table-pause-replication",
})
#: FIS actions that only make sense as the loss of one zone (or a zonal failover)
AZ_ACTIONS = frozenset({
    "aws:ec2:asg-insufficient-instance-capacity-error",
    "aws:ec2:api-insufficient-instance-capacity-error",
    "aws:ebs:pause-volume-io",
    "aws:rds:failover-db-cluster",
    "aws:elasticache:interrupt-cluster-az-power",
    "aws:elasticache:replicationgroup-interrupt-az-power",
    "aws:arc:start-zonal-autoshift",
    "aws:network:disrupt-connectivity",
})
_FIS_PASS = {"completed"}
_FIS_FAIL = {"failed", "stopped"}
_BACKUP_PASS = {"completed"}
_BACKUP_FAIL = {"failed", "aborted"}
_VALIDATION_FAIL = {"failed", "timed_out"}

SOURCE_RULES: dict[str, str] = {
    "policy": "The policy file's `failover_tests` records (tickets, DR reports), as written: scenario, "
              "date, result, measured RTO/RPO, evidence link. Kind: exercise. The record's id is the "
              "policy file and line.",
    "fis": "AWS FIS experiments (`fault_experiment` nodes). `completed` -> pass; `failed` or `stopped` "
           "(a stop condition fired) -> fail; pending/running/cancelled runs are ignored. Workload: the "
           "experiment's own workloads (its tags through the policy's match or `resilience:workload`) "
           "plus the workloads of every target resource in the inventory. Scenario: the tag "
           "`resilience:scenario` (az|region) on the experiment wins; else `region` when an action "
           "disrupts cross-region connectivity or pauses cross-region replication; else `az` when an "
           "action is zonal by nature (zonal power interruption, insufficient-capacity in a zone, RDS "
           "failover, EBS I/O pause, zonal autoshift, subnet connectivity) or names a zone in its "
           "parameters or target filters; else no scenario (kept as evidence, counted for neither). "
           "Kind: exercise; no measured RTO/RPO.",
    "backup": "Restore tests of any provider (`restore_test` nodes: AWS Backup restore jobs, including "
              "those run by restore testing plans; Azure Site Recovery test failovers), recognised by node "
              "kind and status. `COMPLETED` -> pass unless its validation failed or "
              "timed out; `FAILED`/`ABORTED` -> fail; pending/running are ignored. Workload: the workloads "
              "whose RPO depends on the restored data store (it is theirs, or one of their resources "
              "depends on it; a cluster member stands for its cluster; a VM's test failover restores the VM "
              "and its disks); a job that restored anything else "
              "(a bucket no workload resource depends on or owns, a load balancer) is kept as evidence with no scenario and counts "
              "for nothing. Scenario: `region` when the job restored into a region other than the source "
              "resource's and not of the same failure domain (the region loss was rehearsed); a restore "
              "into a region of the source's failure domain is not a region test (`az`); otherwise `az` "
              "(the backup restores into a fresh resource, "
              "independent of the zone; it proves nothing about losing the region). Kind: restore; "
              "the restore duration is kept in the detail, not as a measured RTO (one resource's "
              "restore is not the workload's recovery). Restore testing *plans* alone are not tests.",
    "resiliencehub": "AWS Resilience Hub app assessments (`resilience_assessment` nodes) that finished: "
                     "one record per disruption type (AZ -> az, Region -> region) with the assessment's "
                     "compliance (PolicyMet -> pass, else fail) and its estimated current RTO/RPO; when only "
                     "the overall compliance is known, one record with no scenario. Workload: the node's "
                     "workloads, those of its resources, or the app's name when it names a workload. Kind: "
                     "assessment: an analysis, not an exercise. Assessments are listed as supporting "
                     "evidence and never satisfy failover-untested / -stale / -failed on their own.",
}
SOURCE_RULES["arc"] = (
    "Route 53 ARC Region switch plan executions (`failover_execution` nodes). `completed` -> pass; "
    "`failed`, `completedWithExceptions` or `planExecutionTimedOut` -> fail; running, paused, pending, "
    "cancelled and post-recovery runs are ignored. Workload: the execution's and its plan's workloads plus "
    "those of every resource the plan acts on. Scenario: region (a plan switches the application between "
    "regions). Kind: exercise; the execution's recorded recovery time (`actualRecoveryTime`) is its "
    "measured RTO.")
_ARC_PASS = {"completed"}
_ARC_FAIL = {"failed", "completedwithexceptions", "planexecutiontimedout"}


@dataclass(frozen=True)
class TestRecord:
    """One piece of failover/restore evidence for one workload and scenario."""

    workload: str
    scenario: str | None  # az | region | None (not a failover scenario)
    date: dt.date
    result: str  # pass | fail
    source: str  # policy | fis | backup | resiliencehub | arc
    kind: str  # exercise | restore | assessment
    record_id: str  # policy file:line, experiment ARN, restore job ARN, assessment ARN
    measured_rto: int | None = None
    measured_rpo: int | None = None
    link: str | None = None
    detail: str = ""
    timestamp: str | None = None  # ISO 8601 when the source gives a time
    scenario_basis: str = ""  # how the scenario was decided

    __test__ = False  # not a pytest class

    @property
    def counts_as_test(self) -> bool:
        return self.kind in TEST_KINDS and self.scenario is not None

    def sort_key(self) -> tuple:
        return (self.date, self.timestamp or "", self.record_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "workload": self.workload, "scenario": self.scenario, "date": self.date.isoformat(),
            "timestamp": self.timestamp, "result": self.result, "source": self.source, "kind": self.kind,
            "record": self.record_id, "link": self.link, "measured_rto": self.measured_rto,
            "measured_rpo": self.measured_rpo, "detail": self.detail, "scenario_basis": self.scenario_basis,
        }


#: where the scan looks for failover/restore test evidence, per provider (the policy file always): what
#: the collectors read, no more (Azure Chaos Studio and Azure Backup restore jobs are not read)
TEST_SOURCES: dict[str, tuple[tuple[str, str], ...]] = {
    "aws": (("AWS FIS", "fis"), ("AWS Backup", "backup:ListRestoreJobs"), ("ARC Region switch", "arc")),
    "azure": (("Azure Site Recovery test failovers", "siterecovery:RecoveryServicesResources"),),
}


def test_sources(providers: Iterable[str]) -> tuple[list[str], list[str]]:
    """``(names, services)`` of the test-evidence sources for the providers scanned: the policy file first,
    then each provider's in provider order (an Azure-only scan names no AWS service)."""
    names, services = ["policy file"], ["policy file failover_tests"]
    for provider in sorted({p for p in providers if p}):
        for name, service in TEST_SOURCES.get(provider, ()):
            names.append(name)
            services.append(service)
    return names, services


def failover_tests(graph: nx.MultiDiGraph, policy: Any) -> list[TestRecord]:
    """Every record from every source, sorted by workload, scenario, date."""
    records: list[TestRecord] = []
    records += from_policy(policy)
    names = set(getattr(policy, "workloads", None) or {})
    names |= {w for _, d in graph.nodes(data=True) for w in d.get("workloads") or ()}
    for node, data in graph.nodes(data=True):
        kind = data.get("kind")
        if kind == FAULT_EXPERIMENT:
            records += from_fis(graph, node)
        elif kind == RESTORE_TEST:
            records += from_restore_job(graph, node, policy)
        elif kind == RESILIENCE_ASSESSMENT:
            records += from_resilience_hub(graph, node, known_workloads=names)
        elif kind == FAILOVER_EXECUTION:
            records += from_region_switch(graph, node)
    return sorted(records, key=lambda r: (r.workload, r.scenario or "", *r.sort_key()))


def for_workload(records: Iterable[TestRecord], workload: str, scenario: str | None = None,
                 *, kinds: Iterable[str] = TEST_KINDS) -> list[TestRecord]:
    """Records of one workload (and scenario), newest first."""
    wanted = set(kinds)
    out = [r for r in by_workload(records).get(workload, ()) if r.kind in wanted
           and (scenario is None or r.scenario == scenario)]
    return sorted(out, key=TestRecord.sort_key, reverse=True)


_GROUPED: tuple[Any, int, dict[str, list[TestRecord]]] | None = None


def by_workload(records: Iterable[TestRecord]) -> dict[str, list[TestRecord]]:
    """``records`` grouped by workload (order kept): once per list, which the rules ask about every
    workload in turn (a filter of the whole list per workload was quadratic)."""
    global _GROUPED
    hit = _GROUPED
    if hit is not None and hit[0] is records and hit[1] == len(hit[0]):
        return hit[2]
    grouped: dict[str, list[TestRecord]] = {}
    for r in records:
        grouped.setdefault(r.workload, []).append(r)
    if isinstance(records, (list, tuple)):
        _GROUPED = (records, len(records), grouped)
    return grouped


# --- policy --------------------------------------------------------------------------------------


def from_policy(policy: Any) -> list[TestRecord]:
    out = []
    for test in getattr(policy, "failover_tests", ()) or ():
        out.append(TestRecord(
            workload=test.workload, scenario=test.scenario, date=test.date, result=test.result,
            source="policy", kind="exercise", record_id=policy.location(test.line),
            measured_rto=test.measured_rto, measured_rpo=test.measured_rpo, link=test.evidence,
            detail=test.notes or "", scenario_basis="declared in the policy file",
        ))
    return out


# --- helpers ---------------------------------------------------------------------------------------


def _attrs(graph: nx.MultiDiGraph, node: str) -> dict[str, Any]:
    return graph.nodes[node].get("attrs") or {}


def _workloads(graph: nx.MultiDiGraph, node: str, related: Iterable[Any]) -> list[str]:
    names = set(graph.nodes[node].get("workloads") or ())
    for other in related:
        if isinstance(other, str) and other in graph:
            names |= set(graph.nodes[other].get("workloads") or ())
    return sorted(names)


def _when(*values: Any) -> tuple[dt.date, str] | None:
    for value in values:
        if isinstance(value, dt.datetime):
            value = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
            return value.date(), value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
        if isinstance(value, dt.date):
            return value, value.isoformat()
        if isinstance(value, str) and value:
            try:
                parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                continue
            return _when(parsed)
    return None


def _region_of(graph: nx.MultiDiGraph, resource: Any) -> str | None:
    if not isinstance(resource, str) or not resource:
        return None
    if resource in graph:
        region = graph.nodes[resource].get("region")
        if region and region not in ("unknown", "global"):
            return region
    parts = resource.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn" and parts[3]:
        return parts[3]
    return None


def _status(value: Any) -> str:
    if isinstance(value, Mapping):
        value = value.get("status")
    return str(value or "").strip().lower()


# --- AWS FIS -------------------------------------------------------------------------------------


def _fis_actions(actions: Any) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """``(action id, parameters, targets)`` from the shapes a collector may store: a list of ids, a
    list of action dicts, or FIS's own ``{name: {actionId, parameters, targets}}`` mapping."""
    out = []
    if isinstance(actions, Mapping):
        actions = list(actions.values())
    for action in actions or ():
        if isinstance(action, str):
            out.append((action, {}, {}))
        elif isinstance(action, Mapping):
            action_id = action.get("actionId") or action.get("action_id") or action.get("id") or ""
            out.append((str(action_id), dict(action.get("parameters") or {}), dict(action.get("targets") or {})))
    return out


def infer_fis_scenario(attrs: Mapping[str, Any], tags: Mapping[str, str]) -> tuple[str | None, str]:
    """``(scenario, why)`` for an experiment (see ``SOURCE_RULES['fis']``)."""
    tagged = str(tags.get(SCENARIO_TAG, "")).strip().lower()
    if tagged in ("az", "region"):
        return tagged, f"tag {SCENARIO_TAG}={tagged}"
    actions = _fis_actions(attrs.get("actions"))
    ids = {a for a, _, _ in actions}
    region = sorted(ids & REGION_ACTIONS)
    if region:
        return "region", f"cross-region action {region[0]}"
    zonal = sorted(ids & AZ_ACTIONS)
    if zonal:
        return "az", f"zonal action {zonal[0]}"
    for action_id, params, _ in actions:
        if any("availabilityzone" in str(k).lower() for k in params):
            return "az", f"{action_id} targets a zone (parameter)"
    for spec in _target_specs(attrs):
        text = str(spec).lower()
        if "availabilityzone" in text or "placement.availability" in text:
            return "az", "a target filter selects one zone"
    return None, ("no zonal or cross-region action; kept as evidence but not counted as an az or region test "
                  f"(actions: {', '.join(sorted(ids)) or 'none recorded'})")


def _target_specs(attrs: Mapping[str, Any]) -> list[Any]:
    specs = attrs.get("target_specs") or attrs.get("target_filters") or []
    return list(specs.values()) if isinstance(specs, Mapping) else list(specs)


def from_fis(graph: nx.MultiDiGraph, node: str) -> list[TestRecord]:
    data = graph.nodes[node]
    attrs = _attrs(graph, node)
    status = _status(attrs.get("status"))
    if status in _FIS_PASS:
        result = "pass"
    elif status in _FIS_FAIL:
        result = "fail"
    else:
        return []  # not finished (or cancelled before it ran): no evidence either way
    when = _when(attrs.get("ended_at"), attrs.get("started_at"), data.get("observed_at"))
    if when is None:
        return []
    targets = [t for t in attrs.get("targets") or [] if isinstance(t, str)]
    workloads = _workloads(graph, node, targets)
    scenario, basis = infer_fis_scenario(attrs, data.get("tags") or {})
    region = data.get("region") or ""
    experiment_id = str(node).rsplit("/", 1)[-1]
    link = (f"https://{region}.console.aws.amazon.com/fis/home?region={region}#ExperimentDetails:"
            f"ExperimentId={experiment_id}") if region and region not in ("unknown", "global") else None
    status_value = attrs.get("status")
    reason = attrs.get("status_reason") or (status_value.get("reason") if isinstance(status_value, Mapping) else None)
    detail = f"FIS experiment {experiment_id} {status}"
    if attrs.get("template_id"):
        detail += f" (template {attrs['template_id']})"
    if reason:
        detail += f": {reason}"
    return [TestRecord(
        workload=w, scenario=scenario, date=when[0], timestamp=when[1], result=result, source="fis",
        kind="exercise", record_id=str(node), link=link, detail=detail, scenario_basis=basis,
    ) for w in workloads]


# --- AWS Backup restore jobs ---------------------------------------------------------------------


def from_restore_job(graph: nx.MultiDiGraph, node: str, policy: Any = None) -> list[TestRecord]:
    """Any provider's ``restore_test`` node that finished (an AWS Backup restore job, an Azure Site
    Recovery test failover...): recognised by its kind and its status, not by a type string. Restore
    testing *plans* carry a schedule and no status: by themselves they restore nothing."""
    data = graph.nodes[node]
    attrs = _attrs(graph, node)
    status = _status(attrs.get("status"))
    validation = _status(attrs.get("validation_status"))
    if status in _BACKUP_PASS:
        result = "fail" if validation in _VALIDATION_FAIL else "pass"
    elif status in _BACKUP_FAIL:
        result = "fail"
    else:
        return []
    when = _when(attrs.get("completed_at"), data.get("observed_at"))
    if when is None:
        return []
    source_resource = attrs.get("resource") or attrs.get("source_resource")
    point = attrs.get("recovery_point")
    created = attrs.get("created_resource") or attrs.get("replica")
    source_region = attrs.get("from_region") or _region_of(graph, source_resource) or _region_of(graph, point)
    if isinstance(point, str) and point in graph:
        source_region = (graph.nodes[point].get("attrs") or {}).get("source_region") or source_region
    restore_region = attrs.get("to_region") or _region_of(graph, created) or (
        data.get("region") if data.get("region") not in ("unknown", "global", "") else None)
    domain = failure_domains.correlated(source_region or "", restore_region or "", policy)
    if source_region and restore_region and source_region != restore_region and domain is None:
        scenario, basis = "region", f"restored in {restore_region} from a source in {source_region}"
    elif domain is not None:
        scenario, basis = "az", (f"restored in {restore_region} from a source in {source_region}, a region of the "
                                 f"same failure domain ({domain}): it would fail with the source, so this is not "
                                 "a region test")
    else:
        scenario, basis = "az", ("restored within the source's region "
                                 f"({restore_region or source_region or 'unknown'}): backup evidence for a zone "
                                 "loss, not a region test")
    restored = _restored_store(graph, source_resource, point)
    workloads = _workloads_restored(graph, restored)
    job_id = str(node).rsplit(":", 1)[-1]
    region = data.get("region") or ""
    link = (f"https://{region}.console.aws.amazon.com/backup/home?region={region}#/jobs/restore/details/{job_id}"
            if region and region not in ("unknown", "global") else None)
    detail = f"AWS Backup restore job {job_id} {status}"
    if validation:
        detail += f", validation {validation}"
    if isinstance(attrs.get("duration_s"), int | float):
        detail += f", took {format_duration(attrs['duration_s'])}"
    if source_resource:
        detail += f", source {source_resource}"
    if attrs.get("restore_testing_plan"):
        detail += f", restore testing plan {attrs['restore_testing_plan']}"
    source = "backup" if str(data.get("type") or "").startswith("AWS::") else f"{data.get('provider') or 'cloud'}-restore"
    out = [TestRecord(
        workload=w, scenario=scenario, date=when[0], timestamp=when[1], result=result, source=source,
        kind="restore", record_id=str(node), link=link, detail=detail, scenario_basis=basis,
    ) for w in workloads]
    # the job's own tags (or a workload that merely owns the restored copy) do not make it a test of a
    # workload whose RPO does not depend on the restored store: kept as evidence, counted for nothing
    for w in sorted(set(_workloads(graph, node, [source_resource, point, created])) - set(workloads)):
        out.append(TestRecord(
            workload=w, scenario=None, date=when[0], timestamp=when[1], result=result, source=source,
            kind="restore", record_id=str(node), link=link, detail=detail,
            scenario_basis=(f"restored {restored or source_resource or 'an unknown resource'}, which is not a data "
                            f"store {w}'s RPO depends on: kept as evidence, not counted as its test")))
    return out


def _restored_store(graph: nx.MultiDiGraph, source_resource: Any, point: Any) -> str | None:
    """The data store a restore restored: its source resource, else the recovery point's source; a DB
    instance that is a member of a cluster stands for its cluster."""
    store = source_resource if isinstance(source_resource, str) and source_resource in graph else None
    if store is None and isinstance(point, str) and point in graph:
        origin = (graph.nodes[point].get("attrs") or {}).get("source_resource")
        store = origin if isinstance(origin, str) and origin in graph else None
    return store


def _workloads_restored(graph: nx.MultiDiGraph, store: str | None) -> list[str]:
    """Workloads whose RPO depends on ``store``: those it belongs to as a data store, and those with a
    member that depends on it (a table another workload reads). Anything else restored (a compute
    resource, an unrelated bucket) is not a restore test of the workload."""
    if store is None:
        return []
    if graph.nodes[store].get("kind") == INSTANCE:
        # a VM's test failover (Site Recovery) restores the VM with its disks: the disks are the data
        disks = {dst for _, dst, key in graph.out_edges(store, keys=True) if key == DEPENDS_ON
                 and graph.nodes[dst].get("kind") in DATA_KINDS}
        stores = {store} | disks
    elif graph.nodes[store].get("kind") in DATA_KINDS:
        stores = {store}
    else:
        return []
    stores |= {dst for _, dst, key in graph.out_edges(store, keys=True) if key == MEMBER_OF
               and graph.nodes[dst].get("kind") in DATA_KINDS}
    stores |= {src for src, _, key in graph.in_edges(store, keys=True) if key == MEMBER_OF
               and graph.nodes[src].get("kind") in DATA_KINDS}
    names: set[str] = set()
    for s in stores:
        names |= set(graph.nodes[s].get("workloads") or ())
        for src, _, key in graph.in_edges(s, keys=True):
            if key == DEPENDS_ON:
                names |= set(graph.nodes[src].get("workloads") or ())
    return sorted(names)


# --- AWS Resilience Hub --------------------------------------------------------------------------

_DISRUPTION_TYPES = {"az": "az", "region": "region"}


def from_resilience_hub(graph: nx.MultiDiGraph, node: str, *,
                        known_workloads: Iterable[str] = ()) -> list[TestRecord]:
    data = graph.nodes[node]
    attrs = _attrs(graph, node)
    if _status(attrs.get("status")) not in ("", "success"):
        return []  # an assessment run that did not finish says nothing about the policy
    when = _when(attrs.get("finished_at"), data.get("observed_at"))
    if when is None:
        return []
    workloads = set(_workloads(graph, node, [*(attrs.get("resources") or []), attrs.get("app")]))
    if attrs.get("app_name") in set(known_workloads):
        workloads.add(attrs["app_name"])  # a Resilience Hub app named after the workload
    compliance = attrs.get("compliance")
    overall = attrs.get("compliance_status") or (compliance if isinstance(compliance, str) else None)
    per_type: dict[str | None, Mapping[str, Any]] = {}
    if isinstance(compliance, Mapping):
        for key, value in compliance.items():
            scenario = _DISRUPTION_TYPES.get(str(key).lower())
            if scenario and isinstance(value, Mapping):
                per_type[scenario] = value
    if not per_type and overall:
        per_type[None] = {"complianceStatus": overall}  # the summary has no per-disruption breakdown
    region = data.get("region") or ""
    link = (f"https://{region}.console.aws.amazon.com/resiliencehub/home?region={region}#/applications"
            if region and region not in ("unknown", "global") else None)
    out = []
    for scenario, value in sorted(per_type.items(), key=lambda kv: kv[0] or ""):
        status = str(value.get("complianceStatus") or overall or "")
        rto = value.get("currentRtoInSecs", value.get("achievableRtoInSecs"))
        rpo = value.get("currentRpoInSecs", value.get("achievableRpoInSecs"))
        scope = f"{scenario} disruptions" if scenario else "its resiliency policy (all disruption types)"
        for w in sorted(workloads):
            out.append(TestRecord(
                workload=w, scenario=scenario, date=when[0], timestamp=when[1],
                result="pass" if status == "PolicyMet" else "fail", source="resiliencehub", kind="assessment",
                record_id=str(node), link=link,
                measured_rto=int(rto) if isinstance(rto, int | float) else None,
                measured_rpo=int(rpo) if isinstance(rpo, int | float) else None,
                detail=f"Resilience Hub assessment: {status or 'no compliance status'} for {scope} "
                       "(an estimate by AWS, not an exercise)",
                scenario_basis="Resilience Hub disruption type" if scenario else "overall compliance only",
            ))
    return out


# --- Route 53 ARC Region switch ------------------------------------------------------------------


def from_region_switch(graph: nx.MultiDiGraph, node: str) -> list[TestRecord]:
    data = graph.nodes[node]
    attrs = _attrs(graph, node)
    state = _status(attrs.get("state"))
    if str(attrs.get("action") or "").lower() == "postrecovery":
        return []  # clean-up after a recovery, not a failover
    if state in _ARC_PASS:
        result = "pass"
    elif state in _ARC_FAIL:
        result = "fail"
    else:
        return []
    when = _when(attrs.get("ended_at"), attrs.get("started_at"), data.get("observed_at"))
    if when is None:
        return []
    plan = attrs.get("plan")
    targets = [dst for dst, _ in _out(graph, plan)] if isinstance(plan, str) and plan in graph else []
    workloads = _workloads(graph, node, [plan, *targets])
    rto = attrs.get("recovery_time_s")
    detail = (f"ARC Region switch execution {str(node).rsplit('/', 1)[-1]} {attrs.get('state')} "
              f"({attrs.get('action') or 'action unknown'}, {attrs.get('mode') or 'mode unknown'}")
    if attrs.get("execution_region"):
        detail += f", into {attrs['execution_region']}"
    detail += ")"
    if isinstance(rto, int | float):
        detail += f", recovery took {format_duration(rto)}"
    region = attrs.get("execution_region") or ""
    link = (f"https://{region}.console.aws.amazon.com/route53recovery/home#/region-switch"
            if region else None)
    return [TestRecord(
        workload=w, scenario="region", date=when[0], timestamp=when[1], result=result, source="arc",
        kind="exercise", record_id=str(node), link=link, detail=detail,
        measured_rto=int(rto) if isinstance(rto, int | float) else None,
        scenario_basis="an ARC Region switch plan execution switches regions",
    ) for w in workloads]


def _out(graph: nx.MultiDiGraph, node: str) -> list[tuple[str, dict[str, Any]]]:
    return [(dst, data) for _, dst, data in graph.out_edges(node, data=True)
            if data.get("kind") == "depends_on"]


# --- documentation -------------------------------------------------------------------------------


def markdown_section() -> list[str]:
    out = ["## Failover-test evidence", "",
           "`evidence_sources.failover_tests(graph, policy)` merges every source into one record shape",
           "(workload, scenario, date, result, measured RTO/RPO, source, link, detail). The rules",
           "`failover-untested`, `failover-test-stale` and `failover-test-failed` look at the latest",
           "*exercise* or *restore* record per workload and scenario named in its objectives.", ""]
    for source, text in SOURCE_RULES.items():
        out.append(f"- **{source}**: {text}")
    out += ["", "FIS actions read as a region test: " + ", ".join(f"`{a}`" for a in sorted(REGION_ACTIONS)) + ".",
            "", "FIS actions read as an az test: " + ", ".join(f"`{a}`" for a in sorted(AZ_ACTIONS)) + ".", ""]
    return out
