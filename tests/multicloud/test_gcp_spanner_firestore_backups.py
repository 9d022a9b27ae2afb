"""Spanner and Firestore backups and backup schedules (their admin REST APIs) through the real auth session
against the local recorded-response server: a database with backups is backed up (RES-DATA-001), backups
kept in the database's own region are no copy outside it (RES-DATA-002), a backup copied into another
region's instance is, and the restore from it is priced from its size and age; a denied read is `unknown`."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest

from resilience import recovery
from resilience.collectors.gcp.backup_points import firestore_schedule, spanner_schedule
from resilience.collectors.gcp.clients import GcpSettings
from resilience.collectors.gcp.collector import collect
from resilience.collectors.replay import DeadEndpoint
from resilience.copies import copy_usable
from resilience.graph import build_graph
from resilience.model import BACKED_UP_TO
from resilience.policy import Policy, parse_policy
from resilience.scan import analyse
from resilience.survival import Scenario

from .helpers import ASSETS_PATH, OBSERVED, PROJECT, coverage

SPANNER = "//spanner.googleapis.com/projects/{p}/instances/{i}"
LEDGER = SPANNER.format(p=PROJECT, i="ledger-me")
LOYALTY = SPANNER.format(p=PROJECT, i="loyalty-ledger")
REWARDS = f"//firestore.googleapis.com/projects/{PROJECT}/databases/rewards"
LEDGER_DB = f"projects/{PROJECT}/instances/ledger-me/databases/ledger"
GIB = 1024 ** 3
HOUR = 3600.0


def _collect(env, **overrides):
    settings = GcpSettings.from_env(env, **{"max_attempts": 2, "backoff_s": 0.05, "timeout_s": 5, **overrides})
    return collect(settings, projects=[PROJECT], observed_at=OBSERVED)


def _asset(kind: str, path: str, data: dict, location: str) -> dict:
    return {"name": f"//spanner.googleapis.com/{path}", "assetType": f"spanner.googleapis.com/{kind}",
            "ancestors": ["projects/401234567890"], "resource": {"location": location, "data": {"name": path, **data}}}


def _backup(database: str, held_in: str, age: str, size: int = 10 * GIB, state: str = "READY") -> dict:
    return {"name": f"projects/{PROJECT}/instances/{held_in}/backups/b-{age.strip('{}')}", "database": database,
            "versionTime": age, "createTime": age, "expireTime": "2099-01-01T00:00:00Z", "sizeBytes": str(size),
            "state": state, "encryptionInfo": {"encryptionType": "GOOGLE_DEFAULT_ENCRYPTION"}}


def _regional_spanner(server, *, copy_in_eu: bool = False, denied: bool = False, eu_labels: dict | None = None,
                      eu_denied: bool = False) -> None:
    """``ledger-me`` (regional, me-central1, app: pay) with in-region backups every 6 hours, and ``ledger-eu``
    (regional, europe-west1, no database) holding a copy of one of them when ``copy_in_eu``."""
    server.add({"method": "GET", "path": ASSETS_PATH, "query": {"assetTypes": "spanner.googleapis.com/Instance"},
                "response": {"body": {"assets": [
                    _asset("Instance", f"projects/{PROJECT}/instances/ledger-me",
                           {"config": f"projects/{PROJECT}/instanceConfigs/regional-me-central1", "nodeCount": 1,
                            "labels": {"app": "pay"}}, "me-central1"),
                    _asset("Database", LEDGER_DB, {"state": "READY"}, "me-central1"),
                    _asset("Instance", f"projects/{PROJECT}/instances/ledger-eu",
                           {"config": f"projects/{PROJECT}/instanceConfigs/regional-europe-west1", "nodeCount": 1,
                            **({"labels": eu_labels} if eu_labels else {})}, "europe-west1")]}}})
    own = f"/v1/projects/{PROJECT}/instances/ledger-me/backups"
    if denied:
        server.add({"method": "GET", "path": own, "response": {"status": 403, "body": {"error": {
            "code": 403, "status": "PERMISSION_DENIED", "message": "Caller is missing IAM permission "
            "spanner.backups.list on resource projects/gulf-retail-prod/instances/ledger-me."}}}})
    else:
        server.add({"method": "GET", "path": own, "response": {"body": {"backups": [
            _backup(LEDGER_DB, "ledger-me", "{now-5h}"), _backup(LEDGER_DB, "ledger-me", "{now-11h}")]}}})
    server.add({"method": "GET", "path": f"/v1/{LEDGER_DB}/backupSchedules", "response": {"body": {
        "backupSchedules": [{"name": f"{LEDGER_DB}/backupSchedules/six-hourly",
                             "spec": {"cronSpec": {"text": "30 */6 * * *", "timeZone": "UTC"}},
                             "retentionDuration": "259200s", "incrementalBackupSpec": {}}]}}})
    server.add({"method": "GET", "path": f"/v1/projects/{PROJECT}/instances/ledger-eu/backups", "response": {
        "status": 403, "body": {"error": {"code": 403, "status": "PERMISSION_DENIED", "message": "spanner.backups.list"}}}
        if eu_denied else {"body": {"backups": [_backup(LEDGER_DB, "ledger-eu", "{now-30h}")] if copy_in_eu else []}}})


def _findings(inventory, resource: str) -> dict[str, object]:
    policy = parse_policy("version: 1\nworkloads:\n  pay: {match: {tags: {app: pay}}}\n", "<test>")
    result = analyse(inventory, policy, scan_time=dt.datetime.now(dt.UTC),
                     audited_regions=("me-central1", "europe-west1", "europe-west4"))
    return {f.rule: f for f in result.findings if f.resource == resource and f.rule.startswith("RES-DATA-00")}


def _region_loss_step(inventory, resource: str, region: str = "me-central1"):
    policy = parse_policy("version: 1\nworkloads:\n  pay: {match: {tags: {app: pay}}}\n", "<test>")
    estimate = recovery.estimate_for_scenario(build_graph(inventory, policy), "pay", Scenario.regions(region),
                                              coverage=inventory.coverage, as_of=dt.datetime.now(dt.UTC))
    [step] = [s for s in estimate.steps if s.resource == resource]
    return estimate, step


def _node(inventory, node_id):
    [node] = [r for r in inventory.resources if r.id == node_id]
    return node


def test_the_demo_instance_s_backups_are_kept_in_both_regions_of_its_configuration(gcp_server, gcp_env):
    inventory = _collect(gcp_env)

    first, second = _node(inventory, f"{LOYALTY}#backups"), _node(inventory, f"{LOYALTY}#backups#europe-west4")
    assert (first.region, second.region) == ("europe-west1", "europe-west4")  # eur3
    assert first.kind == "recovery_point" and first.type == "spanner.googleapis.com/Backup"
    assert (first.attrs["status"], first.attrs["backups"], first.attrs["size_bytes"]) == ("READY", 2, 53687091200)
    assert first.attrs["source_resource"] == LOYALTY and first.attrs["databases"] == [
        f"projects/{PROJECT}/instances/loyalty-ledger/databases/points"]
    [edge] = [e for e in inventory.edges if e.kind == BACKED_UP_TO and e.dst == first.id]
    assert edge.src == LOYALTY and edge.attrs["schedule"] == "cron(0 */12 * * *)"
    assert recovery.schedule_interval(edge.attrs["schedule"]) == 12 * HOUR
    for service in ("spanner:backups", "spanner:backupschedules"):
        record = coverage(inventory, service, PROJECT)
        assert (record.status, record.region) == ("ok", "europe-west1")
    paths = [c.path for c in gcp_server.calls if "/backup" in c.path.lower()]
    assert f"/v1/projects/{PROJECT}/instances/loyalty-ledger/backups" in paths
    assert f"/v1/projects/{PROJECT}/instances/loyalty-ledger/databases/points/backupSchedules" in paths
    # the demo's Firestore database has neither backups nor a schedule: no copy, still RES-DATA-001's failure
    assert not [r for r in inventory.resources if r.id.startswith(f"{REWARDS}#backups")]
    assert coverage(inventory, "firestore:backups", PROJECT).status == "ok"


def test_a_regional_instance_with_in_region_backups_is_backed_up_but_has_no_copy_outside_its_region(
        gcp_server, gcp_env):
    _regional_spanner(gcp_server)
    inventory = _collect(gcp_env)

    node = _node(inventory, f"{LEDGER}#backups")
    assert (node.region, node.attrs["status"], node.attrs["schedule_types"]) == ("me-central1", "READY",
                                                                                ["incremental"])
    [edge] = [e for e in inventory.edges if e.kind == BACKED_UP_TO and e.dst == node.id]
    assert recovery.schedule_interval(edge.attrs["schedule"]) == 6 * HOUR  # the schedule's, not a guess
    findings = _findings(inventory, LEDGER)
    assert findings["RES-DATA-001"].status == "pass"
    assert "spanner.googleapis.com/Backup" in findings["RES-DATA-001"].message
    assert findings["RES-DATA-002"].status == "fail", findings["RES-DATA-002"].message
    assert "in me-central1" in findings["RES-DATA-002"].message
    # losing the region loses the instance and its backups: nothing to restore
    estimate, step = _region_loss_step(inventory, LEDGER)
    assert step.rpo == float("inf")
    assert "recovery point(s)" in step.reasoning and "me-central1" in step.reasoning


def test_a_backup_copied_into_another_regions_instance_is_the_copy_a_region_loss_restores(gcp_server, gcp_env):
    _regional_spanner(gcp_server, copy_in_eu=True)
    inventory = _collect(gcp_env)

    copy = _node(inventory, f"{LEDGER}#backups@ledger-eu")
    assert (copy.region, copy.attrs["source_resource"], copy.attrs["copied"]) == ("europe-west1", LEDGER, True)
    findings = _findings(inventory, LEDGER)
    assert findings["RES-DATA-002"].status == "pass" and "europe-west1" in findings["RES-DATA-002"].message
    estimate, step = _region_loss_step(inventory, LEDGER)
    # priced from the copy: its 10 GiB at the table's throughput, and its age (a copy made once, unscheduled)
    assert re.search(r"\b10 GiB at", step.reasoning), step.reasoning
    assert 30 * HOUR <= step.rpo < 30 * HOUR + 600, step.reasoning
    assert "europe-west1" in step.reasoning


def test_an_instance_holding_only_a_copied_backup_is_no_data_store_and_has_no_pitr(gcp_server, gcp_env):
    """Blind gcp10: the europe-west1 instance that only holds a backup copied from the me-central1 one (no
    database) was judged a primary store with an assumed point-in-time recovery: RES-DATA-002/003 failed, and
    losing europe-west1 'lost data' (critical) on a sound backup design."""
    _regional_spanner(gcp_server, copy_in_eu=True, eu_labels={"app": "pay"})
    inventory = _collect(gcp_env)

    eu, me = _node(inventory, SPANNER.format(p=PROJECT, i="ledger-eu")), _node(inventory, LEDGER)
    assert (eu.attrs["databases"], eu.attrs["holds_data"], eu.attrs["pitr"]) == (0, False, False)
    assert (me.attrs["databases"], me.attrs["holds_data"], me.attrs["pitr"]) == (1, True, True)
    assert _findings(inventory, eu.id) == {}  # not a data store: nothing of its own to back up or copy
    policy = parse_policy("version: 1\nworkloads:\n  pay: {match: {tags: {app: pay}}}\n", "<test>")
    result = analyse(inventory, policy, scan_time=dt.datetime.now(dt.UTC),
                     audited_regions=("me-central1", "europe-west1"))
    regional = {f.region: f for f in result.findings if f.rule == "RES-REGIONAL-001" and f.workload == "pay"}
    assert regional["europe-west1"].status == "pass", regional["europe-west1"].message
    assert "loses data" not in regional["europe-west1"].message
    # a database-only workload serves through its database: a restore is no failover, but the copy held in
    # europe-west1 keeps the data (the finding says it stops, not that it loses data)
    home = regional["me-central1"]
    assert "stops serving" in home.message and "no surviving copy" not in home.message, home.message


def test_a_denied_backups_read_is_unknown_and_makes_no_copy(gcp_server, gcp_env):
    _regional_spanner(gcp_server, denied=True)
    inventory = _collect(gcp_env)

    [record] = [c for c in inventory.coverage if c.service == "spanner:backups" and c.region == "me-central1"]
    assert (record.status, record.resources) == ("denied", (LEDGER,))
    assert "ledger-me" in record.detail and "403" in record.detail
    assert not [r for r in inventory.resources if r.id.startswith(f"{LEDGER}#backups")]
    # its schedules are not read either (nothing would hold them)
    assert not [c for c in gcp_server.calls if c.path.endswith(f"{LEDGER_DB}/backupSchedules")]
    findings = _findings(inventory, LEDGER)
    # the denied listing is of what ledger-me's own instance holds (in me-central1): a copy in another region
    # would be listed by the instance holding it, so the colocated verdict stands
    assert findings["RES-DATA-002"].status == "fail", findings["RES-DATA-002"].message
    # a backups listing holds no live copy: the replica verdict does not wait on it
    assert findings["RES-DATA-003"].status == "fail", findings["RES-DATA-003"].message
    estimate, _step = _region_loss_step(inventory, LEDGER)
    assert any("spanner:backups" in u and "ledger-me" in u for u in estimate.unknown)


def test_a_denied_listing_of_another_instance_s_backups_may_hide_a_copy_of_this_one(gcp_server, gcp_env):
    """An instance holds copies of other instances' backups (backups.copy): its failed listing is about every
    instance with data, so the me-central1 instance's 'no copy outside' is unknown, not a fail."""
    _regional_spanner(gcp_server, eu_denied=True)
    inventory = _collect(gcp_env)

    [record] = [c for c in inventory.coverage if c.service == "spanner:backups" and c.status != "ok"]
    assert (record.status, record.region, set(record.resources)) == (
        "denied", "europe-west1", {LEDGER, SPANNER.format(p=PROJECT, i="ledger-eu")})
    findings = _findings(inventory, LEDGER)
    assert findings["RES-DATA-001"].status == "pass"  # its own backups were read
    assert findings["RES-DATA-002"].status == "unknown", findings["RES-DATA-002"].message


