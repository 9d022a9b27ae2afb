"""The tabletop's stages and the blast radius give the engine's answers, however they are computed.

The tabletop reuses the simulation's outcomes for the stage that is the simulated scenario, and the blast
radius follows lost members to their clusters instead of re-scanning the graph: these tests compare both
with the plain computation (every workload asked again at every stage; the graph scanned to a fixed
point), on estates where a stage reaches a workload only through another region.
"""

from __future__ import annotations

import pytest

from resilience import simulate, survival, tabletop
from resilience.graph import build_graph
from resilience.model import (
    DATABASE,
    DEPENDS_ON,
    GLOBAL_DATABASE,
    MEMBER_OF,
    ROUTES_TO,
    Edge,
    Inventory,
)
from resilience.policy import parse_policy
from tests.conftest import SCAN_TIME
from tests.simulate import estates
from tests.simulate.estates import _web_stack, arn, res

ZONES_POLICY = """version: 1
workloads:
  ledger: {match: {tags: {app: ledger}}}
  front: {match: {tags: {app: front}}}
  zonal: {match: {tags: {app: zonal}}}
  spread: {match: {tags: {app: spread}}}
  steady: {match: {tags: {app: steady}}}
"""


def cross_region_dependency() -> tuple[Inventory, object]:
    """front runs in eu-central-1 on two zones but reads ledger's single-zone database in mec1-az1;
    zonal sits in mec1-az2 only, spread on all three me-central-1 zones, steady in eu-west-1.
    mec1-az1 holds the most workload resources (the tabletop's first zone), then mec1-az2."""
    resources, edges = [], []
    for app, region, zones in (("ledger", "me-central-1", ("mec1-az1",)),
                               ("front", "eu-central-1", ("euc1-az1", "euc1-az2")),
                               ("zonal", "me-central-1", ("mec1-az2",)),
                               ("spread", "me-central-1", ("mec1-az1", "mec1-az2", "mec1-az3")),
                               ("steady", "eu-west-1", ("euw1-az1", "euw1-az2"))):
        stack, stack_edges, _lb, asg = _web_stack(app, region, zones)
        resources += stack
        edges += stack_edges
        if app == "ledger":
            ledger_asg = asg
        if app == "front":
            front_asg = asg
    db = arn("rds", "me-central-1", "db:ledger-db")
    resources.append(res(db, "database", zones=("mec1-az1",), tags={"app": "ledger"}, type_="AWS::RDS::DBInstance",
                         attrs={"engine": "postgres", "role": "primary"}))
    edges += [Edge(ledger_asg, db, DEPENDS_ON, "test"), Edge(front_asg, db, DEPENDS_ON, "test")]
    return Inventory(resources=resources, edges=edges), parse_policy(ZONES_POLICY, "p.yaml")


def plain_injects(sim: simulate.Simulation, monkeypatch: pytest.MonkeyPatch) -> list[tabletop.Inject]:
    """The injects with every workload asked again at every stage: nothing reused."""
    with monkeypatch.context() as m:
        m.setattr(tabletop, "_state", lambda sim, stage, *_, **__: {
            w.name: simulate.evaluate(sim.graph, sim.policy, stage, w.name, coverage=sim.coverage)
            for w in sim.workloads})
        return tabletop.build_injects(sim)


@pytest.mark.parametrize("estate, scenario", [
    (cross_region_dependency, {"regions": ["me-central-1"]}),
    (cross_region_dependency, {"regions": ["me-central-1"], "zones": ["euc1-az1"], "duration": "6h"}),
    (estates.combined, {"name": "gulf-2026"}),
    (estates.combined, {"regions": ["me-south-1", "me-central-1"]}),
    (estates.combined, {"zones": ["mec1-az1", "mec1-az2"]}),
])
def test_every_stage_is_the_engines_answer_for_it(estate, scenario, monkeypatch):
    inventory, policy = estate()
    sim = simulate.run(inventory, policy, simulate.build_scenario(policy=policy, **scenario), SCAN_TIME)
    got = tabletop.build_injects(sim)
    want = plain_injects(sim, monkeypatch)
    assert [(i.title, i.expected, i.changes) for i in got] == [(i.title, i.expected, i.changes) for i in want]
    assert any(i.expected for i in got)


def test_a_zone_reaches_a_workload_in_another_region_through_its_dependency():
    inventory, policy = cross_region_dependency()
    sim = simulate.run(inventory, policy, simulate.build_scenario(regions=["me-central-1"]), SCAN_TIME)
    failures = [i for i in tabletop.build_injects(sim) if i.kind == "failure"]
    assert [i.title for i in failures] == ["Power loss in zone mec1-az1 (me-central-1)",
                                           "Second zone mec1-az2 goes dark", "me-central-1 is lost"]
    first, second, region = failures
    # front has nothing in me-central-1 but the database it reads, a zone away from its own
    assert first.expected["down"] == ["front", "ledger"]
    assert any(c.startswith("**front**: survives → **down**") and "ledger-db" in c for c in first.changes)
    assert second.expected["down"] == ["front", "ledger", "zonal"]
    assert [c.split(":")[0] for c in second.changes] == ["**zonal**"]
    assert region.expected["down"] == ["front", "ledger", "spread", "zonal"]
    assert region.expected["survives"] == ["steady"]
    # the region stage is the simulation itself
    assert {o: sorted(w.name for w in sim.workloads if w.outcome == o) for o in simulate.OUTCOMES} == region.expected


