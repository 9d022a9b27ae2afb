"""GCP collection: Cloud Asset ``ListAssets`` per (parent, service group), Cloud SQL backup runs per
instance, Spanner and Firestore backups and backup schedules (:mod:`.backups`), transform, coverage.

A parent is ``projects/ID`` (``--project``), ``organizations/ID`` (``--organization``), or each
project under ``folders/ID`` (``--folder``). Cloud
Asset is a global API, so its coverage records carry region ``global`` and the parent's project id
(or ``organizations/ID``) as the account; a backup read carries the project and region of what it is about.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from resilience.collectors.multicloud import CoverageLog, add_placeholders, guarded, limit_to_regions
from resilience.model import GLOBAL_REGION, Inventory

from . import api
from .backups import read_backups
from .clients import GcpSettings, RetryAfter, asset_client, make_credentials, rest_session
from .errors import classify
from .regions import GCP_REGIONS
from .transform import transform_assets

PROVIDER = "gcp"


#: projects read at the same time under a folder (each makes one ListAssets per service group)
MAX_IN_FLIGHT = 4


def collect(settings: GcpSettings, *, projects: Iterable[str] = (), organization: str | None = None,
            observed_at: str, scan_regions: Iterable[str] = (), credentials: Any = None,
            progress: Callable[[str], None] | None = None, folder: str | None = None,
            max_in_flight: int = MAX_IN_FLIGHT) -> Inventory:
    """Collect projects (``--project``), an organization (one parent), or every project under a
    folder (listed through Cloud Asset, then read ``max_in_flight`` at a time, so a project that
    cannot be read leaves its own coverage records)."""
    if credentials is None:
        credentials, _ = make_credentials(settings)
    client = asset_client(settings, credentials)
    session = rest_session(credentials)
    log = CoverageLog(PROVIDER)
    parents = [f"projects/{p}" for p in dict.fromkeys(projects)]
    if organization:
        parents.append(f"organizations/{organization.removeprefix('organizations/')}")
    inventory = Inventory()
    accounts: list[str] = []
    try:
        if folder:
            folder_parent = f"folders/{folder.removeprefix('folders/')}"
            retry = RetryAfter(max_attempts=settings.max_attempts, backoff_s=settings.backoff_s,
                               max_retry_after_s=settings.max_retry_after_s)
            rows = guarded(log, classify, account=folder_parent, region=GLOBAL_REGION, service="resourcemanager",
                           fn=lambda: api.list_assets(client, folder_parent, api.ASSET_GROUPS["resourcemanager"],
                                                      retry=retry, timeout=settings.timeout_s,
                                                      page_size=settings.page_size))
            listed = [((r.get("resource") or {}).get("data") or {}).get("projectId") for r in rows or []]
            parents += [f"projects/{p}" for p in sorted(filter(None, listed)) if f"projects/{p}" not in parents]

        def one(parent: str):
            if progress:
                progress(f"gcp {parent}")
            return parent, _collect_parent(client, session, settings, parent, log, observed_at)

        hints: dict[str, dict] = {}
        with ThreadPoolExecutor(max_workers=max(1, min(max_in_flight, len(parents) or 1))) as pool:
            for parent, transformer in pool.map(one, parents):  # results in parent order
                account = parent.split("/", 1)[1] if parent.startswith("projects/") else parent
                inventory.resources.extend(transformer.resources)
                inventory.edges.extend(transformer.edges)
                for key, hint in transformer.hints.items():
                    hints.setdefault(key, hint)
                accounts.append(account)
                accounts.extend(sorted({r.account for r in transformer.resources
                                        if r.account and r.account not in accounts}))
        # once every project is read: a reference from one project to another's resource is no placeholder
        add_placeholders(inventory, provider=PROVIDER, observed_at=observed_at, hints=hints)
    finally:
        session.close()
        transport = getattr(client, "transport", None)
        if transport is not None:
            transport.close()
    scope = [r for r in scan_regions if r in GCP_REGIONS]
    if scope:
        limit_to_regions(inventory, scope)
    inventory.coverage.extend(log.records())
    inventory.meta["regions"] = sorted(scope) if scope else sorted(
        {r.region for r in inventory.resources if r.region in GCP_REGIONS})
    inventory.meta["accounts"] = list(dict.fromkeys(accounts))
    return inventory


def _collect_parent(client: Any, session: Any, settings: GcpSettings, parent: str, log: CoverageLog,
                    observed_at: str):
    """One ListAssets per service group under ``parent``, the backup runs of its Cloud SQL instances, the
    backups and schedules of its Spanner instances and Firestore databases; the transformed result."""
    account = parent.split("/", 1)[1] if parent.startswith("projects/") else parent
    assets: list[dict] = []
    dead = ""  # once the endpoint does not answer, the parent's other reads are not tried
    for service, types in api.ASSET_GROUPS.items():
        if dead:
            log.record(account, GLOBAL_REGION, service, "unreachable", f"not attempted: {dead}")
            continue
        retry = RetryAfter(max_attempts=settings.max_attempts, backoff_s=settings.backoff_s,
                           max_retry_after_s=settings.max_retry_after_s)
        rows = guarded(log, classify, account=account, region=GLOBAL_REGION, service=service,
                       fn=lambda p=parent, t=types, r=retry: api.list_assets(
                           client, p, t, retry=r, timeout=settings.timeout_s, page_size=settings.page_size))
        if rows is None and log.status(account, GLOBAL_REGION, service) == "unreachable":
            dead = f"the endpoint {settings.endpoint} did not answer ({service})"
        assets.extend(rows or [])
    backup_runs = _backup_runs(session, settings, assets, log, account)
    backups = read_backups(session, settings, assets, log, account)
    return transform_assets(assets, observed_at=observed_at, backup_runs=backup_runs, backups=backups,
                            default_project=account if parent.startswith("projects/") else None)


def _backup_runs(session: Any, settings: GcpSettings, assets: list[dict], log: CoverageLog,
                 default_project: str) -> dict[str, list[dict]]:
    """Asset name -> backup runs, for each Cloud SQL primary whose backups are on (a replica has none).
    A failed read leaves the instance out, and a non-``ok`` record in the instance's region."""
    runs: dict[str, list[dict]] = {}
    dead = ""
    for asset in assets:
        data = (asset.get("resource") or {}).get("data") or {}
        if asset.get("assetType") != "sqladmin.googleapis.com/Instance" or data.get("instanceType") != \
                "CLOUD_SQL_INSTANCE" or ((data.get("settings") or {}).get("backupConfiguration") or {}).get(
                "enabled") is not True:
            continue
        project, instance = data.get("project") or default_project, data.get("name")
        region = data.get("region") or GLOBAL_REGION
        if dead:
            log.record(project, region, "sqladmin:backupruns", "unreachable", f"not attempted: {dead}",
                       resource=asset["name"])
            continue
        retry = RetryAfter(max_attempts=settings.max_attempts, backoff_s=settings.backoff_s,
                           max_retry_after_s=settings.max_retry_after_s)
        got = guarded(log, classify, account=project, region=region, service="sqladmin:backupruns",
                      fn=lambda p=project, i=instance, r=retry: api.list_backup_runs(
                          session, settings.sqladmin_endpoint, p, i, retry=r, timeout=settings.timeout_s),
                      about=instance, resource=asset["name"])
        if got is not None:
            runs[asset["name"]] = got
        elif log.status(project, region, "sqladmin:backupruns") == "unreachable":
            dead = f"the endpoint {settings.sqladmin_endpoint} did not answer"
    return runs


def identity_of(settings: GcpSettings, credentials: Any) -> str:
    from resilience.collectors.multicloud import token_identity

    email = getattr(credentials, "service_account_email", None)
    if email and email != "default":
        return f"gcp:{email}"
    if settings.token:
        return f"gcp:{token_identity(settings.token, 'token')}"
    return "gcp:application-default"
