"""Organisation-wide scans: account selection, the read-only role, nothing aborting the scan, and
cross-account copies joined in one graph (moto's Organizations and account-scoped backends)."""

from __future__ import annotations

import threading
import time

import boto3
import pytest
from moto import mock_aws

from resilience.collectors.aws import scan as aws_scan
from resilience.collectors.aws.organization import (
    ACCOUNT_SERVICE,
    ADMIN_ROLE_NAME,
    DEFAULT_ROLE_NAME,
    AccountScope,
    select_accounts,
)
from resilience.collectors.aws.scan import collect_accounts
from resilience.demo import moto_gaps
from resilience.graph import build_graph
from resilience.policy import Policy
from resilience.scan import analyse

from .helpers import OBSERVED_AT
from .org_estate import MANAGEMENT, PRIMARY, REGIONS, SERVICES, build_org, deny_role_in

LISTED = [
    {"Id": "111111111111", "Name": "prod", "Status": "ACTIVE"},
    {"Id": "222222222222", "Name": "old", "Status": "SUSPENDED"},
    {"Id": "333333333333", "Name": "closing", "State": "PENDING_CLOSURE"},
    {"Id": MANAGEMENT, "Name": "management", "State": "ACTIVE"},
]


# --- selection (pure) ------------------------------------------------------------------------
def test_all_accounts_skips_suspended_and_closing_and_reads_the_caller_with_its_own_credentials():
    plan = {a.id: a for a in select_accounts(AccountScope(all_accounts=True), caller_account=MANAGEMENT, listed=LISTED)}
    assert plan["111111111111"].action == "scan" and plan["111111111111"].via == "role"
    assert plan["222222222222"].action == "skip" and "SUSPENDED" in plan["222222222222"].reason
    assert plan["333333333333"].action == "skip" and "PENDING_CLOSURE" in plan["333333333333"].reason
    assert plan[MANAGEMENT].via == "caller"


def test_excluded_accounts_leave_the_population_and_unknown_ids_are_skipped_with_a_reason():
    scope = AccountScope(accounts=("111111111111", "444444444444"), exclude=("111111111111",))
    plan = select_accounts(scope, caller_account=MANAGEMENT, listed=LISTED)
    assert [(a.id, a.action) for a in plan] == [("444444444444", "skip")]
    assert "not a member" in plan[0].reason
    # Organizations not readable (a member account): named accounts are tried as given
    tried = select_accounts(AccountScope(accounts=("444444444444",)), caller_account=MANAGEMENT, listed=None)
    assert [(a.id, a.action) for a in tried] == [("444444444444", "scan")]


def test_the_admin_role_and_malformed_ids_are_refused():
    with pytest.raises(ValueError, match=ADMIN_ROLE_NAME):
        AccountScope(all_accounts=True, role_name=ADMIN_ROLE_NAME)
    with pytest.raises(ValueError, match="12-digit"):
        AccountScope(accounts=("12345",))
    with pytest.raises(ValueError, match="organisational unit"):
        AccountScope(ous=("prod",))
    assert AccountScope(all_accounts=True).role_name == DEFAULT_ROLE_NAME == "ResilienceAuditReadOnly"


# --- the organisation on moto ------------------------------------------------------------------
@pytest.fixture
def org_env(monkeypatch):
    monkeypatch.setenv("MOTO_ALLOW_NONEXISTENT_REGION", "true")
    with moto_gaps.patched(), mock_aws():  # the stand-ins are removed again when the test ends
        base = boto3.Session(region_name=PRIMARY)

        def make(service, region, **kw):
            return base.client(service, region_name=region, **kw)

        org = build_org(make)
        with deny_role_in(org.accounts["locked"]):
            yield base, org


def _collect(base, scope, **kw):
    return collect_accounts(base, scope, observed_at=OBSERVED_AT, requested_regions=list(REGIONS),
                            services=list(SERVICES), max_workers=2, **kw)


def _records(inventory, account):
    return [c for c in inventory.coverage if c.account == account]


