"""The tabletop pack: injects, per-workload answer key, blast radius picture, questions, A1.3 evidence."""

from __future__ import annotations

import re

import yaml

from resilience import simulate, tabletop
from resilience.policy import parse_policy
from tests.conftest import SCAN_TIME
from tests.simulate import estates


def gulf_pack():
    inventory, policy = estates.combined()
    sim = simulate.run(inventory, policy, "gulf-2026", SCAN_TIME)
    return sim, tabletop.build(sim)


def test_injects_follow_the_scenario_and_predict_each_stage():
    sim, pack = gulf_pack()
    titles = [(i.when, i.title) for i in pack.injects]
    assert titles[0] == ("T+0", "Power loss in zone mec1-az1 (me-central-1)")  # the busiest zone first
    assert ("T+2h", "me-central-1 is lost") in titles
    assert ("T+6h", "me-south-1 is lost too") in titles
    assert titles[-1] == ("T+24h", "me-central-1 and me-south-1 return")
    kinds = {i.kind for i in pack.injects}
    assert {"failure", "information", "personnel", "decision", "restore"} <= kinds
    by_title = {i.title: i for i in pack.injects}
    # a single-AZ workload falls at T+0, the multi-AZ one only when its region goes
    assert "reconciliation" in by_title["Power loss in zone mec1-az1 (me-central-1)"].expected["down"]
    assert "checkout" in by_title["Power loss in zone mec1-az1 (me-central-1)"].expected["survives"]
    assert "checkout" in by_title["me-central-1 is lost"].expected["down"]
    # the replica in the same failure domain carries fx-rates until its region goes too
    assert "fx-rates" in by_title["me-central-1 is lost"].expected["survives"]
    assert "fx-rates" in by_title["me-south-1 is lost too"].expected["down"]
    assert any(c.startswith("**fx-rates**: survives → **down**") for c in by_title["me-south-1 is lost too"].changes)


def test_short_outages_squeeze_the_timeline():
    inventory, policy = estates.combined()
    spec = simulate.build_scenario(name="gulf-2026", duration="4h", policy=policy)
    pack = tabletop.build(simulate.run(inventory, policy, spec, SCAN_TIME))
    assert all(i.at < 4 * 3600 for i in pack.injects if i.kind != "restore")
    assert pack.injects[-1].at == 4 * 3600


def test_zone_only_scenario_has_its_own_timeline():
    inventory, policy = estates.single_az()
    sim = simulate.run(inventory, policy, simulate.build_scenario(zones=["mec1-az1"]), SCAN_TIME)
    pack = tabletop.build(sim)
    assert pack.injects[0].title == "Power loss in zone mec1-az1 (me-central-1)"
    assert pack.injects[0].expected["down"] == ["reconciliation"]
    assert all("region" not in i.title or i.kind != "failure" for i in pack.injects)


def test_markdown_pack_reads_as_a_facilitators_document():
    sim, pack = gulf_pack()
    md = tabletop.render_markdown(pack)
    for heading in ("## At a glance", "## 1. Scenario", "## 2. Timeline of injects",
                    "## 3. Expected outcome per workload", "## 4. Blast radius", "## 5. Questions per team",
                    "## 6. Evidence to collect (SOC 2 A1.3)"):
        assert heading in md
    assert "| payments | **survives** |" in md
    assert "### pay@example.com (payments)" in md  # questions go to the declared owner
    assert "promote-replica) is a decision and an action" in md
    assert "dns-failover) should happen by itself" in md
    assert "- [ ] " in md
    assert "Infinity" not in md and "None" not in md and "1d" not in md.split("## 3.")[0]


def test_mermaid_diagram_of_the_affected_graph():
    sim, pack = gulf_pack()
    diagram = pack.diagram
    assert diagram.startswith("flowchart LR")
    assert 'subgraph region_me_central_1["me-central-1 · LOST"]' in diagram
    ids = re.findall(r"^\s+([A-Za-z0-9_]+)\[\"", diagram, flags=re.M)
    assert len(ids) == len(set(ids))
    assert all(i.lower() not in {"end", "graph", "subgraph"} for i in ids)
    assert "payments_db_replica" in diagram and ":::survivor" in diagram  # the takeover is drawn, green
    assert "mobile_api_eu_west_1" in diagram and ":::impaired" in diagram  # lost through its dependency
    assert re.search(r"checkout_db\[\"checkout-db<br/>database · mec1-az1,mec1-az2\"\]:::lost", diagram)
    assert "subnet" not in diagram  # plumbing is counted under the table, not drawn


