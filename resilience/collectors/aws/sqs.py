"""SQS: queues (regional), their dead-letter queues and the KMS key they are encrypted under.

Graph: queue -depends_on-> its dead-letter queue (``via: redrive``) and -depends_on-> its KMS key
(``via: kms``). Lambda event-source mappings (``lambda`` module) and SNS subscriptions (``sns``
module) point at queues by ARN.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from resilience.model import DEPENDS_ON, QUEUE, Inventory

from .common import Scope, edge, inventory, is_arn
from .context import TaskContext
from .pagination import paginate

NAME = "sqs"
CLIENT = "sqs"
GLOBAL = False
PERMISSIONS = ["sqs:GetQueueAttributes", "sqs:ListQueueTags", "sqs:ListQueues"]
COVERAGE = {
    "sqs": "ListQueues",
    "sqs:attributes": "GetQueueAttributes (ARN, dead-letter queue, KMS key)",
    "sqs:tags": "ListQueueTags",
}


# --- get -------------------------------------------------------------------------------------
def get_queue_urls(client: Any) -> list[str]:
    return paginate(client, "list_queues", "QueueUrls")


def get_attributes(client: Any, url: str) -> dict[str, str]:
    return client.get_queue_attributes(QueueUrl=url, AttributeNames=["All"]).get("Attributes", {})


def get_tags(client: Any, url: str) -> dict[str, str]:
    return client.list_queue_tags(QueueUrl=url).get("Tags", {})


# --- transform -------------------------------------------------------------------------------
def key_arn(scope: Scope, key: str | None) -> str | None:
    """A KMS key reference as a key ARN; ``None`` for aliases (their key is not named here)."""
    if not key:
        return None
    if is_arn(key):
        return None if ":alias/" in key else key
    return None if key.startswith("alias/") else scope.arn("kms", f"key/{key}")


def queue_arn_from_url(scope: Scope, url: str) -> str:
    """``https://sqs.<region>.amazonaws.com/<account>/<name>`` -> the queue ARN."""
    account, name = url.rstrip("/").split("/")[-2:]
    return scope.arn("sqs", name, account=account)


def transform_queues(queues: list[tuple[str, Mapping[str, str] | None, Mapping[str, str] | None]],
                     scope: Scope) -> Inventory:
    """``queues``: ``(url, attributes or None when unread, tags or None)``."""
    out = inventory()
    source = "sqs:ListQueues"
    for url, attrs, tags in queues:
        attrs = attrs or {}
        arn = attrs.get("QueueArn") or queue_arn_from_url(scope, url)
        redrive = json.loads(attrs["RedrivePolicy"]) if attrs.get("RedrivePolicy") else {}
        kms = attrs.get("KmsMasterKeyId")
        out.resources.append(scope.resource(
            id=arn, kind=QUEUE, type="AWS::SQS::Queue", name=arn.rsplit(":", 1)[-1], source=source, tags=tags or {},
            attrs={"url": url, "fifo": attrs.get("FifoQueue") == "true" if attrs else None,
                   "kms_key": kms, "sse_sqs": attrs.get("SqsManagedSseEnabled") == "true" if attrs else None,
                   "dead_letter_queue": redrive.get("deadLetterTargetArn")}))
        if redrive.get("deadLetterTargetArn"):
            out.edges.append(edge(arn, redrive["deadLetterTargetArn"], DEPENDS_ON, "sqs:GetQueueAttributes", via="redrive"))
        key = key_arn(scope, kms)
        if key:
            out.edges.append(edge(arn, key, DEPENDS_ON, "sqs:GetQueueAttributes", via="kms"))
    return out


# --- collect ---------------------------------------------------------------------------------
def collect(ctx: TaskContext) -> Inventory:
    client = ctx.client(CLIENT)
    queues = []
    for url in get_queue_urls(client):
        name = url.rsplit("/", 1)[-1]
        attrs = ctx.read("sqs:attributes", get_attributes, client, url, about=name)
        tags = ctx.read("sqs:tags", get_tags, client, url, about=name)
        queues.append((url, attrs, tags))
    return transform_queues(queues, ctx.scope)
