"""GCP transforms and location helpers: Cloud Asset dicts in, normalised nodes and edges out."""

from __future__ import annotations

import datetime as dt

import pytest

from resilience.catalogues.gcp import location_type, region_of_location
from resilience.collectors.gcp.transform import rds_arn, self_link_key, transform_assets

from .helpers import OBSERVED, region_loss_step

P = "proj-a"


def _asset(asset_type, name, data, location=None):
    return {"name": name, "assetType": asset_type, "ancestors": ["projects/111", "organizations/9"],
            "resource": {"data": data, "location": location}}


def _node(t, suffix):
    return next(r for r in t.resources if r.id.endswith(suffix))


@pytest.mark.parametrize(("location", "region", "kind"), [
    ("me-central1-a", "me-central1", "zone"), ("ME-CENTRAL1", "me-central1", "region"), ("EU", "eu", "multi-region"),
    ("nam4", "nam4", "dual-region"), ("global", "global", "global"), ("", "global", "global"),
])
def test_location_types(location, region, kind):
    assert region_of_location(location) == region
    assert location_type(location) == kind


def test_self_links_and_rds_endpoints():
    assert self_link_key("https://www.googleapis.com/compute/v1/projects/p/zones/z/instanceGroups/g") == \
        "projects/p/zones/z/instanceGroups/g"
    assert rds_arn("ledger.c9x1.me-central-1.rds.amazonaws.com:5432", "123456789012") == \
        "arn:aws:rds:me-central-1:123456789012:db:ledger"
    assert rds_arn("db.internal.example:5432", "1") is None


def test_cloud_sql_zonal_regional_and_cross_region_replica():
    sql = "//cloudsql.googleapis.com/projects/proj-a/instances/"
    assets = [
        _asset("sqladmin.googleapis.com/Instance", sql + "zonal", {
            "name": "zonal", "project": P, "region": "me-central1", "gceZone": "me-central1-b",
            "instanceType": "CLOUD_SQL_INSTANCE", "replicaNames": ["far"],
            "settings": {"availabilityType": "ZONAL", "userLabels": {"resilience-workload": "shop"},
                         "backupConfiguration": {"enabled": True, "location": "eu",
                                                 "backupRetentionSettings": {"retainedBackups": 14.0}}}}),
        _asset("sqladmin.googleapis.com/Instance", sql + "far", {
            "name": "far", "project": P, "region": "europe-west3", "gceZone": "europe-west3-a",
            "secondaryGceZone": "europe-west3-b", "instanceType": "READ_REPLICA_INSTANCE",
            "masterInstanceName": f"{P}:zonal", "settings": {"availabilityType": "REGIONAL"}}),
    ]
    t = transform_assets(assets, observed_at=OBSERVED, default_project=P)
    zonal, far = _node(t, "/zonal"), _node(t, "/far")
    assert (zonal.attrs["multi_az"], zonal.attrs["placement"], zonal.zones) == (False, "zonal", ("me-central1-b",))
    assert zonal.tags["resilience:workload"] == "shop" and zonal.source == "sqladmin:ListAssets"
    # retainedBackups is a number of backups kept, not days
    assert zonal.attrs["backup_retention_count"] == 14 and "backup_retention_days" not in zonal.attrs
    assert (far.attrs["multi_az"], far.attrs["role"], far.attrs["replica_of"]) == (True, "replica", zonal.id)
    replicas = [e for e in t.edges if e.kind == "replicates_to"]
    assert [(e.src, e.dst) for e in replicas] == [(zonal.id, far.id)]  # seen from both ends, one edge
    backups = _node(t, "/zonal#backups")
    assert backups.region == "eu" and backups.attrs["location_type"] == "multi-region"


@pytest.mark.parametrize(("config", "backed_up", "pitr"), [
    # backups off: the retention settings the API still returns mean nothing, nor does PITR's flag
    ({"enabled": False, "pointInTimeRecoveryEnabled": True,
      "backupRetentionSettings": {"retainedBackups": 7, "retentionUnit": "COUNT"}}, False, False),
    ({"enabled": True, "pointInTimeRecoveryEnabled": False,
      "backupRetentionSettings": {"retainedBackups": 7, "retentionUnit": "COUNT"}}, True, False),
    ({"enabled": True, "binaryLogEnabled": True, "transactionLogRetentionDays": 7}, True, True),
])
def test_cloud_sql_backups_honour_enabled_and_pitr_flag(config, backed_up, pitr):
    from resilience.graph import build_graph
    from resilience.model import Inventory
    from resilience.survival import backups_of

    sql = "//cloudsql.googleapis.com/projects/proj-a/instances/db"
    t = transform_assets([_asset("sqladmin.googleapis.com/Instance", sql, {
        "name": "db", "project": P, "region": "me-central1", "gceZone": "me-central1-b",
        "instanceType": "CLOUD_SQL_INSTANCE",
        "settings": {"availabilityType": "ZONAL", "backupConfiguration": config}})],
        observed_at=OBSERVED, default_project=P)
    db = _node(t, "/db")
    assert db.attrs["backup_enabled"] is backed_up and db.attrs["pitr"] is pitr
    assert any(r.id.endswith("#backups") for r in t.resources) is backed_up
    graph = build_graph(Inventory(resources=t.resources, edges=t.edges))
    assert bool(backups_of(graph, sql)) is backed_up


