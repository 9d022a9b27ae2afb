"""The least-privilege IAM policy, generated from the service modules' declared PERMISSIONS.

Regenerate the shipped copies with (see :mod:`.policy`)::

    python -m resilience.collectors.aws.policy > examples/iam/resilience-readonly-policy.json
    python -m resilience.collectors.aws.policy --scanner > examples/iam/resilience-org-scanner-policy.json
    python -m resilience.collectors.aws.policy --stackset > examples/iam/resilience-readonly-role.cfn.json

The first is the read-only role every scanned account carries; the second what the scanning identity
(management or delegated-administrator account) needs for ``--all-accounts`` / ``--ou`` / ``--accounts``:
list the organisation, assume that role; the third a CloudFormation template (deployable as a StackSet
to every account of an organisational unit) creating the role with the first policy and an external id.
"""

from __future__ import annotations

import json
from typing import Any

from .organization import ASSUME_ROLE_ACTION, DEFAULT_ROLE_NAME
from .organization import PERMISSIONS as ORGANIZATION_PERMISSIONS
from .services import SERVICES

#: calls made outside the service modules: the identity check and region discovery
CORE_PERMISSIONS = ("ec2:DescribeRegions", "sts:GetCallerIdentity")

#: API operations whose IAM action has another name (``<signing name>:<Operation>`` -> action)
IAM_ACTION_FOR_OPERATION = {
    "s3:ListBuckets": "s3:ListAllMyBuckets",
    "s3:GetBucketReplication": "s3:GetReplicationConfiguration",
    "s3:GetBucketEncryption": "s3:GetEncryptionConfiguration",
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


def scanner_policy(role_name: str = DEFAULT_ROLE_NAME) -> dict[str, Any]:
    """What the identity running an organisation scan needs beside the read-only policy."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "ListTheOrganisation", "Effect": "Allow", "Action": sorted(ORGANIZATION_PERMISSIONS), "Resource": "*"},
            {"Sid": "AssumeTheReadOnlyRole", "Effect": "Allow", "Action": [ASSUME_ROLE_ACTION],
             "Resource": f"arn:aws:iam::*:role/{role_name}"},
        ],
    }


def stackset_template(role_name: str = DEFAULT_ROLE_NAME) -> dict[str, Any]:
    """A CloudFormation template creating the read-only role (deploy it as a StackSet to an OU)."""
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "resilience-audit read-only role (generated from the collectors' declared permissions; "
                       "python -m resilience.collectors.aws.policy --stackset)",
        "Parameters": {
            "ScannerPrincipalArn": {"Type": "String", "Description": "The role or user that runs resilience scan "
                                    "(in the management or a delegated-administrator account)."},
            "ExternalId": {"Type": "String", "NoEcho": True, "MinLength": 2,
                           "Description": "Passed as resilience scan --external-id"},
            "RoleName": {"Type": "String", "Default": role_name},
        },
        "Resources": {
            "ResilienceAuditReadOnlyRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": {"Ref": "RoleName"},
                    "Description": "Read-only role assumed by resilience-audit organisation scans",
                    "MaxSessionDuration": 3600,
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{
                            "Effect": "Allow",
                            "Principal": {"AWS": {"Ref": "ScannerPrincipalArn"}},
                            "Action": ASSUME_ROLE_ACTION,
                            "Condition": {"StringEquals": {"sts:ExternalId": {"Ref": "ExternalId"}}},
                        }],
                    },
                    "Policies": [{"PolicyName": "resilience-audit-read-only", "PolicyDocument": iam_policy()}],
                },
            }
        },
        "Outputs": {"RoleArn": {"Value": {"Fn::GetAtt": ["ResilienceAuditReadOnlyRole", "Arn"]}}},
    }


def render_scanner() -> str:
    return json.dumps(scanner_policy(), indent=2) + "\n"


def render_stackset() -> str:
    return json.dumps(stackset_template(), indent=2) + "\n"
