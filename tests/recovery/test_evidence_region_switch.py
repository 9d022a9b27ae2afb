"""ARC Region switch plan executions as failover-test evidence (``evidence_sources.from_region_switch``).

moto has no ARC model: the plan and its executions are the recorded responses of
``tests/collectors/data/arc/responses.json`` (validated against botocore's output shapes in
``tests/collectors/test_aws_edge_services.py``), run through the real ``arc`` transforms.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from resilience.collectors.aws import arc
from resilience.collectors.aws.common import Scope
from resilience.evidence_sources import SOURCE_RULES, failover_tests, for_workload
from resilience.graph import build_graph
from resilience.model import DATABASE, Inventory
from resilience.policy import parse_policy

RECORDED = json.loads((Path(__file__).resolve().parents[1] / "collectors" / "data" / "arc" / "responses.json").read_text())
SCOPE = Scope(account="123456789012", partition="aws", region="global", observed_at="2026-10-01T12:00:00Z")
POLICY = parse_policy("version: 1\nworkloads:\n  pay: {match: {tags: {app: pay}}}\n", "test.yaml")


def _records(executions: list[dict]) -> list:
    plan = RECORDED["get_plan"]["plan"]
    inv = arc.transform_plans([plan], SCOPE)
    inv.extend(arc.transform_executions(executions, plan, SCOPE))
    cluster = Scope(account="123456789012", partition="aws", region="me-central-1", observed_at=SCOPE.observed_at)
    inv.resources.append(cluster.resource(id="arn:aws:rds:me-central-1:123456789012:cluster:pay-a", kind=DATABASE,
                                          type="AWS::RDS::DBCluster", name="pay-a", source="test", tags={"app": "pay"}))
    return failover_tests(build_graph(Inventory(resources=inv.resources, edges=inv.edges), POLICY), POLICY)


def test_completed_execution_is_a_region_exercise_with_its_recovery_time():
    records = _records(RECORDED["list_plan_executions"]["items"])
    [record] = for_workload(records, "pay", "region")  # the in-progress execution is no evidence
    assert record.source == "arc" and record.kind == "exercise" and record.result == "pass"
    assert record.measured_rto == 18 * 60 + 30
    assert record.date == dt.date(2026, 9, 10) and record.timestamp == "2026-09-10T10:21:00Z"
    assert record.record_id.endswith("/execution/ex-1") and "recovery took" in record.detail
    assert record.counts_as_test


def test_failed_and_timed_out_executions_fail_and_post_recovery_is_ignored():
    base = RECORDED["list_plan_executions"]["items"][0]
    runs = [dict(base, executionId="f1", executionState="failed"),
            dict(base, executionId="t1", executionState="planExecutionTimedOut", actualRecoveryTime=None),
            dict(base, executionId="p1", executionAction="postRecovery"),
            dict(base, executionId="c1", executionState="canceled")]
    results = {r.record_id.rsplit("/", 1)[-1]: r.result for r in _records(runs)}
    assert results == {"f1": "fail", "t1": "fail"}


def test_source_rule_is_documented():
    assert "actualRecoveryTime" in SOURCE_RULES["arc"]
    doc = (Path(__file__).resolve().parents[2] / "docs" / "recovery-model.md").read_text()
    assert "ARC Region switch" in doc
