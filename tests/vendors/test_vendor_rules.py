"""RES-VENDOR-*: each case is an estate (resources of three providers), a register and what each rule says.

Results are named ``provider`` or ``provider@key`` (``aws@region:me-central-1``); the expectation per rule is
exact, so a false positive fails the test.
"""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from resilience.rules import BY_ID

from resilience.engine import run_rules
from resilience.graph import build_graph
from resilience.model import ASSURANCE_REPORT, Coverage, Inventory, Resource
from resilience.policy import parse_policy
from resilience.rule import RuleContext

TODAY = dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC)
OBSERVED = "2026-12-01T05:59:00Z"


def _resource(provider, id, region, type, kind="database", **attrs):
    account = {"aws": "111122223333", "azure": "sub-1", "gcp": "proj-1"}[provider]
    sources = {"azure": "resourcegraph:Resources", "gcp": "cloudasset:ListAssets"}
    source = f"{type.split('::')[1].lower()}:Describe" if provider == "aws" else sources[provider]
    return Resource(id=id, provider=provider, account=account, region=region, kind=kind, type=type, name=id.split("/")[-1],
                    source=source, observed_at=OBSERVED, attrs=attrs)


ESTATE = [
    _resource("aws", "arn:aws:rds:me-central-1:111122223333:db:orders", "me-central-1", "AWS::RDS::DBInstance"),
    _resource("aws", "arn:aws:rds:eu-central-1:111122223333:db:orders-dr", "eu-central-1", "AWS::RDS::DBInstance"),
    _resource("aws", "arn:aws:s3:::orders-archive", "me-south-1", "AWS::S3::Bucket", kind="object_store"),
    _resource("azure", "/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/wallet",
              "uaenorth", "Microsoft.Storage/storageAccounts", kind="object_store"),
]
ARTIFACT = _resource("aws", "arn:aws:artifact:us-east-1::report/report-spring-2026:3", "global",
                     "AWS::Artifact::Report", kind=ASSURANCE_REPORT, provider_of_report="aws",
                     report_id="report-spring-2026", period_start="2025-04-01", period_end="2026-03-31")
ARTIFACT_NEWER = _resource("aws", "arn:aws:artifact:us-east-1::report/report-fall-2026:1", "global",
                           "AWS::Artifact::Report", kind=ASSURANCE_REPORT, provider_of_report="aws",
                           report_id="report-fall-2026", period_start="2025-10-01", period_end="2026-09-30")

CURRENT_AWS = {
    "type": "type2", "period_start": "2025-10-01", "period_end": "2026-09-30", "opinion": "unqualified",
    "bridge_letter": {"date": "2026-10-20", "covers_to": "2026-12-31"},
    "scope": {"services": ["rds", "s3"], "regions": ["me-central-1", "eu-central-1", "me-south-1"]},
    "cuecs": [{"control": "Customers enable backups", "owner": "dba@example.com"}],
    "reviewed": {"date": "2026-11-02", "by": "grc@example.com"},
}
STALE_AWS = {
    "type": "type1", "period_start": "2024-10-01", "period_end": "2025-09-30", "opinion": "qualified",
    "scope": {"services": ["rds"], "regions": ["eu-central-1"]},
    "cuecs": [{"control": "Customers enable backups"}], "reviewed": {"date": "2025-10-15", "by": "grc@example.com"},
    "artifact_report": "report-spring-2026",
}
GAP_AWS = {**CURRENT_AWS, "bridge_letter": {"date": "2026-10-20", "covers_to": "2026-10-31"},
           "scope": {"reference": "Section 3"}, "cuecs": []}
AZURE = {"type": "type2", "period_start": "2025-10-01", "period_end": "2026-09-30", "opinion": "adverse",
         "scope": {"services": ["*"], "regions": ["uaenorth"]}, "reviewed": {"date": "2026-11-01", "by": "grc"}}

