"""A small estate, a tiny rule registry and a policy for the report tests.

Two audited Gulf regions (me-central-1, me-south-1), a secondary in eu-west-1 and global DNS.
The rules are built here (not taken from the rule families) so that the expected results stay
fixed whatever the other rule modules do:

RES-TESTREPL-001 a primary database has a replica in another region        (high, A1.2)
RES-TESTBACKUP-001 a data store is backed up (unknown when backup reads failed) (medium, A1.2, CP-9)
RES-TESTDNS-001 a DNS record uses failover routing                           (critical, A1.2)
RES-TESTDRILL-001 a workload has a recorded failover test                    (medium, A1.3)
+ the core coverage rule (RES-COVERAGE-001).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator

from resilience.rules.coverage import COVERAGE_GAP

from resilience.model import (
    BACKED_UP_TO,
    DEPENDS_ON,
    REPLICATES_TO,
    ROUTES_TO,
    Coverage,
    Edge,
    Inventory,
    Resource,
)
from resilience.policy import parse_policy
from resilience.rule import Result, Rule, RuleContext
from resilience.scan import ScanResult, analyse

SCAN_TIME = dt.datetime(2026, 10, 1, 2, 0, tzinfo=dt.UTC)
ACCOUNT = "111122223333"
AUDITED = ("me-central-1", "me-south-1")

DNS = "arn:aws:route53:::hostedzone/Z1/record/pay.example.com/A/primary"
LB = f"arn:aws:elasticloadbalancing:me-central-1:{ACCOUNT}:loadbalancer/app/pay-lb/50dc6c495c0c9188"
ASG = f"arn:aws:autoscaling:me-central-1:{ACCOUNT}:autoScalingGroup:1:autoScalingGroupName/pay-asg"
PAY_DB = f"arn:aws:rds:me-central-1:{ACCOUNT}:db:payments-db"
PAY_REPLICA = f"arn:aws:rds:eu-west-1:{ACCOUNT}:db:payments-db-replica"
PAY_SNAP = f"arn:aws:rds:me-central-1:{ACCOUNT}:snapshot:payments-db-2026-09-30"
LEDGER_DB = f"arn:aws:rds:me-central-1:{ACCOUNT}:db:ledger-db"
LEDGER_REPLICA = f"arn:aws:rds:eu-west-1:{ACCOUNT}:db:ledger-db-replica"
AUDIT_TABLE = f"arn:aws:dynamodb:me-south-1:{ACCOUNT}:table/audit-log"
DOCS = "arn:aws:s3:::pay-docs"
SCRATCH = "arn:aws:s3:::tmp-scratch"

POLICY = """\
version: 1
workloads:
  payments:
    match: {tags: {app: payments}}
    tier: critical
    owner: payments-sre@example.com
    objectives:
      region: {rto: 1h, rpo: 15m}
  ledger:
    objectives:
      region: {rto: 4h, rpo: 1h}
tiers:
  critical: {region: {rto: 4h, rpo: 1h}}
failover_tests:
  - workload: payments
    scenario: region
    date: 2026-09-14
    result: pass
    measured_rto: 50m
    measured_rpo: 2m
    evidence: https://tickets.example.com/DR-2231
waivers:
  - category: no-backup
    resource: arn:aws:s3:::pay-docs
    reason: documents are re-generated from the ledger
    approved_by: cto@example.com
    expires: 2027-01-31
  - category: no-backup
    resource: arn:aws:s3:::tmp-scratch
    reason: scratch data, rebuilt from source
    approved_by: cto@example.com
    expires: 2026-01-31
