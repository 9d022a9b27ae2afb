"""SNS: topics (regional), their KMS keys and subscriptions, cross-region ones marked.

Graph: topic -routes_to-> each subscribed queue or function (``cross_region: true`` when the
endpoint lives in another region: the topic's region failing stops its delivery) and
-depends_on-> its KMS key (``via: kms``). Subscriptions to e-mail, HTTP or SMS endpoints keep
their protocol only (an endpoint address is not stored).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resilience.model import DEPENDS_ON, ROUTES_TO, TOPIC, Inventory

from .common import Scope, arn_region, edge, inventory, is_arn, tags_from_list
from .context import TaskContext
from .pagination import paginate
from .sqs import key_arn

NAME = "sns"
CLIENT = "sns"
GLOBAL = False
PERMISSIONS = ["sns:GetTopicAttributes", "sns:ListSubscriptions", "sns:ListTagsForResource", "sns:ListTopics"]
COVERAGE = {
    "sns": "ListTopics",
    "sns:attributes": "GetTopicAttributes (KMS key)",
    "sns:subscriptions": "ListSubscriptions",
    "sns:tags": "ListTagsForResource (workload membership)",
}


# --- get -------------------------------------------------------------------------------------
def get_topics(client: Any) -> list[str]:
    return [t["TopicArn"] for t in paginate(client, "list_topics", "Topics")]


def get_attributes(client: Any, arn: str) -> dict[str, str]:
    return client.get_topic_attributes(TopicArn=arn).get("Attributes", {})


def get_tags(client: Any, arn: str) -> dict[str, str]:
    return tags_from_list(client.list_tags_for_resource(ResourceArn=arn).get("Tags"))


def get_subscriptions(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "list_subscriptions", "Subscriptions")


# --- transform -------------------------------------------------------------------------------
def transform_topics(topics: list[tuple[str, Mapping[str, str] | None, Mapping[str, str] | None]],
                     scope: Scope) -> Inventory:
    """``topics``: ``(arn, attributes or None when unread, tags or None when unread)``."""
    out = inventory()
    for arn, attrs, tags in topics:
        attrs = attrs or {}
        kms = attrs.get("KmsMasterKeyId")
        out.resources.append(scope.resource(
            id=arn, kind=TOPIC, type="AWS::SNS::Topic", name=arn.rsplit(":", 1)[-1], source="sns:ListTopics",
            tags=dict(tags or {}), attrs={"kms_key": kms, "fifo": arn.endswith(".fifo")}))
        key = key_arn(scope, kms)
        if key:
            out.edges.append(edge(arn, key, DEPENDS_ON, "sns:GetTopicAttributes", via="kms"))
    return out


def transform_subscriptions(subscriptions: list[Mapping[str, Any]]) -> Inventory:
    out = inventory()
    for sub in subscriptions:
        topic, endpoint = sub.get("TopicArn"), sub.get("Endpoint")
        if not topic or not is_arn(endpoint) or sub.get("SubscriptionArn") in (None, "PendingConfirmation"):
            continue
        out.edges.append(edge(topic, endpoint, ROUTES_TO, "sns:ListSubscriptions", protocol=sub.get("Protocol"),
                              cross_region=arn_region(topic) != arn_region(endpoint)))
    return out


# --- collect ---------------------------------------------------------------------------------
def collect(ctx: TaskContext) -> Inventory:
    client = ctx.client(CLIENT)
    topics = [(arn, ctx.read("sns:attributes", get_attributes, client, arn, about=arn.rsplit(":", 1)[-1]),
               ctx.read("sns:tags", get_tags, client, arn, about=arn.rsplit(":", 1)[-1]))
              for arn in get_topics(client)]
    out = transform_topics(topics, ctx.scope)
    subs = ctx.gather("sns:subscriptions", lambda: get_subscriptions(client), transform_subscriptions)
    if subs is not None:
        out.extend(subs)
    return out
