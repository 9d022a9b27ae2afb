"""Issue 10: verdicts that must not be optimistic (cycles, copies that do not exist, copies that are
not primary data, stores judged by their cluster), on small estates."""

from __future__ import annotations

import pytest

from resilience.survival import Scenario, assess

UAE, IRELAND = "me-central-1", "eu-west-1"


def cycle_estate(first: str) -> dict:
    """``svc-a`` and ``svc-b`` depend on each other; ``svc-a`` also reads ``db`` in UAE. ``first`` is
    the function listed first (the workload's nodes are judged in graph order)."""
    functions = {n: {"kind": "function", "region": IRELAND, "workload": "ring"} for n in ("svc-a", "svc-b")}
    ordered = {first: functions[first], **functions}
    return {
        "resources": {**ordered,
                      "db": {"kind": "database", "type": "AWS::DynamoDB::Table", "region": UAE,
                             "attrs": {"pitr": True}}},
        "edges": [["svc-a", "depends_on", "svc-b"], ["svc-b", "depends_on", "svc-a"], ["svc-a", "depends_on", "db"]],
    }


@pytest.mark.parametrize("first", ["svc-a", "svc-b"])
def test_a_node_on_a_cycle_that_is_down_is_never_cached_up(estate, first):
    """a <-> b, a -> db, db lost: b needs a, so b is lost too, whichever is judged first."""
    e = estate(cycle_estate(first))
    impact = assess(e.graph, "ring", Scenario.regions(UAE))
    assert not impact.serving
    assert {e.id("svc-a"), e.id("svc-b")} <= set(impact.lost), impact.lost


def test_a_cycle_with_nothing_lost_still_serves(estate):
    e = estate(cycle_estate("svc-a"))
    impact = assess(e.graph, "ring", Scenario.regions("ap-south-1"))
    assert impact.serving and impact.lost == []
