"""A dependency the scan never inventoried, or one another workload owns, is in the zone scenarios of the
workloads that need it (``recovery.workload_zones``): a zonal verdict never passes because the zonal part
was unseen, or was someone else's (blind test aws9: a Lambda function's single-node cache, referenced in
its environment and absent from the inventory, gave 'not affected by the loss of a zone')."""

from __future__ import annotations

import datetime as dt

from resilience.rules import REGISTRY

from resilience.recovery import workload_zones
from resilience.scan import analyse

UAE = "me-central-1"
CACHE = "arn:aws:elasticache:me-central-1:123456789012:cluster:api-cache"
SCAN_TIME = dt.datetime(2026, 10, 1, 12, tzinfo=dt.UTC)


def _estate(estate, *, cache_inventoried: bool = False):
    resources = {
        "api-fn": {"kind": "function", "region": UAE, "workload": "api"},
        # the estate shows UAE's zones through another workload's subnets
        **{f"subnet-{z}": {"kind": "subnet", "region": UAE, "zones": [z], "workload": "other"}
           for z in ("mec1-az1", "mec1-az2", "mec1-az3")},
        "ledger-db": {"kind": "database", "region": UAE, "zones": ["mec1-az2"], "workload": "ledger",
                      "attrs": {"multi_az": False, "backup_retention_days": 7}},
    }
    if cache_inventoried:
        resources["api-cache"] = {"kind": "database", "type": "AWS::ElastiCache::CacheCluster", "id": CACHE,
                                  "region": UAE, "zones": ["mec1-az1"]}
    return estate({
        "resources": resources,
        "edges": [["api-fn", "depends_on", CACHE], ["api-fn", "depends_on", "ledger-db"]],
        "policy": {"version": 1, "workloads": {"api": {"match": {"tags": {"resilience:workload": "api"}},
                                                       "objectives": {"az": {"rto": "15m", "rpo": "5m"}}}}},
    })


def test_an_uninventoried_dependency_may_be_in_any_zone_of_its_region(estate):
    e = _estate(estate)
    assert CACHE in e.graph and e.graph.nodes[CACHE].get("stub")
    assert workload_zones(e.graph, "api") == ["mec1-az1", "mec1-az2", "mec1-az3"]
    zonal = [f for f in analyse(e.inventory, e.policy, scan_time=SCAN_TIME).findings
             if f.rule == "RES-ZONAL-001" and f.workload == "api"]
    by_zone = {f.evidence["scenario"]["failed_zones"][0]: f for f in zonal}
    # the zones only the stub may be in are unknown, naming it; the ledger database's zone fails outright
    assert by_zone["mec1-az2"].status == "fail"
    for zone in ("mec1-az1", "mec1-az3"):
        assert by_zone[zone].status == "unknown" and "api-cache was referenced but not inventoried" in \
            by_zone[zone].message, by_zone[zone].message
    objectives = [f for f in analyse(e.inventory, e.policy, scan_time=SCAN_TIME).findings
                  if f.rule in ("RES-OBJECTIVE-002", "RES-OBJECTIVE-003") and f.workload == "api"]
    assert objectives and all(f.status != "pass" for f in objectives), [(f.rule, f.status, f.message) for f in objectives]


def test_once_inventoried_in_one_zone_only_that_zone_and_the_databases_are_judged(estate):
    e = _estate(estate, cache_inventoried=True)
    assert workload_zones(e.graph, "api") == ["mec1-az1", "mec1-az2"]


def test_another_workloads_single_zone_database_is_a_zone_scenario_of_the_workload_that_needs_it(estate):
    e = _estate(estate, cache_inventoried=True)
    zonal = [f for f in analyse(e.inventory, e.policy, scan_time=SCAN_TIME).findings
             if f.rule == "RES-ZONAL-001" and f.workload == "api"]
    failed = [f for f in zonal if f.status == "fail"]
    assert any("mec1-az2" in f.message and "ledger-db" in f.message for f in failed), \
        [(f.status, f.message) for f in zonal]
    assert "RES-ZONAL-001" in {r.id for r in REGISTRY}


def test_an_uninventoried_dependency_of_a_regional_service_is_unseen_but_not_zonal(estate):
    """Blind test aws10: a Lambda function's secret ARN that matched no secret made the workload's every zone
    loss unknown ('may be in failed zone'), though a Secrets Manager secret is never in one zone."""
    secret = "arn:aws:secretsmanager:me-central-1:123456789012:secret:api-key-AbCdEf"
    e = estate({
        "resources": {"api-fn": {"kind": "function", "region": UAE, "workload": "api"},
                      **{f"subnet-{z}": {"kind": "subnet", "region": UAE, "zones": [z], "workload": "other"}
                         for z in ("mec1-az1", "mec1-az2")}},
        "edges": [["api-fn", "depends_on", secret]],
    })
    assert e.graph.nodes[secret].get("stub") and workload_zones(e.graph, "api") == []