CASES = {
    "sound register, Artifact agrees, Azure missing": dict(
        providers={"aws": CURRENT_AWS}, extra=[ARTIFACT, ARTIFACT_NEWER], artifact="ok",
        expect={
            "RES-VENDOR-001": {"aws": "pass", "azure": "fail"},
            "RES-VENDOR-002": {"aws": "pass"}, "RES-VENDOR-003": {"aws": "pass"}, "RES-VENDOR-004": {"aws": "pass"},
            "RES-VENDOR-005": {"aws": "pass"},
            "RES-VENDOR-006": {"aws@region:me-central-1": "pass", "aws@region:eu-central-1": "pass",
                               "aws@region:me-south-1": "pass"},
            "RES-VENDOR-007": {"aws@service:rds": "pass", "aws@service:s3": "pass"},
            "RES-VENDOR-008": {"aws@cuec:1": "pass"}, "RES-VENDOR-009": {"aws": "pass"},
            "RES-VENDOR-010": {"aws": "pass"},
        }),
    "stale Type I qualified report, region out of scope, newer report in Artifact": dict(
        providers={"aws": STALE_AWS, "azure": AZURE}, extra=[ARTIFACT, ARTIFACT_NEWER], artifact="ok",
        expect={
            "RES-VENDOR-001": {"aws": "pass", "azure": "pass"},
            "RES-VENDOR-002": {"aws": "fail", "azure": "pass"}, "RES-VENDOR-003": {"azure": "fail"},
            "RES-VENDOR-004": {"aws": "fail", "azure": "pass"},
            "RES-VENDOR-005": {"aws": "fail", "azure": "fail"},
            "RES-VENDOR-006": {"aws@region:me-central-1": "fail", "aws@region:eu-central-1": "pass",
                               "aws@region:me-south-1": "fail", "azure@region:uaenorth": "pass"},
            "RES-VENDOR-007": {"aws@service:rds": "pass", "aws@service:s3": "fail",
                               "azure@service:microsoft.storage": "pass"},
            "RES-VENDOR-008": {"aws@cuec:1": "fail", "azure@cuecs": "unknown"},
            "RES-VENDOR-009": {"aws": "fail", "azure": "pass"},
            "RES-VENDOR-010": {"aws": "fail"},
        }),
    "gap after the letter, scope by reference only, Artifact denied": dict(
        providers={"aws": GAP_AWS}, extra=[], artifact="denied",
        expect={
            "RES-VENDOR-001": {"aws": "pass", "azure": "fail"},
            "RES-VENDOR-002": {"aws": "pass"}, "RES-VENDOR-003": {"aws": "fail"}, "RES-VENDOR-004": {"aws": "pass"},
            "RES-VENDOR-005": {"aws": "pass"},
            "RES-VENDOR-006": {"aws@region:me-central-1": "unknown", "aws@region:eu-central-1": "unknown",
                               "aws@region:me-south-1": "unknown"},
            "RES-VENDOR-007": {"aws@service:rds": "unknown", "aws@service:s3": "unknown"},
            "RES-VENDOR-008": {"aws@cuecs": "unknown"}, "RES-VENDOR-009": {"aws": "pass"},
            "RES-VENDOR-010": {"aws": "unknown"},
        }),
    "Artifact not part of the scan: no comparison is claimed either way": dict(
        providers={"aws": CURRENT_AWS}, extra=[], artifact=None,
        expect={"RES-VENDOR-001": {"aws": "pass", "azure": "fail"}, "RES-VENDOR-010": {}}),
}


def _context(case) -> RuleContext:
    coverage = [Coverage(provider="aws", account="111122223333", region="global", service="artifact",
                         status=case["artifact"], detail="" if case["artifact"] == "ok" else "AccessDenied")
                for _ in range(case["artifact"] is not None)]
    inventory = Inventory(resources=[*ESTATE, *case["extra"]], edges=[], coverage=coverage)
    policy = parse_policy(yaml.safe_dump({"version": 1, "providers": case["providers"]}), "resilience.yaml")
    return RuleContext(graph=build_graph(inventory, policy), policy=policy, scan_time=TODAY, coverage=coverage)


@pytest.mark.parametrize("name", list(CASES))
def test_vendor_rules(name):
    case = CASES[name]
    ctx = _context(case)
    for rule_id, expected in case["expect"].items():
        actual = {}
        for result in BY_ID[rule_id].check(ctx):
            ident = result.resource.removeprefix("provider:") + (f"@{result.key}" if result.key else "")
            assert ident not in actual, f"{rule_id} reported {ident} twice"
            actual[ident] = result.status
            assert result.message and result.observed and result.expected and result.source, (rule_id, ident)
        assert actual == expected, (name, rule_id)
    json_ready = [f.to_dict() for f in run_rules(ctx, [BY_ID[r] for r in case["expect"]])]
    assert all(f["controls"][0] == "SOC2:CC9.2" for f in json_ready)


def test_every_vendor_rule_is_exercised_with_every_status_it_can_give():
    seen: dict[str, set[str]] = {}
    for case in CASES.values():
        for rule_id, expected in case["expect"].items():
            seen.setdefault(rule_id, set()).update(expected.values())
    vendor_rules = [r for r in BY_ID if r.startswith("RES-VENDOR-")]
    assert sorted(seen) == sorted(vendor_rules)
    assert all("fail" in statuses and "pass" in statuses for statuses in seen.values()), seen


def test_severity_follows_the_opinion_and_the_gap():
    ctx = _context(CASES["stale Type I qualified report, region out of scope, newer report in Artifact"])
    opinions = {r.resource: r.severity for r in BY_ID["RES-VENDOR-005"].check(ctx) if r.status == "fail"}
    assert opinions == {"provider:aws": "high", "provider:azure": "critical"}
    gap = [r for r in BY_ID["RES-VENDOR-003"].check(ctx) if r.status == "fail"]
    assert gap[0].severity == "low" and gap[0].observed["uncovered_days"] == 62  # 2026-09-30 .. 2026-12-01


def test_region_out_of_scope_names_its_resources():
    ctx = _context(CASES["stale Type I qualified report, region out of scope, newer report in Artifact"])
    failing = {r.key: r for r in BY_ID["RES-VENDOR-006"].check(ctx) if r.status == "fail"}
    assert failing["region:me-central-1"].observed["examples"] == ["arn:aws:rds:me-central-1:111122223333:db:orders"]
    assert "me-central-1 is used (1 resources" in failing["region:me-central-1"].message