def clustered_estate() -> tuple[Inventory, object]:
    """Clusters lost through their members: an eu-west-1 cluster whose instances read a secret held only in
    me-central-1, joined in a global database with a me-central-1 cluster; and a global database of two
    clusters in the two Gulf regions."""
    secret = arn("secretsmanager", "me-central-1", "secret:ledger-secret")
    west = arn("rds", "eu-west-1", "cluster:ledger-west")
    gulf = arn("rds", "me-central-1", "cluster:ledger-gulf")
    south = arn("rds", "me-south-1", "cluster:ledger-south")
    instances = [arn("rds", "eu-west-1", f"db:ledger-west-{i}") for i in (1, 2)]
    global_db, gulf_db = arn("rds", "global", "global-cluster:ledger"), arn("rds", "global", "global-cluster:gulf")
    tags = {"app": "ledger"}
    resources = [
        res(secret, "secret", tags=tags, type_="AWS::SecretsManager::Secret"),
        res(west, DATABASE, region="eu-west-1", tags=tags, type_="AWS::RDS::DBCluster"),
        res(gulf, DATABASE, tags=tags, type_="AWS::RDS::DBCluster"),
        res(south, DATABASE, region="me-south-1", tags=tags, type_="AWS::RDS::DBCluster"),
        res(global_db, GLOBAL_DATABASE, region="global", tags=tags, type_="AWS::RDS::GlobalCluster"),
        res(gulf_db, GLOBAL_DATABASE, region="global", tags=tags, type_="AWS::RDS::GlobalCluster"),
        *[res(i, DATABASE, region="eu-west-1", zones=(f"euw1-az{n}",), tags=tags, type_="AWS::RDS::DBInstance")
          for n, i in enumerate(instances, 1)],
    ]
    edges = [Edge(i, secret, DEPENDS_ON, "test") for i in instances]
    edges += [Edge(i, west, MEMBER_OF, "test") for i in instances]
    edges += [Edge(west, global_db, MEMBER_OF, "test"), Edge(gulf, global_db, MEMBER_OF, "test"),
              Edge(gulf, gulf_db, MEMBER_OF, "test"), Edge(south, gulf_db, MEMBER_OF, "test")]
    return Inventory(resources=resources, edges=edges), parse_policy(
        "version: 1\nworkloads:\n  ledger: {match: {tags: {app: ledger}}}\n", "p.yaml")


def fixed_point(graph, spec: simulate.ScenarioSpec) -> dict[str, str]:
    """The blast radius's losses through dependencies as first written: the whole graph scanned again
    until nothing changes. ``{node: reason}``."""
    down = set(survival.failed_nodes(graph, spec.core))
    reasons: dict[str, str] = {}

    def available(node: str) -> bool:
        return survival.dependency_outcome(graph, node, spec.core).ok

    changed = True
    while changed:
        changed = False
        for node in graph.nodes:
            if node in down:
                continue
            reason, routes = None, []
            for _, dst, key in graph.out_edges(node, keys=True):
                if key == DEPENDS_ON and not available(dst):
                    reason = f"depends on {simulate.name_of(graph, dst)}"
                    break
                if key == ROUTES_TO:
                    routes.append(dst)
            if reason is None and routes and not any(available(r) for r in routes):
                reason = "routes only to " + ", ".join(sorted(simulate.name_of(graph, r) for r in routes)[:3])
            if reason is None and graph.nodes[node].get("kind") in (DATABASE, GLOBAL_DATABASE):
                members = [src for src, _, key in graph.in_edges(node, keys=True) if key == MEMBER_OF]
                if members and all(m in down for m in members):
                    reason = "all its members are lost"
            if reason:
                down.add(node)
                reasons[node] = reason
                changed = True
    return reasons


@pytest.mark.parametrize("estate, scenario", [
    (clustered_estate, {"regions": ["me-central-1"]}),
    (clustered_estate, {"name": "gulf-2026"}),
    (estates.combined, {"name": "gulf-2026"}),
    (estates.combined, {"zones": ["mec1-az1"]}),
])
def test_blast_radius_reaches_the_same_fixed_point(estate, scenario):
    inventory, policy = estate()
    graph = build_graph(inventory, policy)
    spec = simulate.build_scenario(policy=policy, **scenario)
    blast = simulate.blast_radius(graph, spec)
    assert {e.id: e.reason for e in blast.entries if e.how == "dependency"} == fixed_point(graph, spec)


def test_clusters_are_lost_when_their_members_are_lost_through_dependencies():
    inventory, policy = clustered_estate()
    graph = build_graph(inventory, policy)
    reasons = {e.name: e.reason for e in simulate.blast_radius(
        graph, simulate.build_scenario(regions=["me-central-1"])).entries}
    assert reasons["ledger-west-1"] == reasons["ledger-west-2"] == "depends on ledger-secret"
    assert reasons["ledger-west"] == "all its members are lost"  # its instances, through the secret
    assert reasons["ledger"] == "all its members are lost"  # the global database: that cluster and the Gulf one
    assert "gulf" not in reasons  # me-south-1's cluster still stands
    gulf = {e.name: e.reason for e in simulate.blast_radius(graph, simulate.build_scenario(name="gulf-2026")).entries}
    assert gulf["gulf"] == "all its members are lost"
