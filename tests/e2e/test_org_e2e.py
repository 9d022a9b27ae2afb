"""The real CLI, in a subprocess, scanning an AWS organisation on a moto server: every account in one
report, the suspended one skipped, the unassumable one a coverage gap, cross-account backups joined."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import boto3
import pytest
from jsonschema import Draft202012Validator, FormatChecker
from resilience.reports.json_report import schema

from tests.collectors.org_estate import PRIMARY, REGIONS, ROLE, build_org, deny_role_in

from .conftest import FAKE_KEYS, clean_env, run_cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def org(moto_server):
    session = boto3.Session(region_name=PRIMARY, **{k.lower(): v for k, v in FAKE_KEYS.items()})
    built = build_org(lambda service, region, **kw: session.client(service, region_name=region,
                                                                   endpoint_url=moto_server, **kw))
    with deny_role_in(built.accounts["locked"]):  # the server runs in this process
        yield built


@pytest.fixture(scope="module")
def org_scan(org, moto_server, tmp_path_factory):
    root = tmp_path_factory.mktemp("org-scan")
    (root / "home").mkdir()
    env = clean_env(root / "home", AWS_ENDPOINT_URL=moto_server, AWS_DEFAULT_REGION=PRIMARY, **FAKE_KEYS)
    out = root / "out"
    run = run_cli(["scan", "--all-accounts", "--scan-regions", ",".join(REGIONS), "--external-id", "audit-2026",
                   "--max-accounts", "2", "--workers", "4", "--output", str(out), "--format", "json,md,html",
                   "--fail-on", "none", "--evidence"], env, out, timeout=600)
    assert run.rc == 0, (run.rc, run.stdout[-2000:], run.stderr[-4000:])
    return run, json.loads((out / "findings.json").read_text())


def test_one_report_for_the_whole_organisation(org, org_scan):
    _, doc = org_scan
    assert sorted(doc["scan"]["accounts"]) == sorted(org.accounts.values())
    errors = sorted(Draft202012Validator(schema(), format_checker=FormatChecker()).iter_errors(doc), key=str)
    assert not errors, errors[:3]
    coverage = {(c["account"], c["region"], c["service"]): c["status"] for c in doc["coverage"]}
    for region in REGIONS:
        assert coverage[(org.accounts["suspended"], region, "account")] == "skipped"
        assert coverage[(org.accounts["locked"], region, "account")] == "denied"
    from resilience.demo import MOTO_UNMODELLED_SERVICES

    for label in ("prod", "dr", "archive", "management"):  # read in full (a service not offered is skipped)
        # (but for the services moto has no model of: their reads are errors on any moto server)
        mine = {(svc, s) for (a, _, svc), s in coverage.items() if a == org.accounts[label]
                and svc.split(":")[0] not in MOTO_UNMODELLED_SERVICES}
        assert {s for _, s in mine} <= {"ok", "skipped"} and ("dynamodb", "ok") in mine, label
        assert not [svc for svc, _ in mine if svc == "account"], label


def test_every_result_names_its_account(org, org_scan):
    _, doc = org_scan
    assert all("account" in f for f in doc["findings"])
    owned = {f["resource"]: f["account"] for f in doc["findings"] if f["resource"].startswith("arn:")}
    assert owned[org["orders"]] == org.accounts["prod"]
    assert all(isinstance(f["accounts"], list) for f in doc["findings"] if f["resource"].startswith("workload:"))


def test_backups_in_the_dr_account_count_and_same_account_ones_fail(org, org_scan):
    _, doc = org_scan
    verdicts = {f["resource"]: f["status"] for f in doc["findings"] if f["rule"] == "RES-ACCOUNT-001"}
    assert verdicts[org["orders"]] == "pass"
    assert verdicts[org["sessions"]] == "fail"
    assert verdicts[org["ledger"]] == "unknown"  # its copies go to the account whose role was refused


def test_account_view_in_every_report_and_the_evidence_pack(org, org_scan):
    run, doc = org_scan
    rows = {r["account"]: r for r in doc["by_account"]}
    assert rows[org.accounts["suspended"]]["outcome"] == "skipped"
    assert rows[org.accounts["locked"]]["outcome"] == "failed"
    prod = rows[org.accounts["prod"]]
    assert prod["role"].endswith(f":role/{ROLE}") and prod["counts"]["fail"] >= 1
    assert "## Accounts" in (run.out / "report.md").read_text()
    assert 'id="accounts"' in (run.out / "report.html").read_text()
    with zipfile.ZipFile(run.out / "evidence.zip") as pack:
        listed = list(csv.DictReader(io.StringIO(pack.read("population/accounts.csv").decode())))
    by_account = {r["account"]: r for r in listed}
    assert set(by_account) == set(org.accounts.values())
    assert by_account[org.accounts["dr"]]["role"] == f"arn:aws:iam::{org.accounts['dr']}:role/{ROLE}"
    assert by_account[org.accounts["locked"]]["outcome"] == "failed"
    assert int(by_account[org.accounts["prod"]]["ok"]) > 0


@pytest.mark.parametrize(("args", "fragment"), [
    (["--all-accounts", "--role-name", "OrganizationAccountAccessRole"], "admin role"),
    (["--external-id", "x"], "needs --all-accounts, --accounts or --ou"),
    (["--accounts", "12345"], "12-digit"),
    (["--ou", "prod"], "organisational unit"),
])
def test_bad_scope_flags_are_one_line_input_errors(args, fragment, tmp_path):
    (tmp_path / "home").mkdir()
    env = clean_env(tmp_path / "home", AWS_DEFAULT_REGION=PRIMARY, **FAKE_KEYS)
    run = run_cli(["scan", "--output", str(tmp_path / "out"), *args], env, tmp_path)
    assert run.rc == 2, (run.stdout, run.stderr)
    assert "Traceback" not in run.stderr and run.stderr.startswith("error: ") and fragment in run.stderr
