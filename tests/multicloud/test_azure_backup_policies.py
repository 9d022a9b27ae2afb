"""Azure Backup policies (Protection Policies - List) and autoscale settings through the real SDK against the
local recorded-response server: the policy's schedule bounds the RPO of a restore from its protected items
(max(age of the last recovery point, the interval)); an autoscale setting says whether a scale set can scale
out in the zones left after one is lost (issue 12)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from resilience import recovery
from resilience.collectors.azure.backup_policies import policy_facts
from resilience.collectors.azure.clients import AzureSettings
from resilience.collectors.azure.collector import collect
from resilience.graph import build_graph
from resilience.model import BACKED_UP_TO, Inventory
from resilience.policy import parse_policy
from resilience.survival import Scenario

from .helpers import ARG_PATH, OBSERVED, SUB, by_name, edges

VAULT = f"/subscriptions/{SUB}/resourceGroups/rg-legacy/providers/Microsoft.RecoveryServices/vaults/rsv-gulf-uaen"
POLICIES = f"{VAULT}/backupPolicies"
VM = f"/subscriptions/{SUB}/resourcegroups/rg-legacy/providers/microsoft.compute/virtualmachines/vm-legacy-app"
ITEM_SUFFIX = "protectedItems/VM;iaasvmcontainerv2;rg-legacy;vm-legacy-app"
DAY = 86400.0
NOW = dt.datetime.fromisoformat(OBSERVED)


def _collect(env):
    settings = AzureSettings.from_env(env, retry_total=2, retry_backoff_s=0.05, connect_timeout_s=2, read_timeout_s=5)
    return collect(settings, observed_at=OBSERVED)


def _last_recovery_point(server, when: str) -> None:
    """The backup items query answers with vm-legacy-app's item whose last recovery point is ``when``."""
    from resilience.collectors.azure.demo import recording

    [route] = [r for r in recording()["routes"] if "backupfabrics" in str(r.get("body_contains"))]
    body = route["response"]["body"]
    body["data"][0]["properties"]["lastRecoveryPoint"] = when
    body["data"][0]["properties"]["lastBackupTime"] = when
    server.add({"method": "POST", "path": ARG_PATH, "body_contains": [*route["body_contains"], "order by id"],
                "response": {"status": 200, "body": body}})


def _vault_redundancy(server, redundancy: str) -> None:
    """The vaults query for UAE North answers with rsv-gulf-uaen's storage redundancy set to ``redundancy``
    (the recording's is ``LocallyRedundant``)."""
    import copy

    from resilience.collectors.azure.demo import recording

    [route] = [r for r in recording()["routes"] if "('microsoft.recoveryservices/vaults')" in r.get("body_contains", [])
               and "where location =~ 'uaenorth'" in r.get("body_contains", [])]
    route = copy.deepcopy(route)
    route["response"]["body"]["data"][0]["properties"]["redundancySettings"]["standardTierStorageRedundancy"] = redundancy
    server.add({k: route[k] for k in ("method", "path", "body_contains", "response")})


def _legacy_zone_loss(inventory):
    """The legacy workload (vm-legacy-app, zone 1 of UAE North) when that zone fails: its disks are lost
    and restored from the vault's recovery points (the vault made zone-redundant by the test, so that they
    survive the zone: an LRS vault may be in it, test_an_lrs_vaults_recovery_points_may_be_in_the_lost_zone)."""
    policy = parse_policy("version: 1\nworkloads:\n  legacy: {match: {tags: {app: legacy}}}\n", "<test>")
    graph = build_graph(inventory, policy)
    vm = by_name(inventory, "virtualMachines/vm-legacy-app")
    estimate = recovery.estimate_for_scenario(graph, "legacy", Scenario.zones(*vm.zones), coverage=inventory.coverage,
                                              as_of=NOW)
    restores = [s for s in estimate.steps if "restore" in s.model_key or "snapshot" in s.model_key]
    assert restores, [(s.name, s.model_key) for s in estimate.steps]
    return estimate, restores


def test_policies_are_paged_and_each_item_edge_carries_its_policy_schedule(azure_server, azure_env):
    inventory = _collect(azure_env)

    calls = [c for c in azure_server.calls if c.path == POLICIES]
    assert [c.query.get("$skipToken") for c in calls] == [None, ["cG9saWN5LXBhZ2UtMg=="]]  # nextLink followed
    assert all(c.query.get("api-version") == ["2024-04-01"] for c in calls)
    records = [c for c in inventory.coverage if c.service == "backup:policies"]
    assert {(c.region, c.status) for c in records} == {("uaenorth", "ok"), ("westeurope", "ok")}
    # DailyPolicy is on the second page: only paging finds it
    [edge] = edges(inventory, BACKED_UP_TO, "vm-legacy-app", ITEM_SUFFIX)
    assert edge.attrs["schedule"] == "rate(1 day)"
    assert (edge.attrs["rule"], edge.attrs["policy_name"], edge.attrs["backup_frequency"]) == (
        "DailyPolicy", "DailyPolicy", "Daily")
    assert edge.attrs["retention_days"] == 84  # the weekly points are kept 12 weeks
    item = by_name(inventory, ITEM_SUFFIX)
    assert item.attrs["schedule"] == "rate(1 day)" and item.attrs["policy_read"] is True