def test_a_denied_firestore_backups_read_of_one_location_is_about_the_databases_there_only(gcp_server, gcp_env):
    """Blind gcp10: a 403 on backups.list for me-central2 made the verdicts of databases in me-central1 (and of
    workloads with no Firestore at all) unknown; a Firestore backup is kept only in its database's location."""
    audit = f"//firestore.googleapis.com/projects/{PROJECT}/databases/audit"
    gcp_server.add({"method": "GET", "path": ASSETS_PATH, "query": {"assetTypes": "firestore.googleapis.com/Database"},
                    "response": {"body": {"assets": [
                        {"name": name, "assetType": "firestore.googleapis.com/Database",
                         "resource": {"location": location, "data": {
                             "name": name.split("googleapis.com/", 1)[1], "locationId": location}}}
                        for name, location in ((REWARDS, "me-central1"), (audit, "me-central2"))]}}})
    gcp_server.add({"method": "GET", "path": f"/v1/projects/{PROJECT}/locations/me-central1/backups",
                    "response": {"body": {"backups": [
                        {"name": f"projects/{PROJECT}/locations/me-central1/backups/b1",
                         "database": f"projects/{PROJECT}/databases/rewards", "snapshotTime": "{now-10h}",
                         "state": "READY"}]}}})
    gcp_server.add({"method": "GET", "path": f"/v1/projects/{PROJECT}/locations/me-central2/backups",
                    "response": {"status": 403, "body": {"error": {"code": 403, "status": "PERMISSION_DENIED",
                                                                   "message": "datastore.backups.list"}}}})
    inventory = _collect(gcp_env)

    [record] = [c for c in inventory.coverage if c.service == "firestore:backups" and c.status != "ok"]
    assert (record.status, record.region, record.resources) == ("denied", "me-central2", (audit,))
    result = analyse(inventory, Policy(), scan_time=dt.datetime.now(dt.UTC),
                     audited_regions=("me-central1", "me-central2"))
    rules = {(f.resource, f.rule): f for f in result.findings}
    assert rules[(REWARDS, "RES-DATA-002")].status == "fail", rules[(REWARDS, "RES-DATA-002")].message
    assert "me-central2" not in rules[(REWARDS, "RES-DATA-002")].message
    assert rules[(audit, "RES-DATA-001")].status == "unknown"


