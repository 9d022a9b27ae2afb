"""EC2: instances, subnets, EBS volumes and the account's own EBS snapshots (incl. cross-region copies)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from resilience.model import (
    BACKED_UP_TO,
    DEPENDS_ON,
    INSTANCE,
    MEMBER_OF,
    RECOVERY_POINT,
    REPLICATES_TO,
    SUBNET,
    VOLUME,
    Inventory,
)

from .common import Scope, edge, inventory, iso, name_from_tags, tags_from_list, zone_ids_for
from .context import TaskContext
from .pagination import paginate

NAME = "ec2"
CLIENT = "ec2"
GLOBAL = False
PERMISSIONS = [
    "ec2:DescribeAvailabilityZones",
    "ec2:DescribeInstances",
    "ec2:DescribeSnapshots",
    "ec2:DescribeSubnets",
    "ec2:DescribeVolumes",
]
COVERAGE = {
    "ec2": "DescribeInstances",
    "ec2:zones": "DescribeAvailabilityZones (zone name -> zone id; shared by every regional service)",
    "ec2:subnets": "DescribeSubnets",
    "ec2:volumes": "DescribeVolumes",
    "ec2:snapshots": "DescribeSnapshots (OwnerIds=self)",
}

#: the VolumeId AWS gives snapshots that were copied (they have no source volume in this region)
COPIED_VOLUME_ID = "vol-ffffffff"
#: AWS's default description of a snapshot copy: "[Copied snap-0abc from us-east-1]"
_COPY_RE = re.compile(r"Copied (snap-[0-9a-f]+) from ([a-z]{2}(?:-[a-z]+)+-\d+)")
#: CopyImage's description of the snapshots it copies: names the source snapshot, not its region
_IMAGE_COPY_RE = re.compile(r"Copied for DestinationAmi ami-[0-9a-f]+ from SourceAmi ami-[0-9a-f]+ for "
                            r"SourceSnapshot (snap-[0-9a-f]+)")


# --- get -------------------------------------------------------------------------------------
def get_instances(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "describe_instances", "Reservations")


def get_subnets(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "describe_subnets", "Subnets")


def get_volumes(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "describe_volumes", "Volumes")


def get_snapshots(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "describe_snapshots", "Snapshots", OwnerIds=["self"])


# --- transform -------------------------------------------------------------------------------
def instance_arn(scope: Scope, instance_id: str, region: str | None = None) -> str:
    return scope.arn("ec2", f"instance/{instance_id}", region=region)


def subnet_arn(scope: Scope, subnet_id: str) -> str:
    return scope.arn("ec2", f"subnet/{subnet_id}")


def volume_arn(scope: Scope, volume_id: str) -> str:
    return scope.arn("ec2", f"volume/{volume_id}")


def snapshot_arn(scope: Scope, snapshot_id: str, region: str | None = None) -> str:
    # EBS snapshot ARNs carry no account id
    return scope.arn("ec2", f"snapshot/{snapshot_id}", region=region, account="")


def transform_instances(
    reservations: list[Mapping[str, Any]], scope: Scope, zone_ids: Mapping[str, str]
) -> Inventory:
    out = inventory()
    for reservation in reservations:
        for inst in reservation.get("Instances", []):
            if inst.get("State", {}).get("Name") == "terminated":
                continue
            _add_instance(out, inst, scope, zone_ids)
    return out


def _add_instance(out: Inventory, inst: Mapping[str, Any], scope: Scope, zone_ids: Mapping[str, str]) -> None:
    source = "ec2:DescribeInstances"
    arn = instance_arn(scope, inst["InstanceId"])
    placement = inst.get("Placement", {})
    zone = placement.get("AvailabilityZoneId") or zone_ids_for([placement.get("AvailabilityZone", "")], zone_ids)
    tags = tags_from_list(inst.get("Tags"))
    out.resources.append(
        scope.resource(
            id=arn,
            kind=INSTANCE,
            type="AWS::EC2::Instance",
            name=name_from_tags(tags, inst["InstanceId"]),
            source=source,
            zones=[zone] if isinstance(zone, str) else zone,
            tags=tags,
            attrs={
                "state": inst.get("State", {}).get("Name"),
                "subnet_id": inst.get("SubnetId"),
                "instance_type": inst.get("InstanceType"),
                "root_device_type": inst.get("RootDeviceType"),
            },
        )
    )
    if inst.get("SubnetId"):
        out.edges.append(edge(arn, subnet_arn(scope, inst["SubnetId"]), MEMBER_OF, source))
    for mapping in inst.get("BlockDeviceMappings", []):
        volume_id = mapping.get("Ebs", {}).get("VolumeId")
        if volume_id:
            via = f"block-device:{mapping.get('DeviceName', '')}"
            out.edges.append(edge(arn, volume_arn(scope, volume_id), DEPENDS_ON, source, via=via))


def transform_subnets(subnets: list[Mapping[str, Any]], scope: Scope) -> Inventory:
    out = inventory()
    for subnet in subnets:
        tags = tags_from_list(subnet.get("Tags"))
        out.resources.append(
            scope.resource(
                id=subnet.get("SubnetArn") or subnet_arn(scope, subnet["SubnetId"]),
                kind=SUBNET,
                type="AWS::EC2::Subnet",
                name=name_from_tags(tags, subnet["SubnetId"]),
                source="ec2:DescribeSubnets",
                zones=[z for z in [subnet.get("AvailabilityZoneId") or subnet.get("AvailabilityZone")] if z],
                tags=tags,
                attrs={"vpc_id": subnet.get("VpcId"), "cidr": subnet.get("CidrBlock")},
            )
        )
    return out


def transform_volumes(volumes: list[Mapping[str, Any]], scope: Scope, zone_ids: Mapping[str, str]) -> Inventory:
    out = inventory()
    for vol in volumes:
        tags = tags_from_list(vol.get("Tags"))
        attached = [instance_arn(scope, a["InstanceId"]) for a in vol.get("Attachments", []) if a.get("InstanceId")]
        out.resources.append(
            scope.resource(
                id=volume_arn(scope, vol["VolumeId"]),
                kind=VOLUME,
                type="AWS::EC2::Volume",
                name=name_from_tags(tags, vol["VolumeId"]),
                source="ec2:DescribeVolumes",
                zones=zone_ids_for([vol.get("AvailabilityZone", "")], zone_ids),
                tags=tags,
                attrs={"size_gib": vol.get("Size"), "attached_to": attached, "volume_type": vol.get("VolumeType")},
            )
        )
    return out


def copy_source(snapshot: Mapping[str, Any]) -> tuple[str, str] | None:
    """``(source snapshot id, source region)`` when the snapshot is a copy AWS described as one."""
    match = _COPY_RE.search(snapshot.get("Description") or "")
    return (match.group(1), match.group(2)) if match else None


def unknown_copy(snapshot: Mapping[str, Any]) -> dict[str, Any] | None:
    """What is known of a copy whose source region AWS does not say: a copy's ``VolumeId`` is arbitrary
    ("do not use this volume ID for any purpose"), so it names no source; CopyImage's description still
    names the source snapshot."""
    image_copy = _IMAGE_COPY_RE.search(snapshot.get("Description") or "")
    if image_copy:
        return {"source_unknown": True, "source_snapshot_id": image_copy.group(1)}
    if snapshot.get("VolumeId") == COPIED_VOLUME_ID:
        return {"source_unknown": True}
    return None


#: the descriptions Data Lifecycle Manager and AWS Backup give the snapshots they make (also on their copies)
_DLM_DESCRIPTION = re.compile(r"Created for policy: policy-[0-9a-f]+")
_BACKUP_DESCRIPTION = "This snapshot is created by the AWS Backup service"


def snapshot_maker(snapshot: Mapping[str, Any], tags: Mapping[str, str]) -> str:
    """What made an EBS snapshot, as ``snapshot_type`` (:func:`resilience.copies.made_on_request` reads it):
    ``dlm`` (a Data Lifecycle Manager policy: its ``dlm:managed`` / ``aws:dlm:*`` tags or description),
    ``awsbackup`` (AWS Backup: its ``aws:backup:source-resource`` tag or description), else ``manual``
    (CreateSnapshot / CopySnapshot by hand or by tooling nobody scheduled in AWS: nothing the scan sees renews
    it; a backup plan that covers the volume still gives its schedule)."""
    description = snapshot.get("Description") or ""
    if "dlm:managed" in tags or any(k.startswith("aws:dlm:") for k in tags) or _DLM_DESCRIPTION.search(description):
        return "dlm"
    if "aws:backup:source-resource" in tags or _BACKUP_DESCRIPTION in description:
        return "awsbackup"
    return "manual"


def transform_snapshots(snapshots: list[Mapping[str, Any]], scope: Scope) -> Inventory:
    """Own snapshots only: volume -backed_up_to-> snapshot; source -replicates_to-> cross-region copy.
    A copy whose source region is not known gets neither edge (``source_unknown``)."""
    out = inventory()
    source = "ec2:DescribeSnapshots"
    for snap in snapshots:
        if snap.get("OwnerId") and snap["OwnerId"] != scope.account:
            continue  # public or shared snapshots are not this account's recovery points
        arn = snapshot_arn(scope, snap["SnapshotId"])
        copied = copy_source(snap)
        unknown = None if copied else unknown_copy(snap)
        volume_id = snap.get("VolumeId")
        volume = volume_arn(scope, volume_id) if volume_id and not copied and not unknown else None
        copy_of = snapshot_arn(scope, copied[0], region=copied[1]) if copied else None
        tags = tags_from_list(snap.get("Tags"))
        out.resources.append(
            scope.resource(
                id=arn,
                kind=RECOVERY_POINT,
                type="AWS::EC2::Snapshot",
                name=name_from_tags(tags, snap["SnapshotId"]),
                source=source,
                tags=tags,
                attrs={
                    "created_at": iso(snap.get("StartTime")),
                    "source_resource": volume,
                    "source_region": copied[1] if copied else None,
                    "size_bytes": snap["VolumeSize"] * 2**30 if snap.get("VolumeSize") is not None else None,
                    "status": snap.get("State"),
                    "copy_of": copy_of,
                    "snapshot_type": snapshot_maker(snap, tags),
                    **(unknown or {}),
                },
            )
        )
        if volume:
            out.edges.append(edge(volume, arn, BACKED_UP_TO, source))
        if copy_of:
            out.edges.append(edge(copy_of, arn, REPLICATES_TO, source, mode="periodic"))
    return out


# --- collect ---------------------------------------------------------------------------------
def collect(ctx: TaskContext) -> Inventory:
    client = ctx.client(CLIENT)
    reservations = get_instances(client)
    zone_ids = ctx.zone_ids()
    out = transform_instances(reservations, ctx.scope, zone_ids)
    parts = (
        ctx.gather("ec2:subnets", lambda: get_subnets(client), lambda items: transform_subnets(items, ctx.scope)),
        ctx.gather("ec2:volumes", lambda: get_volumes(client), lambda items: transform_volumes(items, ctx.scope, zone_ids)),
        ctx.gather("ec2:snapshots", lambda: get_snapshots(client), lambda items: transform_snapshots(items, ctx.scope)),
    )
    for part in parts:
        if part is not None:
            out.extend(part)
    return out