"""


def _res(rid: str, kind: str, type_: str, *, region: str, name: str, tags=None, attrs=None, zones=()) -> Resource:
    return Resource(id=rid, provider="aws", account=ACCOUNT, region=region, kind=kind, type=type_, name=name,
                    source=f"{type_.split('::')[1].lower()}:Describe", observed_at=SCAN_TIME.isoformat(),
                    zones=tuple(zones), tags=tags or {}, attrs=attrs or {})


def inventory() -> Inventory:
    pay = {"app": "payments"}
    resources = [
        _res(DNS, "dns_record", "AWS::Route53::RecordSet", region="global", name="pay.example.com", tags=pay,
             attrs={"routing": "failover", "failover_role": "PRIMARY"}),
        _res(LB, "load_balancer", "AWS::ElasticLoadBalancingV2::LoadBalancer", region="me-central-1", name="pay-lb",
             tags=pay, zones=("mec1-az1", "mec1-az2")),
        _res(ASG, "compute_group", "AWS::AutoScaling::AutoScalingGroup", region="me-central-1", name="pay-asg",
             tags=pay, zones=("mec1-az1", "mec1-az2"), attrs={"min_size": 2}),
        _res(PAY_DB, "database", "AWS::RDS::DBInstance", region="me-central-1", name="payments-db", tags=pay,
             zones=("mec1-az1",), attrs={"engine": "postgres", "multi_az": True, "role": "primary"}),
        _res(PAY_REPLICA, "database", "AWS::RDS::DBInstance", region="eu-west-1", name="payments-db-replica",
             tags=pay, attrs={"role": "replica", "replica_of": PAY_DB}),
        _res(PAY_SNAP, "recovery_point", "AWS::RDS::DBSnapshot", region="me-central-1",
             name="payments-db-2026-09-30", attrs={"source_resource": PAY_DB}),
        _res(LEDGER_DB, "database", "AWS::RDS::DBInstance", region="me-central-1", name="ledger-db",
             tags={"resilience:workload": "ledger"}, attrs={"engine": "postgres", "role": "primary"}),
        _res(AUDIT_TABLE, "database", "AWS::DynamoDB::Table", region="me-south-1", name="audit-log",
             tags={"resilience:workload": "ledger"}),
        _res(DOCS, "object_store", "AWS::S3::Bucket", region="me-central-1", name="pay-docs", tags=pay),
        _res(SCRATCH, "object_store", "AWS::S3::Bucket", region="me-central-1", name="tmp-scratch"),
    ]
    edges = [
        Edge(DNS, LB, ROUTES_TO, "route53:ListResourceRecordSets"),
        Edge(LB, ASG, ROUTES_TO, "elbv2:DescribeTargetGroups"),
        Edge(ASG, PAY_DB, DEPENDS_ON, "autoscaling:DescribeLaunchTemplates", {"via": "user_data:DB_HOST"}),
        Edge(PAY_DB, PAY_REPLICA, REPLICATES_TO, "rds:DescribeDBInstances", {"mode": "async", "promotable": True}),
        Edge(PAY_DB, PAY_SNAP, BACKED_UP_TO, "rds:DescribeDBSnapshots"),
    ]
    coverage = [
        Coverage("aws", ACCOUNT, "me-central-1", "rds", "ok"),
        Coverage("aws", ACCOUNT, "me-central-1", "s3", "ok"),
        Coverage("aws", ACCOUNT, "me-central-1", "backup", "ok"),
        Coverage("aws", ACCOUNT, "me-south-1", "dynamodb", "ok"),
        Coverage("aws", ACCOUNT, "me-south-1", "backup", "denied",
                 "AccessDenied: backup:ListRecoveryPointsByResource"),
    ]
    meta = {"started_at": SCAN_TIME.isoformat(), "accounts": [ACCOUNT], "providers": ["aws"],
            "regions_scanned": ["eu-west-1", "me-central-1", "me-south-1"],
            "identity": f"arn:aws:sts::{ACCOUNT}:assumed-role/resilience-audit/nightly"}
    return Inventory(resources=resources, edges=edges, coverage=coverage, meta=meta)


def fixed_and_broken(inv: Inventory) -> Inventory:
    """The estate a day later: ledger-db got a replica (fixed), the DNS record lost failover (broken)."""
    inv = copy.deepcopy(inv)
    inv.resources.append(_res(LEDGER_REPLICA, "database", "AWS::RDS::DBInstance", region="eu-west-1",
                              name="ledger-db-replica", tags={"resilience:workload": "ledger"},
                              attrs={"role": "replica", "replica_of": LEDGER_DB}))
    inv.edges.append(Edge(LEDGER_DB, LEDGER_REPLICA, REPLICATES_TO, "rds:DescribeDBInstances"))
    for r in inv.resources:
        if r.id == DNS:
            r.attrs = {"routing": "simple"}
    return inv


# --- the tiny rule registry ------------------------------------------------------------------------


def _primaries(ctx: RuleContext) -> Iterator[str]:
    for node, data in sorted(ctx.graph.nodes(data=True)):
        if data["kind"] == "database" and data["attrs"].get("role") != "replica" and not data.get("stub"):
            yield node


def _replica(ctx: RuleContext, message_style: str = "plain") -> Iterator[Result]:
    """A primary database passes with a replica in another region."""
    for node in _primaries(ctx):
        region = ctx.node(node)["region"]
        copies = sorted(dst for _, dst, kind in ctx.graph.out_edges(node, keys=True)
                        if kind == REPLICATES_TO and ctx.node(dst)["region"] != region)
        status = "pass" if copies else "fail"
        name = ctx.node(node)["name"]
        message = (f"{name} has a replica in {', '.join(ctx.node(c)['region'] for c in copies)}" if copies
                   else f"{name} has no copy outside {region}")
        if message_style == "reworded":
            message = message.upper() + " (reworded)"
        yield ctx.result(node, status, message, observed={"replicas": copies},
                         expected={"replica_in_other_region": True})


def _backup(ctx: RuleContext) -> Iterator[Result]:
    """A data store passes when something backs it up; unknown when its region's backup reads failed."""
    for node, data in sorted(ctx.graph.nodes(data=True)):
        if data["kind"] not in ("database", "object_store") or data["attrs"].get("role") == "replica":
            continue
        gaps = ctx.gaps(region=data["region"], services=["backup"])
        backups = sorted(dst for _, dst, kind in ctx.graph.out_edges(node, keys=True) if kind == BACKED_UP_TO)
        if gaps and not backups:
            yield ctx.result(node, "unknown", f"{data['name']}: backups could not be read ({gaps[0].status})",
                             observed={"coverage": gaps[0].status}, expected={"backups": ">= 1"})
            continue
        yield ctx.result(node, "pass" if backups else "fail",
                         f"{data['name']} is backed up" if backups else f"{data['name']} has no backup",
                         observed={"backups": backups}, expected={"backups": ">= 1"})


