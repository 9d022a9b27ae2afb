"""Entry points: who am I, which regions, and the collection itself."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING, Any

import boto3
import botocore.loaders
from botocore.exceptions import BotoCoreError, ClientError

from resilience.model import GLOBAL_REGION, Coverage, Inventory

from . import services as registry
from .clients import ClientFactory, client_config
from .common import PARTITION_DEFAULT_REGION, PROVIDER, Scope, partition_of_arn
from .context import TaskContext, ZoneDirectory, ZoneView, merge_zone_outcomes, zone_coverage
from .errors import classify
from .organization import (
    ACCOUNT_SERVICE,
    Account,
    AccountScope,
    account_failure,
    assumed_session,
    plan_accounts,
    role_arn,
)
from .postpass import finalize
from .runner import run_tasks

if TYPE_CHECKING:
    from .cluster import ClusterCollection


class RegionDiscoveryError(RuntimeError):
    """The enabled regions could not be listed (and none were requested)."""


# --- identity and regions --------------------------------------------------------------------
def caller_identity(session: boto3.Session, *, clients: ClientFactory | None = None) -> dict[str, str]:
    """``{"account", "arn", "partition"}`` from sts:GetCallerIdentity."""
    region = session.region_name or "us-east-1"
    client = clients.client("sts", region) if clients else session.client("sts", region_name=region, config=_quick_config())
    response = client.get_caller_identity()
    return {"account": response["Account"], "arn": response["Arn"], "partition": partition_of_arn(response["Arn"])}


def resolve_regions(session: boto3.Session, requested: Sequence[str] | None = None) -> list[str]:
    """The regions to scan, all in the caller's partition.

    ``requested`` names are validated against botocore's region list for the partition and
    ec2:DescribeRegions(AllRegions=True); an unknown name raises ``ValueError``. Without
    ``requested``: every region enabled for the account (opted-in ones included), from
    ec2:DescribeRegions.
    """
    partition = caller_identity(session)["partition"]
    client = session.client("ec2", region_name=home_region(session, partition), config=_quick_config())
    if requested:
        return _validate_requested(session, client, partition, requested)
    try:
        described = client.describe_regions(AllRegions=False)["Regions"]
    except (ClientError, BotoCoreError) as exc:
        raise RegionDiscoveryError(f"cannot list the enabled regions ({classify(exc)[1]}); name them explicitly") from exc
    return enabled_regions(described, partition)


def enabled_regions(described: Sequence[dict[str, Any]], partition: str) -> list[str]:
    """Region names from DescribeRegions(AllRegions=False), kept to ``partition``.

    That call already returns only the regions enabled for the account, opt-in regions such as
    me-central-1 and me-south-1 included; ``OptInStatus`` is deliberately not re-checked (an
    emulator reporting ``not-opted-in`` for an enabled region must not make it vanish).
    """
    return sorted({r["RegionName"] for r in described if in_partition(r["RegionName"], partition)})


def _validate_requested(session: boto3.Session, client: Any, partition: str, requested: Sequence[str]) -> list[str]:
    known = set(session.get_available_regions("ec2", partition))
    with contextlib.suppress(ClientError, BotoCoreError):  # botocore's list alone still validates
        known |= {r["RegionName"] for r in client.describe_regions(AllRegions=True)["Regions"]}
    out: list[str] = []
    for name in (n.strip() for n in requested):
        if name not in known:
            raise ValueError(f"unknown region {name!r}")
        if not in_partition(name, partition):
            raise ValueError(f"region {name!r} is not in the caller's partition {partition!r}")
        if name not in out:
            out.append(name)
    return out


@cache
def _partitions() -> dict[str, dict[str, Any]]:
    data = botocore.loaders.create_loader().load_data("endpoints")
    return {p["partition"]: p for p in data["partitions"]}


def in_partition(region: str, partition: str) -> bool:
    spec = _partitions().get(partition)
    if spec is None:
        return False
    return region in spec.get("regions", {}) or re.match(spec["regionRegex"], region) is not None


def home_region(session: boto3.Session, partition: str) -> str:
    """Where partition-wide calls go: the session's region if it is in the partition."""
    if session.region_name and in_partition(session.region_name, partition):
        return session.region_name
    return PARTITION_DEFAULT_REGION.get(partition, "us-east-1")


