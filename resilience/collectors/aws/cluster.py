"""AWS reads on a Dask cluster: one task per (account, region, service) (issue 17, ``scan --dask``).

Without ``--dask`` nothing here runs: the reads are threads of the scanning process. With it,
:func:`.scan.collect` hands each (region, service) read of an account to the cluster instead of a
thread: the same in-flight bound (``--workers`` per account), the same region deadline, the same
coverage records, merged in the same order, so the inventory is byte-identical to a local run.
Identity, region discovery and the organisation's account list are still read by the scanning
process (a few calls per account).

Credentials. A boto3 session cannot be sent to another process, and no secret key is ever put in a
task: a worker builds its own session from its own standard credential chain (environment, SSO
cache, instance or pod role; the ``--profile`` name if one was given, which must then exist on the
worker). For an organisation scan a task names the member account's role (ARN, external id,
session duration) and the worker assumes it itself, so the workers' credentials must be allowed to
assume the same roles as the scanning machine's (e.g. the same IAM role on the nodes or the
service account). A worker whose credentials answer for another account than the task's reads
nothing: that read is an ``error`` coverage record naming both accounts. ``AWS_ENDPOINT_URL`` and
the other AWS settings are the worker's own environment (a LocalCluster's worker processes inherit
the scanning process's); the client factory's endpoint overrides, timeouts and retry count are sent.

Rate limits. A read holds a lease of a ``distributed.Semaphore`` named after its account and
service, with ``max_leases`` = ``--workers`` unless the :class:`ClusterCollection` says otherwise:
however many scans share the cluster, no more reads of one service in one account run at once than
one process makes with its own thread pool. The bound is part of the name (Dask refuses one name
with two bounds), so scans asking for different bounds do not share a semaphore. A read that gets
no lease before its region deadline is ``unreachable``.

Time. The region deadline is kept by the scanning process: a read not back by its region's deadline
becomes an ``unreachable`` record and its task is cancelled. A worker cannot stop a running thread
either, so a read stuck on a silent endpoint runs on until the client's read timeout ends it; but a
read leaves the worker's thread pool as it starts (``distributed.secede``: it waits on the network,
not the CPU), so a stuck read never holds one of the worker's task slots, and the reads in flight
are bounded by ``--workers`` per account, as with threads, not by the workers' thread counts. The
worker is sent the deadline as wall-clock time (its clock must be in step, as NTP keeps it) and
stops between reads once it has passed.

A worker process keeps its own credentials' session (whose service models the member accounts' sessions
share), each (credentials, client options, account) session with its clients, and each scan's zone
directory, for :data:`CACHE_TTL_S`: one sts:AssumeRole per account and one
ec2:DescribeAvailabilityZones per region per worker, not per task.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

import boto3

from resilience.model import Coverage, Inventory

from .clients import ClientFactory, ClientOptions
from .common import PROVIDER
from .context import ZoneDirectory, ZoneView
from .errors import classify
from .organization import assumed_session
from .scan import Outcome, ReadScope, Task, caller_identity, read

#: how long a worker process keeps a session, its clients and a scan's zone directory
CACHE_TTL_S = 15 * 60
#: the semaphore of one account's service: ``resilience-aws/<account>/<service>/<max leases>``
LEASE_NAME = "resilience-aws/{account}/{service}/{max_leases}"


@dataclass(frozen=True)
class WorkerCredentials:
    """How a worker makes its session: its own credential chain, then the role, if any. No secrets."""

    profile: str | None = None
    role_arn: str = ""
    external_id: str | None = None
    duration_s: int = 3600
    region: str | None = None  # the session's region (sts calls); the scan's home region when not given


@dataclass(frozen=True)
class Job:
    """Everything a worker is sent beside the task: plain, picklable values."""

    scope: ReadScope
    credentials: WorkerCredentials
    clients: ClientOptions
    max_leases: int


@dataclass(frozen=True)
class ClusterCollection:
    """The handle :func:`.scan.collect` and :func:`.scan.collect_accounts` take as ``cluster``."""

    client: Any  # distributed.Client
    credentials: WorkerCredentials = field(default_factory=WorkerCredentials)
    max_leases: int | None = None  # reads of one (account, service) at once; None: the scan's max_workers

    def assuming(self, role: str, *, external_id: str | None, duration_s: int, region: str) -> ClusterCollection:
        """The same cluster, its workers acting as ``role`` (a member account of an organisation scan)."""
        credentials = replace(self.credentials, role_arn=role, external_id=external_id, duration_s=duration_s,
                              region=region)
        return replace(self, credentials=credentials)

    def pool(self) -> ClusterPool:
        return ClusterPool(self.client)

    def reader(self, scope: ReadScope, clients: ClientOptions, *, max_leases: int) -> Callable[[Task, float], Outcome]:
        """``work(task, deadline)`` for :func:`.runner.run_tasks`, run on a worker (see :class:`ClusterPool`)."""
        credentials = replace(self.credentials, region=self.credentials.region or scope.home_region)
        return partial(read_on_worker, Job(scope, credentials, clients, max(1, max_leases)))


class ClusterPool:
    """A :class:`.runner.Pool` on a Dask cluster: ``work`` is sent the deadline as wall-clock seconds."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def submit(self, work: Callable[[Any, float], Any], task: Any, deadline: float) -> Any:
        wall_deadline = time.time() + (deadline - time.monotonic())
        return self.client.submit(work, task, wall_deadline, pure=False, key=f"resilience-aws-read-{uuid.uuid4().hex}")

    def abandon(self, futures: list[Any]) -> None:
        # released, not cancelled: a release is a message, a cancel waits on the scheduler, which may be the
        # thing that stopped answering. Unstarted tasks are dropped either way; running ones end on their own.
        for future in futures:
            future.release()

    def close(self) -> None:
        pass


