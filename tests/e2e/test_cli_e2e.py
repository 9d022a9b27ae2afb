"""The real CLI, in a subprocess, against a moto server: exit codes, findings.json, coverage, and
one-line input errors (exit 2, no traceback)."""

from __future__ import annotations

import json

import pytest

from resilience.collectors.aws.services import by_name
from resilience.controls import SEVERITIES, severity_at_least
from resilience.demo.estate import HOME, SECONDARY

from .conftest import FAKE_KEYS, clean_env, run_cli

pytestmark = pytest.mark.slow

SCOPE = f"{HOME},{SECONDARY}"
SCAN_KEYS = {"id", "started_at", "finished_at", "tool_version", "provider", "accounts", "regions_audited",
             "regions_scanned", "identity", "policy_sha256"}
FINDING_KEYS = {"id", "rule", "category", "status", "severity", "title", "message", "resource", "resource_type",
                "region", "workload", "controls", "evidence", "remediation"}
COVERAGE_KEYS = {"provider", "account", "region", "service", "status", "detail"}

POLICY = """\
version: 1
workloads:
  payments:
    match: {tags: {app: payments}}
    objectives:
      region: {rto: 1h, rpo: 15m}
  checkout:
    match: {tags: {app: checkout}}
    objectives:
      region: {rto: 4h, rpo: 1h}
  fx-rates:
    match: {tags: {app: fx-rates}}
failover_tests:
  - {workload: payments, scenario: region, date: 2026-09-14, result: pass, measured_rto: 38m}
"""


@pytest.fixture
def policy(tmp_path):
    path = tmp_path / "resilience.yaml"
    path.write_text(POLICY)
    return path


def scan(env, out, policy, *extra):
    return run_cli(["scan", "--scan-regions", SCOPE, "--region", HOME, "--policy", str(policy),
                    "--output", str(out), *extra], env, out)


def expected_rc(doc, threshold):
    if threshold == "none":
        return 0
    failing = [f for f in doc["findings"] if f["status"] == "fail" and severity_at_least(f["severity"], threshold)]
    return 1 if failing else 0


def assert_one_line_error(run, *fragments):
    assert run.rc == 2, (run.rc, run.stdout, run.stderr)
    assert "Traceback" not in run.stderr and "Traceback" not in run.stdout
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


@pytest.fixture(scope="module")
def first_scan(estate, moto_server, tmp_path_factory):
    """One real collection through the server (default --fail-on high); later tests re-use it."""
    root = tmp_path_factory.mktemp("e2e-scan")
    (root / "home").mkdir()
    policy = root / "resilience.yaml"
    policy.write_text(POLICY)
    env = clean_env(root / "home", AWS_ENDPOINT_URL=moto_server, AWS_DEFAULT_REGION=HOME, **FAKE_KEYS)
    run = scan(env, root / "out", policy, "--format", "json,md")
    doc = json.loads((root / "out" / "findings.json").read_text()) if (root / "out" / "findings.json").exists() else None
    return run, doc, policy


def test_scan_writes_contract_findings_and_exit_code_follows_fail_on(first_scan):
    run, doc, _ = first_scan
    assert run.rc in (0, 1), run.stderr
    assert "Traceback" not in run.stderr
    assert doc is not None
    assert run.rc == expected_rc(doc, "high")
    assert (run.out / "report.md").is_file()

    assert doc["schema"] == "resilience.findings/v1"
    assert set(doc["scan"]) >= SCAN_KEYS
    assert doc["scan"]["regions_audited"] == [HOME]
    assert doc["scan"]["regions_scanned"] == sorted([HOME, SECONDARY])
    assert doc["scan"]["accounts"] == ["123456789012"]
    assert doc["scan"]["policy_sha256"]
    assert all(set(f) >= FINDING_KEYS for f in doc["findings"])
    assert all(f["severity"] in SEVERITIES and f["status"] in ("fail", "pass", "unknown", "waived")
               for f in doc["findings"])
    assert all(f["region"] in (HOME, None, "global", "unknown") for f in doc["findings"])  # --region filter
    assert {w["name"] for w in doc["workloads"]} >= {"payments", "checkout", "fx-rates"}


def test_coverage_record_for_every_region_and_service(first_scan):
    _, doc, _ = first_scan
    assert all(set(c) >= COVERAGE_KEYS for c in doc["coverage"])
    seen = {(c["region"], c["service"]) for c in doc["coverage"]}
    for module in by_name():  # the default set: opt-in modules (artifact) only with a providers.aws register
        regions = ["global"] if module.GLOBAL else [HOME, SECONDARY]
        for region in regions:
            assert (region, module.NAME) in seen, (region, module.NAME)
    bad = [c for c in doc["coverage"] if c["status"] not in ("ok", "skipped")]
    assert bad == []


