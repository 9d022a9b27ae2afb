"""Live collection for the CLI: credentials, scope, progress; returns an :class:`Inventory`.

The cloud-facing work is in ``resilience.collectors``; this module only turns user options and
credential problems into clear input errors (exit 2) and stamps the inventory's metadata.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import InputError
from .model import Inventory


@dataclass
class CollectOptions:
    providers: tuple[str, ...] = ("aws",)
    scan_regions: tuple[str, ...] = ()
    profile: str | None = None
    max_workers: int = 8
    region_deadline_s: float = 300.0
    azure_subscriptions: tuple[str, ...] = ()
    gcp_projects: tuple[str, ...] = ()
    gcp_organization: str | None = None
    aws_opt_in: tuple[str, ...] = ()  # opt-in AWS service modules to read beside the default set (artifact)
    extra: dict = field(default_factory=dict)
    aws_accounts: object | None = None  # collectors.aws.AccountScope: an organisation-wide scan
    fanout: object | None = None  # fanout.Fanout: the AWS reads run on its Dask cluster (Azure and GCP stay here)


def collect_inventory(options: CollectOptions, *, now: Callable[[], dt.datetime],
                      progress: Callable[[str], None] | None = None) -> Inventory:
    started = now()
    inventory = Inventory(meta={"started_at": started.isoformat(), "providers": [], "accounts": [],
                                "regions_scanned": [], "identity": ""})
    identities = []
    for provider in options.providers:
        if provider == "aws":
            part, identity = _collect_aws(options, started, progress)
        elif provider in ("azure", "gcp"):
            part, identity = _collect_other(provider, options, started, progress)
        else:
            raise InputError(f"unknown provider '{provider}' (known: aws, azure, gcp)")
        inventory.extend(part)
        if part.meta.get("aws", {}).get("accounts"):  # an organisation scan: how each account was read
            inventory.meta["aws_accounts"] = part.meta["aws"]["accounts"]
        identities.append(identity["arn"])
        inventory.meta["providers"].append(provider)
        inventory.meta["accounts"] = sorted({*inventory.meta["accounts"], *identity.get("accounts", [])})
        inventory.meta["regions_scanned"] = sorted({*inventory.meta["regions_scanned"], *part.meta.get("regions", [])})
    inventory.meta["identity"] = ", ".join(i for i in identities if i)
    inventory.meta["finished_at"] = now().isoformat()
    return inventory


def _collect_aws(options: CollectOptions, started: dt.datetime, progress) -> tuple[Inventory, dict]:
    import boto3
    import botocore.exceptions

    from .collectors import aws

    try:
        session = boto3.Session(profile_name=options.profile) if options.profile else boto3.Session()
    except botocore.exceptions.ProfileNotFound as exc:
        raise InputError(str(exc)) from None
    if session.get_credentials() is None:
        raise InputError("no AWS credentials found: configure a profile, environment variables, SSO or an "
                         "instance role (the standard boto3 credential chain), or use --profile")
    try:
        identity = aws.caller_identity(session)
    except botocore.exceptions.NoCredentialsError:
        raise InputError("no AWS credentials found (standard boto3 credential chain)") from None
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        raise InputError(f"AWS credentials could not be used: {exc}") from None
    if options.aws_accounts is not None:
        return _collect_aws_accounts(options, session, identity, started, progress)
    try:
        regions = aws.resolve_regions(session, list(options.scan_regions) or None)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    except aws.RegionDiscoveryError as exc:
        raise InputError(f"{exc}; name the regions to scan with --scan-regions") from None
    services = [m.NAME for m in aws.services.by_name()] + list(options.aws_opt_in) if options.aws_opt_in else None
    inventory = aws.collect(session, regions, observed_at=started.isoformat(), max_workers=options.max_workers,
                            region_deadline_s=options.region_deadline_s, progress=progress,
                            services=options.extra.get("aws_services", services),  # the demo names its own set
                            cluster=_aws_cluster(options))
    inventory.meta.setdefault("regions", regions)
    return inventory, {"arn": identity.get("arn", ""), "accounts": [identity.get("account", "")]}


def _aws_cluster(options: CollectOptions):
    """The AWS reads on the Dask cluster of ``options.fanout``: its workers use their own credential chain
    (with ``--profile``'s name) and assume the member roles themselves; no secret is sent."""
    if options.fanout is None:
        return None
    from .collectors import aws

    return aws.ClusterCollection(options.fanout.client, aws.WorkerCredentials(profile=options.profile))


def aws_account_scope(*, all_accounts: bool = False, accounts=(), ous=(), exclude=(), role_name: str | None = None,
                      external_id: str | None = None, max_accounts: int | None = None, providers=("aws",)):
    """The organisation-wide scope from the CLI flags; ``None`` for a single-account scan."""
    from .collectors.aws.organization import DEFAULT_ROLE_NAME, AccountScope

    multi = all_accounts or bool(accounts) or bool(ous)
    if not multi:
        given = [flag for flag, value in (("--exclude-accounts", exclude), ("--role-name", role_name),
                                          ("--external-id", external_id), ("--max-accounts", max_accounts)) if value]
        if given:
            raise InputError(f"{', '.join(given)} needs --all-accounts, --accounts or --ou")
        return None
    if "aws" not in providers:
        raise InputError("--all-accounts, --accounts and --ou are AWS scopes: add --provider aws")
    try:
        return AccountScope(all_accounts=all_accounts, accounts=tuple(accounts), ous=tuple(ous), exclude=tuple(exclude),
                            role_name=role_name or DEFAULT_ROLE_NAME, external_id=external_id,
                            max_accounts=max_accounts or 4)
    except ValueError as exc:
        raise InputError(str(exc)) from None


def _collect_aws_accounts(options: CollectOptions, session, identity: dict, started: dt.datetime,
                          progress) -> tuple[Inventory, dict]:
    from .collectors import aws

    services = [m.NAME for m in aws.services.by_name()] + list(options.aws_opt_in) if options.aws_opt_in else None
    try:
        inventory = aws.collect_accounts(session, options.aws_accounts, observed_at=started.isoformat(),
                                         requested_regions=list(options.scan_regions) or None,
                                         max_workers=options.max_workers, region_deadline_s=options.region_deadline_s,
                                         progress=progress, services=services, cluster=_aws_cluster(options))
    except ValueError as exc:  # the organisation could not be listed, or an unknown region
        raise InputError(str(exc)) from None
    except aws.RegionDiscoveryError as exc:
        raise InputError(f"{exc}; name the regions to scan with --scan-regions") from None
    accounts = [a["account"] for a in inventory.meta["aws"]["accounts"]]
    inventory.meta.setdefault("regions", inventory.meta["aws"]["regions"])
    return inventory, {"arn": identity.get("arn", ""), "accounts": accounts}


def _collect_other(provider: str, options: CollectOptions, started: dt.datetime, progress) -> tuple[Inventory, dict]:
    try:
        if provider == "azure":
            from .collectors import azure as module
        else:
            from .collectors import gcp as module
    except ImportError as exc:
        raise InputError(f"the {provider} collector needs its SDK: pip install 'resilience-audit[{provider}]' "
                         f"({exc.name or exc})") from None
    return module.collect_for_cli(options, started=started, progress=progress)
