"""S3 (listing is global, read once): bucket region, versioning, replication rules, tags, and the default
encryption of a bucket whose replication leaves SSE-KMS objects out (a rule without
``SourceSelectionCriteria.SseKmsEncryptedObjects: Enabled`` does not copy them: under a KMS default
encryption its destination is not a full copy, and the edge says so with ``complete: false``; when the
encryption read fails, ``complete`` is ``unknown`` and the read is a ``s3:replication-encryption`` gap).

Bucket configuration is read through a client in the bucket's own region, and only for buckets
in the scan scope (the others are inventoried from the listing, their configuration reads are
``skipped``). After the first ``unreachable`` answer in a region, the remaining buckets of that
region are not tried again, so one dead endpoint costs one timeout, not one per bucket.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from resilience.model import OBJECT_STORE, REPLICATES_TO, Inventory

from .common import Scope, edge, inventory, iso, tags_from_list
from .context import TaskContext
from .errors import error_code
from .pagination import paginate

NAME = "s3"
CLIENT = "s3"
GLOBAL = True
PERMISSIONS = [
    "s3:GetBucketLocation",
    "s3:GetBucketTagging",
    "s3:GetBucketVersioning",
    "s3:GetEncryptionConfiguration",
    "s3:GetReplicationConfiguration",
    "s3:ListAllMyBuckets",
]
COVERAGE = {
    "s3": "ListBuckets (region global)",
    "s3:location": "GetBucketLocation (region global; a bucket whose location read fails is inventoried "
                   "with region unknown, its configuration not read)",
    "s3:versioning": "GetBucketVersioning, in the bucket's region",
    "s3:replication": "GetBucketReplication, in the bucket's region (no configuration is not an error)",
    "s3:tags": "GetBucketTagging, in the bucket's region (no tag set is not an error)",
    "s3:replication-encryption": "GetBucketEncryption, in the bucket's region, for a bucket with a replication "
                                 "rule that leaves SSE-KMS objects out (no configuration is not an error)",
}
DETAIL_READS = ("s3:versioning", "s3:replication", "s3:tags")
NO_ENCRYPTION = frozenset({"ServerSideEncryptionConfigurationNotFoundError"})
#: default encryptions whose new objects a rule without SseKmsEncryptedObjects does not replicate
KMS_ALGORITHMS = frozenset({"aws:kms", "aws:kms:dsse"})
#: the default encryption when its read failed (``None``: not read, not needed)
UNREADABLE = "unreadable"
NO_REPLICATION = frozenset({"NoSuchReplicationConfiguration", "ReplicationConfigurationNotFoundError"})
NO_TAGS = frozenset({"NoSuchTagSet", "NoSuchTagSetError"})
UNKNOWN_REGION = "unknown"


# --- get -------------------------------------------------------------------------------------
def get_buckets(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "list_buckets", "Buckets")


def get_bucket_location(client: Any, bucket: str) -> dict[str, Any]:
    return client.get_bucket_location(Bucket=bucket)


def get_versioning(client: Any, bucket: str) -> dict[str, Any]:
    return client.get_bucket_versioning(Bucket=bucket)


def get_replication(client: Any, bucket: str) -> dict[str, Any]:
    """The replication configuration; ``{}`` when the bucket has none (not an error)."""
    try:
        return client.get_bucket_replication(Bucket=bucket)["ReplicationConfiguration"]
    except ClientError as exc:
        if error_code(exc) in NO_REPLICATION:
            return {}
        raise


def get_encryption(client: Any, bucket: str) -> str:
    """The bucket's default encryption algorithm (``AES256``, ``aws:kms``, ``aws:kms:dsse``); ``none`` when
    it has no configuration (buckets made before 2023 on emulators; AWS now always answers)."""
    try:
        rules = client.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"].get("Rules") or []
    except ClientError as exc:
        if error_code(exc) in NO_ENCRYPTION:
            return "none"
        raise
    algorithms = [(r.get("ApplyServerSideEncryptionByDefault") or {}).get("SSEAlgorithm") for r in rules]
    return next((a for a in algorithms if a), "none")


def get_tags(client: Any, bucket: str) -> list[dict[str, Any]]:
    try:
        return client.get_bucket_tagging(Bucket=bucket)["TagSet"]
    except ClientError as exc:
        if error_code(exc) in NO_TAGS:
            return []
        raise


# --- transform -------------------------------------------------------------------------------
def bucket_arn(scope: Scope, name: str) -> str:
    return f"arn:{scope.partition}:s3:::{name}"


def normalise_location(response: Mapping[str, Any]) -> str:
    """GetBucketLocation's answer as a region: ``None``/empty is us-east-1, ``EU`` is eu-west-1."""
    constraint = response.get("LocationConstraint")
    if not constraint:
        return "us-east-1"
    return {"EU": "eu-west-1"}.get(constraint, constraint)


def versioning_state(response: Mapping[str, Any]) -> str:
    return response.get("Status") or "Disabled"


def replication_rules(config: Mapping[str, Any]) -> list[dict[str, Any]]:
    rules = []
    for i, rule in enumerate(config.get("Rules", [])):
        destination = rule.get("Destination", {})
        entry = {
            "id": rule.get("ID") or f"rule-{i + 1}",
            "status": rule.get("Status"),
            "destination": destination.get("Bucket"),
            "rtc": destination.get("ReplicationTime", {}).get("Status") == "Enabled",
        }
        if destination.get("Account"):  # the destination bucket's owner (S3 bucket ARNs name no account)
            entry["account"] = destination["Account"]
        kms = ((rule.get("SourceSelectionCriteria") or {}).get("SseKmsEncryptedObjects") or {}).get("Status")
        entry["sse_kms_objects"] = kms == "Enabled"
        rules.append(entry)
    return rules


