"""``account`` / ``accounts`` on every result, and the account view built from them."""

from __future__ import annotations

import datetime as dt

from resilience.reports import accounts

from resilience.model import Coverage, Edge, Inventory, Resource
from resilience.policy import Policy
from resilience.scan import analyse

PROD, DR, LOCKED = "111111111111", "222222222222", "333333333333"
WHEN = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def _resource(rid: str, account: str, kind: str, workload: str, **attrs) -> Resource:
    return Resource(id=rid, provider="aws", account=account, region="me-central-1", kind=kind,
                    type={"database": "AWS::RDS::DBInstance", "recovery_point": "AWS::RDS::DBSnapshot"}[kind],
                    name=rid.rsplit(":", 1)[-1], source="rds:DescribeDBInstances", observed_at="2026-03-01T00:00:00Z",
                    zones=("mec1-az1",), tags={"resilience:workload": workload}, attrs=attrs)


def _result():
    db = f"arn:aws:rds:me-central-1:{PROD}:db:orders"
    snap = f"arn:aws:rds:me-central-1:{DR}:snapshot:orders-copy"
    inv = Inventory(
        resources=[_resource(db, PROD, "database", "payments", backup_retention_days=7, multi_az=False),
                   _resource(snap, DR, "recovery_point", "payments", source_resource=db, status="available")],
        edges=[Edge(src=db, dst=snap, kind="backed_up_to", source="test")],
        coverage=[Coverage(provider="aws", account=LOCKED, region="me-central-1", service="account", status="denied",
                           detail="cannot assume")],
        meta={"aws_accounts": [{"account": PROD, "outcome": "scanned", "role": "r-prod"},
                               {"account": DR, "outcome": "scanned", "role": "r-dr"},
                               {"account": LOCKED, "outcome": "failed", "reason": "cannot assume"}]})
    return analyse(inv, Policy(), scan_time=WHEN), db


def test_every_result_carries_its_owner_and_workload_results_every_account():
    result, db = _result()
    docs = [f.to_dict() for f in result.findings]
    assert all("account" in d for d in docs)
    assert {d["account"] for d in docs if d["resource"] == db} == {PROD}
    workload = [d for d in docs if d["resource"] == "workload:payments"]
    assert workload and all(d["accounts"] == [PROD, DR] and d["account"] is None for d in workload)
    coverage = [d for d in docs if d["resource_type"] == "coverage"]
    assert coverage and {d["account"] for d in coverage} == {LOCKED}


def test_account_rows_count_results_and_name_the_worst_workloads():
    result, _ = _result()
    rows = {r["account"]: r for r in accounts.account_rows([f.to_dict() for f in result.findings], result.coverage,
                                                           result.inventory.meta["aws_accounts"])}
    assert set(rows) == {PROD, DR, LOCKED}
    assert rows[LOCKED]["outcome"] == "failed" and rows[LOCKED]["coverage"] == {"denied": 1}
    assert rows[PROD]["role"] == "r-prod"
    prod_failing = sum(1 for f in result.findings if f.status == "fail" and PROD in (f.accounts or [f.account]))
    assert rows[PROD]["counts"]["fail"] == prod_failing > 0
    assert rows[PROD]["worst_workloads"][0]["workload"] == "payments"
    assert accounts.worth_showing(list(rows.values()))
    text = accounts.markdown(list(rows.values()))
    assert "## Accounts" in text and LOCKED in text and "failed: cannot assume" in text
    assert '<section id="accounts">' in accounts.html(list(rows.values()))


def test_a_single_account_scan_shows_no_account_view():
    rows = accounts.account_rows([{"account": PROD, "status": "pass"}], [], ())
    assert not accounts.worth_showing(rows)


def test_an_account_only_named_by_results_is_not_called_scanned():
    """A prod-only scan whose workload reaches a copy in the dr account: dr is in the view, as not scanned."""
    from resilience.reports.accounts import account_rows

    findings = [{"status": "unknown", "severity": "high", "account": PROD, "accounts": [PROD, DR],
                 "workload": "orders"}]
    coverage = [{"account": PROD, "status": "ok"}]
    rows = {r["account"]: r for r in account_rows(findings, coverage, [])}
    assert rows[PROD]["outcome"] == "scanned"
    assert rows[DR]["outcome"] == "not scanned" and "not read by this scan" in rows[DR]["reason"]


def test_the_account_view_and_catalogue_read_the_same_facts_as_the_whole_findings():
    """The reports build both from :func:`finding_facts` (no evidence): the same rows and catalogue as from
    every finding's whole ``findings.json`` dict."""
    from resilience.findings_table import rule_catalogue
    from resilience.results import finding_facts

    result, _ = _result()
    whole = [f.to_dict() for f in result.findings]
    scanned = result.inventory.meta["aws_accounts"]
    assert any("accounts" in f for f in whole) and any("accounts" not in f for f in whole)
    assert accounts.account_rows(finding_facts(result.findings), result.coverage, scanned) == \
        accounts.account_rows(whole, result.coverage, scanned)
    assert rule_catalogue(finding_facts(result.findings), result.scan) == rule_catalogue(whole, result.scan)
    assert [set(f) - {"evidence"} >= set(facts) for f, facts in zip(whole, finding_facts(result.findings),
                                                                       strict=True)] == [True] * len(whole)