@pytest.mark.parametrize(("run_location", "region"), [("europe-west3", "europe-west3"), ("me-central2", "me-central2"),
                                                     (None, "unknown")])
def test_backups_in_the_default_location_are_where_their_runs_say(run_location, region):
    """Blind gcp13: with backupConfiguration.location unset (the default), the backups' region was 'unknown'
    though every backup run names its ``location`` (Cloud SQL Admin BackupRun)."""
    sql = "//cloudsql.googleapis.com/projects/proj-a/instances/db"
    run = {"kind": "sql#backupRun", "status": "SUCCESSFUL", "type": "AUTOMATED", "endTime": "2026-09-30T02:30:00Z"}
    if run_location:
        run["location"] = run_location
    t = transform_assets([_asset("sqladmin.googleapis.com/Instance", sql, {
        "name": "db", "project": P, "region": "me-central2", "gceZone": "me-central2-a",
        "instanceType": "CLOUD_SQL_INSTANCE",
        "settings": {"availabilityType": "ZONAL", "backupConfiguration": {"enabled": True}}})],
        observed_at=OBSERVED, default_project=P, backup_runs={sql: [run]})
    backups = _node(t, "/db#backups")
    assert backups.region == region and backups.attrs["location_default"] is True


@pytest.mark.parametrize(("log_storage", "key", "rpo"), [
    ("CLOUD_STORAGE", "cloudsql-pitr", 300.0), (None, "cloudsql-pitr", 300.0),
    ("DISK", "restore-in-region-backup", 86400.0)])  # logs on the instance's disk go with its zone
def test_point_in_time_recovery_prices_the_loss_of_a_zonal_instances_zone(log_storage, key, rpo):
    """Blind gcp13: a zonal Cloud SQL instance with PITR on was priced from its daily backup (az RPO 1d)."""
    from resilience import recovery
    from resilience.graph import build_graph
    from resilience.model import Inventory
    from resilience.policy import parse_policy
    from resilience.survival import Scenario

    sql = "//cloudsql.googleapis.com/projects/proj-a/instances/db"
    config = {"enabled": True, "location": "me-central2", "pointInTimeRecoveryEnabled": True}
    if log_storage:
        config["transactionalLogStorageState"] = log_storage
    t = transform_assets([_asset("sqladmin.googleapis.com/Instance", sql, {
        "name": "db", "project": P, "region": "me-central2", "gceZone": "me-central2-a",
        "instanceType": "CLOUD_SQL_INSTANCE", "settings": {"availabilityType": "ZONAL", "backupConfiguration": config,
                                                           "userLabels": {"app": "shop"}}})],
        observed_at=OBSERVED, default_project=P)
    policy = parse_policy("version: 1\nworkloads:\n  shop: {match: {tags: {app: shop}}}\n", "<test>")
    graph = build_graph(Inventory(resources=t.resources, edges=t.edges), policy)
    est = recovery.estimate_for_scenario(graph, "shop", Scenario.zones("me-central2-a"), policy=policy)
    [step] = [s for s in est.steps if s.resource == sql]
    assert (step.model_key, step.rpo) == (key, rpo)


def test_external_server_replica_of_an_rds_instance():
    sql = "//cloudsql.googleapis.com/projects/proj-a/instances/"
    assets = [
        _asset("sqladmin.googleapis.com/Instance", sql + "src", {
            "name": "src", "project": P, "region": "europe-west3", "instanceType": "ON_PREMISES_INSTANCE",
            "onPremisesConfiguration": {"hostPort": "ledger.abc123.me-central-1.rds.amazonaws.com:5432"},
            "settings": {"userLabels": {"resilience-aws-account": "123456789012"}}}),
        _asset("sqladmin.googleapis.com/Instance", sql + "rep", {
            "name": "rep", "project": P, "region": "europe-west3", "instanceType": "READ_REPLICA_INSTANCE",
            "masterInstanceName": f"{P}:src", "settings": {"availabilityType": "REGIONAL"}}),
    ]
    t = transform_assets(assets, observed_at=OBSERVED, default_project=P)
    assert [r.id for r in t.resources] == [sql + "rep"]  # the source representation is not a database
    arn = "arn:aws:rds:me-central-1:123456789012:db:ledger"
    assert _node(t, "/rep").attrs["replica_of"] == arn
    assert [(e.src, e.kind, e.attrs["cross_cloud"]) for e in t.edges] == [(arn, "replicates_to", True)]


