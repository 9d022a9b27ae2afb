"""The CLI wiring of the reports: --format all, --baseline, --fail-on-all, --evidence, `evidence`."""

from __future__ import annotations

import datetime as dt
import json
import zipfile

import pytest
import resilience.rules
from click.testing import CliRunner
from resilience.reports import WRITERS

from resilience import cli

from . import estate

ALL = ",".join(WRITERS)


@pytest.fixture
def env(tmp_path, monkeypatch):
    """The CLI with the test rule registry and a fixed clock, in a folder holding the inputs."""
    rules = estate.rules()
    monkeypatch.setattr(resilience.rules, "REGISTRY", rules)
    monkeypatch.setattr(resilience.rules, "BY_ID", {r.id: r for r in rules})
    clock = {"now": estate.SCAN_TIME}
    monkeypatch.setattr(cli, "_utcnow", lambda: clock["now"])
    monkeypatch.chdir(tmp_path)
    (tmp_path / "resilience.yaml").write_text(estate.POLICY, encoding="utf-8")
    (tmp_path / "night1.json").write_text(estate.inventory().to_json(), encoding="utf-8")
    night2 = estate.fixed_and_broken(estate.inventory())
    night2.meta["started_at"] = (estate.SCAN_TIME + dt.timedelta(days=1)).isoformat()
    (tmp_path / "night2.json").write_text(night2.to_json(), encoding="utf-8")
    return tmp_path, clock


def scan(*args: str):
    return CliRunner().invoke(cli.main, ["scan", "--policy", "resilience.yaml", "--region", "me-central-1",
                                         "--region", "me-south-1", *args], catch_exceptions=False)


def test_every_format_and_the_evidence_pack(env):
    tmp, _ = env
    res = scan("--inventory", "night1.json", "--output", "out", "--format", ALL, "--evidence")
    assert res.exit_code == 1, res.output  # high failures, no baseline
    for name in ("findings.json", "inventory.json", "policy.yaml", "report.md", "report.html", "findings.csv",
                 "findings.xlsx", "findings.sarif", "findings.junit.xml", "evidence.zip"):
        assert (tmp / "out" / name).is_file(), name
    verify = CliRunner().invoke(cli.main, ["evidence", "verify", "out/evidence.zip"])
    assert verify.exit_code == 0 and "intact" in verify.output
    rules = json.loads((tmp / "out" / "findings.json").read_text())["rules"]
    assert {r["id"] for r in rules} == {r.id for r in estate.rules()}
    assert all(r["source"] == "registry" for r in rules)


def test_nightly_fails_on_new_failures_only(env):
    tmp, clock = env
    assert scan("--inventory", "night1.json", "--output", "n1", "--fail-on", "medium").exit_code == 1
    clock["now"] = estate.SCAN_TIME + dt.timedelta(days=1)
    # same estate the next night: nothing new, exit 0 even with high failures present
    same = scan("--inventory", "night1.json", "--output", "n2", "--baseline", "n1/findings.json")
    assert same.exit_code == 0, same.output
    assert scan("--inventory", "night1.json", "--output", "n2b", "--baseline", "n1/findings.json",
                "--fail-on-all").exit_code == 1
    # fix one, break another (a critical DNS failure): exit 1, one new and one resolved in findings.json
    changed = scan("--inventory", "night2.json", "--output", "n3", "--baseline", "n1/findings.json",
                   "--baseline", "n2/findings.json", "--format", "json,html")
    assert changed.exit_code == 1
    doc = json.loads((tmp / "n3" / "findings.json").read_text())
    assert doc["baseline"]["counts"] == {"new": 1, "unchanged": 5, "resolved": 1}
    assert "Since the baseline (n2/findings.json): 1 new, 5 unchanged, 1 resolved" in changed.output
    assert doc["baseline"]["file"] == "n2/findings.json"
    # n1 and n2 analysed the same snapshot (same collection time, so the same scan id): one point, then now
    assert len(doc["baseline"]["history"]) == 2
    assert [f["rule"] for f in doc["findings"] if f.get("baseline") == "new"] == ["RES-TESTDNS-001"]
    # --fail-on critical: the new DNS failure is critical; --fail-on none never fails
    assert scan("--inventory", "night2.json", "--output", "n4", "--baseline", "n1/findings.json",
                "--fail-on", "none").exit_code == 0


def test_a_bad_baseline_is_exit_2(env):
    tmp, _ = env
    (tmp / "bad.json").write_text("[]", encoding="utf-8")
    res = CliRunner().invoke(cli.main, ["scan", "--inventory", "night1.json", "--output", "o", "--baseline",
                                        "bad.json"])
    assert res.exit_code == 2 and "not a findings.json" in res.output
    missing = CliRunner().invoke(cli.main, ["scan", "--inventory", "night1.json", "--baseline", "nope.json"])
    assert missing.exit_code == 2


def test_evidence_command_builds_and_verifies(env):
    tmp, _ = env
    scan("--inventory", "night1.json", "--output", "out")
    build = CliRunner().invoke(cli.main, ["evidence", "--from", "out", "--output", "pack.zip"])
    assert build.exit_code == 0 and "manifest sha256" in build.output
    assert CliRunner().invoke(cli.main, ["evidence", "verify", "pack.zip"]).exit_code == 0
    # tamper with one file: verify names it and exits 1
    with zipfile.ZipFile(tmp / "pack.zip") as zin, zipfile.ZipFile(tmp / "bad.zip", "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "population/inventory.csv":
                data += b"arn:aws:rds:me-central-1:111122223333:db:invented,aws\n"
            zout.writestr(info, data)
    res = CliRunner().invoke(cli.main, ["evidence", "verify", "bad.zip"])
    assert res.exit_code == 1
    assert "population/inventory.csv" in res.output and "SHA-256 mismatch" in res.output


def test_evidence_needs_from(env):
    res = CliRunner().invoke(cli.main, ["evidence"])
    assert res.exit_code == 2 and "--from" in res.output
    res = CliRunner().invoke(cli.main, ["evidence", "--from", "."])
    assert res.exit_code == 2 and "findings.json" in res.output
