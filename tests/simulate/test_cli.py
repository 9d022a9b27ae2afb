"""``resilience simulate``: input errors (one line, exit 2) and an offline run on a saved inventory.json."""

from __future__ import annotations

import hashlib
import json

import pytest
from click.testing import CliRunner

from resilience.cli import main
from tests.simulate import estates

CONTRACT_4_WORKLOAD_KEYS = {"name", "outcome", "estimated_rto", "estimated_rpo", "objectives", "meets_objectives",
                            "lost", "failover", "why"}


@pytest.fixture
def snapshot(tmp_path):
    inventory, _ = estates.combined()
    path = tmp_path / "inventory.json"
    path.write_text(inventory.to_json() + "\n")
    policy = tmp_path / "resilience.yaml"
    policy.write_text(estates.COMBINED_POLICY)
    return path, policy


def _run(*args):
    return CliRunner().invoke(main, ["simulate", *args], catch_exceptions=False)


@pytest.mark.parametrize(("args", "message"), [
    ([], "error: empty scenario: give --fail-region REGION, --fail-az AZ_ID or --scenario NAME"),
    (["--fail-region", "me-centrl-1"], "error: unknown region 'me-centrl-1' for provider aws"),
    (["--scenario", "atlantis-2030"], "error: unknown scenario 'atlantis-2030' (known: "),
    (["--fail-region", "me-central-1", "--duration", "a day"], "error: --duration: bad duration 'a day'"),
    (["--fail-az", "me-central-1a"], "error: unknown zone 'me-central-1a': give an availability-zone id"),
    (["--fail-region", "me-central-1", "--format", "json,pdf"], "error: unknown format 'pdf' for simulate"),
])
def test_bad_scenario_input_is_one_line_and_exit_2(snapshot, args, message):
    inventory, policy = snapshot
    result = _run("--inventory", str(inventory), "--policy", str(policy), *args)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(message), result.output
    assert "Traceback" not in result.output


def test_unknown_region_is_rejected_before_any_collection(monkeypatch):
    def boom(*_a, **_k):
        raise AssertionError("collection must not start")

    monkeypatch.setattr("resilience.collect.collect_inventory", boom)
    result = _run("--fail-region", "mars-1")
    assert result.exit_code == 2 and "unknown region 'mars-1'" in result.output


def test_offline_run_from_an_inventory_snapshot(tmp_path, snapshot):
    inventory, policy = snapshot
    out = tmp_path / "out"
    result = _run("--inventory", str(inventory), "--policy", str(policy), "--scenario", "gulf-2026",
                  "--output", str(out), "--format", "json,md,html")
    assert result.exit_code == 0, result.output
    assert "gulf" in result.output.lower() and "wrote" in result.output
    doc = json.loads((out / "simulation.json").read_text())
    assert doc["schema"] == "resilience.simulation/v1"
    assert set(doc["scenario"]) >= {"failed_regions", "failed_zones"}
    assert doc["scenario"]["failed_regions"] == ["me-central-1", "me-south-1"]
    assert doc["workloads"] and all(set(w) >= CONTRACT_4_WORKLOAD_KEYS for w in doc["workloads"])
    outcomes = {w["name"]: w["outcome"] for w in doc["workloads"]}
    assert outcomes == {"payments": "survives", "checkout": "down", "mobile-api": "down", "fx-rates": "down",
                        "reconciliation": "down"}
    # the record points at the exact snapshot it ran on
    assert doc["source"]["inventory_sha256"] == hashlib.sha256(inventory.read_bytes()).hexdigest()
    assert (out / "tabletop.md").read_text().startswith("# Tabletop exercise: Gulf regional outage")
    assert (out / "tabletop.html").exists()
    assert not (out / "inventory.json").exists()  # offline: the snapshot is not copied


def test_repeatable_and_comma_separated_regions_and_zones(tmp_path, snapshot):
    inventory, policy = snapshot
    out = tmp_path / "out"
    result = _run("--inventory", str(inventory), "--policy", str(policy), "--fail-region", "me-central-1",
                  "--fail-region", "me-south-1,eu-west-1", "--fail-az", "euc1-az1", "--duration", "6h",
                  "--output", str(out), "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads((out / "simulation.json").read_text())
    assert doc["scenario"]["failed_regions"] == ["eu-west-1", "me-central-1", "me-south-1"]
    assert doc["scenario"]["failed_zones"] == ["euc1-az1"] and doc["scenario"]["duration"] == 6 * 3600
    assert not (out / "tabletop.md").exists()


def test_live_run_collects_like_scan_and_saves_the_snapshot(tmp_path, monkeypatch, snapshot):
    _, policy = snapshot
    seen = {}

    def fake_collect(options, *, now, progress=None):
        seen["scope"] = options.scan_regions
        inventory, _ = estates.combined()
        return inventory

    monkeypatch.setattr("resilience.collect.collect_inventory", fake_collect)
    out = tmp_path / "out"
    result = _run("--fail-region", "me-central-1", "--scan-regions", "eu-central-1", "--policy", str(policy),
                  "--output", str(out))
    assert result.exit_code == 0, result.output
    assert seen["scope"] == ("eu-central-1", "me-central-1")  # the failed region is always collected
    saved = out / "inventory.json"
    doc = json.loads((out / "simulation.json").read_text())
    assert saved.exists() and doc["source"]["inventory_sha256"] == hashlib.sha256(saved.read_bytes()).hexdigest()
    # the saved snapshot replays offline to the same outcomes
    again = _run("--inventory", str(saved), "--fail-region", "me-central-1", "--policy", str(policy),
                 "--output", str(tmp_path / "again"), "--format", "json")
    replay = json.loads((tmp_path / "again" / "simulation.json").read_text())
    assert again.exit_code == 0
    assert [(w["name"], w["outcome"]) for w in replay["workloads"]] == \
        [(w["name"], w["outcome"]) for w in doc["workloads"]]