def test_firestore_backups_with_a_daily_schedule_are_a_backup_in_the_databases_location(gcp_server, gcp_env):
    gcp_server.add({"method": "GET", "path": f"/v1/projects/{PROJECT}/locations/me-central1/backups",
                    "response": {"body": {"backups": [
                        {"name": f"projects/{PROJECT}/locations/me-central1/backups/b1",
                         "database": f"projects/{PROJECT}/databases/rewards", "databaseUid": "u1",
                         "snapshotTime": "{now-10h}", "expireTime": "2099-01-01T00:00:00Z", "state": "READY"},
                        {"name": f"projects/{PROJECT}/locations/me-central1/backups/b0",
                         "database": f"projects/{PROJECT}/databases/other", "snapshotTime": "{now-1h}",
                         "state": "READY"}]}}})
    gcp_server.add({"method": "GET", "path": f"/v1/projects/{PROJECT}/databases/rewards/backupSchedules",
                    "response": {"body": {"backupSchedules": [
                        {"name": f"projects/{PROJECT}/databases/rewards/backupSchedules/s1", "retention": "604800s",
                         "weeklyRecurrence": {"day": "MONDAY"}},
                        {"name": f"projects/{PROJECT}/databases/rewards/backupSchedules/s2", "retention": "86400s",
                         "dailyRecurrence": {}}]}}})
    inventory = _collect(gcp_env)

    node = _node(inventory, f"{REWARDS}#backups")
    assert (node.region, node.type, node.attrs["status"], node.attrs["backups"]) == (
        "me-central1", "firestore.googleapis.com/Backup", "READY", 1)  # another database's backup is not its
    [edge] = [e for e in inventory.edges if e.kind == BACKED_UP_TO and e.dst == node.id]
    assert edge.attrs["schedule"] == "rate(1 day)"  # the daily schedule bounds it, not the weekly one
    result = analyse(inventory, Policy(), scan_time=dt.datetime.now(dt.UTC), audited_regions=("me-central1",))
    rules = {f.rule: f for f in result.findings if f.resource == REWARDS}
    assert rules["RES-DATA-001"].status == "pass"
    assert rules["RES-DATA-002"].status == "fail"


