"""Soundness cases from a blind Azure estate (built from the ARM docs, served by a fake ARM server):
API-shaped rows -> transform -> the same survival engine and rules as every cloud."""

from __future__ import annotations

import pytest

from resilience.collectors.azure.transform import transform_subscription
from resilience.model import Inventory
from resilience.scan import analyse

from .helpers import OBSERVED
from .test_azure_seen_wrong import _findings, _verdicts
from .test_azure_transform import LOCATIONS, SUB, _id

VM, DISK = _id("Microsoft.Compute/virtualMachines", "vm-archive"), _id("Microsoft.Compute/disks", "vm-archive-os")
VAULT = _id("Microsoft.RecoveryServices/vaults", "rsv-archive")
TAGS = {"resilience:workload": "archive"}


def _vm_rows(*, zones=None, redundancy="LocallyRedundant", crr="Disabled"):
    """A VM whose OS disk is attached through its ``storageProfile`` (the disk row has no ``managedBy``),
    backed up by Azure Backup into a Recovery Services vault in its region."""
    vm = {"id": VM, "name": "vm-archive", "type": "Microsoft.Compute/virtualMachines", "location": "uaenorth",
          "tags": TAGS, "properties": {"hardwareProfile": {"vmSize": "Standard_D4s_v5"}, "storageProfile": {
              "osDisk": {"osType": "Linux", "name": "vm-archive-os",
                         "managedDisk": {"id": DISK, "storageAccountType": "Premium_ZRS"}}, "dataDisks": []}}}
    if zones:
        vm["zones"] = zones
    disk = {"id": DISK, "name": "vm-archive-os", "type": "Microsoft.Compute/disks", "location": "uaenorth",
            "tags": TAGS, "sku": {"name": "Premium_ZRS"}, "properties": {"diskSizeGB": 256, "diskState": "Attached"}}
    vault = {"id": VAULT, "name": "rsv-archive", "type": "Microsoft.RecoveryServices/vaults", "location": "uaenorth",
             "tags": TAGS, "properties": {"redundancySettings": {"standardTierStorageRedundancy": redundancy,
                                                                "crossRegionRestore": crr}}}
    container = "IaasVMContainer;iaasvmcontainerv2;rg;vm-archive"
    item = {"id": f"{VAULT}/backupFabrics/Azure/protectionContainers/{container}/protectedItems/"
                  "VM;iaasvmcontainerv2;rg;vm-archive",
            "name": "VM;iaasvmcontainerv2;rg;vm-archive", "location": "uaenorth",
            "type": "microsoft.recoveryservices/vaults/backupfabrics/protectioncontainers/protecteditems",
            "properties": {"friendlyName": "vm-archive", "sourceResourceId": VM, "virtualMachineId": VM,
                           "protectionState": "Protected", "lastBackupStatus": "Completed", "workloadType": "VM",
                           "lastRecoveryPoint": OBSERVED, "policyName": "DailyPolicy"}}
    return [vm, disk, vault], [item]


def _run(**kw):
    rows, items = _vm_rows(**kw)
    return transform_subscription(SUB, OBSERVED, locations=LOCATIONS, rows=rows, recovery_rows=items)


def test_a_vm_backup_covers_the_os_disk_its_storage_profile_attaches():
    """The disk's backups are the VM's: RES-DATA-001 passes, and an LRS vault in the same region (no
    cross-region restore) is colocated with the disk, so RES-DATA-002 fails."""
    t = _run()
    disk = next(r for r in t.resources if r.id == DISK)
    assert disk.attrs["attached_to"] == [VM]
    verdicts = _verdicts(_findings(t), "/vm-archive-os")
    assert ("no-backup", "pass") in verdicts, verdicts
    assert ("backup-colocated", "fail") in verdicts, verdicts


@pytest.mark.parametrize("crr, status", [("Enabled", "pass"), ("Disabled", "fail")])
def test_the_disk_shares_the_vm_backup_geo_copy_only_with_cross_region_restore(crr, status):
    t = _run(redundancy="GeoRedundant", crr=crr)
    assert ("backup-colocated", status) in _verdicts(_findings(t), "/vm-archive-os")