def _dns(ctx: RuleContext) -> Iterator[Result]:
    """An entry point passes with failover routing."""
    for node, data in sorted(ctx.graph.nodes(data=True)):
        if data["kind"] == "dns_record":
            routing = data["attrs"].get("routing")
            yield ctx.result(node, "pass" if routing == "failover" else "fail",
                             f"{data['name']} routing is {routing}", observed={"routing": routing},
                             expected={"routing": "failover"})


def _drill(ctx: RuleContext) -> Iterator[Result]:
    """A workload passes with a recorded failover test."""
    for name in sorted(ctx.policy.workloads):
        tests = [t for t in ctx.policy.failover_tests if t.workload == name]
        yield Result(
            status="pass" if tests else "fail", resource=f"workload:{name}", workload=name, resource_type="workload",
            message=f"{name}: {len(tests)} failover test(s) recorded",
            observed={"tests": [{"date": t.date.isoformat(), "result": t.result, "evidence": t.evidence}
                                for t in tests]},
            expected={"tests": ">= 1"}, source="policy:failover_tests",
        )


def rules(message_style: str = "plain") -> tuple[Rule, ...]:
    common = {"rationale": "Test rule rationale: why it matters.", "remediation": "Test rule remediation."}
    return (
        Rule(id="RES-TESTREPL-001", title="Database has no cross-region replica", category="no-cross-region-replica",
             severity="high", controls=("SOC2:A1.2", "ISO27001:2022:A.8.14"),
             check=lambda ctx: _replica(ctx, message_style), **common),
        Rule(id="RES-TESTBACKUP-001", title="Data store has no backup", category="no-backup", severity="medium",
             controls=("SOC2:A1.2", "NIST800-53:CP-9"), check=_backup, **common),
        Rule(id="RES-TESTDNS-001", title="Entry point has no DNS failover", category="dns-no-failover",
             severity="critical", controls=("SOC2:A1.2",), check=_dns, **common),
        Rule(id="RES-TESTDRILL-001", title="Failover never tested", category="failover-untested", severity="medium",
             controls=("SOC2:A1.3", "NIST800-53:CP-4"), check=_drill, **common),
        COVERAGE_GAP,
    )


def policy(text: str = POLICY, path: str = "resilience.yaml"):
    from resilience.controls import CATEGORIES

    return parse_policy(text, path, known_categories=frozenset(CATEGORIES))


def scan(inv: Inventory | None = None, *, message_style: str = "plain", when: dt.datetime = SCAN_TIME,
         pol=None) -> ScanResult:
    inv = copy.deepcopy(inv) if inv is not None else inventory()
    inv.meta = {**inv.meta, "started_at": when.isoformat()}
    return analyse(inv, pol if pol is not None else policy(), scan_time=when, audited_regions=AUDITED,
                   rules=rules(message_style), finished_at=when + dt.timedelta(seconds=42))
