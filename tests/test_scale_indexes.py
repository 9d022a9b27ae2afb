"""The indexes that keep analysis linear (issue 17) give exactly the answers of the scans they replace:
the coverage index against a filter of every record, the waiver index against testing every waiver in
policy order. Property-based: any records, any question."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from resilience.coverage_index import CoverageIndex, coverage_index
from resilience.engine import Finding, apply_waivers
from resilience.graph import build_graph
from resilience.model import COVERAGE_STATUSES, Coverage, Inventory, Resource
from resilience.policy import Policy, Waiver
from resilience.rule import RuleContext
from resilience.survival import record_groups

REGIONS = ("me-central-1", "me-south-1", "eu-west-1", "global", "*")
SERVICES = ("rds", "rds:snapshots", "s3", "s3:replication", "ec2:tags", "backup", "route53")

coverage_records = st.lists(st.builds(
    Coverage, provider=st.sampled_from(("aws", "azure")), account=st.sampled_from(("1", "2", "")),
    region=st.sampled_from(REGIONS), service=st.sampled_from(SERVICES),
    status=st.sampled_from(sorted(COVERAGE_STATUSES))), max_size=30)


@given(coverage_records, st.sets(st.sampled_from(REGIONS[:3])))
def test_failed_reads_by_region_are_the_filtered_records_in_order(records, regions):
    index = CoverageIndex(records)
    assert list(index.failed) == [c for c in records if not c.ok]
    assert list(index.gap_reads) == [c for c in records if not c.ok and not c.service.endswith(":tags")]
    assert list(index.failed_in(regions)) == [c for c in records if not c.ok and
                                              (c.region in regions or c.region in ("global", "*"))]


def _naive_gaps(coverage, *, region=None, services=(), account=None, provider=None):
    """RuleContext.gaps as it was: every record tested."""
    wanted = tuple(services)
    return [c for c in coverage if not c.ok
            and not (provider and c.provider != provider)
            and not (account and c.account and c.account != account)
            and not (region and c.region not in (region, "global", "*"))
            and not (wanted and not any(c.service == s or c.service.startswith(s + ":") for s in wanted))]


@given(coverage_records, st.sampled_from((None, *REGIONS[:3])), st.lists(st.sampled_from(("rds", "s3", "ec2"))),
       st.sampled_from((None, "1", "2")), st.sampled_from((None, "aws", "azure")))
def test_rule_context_gaps_match_a_scan_of_every_record(records, region, services, account, provider):
    ctx = RuleContext(graph=build_graph(Inventory()), policy=Policy(), scan_time=dt.datetime(2026, 1, 1),
                      coverage=records)
    assert ctx.gaps(region=region, services=services, account=account, provider=provider) == \
        _naive_gaps(records, region=region, services=services, account=account, provider=provider)


def test_one_index_per_list_until_it_grows():
    records = [Coverage("aws", "1", "me-central-1", "rds", "denied")]
    index = coverage_index(records)
    assert coverage_index(records) is index
    assert coverage_index(index.records) is index  # what callers pass on is known again
    records.append(Coverage("aws", "1", "eu-west-1", "s3", "error"))
    grown = coverage_index(records)
    assert grown is not index and len(grown.failed) == 2
    assert coverage_index(iter(records)).failed == grown.failed  # an iterator is indexed, not cached
    assert CoverageIndex(records).fingerprint == grown.fingerprint != index.fingerprint


def _finding(i, rule, resource, workload):
    return Finding(id=f"f{i}", rule=rule, category=f"cat-{rule}", status="fail", severity="high", title="t",
                   message="m", resource=resource, resource_type="r", region=None, workload=workload,
                   controls=[], evidence={}, remediation="x")


waivers = st.lists(st.builds(
    Waiver, reason=st.just("r"), approved_by=st.just("a"),
    expires=st.sampled_from((dt.date(2025, 1, 1), dt.date(2030, 1, 1))),
    category=st.sampled_from((None, "cat-A", "cat-B")), rule=st.sampled_from((None, "A", "B")),
    resource=st.sampled_from((None, "r1", "r2")), workload=st.sampled_from((None, "w1", "w2")),
    line=st.integers(1, 50)), max_size=8)
findings = st.lists(st.tuples(st.sampled_from(("A", "B")), st.sampled_from(("r1", "r2", "r3")),
                              st.sampled_from((None, "w1", "w2"))), max_size=12)


@settings(max_examples=200)
@given(waivers, findings)
def test_waiver_index_applies_the_first_matching_waiver_in_policy_order(ws, fs):
    policy = Policy(waivers=ws)
    ctx = RuleContext(graph=build_graph(Inventory()), policy=policy, scan_time=dt.datetime(2026, 6, 1))
    got = [_finding(i, *f) for i, f in enumerate(fs)]
    apply_waivers(got, ctx)
    for f, (rule, resource, workload) in zip(got, fs, strict=True):
        first = next((w for w in ws if w.matches(rule=rule, category=f"cat-{rule}", resource=resource,
                                                 workload=workload)), None)
        if first is None:
            assert f.status == "fail" and f.waiver is None
        else:
            assert f.waiver["policy_line"] == policy.location(first.line)
            assert f.status == ("fail" if first.expired_on(dt.date(2026, 6, 1)) else "waived")


def _record(zone: str, name: str, role: str) -> Resource:
    return Resource(id=f"{zone}/record/{name}/A/{role}", provider="aws", account="1", region="global",
                    kind="dns_record", type="AWS::Route53::RecordSet", name=name, source="test", observed_at="",
                    attrs={"dns_name": f"{name}.", "record_type": "A", "zone_id": zone, "routing": "failover",
                           "failover_role": role})


def test_dns_records_are_grouped_per_zone():
    """The same name in two hosted zones (two accounts, or a public and a private zone) answers
    different clients: each zone's failover pair is its own group."""
    graph = build_graph(Inventory(resources=[
        _record("zone-a", "api.example.com", "PRIMARY"), _record("zone-a", "api.example.com", "SECONDARY"),
        _record("zone-b", "api.example.com", "PRIMARY"),
    ]))
    groups = record_groups(graph)
    assert sorted(len(m) for m in groups.values()) == [1, 2]
    assert {key[2] for key in groups} == {"zone-a", "zone-b"}


