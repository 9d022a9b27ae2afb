"""The organisation-scan IAM examples stay in step with the declarations, and an organisation scan
calls nothing it does not declare."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from resilience.collectors.aws import SERVICES, iam_policy
from resilience.collectors.aws.organization import ADMIN_ROLE_NAME, DEFAULT_ROLE_NAME, AccountScope
from resilience.collectors.aws.organization import PERMISSIONS as ORGANIZATION_PERMISSIONS
from resilience.collectors.aws.permissions import (
    CORE_PERMISSIONS,
    iam_action,
    render_scanner,
    render_stackset,
)
from resilience.collectors.aws.scan import collect_accounts
from resilience.collectors.aws.services import READ_ONLY_ACTION
from resilience.demo import moto_gaps

from .helpers import OBSERVED_AT
from .org_estate import PRIMARY, REGIONS, build_org

IAM = Path(__file__).resolve().parents[2] / "examples" / "iam"


@pytest.mark.parametrize(("name", "render", "flag"), [
    ("resilience-org-scanner-policy.json", render_scanner, "--scanner"),
    ("resilience-readonly-role.cfn.json", render_stackset, "--stackset"),
])
def test_committed_documents_match_the_declarations(name, render, flag):
    assert (IAM / name).read_text() == render(), (
        f"examples/iam/{name} is stale: run `python -m resilience.collectors.aws.policy {flag} > examples/iam/{name}`")


def test_the_stackset_role_is_read_only_and_needs_the_external_id():
    template = json.loads((IAM / "resilience-readonly-role.cfn.json").read_text())
    role = template["Resources"]["ResilienceAuditReadOnlyRole"]["Properties"]
    assert role["Policies"][0]["PolicyDocument"] == iam_policy()
    [trust] = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": {"Ref": "ExternalId"}}}
    assert template["Parameters"]["RoleName"]["Default"] == DEFAULT_ROLE_NAME != ADMIN_ROLE_NAME
    assert template["Parameters"]["ExternalId"]["NoEcho"] is True


def test_the_terraform_modules_use_the_generated_files():
    role = (IAM / "terraform" / "readonly-role" / "main.tf").read_text()
    stackset = (IAM / "terraform" / "org-stackset" / "main.tf").read_text()
    assert '"${path.module}/../../resilience-readonly-policy.json"' in role and "sts:ExternalId" in role
    assert '"${path.module}/../../resilience-readonly-role.cfn.json"' in stackset
    assert (IAM / "terraform" / "readonly-role" / "../../resilience-readonly-policy.json").resolve().exists()
    assert 'permission_model = "SERVICE_MANAGED"' in stackset


def test_an_organisation_scan_calls_only_declared_actions(monkeypatch):
    """The scanning identity's calls (organisation listing, AssumeRole, its own account's reads)
    under a before-call hook: each is declared (scanner policy or read-only policy)."""
    monkeypatch.setenv("MOTO_ALLOW_NONEXISTENT_REGION", "true")
    with moto_gaps.patched(), mock_aws():
        base = boto3.Session(region_name=PRIMARY)
        build_org(lambda service, region, **kw: base.client(service, region_name=region, **kw))
        calls: set[str] = set()
        base.events.register("before-call", lambda model, **_: calls.add(
            iam_action(model.service_model.signing_name, model.name)))
        collect_accounts(base, AccountScope(all_accounts=True), observed_at=OBSERVED_AT,
                         requested_regions=list(REGIONS), services=["dynamodb"], max_workers=2)
    declared = set(ORGANIZATION_PERMISSIONS) | set(CORE_PERMISSIONS) | {"sts:AssumeRole"} | \
        {p for m in SERVICES for p in m.PERMISSIONS}
    assert calls <= declared, sorted(calls - declared)
    assert {"organizations:ListAccounts", "sts:AssumeRole"} <= calls
    assert all(READ_ONLY_ACTION.match(c) for c in calls - {"sts:AssumeRole"})
