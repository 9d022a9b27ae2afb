"""Rules whose work is per workload (``Rule.per_workload``): the check is derived from it, one source of
truth, and the engine's batches of workloads (what a Dask cluster runs: :mod:`resilience.fanout`) give the
single process's results, in its order, a broken rule included."""

from __future__ import annotations

import dataclasses
import inspect
import pickle
from pathlib import Path

import pytest
import yaml
from resilience.rules import BY_ID, REGISTRY

from resilience.engine import evaluate, findings_of, rule_results
from resilience.graph import workload_names
from resilience.rule import EachWorkload, Rule

FIXTURES = Path(__file__).parent / "fixtures"
PER_WORKLOAD = [rule for rule in REGISTRY if rule.per_workload is not None]

#: two workloads with objectives (one with a recorded test), one without, one declared with no resource:
#: every per-workload family has something to say
POLICY = {
    "version": 1,
    "workloads": {
        "gulfy": {"match": {"tags": {"resilience:workload": "gulfy"}},
                  "objectives": {"region": {"rto": "1h", "rpo": "5m"}, "az": {"rto": "5m", "rpo": "0s"}}},
        "tri": {"match": {"tags": {"resilience:workload": "tri"}}, "objectives": {"region": {"rto": "4h"}}},
        "ghost": {"match": {"tags": {"app": "ghost"}}, "objectives": {"region": {"rto": "1h"}}},
    },
    "failover_tests": [{"workload": "gulfy", "scenario": "region", "date": "2026-09-01", "result": "fail",
                        "measured_rto": "2h", "evidence": "https://tickets.example.com/DR-1"}],
}


def _cases():
    for path in sorted(FIXTURES.glob("RES-*.yaml")):
        for index, case in enumerate(yaml.safe_load(path.read_text())["cases"]):
            yield pytest.param(case, id=f"{path.stem}-{index}")


def _with_objectives() -> dict:
    case = yaml.safe_load((FIXTURES / "RES-CORRELATED-002.yaml").read_text())["cases"][0]
    return {**case, "policy": POLICY}


def test_the_workload_rules_declare_their_work_once():
    ids = {rule.id for rule in PER_WORKLOAD}
    assert {"RES-OBJECTIVE-001", "RES-OBJECTIVE-002", "RES-OBJECTIVE-003", "RES-TEST-001", "RES-TEST-002",
            "RES-TEST-003", "RES-REGIONAL-001", "RES-ZONAL-001", "RES-CORRELATED-002"} <= ids
    for rule in PER_WORKLOAD:  # the documentation is the per-workload function's docstring, unchanged
        assert isinstance(rule.check, EachWorkload) and rule.check.per_workload is rule.per_workload
        assert inspect.getdoc(rule.check) == inspect.getdoc(rule.per_workload) and len(rule.check.__doc__) > 80


def test_a_rule_gives_check_or_per_workload_not_both():
    rule = PER_WORKLOAD[0]
    with pytest.raises(ValueError, match="not both"):
        dataclasses.replace(rule, check=lambda ctx: [])
    assert dataclasses.replace(rule, check=lambda ctx: [], per_workload=None).per_workload is None
    moved = dataclasses.replace(rule, severity="low")  # the derived check follows the rule
    assert moved.check == rule.check and moved.check.per_workload is rule.per_workload
    with pytest.raises(ValueError, match="check is not callable"):
        dataclasses.replace(rule, per_workload=None, check=None)


@pytest.mark.parametrize("case", [*_cases(), pytest.param(_with_objectives(), id="objectives-and-tests")])
def test_check_is_per_workload_over_workload_names(case, estate):
    ctx = estate(case).ctx(tuple(case.get("audited", ())))
    names = workload_names(ctx.graph, ctx.policy)
    for rule in PER_WORKLOAD:
        assert list(rule.check(ctx)) == [r for name in names for r in rule.per_workload(ctx, name)], rule.id


class InProcessFanout:
    """:class:`resilience.fanout.Fanout`'s contract without a cluster: batches of ``size`` names, each given its
    own copy of the shared object (as a worker gets one), run when the answers are asked for."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.batches: list[list[str]] = []

    def submit_batches(self, task, shared, names, *args):
        batches = [list(names[i:i + self.size]) for i in range(0, len(names), self.size)]
        self.batches += batches
        copied = pickle.loads(pickle.dumps(shared))
        return lambda: [answer for batch in batches for answer in task(copied, batch, *args)]


def _summary(ctx, name):
    return (name, len(ctx.graph))


def test_batches_of_workloads_give_the_single_process_results(estate):
    ctx = estate(_with_objectives()).ctx()
    names = workload_names(ctx.graph, ctx.policy)
    assert len(names) >= 4
    here, summaries = evaluate(ctx, REGISTRY, also=_summary)
    fanout = InProcessFanout(size=1)
    there, summaries_there = evaluate(ctx, REGISTRY, fanout=fanout, also=_summary)
    assert fanout.batches == [[n] for n in names]
    assert there == here and summaries_there == summaries == [(n, len(ctx.graph)) for n in names]
    by_rule = {rule.id: results for rule, results in zip(REGISTRY, here, strict=True)}
    for rule_id in ("RES-OBJECTIVE-002", "RES-TEST-003", "RES-REGIONAL-001", "RES-ZONAL-001", "RES-CORRELATED-002"):
        assert by_rule[rule_id], rule_id  # the estate gives every family something to say
    assert [f.id for f in findings_of(ctx, REGISTRY, there)] == [f.id for f in findings_of(ctx, REGISTRY, here)]


def _breaks_on_the_second(ctx, workload):
    """Raises for the second workload: the rule is reported broken, once."""
    if workload == workload_names(ctx.graph, ctx.policy)[1]:
        raise RuntimeError(f"no answer for {workload}")
    yield from BY_ID["RES-OBJECTIVE-001"].per_workload(ctx, workload)


def test_a_rule_that_raises_for_one_workload_is_one_unknown_result_as_in_one_process(estate):
    ctx = estate(_with_objectives()).ctx()
    model = BY_ID["RES-OBJECTIVE-001"]
    broken = Rule(id="RES-TEST-901", title="t", category=model.category, severity="low", controls=model.controls,
                  rationale="r", remediation="x", per_workload=_breaks_on_the_second)
    rules = [model, broken, BY_ID["RES-COVERAGE-001"], BY_ID["RES-OBJECTIVE-002"]]
    here, _ = evaluate(ctx, rules)
    [error] = here[1]  # the first workload's results are not kept: the single process stops at the error
    assert error == rule_results(broken, ctx)[0] and error.status == "unknown" and "no answer for" in error.message
    for size in (1, 2, 100):
        there, _ = evaluate(ctx, rules, fanout=InProcessFanout(size))
        assert there == here, size
