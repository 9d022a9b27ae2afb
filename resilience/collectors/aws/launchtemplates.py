"""EC2 launch templates and the AMIs they launch.

A launch template depends on the image of its ``$Default`` and ``$Latest`` versions (an Auto Scaling
group or EKS node group names a version; both are kept). An AMI id names an image in the template's
own region; the images read here are the account's own and every referenced one. When a referenced
AMI is not in the template's region but the scan found it in exactly one other, the post-pass moves
the reference there (``missing_in``): a DR group whose AMI lives only in the primary region cannot
launch once that region is lost. An image of that id in the template's own region always wins. ``resolve:ssm:NAME`` image ids depend on that SSM parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resilience.model import DEPENDS_ON, LAUNCH_TEMPLATE, MACHINE_IMAGE, Inventory

from .common import Scope, edge, inventory, iso, name_from_tags, tags_from_list
from .context import TaskContext
from .pagination import paginate
from .references import image_arn, parameter_arn

NAME = "launchtemplates"
CLIENT = "ec2"
GLOBAL = False
PERMISSIONS = [
    "ec2:DescribeImages",
    "ec2:DescribeLaunchTemplateVersions",
    "ec2:DescribeLaunchTemplates",
]
COVERAGE = {
    "launchtemplates": "ec2:DescribeLaunchTemplates",
    "ec2:launch-template-versions": "DescribeLaunchTemplateVersions ($Default and $Latest of each template)",
    "ec2:images": "DescribeImages (the account's own AMIs and every referenced one)",
}
_BATCH_IMAGES = 200


# --- get -------------------------------------------------------------------------------------
def get_templates(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "describe_launch_templates", "LaunchTemplates")


def get_versions(client: Any, template_id: str) -> list[dict[str, Any]]:
    return paginate(client, "describe_launch_template_versions", "LaunchTemplateVersions",
                    LaunchTemplateId=template_id, Versions=["$Default", "$Latest"])


def get_images(client: Any, referenced: list[str]) -> list[dict[str, Any]]:
    """Own images, plus the referenced ones (a filter, not ImageIds: a missing id must not fail the read)."""
    images = paginate(client, "describe_images", "Images", Owners=["self"])
    for i in range(0, len(referenced), _BATCH_IMAGES):
        chunk = referenced[i : i + _BATCH_IMAGES]
        images += paginate(client, "describe_images", "Images", Filters=[{"Name": "image-id", "Values": chunk}])
    return list({img["ImageId"]: img for img in images}.values())


# --- transform -------------------------------------------------------------------------------
def launch_template_arn(scope: Scope, template_id: str) -> str:
    return scope.arn("ec2", f"launch-template/{template_id}")


def referenced_images(versions: Mapping[str, list[Mapping[str, Any]]]) -> list[str]:
    return sorted({v.get("LaunchTemplateData", {}).get("ImageId", "") for vs in versions.values() for v in vs}
                  - {""})


def transform_templates(
    templates: list[Mapping[str, Any]], scope: Scope, versions: Mapping[str, list[Mapping[str, Any]]]
) -> Inventory:
    out = inventory()
    source = "ec2:DescribeLaunchTemplates"
    for t in templates:
        tid = t["LaunchTemplateId"]
        arn = launch_template_arn(scope, tid)
        got = versions.get(tid)
        images = None if got is None else sorted({v.get("LaunchTemplateData", {}).get("ImageId", "") for v in got} - {""})
        tags = tags_from_list(t.get("Tags"))
        out.resources.append(scope.resource(
            id=arn, kind=LAUNCH_TEMPLATE, type="AWS::EC2::LaunchTemplate", name=t.get("LaunchTemplateName", tid),
            source=source, tags=tags,
            attrs={"default_version": t.get("DefaultVersionNumber"), "latest_version": t.get("LatestVersionNumber"),
                   "image_ids": images},
        ))
        for image in images or ():
            if image.startswith("resolve:ssm:"):
                target = parameter_arn(scope, image[len("resolve:ssm:"):].split(":")[0])
            else:
                target = image_arn(scope, image)
            out.edges.append(edge(arn, target, DEPENDS_ON, "ec2:DescribeLaunchTemplateVersions", via=f"image:{image}"))
    return out


def transform_images(images: list[Mapping[str, Any]], scope: Scope) -> Inventory:
    out = inventory()
    for img in images:
        tags = tags_from_list(img.get("Tags"))
        out.resources.append(scope.resource(
            id=image_arn(scope, img["ImageId"]), kind=MACHINE_IMAGE, type="AWS::EC2::Image",
            name=img.get("Name") or name_from_tags(tags, img["ImageId"]), source="ec2:DescribeImages", tags=tags,
            attrs={"state": img.get("State"), "owner": img.get("OwnerId"), "public": img.get("Public"),
                   "created_at": iso(img.get("CreationDate")), "deprecated_at": iso(img.get("DeprecationTime"))},
        ))
    return out


# --- collect ---------------------------------------------------------------------------------
def collect(ctx: TaskContext) -> Inventory:
    client = ctx.client(CLIENT)
    templates = get_templates(client)
    versions: dict[str, Any] = {}
    for t in templates:
        got = ctx.read("ec2:launch-template-versions", get_versions, client, t["LaunchTemplateId"],
                       about=t.get("LaunchTemplateName"))
        if got is not None:
            versions[t["LaunchTemplateId"]] = got
    out = transform_templates(templates, ctx.scope, versions)
    referenced = [i for i in referenced_images(versions) if i.startswith("ami-")]
    images = ctx.gather("ec2:images", lambda: get_images(client, referenced),
                        lambda items: transform_images(items, ctx.scope))
    if images is not None:
        out.extend(images)
    return out
