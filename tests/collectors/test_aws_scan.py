"""Identity, region resolution, the task runner, the registry, and AWS_ENDPOINT_URL (moto server)."""

from __future__ import annotations

import threading
import time

import pytest
from moto import mock_aws
from moto.server import ThreadedMotoServer

from resilience.collectors.aws import SERVICES, caller_identity, collect, resolve_regions
from resilience.collectors.aws.runner import run_tasks
from resilience.collectors.aws.scan import enabled_regions, in_partition
from resilience.collectors.aws.services import _validate, by_name

from .helpers import OBSERVED_AT, by_id, coverage_of, new_session


def test_caller_identity_and_partition():
    with mock_aws():
        identity = caller_identity(new_session())
    assert identity == {"account": "123456789012", "arn": "arn:aws:sts::123456789012:user/moto", "partition": "aws"}


def test_default_regions_are_the_enabled_ones_of_the_callers_partition():
    with mock_aws():
        regions = resolve_regions(new_session(), None)
    assert "me-central-1" in regions and "me-south-1" in regions
    assert not [r for r in regions if r.startswith(("cn-", "us-gov-"))]  # moto lists them; never mix partitions
    assert regions == sorted(regions)


def test_requested_regions_are_validated():
    with mock_aws():
        session = new_session()
        assert resolve_regions(session, ["me-south-1", "me-central-1", "me-south-1"]) == ["me-south-1", "me-central-1"]
        with pytest.raises(ValueError, match="unknown region 'xx-foo-1'"):
            resolve_regions(session, ["me-central-1", "xx-foo-1"])
        with pytest.raises(ValueError, match="not in the caller's partition 'aws'"):
            resolve_regions(session, ["cn-north-1"])


def test_enabled_regions_stay_in_the_partition_and_keep_opt_in_regions():
    described = [
        {"RegionName": "us-east-1", "OptInStatus": "opt-in-not-required"},
        {"RegionName": "me-central-1", "OptInStatus": "opted-in"},
        {"RegionName": "me-south-1", "OptInStatus": "not-opted-in"},  # as moto reports it: still returned
        {"RegionName": "cn-north-1"},
        {"RegionName": "us-gov-west-1"},
    ]
    assert enabled_regions(described, "aws") == ["me-central-1", "me-south-1", "us-east-1"]
    assert enabled_regions(described, "aws-cn") == ["cn-north-1"]


def test_partition_membership():
    assert in_partition("me-central-1", "aws") and in_partition("xx-new-9", "aws") is False
    assert in_partition("us-gov-west-1", "aws-us-gov") and not in_partition("us-gov-west-1", "aws")
    assert in_partition("ap-southeast-9", "aws")  # a region newer than botocore's list still fits the regex


def test_registry_is_explicit_and_validated():
    assert [m.NAME for m in SERVICES] == [
        "ec2", "autoscaling", "elbv2", "elb", "rds", "dynamodb", "s3", "backup", "route53", "lambda", "fis", "resiliencehub",
        "artifact",
    ]
    assert "artifact" not in [m.NAME for m in by_name()]  # opt-in (OPT_IN): read only when named
    assert [m.NAME for m in by_name(["rds", "ec2"])] == ["ec2", "rds"]
    with pytest.raises(ValueError, match="unknown AWS service"):
        by_name(["ec3"])

    class Writer:
        NAME, CLIENT, GLOBAL, COVERAGE = "w", "w", False, {"w": "x"}
        PERMISSIONS = ["ec2:CreateSnapshot"]

        @staticmethod
        def collect(ctx):
            return None

    with pytest.raises(ValueError, match="non-read-only"):
        _validate((Writer,))


def test_runner_abandons_stuck_tasks_without_starving_other_regions():
    """Two workers, both stuck in a dead region: at that region's deadline the stuck tasks are
    given up, its unstarted tasks too, and the live region still runs on fresh threads."""
    release = threading.Event()

    def work(task, deadline):
        if task[0] == "dead":
            release.wait(10)
            return ("late", task)
        return ("done", task)

    tasks = [("dead", i) for i in range(4)] + [("live", i) for i in range(5)]
    started = time.monotonic()
    try:
        results = run_tasks(
            tasks, region_of=lambda t: t[0], work=work, give_up=lambda t, status, detail: (status, t),
            max_workers=2, region_deadline_s=0.4,
        )
    finally:
        release.set()
    assert time.monotonic() - started < 2.0
    outcome = {task: status for status, task in results}
    assert {outcome[("dead", i)] for i in range(4)} == {"unreachable"}
    assert {outcome[("live", i)] for i in range(5)} == {"done"}


def test_runner_region_clock_starts_with_its_first_task():
    """A region queued behind a slow one is not penalised for the wait."""

    def work(task, deadline):
        time.sleep(0.15 if task[0] == "slow" else 0.0)
        return ("done", task)

    tasks = [("slow", i) for i in range(4)] + [("late-starter", i) for i in range(2)]
    results = run_tasks(tasks, region_of=lambda t: t[0], work=work, give_up=lambda t, s, d: (s, t), max_workers=1, region_deadline_s=0.5)
    assert [status for status, task in results if task[0] == "late-starter"] == ["done", "done"]


@pytest.fixture
def moto_server(monkeypatch):
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://{host}:{port}")
    yield f"http://{host}:{port}"
    server.stop()


def test_aws_endpoint_url_is_honoured(moto_server):
    """The unchanged collector against a moto *server* through AWS_ENDPOINT_URL (as with LocalStack)."""
    session = new_session()
    session.client("s3").create_bucket(Bucket="served-bucket", CreateBucketConfiguration={"LocationConstraint": "me-central-1"})
    table = session.client("dynamodb").create_table(
        TableName="served", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
    )["TableDescription"]["TableArn"]
    assert "me-central-1" in resolve_regions(session, None)
    inv = collect(session, ["me-central-1"], observed_at=OBSERVED_AT, services=["s3", "dynamodb", "ec2"])
    cov = coverage_of(inv)
    assert cov[("global", "s3")].status == "ok" and cov[("me-central-1", "dynamodb")].status == "ok"
    assert cov[("me-central-1", "ec2")].status == "ok"
    found = by_id(inv)
    assert found["arn:aws:s3:::served-bucket"].region == "me-central-1"
    assert table in found


class _PagedApi:
    """A client whose operation has no botocore paginator: three pages behind nextToken."""

    def __init__(self) -> None:
        self.calls: list[dict] = []

    def can_paginate(self, operation: str) -> bool:
        return False

    def list_apps(self, **params):
        self.calls.append(params)
        page = {None: (["a", "b"], "t1"), "t1": (["c"], "t2"), "t2": (["d"], None)}[params.get("nextToken")]
        return {"appSummaries": page[0], **({"nextToken": page[1]} if page[1] else {})}


def test_manual_token_loop_reads_every_page():
    from resilience.collectors.aws.pagination import paginate

    api = _PagedApi()
    assert paginate(api, "list_apps", "appSummaries") == ["a", "b", "c", "d"]
    assert [c.get("nextToken") for c in api.calls] == [None, "t1", "t2"]
