"""Soundness defects found on estates built by blind testers (third round): each estate is built through the
real APIs against in-process moto and run through ``collect()`` and the rules where the defect showed; where
moto does not model an API or a field, the test says so and uses botocore ``Stubber`` or a recorded shape.
"""

from __future__ import annotations

import datetime as dt

import pytest
from moto import mock_aws
from resilience.rules import REGISTRY

from resilience.collectors.aws import collect
from resilience.policy import parse_policy
from resilience.scan import analyse

from .helpers import new_session

PRIMARY, DR = "me-central-1", "eu-central-1"


@pytest.fixture
def moto():
    with mock_aws():
        yield new_session()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _policy(workload: str, objectives: str) -> object:
    return parse_policy(f"version: 1\nworkloads:\n  {workload}:\n    match: {{tags: {{workload: {workload}}}}}\n"
                        f"    objectives: {objectives}\n", "test.yaml")


def _scan(session, policy, services, rules, regions=(PRIMARY, DR)):
    inv = collect(session, list(regions), observed_at=_now().isoformat(), max_workers=2, services=services)
    return inv, analyse(inv, policy, scan_time=_now(), rules=tuple(r for r in REGISTRY if r.id in rules)).findings


def _finding(findings, rule: str, disruption: str | None = None, resource: str | None = None):
    return next(f for f in findings if f.rule == rule
                and (disruption is None or f.evidence.get("observed", {}).get("disruption") == disruption)
                and (resource is None or f.resource == resource))


# --- 1. a disabled CloudFront distribution serves nothing -------------------------------------------
def _distribution(session, *, enabled: bool, origin: str, ref: str) -> dict:
    return session.client("cloudfront", region_name="us-east-1").create_distribution(DistributionConfig={
        "CallerReference": ref, "Comment": ref, "Enabled": enabled,
        "Origins": {"Quantity": 1, "Items": [{
            "Id": "site", "DomainName": origin, "OriginPath": "", "CustomHeaders": {"Quantity": 0},
            "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "https-only",
                                 "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"},
    })["Distribution"]


def _alias(session, zone: str, name: str, target: str) -> None:
    session.client("route53", region_name="us-east-1").change_resource_record_sets(
        HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": {
            "Name": name, "Type": "A",
            "AliasTarget": {"HostedZoneId": "Z2FDTNDATAQYW2", "DNSName": target, "EvaluateTargetHealth": False}}}]})


def test_a_name_aliased_to_a_disabled_distribution_serves_nothing(moto):
    """www is an alias to a CloudFront distribution that was disabled (Enabled false): it accepts no request.
    RES-DNS-001 passed it as "routes to global services only"; live, an alias to an enabled one, still passes."""
    moto.client("s3", region_name=PRIMARY).create_bucket(
        Bucket="site", CreateBucketConfiguration={"LocationConstraint": PRIMARY})
    origin = f"site.s3.{PRIMARY}.amazonaws.com"
    off = _distribution(moto, enabled=False, origin=origin, ref="off")
    on = _distribution(moto, enabled=True, origin=origin, ref="on")
    zone = moto.client("route53", region_name="us-east-1").create_hosted_zone(
        Name="example.com", CallerReference="zone")["HostedZone"]["Id"].split("/")[-1]
    _alias(moto, zone, "www.example.com", off["DomainName"])
    _alias(moto, zone, "live.example.com", on["DomainName"])

    inv, findings = _scan(moto, _policy("site", "{region: {rto: 1h, rpo: 1h}}"), ["cloudfront", "route53", "s3"],
                          ["RES-DNS-001"])

    assert next(r for r in inv.resources if r.id == off["ARN"]).attrs["enabled"] is False
    dns = {f.evidence["observed"]["name"]: f for f in findings if f.rule == "RES-DNS-001"}
    assert dns["www.example.com"].status == "fail"
    assert dns["www.example.com"].evidence["observed"]["disabled_targets"] == [off["ARN"]]
    assert "serves nothing" in dns["www.example.com"].message
    assert dns["live.example.com"].status == "pass"


# --- 2. an Aurora global database's secondary keeps backups in its own region ------------------------
def test_the_automated_backups_of_a_global_database_secondary_are_backups_outside_the_primary_region(moto):
    """An Aurora global database: writer ``ledger`` in me-central-1 (7 days of automated backups), secondary
    ``ledger-dr`` in eu-central-1 (3 days). RES-DATA-002 said every backup of ledger was in me-central-1: the
    secondary's automated backups, restorable in eu-central-1, were not counted."""
    primary, dr = moto.client("rds", region_name=PRIMARY), moto.client("rds", region_name=DR)
    primary.create_global_cluster(GlobalClusterIdentifier="ledger-global", Engine="aurora-postgresql")
    writer = primary.create_db_cluster(
        DBClusterIdentifier="ledger", Engine="aurora-postgresql", MasterUsername="admin",
        MasterUserPassword="not-a-real-one", GlobalClusterIdentifier="ledger-global", BackupRetentionPeriod=7,
        Tags=[{"Key": "workload", "Value": "ledger"}])["DBCluster"]["DBClusterArn"]
    secondary = dr.create_db_cluster(
        DBClusterIdentifier="ledger-dr", Engine="aurora-postgresql", GlobalClusterIdentifier="ledger-global",
        BackupRetentionPeriod=3, Tags=[{"Key": "workload", "Value": "ledger"}])["DBCluster"]["DBClusterArn"]

    inv, findings = _scan(moto, _policy("ledger", "{region: {rto: 1h, rpo: 1h}}"), ["rds"], ["RES-DATA-002"])

    assert next(r for r in inv.resources if r.id == secondary).attrs["role"] == "replica"
    colocated = _finding(findings, "RES-DATA-002", resource=writer)
    assert colocated.status == "pass", colocated.message
    outside = colocated.evidence["observed"]["outside_region"]
    assert {"id": secondary, "kind": "automated backups (3 days)", "region": DR} in outside
    assert {b["region"] for b in outside} == {DR}  # (moto also lists the secondary's automated cluster snapshot)
    assert not [f for f in findings if f.rule == "RES-DATA-002" and f.resource == secondary]  # the copy is not judged
