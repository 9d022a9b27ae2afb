"""evidence_sources.failover_tests: every source into one record shape.

* policy file records: parsed by the real loader;
* AWS FIS: experiments created, run and stopped in moto (``MOTO_ALLOW_NONEXISTENT_REGION`` lets
  moto's FIS serve me-central-1), read by the real collector (``collectors/aws/fis.py``);
* AWS Backup restore jobs and AWS Resilience Hub assessments: moto does not model them, so the
  real collector reads **recorded responses through botocore's Stubber** (shapes validated against
  the service model), then the same transforms run;
* graph-level cases for the scenario inference and status mapping.
"""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
from botocore.stub import Stubber

from resilience.collectors.aws import backup as backup_collector
from resilience.collectors.aws import fis as fis_collector
from resilience.collectors.aws import resiliencehub as hub_collector
from resilience.collectors.aws.common import Scope
from resilience.evidence_sources import (
    REGION_ACTIONS,
    TestRecord,
    failover_tests,
    for_workload,
    infer_fis_scenario,
)
from resilience.model import FAULT_EXPERIMENT, RESTORE_TEST, Inventory
from resilience.policy import parse_policy

from .builders import ACCOUNT, AWAY, HOME, SCAN_TIME, Estate, arn, policy_with

POLICY = policy_with("{region: {rto: 1h}, az: {rto: 15m}}", tests="""\
  - {workload: shop, scenario: region, date: 2026-09-14, result: pass, measured_rto: 38m, measured_rpo: 1m,
     evidence: "https://tickets.example.com/DR-2231", notes: Route 53 failover}
""")


def scope(region: str = HOME) -> Scope:
    return Scope(account=ACCOUNT, partition="aws", region=region, observed_at=SCAN_TIME.isoformat())


def records_for(e: Estate, extra: Inventory | None = None, policy_text: str = POLICY) -> list[TestRecord]:
    policy = parse_policy(policy_text, "test.yaml")
    inventory = e.inventory()
    if extra is not None:
        inventory.extend(extra)
    from resilience.graph import build_graph

    return failover_tests(build_graph(inventory, policy), policy)


# --- policy ---------------------------------------------------------------------------------------


def test_policy_records_keep_their_file_line_and_link():
    [r] = records_for(Estate())
    assert (r.workload, r.scenario, r.date, r.result, r.source, r.kind) == \
        ("shop", "region", dt.date(2026, 9, 14), "pass", "policy", "exercise")
    assert r.measured_rto == 38 * 60 and r.measured_rpo == 60
    assert r.record_id == "test.yaml:7" and r.link == "https://tickets.example.com/DR-2231"
    assert r.detail == "Route 53 failover" and r.counts_as_test
    assert r.to_dict()["date"] == "2026-09-14"


# --- AWS FIS through moto -------------------------------------------------------------------------


@pytest.fixture
def moto_fis(monkeypatch):
    moto = pytest.importorskip("moto")
    monkeypatch.setenv("MOTO_ALLOW_NONEXISTENT_REGION", "true")
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_FIS"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with moto.mock_aws():
        yield boto3.client("fis", region_name=HOME)


def _run_experiment(fis, token: str, action: str, target_arn: str, *, params=None, tags=None, finish: str):
    from moto.moto_api import state_manager

    template = fis.create_experiment_template(
        clientToken=token, description=token, roleArn=f"arn:aws:iam::{ACCOUNT}:role/fis",
        stopConditions=[{"source": "none"}],
        targets={"t": {"resourceType": "aws:ec2:autoscaling-group", "resourceArns": [target_arn],
                       "selectionMode": "ALL"}},
        actions={"a": {"actionId": action, "targets": {"AutoScalingGroups": "t"},
                       "parameters": params or {"duration": "PT10M"}}},
        tags=tags or {},
    )["experimentTemplate"]
    experiment = fis.start_experiment(clientToken=f"{token}-run", experimentTemplateId=template["id"],
                                      tags=tags or {})["experiment"]
    if finish == "stopped":
        fis.stop_experiment(id=experiment["id"])
    else:
        state_manager.set_transition(model_name="fis::experiment", transition={"progression": "immediate"})
        try:
            fis.get_experiment(id=experiment["id"])
        finally:
            state_manager.unset_transition("fis::experiment")
    return experiment["id"]