def _quick_config() -> Any:
    return client_config(max_attempts=3, connect_timeout=5, read_timeout=20)


def offered_in(session: boto3.Session, client_name: str, region: str, partition: str) -> bool:
    """False only when botocore knows the region *and* says the service is not offered there."""
    service_regions = session.get_available_regions(client_name, partition)
    if not service_regions or region not in session.get_available_regions("ec2", partition):
        return True
    return region in service_regions


# --- collection ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Task:
    """One (region, service module) read; plain strings, so a Dask worker can be sent it."""

    region: str
    service: str  # the service module's NAME

    @property
    def module(self) -> ModuleType:
        return registry.by_name([self.service])[0]


@dataclass
class Outcome:
    task: Task
    inventory: Inventory
    coverage: list[Coverage] = field(default_factory=list)
    #: ``{region: (status, detail)}`` of the zone reads a cluster worker made (its own directory)
    zones: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class ReadScope:
    """What every read of one account's collection shares (picklable: a cluster worker is sent it)."""

    account: str
    partition: str
    observed_at: str
    home_region: str  # where global services are read
    scan_regions: tuple[str, ...]


def read(task: Task, scope: ReadScope, *, session: boto3.Session, clients: ClientFactory,
         zones: ZoneDirectory | ZoneView, deadline: float) -> Outcome:
    """One (region, service) read, in whatever process holds ``session``; ``deadline`` is :func:`time.monotonic`."""
    ctx = TaskContext(
        scope=Scope(account=scope.account, partition=scope.partition, region=task.region, observed_at=scope.observed_at),
        clients=clients,
        zones=zones,
        deadline=deadline,
        client_region=scope.home_region if task.region == GLOBAL_REGION else task.region,
        scan_regions=scope.scan_regions,
    )
    return run_module(task, ctx, session)


def collect(
    session: boto3.Session,
    regions: Sequence[str],
    *,
    observed_at: str,
    max_workers: int = 8,
    region_deadline_s: float = 300.0,
    connect_timeout: float = 5,
    read_timeout: float = 20,
    progress: Callable[[str], None] | None = None,
    max_attempts: int = 5,
    services: Sequence[str] | None = None,
    clients: ClientFactory | None = None,
    cluster: ClusterCollection | None = None,
) -> Inventory:
    """Read every (region, service) in scope into one :class:`Inventory`.

    Global services (S3 listing, Route 53) are read once (region ``global``). Every read ends
    as a coverage record; a region whose reads do not finish within ``region_deadline_s`` (from
    its first task's start) is reported ``unreachable`` and the call returns anyway.
    ``services`` limits the scan to the named service modules; ``clients`` replaces the client
    factory (then ``connect_timeout``, ``read_timeout`` and ``max_attempts`` are its business).
    ``progress`` is called from the calling thread, once per finished task. ``cluster``: the reads
    run on the workers of a Dask cluster (:mod:`.cluster`; at most ``max_workers`` in flight, as with
    threads) and the inventory is the same; ``None``: threads of this process.
    """
    clients = clients or ClientFactory(
        session, max_attempts=max_attempts, connect_timeout=connect_timeout, read_timeout=read_timeout
    )
    identity = caller_identity(session, clients=clients)
    partition = identity["partition"]
    modules = registry.by_name(services)
    regions = list(dict.fromkeys(regions))
    scope = ReadScope(account=identity["account"], partition=partition, observed_at=observed_at,
                      home_region=home_region(session, partition), scan_regions=tuple(regions))
    tasks = [Task(GLOBAL_REGION, m.NAME) for m in modules if m.GLOBAL]
    tasks += [Task(r, m.NAME) for r in regions for m in modules if not m.GLOBAL]
    zones = ZoneDirectory(clients)  # a cluster's workers keep their own
    if cluster is None:
        pool = None

        def work(task: Task, deadline: float) -> Outcome:
            return read(task, scope, session=session, clients=clients, zones=zones, deadline=deadline)
    else:
        pool = cluster.pool()
        work = cluster.reader(scope, clients.options, max_leases=cluster.max_leases or max_workers)

    def give_up(task: Task, status: str, detail: str) -> Outcome:
        record = Coverage(provider=PROVIDER, account=identity["account"], region=task.region, service=task.service, status=status, detail=detail)
        return Outcome(task, Inventory(), [record])

    def report(outcome: Outcome) -> None:
        if progress:
            own = [c for c in outcome.coverage if c.service == outcome.task.service]
            status = own[0].status if own else "?"
            progress(f"{outcome.task.region} {outcome.task.service}: {status} ({len(outcome.inventory.resources)} resources)")

    outcomes = run_tasks(
        tasks,
        region_of=lambda t: t.region,
        work=work,
        give_up=give_up,
        on_result=report,
        max_workers=max_workers,
        region_deadline_s=region_deadline_s,
        pool=pool,
    )
    raw = Inventory()
    for outcome in sorted(outcomes, key=lambda o: (o.task.region, o.task.service)):
        raw.extend(outcome.inventory)
        raw.coverage.extend(outcome.coverage)
    zone_reads = zones.outcomes() if cluster is None else merge_zone_outcomes(o.zones for o in outcomes)
    raw.coverage.extend(zone_coverage(identity["account"], zone_reads))
    raw.meta["aws"] = {
        "account": identity["account"],
        "partition": partition,
        "identity": identity["arn"],
        "regions": regions,
        "services": [m.NAME for m in modules],
        "observed_at": observed_at,
    }
    return finalize(raw)


