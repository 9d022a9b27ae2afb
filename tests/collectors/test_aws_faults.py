"""Failed reads become coverage records with the right status, and a dead region cannot hang a scan."""

from __future__ import annotations

import io
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError
from moto import mock_aws

from resilience.collectors.aws import ClientFactory, collect
from resilience.collectors.aws.errors import DeadlineExceeded, classify

from .helpers import IDENTITY, OBSERVED_AT, coverage_of, new_session, stub


def _client_error(code: str, status: int = 400, retries: int | None = None) -> ClientError:
    meta = {"HTTPStatusCode": status, **({"RetryAttempts": retries} if retries is not None else {})}
    return ClientError({"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": meta}, "DescribeThings")


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (_client_error("AccessDenied", 403), "denied"),
        (_client_error("AccessDeniedException"), "denied"),
        (_client_error("UnauthorizedOperation"), "denied"),
        (_client_error("AuthFailure"), "denied"),
        (_client_error("SomethingNew", 403), "denied"),
        (_client_error("ThrottlingException", retries=4), "error"),
        (_client_error("InvalidAction"), "error"),
        (EndpointConnectionError(endpoint_url="https://ec2.me-central-1.amazonaws.com"), "unreachable"),
        (ReadTimeoutError(endpoint_url="https://ec2.me-central-1.amazonaws.com"), "unreachable"),
        (DeadlineExceeded("late"), "unreachable"),
        (KeyError("x"), "error"),
    ],
)
def test_classify(exc, status):
    assert classify(exc)[0] == status


def test_throttle_detail_says_how_many_attempts():
    assert "gave up after 5 attempts" in classify(_client_error("Throttling", retries=4))[1]


def _deny(service_operations: set[str]):
    """A before-call hook answering AccessDenied for the given ``Operation`` names."""

    def handler(model, **_):
        if model.name in service_operations:
            http = AWSResponse("https://denied.invalid", 403, {}, None)
            return http, {"Error": {"Code": "AccessDenied", "Message": f"not authorized to perform {model.name}"},
                          "ResponseMetadata": {"HTTPStatusCode": 403}}
        return None

    return handler


def test_denied_service_and_partially_denied_service():
    """elbv2 denied outright; RDS instances readable but its snapshots denied: both visible."""
    with mock_aws():
        session = new_session()
        session.client("rds").create_db_instance(
            DBInstanceIdentifier="db", Engine="postgres", DBInstanceClass="db.t3.micro", AllocatedStorage=20,
            MasterUsername="u", MasterUserPassword="not-a-real-one",
        )
        session.events.register("before-call", _deny({"DescribeLoadBalancers", "DescribeDBSnapshots"}))
        inv = collect(session, ["me-central-1"], observed_at=OBSERVED_AT, services=["rds", "elbv2"])
    cov = coverage_of(inv)
    assert cov[("me-central-1", "elbv2")].status == "denied"
    assert "DescribeLoadBalancers" in cov[("me-central-1", "elbv2")].detail
    assert cov[("me-central-1", "rds")].status == "ok"
    assert cov[("me-central-1", "rds:snapshots")].status == "denied"
    assert cov[("me-central-1", "rds:clusters")].status == "ok"
    assert not [r for r in inv.resources if r.kind == "load_balancer"]
    assert [r for r in inv.resources if r.kind == "database"]  # what was readable is kept


def test_access_denied_exception_from_stubber():
    session = new_session()
    factory = ClientFactory(session, max_attempts=1)
    stubs = [
        stub(factory, "sts", "me-central-1", [("get_caller_identity", IDENTITY)]),
        stub(factory, "dynamodb", "me-central-1", [("list_tables", ("error", "AccessDeniedException", 400))]),
    ]
    inv = collect(session, ["me-central-1"], observed_at=OBSERVED_AT, services=["dynamodb"], clients=factory)
    for s in stubs:
        s.assert_no_pending_responses()
    [record] = inv.coverage
    assert (record.service, record.status) == ("dynamodb", "denied") and not inv.resources


