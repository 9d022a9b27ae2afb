"""scan --dask (issue 17): the AWS reads as one Dask task per (account, region, service).

On a moto server in this process and one LocalCluster of worker processes for the module (its workers inherit
``AWS_ENDPOINT_URL`` and fake keys, and build their own sessions): the inventory and the findings are
byte-identical to the threads of one process, for one account and for an organisation (the workers assume the
member roles themselves); a distributed semaphore bounds the reads of one service in one account across the
cluster; a read that hangs is ``unreachable`` at its region's deadline.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator

import boto3
import pytest
from click.testing import CliRunner

from resilience import cli
from resilience.collectors.aws import (
    AccountScope,
    ClientFactory,
    ClusterCollection,
    collect,
    collect_accounts,
)
from tests.collectors.org_estate import ROLE, build_org, deny_role_in
from tests.collectors.org_estate import SERVICES as ORG_SERVICES

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.slow

SCAN_TIME = dt.datetime(2026, 11, 20, 6, 0, tzinfo=dt.UTC)
HOME, SECONDARY, SILENT = "me-central-1", "eu-central-1", "me-south-1"
REGIONS = (HOME, SECONDARY)
KEYS = {"AWS_ACCESS_KEY_ID": "AKIADASKTESTDASKTEST", "AWS_SECRET_ACCESS_KEY": "dask-secret-not-real"}


class Recorder:
    """WSGI middleware in front of moto: requests signed for a service in ``slow`` wait ``delay`` seconds,
    and the most of them in flight at once (per service) is kept in ``peak``."""

    def __init__(self, app) -> None:
        self.app = app
        self.slow: set[str] = set()
        self.delay = 0.0
        self.peak: Counter[str] = Counter()
        self._live: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        # Authorization: AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/SERVICE/aws4_request, ...
        scope = environ.get("HTTP_AUTHORIZATION", "").partition("Credential=")[2].split(",")[0].split("/")
        service = scope[3] if len(scope) > 3 else ""
        if service not in self.slow:
            return self.app(environ, start_response)
        with self._lock:
            self._live[service] += 1
            self.peak[service] = max(self.peak[service], self._live[service])
        try:
            time.sleep(self.delay)
            return self.app(environ, start_response)
        finally:
            with self._lock:
                self._live[service] -= 1


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, Recorder]]:
    """moto behind a :class:`Recorder`, and this process's AWS settings pointing at it (set before the
    cluster starts, so its worker processes inherit them)."""
    import moto.core.utils
    from moto.moto_server.threaded_moto_server import MotoRequestHandler
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    from resilience.demo import moto_gaps

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    home = tmp_path_factory.mktemp("home")
    stack = contextlib.ExitStack()
    with pytest.MonkeyPatch.context() as mp:
        # the server's clock stands still (at the real time, so the roles' credentials are not born expired): an
        # RDS automated backup's latest restorable time is stamped at read time, by the demo's stand-in, which
        # takes moto.core.utils.utcnow when it is installed just below
        server_now = moto.core.utils.utcnow()
        mp.setattr(moto.core.utils, "utcnow", lambda: server_now)
        stack.enter_context(moto_gaps.patched())
        mp.setenv("MOTO_ALLOW_NONEXISTENT_REGION", "true")
        for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
            mp.delenv(key, raising=False)
        moto_gaps.fresh_backends()
        recorder = Recorder(DomainDispatcherApplication(create_backend_app))
        httpd = make_server("127.0.0.1", 0, recorder, threaded=True, request_handler=MotoRequestHandler)
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{httpd.server_address[1]}"
        for key, value in {**KEYS, "AWS_ENDPOINT_URL": url, "AWS_DEFAULT_REGION": HOME,
                           "AWS_CONFIG_FILE": str(home / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(home / "none"),
                           "AWS_EC2_METADATA_DISABLED": "true"}.items():
            mp.setenv(key, value)
        try:
            yield url, recorder
        finally:
            httpd.shutdown()
            thread.join()
            moto_gaps.fresh_backends()
            stack.close()


@pytest.fixture(scope="module")
def estate(server):
    """The demo's payments (me-central-1 + eu-central-1) and checkout workloads, and an AWS organisation."""
    from resilience.demo.estate import Estate, build_checkout, build_payments

    session = boto3.Session(region_name=HOME)
    built = Estate()
    build_payments(session, built)
    build_checkout(session, built)
    org = build_org(lambda service, region, **kw: boto3.Session(region_name=region).client(service, **kw))
    return built, org