def test_buckets_by_location_type():
    assets = [
        _asset("storage.googleapis.com/Bucket", "//storage.googleapis.com/dual", {
            "name": "dual", "projectNumber": "111", "location": "ME-CENTRAL1+ME-CENTRAL2", "locationType": "dual-region",
            "customPlacementConfig": {"dataLocations": ["ME-CENTRAL1", "ME-CENTRAL2"]}, "rpo": "ASYNC_TURBO"}),
        _asset("storage.googleapis.com/Bucket", "//storage.googleapis.com/nam", {
            "name": "nam", "location": "NAM4", "locationType": "dual-region"}),
        _asset("storage.googleapis.com/Bucket", "//storage.googleapis.com/multi", {
            "name": "multi", "location": "EU", "locationType": "multi-region", "versioning": {"enabled": True}}),
        _asset("cloudresourcemanager.googleapis.com/Project", "//cloudresourcemanager.googleapis.com/projects/111",
               {"projectNumber": "111", "projectId": P}),
    ]
    t = transform_assets(assets, observed_at=OBSERVED)
    dual = _node(t, "/dual")
    assert dual.account == P  # project number -> id through the Project asset
    assert (dual.region, dual.attrs["data_locations"], dual.attrs["turbo_replication"]) == (
        "me-central1", ["me-central1", "me-central2"], True)
    copy = next(e for e in t.edges if e.src == dual.id)
    assert copy.dst.endswith("#dual-region:me-central2") and copy.attrs["rtc"] is True
    assert copy.attrs["rpo_target_s"] == 900
    assert _node(t, "/nam").attrs["data_locations"] == ["us-central1", "us-east1"]
    multi = _node(t, "/multi")
    # kept across EU regions the service does not name: no one region's loss takes it (a blind estate found
    # "loses data on loss of region eu", a region that does not exist)
    assert (multi.region, multi.attrs["geo_redundant"], multi.attrs["versioning"]) == ("global", True, "Enabled")
    assert (multi.attrs["location"], multi.attrs["multi_region"]) == ("eu", "European Union")


def test_gke_and_instance_groups_zonal_vs_regional():
    assets = [
        _asset("container.googleapis.com/Cluster", "//container.googleapis.com/projects/proj-a/locations/me-central1-a/clusters/z",
               {"name": "z", "location": "me-central1-a", "locations": ["me-central1-a", "me-central1-b"]}),
        _asset("container.googleapis.com/Cluster", "//container.googleapis.com/projects/proj-a/locations/me-central1/clusters/r",
               {"name": "r", "location": "me-central1", "locations": ["me-central1-a", "me-central1-b", "me-central1-c"]}),
        _asset("compute.googleapis.com/InstanceGroupManager", "//compute.googleapis.com/projects/proj-a/zones/me-central1-a/instanceGroupManagers/m",
               {"name": "m", "zone": "https://www.googleapis.com/compute/v1/projects/proj-a/zones/me-central1-a",
                "targetSize": 2.0}),
    ]
    t = transform_assets(assets, observed_at=OBSERVED, default_project=P)
    zonal, regional, mig = _node(t, "/clusters/z"), _node(t, "/clusters/r"), _node(t, "/m")
    assert (zonal.attrs["control_plane"], zonal.attrs["placement"], zonal.attrs["multi_az"]) == ("zonal", "zonal", False)
    assert (regional.attrs["cluster_type"], regional.attrs["multi_az"], len(regional.zones)) == ("regional", True, 3)
    assert (mig.region, mig.zones, mig.attrs["desired_capacity"]) == ("me-central1", ("me-central1-a",), 2)


def test_a_regional_cluster_depends_on_each_node_pool_in_its_own_zones():
    """Issue 12: GKE node pools run in their own zones; a regional cluster whose pool sits in one zone
    stops serving with that zone (which pods a pool runs is not in the API: the cluster needs them all)."""
    from resilience.graph import build_graph
    from resilience.model import Inventory
    from resilience.policy import parse_policy
    from resilience.survival import Scenario, assess

    cluster = "//container.googleapis.com/projects/proj-a/locations/me-central1/clusters/r"
    regional = ["me-central1-a", "me-central1-b", "me-central1-c"]
    assets = [_asset("container.googleapis.com/Cluster", cluster, {
        "name": "r", "location": "me-central1", "locations": regional, "resourceLabels": {"app": "shop"},
        "nodePools": [
            {"name": "system", "initialNodeCount": 1, "autoscaling": {"enabled": True, "minNodeCount": 1,
                                                                       "maxNodeCount": 3}},
            {"name": "gpu", "initialNodeCount": 2, "locations": ["me-central1-b"]},
        ]})]
    t = transform_assets(assets, observed_at=OBSERVED, default_project=P)
    system, gpu = _node(t, "/nodePools/system"), _node(t, "/nodePools/gpu")
    assert (system.zones, system.attrs["desired_capacity"], system.attrs["placement"]) == (tuple(regional), 3,
                                                                                          "zone_redundant")
    assert (gpu.zones, gpu.attrs["desired_capacity"], gpu.attrs["placement"]) == (("me-central1-b",), 2, "zonal")
    assert {(e.src, e.dst, e.kind) for e in t.edges} >= {(cluster, system.id, "depends_on"),
                                                         (cluster, gpu.id, "depends_on")}
    policy = parse_policy("version: 1\nworkloads:\n  shop: {match: {tags: {app: shop}}}\n", "<test>")
    graph = build_graph(Inventory(resources=t.resources, edges=t.edges), policy)
    assert not assess(graph, "shop", Scenario.zones("me-central1-b")).serving
    assert assess(graph, "shop", Scenario.zones("me-central1-a")).serving


