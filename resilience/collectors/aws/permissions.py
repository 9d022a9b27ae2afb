"""The least-privilege IAM policy, generated from the service modules' declared PERMISSIONS.

Regenerate the shipped copy with (see :mod:`.policy`)::

    python -m resilience.collectors.aws.policy > examples/iam/resilience-readonly-policy.json
"""

from __future__ import annotations

import json
from typing import Any

from .services import SERVICES

#: calls made outside the service modules: the identity check and region discovery
CORE_PERMISSIONS = ("ec2:DescribeRegions", "sts:GetCallerIdentity")

#: API operations whose IAM action has another name (``<signing name>:<Operation>`` -> action)
IAM_ACTION_FOR_OPERATION = {
    "s3:ListBuckets": "s3:ListAllMyBuckets",
    "s3:GetBucketReplication": "s3:GetReplicationConfiguration",
}


def iam_action(signing_name: str, operation: str) -> str:
    """The IAM action a botocore operation needs (``elasticloadbalancing:DescribeTags``...)."""
    if signing_name == "apigateway":  # v1 and v2: the action is the HTTP verb (Get* reads are GET)
        return "apigateway:GET" if operation.startswith("Get") else f"apigateway:{operation}"
    key = f"{signing_name}:{operation}"
    return IAM_ACTION_FOR_OPERATION.get(key, key)


def all_permissions() -> list[str]:
    actions = set(CORE_PERMISSIONS)
    for module in SERVICES:
        actions.update(module.PERMISSIONS)
    return sorted(actions)


def iam_policy() -> dict[str, Any]:
    """An IAM policy document allowing exactly the read-only actions the collectors call."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ResilienceAuditReadOnly",
                "Effect": "Allow",
                "Action": all_permissions(),
                "Resource": "*",
            }
        ],
    }


def render() -> str:
    return json.dumps(iam_policy(), indent=2) + "\n"
