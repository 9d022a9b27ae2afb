"""Sentences an auditor reads: no comfort that is not true, no regions the estate does not use."""

from __future__ import annotations

from resilience.rules import get_rule

from resilience.survival import Scenario, assess


def test_a_data_only_workload_is_never_said_to_keep_serving(estate):
    e = estate({"resources": {"archive": {"kind": "object_store", "region": "me-central-1", "workload": "billing"}}})
    impact = assess(e.graph, "billing", Scenario.regions("me-central-1"))
    assert not impact.data_intact and impact.entry_points == []
    assert impact.why.startswith("billing loses data on loss of region me-central-1")
    assert "keeps serving" not in impact.why


def test_a_database_only_workload_stops_with_its_database(estate):
    """Its clients connect to the database itself: the database is its entry point (blind aws10)."""
    e = estate({"resources": {"ledger-db": {"kind": "database", "region": "me-central-1", "zones": ["mec1-az1"],
                                            "workload": "billing", "attrs": {"backup_retention_days": 0}}}})
    impact = assess(e.graph, "billing", Scenario.regions("me-central-1"))
    assert not impact.data_intact and impact.entry_points == ["ledger-db"]
    assert impact.why == ("billing stops serving on loss of region me-central-1: ledger-db (in failed region "
                          "me-central-1); no surviving copy of ledger-db")


def test_a_domain_loss_names_only_the_domains_regions_the_estate_uses(estate):
    e = estate({"resources": {
        "db": {"kind": "database", "region": "me-central-1", "zones": ["mec1-az1"], "workload": "gulf-dr",
               "attrs": {"backup_retention_days": 1}},
        "replica": {"kind": "database", "region": "me-south-1", "zones": ["mes1-az1"],
                    "attrs": {"role": "replica", "replica_of": "@db"}}},
        "edges": [["db", "replicates_to", "replica", {"promotable": True}]]})
    results = [r for r in get_rule("RES-CORRELATED-002").check(e.ctx()) if r.workload == "gulf-dr"]
    assert results and all(r.status == "fail" for r in results)
    message = results[0].message
    assert "me-central-1 and me-south-1" in message
    assert "uaenorth" not in message and "me-central2" not in message  # Azure / GCP Gulf regions: unused here


def test_backups_whose_retention_was_not_reported_are_not_said_to_last_none_days(estate):
    """Blind test aws8: an EFS file system's automated backups read "automated backups (None days)"."""
    e = estate({"resources": {"fs": {"kind": "file_system", "region": "me-central-1", "workload": "media",
                                     "attrs": {"automated_backups": True}}}})
    from resilience.copies import Copy
    from rules.data import _describe

    fs = next(n for n in e.graph if e.graph.nodes[n].get("kind") == "file_system")
    described = _describe(e.ctx(), Copy(id=f"{fs}#automated", region="me-central-1", relation="automated",
                                        mechanism="restore-backup", serving=False))
    assert described["kind"] == "automated backups"


def test_a_workload_that_survives_names_what_it_lost_without_needing_it(estate):
    """Blind aws11: "ledger survives loss of zone mec1-az1 with no failover needed" while its evidence listed both
    of the cluster's instances lost; the sentence now says the site that serves does not need them."""
    e = estate({"resources": {
        "api-mec1": {"kind": "function", "region": "me-central-1", "workload": "ledger"},
        "api-euw1": {"kind": "function", "region": "eu-west-1", "workload": "ledger"},
        "sessions": {"kind": "cache", "region": "me-central-1", "zones": ["mec1-az1"], "workload": "ledger"}},
        "edges": [["api-mec1", "depends_on", "sessions"]]})
    impact = assess(e.graph, "ledger", Scenario.zones("mec1-az1"))
    assert impact.serving and impact.data_intact and not impact.failovers
    assert impact.why == ("ledger survives loss of zone mec1-az1 with no failover needed: what it serves through "
                          "does not need api-mec1 and sessions, lost with it")


def test_a_copy_a_failed_read_could_hide_is_not_said_to_be_missing(estate):
    """Blind aws11: "no surviving copy of payroll-db" while the recovery points of the copy's region could not be
    read; the serving failure decides the verdict, the sentence says only what was seen."""
    spec = {"resources": {
        "payroll-fn": {"kind": "function", "region": "me-central-1", "workload": "payroll"},
        "payroll-db": {"kind": "database", "region": "me-central-1", "zones": ["mec1-az1"], "workload": "payroll"},
        "snap": {"kind": "recovery_point", "region": "me-central-1",
                 "attrs": {"source_resource": "@payroll-db", "status": "available"}}},
        "edges": [["payroll-fn", "depends_on", "payroll-db"], ["payroll-db", "backed_up_to", "snap"]]}
    seen = assess(estate(spec).graph, "payroll", Scenario.regions("me-central-1"))
    assert seen.why.endswith("no surviving copy of payroll-db")
    spec["coverage"] = [{"region": "eu-west-1", "service": "backup:recovery-points", "status": "error"}]
    e = estate(spec)
    doubted = assess(e.graph, "payroll", Scenario.regions("me-central-1"), coverage=e.inventory.coverage)
    assert not doubted.serving and not doubted.data_intact
    assert doubted.why.endswith("no surviving copy of payroll-db was seen (a read that failed could hide one)")