@pytest.fixture(scope="module")
def dask_client(server):
    """One LocalCluster for the module: two worker processes of two threads."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=2, processes=True, dashboard_address=None,
                                  silence_logs=logging.ERROR) as local, distributed.Client(local) as client:
        client.run(importlib.import_module, "resilience.collectors.aws.cluster")  # warm, as a long-lived cluster is
        yield client


def test_scan_with_dask_writes_the_same_inventory_and_findings(estate, dask_client, tmp_path, monkeypatch):
    """The real command, with and without ``--dask`` (this module's cluster, by its address), at a fixed clock."""
    monkeypatch.setattr(cli, "_utcnow", lambda: SCAN_TIME)
    monkeypatch.delenv("RESILIENCE_DASK_SCHEDULER", raising=False)
    common = ["scan", "--provider", "aws", "--scan-regions", ",".join(REGIONS), "--region", HOME,
              "--format", "json", "--fail-on", "none", "--workers", "4"]
    runs, took = {}, {}
    for name, extra in (("here", []), ("there", ["--dask", dask_client.scheduler.address])):
        started = time.monotonic()
        result = CliRunner().invoke(cli.main, [*common, "--output", str(tmp_path / name), *extra])
        took[name] = time.monotonic() - started
        assert result.exit_code == 0, result.output
        runs[name] = {f: (tmp_path / name / f).read_bytes() for f in ("inventory.json", "findings.json")}
    print(f"\nscan: one process {took['here']:.1f}s, --dask {took['there']:.1f}s")
    assert runs["there"] == runs["here"]
    inventory, findings = (json.loads(runs["here"][f]) for f in ("inventory.json", "findings.json"))
    kinds = Counter(r["kind"] for r in inventory["resources"])
    assert kinds["database"] >= 2 and kinds["load_balancer"] >= 2, kinds
    status = {(c["region"], c["service"]): c["status"] for c in inventory["coverage"]}
    assert status[(HOME, "ec2")] == status[(HOME, "ec2:zones")] == status[("global", "s3")] == "ok"
    assert any(f["status"] == "fail" for f in findings["findings"])
    # the reads were tasks of the cluster
    prefixes = dask_client.run_on_scheduler(lambda dask_scheduler: [str(p) for p in dask_scheduler.task_prefixes])
    assert "resilience-aws-read" in prefixes, prefixes


def test_an_organisation_on_a_cluster_workers_assume_the_member_roles(estate, dask_client):
    _, org = estate
    scope = AccountScope(all_accounts=True, role_name=ROLE, max_accounts=2)
    with deny_role_in(org.accounts["locked"]):  # the server runs in this process
        here = collect_accounts(boto3.Session(), scope, observed_at=SCAN_TIME.isoformat(), requested_regions=REGIONS,
                                services=ORG_SERVICES, max_workers=4)
        there = collect_accounts(boto3.Session(), scope, observed_at=SCAN_TIME.isoformat(), requested_regions=REGIONS,
                                 services=ORG_SERVICES, max_workers=4, cluster=ClusterCollection(dask_client))
    assert there.to_json() == here.to_json()
    status = {(c.account, c.region, c.service): c.status for c in there.coverage}
    assert status[(org.accounts["prod"], HOME, "dynamodb")] == "ok"
    assert status[(org.accounts["locked"], HOME, "account")] == "denied"
    assert org["orders"] in {r.id for r in there.resources}  # read in the prod account, through its role


def test_a_semaphore_bounds_the_reads_of_one_service_in_one_account(server, estate, dask_client):
    _, recorder = server
    regions = (HOME, SECONDARY, SILENT)  # three DynamoDB reads of one account, four worker threads
    recorder.slow, recorder.delay = {"dynamodb"}, 0.4
    try:
        peaks = {}
        for leases in (1, 3):
            recorder.peak.clear()
            inventory = collect(boto3.Session(), regions, observed_at=SCAN_TIME.isoformat(), services=["dynamodb"],
                                max_workers=4, cluster=ClusterCollection(dask_client, max_leases=leases))
            assert {c.status for c in inventory.coverage if c.service == "dynamodb"} == {"ok"}
            peaks[leases] = recorder.peak["dynamodb"]
    finally:
        recorder.slow = set()
    assert peaks[1] == 1  # one lease: never two DynamoDB requests of the account at once, cluster-wide
    assert peaks[3] >= 2, peaks  # the same reads overlap when the bound allows it


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """A TCP endpoint that accepts connections and never answers."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()
    for conn in held:
        conn.close()  # the workers' stuck reads end at once


def test_a_read_that_hangs_on_a_worker_is_unreachable_at_the_region_deadline(estate, dask_client, silent_endpoint):
    """me-south-1's endpoint swallows requests (read timeout 30 s): its reads are ``unreachable`` at its 8 s
    deadline, and me-central-1's reads, queued behind them, run on workers whose stuck reads left their slots."""
    services = ["ec2", "rds", "dynamodb", "lambda", "autoscaling", "elbv2"]
    deadline = 8.0  # also what me-central-1's six reads get, after: enough on a loaded 2-core machine
    session = boto3.Session()
    factory = ClientFactory(session, max_attempts=1, connect_timeout=1, read_timeout=30,
                            endpoint_overrides={SILENT: silent_endpoint})  # sent to the workers
    finished: dict[str, float] = {}
    started = time.monotonic()
    inventory = collect(session, [SILENT, HOME], observed_at=SCAN_TIME.isoformat(), services=services,
                        clients=factory, region_deadline_s=deadline, max_workers=4,
                        progress=lambda line: finished.__setitem__(line.split()[0], time.monotonic() - started),
                        cluster=ClusterCollection(dask_client))
    assert finished[SILENT] < deadline + 2, finished  # its last record: the silent region's reads came first
    status = {(c.region, c.service): c for c in inventory.coverage}
    for service in services:
        assert status[(HOME, service)].status == "ok", status[(HOME, service)]
        assert status[(SILENT, service)].status == "unreachable", status[(SILENT, service)]
        assert "deadline" in status[(SILENT, service)].detail


def test_a_worker_answering_for_another_account_reads_nothing(estate, dask_client):
    """The task names account A; the worker's credentials are account B's: an error record, no resources."""
    from resilience.collectors.aws.clients import ClientOptions
    from resilience.collectors.aws.cluster import Job, WorkerCredentials, read_on_worker
    from resilience.collectors.aws.scan import ReadScope, Task

    scope = ReadScope(account="111111111111", partition="aws", observed_at=SCAN_TIME.isoformat(), home_region=HOME,
                      scan_regions=(HOME,))
    job = Job(scope, WorkerCredentials(region=HOME), ClientOptions(max_attempts=1), max_leases=1)
    outcome = dask_client.submit(read_on_worker, job, Task(HOME, "dynamodb"), time.time() + 30, pure=False).result()
    [record] = outcome.coverage
    assert (record.status, record.service, record.account) == ("error", "dynamodb", "111111111111")
    assert "not 111111111111" in record.detail and not outcome.inventory.resources



def test_a_dead_scheduler_fails_the_scan_before_anything_is_read(monkeypatch):
    import socket

    from resilience import fanout

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setattr(fanout, "CONNECT_TIMEOUT_S", 2)
    monkeypatch.setattr(cli, "_collect", lambda **_: pytest.fail("collected before the cluster answered"))
    result = CliRunner().invoke(cli.main, ["scan", "--provider", "aws", "--scan-regions", HOME,
                                           "--dask", f"tcp://127.0.0.1:{port}"])
    assert result.exit_code == 2, result.output
    assert "no Dask scheduler answered" in result.output
