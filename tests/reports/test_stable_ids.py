"""A finding keeps its id across runs, reorderings of the estate and cosmetic message changes."""

from __future__ import annotations

import datetime as dt
import random

from resilience.engine import finding_id

from . import estate


def _ids(result) -> dict[tuple[str, str, str | None], str]:
    return {(f.rule, f.resource, f.workload): f.id for f in result.findings}


def test_same_estate_twice_same_ids():
    assert _ids(estate.scan()) == _ids(estate.scan())


def test_a_later_run_keeps_the_ids():
    later = estate.scan(when=estate.SCAN_TIME + dt.timedelta(days=30))
    assert later.scan["id"] != estate.scan().scan["id"]
    assert _ids(later) == _ids(estate.scan())


def test_reordered_resources_edges_and_coverage_keep_the_ids():
    inv = estate.inventory()
    rng = random.Random(7)
    for items in (inv.resources, inv.edges, inv.coverage):
        items.reverse()
        rng.shuffle(items)
    assert _ids(estate.scan(inv)) == _ids(estate.scan())


def test_reworded_messages_keep_the_ids():
    plain, reworded = estate.scan(), estate.scan(message_style="reworded")
    before = {f.id: f.message for f in plain.findings if f.rule == "RES-TESTREPL-001"}
    after = {f.id: f.message for f in reworded.findings if f.rule == "RES-TESTREPL-001"}
    assert set(before) == set(after)
    assert all(before[i] != after[i] for i in before)


def test_an_unrelated_change_does_not_move_other_ids():
    changed = estate.scan(estate.fixed_and_broken(estate.inventory()))
    base = _ids(estate.scan())
    common = set(base) & set(_ids(changed))
    assert len(common) == len(base)  # every old result still exists, with the same id
    assert all(_ids(changed)[k] == base[k] for k in common)


def test_the_id_is_a_function_of_identity_only():
    assert finding_id("RES-X-001", "arn:1", "w") == finding_id("RES-X-001", "arn:1", "w")
    assert finding_id("RES-X-001", "arn:1", "w") != finding_id("RES-X-001", "arn:1", "v")
    assert finding_id("RES-X-001", "arn:1", None) != finding_id("RES-X-002", "arn:1", None)