class _Body(io.BytesIO):
    def stream(self, **_) -> Iterator[bytes]:
        yield self.getvalue()


def test_throttled_until_retries_are_exhausted():
    """Every attempt answers ThrottlingException (below the retry loop, at before-send): the
    client retries ``max_attempts`` times, then the read is an ``error``, not an empty table list."""
    session = new_session()
    factory = ClientFactory(session, max_attempts=2)
    sts = stub(factory, "sts", "me-central-1", [("get_caller_identity", IDENTITY)])
    attempts: list[str] = []

    def throttle(request, **_):
        attempts.append(request.url)
        body = b'{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate of requests exceeds the allowed throughput."}'
        return AWSResponse(request.url, 400, {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "r1"}, _Body(body))

    factory.client("dynamodb", "me-central-1").meta.events.register("before-send.dynamodb", throttle)
    inv = collect(session, ["me-central-1"], observed_at=OBSERVED_AT, services=["dynamodb"], clients=factory)
    sts.assert_no_pending_responses()
    [record] = inv.coverage
    assert record.status == "error"
    assert "ThrottlingException" in record.detail and "gave up after 2 attempts" in record.detail
    assert len(attempts) == 2


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """A local TCP endpoint that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(128)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    server.close()
    for conn in held:
        conn.close()  # lets the abandoned worker threads finish


def test_silent_region_is_unreachable_within_the_deadline(silent_endpoint):
    """me-south-1's endpoint swallows requests (read timeout longer than the deadline): the scan
    returns after the region deadline with every me-south-1 service ``unreachable`` and
    me-central-1 (moto) complete."""
    # long enough for moto to answer the healthy region on a loaded 2-core CI machine (2 s was not), shorter
    # than the silent endpoint's 10 s read timeout
    deadline = 5.0
    services = ["ec2", "rds", "dynamodb", "lambda", "autoscaling", "elbv2"]
    with mock_aws():
        session = new_session()
        # warm moto's backends up first so the healthy region is not racing moto's cold start
        collect(session, ["me-central-1"], observed_at=OBSERVED_AT, services=services)
        factory = ClientFactory(
            session, max_attempts=1, connect_timeout=1, read_timeout=10, endpoint_overrides={"me-south-1": silent_endpoint}
        )
        started = time.monotonic()
        inv = collect(
            session, ["me-central-1", "me-south-1"], observed_at=OBSERVED_AT, services=services,
            clients=factory, region_deadline_s=deadline, max_workers=4,
        )
        elapsed = time.monotonic() - started
    assert elapsed < deadline + 2.5, elapsed
    cov = coverage_of(inv)
    for service in services:
        assert cov[("me-central-1", service)].status == "ok", service
        record = cov[("me-south-1", service)]
        assert record.status == "unreachable", (service, record)
        assert "deadline" in record.detail


def test_bucket_whose_location_read_fails_stays_in_the_inventory():
    """Issue 10 item 1: GetBucketLocation denied -> the bucket is kept with region ``unknown`` (its
    configuration unread) next to the ``s3:location`` coverage record, not dropped."""
    with mock_aws():
        session = new_session()
        session.client("s3", region_name="us-east-1").create_bucket(Bucket="shared-config")

        def no_region(parsed, model, **_):  # as when ListBuckets does not report BucketRegion
            if model.name == "ListBuckets":
                for bucket in parsed.get("Buckets", ()):
                    bucket.pop("BucketRegion", None)

        session.events.register("after-call.s3.ListBuckets", no_region)
        session.events.register("before-call", _deny({"GetBucketLocation"}))
        inv = collect(session, ["me-central-1"], observed_at=OBSERVED_AT, services=["s3"])
    [bucket] = [r for r in inv.resources if r.kind == "object_store"]
    assert (bucket.id, bucket.region) == ("arn:aws:s3:::shared-config", "unknown")
    assert bucket.attrs.get("versioning") is None and bucket.attrs.get("replication_rules") is None
    cov = coverage_of(inv)
    assert cov[("global", "s3:location")].status == "denied"