@pytest.mark.parametrize("redundancy, crr, expected", [
    ("LocallyRedundant", "Disabled", "unknown"),  # one datacentre, in a zone ARM does not name
    (None, "Disabled", "unknown"),  # the redundancy was not read: it may be LRS
    ("GeoRedundant", "Disabled", "unknown"),  # LRS in the region; the paired copy only Microsoft fails over
    ("GeoRedundant", "Enabled", "pass"),  # cross-region restore: the paired region's copy is the customer's
    ("ZoneRedundant", "Disabled", "pass"),
])
def test_a_zonal_disk_backed_up_into_a_vault_keeps_its_data_through_the_zone_only_by_the_vaults_redundancy(
        redundancy, crr, expected):
    """A disk pinned to zone 1 of UAE North, backed up with its VM into a Recovery Services vault in the same
    region. The zone loss loses the disk; whether its data survives is the vault's copy: an LRS vault (or one
    whose redundancy was not read) may sit in that very zone, so the verdict is unknown, never a pass; a
    ZRS vault, or a GRS vault with cross-region restore, keeps a copy outside the zone."""
    from resilience.graph import build_graph
    from resilience.policy import Policy
    from resilience.survival import Scenario, data_outcome

    rows, items = _vm_rows(zones=["1"], redundancy=redundancy, crr=crr)
    rows[1] = {**rows[1], "zones": ["1"], "sku": {"name": "Premium_LRS"}}
    if redundancy is None:
        rows[2] = {**rows[2], "properties": {}}
    t = transform_subscription(SUB, OBSERVED, locations=LOCATIONS, rows=rows, recovery_rows=items)
    vault = next(r for r in t.resources if r.id == VAULT)
    item = next(r for r in t.resources if r.id == items[0]["id"])
    zoned = redundancy == "ZoneRedundant"
    assert vault.attrs["placement"] == item.attrs["placement"] == ("zone_redundant" if zoned else "regional")
    assert bool(item.attrs.get("zone_unreported")) is not zoned
    graph = build_graph(Inventory(resources=t.resources, edges=t.edges), Policy())
    disk_zone = next(r for r in t.resources if r.id == DISK).zones
    assert disk_zone == ("uaenorth-az3",)
    outcome = data_outcome(graph, DISK, Scenario.zones(*disk_zone))
    status = "unknown" if outcome.ok and outcome.unknown else ("pass" if outcome.ok else "fail")
    assert status == expected, outcome
    if expected == "unknown":
        assert any("may be in failed zone uaenorth-az3" in u for u in outcome.unknown), outcome.unknown


WEU = "westeurope"
WEU_LOCATIONS = [{"name": WEU, "metadata": {"regionType": "Physical", "pairedRegion": [{"name": "northeurope"}]},
                  "availabilityZoneMappings": [{"logicalZone": str(i), "physicalZone": f"{WEU}-az{i}"}
                                               for i in (1, 2, 3)]},
                 {"name": "northeurope", "metadata": {"regionType": "Physical", "pairedRegion": [{"name": WEU}]},
                  "availabilityZoneMappings": [{"logicalZone": "1", "physicalZone": "northeurope-az1"}]}]
ZONE_POLICY = """version: 1
workloads:
  archive:
    match: {tags: {app: archive}}
    objectives: {az: {rto: 30m, rpo: 5m}}
"""


def _zone_estate(zones=None):
    """A VM (zones as given) on a zone-redundant disk in West Europe, which has zones."""
    vm, disk = _id("Microsoft.Compute/virtualMachines", "vm-z"), _id("Microsoft.Compute/disks", "vm-z-os")
    tags = {"app": "archive"}
    vm_row = {"id": vm, "name": "vm-z", "type": "Microsoft.Compute/virtualMachines", "location": WEU, "tags": tags,
              "properties": {"storageProfile": {"osDisk": {"managedDisk": {"id": disk}}}}}
    if zones:
        vm_row["zones"] = zones
    rows = [vm_row, {"id": disk, "name": "vm-z-os", "type": "Microsoft.Compute/disks", "location": WEU, "tags": tags,
                     "sku": {"name": "Premium_ZRS"}, "properties": {}}]
    return transform_subscription(SUB, OBSERVED, locations=WEU_LOCATIONS, rows=rows), vm