def test_inventory_from_the_server_holds_what_was_planted(estate, first_scan):
    run, _, _ = first_scan
    inventory = json.loads((run.out / "inventory.json").read_text())
    ids = {r["id"]: r for r in inventory["resources"]}
    edges = {(e["src"], e["kind"], e["dst"]) for e in inventory["edges"]}
    assert (estate["payments_db"], "replicates_to", estate["payments_db_replica"]) in edges
    assert (estate["payments_ledger"], "replicates_to", estate["payments_ledger_replica"]) in edges
    assert (estate["payments_bucket"], "replicates_to", estate["payments_bucket_replica"]) in edges
    assert ids[estate["payments_bucket_replica"]]["region"] == SECONDARY
    roles = sorted(r["attrs"].get("failover_role") for r in ids.values()
                   if r["kind"] == "dns_record" and r["attrs"].get("dns_name") == "api.pay.example.com")
    assert roles == ["PRIMARY", "SECONDARY"]
    assert (estate["fx_fn"], "depends_on", estate["fx_table"]) in edges


@pytest.mark.parametrize("threshold", ["none", "critical", "high", "info"])
def test_fail_on_thresholds(first_scan, server_env, tmp_path, threshold):
    """Same exit-code path, re-analysing the first scan's inventory.json offline."""
    run, _, policy = first_scan
    out = tmp_path / "out"
    again = run_cli(["scan", "--inventory", str(run.out / "inventory.json"), "--region", HOME, "--policy", str(policy),
                     "--output", str(out), "--format", "json", "--fail-on", threshold], server_env, out)
    doc = json.loads((out / "findings.json").read_text())
    assert again.rc == expected_rc(doc, threshold), (again.rc, again.stderr)
    if threshold == "none":
        assert again.rc == 0


def test_strict_exit_3_only_for_incomplete_coverage(first_scan, server_env, tmp_path):
    run, doc, policy = first_scan
    again = run_cli(["scan", "--inventory", str(run.out / "inventory.json"), "--region", HOME, "--policy", str(policy),
                     "--output", str(tmp_path / "out"), "--format", "json", "--fail-on", "none", "--strict"],
                    server_env, tmp_path)
    incomplete = any(c["status"] != "ok" for c in doc["coverage"])
    assert again.rc == (3 if incomplete else 0), again.stderr


# --- input errors: one line on stderr, exit 2, no traceback, nothing collected ---------------


def test_invalid_policy_names_file_and_line(server_env, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nworkloads:\n  payments:\n    match: {tags: {app: payments}}\n    tierr: critical\n")
    run = scan(server_env, tmp_path / "out", bad)
    assert_one_line_error(run, f"{bad}:5", "tierr")
    assert not (tmp_path / "out" / "findings.json").exists()


def test_missing_policy_file(server_env, tmp_path):
    run = scan(server_env, tmp_path / "out", tmp_path / "nope.yaml")
    assert run.rc == 2 and "Traceback" not in run.stderr, run.stderr


def test_unknown_region(server_env, policy, tmp_path):
    run = run_cli(["scan", "--region", "mars-north-1", "--scan-regions", SCOPE, "--policy", str(policy),
                   "--output", str(tmp_path / "out")], server_env, tmp_path)
    assert_one_line_error(run, "mars-north-1")


def test_unknown_scan_region(server_env, policy, tmp_path):
    run = run_cli(["scan", "--region", HOME, "--scan-regions", f"{HOME},me-central-9", "--policy", str(policy),
                   "--output", str(tmp_path / "out")], server_env, tmp_path)
    assert_one_line_error(run, "me-central-9")


def test_unknown_format(server_env, policy, tmp_path):
    run = scan(server_env, tmp_path / "out", policy, "--format", "json,pdf")
    assert_one_line_error(run, "pdf")


def test_missing_credentials(policy, tmp_path):
    home = tmp_path / "empty-home"
    home.mkdir()
    env = clean_env(home)  # no AWS_* keys, no config files, IMDS disabled
    run = run_cli(["scan", "--region", HOME, "--scan-regions", SCOPE, "--policy", str(policy),
                   "--output", str(tmp_path / "out")], env, tmp_path, timeout=60)
    assert_one_line_error(run, "credentials")
    assert not (tmp_path / "out" / "findings.json").exists()