def test_a_front_door_whose_routes_were_read_and_are_none_serves_nothing(estate):
    """afdroutes review: a Front Door profile whose endpoints' routes were all read, and name no origin group,
    still 'served' (a balancer with no target was judged by its own dependencies alone)."""
    e = estate({"resources": {
        "fd": {"kind": "load_balancer", "region": "global", "workload": "portal", "type": "Microsoft.Cdn/profiles",
               "attrs": {"lb_type": "front-door-standard", "routes_read": True}}}})
    impact = assess(e.graph, "portal", Scenario.regions("westeurope"))
    assert not impact.serving
    # no scenario causes it: the sentence says so, and the profile is not 'lost' with the region (blind azure12)
    assert impact.why == ("portal does not serve even before loss of region westeurope: fd (it has no route: it "
                          "sends traffic nowhere)")
    assert impact.lost == [] and impact.standing
    from resilience.recovery import estimate_for_scenario

    [step] = estimate_for_scenario(e.graph, "portal", Scenario.regions("westeurope")).steps
    assert step.model_key == "manual-dns-switch" and "serves nothing even before westeurope is lost" in step.reasoning


def test_backups_kept_for_hours_read_in_hours(estate):
    """Blind azure12: a Cosmos DB account keeping periodic backups 8 hours read 'automated backups
    (0.3333333333333333 days)'."""
    from resilience.copies import Copy
    from rules.data import _describe

    e = estate({"resources": {"cosmos": {"kind": "database", "region": "uaenorth", "workload": "catalog",
                                         "attrs": {"backup_retention_days": 8 / 24}}}})
    db = next(n for n in e.graph if e.graph.nodes[n].get("kind") == "database")
    described = _describe(e.ctx(), Copy(id=f"{db}#automated", region="uaenorth", relation="automated",
                                        mechanism="restore-backup", serving=False))
    assert described["kind"] == "automated backups (8h)"


def test_a_compute_group_that_is_not_zone_redundant_fails_single_zone_placement(estate):
    """Blind azure12: an App Service plan with zoneRedundant false read 'its zones were not recorded' (unknown);
    regional placement spreads nothing across zones by guarantee."""
    results = get_rule("RES-ZONAL-004").check(estate({"resources": {"app": {
        "kind": "compute_group", "region": "uaenorth", "workload": "booking", "type": "Microsoft.Web/sites",
        "attrs": {"placement": "regional", "zone_unreported": True, "region_zones": ["uaen-az1", "uaen-az2"],
                  "desired_capacity": 3}}}}).ctx())
    [got] = [r for r in results if r.resource.endswith("app")]
    assert got.status == "fail" and "is not zone-redundant" in got.message
    assert got.observed["possible_zones"] == ["uaen-az1", "uaen-az2"]


def test_an_efs_file_system_without_a_replica_elsewhere_fails_the_cross_region_copy_rule(estate):
    """Blind aws13: a One Zone EFS file system with no replication got no RES-DATA-003 result at all."""
    spec = {"resources": {
        "shared": {"kind": "file_system", "region": "me-central-1", "zones": ["mec1-az1"], "workload": "orders",
                   "type": "AWS::EFS::FileSystem"},
        "shared-dr": {"kind": "file_system", "region": "eu-west-1", "type": "AWS::EFS::FileSystem",
                      "attrs": {"role": "replica"}}}}
    [alone] = [r for r in get_rule("RES-DATA-003").check(estate(spec).ctx()) if r.resource.endswith("shared")]
    assert alone.status == "fail"
    spec["edges"] = [["shared", "replicates_to", "shared-dr", {"mode": "async"}]]
    [copied] = [r for r in get_rule("RES-DATA-003").check(estate(spec).ctx()) if r.resource.endswith("shared")]
    assert copied.status == "pass" and "eu-west-1" in copied.message


def test_colocated_backups_are_not_given_a_count_that_is_not_theirs(estate):
    """Blind gcp13: "every backup of payments-db (2) is in me-central2" counted the backup locations listed
    (point-in-time recovery and the backup-runs entry), not the three backups the API returned. The evidence lists
    what was found; the sentence no longer counts it."""
    e = estate({"resources": {
        "db": {"kind": "volume", "region": "me-central-1", "zones": ["mec1-az1"], "workload": "ledger"},
        "snap": {"kind": "recovery_point", "type": "AWS::EC2::Snapshot", "region": "me-central-1",
                 "attrs": {"source_resource": "@db", "status": "completed"}},
        "snap-2": {"kind": "recovery_point", "type": "AWS::EC2::Snapshot", "region": "me-central-1",
                   "attrs": {"source_resource": "@db", "status": "completed"}}},
        "edges": [["db", "backed_up_to", "snap"], ["db", "backed_up_to", "snap-2"]]})
    for rule_id, where in (("RES-DATA-002", "me-central-1"), ("RES-ACCOUNT-001", "account 123456789012")):
        got = [r for r in get_rule(rule_id).check(e.ctx()) if r.status == "fail"]
        assert got, rule_id
        assert got[0].message.startswith(f"every backup of db is in {where}: "), got[0].message


def test_an_app_service_app_that_is_not_zone_redundant_names_its_plan(estate):
    """Blind azure12: RES-ZONAL-004 named the web app; what is not zone-redundant is its App Service plan."""
    plan = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/serverfarms/asp-booking-uaen"
    results = get_rule("RES-ZONAL-004").check(estate({"resources": {"app": {
        "kind": "compute_group", "region": "uaenorth", "workload": "booking", "type": "Microsoft.Web/sites",
        "attrs": {"placement": "regional", "zone_unreported": True, "region_zones": ["uaen-az1", "uaen-az2"],
                  "desired_capacity": 2, "plan_id": plan}}}}).ctx())
    [got] = [r for r in results if r.resource.endswith("app")]
    assert got.status == "fail" and "app (App Service plan asp-booking-uaen) is not zone-redundant" in got.message
    assert got.observed["plan"] == plan
