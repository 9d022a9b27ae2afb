"""Cloud SQL backup runs (Cloud SQL Admin ``backupRuns.list``) through the real auth session against the
local recorded-response server: the RPO after losing an instance is the age of its newest *successful*
backup, not the schedule Cloud Asset reports (issue 12; issue 10 item 4 on GCP)."""

from __future__ import annotations

import datetime as dt
import re

from resilience import recovery
from resilience.collectors.gcp.clients import GcpSettings
from resilience.collectors.gcp.collector import collect
from resilience.graph import build_graph
from resilience.policy import parse_policy
from resilience.survival import Scenario

from .helpers import OBSERVED, PROJECT, coverage

RUNS_PATH = f"/v1/projects/{PROJECT}/instances/orders-sql/backupRuns"
INSTANCE = f"//cloudsql.googleapis.com/projects/{PROJECT}/instances/orders-sql"
DAY = 86400.0


def _collect(env):
    settings = GcpSettings.from_env(env, max_attempts=2, backoff_s=0.05, timeout_s=5)
    return collect(settings, projects=[PROJECT], observed_at=OBSERVED)


def _backups(inventory):
    [node] = [r for r in inventory.resources if r.id == f"{INSTANCE}#backups"]
    return node


def _run(status: str, ended: str, **extra) -> dict:
    return {"kind": "sql#backupRun", "status": status, "instance": "orders-sql", "type": "AUTOMATED",
            "location": "me-central1", "startTime": ended, "endTime": ended, **extra}


def _zone_loss_rpo(inventory):
    """The shop workload's RPO when orders-sql's zone fails (its backups, in the region, survive)."""
    policy = parse_policy("version: 1\nworkloads:\n  shop: {match: {tags: {app: shop}}}\n", "<test>")
    graph = build_graph(inventory, policy)
    estimate = recovery.estimate_for_scenario(graph, "shop", Scenario.zones("me-central1-a"),
                                              coverage=inventory.coverage, as_of=dt.datetime.now(dt.UTC))
    [step] = [s for s in estimate.steps if s.resource == INSTANCE]
    return estimate, step


def test_the_newest_successful_run_is_the_copy_and_a_daily_schedule_bounds_it(gcp_server, gcp_env):
    inventory = _collect(gcp_env)  # the demo recording: the newest run succeeded 20 hours ago

    node = _backups(inventory)
    assert node.attrs["status"] == "SUCCESSFUL" and node.attrs["backup_runs"] == 3
    assert coverage(inventory, "sqladmin:backupruns", PROJECT).region == "me-central1"
    assert coverage(inventory, "sqladmin:backupruns", PROJECT).status == "ok"
    calls = [c for c in gcp_server.calls if c.path.endswith("/backupRuns")]
    assert [c.path for c in calls] == [RUNS_PATH]  # the replica (backups off) and the external source: not read
    _estimate, step = _zone_loss_rpo(inventory)
    # point-in-time recovery is on and its logs reach back to that backup: a restore to minutes ago
    assert (step.model_key, step.rpo) == ("cloudsql-pitr", 300.0)
    node = next(r for r in inventory.resources if r.id == INSTANCE)
    node.attrs["pitr"] = False  # without it: max(20 h, 1 day), a failure just before tonight's backup loses a day
    _estimate, step = _zone_loss_rpo(inventory)
    assert step.rpo == DAY
    assert re.search(r"newest usable copy 20h(\d+s)? old at scan time, backup schedule every 1d", step.reasoning)


def test_a_daily_schedule_whose_last_success_is_40_days_old_has_an_rpo_of_40_days(gcp_server, gcp_env):
    """Paged (``nextPageToken``); the newest runs failed: the copy that exists is the 40-day-old one."""
    gcp_server.add({"method": "GET", "path": RUNS_PATH, "query": {"pageToken": None}, "response": {"body": {
        "items": [_run("FAILED", "{now-2h}", error={"code": "BACKUP_FAILED", "message": "disk quota"}),
                  _run("SKIPPED", "{now-26h}")],
        "nextPageToken": "cGFnZTI="}}})
    gcp_server.add({"method": "GET", "path": RUNS_PATH, "query": {"pageToken": "cGFnZTI="}, "response": {"body": {
        "items": [_run("SUCCESSFUL", "{now-40d}"), _run("SUCCESSFUL", "{now-41d}")]}}})
    inventory = _collect(gcp_env)

    node = _backups(inventory)
    assert (node.attrs["backup_runs"], node.attrs["status"], node.attrs["last_run_status"]) == (4, "SUCCESSFUL",
                                                                                                 "FAILED")
    assert node.attrs["last_run_error"] == "disk quota"
    _estimate, step = _zone_loss_rpo(inventory)
    # point-in-time recovery replays 7 days of logs onto a backup: from a 40-day-old one it cannot reach now
    assert 40 * DAY <= step.rpo < 40 * DAY + 3600
    assert re.search(r"newest usable copy 40d(\d+s)? old at scan time, backup schedule every 1d", step.reasoning)


def test_no_successful_run_is_no_usable_backup(gcp_server, gcp_env):
    gcp_server.add({"method": "GET", "path": RUNS_PATH, "response": {"body": {
        "items": [_run("FAILED", "{now-2h}"), _run("RUNNING", "{now-1h}")]}}})
    inventory = _collect(gcp_env)

    assert _backups(inventory).attrs["status"] == "RUNNING"  # the last run's: not a finished copy
    # point-in-time recovery is on, but it restores from a backup too: no copy at all
    estimate, step = _zone_loss_rpo(inventory)
    assert step.rpo == float("inf") and estimate.rpo == float("inf")  # no surviving copy: unbounded


def test_denied_backup_runs_are_recorded_in_the_instances_region_and_the_rpo_is_unknown(gcp_server, gcp_env):
    gcp_server.add({"method": "GET", "path": RUNS_PATH, "response": {"status": 403, "body": {"error": {
        "code": 403, "status": "PERMISSION_DENIED", "message": "The caller does not have permission",
        "errors": [{"reason": "notAuthorized", "message": "cloudsql.backupRuns.list"}]}}}})
    inventory = _collect(gcp_env)

    record = coverage(inventory, "sqladmin:backupruns", PROJECT)
    assert (record.status, record.region) == ("denied", "me-central1")
    assert "403" in record.detail and "orders-sql" in record.detail
    assert "backup_runs_read" not in _backups(inventory).attrs  # the schedule alone, said to be unread
    estimate, _step = _zone_loss_rpo(inventory)
    assert any("me-central1" in u for u in estimate.unknown)