def test_dns_primary_backup_policy_becomes_a_failover_pair():
    base = "https://www.googleapis.com/compute/v1/projects/proj-a/"
    zone = "//dns.googleapis.com/projects/proj-a/managedZones/z"
    assets = [
        _asset("compute.googleapis.com/ForwardingRule", "//compute.googleapis.com/projects/proj-a/regions/me-central1/forwardingRules/a",
               {"name": "a", "region": base + "regions/me-central1", "IPAddress": "10.0.0.1",
                "loadBalancingScheme": "INTERNAL_MANAGED", "selfLink": base + "regions/me-central1/forwardingRules/a"}),
        _asset("compute.googleapis.com/ForwardingRule", "//compute.googleapis.com/projects/proj-a/regions/europe-west3/forwardingRules/b",
               {"name": "b", "region": base + "regions/europe-west3", "IPAddress": "10.1.0.1",
                "loadBalancingScheme": "INTERNAL_MANAGED", "selfLink": base + "regions/europe-west3/forwardingRules/b"}),
        _asset("dns.googleapis.com/ResourceRecordSet", f"{zone}/rrsets/api.example./A", {
            "name": "api.example.", "type": "A", "routingPolicy": {"primaryBackup": {
                "primaryTargets": {"internalLoadBalancers": [{"ipAddress": "10.0.0.1"}]},
                "backupGeoTargets": {"items": [{"location": "europe-west3", "healthCheckedTargets": {
                    "internalLoadBalancers": [{"ipAddress": "10.1.0.1"}]}}]}}}}),
    ]
    t = transform_assets(assets, observed_at=OBSERVED, default_project=P)
    record = _node(t, "/A")
    assert record.attrs["routing"] == "failover"
    primary, backup = _node(t, "/A#primary"), _node(t, "/A#backup-europe-west3")
    assert (primary.attrs["failover_role"], backup.attrs["failover_role"]) == ("PRIMARY", "SECONDARY")
    assert primary.attrs["evaluate_target_health"] is True
    edges = {(e.src, e.dst, e.kind) for e in t.edges}
    assert (primary.id, backup.id, "fails_over_to") in edges
    assert (primary.id, _node(t, "forwardingRules/a").id, "routes_to") in edges
    assert (backup.id, _node(t, "forwardingRules/b").id, "routes_to") in edges
    assert (record.id, zone, "member_of") in edges
    assert _node(t, "forwardingRules/a").zones == ("me-central1-a", "me-central1-b", "me-central1-c")


