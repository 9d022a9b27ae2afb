"""Lambda: functions, ARN references in environment variables, event source mappings.

Environment variable *values* are never stored: only the variable names (``env_keys``) and, when
a value is nothing but one or more ARNs, a ``depends_on`` edge to each ARN with
``via = "environment:NAME"``; a managed data store's endpoint host anywhere in a value (``REDIS_HOST``, a
DSN) is a ``depends_on`` edge to ``dns:HOST``, which the post-pass matches to the database or cache that
answers to it, and an SQS queue URL one to the queue's ARN (only the host or URL is kept). Anything else in a value (a password, a URL, a table name) is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from resilience.model import DEPENDS_ON, FUNCTION, MEMBER_OF, Inventory

from .common import Scope, edge, inventory, is_arn
from .context import TaskContext
from .ec2 import subnet_arn
from .pagination import paginate
from .references import ecr_repository, value_references

NAME = "lambda"
CLIENT = "lambda"
GLOBAL = False
PERMISSIONS = [
    "lambda:GetFunction",
    "lambda:ListEventSourceMappings",
    "lambda:ListFunctions",
    "lambda:ListTags",
]
COVERAGE = {
    "lambda": "ListFunctions",
    "lambda:event-source-mappings": "ListEventSourceMappings",
    "lambda:images": "GetFunction of container-image functions (their ECR image URI; code is not downloaded)",
    "lambda:tags": "ListTags",
}
_SEPARATORS = re.compile(r"[\s,;]+")


# --- get -------------------------------------------------------------------------------------
def get_functions(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "list_functions", "Functions")


def get_event_source_mappings(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "list_event_source_mappings", "EventSourceMappings")


def get_image_uri(client: Any, function_arn: str) -> str:
    return (client.get_function(FunctionName=function_arn).get("Code") or {}).get("ImageUri", "")


def get_tags(client: Any, function_arn: str) -> dict[str, str]:
    return client.list_tags(Resource=function_arn).get("Tags", {})


# --- transform -------------------------------------------------------------------------------
def arn_references(value: str) -> list[str]:
    """The ARNs a value consists of; ``[]`` unless *every* token of it is an ARN."""
    tokens = [t for t in _SEPARATORS.split(value.strip()) if t]
    return tokens if tokens and all(is_arn(t) for t in tokens) else []


def unqualified(function_arn: str) -> str:
    """``arn:aws:lambda:r:a:function:name:alias`` -> ``arn:aws:lambda:r:a:function:name``."""
    return ":".join(function_arn.split(":")[:7])


def transform_functions(
    functions: list[Mapping[str, Any]], scope: Scope, tags: Mapping[str, Mapping[str, str]]
) -> Inventory:
    out = inventory()
    source = "lambda:ListFunctions"
    for fn in functions:
        arn = fn["FunctionArn"]
        variables: Mapping[str, str] = (fn.get("Environment") or {}).get("Variables") or {}
        subnets = list((fn.get("VpcConfig") or {}).get("SubnetIds") or [])
        out.resources.append(
            scope.resource(
                id=arn,
                kind=FUNCTION,
                type="AWS::Lambda::Function",
                name=fn.get("FunctionName", arn),
                source=source,
                tags=tags.get(arn, {}),
                attrs={"runtime": fn.get("Runtime"), "env_keys": sorted(variables), "vpc_subnets": subnets},
            )
        )
        for key in sorted(variables):
            for ref in arn_references(str(variables[key])) + value_references(str(variables[key])):
                out.edges.append(edge(arn, ref, DEPENDS_ON, source, via=f"environment:{key}"))
        out.edges.extend(edge(arn, subnet_arn(scope, s), MEMBER_OF, source) for s in subnets)
    return out


def transform_image_references(images: Mapping[str, str], scope: Scope) -> Inventory:
    """container-image function -depends_on-> the ECR repository its image URI names (issue 13)."""
    out = inventory()
    for arn, uri in sorted(images.items()):
        repo = ecr_repository(uri, scope.partition)
        if repo:
            out.edges.append(edge(arn, repo, DEPENDS_ON, "lambda:GetFunction", via="image"))
    return out


def transform_event_source_mappings(mappings: list[Mapping[str, Any]]) -> Inventory:
    """function -depends_on-> event source (queue, stream, table stream) it is triggered by."""
    out = inventory()
    for mapping in mappings:
        if mapping.get("FunctionArn") and mapping.get("EventSourceArn"):
            out.edges.append(
                edge(
                    unqualified(mapping["FunctionArn"]),
                    mapping["EventSourceArn"],
                    DEPENDS_ON,
                    "lambda:ListEventSourceMappings",
                    via=f"event_source_mapping:{mapping.get('UUID', '')}",
                )
            )
    return out


# --- collect ---------------------------------------------------------------------------------
def collect(ctx: TaskContext) -> Inventory:
    client = ctx.client(CLIENT)
    functions = get_functions(client)
    tags = {}
    for fn in functions:
        tags[fn["FunctionArn"]] = ctx.read("lambda:tags", get_tags, client, fn["FunctionArn"], about=fn["FunctionName"]) or {}
    out = transform_functions(functions, ctx.scope, tags)
    images = {}
    for fn in functions:
        if fn.get("PackageType") == "Image":
            uri = ctx.read("lambda:images", get_image_uri, client, fn["FunctionArn"], about=fn["FunctionName"])
            if uri:
                images[fn["FunctionArn"]] = uri
    out.extend(transform_image_references(images, ctx.scope))
    mappings = ctx.gather(
        "lambda:event-source-mappings", lambda: get_event_source_mappings(client), transform_event_source_mappings
    )
    if mappings is not None:
        out.extend(mappings)
    return out