def test_fis_experiments_from_moto_become_records(moto_fis):
    e = Estate()
    web = e.web_tier()
    az_id = _run_experiment(moto_fis, "az-drill", "aws:ec2:asg-insufficient-instance-capacity-error", web["asg"],
                            params={"duration": "PT20M", "availabilityZoneIdentifiers": "mec1-az1"}, finish="completed")
    region_id = _run_experiment(moto_fis, "region-drill", "aws:network:route-table-disrupt-cross-region-connectivity",
                                web["asg"], finish="stopped", tags={"app": "shop"})
    other_id = _run_experiment(moto_fis, "cpu", "aws:ssm:send-command", web["asg"], finish="completed")

    experiments = fis_collector.get_experiments(moto_fis)
    extra = fis_collector.transform_experiments(experiments, scope())
    extra.extend(fis_collector.transform_templates(fis_collector.get_templates(moto_fis), scope()))
    records = {r.record_id.rsplit("/", 1)[-1]: r for r in records_for(e, extra) if r.source == "fis"}
    assert set(records) == {az_id, region_id, other_id}  # templates are not runs

    az = records[az_id]
    assert (az.workload, az.scenario, az.result, az.kind) == ("shop", "az", "pass", "exercise")
    assert az.scenario_basis == "zonal action aws:ec2:asg-insufficient-instance-capacity-error"
    assert az.link == f"https://{HOME}.console.aws.amazon.com/fis/home?region={HOME}#ExperimentDetails:ExperimentId={az_id}"
    assert az.record_id == f"arn:aws:fis:{HOME}:{ACCOUNT}:experiment/{az_id}"

    region = records[region_id]
    assert (region.scenario, region.result) == ("region", "fail")  # stopped: a stop condition fired
    assert "stopped" in region.detail

    other = records[other_id]
    assert other.scenario is None and not other.counts_as_test
    assert "not counted as an az or region test" in other.scenario_basis


def test_fis_scenario_inference_rules():
    assert infer_fis_scenario({"actions": ["aws:ec2:stop-instances"]}, {"resilience:scenario": "region"}) == \
        ("region", "tag resilience:scenario=region")
    for action in REGION_ACTIONS:
        assert infer_fis_scenario({"actions": [action]}, {})[0] == "region"
    assert infer_fis_scenario({"actions": {"a": {"actionId": "aws:ec2:stop-instances",
                                                 "parameters": {"availabilityZoneIdentifier": "mec1-az1"}}}},
                              {})[0] == "az"
    assert infer_fis_scenario({"actions": ["aws:ec2:stop-instances"],
                               "target_filters": [{"path": "Placement.AvailabilityZone", "values": ["a"]}]}, {})[0] == "az"
    assert infer_fis_scenario({"actions": ["aws:ec2:stop-instances"]}, {})[0] is None


def test_fis_runs_in_progress_or_cancelled_are_not_evidence():
    e = Estate()
    for status in ("running", "pending", "cancelled", "stopping"):
        e.add(arn("fis", HOME, f"experiment/{status}"), FAULT_EXPERIMENT, "AWS::FIS::Experiment",
              attrs={"status": status, "started_at": "2026-11-01T10:00:00Z",
                     "actions": ["aws:rds:failover-db-cluster"]})
    assert [r for r in records_for(e) if r.source == "fis"] == []


# --- AWS Backup restore jobs (recorded responses, Stubber) -----------------------------------------

RESTORE_JOBS = {"RestoreJobs": [
    {   # restored into eu-central-1 from a me-central-1 source: a region test
        "AccountId": ACCOUNT, "RestoreJobId": "job-region", "Status": "COMPLETED",
        "RecoveryPointArn": arn("backup", AWAY, "recovery-point:rp-1"),
        "SourceResourceArn": arn("rds", HOME, "db:shop-db"),
        "CreatedResourceArn": arn("rds", AWAY, "db:shop-db-restored"),
        "CreationDate": dt.datetime(2026, 10, 5, 8, 0, tzinfo=dt.UTC),
        "CompletionDate": dt.datetime(2026, 10, 5, 8, 42, tzinfo=dt.UTC), "ResourceType": "RDS",
    },
    {   # restored in place (same region), by a restore testing plan, validation failed
        "AccountId": ACCOUNT, "RestoreJobId": "job-az", "Status": "COMPLETED", "ValidationStatus": "FAILED",
        "RecoveryPointArn": arn("backup", HOME, "recovery-point:rp-2"),
        "SourceResourceArn": arn("rds", HOME, "db:shop-db"),
        "CreatedResourceArn": arn("rds", HOME, "db:shop-db-test"),
        "CreationDate": dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC),
        "CompletionDate": dt.datetime(2026, 11, 2, 8, 20, tzinfo=dt.UTC), "ResourceType": "RDS",
        "CreatedBy": {"RestoreTestingPlanArn": arn("backup", HOME, "restore-testing-plan:weekly")},
    },
    {   # still running: no evidence yet
        "AccountId": ACCOUNT, "RestoreJobId": "job-running", "Status": "RUNNING",
        "RecoveryPointArn": arn("backup", HOME, "recovery-point:rp-3"),
        "SourceResourceArn": arn("rds", HOME, "db:shop-db"),
        "CreationDate": dt.datetime(2026, 11, 19, 8, 0, tzinfo=dt.UTC),
    },
]}