def _zone_results(t):
    from resilience.policy import parse_policy

    from .test_azure_seen_wrong import SCAN_TIME
    inventory = Inventory(resources=t.resources, edges=t.edges)
    policy = parse_policy(ZONE_POLICY, "<test>")
    findings = analyse(inventory, policy, scan_time=SCAN_TIME, audited_regions=(WEU,)).findings
    return [f for f in findings if f.workload == "archive" and f.category in ("zonal-spof", "rto-mismatch",
                                                                                "rpo-mismatch")]


def test_a_vm_without_zones_in_a_region_with_zones_may_be_in_the_lost_zone():
    """Regional placement: Azure puts the VM in a zone it does not report. No zone loss may pass for the
    workload that needs it (nor be 'not affected'): each is unknown, and the evidence says why. The az
    objective is judged on the worst zone, which is certain: every zone the VM may be in gives the same."""
    t, vm = _zone_estate()
    node = next(r for r in t.resources if r.id == vm)
    assert node.attrs["zone_unreported"] is True
    assert node.attrs["region_zones"] == [f"{WEU}-az1", f"{WEU}-az2", f"{WEU}-az3"]
    results = _zone_results(t)
    zone_loss = [f for f in results if f.category == "zonal-spof"]
    assert sorted(f.region for f in zone_loss) == [WEU] * 3
    for f in zone_loss:
        assert f.status == "unknown", f.message
        assert "vm-z is not pinned to a zone" in f.message and "may be in failed zone" in f.message
    # but the VM is in one of them, and in each it is rebuilt: the az RTO (the worst zone) misses for certain
    [rto] = [f for f in results if f.category == "rto-mismatch"]
    assert rto.status == "fail" and "not affected" not in rto.message, rto.message
    assert "could not turn this verdict" in rto.message and "may be in failed zone" in rto.message
    # the disk is zone-redundant: the data survives wherever the VM was
    [rpo] = [f for f in results if f.category == "rpo-mismatch"]
    assert rpo.status == "pass" and "not affected" not in rpo.message, rpo.message


def test_a_vm_pinned_to_a_zone_is_judged_by_that_zone_alone():
    t, vm = _zone_estate(zones=["2"])
    assert "zone_unreported" not in next(r for r in t.resources if r.id == vm).attrs
    zone_loss = [f for f in _zone_results(t) if f.category == "zonal-spof"]
    assert [(f.status, f"{WEU}-az2" in f.message) for f in zone_loss] == [("fail", True)]


@pytest.mark.parametrize("family", ["eventhub", "servicebus"])
def test_a_metadata_only_geo_dr_pairing_is_an_rto_path_but_no_copy_of_the_messages(family):
    """Geo-DR moves the alias (new messages flow to the paired namespace) but copies no message: the
    region RPO of the namespace is unbounded, never the pairing's lag."""
    import math

    from resilience import recovery
    from resilience.graph import build_graph
    from resilience.policy import parse_policy

    from .test_azure_geo import _namespaces

    t, primary, secondary = _namespaces(family)
    policy = parse_policy("version: 1\nworkloads:\n  orders: {match: {tags: {'resilience:workload': orders}}}\n", "<t>")
    graph = build_graph(Inventory(resources=t.resources, edges=t.edges), policy)
    est = recovery.estimate(graph, "orders", "region", policy=policy, regions=["uaenorth"])
    [step] = [s for s in est.steps if s.resource == primary]
    assert (step.model_key, step.to, step.rto, step.rpo) == ("messaging-geo-dr-failover", secondary, 1800, math.inf)
    assert "metadata only" in step.reasoning
    assert recovery.is_unbounded(est.rpo), est.rpo


def test_an_azure_only_scan_names_the_test_sources_it_reads():
    """RES-TEST-001 on an Azure-only scan named AWS FIS and AWS Backup, which it never read."""
    t, _ = _zone_estate()
    [untested] = [f for f in _findings_with(t, ZONE_POLICY) if f.rule == "RES-TEST-001"]
    assert untested.status == "fail"
    assert "(policy file, Azure Site Recovery test failovers)" in untested.message, untested.message
    assert "AWS" not in untested.message and "fis" not in str(untested.evidence)