def test_regional_application_load_balancer_chain_reaches_its_endpoint_groups():
    """Forwarding rule -> RegionTargetHttpsProxy -> RegionUrlMap -> RegionBackendService -> NEGs,
    health-checked by a RegionHealthCheck (compute v1 resource shapes inside Cloud Asset ``data``)."""
    from resilience.collectors.gcp.api import ASSET_GROUPS

    base = "https://www.googleapis.com/compute/v1/projects/proj-a"
    cn = "//compute.googleapis.com/projects/proj-a"
    region = f"{base}/regions/me-central1"
    assets = [
        _asset("compute.googleapis.com/ForwardingRule", f"{cn}/regions/me-central1/forwardingRules/fr", {
            "name": "fr", "region": region, "loadBalancingScheme": "EXTERNAL_MANAGED", "IPAddress": "203.0.113.9",
            "target": f"{region}/targetHttpsProxies/px", "selfLink": f"{region}/forwardingRules/fr"}),
        _asset("compute.googleapis.com/RegionTargetHttpsProxy", f"{cn}/regions/me-central1/targetHttpsProxies/px", {
            "name": "px", "region": region, "urlMap": f"{region}/urlMaps/um", "selfLink": f"{region}/targetHttpsProxies/px"}),
        _asset("compute.googleapis.com/RegionUrlMap", f"{cn}/regions/me-central1/urlMaps/um", {
            "name": "um", "region": region, "defaultService": f"{region}/backendServices/bs",
            "selfLink": f"{region}/urlMaps/um"}),
        _asset("compute.googleapis.com/RegionBackendService", f"{cn}/regions/me-central1/backendServices/bs", {
            "name": "bs", "region": region, "loadBalancingScheme": "EXTERNAL_MANAGED",
            "healthChecks": [f"{region}/healthChecks/hc"], "selfLink": f"{region}/backendServices/bs",
            "backends": [{"group": f"{base}/zones/me-central1-a/networkEndpointGroups/neg-a"},
                         {"group": f"{region}/networkEndpointGroups/run-neg"}]}),
        _asset("compute.googleapis.com/RegionHealthCheck", f"{cn}/regions/me-central1/healthChecks/hc", {
            "name": "hc", "region": region, "type": "HTTPS", "httpsHealthCheck": {"port": 443, "requestPath": "/hz"},
            "selfLink": f"{region}/healthChecks/hc"}),
        _asset("compute.googleapis.com/NetworkEndpointGroup", f"{cn}/zones/me-central1-a/networkEndpointGroups/neg-a", {
            "name": "neg-a", "zone": f"{base}/zones/me-central1-a", "networkEndpointType": "GCE_VM_IP_PORT", "size": 3,
            "selfLink": f"{base}/zones/me-central1-a/networkEndpointGroups/neg-a"}),
        _asset("compute.googleapis.com/RegionNetworkEndpointGroup", f"{cn}/regions/me-central1/networkEndpointGroups/run-neg", {
            "name": "run-neg", "region": region, "networkEndpointType": "SERVERLESS", "cloudRun": {"service": "api"},
            "selfLink": f"{region}/networkEndpointGroups/run-neg"}),
    ]
    for asset in assets:  # each type is requested, or the chain routes to nothing
        assert any(asset["assetType"] in types for types in ASSET_GROUPS.values()), asset["assetType"]
    t = transform_assets(assets, observed_at=OBSERVED, default_project=P)
    routes = {(e.src.rsplit("/", 1)[-1], e.dst.rsplit("/", 1)[-1]) for e in t.edges if e.kind == "routes_to"}
    assert {("fr", "bs"), ("bs", "neg-a"), ("bs", "run-neg"), ("run-neg", "api")} <= routes
    neg = _node(t, "/neg-a")
    assert neg.zones == ("me-central1-a",) and neg.attrs["placement"] == "zonal"
    assert _node(t, "/healthChecks/hc").kind == "health_check"
    assert t.hints["//run.googleapis.com/projects/proj-a/locations/me-central1/services/api"]["region"] == "me-central1"


def test_spanner_firestore_bigtable_memorystore_by_their_locations():
    assets = [
        _asset("spanner.googleapis.com/Instance", "//spanner.googleapis.com/projects/proj-a/instances/multi", {
            "name": "projects/proj-a/instances/multi", "config": "projects/proj-a/instanceConfigs/eur3",
            "displayName": "multi", "processingUnits": 1000}),
        _asset("spanner.googleapis.com/Database", "//spanner.googleapis.com/projects/proj-a/instances/multi/databases/d",
               {"name": "projects/proj-a/instances/multi/databases/d", "state": "READY"}),
        _asset("spanner.googleapis.com/Instance", "//spanner.googleapis.com/projects/proj-a/instances/one", {
            "name": "projects/proj-a/instances/one", "config": "projects/proj-a/instanceConfigs/regional-me-central1",
            "displayName": "one", "nodeCount": 1}),
        _asset("firestore.googleapis.com/Database", "//firestore.googleapis.com/projects/proj-a/databases/(default)", {
            "name": "projects/proj-a/databases/(default)", "locationId": "me-central1", "type": "FIRESTORE_NATIVE",
            "pointInTimeRecoveryEnablement": "POINT_IN_TIME_RECOVERY_ENABLED"}),
        *[_asset("bigtableadmin.googleapis.com/Cluster",
                 f"//bigtableadmin.googleapis.com/projects/proj-a/instances/bt/clusters/{c}",
                 {"name": f"projects/proj-a/instances/bt/clusters/{c}", "location": f"projects/proj-a/locations/{zone}",
                  "serveNodes": 3}) for c, zone in (("c1", "me-central1-a"), ("c2", "europe-west3-b"))],
        _asset("redis.googleapis.com/Instance", "//redis.googleapis.com/projects/proj-a/locations/me-central1/instances/basic", {
            "name": "projects/proj-a/locations/me-central1/instances/basic", "tier": "BASIC",
            "locationId": "me-central1-a", "labels": {"resilience-workload": "shop"}}),
        _asset("redis.googleapis.com/Instance", "//redis.googleapis.com/projects/proj-a/locations/me-central1/instances/ha", {
            "name": "projects/proj-a/locations/me-central1/instances/ha", "tier": "STANDARD_HA",
            "locationId": "me-central1-a", "alternativeLocationId": "me-central1-b", "replicaCount": 2}),
    ]
    t = transform_assets(assets, observed_at=OBSERVED, default_project=P)
    multi, one = _node(t, "/instances/multi"), _node(t, "/instances/one")
    assert (multi.region, multi.attrs["location_type"]) == ("europe-west1", "multi-region")
    assert _node(t, "/instances/multi#europe-west4").attrs["replica_of"] == multi.id
    assert _node(t, "/instances/multi#europe-west4#pitr").kind == "recovery_point"
    assert (one.region, one.attrs["multi_az"], one.attrs["role"]) == ("me-central1", True, "primary")
    # "one" has no database: no data of its own, no point-in-time recovery (a database's version retention)
    assert (multi.attrs["pitr"], multi.attrs["holds_data"], multi.attrs["databases"]) == (True, True, 1)
    assert (one.attrs["pitr"], one.attrs["holds_data"], one.attrs["databases"]) == (False, False, 0)
    assert _node(t, "/databases/(default)").attrs["pitr"] is True
    c1, c2 = _node(t, "/clusters/c1"), _node(t, "/clusters/c2")
    assert c1.zones == ("me-central1-a",) and c2.attrs["replica_of"] == c1.id and c2.region == "europe-west3"
    basic, ha = _node(t, "/instances/basic"), _node(t, "/instances/ha")
    assert (basic.kind, basic.zones, basic.tags["resilience:workload"]) == ("compute_group", ("me-central1-a",), "shop")
    assert ha.zones == ("me-central1-a", "me-central1-b") and ha.attrs["desired_capacity"] == 3