def test_backup_restore_jobs_from_recorded_responses():
    client = boto3.client("backup", region_name=HOME, aws_access_key_id="x", aws_secret_access_key="y")
    with Stubber(client) as stub:
        stub.add_response("list_restore_jobs", RESTORE_JOBS, {})
        jobs = backup_collector.get_restore_jobs(client)
    extra = backup_collector.transform_restore_jobs(jobs, scope())
    e = Estate()
    e.rds("shop-db")  # the source resource carries the workload
    records = {r.record_id.rsplit(":", 1)[-1]: r for r in records_for(e, extra) if r.source == "backup"}
    assert set(records) == {"job-region", "job-az"}

    region = records["job-region"]
    assert (region.workload, region.scenario, region.result, region.kind) == ("shop", "region", "pass", "restore")
    assert region.scenario_basis == f"restored in {AWAY} from a source in {HOME}"
    assert region.measured_rto is None and "took 42m" in region.detail
    assert region.date == dt.date(2026, 10, 5) and region.link.endswith("#/jobs/restore/details/job-region")

    az = records["job-az"]
    assert (az.scenario, az.result) == ("az", "fail")  # validation failed
    assert "restore testing plan" in az.detail and "not a region test" in az.scenario_basis


def test_restore_testing_plans_alone_are_not_tests():
    e = Estate()
    e.add(arn("backup", HOME, "restore-testing-plan:weekly"), RESTORE_TEST, "AWS::Backup::RestoreTestingPlan",
          attrs={"schedule": "cron(0 5 ? * MON *)", "completed_at": "2026-11-16T05:00:00Z"})
    assert records_for(e, policy_text=policy_with()) == []


# --- AWS Resilience Hub (recorded responses, Stubber) ----------------------------------------------

APP_ARN = arn("resiliencehub", HOME, "app/app-1")
APPS = {"appSummaries": [{"appArn": APP_ARN, "name": "shop", "creationTime": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)}]}
ASSESSMENTS = {"assessmentSummaries": [
    {"appArn": APP_ARN, "assessmentArn": arn("resiliencehub", HOME, "app-assessment/a-1"), "assessmentName": "nightly",
     "assessmentStatus": "Success", "complianceStatus": "PolicyBreached",
     "endTime": dt.datetime(2026, 11, 19, 2, 0, tzinfo=dt.UTC)},
    {"appArn": APP_ARN, "assessmentArn": arn("resiliencehub", HOME, "app-assessment/a-2"), "assessmentName": "broken",
     "assessmentStatus": "Failed", "endTime": dt.datetime(2026, 11, 18, 2, 0, tzinfo=dt.UTC)},
]}


def test_resilience_hub_assessments_from_recorded_responses():
    client = boto3.client("resiliencehub", region_name=HOME, aws_access_key_id="x", aws_secret_access_key="y")
    with Stubber(client) as stub:
        stub.add_response("list_apps", APPS, {})
        stub.add_response("list_app_assessments", ASSESSMENTS, {"appArn": APP_ARN})
        apps = hub_collector.get_apps(client)
        assessments = hub_collector.get_assessments(client, APP_ARN)
    extra = hub_collector.transform_assessments(apps[0], assessments, scope())
    [r] = [r for r in records_for(Estate(), extra) if r.source == "resiliencehub"]
    assert (r.workload, r.scenario, r.result, r.kind) == ("shop", None, "fail", "assessment")
    assert r.scenario_basis == "overall compliance only" and not r.counts_as_test
    assert "an estimate by AWS, not an exercise" in r.detail


