"""The bundled Azure subscription and GCP project: collected through the real SDKs from the recorded
responses, then analysed by the same rules as AWS (one graph, one findings list)."""

from __future__ import annotations

import datetime as dt

import pytest

from resilience.collectors.azure import demo_inventory as azure_demo
from resilience.collectors.gcp import demo_inventory as gcp_demo
from resilience.collectors.gcp.demo import DEMO_AWS_SOURCE
from resilience.model import Inventory, Resource
from resilience.policy import Policy
from resilience.scan import analyse

from .helpers import OBSERVED, PROJECT, SUB, by_name

SCAN_TIME = dt.datetime(2026, 9, 1, 6, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def demo() -> Inventory:
    inventory = Inventory()
    inventory.extend(azure_demo(OBSERVED))
    inventory.extend(gcp_demo(OBSERVED))
    # the AWS side of the cross-cloud workload, as the AWS demo estate has it
    inventory.resources.append(Resource(
        id=DEMO_AWS_SOURCE, provider="aws", account="123456789012", region="me-central-1", kind="database",
        type="AWS::RDS::DBInstance", name="ledger-db", source="rds:DescribeDBInstances", observed_at=OBSERVED,
        zones=("mec1-az1",), tags={"resilience:workload": "ledger"},
        attrs={"engine": "postgres", "multi_az": True, "backup_retention_days": 7, "role": "primary"}))
    return inventory


@pytest.fixture(scope="module")
def findings(demo):
    result = analyse(demo, Policy(), scan_time=SCAN_TIME, audited_regions=("uaenorth", "me-central1", "me-central-1"))
    return result.findings


def _failing(findings, suffix, category=None):
    return [f for f in findings if f.status == "fail" and f.resource.endswith(suffix)
            and (category is None or f.category == category)]


def test_demo_reads_are_complete_and_accounts_named(demo):
    assert {c.status for c in demo.coverage} == {"ok"}
    assert {r.account for r in demo.resources if r.provider == "azure"} == {SUB}
    assert {r.account for r in demo.resources if r.provider == "gcp"} == {PROJECT}


def test_demo_facts_per_cloud(demo):
    assert by_name(demo, "storageAccounts/stgulfdocs").attrs["replication"] == "LRS"
    assert by_name(demo, "storageAccounts/stgulfarchive#secondary").region == "uaecentral"
    assert by_name(demo, "vmss-api-uaen").zones == ("uaenorth-az2",)
    test = next(r for r in demo.resources if r.kind == "restore_test")
    assert test.attrs["completed_at"] == "2026-05-10T09:42:00Z" and test.attrs["scenario"] == "region"
    assert by_name(demo, "instances/orders-sql").attrs["availability_type"] == "ZONAL"
    assert by_name(demo, "clusters/shop-gke").attrs["cluster_type"] == "zonal"
    replica = by_name(demo, "instances/ledger-replica")
    assert (replica.region, replica.attrs["replica_of"]) == ("europe-west3", DEMO_AWS_SOURCE)


@pytest.mark.parametrize(("suffix", "category"), [
    ("storageAccounts/stgulfdocs", "no-cross-region-replica"),
    ("storageAccounts/stgulfarchive", "correlated-region"),
    ("virtualMachineScaleSets/vmss-api-uaen", "zonal-spof"),
    ("databases/inventory", "no-cross-region-replica"),
    ("instances/orders-sql", "no-cross-region-replica"),
    ("clusters/shop-gke", "zonal-spof"),
    ("//storage.googleapis.com/gulf-retail-backups", "correlated-region"),
    ("//storage.googleapis.com/gulf-retail-media", "no-cross-region-replica"),
])
def test_planted_problems_are_found(findings, suffix, category):
    assert _failing(findings, suffix, category), f"no failing {category} finding for {suffix}"


def test_a_region_without_zones_is_not_a_zonal_finding(findings):
    assert not [f for f in findings if f.resource.endswith("vm-batch-uaec") and f.category == "zonal-spof"
                and f.status == "fail"]


def test_the_cross_cloud_workload_survives_its_region(findings):
    ledger = [f for f in findings if f.workload == "ledger" or f.resource == DEMO_AWS_SOURCE]
    regional = [f for f in ledger if f.category in ("regional-spof", "no-cross-region-replica", "correlated-region")]
    assert regional and all(f.status == "pass" for f in regional), [(f.rule, f.status, f.message) for f in regional]


@pytest.fixture(scope="module")
def findings_everywhere(demo):
    """Every region the demo's new workloads sit in is audited."""
    regions = ("uaenorth", "westeurope", "me-central1", "me-central-1", "europe-west1", "europe-west4")
    return analyse(demo, Policy(), scan_time=SCAN_TIME, audited_regions=regions).findings


def test_the_sound_gcp_workload_on_the_new_services_raises_no_failing_or_unknown_regional_finding(
        findings_everywhere):
    """loyalty: Cloud Run in europe-west1 and europe-west4, a multi-region (eur3) Spanner instance,
    a STANDARD_HA Memorystore instance."""
    loyalty = [f for f in findings_everywhere if f.workload == "loyalty" and f.category != "objective-missing"]
    kinds = {f.category for f in loyalty}
    assert {"regional-spof", "zonal-spof", "no-cross-region-replica", "backup-colocated"} <= kinds, kinds
    bad = [(f.rule, f.status, f.message) for f in loyalty if f.status in ("fail", "unknown")]
    assert not bad, bad


@pytest.mark.parametrize(("suffix", "category"), [
    ("instances/rewards-cache", "zonal-spof"),  # a BASIC Memorystore tier is one zone
    ("workload:rewards", "regional-spof"),  # a Cloud Function in one region, on a zonal Cloud SQL
    ("clusters/rewards-events-c1", "zonal-spof"),  # one Bigtable cluster: data held in one zone
    ("databases/rewards", "no-backup"),  # Firestore without PITR or backups
])
def test_the_faulty_gcp_workload_on_the_new_services_is_found(findings_everywhere, suffix, category):
    assert _failing(findings_everywhere, suffix, category), f"no failing {category} finding for {suffix}"


def test_the_sound_azure_workload_on_the_new_reads_raises_no_failing_or_unknown_regional_finding(
        findings_everywhere):
    """docs: zone-redundant storage in UAE North replicated to West Europe by object replication,
    zone-redundant apps in both regions whose settings name their own region's account and vault."""
    docs = [f for f in findings_everywhere if f.workload == "docs" and f.category != "objective-missing"]
    kinds = {f.category for f in docs}
    assert {"regional-spof", "no-cross-region-replica", "backup-colocated", "cross-region-dependency"} & kinds, kinds
    assert any(f.category == "regional-spof" for f in docs)
    bad = [(f.rule, f.status, f.message) for f in docs if f.status in ("fail", "unknown")]
    assert not bad, bad


@pytest.mark.parametrize(("suffix", "rule"), [
    ("sites/app-checkout-weu", "RES-REGIONAL-002"),  # its database, vault and cache are in UAE North
    ("workload:basket", "RES-REGIONAL-001"),
    ("redis/redis-checkout", "RES-ZONAL-004"),  # a Basic cache is one node
    ("managedClusters/aks-checkout", "RES-ZONAL-004"),  # one node pool in one zone
])
def test_the_faulty_azure_workload_on_the_new_reads_is_found(findings_everywhere, suffix, rule):
    assert [f for f in findings_everywhere if f.resource.endswith(suffix) and f.rule == rule and f.status == "fail"]