def run_module(task: Task, ctx: TaskContext, session: boto3.Session) -> Outcome:
    """One (region, service): the module's primary read decides the service's own record."""
    module, region = task.module, task.region
    checked = getattr(module, "AVAILABILITY_CHECK", False) and region != GLOBAL_REGION
    if checked and not offered_in(session, module.CLIENT, region, ctx.scope.partition):
        detail = f"{module.CLIENT} is not offered in {region} (botocore endpoint data)"
        ctx.coverage.record(region, module.NAME, "skipped", detail)
        return Outcome(task, Inventory(), ctx.coverage.records())
    try:
        inventory = module.collect(ctx)
    except Exception as exc:  # any failure is a coverage record, never an empty success
        status, detail = classify(exc)
        ctx.coverage.record(region, module.NAME, status, detail)
        return Outcome(task, Inventory(), ctx.coverage.records())
    ctx.coverage.record(region, module.NAME, "ok")
    return Outcome(task, inventory, ctx.coverage.records())


# --- organisation --------------------------------------------------------------------------
@dataclass
class AccountRun:
    """What one account of an organisation scan produced (or why it produced nothing)."""

    account: Account
    inventory: Inventory
    role: str = ""
    identity: str = ""
    regions: list[str] = field(default_factory=list)


def collect_accounts(
    session: boto3.Session,
    scope: AccountScope,
    *,
    observed_at: str,
    requested_regions: Sequence[str] | None = None,
    max_workers: int = 8,
    region_deadline_s: float = 300.0,
    progress: Callable[[str], None] | None = None,
    services: Sequence[str] | None = None,
    clients: Callable[[boto3.Session], ClientFactory] | None = None,
    refresh: Mapping[str, float] | None = None,
    cluster: ClusterCollection | None = None,
) -> Inventory:
    """Read every account of ``scope`` into one :class:`Inventory`, joined in one graph.

    At most ``scope.max_accounts`` accounts are read at once, each with its own pool of
    ``max_workers`` (region x service) reads, so at most ``max_accounts * max_workers`` reads are
    in flight. Each account assumes ``scope.role_name`` (the caller's own account uses the caller's
    credentials), resolves its own enabled regions unless ``requested_regions`` names them, and is
    collected by :func:`collect`. Nothing aborts the whole scan: a suspended or closed account is
    ``skipped``; a role that cannot be assumed, regions that cannot be listed, or an account still
    running at ``scope.account_deadline_s`` is one coverage record per region for that account.
    ``clients`` builds the client factory of an account's session (tests, endpoint overrides);
    ``refresh`` passes ``advisory_refresh_s`` / ``mandatory_refresh_s`` to :func:`assumed_session`.
    ``cluster``: each account's reads run on a Dask cluster (:func:`collect`); the workers assume the
    member account's role themselves with their own credentials. The accounts' roles, identities and
    regions are still read here.
    """
    caller = caller_identity(session)
    partition = caller["partition"]
    home = home_region(session, partition)
    caller_regions = resolve_regions(session, list(requested_regions) if requested_regions else None)
    org = session.client("organizations", region_name=home, config=_quick_config())
    plan = plan_accounts(org, scope, caller_account=caller["account"], regions=caller_regions)
    runs: list[AccountRun] = []
    coverage: list[Coverage] = list(plan.coverage)
    for account in plan.accounts:
        if account.action == "skip":
            coverage += account_failure(account.id, caller_regions, "skipped", account.reason)
            runs.append(AccountRun(account, Inventory()))

    def work(account: Account, deadline: float) -> AccountRun:
        role = "" if account.via == "caller" else role_arn(partition, account.id, scope.role_name)
        member = session if not role else assumed_session(
            session, role, external_id=scope.external_id, duration_s=scope.session_duration_s, region=home,
            **dict(refresh or {}))
        try:
            identity = caller_identity(member)
        except Exception as exc:  # the role cannot be assumed (or the account does not answer)
            status, detail = classify(exc)
            failure = account_failure(account.id, caller_regions, status, f"cannot assume {role}: {detail}")
            return AccountRun(account, Inventory(coverage=failure), role=role)
        if identity["account"] != account.id:
            detail = f"{role or 'the caller'} answered as account {identity['account']}, not {account.id}"
            return AccountRun(account, Inventory(coverage=account_failure(account.id, caller_regions, "error", detail)),
                              role=role)
        try:
            regions = resolve_regions(member, list(requested_regions) if requested_regions else None)
        except (RegionDiscoveryError, ValueError) as exc:
            failure = account_failure(account.id, caller_regions, "error", f"regions: {exc}")
            return AccountRun(account, Inventory(coverage=failure), role=role, identity=identity["arn"])
        region_deadline = max(1.0, min(region_deadline_s, deadline - time.monotonic()))
        on_cluster = cluster.assuming(role, external_id=scope.external_id, duration_s=scope.session_duration_s,
                                      region=home) if cluster is not None and role else cluster
        inventory = collect(member, regions, observed_at=observed_at, max_workers=max_workers,
                            region_deadline_s=region_deadline, services=services,
                            clients=clients(member) if clients else None, cluster=on_cluster,
                            progress=(lambda line, a=account.id: progress(f"{a} {line}")) if progress else None)
        return AccountRun(account, inventory, role=role, identity=identity["arn"], regions=regions)

    def give_up(account: Account, status: str, detail: str) -> AccountRun:
        failure = account_failure(account.id, caller_regions, status, f"account: {detail}")
        return AccountRun(account, Inventory(coverage=failure))

    runs += run_tasks(plan.to_scan(), region_of=lambda a: a.id, work=work, give_up=give_up,
                      max_workers=scope.max_accounts, region_deadline_s=scope.account_deadline_s,
                      on_result=(lambda r: progress(f"account {r.account.id}: done")) if progress else None)
    merged = Inventory(coverage=coverage)
    for run in sorted(runs, key=lambda r: r.account.id):
        merged.extend(run.inventory)
    merged.meta["aws"] = {
        "account": caller["account"],
        "partition": partition,
        "identity": caller["arn"],
        "regions": sorted({r for run in runs for r in run.regions} or set(caller_regions)),
        "services": [m.NAME for m in registry.by_name(services)],
        "observed_at": observed_at,
        "accounts": [account_entry(run, merged.coverage) for run in sorted(runs, key=lambda r: r.account.id)],
    }
    return finalize(merged)


def account_entry(run: AccountRun, coverage: Sequence[Coverage]) -> dict[str, Any]:
    """The evidence pack's line for one account: who, how it was read, and its coverage."""
    own = [c for c in coverage if c.account == run.account.id]
    statuses: dict[str, int] = {}
    for c in own:
        statuses[c.status] = statuses.get(c.status, 0) + 1
    failed = [c for c in own if c.service == ACCOUNT_SERVICE]
    outcome = run.account.action if run.account.action == "skip" else ("failed" if failed else "scanned")
    return {
        "account": run.account.id,
        "name": run.account.name,
        "state": run.account.state,
        "outcome": {"skip": "skipped"}.get(outcome, outcome),
        "reason": run.account.reason or (failed[0].detail if failed else ""),
        "role": run.role or ("(caller credentials)" if run.account.via == "caller" else ""),
        "identity": run.identity,
        "regions": list(run.regions),
        "coverage": dict(sorted(statuses.items())),
    }
