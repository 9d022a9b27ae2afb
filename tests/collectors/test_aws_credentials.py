"""Assumed-role credentials renew themselves before they expire (botocore's refreshable credentials).

STS refuses sessions shorter than 900 s (botocore validates ``DurationSeconds`` too), so the test
shortens the credentials' life after the fact: an ``after-call`` hook on the scanning session's
AssumeRole rewrites ``Expiration`` to a few seconds ahead, exactly as an expiring session looks.
"""

from __future__ import annotations

import datetime as dt
import time

import boto3
from moto import mock_aws

from resilience.collectors.aws import assumed_session, caller_identity

ROLE = "arn:aws:iam::210987654321:role/ResilienceAuditReadOnly"
LIFETIME_S = 4


def test_assumed_role_credentials_refresh_before_expiry():
    with mock_aws():
        base = boto3.Session(region_name="me-central-1")
        issued: list[str] = []

        def short_lived(parsed, **_):
            if "Credentials" in parsed:
                parsed["Credentials"]["Expiration"] = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=LIFETIME_S)
                issued.append(parsed["Credentials"]["AccessKeyId"])

        base.events.register("after-call.sts.AssumeRole", short_lived)
        member = assumed_session(base, ROLE, external_id="audit-2026", advisory_refresh_s=2, mandatory_refresh_s=1)
        assert issued == []  # deferred: nothing is assumed before the first call
        first = caller_identity(member)
        key_1 = member.get_credentials().get_frozen_credentials().access_key
        assert caller_identity(member)["account"] == "210987654321"  # still fresh: no new AssumeRole
        assert len(issued) == 1
        time.sleep(LIFETIME_S - 1.5)  # now inside the refresh window, before expiry
        caller_identity(member)
        key_2 = member.get_credentials().get_frozen_credentials().access_key
        assert len(issued) == 2 and key_2 != key_1
        time.sleep(LIFETIME_S + 0.5)  # the first session's expiry is long past: calls still succeed
        assert caller_identity(member)["account"] == first["account"] == "210987654321"
        assert len(issued) == 3
    assert first["arn"].startswith("arn:aws:sts::210987654321:assumed-role/ResilienceAuditReadOnly/")


def test_external_id_is_sent_with_assume_role():
    with mock_aws():
        base = boto3.Session(region_name="me-central-1")
        sent: list[dict] = []
        base.events.register("provide-client-params.sts.AssumeRole", lambda params, **_: sent.append(dict(params)))
        caller_identity(assumed_session(base, ROLE, external_id="audit-2026"))
    assert sent and sent[0]["ExternalId"] == "audit-2026" and sent[0]["RoleArn"] == ROLE
    assert sent[0]["RoleSessionName"] == "resilience-audit"