def test_cloud_run_and_functions_keep_env_names_only_and_depend_on_cloud_sql():
    run_name = "//run.googleapis.com/projects/proj-a/locations/me-central1/services/api"
    fn_name = "//cloudfunctions.googleapis.com/projects/proj-a/locations/me-central1/functions/fn"
    assets = [
        _asset("run.googleapis.com/Service", run_name, {
            "metadata": {"name": "api", "labels": {"cloud.googleapis.com/location": "me-central1"}},
            "spec": {"template": {"metadata": {"annotations": {
                "run.googleapis.com/cloudsql-instances": "proj-a:me-central1:orders"}},
                "spec": {"containers": [{"env": [{"name": "DB_PASSWORD", "value": "s3cr3t-value"}]}]}}}}),
        _asset("cloudfunctions.googleapis.com/Function", fn_name, {
            "name": "projects/proj-a/locations/me-central1/functions/fn",
            "serviceConfig": {"environmentVariables": {"DB": "proj-a:me-central1:orders", "TOKEN": "abc123"}}}),
    ]
    t = transform_assets(assets, observed_at=OBSERVED, default_project=P)
    run, fn = _node(t, "/services/api"), _node(t, "/functions/fn")
    assert run.attrs["env_names"] == ["DB_PASSWORD"] and fn.attrs["env_names"] == ["DB", "TOKEN"]
    assert "s3cr3t-value" not in repr(t.resources) + repr(t.edges) and "abc123" not in repr(t.resources)
    sql = "//cloudsql.googleapis.com/projects/proj-a/instances/orders"
    assert {(e.src, e.dst) for e in t.edges if e.kind == "depends_on"} == {(run.id, sql), (fn.id, sql)}
    assert t.hints[sql]["region"] == "me-central1"
    assert (run.kind, run.region, run.attrs["placement"]) == ("function", "me-central1", "zone_redundant")


@pytest.mark.parametrize("setting, value, project", [
    ("INSTANCE_CONNECTION_NAME", "proj-a:me-central1:orders", "proj-a"),
    ("INSTANCE_UNIX_SOCKET", "/cloudsql/proj-a:me-central1:orders", "proj-a"),  # the proxy's socket path
    ("DATABASE_URL", "postgresql://app:pw-s3cr3t@/shop?host=/cloudsql/proj-a:me-central1:orders", "proj-a"),
    ("DB_CONN", "example.com:proj-a:me-central1:orders", "example.com:proj-a"),  # a domain-scoped project
])
@pytest.mark.parametrize("inventoried", [True, False])
def test_a_cloud_sql_connection_name_inside_an_env_value_is_a_dependency(setting, value, project, inventoried):
    """Blind GCP estate: a Cloud Run service reached its Cloud SQL instance through the proxy's socket path
    (``/cloudsql/P:R:I``) or a DSN holding it; only a value that was exactly the connection name made the edge,
    so the instance was no dependency and a zone or region loss of it passed. The connection name makes the
    edge: to the instance when inventoried, else to a placeholder in the region the name gives. Only the
    matched name is kept, never the value (a DSN holds a password)."""
    run_name = "//run.googleapis.com/projects/proj-a/locations/me-central1/services/api"
    sql = f"//cloudsql.googleapis.com/projects/{project}/instances/orders"
    assets = [_asset("run.googleapis.com/Service", run_name, {
        "metadata": {"name": "api", "labels": {"cloud.googleapis.com/location": "me-central1"}},
        "template": {"containers": [{"env": [{"name": setting, "value": value}]}]}})]
    if inventoried:
        assets.append(_asset("sqladmin.googleapis.com/Instance", sql, {
            "name": "orders", "project": project, "region": "me-central1", "gceZone": "me-central1-a",
            "settings": {"availabilityType": "ZONAL"}}, "me-central1"))
    t = transform_assets(assets, observed_at=OBSERVED, default_project=P)
    run = _node(t, "/services/api")
    assert [(e.src, e.dst, e.attrs["setting"]) for e in t.edges if e.kind == "depends_on"] == [(run.id, sql, setting)]
    assert t.hints[sql.lower()]["region"] == "me-central1"
    if inventoried:
        assert _node(t, "/instances/orders").kind == "database"
    assert "pw-s3cr3t" not in repr(t.resources) + repr(t.edges) + repr(t.hints)


