"""What keeps the analysis linear in the estate: per-graph memos and indexes in the survival engine
and the graph builder, and the rules filtering coverage once. Each memo must give exactly the
answers of the computation it replaces; these tests compare the two on small estates."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import networkx as nx
import pytest
import yaml
from resilience.rules import REGISTRY

from resilience import graph as graph_module
from resilience import survival
from resilience.engine import run_rules
from resilience.graph import build_graph, workload_index, workload_nodes
from resilience.model import Coverage, Edge, Inventory, Resource
from resilience.policy import parse_policy
from resilience.survival import Scenario

from .test_survival import BAHRAIN, IRELAND, UAE, active_passive

FIXTURES = Path(__file__).parent / "fixtures"
FAMILIES = ("REGIONAL", "ZONAL", "DATA", "DNS", "CORRELATED")
ROOT = Path(__file__).resolve().parents[2]


def _fixture_cases():
    for path in sorted(FIXTURES.glob("RES-*.yaml")):
        for index, case in enumerate(yaml.safe_load(path.read_text())["cases"]):
            yield pytest.param(case, id=f"{path.stem}-{index}")


def _naive_copies(graph, node):
    return survival._data_copies(graph, node)


def _naive_backups(graph, node):
    return survival._backups_of(graph, node)


@pytest.mark.parametrize("case", list(_fixture_cases()))
def test_memoised_answers_match_fresh_computation(case, estate):
    e = estate(case)
    g = e.graph
    for node in sorted(g.nodes):
        assert survival.data_copies(g, node) == _naive_copies(g, node)
        assert survival.backups_of(g, node) == _naive_backups(g, node)
        for kind in ("routes_to", "depends_on", "replicates_to", "member_of", "fails_over_to", "backed_up_to"):
            naive_out = [(d, (a.get("attrs") or {})) for _, d, k, a in g.out_edges(node, keys=True, data=True)
                         if k == kind]
            naive_in = [(s, (a.get("attrs") or {})) for s, _, k, a in g.in_edges(node, keys=True, data=True)
                        if k == kind]
            assert list(survival.out_edges(g, node, kind)) == naive_out
            assert list(survival.in_edges(g, node, kind)) == naive_in
    zones = {z for _, d in g.nodes(data=True) for z in d.get("zones") or ()}
    for zone in sorted(zones) + ["no-such-zone"]:
        first = next((d["region"] for _, d in g.nodes(data=True)
                      if zone in (d.get("zones") or ()) and survival.real_region(d.get("region"))), None)
        assert survival.region_of_zone(g, zone) == first
    names = {w for _, d in g.nodes(data=True) for w in d.get("workloads") or ()}
    for w in sorted(names) + ["nobody"]:
        in_order = [n for n, d in g.nodes(data=True) if w in (d.get("workloads") or ())]
        assert workload_index(g).get(w, []) == in_order
        assert workload_nodes(g, w) == sorted(in_order)
        assert survival.regions_of(g, w) == sorted({g.nodes[n]["region"] for n in in_order
                                                     if survival.real_region(g.nodes[n].get("region"))})
    regions = sorted({d.get("region") for _, d in g.nodes(data=True) if survival.real_region(d.get("region"))})
    for scenario in [Scenario.regions(r) for r in regions] + [Scenario.zones(z) for z in sorted(zones)]:
        naive = {n for n in g.nodes if survival.node_down(g, n, scenario)}
        assert survival.failed_nodes(g, scenario) == naive


def test_memoised_results_are_fresh_lists(estate):
    g = estate(active_passive()).graph
    db = next(n for n in g if n.endswith("/db"))
    copies = survival.data_copies(g, db)
    copies.clear()
    assert survival.data_copies(g, db)
    failed = survival.failed_nodes(g, Scenario.regions(UAE))
    failed.clear()
    assert survival.failed_nodes(g, Scenario.regions(UAE))
    groups = survival.record_groups(g)
    next(iter(groups.values())).clear()
    assert all(survival.record_groups(g).values())


def test_memos_follow_added_nodes_and_forget(estate):
    e = estate(active_passive(replica_region=BAHRAIN))
    g = e.graph
    db = e.id("db")
    before = {c.id for c in survival.data_copies(g, db)}
    assert not survival.assess(g, "shop", Scenario.regions(UAE, BAHRAIN)).data_intact
    # a new node (a copy in Ireland): the node count changes, the memos are rebuilt
    g.add_node("ireland-copy", id="ireland-copy", provider="aws", account="", region=IRELAND, kind="database",
               type="AWS::RDS::DBInstance", name="ireland-copy", zones=(), tags={}, attrs={"role": "replica"},
               workloads=("shop",), stub=False, source="test", observed_at="")
    g.add_edge(db, "ireland-copy", key="replicates_to", kind="replicates_to", source="test",
               attrs={"promotable": True})
    assert {c.id for c in survival.data_copies(g, db)} == before | {"ireland-copy"}
    assert "ireland-copy" in graph_module.workload_nodes(g, "shop")
    assert IRELAND in survival.regions_of(g, "shop")
    # an edge alone between existing nodes is not noticed until forget(): the graph is read-only once built
    bucket = e.id("assets")
    assert "ireland-copy" not in {c.id for c in survival.data_copies(g, bucket)}
    g.add_edge(bucket, "ireland-copy", key="replicates_to", kind="replicates_to", source="test", attrs={})
    assert "ireland-copy" not in {c.id for c in survival.data_copies(g, bucket)}
    survival.forget(g)
    assert "ireland-copy" in {c.id for c in survival.data_copies(g, bucket)}


def test_passing_only_failed_reads_gives_the_same_answers(estate):
    e = estate(active_passive())
    g = e.graph
    coverage = [Coverage("aws", "123456789012", IRELAND, "rds", "denied", "x"),
                Coverage("aws", "123456789012", IRELAND, "ec2", "ok", ""),
                Coverage("aws", "123456789012", "global", "s3:replication", "error", "x"),
                Coverage("aws", "123456789012", UAE, "rds:tags", "denied", "x")]
    failed = [c for c in coverage if not c.ok]
    for scenario in (Scenario.regions(UAE), Scenario.regions(IRELAND), Scenario.zones("mec1-az1")):
        assert survival.assess(g, "shop", scenario, coverage=coverage) == \
            survival.assess(g, "shop", scenario, coverage=failed)
        for node in g.nodes:
            assert survival.data_outcome(g, node, scenario, coverage=coverage) == \
                survival.data_outcome(g, node, scenario, coverage=failed)
            assert survival.dependency_outcome(g, node, scenario, coverage=coverage) == \
                survival.dependency_outcome(g, node, scenario, coverage=failed)
    assert survival.assess(g, "shop", Scenario.regions(UAE), coverage=coverage).unknown


def test_survival_never_counts_edges(estate, monkeypatch):
    """Counting a MultiDiGraph's edges is O(nodes): once done per backups_of call, it made the data
    rules quadratic in the estate (46 s of analysis for 6,500 resources)."""
    for path in sorted(FIXTURES.glob("RES-*.yaml")):
        for case in yaml.safe_load(path.read_text())["cases"]:
            e = estate(case)

            def refuse(*args, **kwargs):
                raise AssertionError("the edge count was computed during analysis")

            monkeypatch.setattr(e.graph, "number_of_edges", refuse)
            monkeypatch.setattr(e.graph, "size", refuse)
            rules = tuple(r for r in REGISTRY if r.id.split("-")[1] in FAMILIES)
            findings = run_rules(e.ctx(tuple(case.get("audited", ()))), rules)
            assert not [f for f in findings if f.resource.startswith("rule:")], [f.message for f in findings]


def _policy(text: str):
    return parse_policy(text, "<test>")


def test_workload_matching_index_gives_the_same_membership():
    """assign_workloads tests each node against the specs that could match it (by resource id, by a
    tag pair, resource groups always): the same membership as testing every spec."""
    policy = _policy("""