def _findings_with(t, policy_text):
    from resilience.policy import parse_policy

    from .test_azure_seen_wrong import SCAN_TIME
    inventory = Inventory(resources=t.resources, edges=t.edges)
    return analyse(inventory, parse_policy(policy_text, "<test>"), scan_time=SCAN_TIME,
                   audited_regions=(WEU,)).findings


def test_survival_paths_are_listed_in_the_same_order_whatever_the_inventory_order():
    """An online scan and an offline re-run of the same estate listed a region survival's failovers in
    different orders (the walk follows the inventory's order)."""
    from resilience.graph import build_graph
    from resilience.survival import Scenario, assess

    from .test_azure_seen_wrong import _account

    rows = [_account(name, "Standard_GRS", secondary="uaecentral") for name in ("zeta", "alpha", "mid")]
    whys = set()
    for ordered in (rows, rows[::-1], rows[1:] + rows[:1]):
        t = transform_subscription(SUB, OBSERVED, locations=LOCATIONS, rows=ordered)
        graph = build_graph(Inventory(resources=t.resources, edges=t.edges))
        impact = assess(graph, "docs", Scenario.regions("uaenorth"))
        assert impact.survives and [graph.nodes[s]["name"] for s, _, _ in impact.failovers] == ["alpha", "mid", "zeta"]
        whys.add(impact.why)
    assert len(whys) == 1, whys


@pytest.mark.parametrize("crr, key", [("Enabled", "restore-cross-region-copy"), ("Disabled", "compute-redeploy")])
def test_a_vm_lost_with_its_region_is_restored_from_its_own_geo_copy(crr, key):
    """Blind test azure9: a VM backed up to a geo-redundant vault with cross-region restore was priced as a
    rebuild of unknown length (compute-redeploy, unbounded), though restoring the backup recreates it in the
    paired region. Its RTO is the restore's: the fixed part plus its disks' size at the table's throughput."""
    from resilience import recovery
    from resilience.graph import build_graph
    from resilience.policy import parse_policy
    from resilience.survival import Scenario

    t = _run(redundancy="GeoRedundant", crr=crr)
    policy = parse_policy("version: 1\nworkloads:\n  archive: {match: {tags: {resilience:workload: archive}}}\n",
                          "<test>")
    graph = build_graph(Inventory(resources=t.resources, edges=t.edges), policy)
    estimate = recovery.estimate_for_scenario(graph, "archive", Scenario(failed_regions=frozenset({"uaenorth"})),
                                              policy=policy)
    [step] = [s for s in estimate.steps if s.resource == VM]
    assert step.model_key == key, step.reasoning
    if key == "restore-cross-region-copy":
        assert step.rto == 30 * 60 + 256 * 1024 / 100 and not step.rto_lower_bound  # 30m + 256 GiB at 100 MiB/s
        assert "restore the VM from its backup" in step.reasoning


def test_a_restore_of_unknown_size_never_meets_an_rto_by_its_fixed_part_alone():
    rows, items = _vm_rows(redundancy="GeoRedundant", crr="Enabled")
    rows[1]["properties"].pop("diskSizeGB")
    t = transform_subscription(SUB, OBSERVED, locations=LOCATIONS, rows=rows, recovery_rows=items)
    policy_text = ("version: 1\nworkloads:\n  archive:\n    match: {tags: {resilience:workload: archive}}\n"
                   "    objectives: {region: {rto: 1d, rpo: 2d}}\n")
    from resilience.policy import parse_policy

    from .test_azure_seen_wrong import SCAN_TIME
    findings = analyse(Inventory(resources=t.resources, edges=t.edges), parse_policy(policy_text, "<test>"),
                       scan_time=SCAN_TIME).findings
    [rto] = [f for f in findings if f.rule == "RES-OBJECTIVE-002" and "region RTO" in f.message
             and f.evidence["observed"].get("scenario") == "region uaenorth"]
    assert rto.status == "unknown" and "a lower bound" in rto.message, rto.message
