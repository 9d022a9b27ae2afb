"""Soundness cases from a blind Azure estate (built from the ARM docs, served by a fake ARM server):
API-shaped rows -> transform -> the same survival engine and rules as every cloud."""

from __future__ import annotations

import pytest

from resilience.collectors.azure.transform import transform_subscription

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