def test_whole_organisation_in_one_inventory_nothing_aborts(org_env):
    base, org = org_env
    inv = _collect(base, AccountScope(all_accounts=True, max_accounts=2))
    accounts = {a["account"]: a for a in inv.meta["aws"]["accounts"]}
    assert set(accounts) == {org.accounts[k] for k in ("management", "prod", "dr", "archive", "suspended", "locked")}
    # suspended: never read, skipped in every region
    suspended = _records(inv, org.accounts["suspended"])
    assert {(c.region, c.service, c.status) for c in suspended} == {(r, ACCOUNT_SERVICE, "skipped") for r in REGIONS}
    assert accounts[org.accounts["suspended"]]["outcome"] == "skipped"
    # the role cannot be assumed: denied in every region, named, and the other accounts were read
    locked = _records(inv, org.accounts["locked"])
    assert {(c.region, c.status) for c in locked} == {(r, "denied") for r in REGIONS}
    assert all("cannot assume" in c.detail and DEFAULT_ROLE_NAME in c.detail for c in locked)
    assert accounts[org.accounts["locked"]]["outcome"] == "failed"
    for label in ("prod", "dr", "archive"):
        entry = accounts[org.accounts[label]]
        assert entry["outcome"] == "scanned", label
        assert entry["role"] == f"arn:aws:iam::{org.accounts[label]}:role/{DEFAULT_ROLE_NAME}"
        assert entry["identity"].startswith(f"arn:aws:sts::{org.accounts[label]}:assumed-role/{DEFAULT_ROLE_NAME}/")
        assert {c.status for c in _records(inv, org.accounts[label])} == {"ok"}, label
    assert accounts[MANAGEMENT]["role"] == "(caller credentials)"
    assert not any(ADMIN_ROLE_NAME in str(a) for a in accounts.values())
    # every resource carries its owner
    owners = {r.id: r.account for r in inv.resources}
    assert owners[org["orders"]] == org.accounts["prod"]
    assert owners[org["dr_vault"]] == owners[org["dr_bucket"]] == org.accounts["dr"]


def test_cross_account_copies_join_when_both_accounts_are_read(org_env):
    base, org = org_env
    inv = _collect(base, AccountScope(accounts=(org.accounts["prod"], org.accounts["dr"])))
    graph = build_graph(inv)
    # the copy job's recovery point, read in the DR account, joins the table in the prod account
    copies = [dst for _, dst, kind, data in graph.out_edges(org["orders"], keys=True, data=True)
              if kind == "backed_up_to" and graph.nodes[dst]["account"] == org.accounts["dr"]]
    assert copies and all(not graph.nodes[c]["stub"] for c in copies)
    assert graph.edges[org["orders"], copies[0], "backed_up_to"]["attrs"]["cross_account"] is True
    # the replica bucket is the DR account's real bucket, not a placeholder
    assert graph.has_edge(org["prod_bucket"], org["dr_bucket"], "replicates_to")
    replica = graph.nodes[org["dr_bucket"]]
    assert replica["kind"] == "object_store" and replica["account"] == org.accounts["dr"]
    assert replica["attrs"]["is_replica_destination"] is True


def test_an_unread_account_is_a_stub_owned_by_that_account_and_never_a_pass(org_env):
    base, org = org_env
    inv = _collect(base, AccountScope(accounts=(org.accounts["prod"],)))
    graph = build_graph(inv)
    replica = graph.nodes[org["dr_bucket"]]
    assert replica["kind"] == "external" and replica["account"] == org.accounts["dr"]
    result = analyse(inv, Policy(), scan_time=_now(), rules=_rules("RES-ACCOUNT-001"))
    by_resource = {f.resource: f for f in result.findings}
    assert by_resource[org["orders"]].status == "unknown"  # its copy is in the DR account, which was not read
    assert "not in the scan's scope" in by_resource[org["orders"]].message
    assert by_resource[org["sessions"]].status == "fail"


def test_backup_same_account_across_the_organisation(org_env):
    base, org = org_env
    inv = _collect(base, AccountScope(all_accounts=True, max_accounts=3))
    result = analyse(inv, Policy(), scan_time=_now(), rules=_rules("RES-ACCOUNT-001", "RES-COVERAGE-001"))
    by_resource = {f.resource: f for f in result.findings if f.rule == "RES-ACCOUNT-001"}
    assert by_resource[org["orders"]].status == "pass"  # copied to the DR account's vault, read there
    assert by_resource[org["sessions"]].status == "fail"  # an on-demand backup beside the table only
    ledger = by_resource[org["ledger"]]
    assert ledger.status == "unknown" and "denied" in ledger.message  # copies into the locked account
    assert {f.account for f in by_resource.values()} == {org.accounts["prod"]}
    locked = [f for f in result.findings if f.rule == "RES-COVERAGE-001" and f.account == org.accounts["locked"]]
    assert locked and all(f.status == "fail" for f in locked)