def test_resilience_hub_per_disruption_compliance():
    e = Estate()
    e.add(arn("resiliencehub", HOME, "app-assessment/a-3"), "resilience_assessment",
          "AWS::ResilienceHub::AppAssessment",
          attrs={"status": "Success", "finished_at": "2026-11-19T02:00:00Z",
                 "compliance": {"AZ": {"complianceStatus": "PolicyMet", "currentRtoInSecs": 120, "currentRpoInSecs": 0},
                                "Region": {"complianceStatus": "PolicyBreached", "currentRtoInSecs": 86400}}})
    records = {r.scenario: r for r in records_for(e) if r.source == "resiliencehub"}
    assert records["az"].result == "pass" and records["az"].measured_rto == 120
    assert records["region"].result == "fail" and records["region"].measured_rpo is None


# --- merging --------------------------------------------------------------------------------------


def test_records_from_all_sources_merge_sorted_and_newest_first_per_workload():
    e = Estate()
    asg = e.web_tier()["asg"]
    e.add(arn("fis", HOME, "experiment/E1"), FAULT_EXPERIMENT, "AWS::FIS::Experiment", workload=None,
          attrs={"status": "completed", "ended_at": "2026-10-20T10:00:00Z", "targets": [asg],
                 "actions": ["aws:network:transit-gateway-disrupt-cross-region-connectivity"]})
    records = records_for(e)
    region = for_workload(records, "shop", "region")
    assert [r.source for r in region] == ["fis", "policy"]  # 2026-10-20 before 2026-09-14
    assert records == sorted(records, key=lambda r: (r.workload, r.scenario or "", *r.sort_key()))


# --- A1.3 evidence that proves what it claims (issue #10 item 6) -----------------------------------


def _restore_job(e: Estate, name: str, *, source: str, created_region: str, tags=None,
                 type_: str = "AWS::Backup::RestoreJob", provider_attrs=None) -> str:
    rid = arn("backup", HOME, f"restore-job:{name}")
    attrs = {"status": "COMPLETED", "completed_at": "2026-11-01T08:00:00Z", "resource": source,
             "created_resource": arn("rds", created_region, f"db:{name}-restored"), **(provider_attrs or {})}
    e.add(rid, RESTORE_TEST, type_, attrs=attrs, tags=tags, workload=None if tags is None else "")
    return rid


def test_a_restore_of_an_unrelated_bucket_is_not_the_workloads_test():
    e = Estate()
    e.rds("shop-db")
    bucket = e.bucket("scratch", region=HOME)
    e.resources[-1].tags.clear()  # nobody's bucket
    # the job carries the workload's tag, but restored the scratch bucket
    _restore_job(e, "job-bucket", source=bucket, created_region=AWAY, tags={"app": "shop"})
    [r] = [r for r in records_for(e, policy_text=policy_with()) if r.kind == "restore"]
    assert r.workload == "shop" and r.scenario is None and not r.counts_as_test
    assert "not a data store shop's RPO depends on" in r.scenario_basis


def test_a_restore_of_a_store_the_workload_depends_on_counts_for_it():
    e = Estate()
    table = e.add(arn("dynamodb", HOME, "table/rates"), "database", "AWS::DynamoDB::Table", name="rates",
                  workload=None)  # not shop's own table
    e.function("quote", uses=table)          # shop reads it
    _restore_job(e, "job-table", source=table, created_region=AWAY)
    got = {(r.workload, r.scenario) for r in records_for(e, policy_text=policy_with()) if r.kind == "restore"}
    assert got == {("shop", "region")}


def test_a_restore_into_the_primarys_failure_domain_is_not_a_region_test():
    e = Estate()
    db = e.rds("shop-db")
    _restore_job(e, "job-gulf", source=db, created_region="me-south-1")
    [r] = [r for r in records_for(e, policy_text=policy_with()) if r.kind == "restore"]
    assert r.scenario == "az" and "same failure domain (gulf)" in r.scenario_basis


def test_a_restore_test_of_any_provider_is_recognised_by_kind():
    """An Azure Site Recovery test failover (the shape collectors/azure/transform.py emits) of a VM."""
    e = Estate()
    vm, disk = e.instance_with_volume("app-vm")
    e.add(f"{vm}#test-failover", RESTORE_TEST, "Microsoft.RecoveryServices/testFailover", region=AWAY,
          workload=None, attrs={"status": "COMPLETED", "completed_at": "2026-11-01T08:00:00Z", "resource": vm,
                                "test_type": "site-recovery-test-failover", "from_region": HOME, "to_region": AWAY,
                                "replica": f"{vm}#replica"})
    [r] = [r for r in records_for(e, policy_text=policy_with()) if r.kind == "restore"]
    assert (r.workload, r.scenario, r.result) == ("shop", "region", "pass") and r.counts_as_test