def test_a_time_or_a_port_list_is_no_connection_name():
    from resilience.collectors.gcp.services import connection_names
    assert connection_names("12:30:45") == [] and connection_names("localhost:5432:x") == []
    assert connection_names("a-b:us-central1:db,proj-b2:europe-west4:db2") == [("proj-b2", "europe-west4", "db2")]


def test_a_multi_region_spanner_instance_is_priced_as_the_service_fails_over_not_as_a_replica_promotion():
    """A blind GCP estate: a multi-region Spanner / Firestore was priced as an RDS read-replica promotion
    (10 minutes, 'writes not yet replicated are lost') although replication is synchronous and the service
    fails over itself."""
    name = "//spanner.googleapis.com/projects/proj-a/instances/ledger"
    assets = [_asset("spanner.googleapis.com/Instance", name, {
        "name": "projects/proj-a/instances/ledger", "config": "projects/proj-a/instanceConfigs/nam3",
        "displayName": "ledger", "labels": {"app": "ledger"}}),
        _asset("spanner.googleapis.com/Database", f"{name}/databases/main",
               {"name": "projects/proj-a/instances/ledger/databases/main", "state": "READY"})]
    step = region_loss_step(transform_assets(assets, observed_at=OBSERVED, default_project=P), "ledger", name,
                            "us-east4")
    assert (step.model_key, step.rto, step.rpo) == ("gcp-multi-region-database", 60, 0)
    assert "no acknowledged write is lost" in step.reasoning


def test_env_values_naming_a_memorystore_or_firestore_make_depends_on_edges_and_are_not_kept():
    """A blind GCP estate: a Cloud Run service in europe-west3 named its BASIC Memorystore (by host address) and
    its Firestore database (by resource path) in env values; the tool linked only Cloud SQL connection names."""
    redis = "//redis.googleapis.com/projects/proj-a/locations/me-central1/instances/session-cache"
    firestore = "//firestore.googleapis.com/projects/proj-a/databases/wallet"
    run = "//run.googleapis.com/projects/proj-a/locations/europe-west3/services/wallet-api"
    assets = [
        _asset("redis.googleapis.com/Instance", redis, {
            "name": "projects/proj-a/locations/me-central1/instances/session-cache", "tier": "BASIC",
            "locationId": "me-central1-a", "host": "10.8.0.3"}),
        _asset("firestore.googleapis.com/Database", firestore, {
            "name": "projects/proj-a/databases/wallet", "locationId": "me-central1"}),
        _asset("run.googleapis.com/Service", run, {
            "metadata": {"name": "wallet-api", "labels": {"cloud.googleapis.com/location": "europe-west3"}},
            "spec": {"template": {"spec": {"containers": [{"env": [
                {"name": "REDIS_URL", "value": "redis://10.8.0.3:6379"},
                {"name": "FIRESTORE_DB", "value": "projects/proj-a/databases/wallet"},
                {"name": "API_TOKEN", "value": "s3cr3t-not-a-reference"}]}]}}}}),
    ]
    t = transform_assets(assets, observed_at=OBSERVED, default_project=P)
    links = {(e.dst, e.attrs.get("setting")) for e in t.edges if e.src == run and e.kind == "depends_on"}
    assert links == {(redis, "REDIS_URL"), (firestore, "FIRESTORE_DB")}
    service = _node(t, "/services/wallet-api")
    assert service.attrs["env_names"] == ["API_TOKEN", "FIRESTORE_DB", "REDIS_URL"]
    assert "s3cr3t" not in repr([r.attrs for r in t.resources]) + repr([e.attrs for e in t.edges])