version: 1
workloads:
  by-tag: {match: {tags: {app: shop, env: prod}}}
  by-other-tag: {match: {tags: {env: prod, app: shop}}}
  by-one-tag: {match: {tags: {team: payments}}}
  by-id: {match: {resources: ["arn:aws:rds:me-central-1:1:db:b", "arn:aws:rds:me-central-1:1:db:c"]}}
  by-group: {match: {resource_groups: [RG-One]}}
  mixed: {match: {tags: {app: shop}, resources: ["arn:aws:rds:me-central-1:1:db:d"]}}
  empty: {}
""")

    def res(rid, **tags):
        return Resource(id=rid, provider="aws", account="1", region="me-central-1", kind="database",
                        type="AWS::RDS::DBInstance", name=rid, source="test", observed_at="", tags=tags)

    azure = "/subscriptions/s/resourceGroups/rg-one/providers/Microsoft.Sql/servers/x"
    inventory = Inventory(resources=[
        res("arn:aws:rds:me-central-1:1:db:a", app="shop", env="prod"),
        res("arn:aws:rds:me-central-1:1:db:b", app="shop"),
        res("arn:aws:rds:me-central-1:1:db:c", team="payments", env="prod"),
        res("arn:aws:rds:me-central-1:1:db:d"),
        res("arn:aws:rds:me-central-1:1:db:e", env="prod", **{"resilience:workload": "tagged"}),
        res(azure, app="shop"),
    ], edges=[Edge(src="arn:aws:rds:me-central-1:1:db:d", dst="arn:aws:rds:eu-west-1:1:db:copy",
                   kind="replicates_to", source="test")])
    g = build_graph(inventory, policy)
    got = {n: d["workloads"] for n, d in g.nodes(data=True)}

    naive = nx.MultiDiGraph()
    for n, d in g.nodes(data=True):
        names = {d["tags"]["resilience:workload"]} if d["tags"].get("resilience:workload") else set()
        names |= {s.name for s in policy.workloads.values()
                  if not s.match.is_empty() and graph_module._matches(n, d, s.match)}
        naive.add_node(n, names=tuple(sorted(names)))
    expected = {n: d["names"] for n, d in naive.nodes(data=True)}
    expected["arn:aws:rds:eu-west-1:1:db:copy"] = expected["arn:aws:rds:me-central-1:1:db:d"]  # inherited
    assert got == expected
    assert got["arn:aws:rds:me-central-1:1:db:a"] == ("by-other-tag", "by-tag", "mixed")
    assert got["arn:aws:rds:me-central-1:1:db:b"] == ("by-id", "mixed")
    assert got["arn:aws:rds:me-central-1:1:db:d"] == ("mixed",)
    assert got[azure] == ("by-group", "mixed")


def _bench():
    spec = importlib.util.spec_from_file_location("bench_scan", ROOT / "benchmarks" / "bench_scan.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_times_each_rule_without_changing_results(estate):
    bench = _bench()
    case = yaml.safe_load((FIXTURES / "RES-DATA-002.yaml").read_text())["cases"][0]
    times: dict[str, float] = {}
    timed = bench.timed_rules(times)
    assert [r.id for r in timed] == [r.id for r in REGISTRY]
    plain = [f.to_dict() for f in run_rules(estate(case).ctx(), REGISTRY)]
    assert [f.to_dict() for f in run_rules(estate(case).ctx(), timed)] == plain
    assert set(times) == {r.id for r in REGISTRY}
    results = {"untraced": {"analyse_breakdown_s": {**{k: round(v, 3) for k, v in times.items()}, "other": 0.5}}}
    table = bench.rule_table(results, top=3)
    assert "analyse: rule" in table and "other rules" in table and "analyse total" in table


def test_rule_populations_follow_the_graph(estate):
    from resilience.rules._common import data_stores

    e = estate(active_passive())
    ctx = e.ctx()
    before = list(data_stores(ctx))
    assert e.id("db") in before and e.id("db-replica") not in before  # the copy is judged through its source
    assert list(data_stores(ctx)) == before  # kept per graph
    e.graph.add_node("new-db", id="new-db", provider="aws", account="", region=UAE, kind="database",
                     type="AWS::RDS::DBInstance", name="new-db", zones=("mec1-az1",), tags={}, attrs={},
                     workloads=(), stub=False, source="test", observed_at="")
    assert list(data_stores(ctx)) == sorted([*before, "new-db"])
    assert "new-db" in list(data_stores(ctx, frozenset({"database"})))
    e.graph.nodes["new-db"]["kind"] = "volume"  # in place: not noticed until forget()
    assert "new-db" in list(data_stores(ctx, frozenset({"database"})))
    survival.forget(e.graph)
    assert "new-db" not in list(data_stores(ctx, frozenset({"database"})))