@pytest.mark.parametrize(("status", "body", "want"), [
    (403, {"error": {"code": 403, "status": "PERMISSION_DENIED", "message": "datastore.backups.list"}}, "denied"),
    (404, {"error": {"code": 404, "status": "NOT_FOUND", "message": "location not found"}}, "error"),
    (200, {"backups": [], "unreachable": ["me-central1"]}, "error"),
])
def test_a_failed_firestore_backups_read_makes_the_backup_verdict_unknown(gcp_server, gcp_env, status, body, want):
    gcp_server.add({"method": "GET", "path": f"/v1/projects/{PROJECT}/locations/me-central1/backups",
                    "response": {"status": status, "body": body}})
    inventory = _collect(gcp_env)

    record = coverage(inventory, "firestore:backups", PROJECT)
    assert (record.status, record.region) == (want, "me-central1")
    result = analyse(inventory, Policy(), scan_time=dt.datetime.now(dt.UTC), audited_regions=("me-central1",))
    [finding] = [f for f in result.findings if f.resource == REWARDS and f.rule == "RES-DATA-001"]
    assert finding.status == "unknown", finding.message  # never a pass, never a plain "no backup"


def test_spanner_backups_are_paged(gcp_server, gcp_env):
    path = f"/v1/projects/{PROJECT}/instances/loyalty-ledger/backups"
    db = f"projects/{PROJECT}/instances/loyalty-ledger/databases/points"
    gcp_server.add({"method": "GET", "path": path, "query": {"pageToken": None}, "response": {"body": {
        "backups": [_backup(db, "loyalty-ledger", "{now-2h}", state="CREATING")], "nextPageToken": "cDI="}}})
    gcp_server.add({"method": "GET", "path": path, "query": {"pageToken": "cDI="}, "response": {"body": {
        "backups": [_backup(db, "loyalty-ledger", "{now-40h}", size=7)]}}})
    inventory = _collect(gcp_env)

    node = _node(inventory, f"{LOYALTY}#backups")
    # the backup still being made is no copy: the one that exists is 40 hours old
    assert (node.attrs["backups"], node.attrs["status"], node.attrs["size_bytes"]) == (2, "READY", 7)
    assert node.attrs["last_backup_state"] == "CREATING"
    age = dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(node.attrs["created_at"].replace("Z", "+00:00"))
    assert 40 * HOUR - 60 <= age.total_seconds() <= 40 * HOUR + 600


