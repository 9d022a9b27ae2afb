"""AWS Artifact report metadata through the real client with botocore's Stubber (moto has no Artifact API).

The recorded responses are validated by Stubber against botocore's output shapes for ``artifact``.
"""

from __future__ import annotations

import datetime as dt

from resilience.collectors.aws import ClientFactory, artifact, collect
from resilience.collectors.aws.permissions import iam_action
from resilience.model import ASSURANCE_REPORT
from tests.collectors.helpers import IDENTITY, OBSERVED_AT, coverage_of, new_session, stub

SOC2 = {"id": "report-soc2-spring-2026", "name": "SOC 2 Type 2 Report - Spring 2026", "state": "PUBLISHED",
        "arn": "arn:aws:artifact:us-east-1::report/report-soc2-spring-2026:3", "version": 3,
        "series": "SOC", "category": "Certifications and Attestations",
        "periodStart": dt.datetime(2025, 4, 1, tzinfo=dt.UTC), "periodEnd": dt.datetime(2026, 3, 31, tzinfo=dt.UTC)}
ISO = {"id": "report-iso-27001", "name": "ISO 27001 Certificate", "state": "PUBLISHED", "version": 1,
       "arn": "arn:aws:artifact:us-east-1::report/report-iso-27001:1", "series": "ISO"}


def _factory():
    session = new_session()
    factory = ClientFactory(session, max_attempts=1)
    return session, factory, [stub(factory, "sts", "me-central-1", [("get_caller_identity", IDENTITY)])]


def test_transform_keeps_only_soc2_reports_with_their_periods():
    from resilience.collectors.aws.common import Scope

    scope = Scope(account="123456789012", partition="aws", region="global", observed_at=OBSERVED_AT)
    inv = artifact.transform_reports([SOC2, ISO], scope)
    assert [r.id for r in inv.resources] == [SOC2["arn"]]
    report = inv.resources[0]
    assert report.kind == ASSURANCE_REPORT and report.region == "global"
    assert report.attrs["period_start"] == "2025-04-01" and report.attrs["period_end"] == "2026-03-31"
    assert report.attrs["report_id"] == SOC2["id"] and report.attrs["provider_of_report"] == "aws"


def test_collect_reads_metadata_only_and_declares_its_calls():
    session, factory, stubs = _factory()
    calls = [("list_reports", {"reports": [SOC2, ISO]}),
             ("get_report_metadata", {"reportDetails": SOC2})]
    stubs.append(stub(factory, "artifact", "us-east-1", calls))
    inv = collect(session, ["us-east-1"], observed_at=OBSERVED_AT, services=["artifact"], clients=factory)
    for s in stubs:
        s.assert_no_pending_responses()
    assert coverage_of(inv)[("global", "artifact")].status == "ok"
    assert [r.name for r in inv.resources if r.kind == ASSURANCE_REPORT] == [SOC2["name"]]
    model = factory.client("artifact", "us-east-1").meta.service_model
    made = {iam_action(model.signing_name, name) for name in ("ListReports", "GetReportMetadata")}
    assert made == set(artifact.PERMISSIONS)
    assert "artifact:GetReport" not in artifact.PERMISSIONS  # the report's content is never downloaded


def test_denied_artifact_is_a_coverage_record_not_a_failure():
    session, factory, stubs = _factory()
    stubs.append(stub(factory, "artifact", "us-east-1", [("list_reports", ("error", "AccessDeniedException", 403))]))
    inv = collect(session, ["us-east-1"], observed_at=OBSERVED_AT, services=["artifact"], clients=factory)
    record = coverage_of(inv)[("global", "artifact")]
    assert record.status == "denied"
    assert not [r for r in inv.resources if r.kind == ASSURANCE_REPORT]


def test_artifact_is_read_only_when_opted_in(monkeypatch):
    """Through the CLI's collection path under moto (which has no Artifact API: its 404 is an ``error``
    coverage record, never a crash): absent by default, attempted when the register asks for it."""
    from moto import mock_aws

    from resilience.collect import CollectOptions, collect_inventory

    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": "me-central-1"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    clock = lambda: dt.datetime(2026, 12, 1, tzinfo=dt.UTC)  # noqa: E731
    with mock_aws():
        default = collect_inventory(CollectOptions(scan_regions=("me-central-1",)), now=clock)
        opted = collect_inventory(CollectOptions(scan_regions=("me-central-1",), aws_opt_in=("artifact",)), now=clock)
    assert not [c for c in default.coverage if c.service == "artifact"]
    assert [(c.region, c.status) for c in opted.coverage if c.service == "artifact"] == [("global", "error")]