def leaves_kms_out(rules: list[dict[str, Any]] | None) -> bool:
    """Whether an enabled rule does not replicate SSE-KMS encrypted objects."""
    return any(r["status"] == "Enabled" and r["destination"] and not r.get("sse_kms_objects") for r in rules or ())


def _completeness(rule: Mapping[str, Any], encryption: str | None) -> dict[str, Any]:
    """``complete`` (and why not) for a rule's edge: a rule that leaves SSE-KMS objects out of a bucket whose
    default encryption is KMS copies only what was written unencrypted or otherwise: no full copy."""
    if rule.get("sse_kms_objects") or encryption is None:
        return {}
    if encryption == UNREADABLE:
        return {"complete": "unknown", "incomplete_reason": (
            f"replication rule {rule['id']} does not replicate SSE-KMS encrypted objects "
            "(SourceSelectionCriteria.SseKmsEncryptedObjects not Enabled) and the bucket's default encryption "
            "could not be read: whether the destination holds every object is unknown")}
    if encryption in KMS_ALGORITHMS:
        return {"complete": False, "incomplete_reason": (
            f"replication rule {rule['id']} does not replicate SSE-KMS encrypted objects "
            f"(SourceSelectionCriteria.SseKmsEncryptedObjects not Enabled) and the bucket's default encryption "
            f"is {encryption}: its objects are not copied")}
    return {}


def transform_bucket(
    bucket: Mapping[str, Any],
    region: str,
    scope: Scope,
    *,
    versioning: Mapping[str, Any] | None = None,
    replication: Mapping[str, Any] | None = None,
    tags: list[Mapping[str, Any]] | None = None,
    encryption: str | None = None,
) -> Inventory:
    """One bucket. ``None`` for a detail means it was not read: its attribute stays absent (``encryption``
    :data:`UNREADABLE`: its read failed, so a rule that leaves SSE-KMS objects out makes a copy of unknown
    completeness)."""
    out = inventory()
    arn = bucket_arn(scope, bucket["Name"])
    rules = replication_rules(replication) if replication is not None else None
    out.resources.append(
        scope.resource(
            id=arn,
            kind=OBJECT_STORE,
            type="AWS::S3::Bucket",
            name=bucket["Name"],
            source="s3:ListBuckets",
            region=region,
            tags=tags_from_list(tags),
            attrs={
                "created_at": iso(bucket.get("CreationDate")),
                "versioning": versioning_state(versioning) if versioning is not None else None,
                "replication_rules": rules,
                "default_encryption": encryption if encryption != UNREADABLE else None,
            },
        )
    )
    for rule in rules or []:
        if rule["status"] == "Enabled" and rule["destination"]:
            out.edges.append(
                edge(arn, rule["destination"], REPLICATES_TO, "s3:GetBucketReplication", mode="async", rtc=rule["rtc"],
                     dst_account=rule.get("account"), rule=rule["id"], **_completeness(rule, encryption))
            )
    return out


# --- collect ---------------------------------------------------------------------------------
def bucket_region(ctx: TaskContext, client: Any, bucket: Mapping[str, Any]) -> str | None:
    if bucket.get("BucketRegion"):
        return bucket["BucketRegion"]
    location = ctx.read("s3:location", get_bucket_location, client, bucket["Name"], about=bucket["Name"])
    return normalise_location(location) if location is not None else None


def bucket_details(ctx: TaskContext, bucket: str, region: str) -> dict[str, Any]:
    if region == UNKNOWN_REGION:  # no endpoint to ask; the failed location read is the coverage record
        return {}
    if region not in ctx.scan_regions:
        for service in DETAIL_READS:
            ctx.coverage.record(region, service, "skipped", "bucket region outside the scan scope")
        return {}
    if any(ctx.coverage.status(region, s) == "unreachable" for s in DETAIL_READS):
        for service in DETAIL_READS:
            ctx.coverage.record(region, service, "unreachable", f"{bucket}: not tried after an earlier timeout")
        return {}
    client = ctx.client(CLIENT, region)
    details = {
        "versioning": ctx.read("s3:versioning", get_versioning, client, bucket, region=region, about=bucket),
        "replication": ctx.read("s3:replication", get_replication, client, bucket, region=region, about=bucket),
        "tags": ctx.read("s3:tags", get_tags, client, bucket, region=region, about=bucket),
    }
    if details["replication"] and leaves_kms_out(replication_rules(details["replication"])):
        details["encryption"] = ctx.read("s3:replication-encryption", get_encryption, client, bucket, region=region,
                                         about=bucket) or UNREADABLE
    return details


def collect(ctx: TaskContext) -> Inventory:
    client = ctx.client(CLIENT)
    out = inventory()
    for bucket in get_buckets(client):
        # a bucket whose location read failed stays in the inventory: unseen is not absent
        region = bucket_region(ctx, client, bucket) or UNKNOWN_REGION
        details = bucket_details(ctx, bucket["Name"], region)
        out.extend(transform_bucket(bucket, region, ctx.scope, **details))
    return out