def test_failover_tests_snippet_is_valid_policy_yaml():
    sim, pack = gulf_pack()
    snippet = pack.failover_yaml
    records = yaml.safe_load(snippet)["failover_tests"]
    assert {r["workload"] for r in records} == {"checkout", "payments", "mobile-api", "fx-rates", "reconciliation"}
    assert all(r["result"] == "fail" and r["scenario"] == "region" for r in records)  # nobody saw a pass yet
    assert all("measured_rto" not in r for r in records)
    policy = parse_policy(estates.COMBINED_POLICY + snippet + "\n", "resilience.yaml")
    assert len(policy.failover_tests) == 5


def test_html_pack_is_self_contained_with_an_inline_svg():
    sim, pack = gulf_pack()
    page = tabletop.render_html(pack)
    assert page.startswith("<!doctype html>")
    assert "<svg" in page and "language-mermaid" not in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "default-src 'none'" in page
    assert '<input type="checkbox" disabled>' in page
    assert "<table>" in page and "Hatched: lost" in page


def test_pack_for_an_unaffected_estate_still_renders():
    inventory, policy = estates.single_az()
    sim = simulate.run(inventory, policy, simulate.build_scenario(regions=["eu-west-1"]), SCAN_TIME)
    md = tabletop.render_markdown(tabletop.build(sim))
    assert "nothing inventoried in eu-west-1" in md
    assert "| reconciliation | **survives** (not touched) |" in md  # survives because nothing of it failed


# --- wording (issue #11 item 10) ------------------------------------------------------------------


def test_waiting_out_an_outage_reads_as_prose_not_a_model_key():
    inventory, policy = estates.combined()
    spec = simulate.build_scenario(regions=["me-central-1"], duration="1d", policy=policy)
    sim = simulate.run(inventory, policy, spec, SCAN_TIME)
    text = tabletop.render_markdown(tabletop.build(sim))
    assert "shorter than no-copy" not in text and "(unbounded), so" not in text
    waited = [s for w in sim.workloads for s in w.steps if s.get("model_key") == "scenario-duration"]
    assert waited and all("no-copy" not in s["reasoning"] for s in waited)


def test_at_a_glance_never_shows_0s_rpo_for_data_with_no_copy():
    inventory, policy = estates.combined()
    spec = simulate.build_scenario(regions=["me-central-1"], duration="1d", policy=policy)
    sim = simulate.run(inventory, policy, spec, SCAN_TIME)
    lost = [w for w in sim.workloads if w.waited_out and w.lost_data]
    assert lost
    text = tabletop.render_markdown(tabletop.build(sim))
    glance = text.split("## At a glance", 1)[1].split("## 1.", 1)[0]
    for w in lost:
        row = next(line for line in glance.splitlines() if line.startswith(f"| {w.name} |"))
        assert "0s (if the data returns)" not in row
        assert "unbounded (0s only if me-central-1 returns with the data)" in row


def test_a_stale_last_test_is_said_to_be_stale():
    from tests.simulate.estates import ACTIVE_PASSIVE_POLICY

    inventory, _ = estates.active_passive()
    policy = parse_policy(ACTIVE_PASSIVE_POLICY.format(rto="4h", rpo="1h") +
                          "failover_tests:\n  - {workload: payments, scenario: region, date: 2024-01-10, result: pass}\n"
                          "test_max_age: 365d\n", "p.yaml")
    sim = simulate.run(inventory, policy, simulate.build_scenario(regions=["me-central-1"], policy=policy), SCAN_TIME)
    text = tabletop.render_markdown(tabletop.build(sim))
    assert "2024-01-10 (**stale:" in text and "older than test_max_age 365d" in text