def test_a_daily_policy_whose_last_recovery_point_is_20_hours_old_gives_an_rpo_of_one_day(azure_server, azure_env):
    _vault_redundancy(azure_server, "ZoneRedundant")
    _last_recovery_point(azure_server, (NOW - dt.timedelta(hours=20)).isoformat())
    estimate, restores = _legacy_zone_loss(_collect(azure_env))

    assert all(s.rpo == DAY for s in restores), [(s.name, s.rpo, s.reasoning) for s in restores]
    assert all(re.search(r"newest usable copy 20h old at scan time, backup schedule every 1d", s.reasoning)
               for s in restores)
    assert estimate.rpo == DAY and not estimate.unknown


def test_a_daily_policy_whose_last_recovery_point_is_40_days_old_gives_an_rpo_of_40_days(azure_server, azure_env):
    _vault_redundancy(azure_server, "ZoneRedundant")
    _last_recovery_point(azure_server, (NOW - dt.timedelta(days=40)).isoformat())
    estimate, restores = _legacy_zone_loss(_collect(azure_env))

    assert all(s.rpo == 40 * DAY for s in restores)
    assert all("max(40d, 1d) = 40d" in s.reasoning for s in restores), [s.reasoning for s in restores]
    assert estimate.rpo == 40 * DAY


def test_denied_policies_are_a_denied_record_naming_the_vault_and_the_rpo_unknown(azure_server, azure_env):
    _vault_redundancy(azure_server, "ZoneRedundant")
    azure_server.add({"method": "GET", "path": POLICIES, "response": {"status": 403, "body": {"error": {
        "code": "AuthorizationFailed", "message": "The client 'scanner' does not have authorization to perform "
                                                  "action 'Microsoft.RecoveryServices/Vaults/backupPolicies/read'"}}}})
    inventory = _collect(azure_env)

    [record] = [c for c in inventory.coverage if c.service == "backup:policies" and c.region == "uaenorth"]
    assert record.status == "denied" and record.resources == (VAULT,)
    assert "AuthorizationFailed" in record.detail
    [edge] = edges(inventory, BACKED_UP_TO, "vm-legacy-app", ITEM_SUFFIX)
    assert "schedule" not in edge.attrs and edge.attrs["rule"] == "DailyPolicy"
    assert by_name(inventory, ITEM_SUFFIX).attrs["policy_read"] is False
    estimate, restores = _legacy_zone_loss(inventory)
    assert not estimate.complete
    assert any("backup:policies" in u and "backup schedule" in u for u in estimate.unknown), estimate.unknown
    # the other vault's policies were read: its region's record stays ok
    assert {c.status for c in inventory.coverage if c.service == "backup:policies" and c.region == "westeurope"} == {
        "ok"}


def test_an_lrs_vaults_recovery_points_may_be_in_the_lost_zone(azure_server, azure_env):
    """A LocallyRedundant vault keeps its copies in one datacentre of its region, in a zone ARM does not
    name: the recovery points of vm-legacy-app are of unreported zone, so the loss of the VM's zone may take
    them too. The estimate is priced at the worst case (the vault in that zone: Site Recovery, not a restore
    from the vault) and the doubt names the vault's recovery point; a ZoneRedundant vault's survive the zone."""
    _last_recovery_point(azure_server, (NOW - dt.timedelta(hours=20)).isoformat())
    inventory = _collect(azure_env)
    item = by_name(inventory, ITEM_SUFFIX)
    assert item.attrs["placement"] == "regional" and item.attrs["zone_unreported"] is True
    assert by_name(inventory, "vaults/rsv-gulf-uaen").attrs["zone_unreported"] is True
    policy = parse_policy("version: 1\nworkloads:\n  legacy: {match: {tags: {app: legacy}}}\n", "<test>")
    graph = build_graph(inventory, policy)
    vm = by_name(inventory, "virtualMachines/vm-legacy-app")
    scenario = Scenario.zones(*vm.zones)
    estimate = recovery.estimate_for_scenario(graph, "legacy", scenario, coverage=inventory.coverage, as_of=NOW)
    # the demo VM is also replicated by Site Recovery: that (not the vault) is what the worst case leaves
    assert not [s for s in estimate.steps if "restore" in s.model_key], [(s.name, s.model_key) for s in estimate.steps]
    assert {s.model_key for s in estimate.steps} == {"azure-site-recovery-failover"}