def test_backup_plans_by_region_and_account_are_those_that_could_select_in_graph_order():
    from resilience.copies import _plans

    def plan(i, region, account):
        return Resource(id=f"plan-{i}", provider="aws", account=account, region=region, kind="backup_plan",
                        type="AWS::Backup::BackupPlan", name=f"p{i}", source="test", observed_at="")

    scopes = [("me-central-1", "1"), ("me-central-1", "2"), ("me-central-1", ""), ("eu-west-1", "1"),
              ("me-central-1", "1"), ("me-central-1", "")]
    graph = build_graph(Inventory(resources=[plan(i, r, a) for i, (r, a) in enumerate(scopes)]))
    for region in ("me-central-1", "eu-west-1", "us-east-1"):
        for account in ("1", "2", "3", ""):
            naive = [n for n, d in graph.nodes(data=True) if d["region"] == region
                     and not (d["account"] and account and d["account"] != account)]
            assert _plans(graph, region, account) == naive


_KINDS = ("database", "cache", "volume", "compute_group")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.text("abcxyz/-:", min_size=1, max_size=8), st.sampled_from(_KINDS)), max_size=25),
       st.sets(st.sampled_from(_KINDS)))
def test_nodes_by_kind_are_the_sorted_nodes_filtered(nodes, kinds):
    """nodes_of_kinds replaces ``sorted(graph.nodes)`` filtered on kind in the rules that visit every store."""
    from resilience.survival import nodes_of_kinds

    graph = build_graph(Inventory(resources=[
        Resource(id=rid, provider="aws", account="1", region="me-central-1", kind=kind, type="T", name=rid,
                 source="s", observed_at="") for rid, kind in dict(nodes).items()]))
    assert nodes_of_kinds(graph) == tuple(sorted(graph.nodes))
    assert nodes_of_kinds(graph, kinds) == tuple(n for n in sorted(graph.nodes) if graph.nodes[n]["kind"] in kinds)
    graph.add_node("zz-new", kind="database", stub=False)  # a node added later is seen (the node count changed)
    assert "zz-new" in nodes_of_kinds(graph, ("database",))