# --- on the worker -----------------------------------------------------------------------------
class WrongAccount(RuntimeError):
    """The worker's credentials answer for another account than the task's."""


def read_on_worker(job: Job, task: Task, wall_deadline: float) -> Outcome:
    """One (region, service) read in a worker process, under its account's and service's lease."""
    deadline = time.monotonic() + (wall_deadline - time.time())
    _leave_the_thread_pool()
    try:
        session, clients = _session(job.credentials, job.clients, job.scope.account)
    except WrongAccount as exc:
        return _failed(job, task, "error", str(exc))
    except Exception as exc:  # no credentials, a role it cannot assume: a coverage record, never a lost read
        status, detail = classify(exc)
        return _failed(job, task, status, f"the worker's credentials: {detail}")
    lease = _lease(LEASE_NAME.format(account=job.scope.account, service=task.service, max_leases=job.max_leases),
                   job.max_leases)
    if not lease.acquire(timeout=max(0.0, wall_deadline - time.time())):
        return _failed(job, task, "unreachable", f"no read lease for {task.service} before the region deadline "
                                                 f"(at most {job.max_leases} at once on the cluster)")
    try:
        zones = _zones(job, clients)
        outcome = read(task, job.scope, session=session, clients=clients, zones=zones, deadline=deadline)
    finally:
        lease.release()
    outcome.zones = zones.outcomes()
    return outcome


def _leave_the_thread_pool() -> None:
    """A read waits on the network, not on the CPU: it gives its worker thread back (``distributed.secede``),
    so reads in flight are bounded by ``--workers`` per account and the semaphores, as with threads, and a
    read stuck on a silent endpoint does not hold one of the worker's task slots."""
    from distributed import secede

    with contextlib.suppress(ValueError):  # not in a worker's task thread (called directly)
        secede()


def _failed(job: Job, task: Task, status: str, detail: str) -> Outcome:
    record = Coverage(provider=PROVIDER, account=job.scope.account, region=task.region, service=task.service,
                      status=status, detail=detail)
    return Outcome(task, Inventory(), [record])


_lock = threading.Lock()
_sessions: dict[tuple[WorkerCredentials, ClientOptions, str], tuple[float, boto3.Session, ClientFactory]] = {}
_bases: dict[tuple[str | None, str | None], tuple[float, boto3.Session]] = {}
_zone_directories: dict[tuple[Any, ...], tuple[float, ZoneDirectory]] = {}
_leases: dict[str, Any] = {}  # one Semaphore per name and process: each instance keeps a refresh timer


def _fresh(cache: dict[Any, Any], now: float) -> None:
    for key in [k for k, entry in cache.items() if now - entry[0] > CACHE_TTL_S]:
        del cache[key]


def _session(credentials: WorkerCredentials, options: ClientOptions, account: str) -> tuple[boto3.Session, ClientFactory]:
    now = time.monotonic()
    with _lock:
        _fresh(_sessions, now)
        hit = _sessions.get((credentials, options, account))
    if hit is not None:
        return hit[1], hit[2]
    base = _base_session(credentials.profile, credentials.region)
    session = base if not credentials.role_arn else assumed_session(
        base, credentials.role_arn, external_id=credentials.external_id, duration_s=credentials.duration_s,
        region=credentials.region)
    clients = ClientFactory.from_options(session, options)
    answered = caller_identity(session, clients=clients)["account"]
    if answered != account:
        who = credentials.role_arn or "the worker's own credentials"
        raise WrongAccount(f"{who} answered as account {answered}, not {account}: nothing read")
    with _lock:
        _sessions[(credentials, options, account)] = (now, session, clients)
    return session, clients


def _base_session(profile: str | None, region: str | None) -> boto3.Session:
    """The worker's own credentials, one session per (profile, region): the member accounts' sessions share its
    service models (see :func:`.organization.assumed_session`) instead of loading their own."""
    now = time.monotonic()
    with _lock:
        _fresh(_bases, now)
        if (profile, region) not in _bases:
            _bases[(profile, region)] = (now, boto3.Session(profile_name=profile, region_name=region))
        return _bases[(profile, region)][1]


def _zones(job: Job, clients: ClientFactory) -> ZoneView:
    """This task's view of the worker's zone directory of its scan (read once per region and worker)."""
    key = (job.credentials, job.clients, job.scope.account, job.scope.observed_at)
    now = time.monotonic()
    with _lock:
        _fresh(_zone_directories, now)
        entry = _zone_directories.setdefault(key, (now, ZoneDirectory(clients)))
    return ZoneView(entry[1])


def _lease(name: str, max_leases: int) -> Any:
    from distributed import Semaphore

    with _lock:
        if name not in _leases:
            _leases[name] = Semaphore(max_leases=max_leases, name=name)
        return _leases[name]
