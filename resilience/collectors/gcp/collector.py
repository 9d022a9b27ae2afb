"""GCP collection: Cloud Asset ``ListAssets`` per (parent, service group), transform, coverage.

A parent is ``projects/ID`` (``--project``) or ``organizations/ID`` (``--organization``). Cloud
Asset is a global API, so coverage records carry region ``global`` and the parent's project id
(or ``organizations/ID``) as the account.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from resilience.collectors.multicloud import CoverageLog, add_placeholders, guarded, limit_to_regions
from resilience.model import GLOBAL_REGION, Inventory

from . import api
from .clients import GcpSettings, RetryAfter, asset_client, make_credentials
from .errors import classify
from .regions import GCP_REGIONS
from .transform import transform_assets

PROVIDER = "gcp"


def collect(settings: GcpSettings, *, projects: Iterable[str] = (), organization: str | None = None,
            observed_at: str, scan_regions: Iterable[str] = (), credentials: Any = None,
            progress: Callable[[str], None] | None = None) -> Inventory:
    if credentials is None:
        credentials, _ = make_credentials(settings)
    client = asset_client(settings, credentials)
    log = CoverageLog(PROVIDER)
    parents = [f"projects/{p}" for p in dict.fromkeys(projects)]
    if organization:
        parents.append(f"organizations/{organization.removeprefix('organizations/')}")
    inventory = Inventory()
    accounts: list[str] = []
    try:
        for parent in parents:
            if progress:
                progress(f"gcp {parent}")
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
            transformer = transform_assets(assets, observed_at=observed_at,
                                           default_project=account if parent.startswith("projects/") else None)
            inventory.resources.extend(transformer.resources)
            inventory.edges.extend(transformer.edges)
            add_placeholders(inventory, provider=PROVIDER, observed_at=observed_at, hints=transformer.hints)
            accounts.append(account)
            accounts.extend(sorted({r.account for r in transformer.resources if r.account and r.account not in accounts}))
    finally:
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


def identity_of(settings: GcpSettings, credentials: Any) -> str:
    from resilience.collectors.multicloud import token_identity

    email = getattr(credentials, "service_account_email", None)
    if email and email != "default":
        return f"gcp:{email}"
    if settings.token:
        return f"gcp:{token_identity(settings.token, 'token')}"
    return "gcp:application-default"
