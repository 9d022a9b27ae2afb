"""AWS Organizations: which accounts to scan, and how to reach each one.

- ``get_*`` list the organisation (from the management or a delegated-administrator account);
- :func:`select_accounts` (pure) turns the listing and the scope flags into a plan: scan, or
  ``skipped`` with the reason (suspended, closed, excluded, not a member);
- :func:`assumed_session` gives a :class:`boto3.Session` whose credentials come from
  ``sts:AssumeRole`` and refresh themselves before they expire (botocore's
  ``DeferredRefreshableCredentials``), so a scan longer than the role's session lasts;
- :func:`account_failure` turns an account that could not be read at all (role not assumable,
  timed out) into one coverage record per region: its verdicts are ``unknown``, never a pass.

The role assumed in each member account is read-only (``examples/iam/``); the admin role AWS
Organizations creates (``OrganizationAccountAccessRole``) is refused.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.session
from botocore.credentials import AssumeRoleCredentialFetcher, DeferredRefreshableCredentials

from resilience.model import Coverage

from .common import PROVIDER
from .pagination import paginate

DEFAULT_ROLE_NAME = "ResilienceAuditReadOnly"
ADMIN_ROLE_NAME = "OrganizationAccountAccessRole"
SESSION_NAME = "resilience-audit"

#: the coverage service name of account-level records (the account as a whole could not be read)
ACCOUNT_SERVICE = "account"

#: what the scanning identity (management / delegated-admin account) calls, beside sts:AssumeRole
PERMISSIONS = [
    "organizations:ListAccounts",
    "organizations:ListAccountsForParent",
    "organizations:ListOrganizationalUnitsForParent",
]
ASSUME_ROLE_ACTION = "sts:AssumeRole"

ACCOUNT_ID = re.compile(r"^\d{12}$")
OU_ID = re.compile(r"^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$")
INACTIVE_STATES = frozenset({"SUSPENDED", "PENDING_CLOSURE", "CLOSED"})


@dataclass(frozen=True, kw_only=True)
class AccountScope:
    """The ``--all-accounts / --accounts / --ou / --exclude-accounts / --role-name / --external-id /
    --max-accounts`` flags."""

    all_accounts: bool = False
    accounts: tuple[str, ...] = ()
    ous: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    role_name: str = DEFAULT_ROLE_NAME
    external_id: str | None = None
    max_accounts: int = 4
    account_deadline_s: float = 1800.0
    session_duration_s: int = 3600

    def __post_init__(self) -> None:
        problems = [f"not a 12-digit account id: {a!r}" for a in (*self.accounts, *self.exclude) if not ACCOUNT_ID.match(a)]
        problems += [f"not an organisational unit id (ou-... or r-...): {o!r}" for o in self.ous if not OU_ID.match(o)]
        if self.role_name == ADMIN_ROLE_NAME:
            problems.append(f"--role-name {ADMIN_ROLE_NAME} is the organisation's admin role: deploy the read-only "
                            f"role {DEFAULT_ROLE_NAME} (examples/iam/) and name it instead")
        if not re.fullmatch(r"[\w+=,.@/-]{1,512}", self.role_name or ""):
            problems.append(f"not an IAM role name: {self.role_name!r}")
        if self.max_accounts < 1:
            problems.append("--max-accounts must be at least 1")
        if problems:
            raise ValueError("; ".join(problems))

    @property
    def multi_account(self) -> bool:
        return self.all_accounts or bool(self.accounts) or bool(self.ous)


@dataclass(frozen=True)
class Account:
    """One account of the plan: ``action`` is ``scan`` or ``skip`` (with ``reason``)."""

    id: str
    name: str = ""
    state: str = ""  # ACTIVE, SUSPENDED, ... ('' when Organizations could not be read)
    action: str = "scan"
    reason: str = ""
    via: str = "role"  # role (assumed) | caller (the scanning identity's own account)


@dataclass
class Plan:
    accounts: list[Account] = field(default_factory=list)
    coverage: list[Coverage] = field(default_factory=list)  # failed organisation reads

    def to_scan(self) -> list[Account]:
        return [a for a in self.accounts if a.action == "scan"]


# --- get -------------------------------------------------------------------------------------
def get_accounts(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "list_accounts", "Accounts")


def get_accounts_for_parent(client: Any, parent: str) -> list[dict[str, Any]]:
    return paginate(client, "list_accounts_for_parent", "Accounts", ParentId=parent)


def get_child_ous(client: Any, parent: str) -> list[dict[str, Any]]:
    return paginate(client, "list_organizational_units_for_parent", "OrganizationalUnits", ParentId=parent)


def get_ou_accounts(client: Any, ou: str) -> list[dict[str, Any]]:
    """Every account under ``ou`` and its children, to any depth (breadth first)."""
    found: list[dict[str, Any]] = []
    frontier, seen = [ou], set()
    while frontier:
        parent = frontier.pop(0)
        if parent in seen:
            continue
        seen.add(parent)
        found.extend(get_accounts_for_parent(client, parent))
        frontier.extend(child["Id"] for child in get_child_ous(client, parent))
    return found


# --- transform -------------------------------------------------------------------------------
def account_state(listed: Mapping[str, Any]) -> str:
    """``State`` (newer API field) or ``Status`` (older), upper case."""
    return str(listed.get("State") or listed.get("Status") or "").upper()


def select_accounts(
    scope: AccountScope,
    *,
    caller_account: str,
    listed: Sequence[Mapping[str, Any]] | None,
    in_ous: Sequence[Mapping[str, Any]] = (),
) -> list[Account]:
    """The plan for ``scope``: every account asked for, each to scan or skip (with the reason).

    ``listed`` is ``organizations:ListAccounts`` (``None`` when it could not be read: explicitly
    named accounts are then tried as given); ``in_ous`` the accounts found under ``--ou``.
    The caller's own account is read with the caller's credentials, never through the role.
    """
    by_id = {a["Id"]: a for a in listed or ()}
    wanted: dict[str, Mapping[str, Any] | None] = {}
    if scope.all_accounts:
        wanted.update(by_id)
    for a in in_ous:
        wanted[a["Id"]] = a
    for account_id in scope.accounts:
        wanted.setdefault(account_id, by_id.get(account_id))
    out = []
    for account_id in sorted(wanted):
        listed_as = wanted[account_id] or {}
        name, state = str(listed_as.get("Name") or ""), account_state(listed_as)
        via = "caller" if account_id == caller_account else "role"
        if account_id in scope.exclude:
            continue  # excluded on purpose: not part of the population
        if state in INACTIVE_STATES:
            reason = f"account is {state} in AWS Organizations"
            out.append(Account(account_id, name, state, action="skip", reason=reason, via=via))
        elif listed is not None and not listed_as and account_id in scope.accounts:
            reason = "not a member of the organisation the caller can list"
            out.append(Account(account_id, name, state, action="skip", reason=reason, via=via))
        else:
            out.append(Account(account_id, name, state, via=via))
    return out


def role_arn(partition: str, account_id: str, role_name: str) -> str:
    path, _, name = role_name.rpartition("/")
    return f"arn:{partition}:iam::{account_id}:role/{path + '/' if path else ''}{name}"


def account_failure(account: str, regions: Iterable[str], status: str, detail: str) -> list[Coverage]:
    """One record per region for an account that could not be read at all."""
    return [Coverage(provider=PROVIDER, account=account, region=r, service=ACCOUNT_SERVICE, status=status, detail=detail)
            for r in sorted(set(regions))]


# --- plan ------------------------------------------------------------------------------------
def plan_accounts(client: Any, scope: AccountScope, *, caller_account: str, regions: Iterable[str]) -> Plan:
    """List the organisation and select (:func:`select_accounts`). A failed listing with
    ``--all-accounts`` or ``--ou`` is a ``ValueError`` (nothing to scan could be named);
    with ``--accounts`` only, the named accounts are tried as given and the failure is recorded."""
    from .errors import classify

    plan = Plan()
    listed: list[dict[str, Any]] | None
    try:
        listed = get_accounts(client)
    except Exception as exc:  # not the management / delegated-admin account, or denied
        status, detail = classify(exc)
        if scope.all_accounts:
            raise ValueError(f"--all-accounts: cannot list the organisation's accounts ({detail}); run from the "
                             "management account or a delegated administrator") from exc
        listed = None
        plan.coverage += [Coverage(provider=PROVIDER, account=caller_account, region=r, service="organizations",
                                   status=status, detail=f"ListAccounts: {detail}") for r in sorted(set(regions))]
    in_ous: list[dict[str, Any]] = []
    for ou in scope.ous:
        try:
            in_ous += get_ou_accounts(client, ou)
        except Exception as exc:
            raise ValueError(f"--ou {ou}: cannot list its accounts ({classify(exc)[1]})") from exc
    if scope.all_accounts and not listed:
        raise ValueError("--all-accounts: the organisation lists no accounts (is AWS Organizations in use, and is "
                         "this the management or a delegated-administrator account?)")
    plan.accounts = select_accounts(scope, caller_account=caller_account, listed=listed, in_ous=in_ous)
    if not plan.accounts:
        raise ValueError("no account to scan: the scope flags select none (check --ou and --exclude-accounts)")
    return plan


# --- credentials -----------------------------------------------------------------------------
_CREATE_CLIENT = threading.Lock()


def _serialised(create_client: Any) -> Any:
    """botocore sessions are not thread-safe: accounts refreshing at once create their STS clients in turn."""

    def create(*args: Any, **kwargs: Any) -> Any:
        with _CREATE_CLIENT:
            return create_client(*args, **kwargs)

    return create


class _RefreshingCredentials(DeferredRefreshableCredentials):
    """Deferred (first AssumeRole on first use) and refreshed ``advisory_s`` before expiry
    (botocore's defaults are 15 / 10 minutes; tests shrink them to prove the refresh)."""

    def __init__(self, *, refresh_using: Any, advisory_s: float, mandatory_s: float) -> None:
        super().__init__(refresh_using=refresh_using, method="assume-role")
        self._advisory_refresh_timeout = advisory_s
        self._mandatory_refresh_timeout = mandatory_s


def assumed_session(
    base: boto3.Session,
    role: str,
    *,
    external_id: str | None = None,
    duration_s: int = 3600,
    region: str | None = None,
    advisory_refresh_s: float = 15 * 60,
    mandatory_refresh_s: float = 10 * 60,
) -> boto3.Session:
    """A session acting as ``role``; its credentials renew themselves before they expire."""
    extra: dict[str, Any] = {"RoleSessionName": SESSION_NAME, "DurationSeconds": int(duration_s)}
    if external_id:
        extra["ExternalId"] = external_id
    source = base._session  # the botocore session: its credential chain and AWS_ENDPOINT_URL handling
    fetcher = AssumeRoleCredentialFetcher(
        client_creator=_serialised(source.create_client),
        source_credentials=base.get_credentials(),
        role_arn=role,
        extra_args=extra,
        cache={},  # per process; never the on-disk CLI cache
    )
    credentials = _RefreshingCredentials(refresh_using=fetcher.fetch_credentials,
                                         advisory_s=advisory_refresh_s, mandatory_s=mandatory_refresh_s)
    member = botocore.session.Session()
    member._credentials = credentials
    # one copy of the service models for every account: a fresh session would load and keep its own
    member.register_component("data_loader", source.get_component("data_loader"))
    return boto3.Session(botocore_session=member, region_name=region or base.region_name)
