"""What a GCP (or Azure) finding tells its reader names that provider's own folders, mechanisms and facilities,
not AWS's (blind gcp10: a GCP 403 pointed at examples/iam/ and 'AccessDenied', a Firestore database was expected
to have 'an AWS Backup plan', and the Gulf failure domain spoke of 'AWS facilities')."""

from __future__ import annotations

import datetime as dt

from resilience import failure_domains
from resilience.collectors.gcp.transform import transform_assets
from resilience.model import Coverage, Inventory, Resource
from resilience.policy import Policy
from resilience.scan import analyse

from .helpers import OBSERVED

NOW = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)


def _findings(inventory: Inventory, rule: str) -> dict:
    result = analyse(inventory, Policy(), scan_time=NOW)
    return {f.resource: f for f in result.findings if f.rule == rule}


def test_a_denied_read_points_at_its_own_providers_least_privilege_folder():
    inventory = Inventory(coverage=[
        Coverage(provider=p, account=a, region=r, service=s, status="denied", detail="403")
        for p, a, r, s in (("gcp", "proj", "me-central2", "firestore:backups"),
                           ("azure", "sub", "uaenorth", "recoveryservices"),
                           ("aws", "111111111111", "me-central-1", "rds"))])
    found = {f.resource.split("/", 1)[0]: f.remediation for f in _findings(inventory, "RES-COVERAGE-001").values()}
    assert "examples/gcp/" in found["coverage:gcp"] and "examples/iam" not in found["coverage:gcp"]
    assert "AccessDenied" not in found["coverage:gcp"] and "PERMISSION_DENIED" in found["coverage:gcp"]
    assert "examples/azure/" in found["coverage:azure"] and "examples/iam" not in found["coverage:azure"]
    assert "examples/iam/" in found["coverage:aws"]


def test_the_backup_a_store_is_expected_to_have_is_one_of_its_providers():
    t = transform_assets([{"name": "//firestore.googleapis.com/projects/proj/databases/sessions",
                           "assetType": "firestore.googleapis.com/Database", "resource": {"data": {
                               "name": "projects/proj/databases/sessions", "locationId": "me-central1"}}}],
                         observed_at=OBSERVED, default_project="proj")
    rds = Resource(id="arn:aws:rds:me-central-1:111111111111:db:orders", provider="aws", account="111111111111",
                   region="me-central-1", kind="database", type="AWS::RDS::DBInstance", name="orders",
                   source="rds", observed_at=OBSERVED, zones=("mec1-az1",), attrs={"backup_retention_days": 0})
    found = _findings(Inventory(resources=[*t.resources, rds], edges=t.edges), "RES-DATA-001")
    gcp = found["//firestore.googleapis.com/projects/proj/databases/sessions"]
    assert gcp.status == "fail"
    expected = gcp.evidence["expected"]["backups"]
    assert "AWS" not in expected and "Firestore backups" in expected, expected
    assert "AWS Backup plan" in found[rds.id].evidence["expected"]["backups"]


def test_the_gulf_domain_is_explained_by_the_facilities_of_the_regions_in_question():
    gcp = failure_domains.describe("gulf", None, ["me-central1", "me-central2"])
    assert "AWS" not in gcp and "(built in for gcp)" in gcp
    assert "AWS facilities" in failure_domains.describe("gulf", None, ["me-central-1", "me-south-1"])
    # a dual-region bucket over Doha and Dammam: its copy is in the same domain, explained in GCP's terms
    t = transform_assets([{"name": "//storage.googleapis.com/media", "assetType": "storage.googleapis.com/Bucket",
                           "resource": {"data": {"name": "media", "location": "ME-CENTRAL1+ME-CENTRAL2",
                                                 "locationType": "dual-region", "customPlacementConfig": {
                                                     "dataLocations": ["ME-CENTRAL1", "ME-CENTRAL2"]}}}}],
                         observed_at=OBSERVED, default_project="proj")
    finding = _findings(Inventory(resources=t.resources, edges=t.edges), "RES-CORRELATED-001")[
        "//storage.googleapis.com/media"]
    assert finding.status == "fail"
    why = finding.evidence["observed"]["failure_domain"]["why"]
    assert "AWS" not in why and "me-central-1" not in why, why
