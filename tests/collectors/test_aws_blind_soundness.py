"""Soundness defects a blind test found (an estate built with boto3 from the public AWS docs, served by
moto, by someone who never saw the code). Each runs the estate through ``collect()`` against in-process
moto, built through the real APIs, then through the rules where the defect showed.
"""

from __future__ import annotations

import datetime as dt

import pytest
from moto import mock_aws
from resilience.rules import REGISTRY

from resilience.collectors.aws import collect
from resilience.policy import parse_policy
from resilience.scan import analyse

from .helpers import ACCOUNT, new_session

PRIMARY, DR = "me-central-1", "eu-central-1"


@pytest.fixture
def moto():
    with mock_aws():
        yield new_session()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _policy(workload: str, objectives: str) -> object:
    return parse_policy(f"version: 1\nworkloads:\n  {workload}:\n    match: {{tags: {{workload: {workload}}}}}\n"
                        f"    objectives: {objectives}\n", "test.yaml")


def _rules(*ids: str) -> tuple:
    return tuple(r for r in REGISTRY if r.id in ids)


def _scan(session, policy, services, rules, regions=(PRIMARY, DR)):
    inv = collect(session, list(regions), observed_at=_now().isoformat(), max_workers=2, services=services)
    return inv, analyse(inv, policy, scan_time=_now(), rules=_rules(*rules)).findings


def _finding(findings, rule: str, disruption: str | None = None, resource: str | None = None):
    return next(f for f in findings if f.rule == rule
                and (disruption is None or f.evidence.get("observed", {}).get("disruption") == disruption)
                and (resource is None or f.resource == resource))


# --- 1. an unscheduled copy gives no RPO -----------------------------------------------------------
def _reports_db(session) -> str:
    rds = session.client("rds", region_name=PRIMARY)
    return rds.create_db_instance(
        DBInstanceIdentifier="reports", DBInstanceClass="db.t3.micro", Engine="postgres", MasterUsername="admin",
        MasterUserPassword="password123", AllocatedStorage=20, MultiAZ=True,
        Tags=[{"Key": "workload", "Value": "reports"}])["DBInstance"]["DBInstanceArn"]


def test_a_manual_snapshot_copied_across_regions_gives_no_region_rpo(moto):
    """The blind estate's ``reports``: RTO 30m / RPO 5m, and its only copy outside the region is ONE manual
    snapshot copied by CopyDBSnapshot, with no backup plan or automation making more. Its RPO was the
    snapshot's age at scan time (seconds), so RES-OBJECTIVE-003 passed until the snapshot aged."""
    _reports_db(moto)
    primary, dr = moto.client("rds", region_name=PRIMARY), moto.client("rds", region_name=DR)
    primary.create_db_snapshot(DBInstanceIdentifier="reports", DBSnapshotIdentifier="reports-adhoc")
    dr.copy_db_snapshot(SourceDBSnapshotIdentifier=f"arn:aws:rds:{PRIMARY}:{ACCOUNT}:snapshot:reports-adhoc",
                        TargetDBSnapshotIdentifier="reports-adhoc-dr", SourceRegion=PRIMARY)

    _, findings = _scan(moto, _policy("reports", "{region: {rto: 30m, rpo: 5m}}"), ["rds", "backup"],
                        ["RES-OBJECTIVE-003"])

    rpo = _finding(findings, "RES-OBJECTIVE-003", "region")
    assert rpo.status == "fail"
    assert rpo.evidence["observed"]["rpo"] is None and rpo.evidence["observed"]["unbounded"] is True
    [step] = [s for s in rpo.evidence["steps"] if s["rpo_unbounded"]]
    assert step["model_key"] == "restore-cross-region-copy" and step["to"].endswith(":snapshot:reports-adhoc-dr")
    assert "latest copy reports-adhoc-dr" in step["reasoning"] and "made by hand" in step["reasoning"]
    assert "no schedule or rule makes another" in step["reasoning"]