def test_ou_scope_includes_child_units(org_env):
    base, org = org_env
    inv = _collect(base, AccountScope(ous=(org["ou:workloads"],)))
    assert [a["account"] for a in inv.meta["aws"]["accounts"]] == [org.accounts["prod"]]


def test_accounts_in_flight_stay_within_max_accounts(org_env, monkeypatch):
    base, org = org_env
    running, peak, lock = [0], [0], threading.Lock()
    real = aws_scan.collect

    def counting(*args, **kwargs):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        try:
            time.sleep(0.2)
            return real(*args, **kwargs)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(aws_scan, "collect", counting)
    inv = _collect(base, AccountScope(all_accounts=True, max_accounts=2))
    assert 1 <= peak[0] <= 2
    scanned = [a for a in inv.meta["aws"]["accounts"] if a["outcome"] == "scanned"]
    assert len(scanned) == 4  # management, prod, dr, archive


def test_an_account_that_does_not_answer_in_time_is_unreachable_in_every_region(org_env):
    """moto stand-in: AssumeRole into the archive account hangs until the test lets it go (then fails,
    so the abandoned thread makes no further call); the account deadline gives up on it, the scan
    returns while it still hangs, and the other account is read in full."""
    from moto.sts.exceptions import STSClientError
    from moto.sts.models import STSBackend

    base, org = org_env
    slow = f"arn:aws:iam::{org.accounts['archive']}:role/{DEFAULT_ROLE_NAME}"
    original, release = STSBackend.assume_role, threading.Event()

    def hanging(self, **kwargs):
        if kwargs.get("role_arn") == slow:
            release.wait(60)
            raise STSClientError("RequestTimeout", "gave up")
        return original(self, **kwargs)

    STSBackend.assume_role = hanging
    try:
        inv = _collect(base, AccountScope(accounts=(org.accounts["archive"], org.accounts["prod"]),
                                          account_deadline_s=5.0))
        returned_while_hanging = not release.is_set()
    finally:
        release.set()
        time.sleep(0.5)  # the abandoned thread leaves moto before the mock stops
        STSBackend.assume_role = original
    assert returned_while_hanging
    archive = _records(inv, org.accounts["archive"])
    assert {(c.region, c.status) for c in archive} == {(r, "unreachable") for r in REGIONS}
    assert {c.status for c in _records(inv, org.accounts["prod"])} == {"ok"}


def _now():
    import datetime as dt

    return dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def _rules(*ids):
    from resilience.rules import BY_ID

    return tuple(BY_ID[i] for i in ids)


def test_without_an_organisation_all_accounts_is_an_input_error_and_named_accounts_are_still_tried(monkeypatch):
    """moto lists no accounts when no organisation exists (AWS raises AWSOrganizationsNotInUseException);
    the denied listing of a member account is a botocore before-call hook answering AccessDenied."""
    from botocore.awsrequest import AWSResponse

    def deny_listing(model, **_):
        if model.name == "ListAccounts":
            return AWSResponse("https://denied.invalid", 403, {}, None), {
                "Error": {"Code": "AccessDeniedException", "Message": "not the management account"},
                "ResponseMetadata": {"HTTPStatusCode": 403}}
        return None

    monkeypatch.setenv("MOTO_ALLOW_NONEXISTENT_REGION", "true")
    with mock_aws():
        base = boto3.Session(region_name=PRIMARY)
        with pytest.raises(ValueError, match="lists no accounts"):
            _collect(base, AccountScope(all_accounts=True))
        base.events.register("before-call.organizations.ListAccounts", deny_listing)
        with pytest.raises(ValueError, match="cannot list the organisation's accounts"):
            _collect(base, AccountScope(all_accounts=True))
        inv = _collect(base, AccountScope(accounts=("210987654321",)))
    [entry] = inv.meta["aws"]["accounts"]
    assert entry["account"] == "210987654321" and entry["outcome"] == "scanned"  # moto lets any role be assumed
    org_records = [c for c in inv.coverage if c.service == "organizations"]
    assert {c.account for c in org_records} == {MANAGEMENT} and {c.region for c in org_records} == set(REGIONS)
    assert all(c.status == "denied" and "ListAccounts" in c.detail for c in org_records)