def test_a_dead_spanner_endpoint_is_unreachable_once_and_not_retried_for_the_other_reads(gcp_server, gcp_env):
    _regional_spanner(gcp_server)
    with DeadEndpoint() as dead:
        started = time.monotonic()
        inventory = _collect({**gcp_env, "GOOGLE_CLOUD_SPANNER_ENDPOINT": dead.base_url}, timeout_s=0.5)
        elapsed = time.monotonic() - started

    assert elapsed < 8
    records = [c for c in inventory.coverage if c.service.startswith("spanner:")]
    assert records and {c.status for c in records} == {"unreachable"}
    assert any("not attempted" in c.detail for c in records)
    assert not [r for r in inventory.resources if r.type == "spanner.googleapis.com/Backup"]
    assert coverage(inventory, "firestore:backups", PROJECT).status == "ok"  # another endpoint: still read


def test_the_schedule_that_bounds_an_instance_is_its_least_covered_databases():
    def schedule(text, incremental=False):
        return {"spec": {"cronSpec": {"text": text}}, "retentionDuration": "86400s",
                **({"incrementalBackupSpec": {}} if incremental else {"fullBackupSpec": {}})}

    got = spanner_schedule({"a": [schedule("0 * * * *"), schedule("0 0 * * *")],  # hourly and daily: hourly
                            "b": [schedule("0 */6 * * *", incremental=True)]})  # every 6 hours
    assert got["schedule"] == "cron(0 */6 * * *)" and got["schedule_types"] == ["full", "incremental"]
    assert spanner_schedule({"a": [schedule("0 * * * *")], "b": []})["schedule"] is None  # b is unscheduled
    assert firestore_schedule([{"weeklyRecurrence": {"day": "SUNDAY"}}])["schedule"] == "rate(7 days)"


@pytest.mark.parametrize("native", ["spanner.googleapis.com/Backup", "firestore.googleapis.com/Backup"])
def test_only_a_ready_backup_is_a_copy(native):
    def usable(status):
        return copy_usable({"kind": "recovery_point", "type": native, "attrs": {"status": status}})

    assert usable("READY")
    assert not any(usable(s) for s in ("CREATING", "NOT_AVAILABLE", "STATE_UNSPECIFIED", "NO_BACKUPS"))