def test_a_zone_redundant_vaults_recovery_points_survive_the_zone(azure_server, azure_env):
    _vault_redundancy(azure_server, "ZoneRedundant")
    inventory = _collect(azure_env)
    item = by_name(inventory, ITEM_SUFFIX)
    assert item.attrs["placement"] == "zone_redundant" and "zone_unreported" not in item.attrs
    _legacy_zone_loss(inventory)


@pytest.mark.parametrize("policy, schedule, frequency, retention", [
    ({"schedulePolicy": {"schedulePolicyType": "SimpleSchedulePolicyV2", "scheduleRunFrequency": "Hourly",
                         "hourlySchedule": {"interval": 4, "scheduleWindowDuration": 16}},
      "retentionPolicy": {"retentionPolicyType": "LongTermRetentionPolicy",
                          "dailySchedule": {"retentionDuration": {"count": 30, "durationType": "Days"}}}},
     "rate(4 hours)", "Hourly", 30),
    ({"schedulePolicy": {"schedulePolicyType": "SimpleSchedulePolicyV2", "scheduleRunFrequency": "Weekly",
                         "weeklySchedule": {"scheduleRunDays": ["Monday", "Thursday"]}}},
     "rate(4 days)", "Weekly", None),  # Thursday to Monday: the longest gap
    ({"schedulePolicy": {"schedulePolicyType": "SimpleSchedulePolicy", "scheduleRunFrequency": "Weekly",
                         "scheduleRunDays": ["Sunday"]}}, "rate(7 days)", "Weekly", None),
    ({"schedulePolicy": {"schedulePolicyType": "SimpleSchedulePolicyV2", "scheduleRunFrequency": "Daily",
                         "dailySchedule": {"scheduleRunTimes": ["2026-01-01T02:00:00Z"]}}}, "rate(1 day)", "Daily", None),
    ({"backupManagementType": "AzureWorkload", "subProtectionPolicy": [
        {"policyType": "Full", "schedulePolicy": {"schedulePolicyType": "SimpleSchedulePolicy",
                                                  "scheduleRunFrequency": "Daily"},
         "retentionPolicy": {"retentionPolicyType": "LongTermRetentionPolicy",
                             "yearlySchedule": {"retentionDuration": {"count": 2, "durationType": "Years"}}}},
        {"policyType": "Log", "schedulePolicy": {"schedulePolicyType": "LogSchedulePolicy",
                                                 "scheduleFrequencyInMins": 15},
         "retentionPolicy": {"retentionPolicyType": "SimpleRetentionPolicy",
                             "retentionDuration": {"count": 7, "durationType": "Days"}}}]},
     "rate(15 minutes)", "Log", 730),
    ({"schedulePolicy": {"schedulePolicyType": "SimpleSchedulePolicy", "scheduleRunFrequency": "Hourly"}},
     None, "Hourly", None),  # no interval: no schedule is made up
])
def test_policy_schedules(policy, schedule, frequency, retention):
    facts = policy_facts({"name": "p", "properties": policy})
    assert (facts["schedule"], facts["backup_frequency"], facts["retention_days"]) == (schedule, frequency, retention)
    if schedule:
        assert recovery.schedule_interval(schedule) is not None


@pytest.mark.parametrize("crr, counted", [("Enabled", True), ("Disabled", False)])
def test_a_grs_vault_copy_counts_only_with_cross_region_restore(crr, counted):
    """GRS keeps a copy in the paired region; without Cross Region Restore only Microsoft can fail the vault
    over, so the copy is not one the owner can restore from."""
    from resilience.collectors.azure.transform import transform_subscription
    from resilience.survival import backups_of

    from .test_azure_transform import LOCATIONS, _id

    vault, vm = _id("Microsoft.RecoveryServices/vaults", "rsv"), _id("Microsoft.Compute/virtualMachines", "vm1")
    rows = [{"id": vm, "name": "vm1", "type": "Microsoft.Compute/virtualMachines", "location": "uaenorth",
             "properties": {}},
            {"id": vault, "name": "rsv", "type": "Microsoft.RecoveryServices/vaults", "location": "uaenorth",
             "properties": {"redundancySettings": {"standardTierStorageRedundancy": "GeoRedundant",
                                                   "crossRegionRestore": crr}}}]
    item = {"id": f"{vault}/backupFabrics/Azure/protectionContainers/c/protectedItems/vm1", "name": "vm1",
            "type": "microsoft.recoveryservices/vaults/backupfabrics/protectioncontainers/protecteditems",
            "properties": {"sourceResourceId": vm, "policyName": "DailyPolicy", "lastRecoveryPoint": OBSERVED}}
    t = transform_subscription(SUB, OBSERVED, locations=LOCATIONS, rows=rows, recovery_rows=[item])
    graph = build_graph(Inventory(resources=t.resources, edges=t.edges))
    regions = {c.region for c in backups_of(graph, vm)}
    assert ("uaecentral" in regions) is counted and "uaenorth" in regions