def test_an_env_value_naming_an_uninventoried_resource_by_path_is_a_dependency_on_an_unseen_stub():
    """Blind gcp10: a Cloud Run service's REDIS_INSTANCE named a Memorystore instance the scan did not hold;
    the reference vanished (no edge, no node) and the workload's zone verdicts passed."""
    from resilience.graph import build_graph
    from resilience.model import Inventory
    from resilience.policy import parse_policy
    from resilience.scan import analyse

    run = "//run.googleapis.com/projects/proj-a/locations/me-central1/services/orders-api"
    assets = [_asset("run.googleapis.com/Service", run, {
        "metadata": {"name": "orders-api", "labels": {"cloud.googleapis.com/location": "me-central1", "app": "orders"}},
        "spec": {"template": {"spec": {"containers": [{"env": [
            {"name": "REDIS_INSTANCE", "value": "projects/proj-a/locations/me-central1/instances/session-cache"},
            {"name": "LEDGER_SPANNER", "value": "projects/proj-b/instances/ledger/databases/main"},
            {"name": "ORDERS_SQL", "value": "projects/proj-a/instances/orders-db"},
            {"name": "STATE_DB", "value": "projects/proj-a/databases/state"},
            {"name": "CACHE_HOST", "value": "10.9.9.9"}]}]}}}}),
        # another workload's cache: the estate's zones in me-central1 (a stub may be in any of them)
        _asset("redis.googleapis.com/Instance", "//redis.googleapis.com/projects/proj-a/locations/me-central1/instances/ha", {
            "name": "projects/proj-a/locations/me-central1/instances/ha", "tier": "STANDARD_HA",
            "locationId": "me-central1-a", "alternativeLocationId": "me-central1-b"})]
    t = transform_assets(assets, observed_at=OBSERVED, default_project=P)
    redis = "//redis.googleapis.com/projects/proj-a/locations/me-central1/instances/session-cache"
    links = {e.attrs["setting"]: e.dst for e in t.edges if e.src == run and e.kind == "depends_on"}
    assert links == {"REDIS_INSTANCE": redis, "LEDGER_SPANNER": "//spanner.googleapis.com/projects/proj-b/instances/ledger",
                     "ORDERS_SQL": "//cloudsql.googleapis.com/projects/proj-a/instances/orders-db",
                     "STATE_DB": "//firestore.googleapis.com/projects/proj-a/databases/state"}  # no host: no resource
    assert not [r for r in t.resources if "session-cache" in r.id]  # no placeholder: the graph builder's stub

    policy = parse_policy("version: 1\nworkloads:\n  orders: {match: {tags: {app: orders}}}\n", "<test>")
    inventory = Inventory(resources=t.resources, edges=t.edges)
    stub = build_graph(inventory, policy).nodes[redis]
    assert (stub["stub"], stub["region"], stub["provider"], stub["account"]) == (True, "me-central1", "gcp", "proj-a")
    result = analyse(inventory, policy, scan_time=dt.datetime(2026, 9, 1, tzinfo=dt.UTC), audited_regions=("me-central1",))
    zonal = [f for f in result.findings if f.rule == "RES-ZONAL-001" and f.workload == "orders"]
    # the cache may be a BASIC (one-zone) instance in any zone of me-central1: never a pass
    assert len(zonal) == 2 and {f.status for f in zonal} == {"unknown"}, [(f.status, f.message) for f in zonal]
    assert all("session-cache" in f.message for f in zonal)


@pytest.mark.parametrize(("rpo", "key", "seconds"), [("DEFAULT", "gcs-dual-region", 12 * 3600),
                                                      ("ASYNC_TURBO", "gcs-dual-region-turbo", 15 * 60)])
def test_a_dual_region_bucket_is_priced_by_its_replication_not_as_s3(rpo, key, seconds):
    """Default dual-region replication is bounded at 12 hours (99.9 % within one): it was priced as S3 replication
    (15 minutes), so a one-hour RPO objective passed on paper."""
    assets = [_asset("storage.googleapis.com/Bucket", "//storage.googleapis.com/media", {
        "name": "media", "location": "ME-CENTRAL1+EUROPE-WEST3", "locationType": "dual-region", "rpo": rpo,
        "customPlacementConfig": {"dataLocations": ["ME-CENTRAL1", "EUROPE-WEST3"]}, "labels": {"app": "media"}})]
    step = region_loss_step(transform_assets(assets, observed_at=OBSERVED, default_project=P), "media",
                            "//storage.googleapis.com/media", "me-central1")
    assert (step.model_key, step.rto, step.rpo) == (key, 0, seconds)


def test_an_env_value_naming_a_bigtable_instance_depends_on_its_primary_cluster():
    """The graph holds a Bigtable instance's clusters: its path resolves to the primary, not to a Spanner stub."""
    run = "//run.googleapis.com/projects/proj-a/locations/me-central1/services/feed"
    clusters = [_asset("bigtableadmin.googleapis.com/Cluster",
                       f"//bigtableadmin.googleapis.com/projects/proj-a/instances/bt/clusters/{c}",
                       {"name": f"projects/proj-a/instances/bt/clusters/{c}",
                        "location": f"projects/proj-a/locations/{zone}"})
                for c, zone in (("c1", "me-central1-a"), ("c2", "me-central2-a"))]
    service = _asset("run.googleapis.com/Service", run, {
        "metadata": {"name": "feed", "labels": {"cloud.googleapis.com/location": "me-central1"}},
        "spec": {"template": {"spec": {"containers": [{"env": [
            {"name": "BIGTABLE_INSTANCE", "value": "projects/proj-a/instances/bt"}]}]}}}})
    t = transform_assets([*clusters, service], observed_at=OBSERVED, default_project=P)
    assert [e.dst for e in t.edges if e.src == run and e.kind == "depends_on"] == [clusters[0]["name"]]
