"""The Azure collector through the real SDK clients against the local recorded-response server."""

from __future__ import annotations

import time

import pytest

from resilience.collectors.azure.clients import AzureSettings, LoopbackAwareAuthPolicy, StaticTokenCredential
from resilience.collectors.azure.collector import collect
from resilience.collectors.replay import DeadEndpoint

from .helpers import ARG_PATH, OBSERVED, SUB, by_name, coverage, edges


def _settings(env, **overrides):
    base = {"retry_total": 2, "retry_backoff_s": 0.05, "connect_timeout_s": 2, "read_timeout_s": 5}
    return AzureSettings.from_env(env, **{**base, **overrides})


def test_demo_subscription_through_the_sdk(azure_server, azure_env):
    inventory = collect(_settings(azure_env), observed_at=OBSERVED)

    assert {c.status for c in inventory.coverage} == {"ok"}
    assert inventory.meta["accounts"] == [SUB]
    assert "uaecentral" in inventory.meta["regions"]
    # every request carried the bearer token, over plain http to 127.0.0.1 (loopback only)
    assert azure_server.calls and all(c.authorization == "Bearer test-token" for c in azure_server.calls)
    # ARM paging: the resources list followed nextLink to its second page
    pages = [c for c in azure_server.calls if c.path.endswith("/resources") and c.method == "GET"]
    assert [c.query.get("$skiptoken") for c in pages] == [None, ["page-2"]]
    # Resource Graph paging: the compute family followed $skipToken
    compute = [c for c in azure_server.calls if c.path == ARG_PATH and "virtualmachinescalesets" in str(c.body)
               and "location =~ 'uaenorth'" in c.body["query"]]
    assert [c.body["options"].get("$skipToken") for c in compute] == [None, "Y29tcHV0ZS1wYWdlLTI="]
    # one query per family and region in use, each with its own coverage record
    assert {c.region for c in inventory.coverage if c.service == "compute"} == {
        "global", "uaecentral", "uaenorth", "westeurope"}
    assert all(c.body["subscriptions"] == [SUB] for c in azure_server.calls if c.path == ARG_PATH)
    # resources from both pages and both Resource Graph pages are there
    assert by_name(inventory, "virtualMachineScaleSets/vmss-pay-uaen").zones == (
        "uaenorth-az2", "uaenorth-az3", "uaenorth-az1")
    assert by_name(inventory, "virtualMachines/vm-batch-uaec").attrs["region_zones_available"] is False
    assert by_name(inventory, "storageAccounts/stgulfdocs").attrs["versioning"] == "Disabled"
    assert by_name(inventory, "storageAccounts/stgulfdocs").source == "storage:ResourceGraph.Resources"


def test_authorization_failed_is_denied_and_other_reads_go_on(azure_server, azure_env):
    azure_server.add({"method": "POST", "path": ARG_PATH, "body_contains": ["microsoft.storage/storageaccounts"],
                      "response": {"status": 403, "body": {"error": {
                          "code": "AuthorizationFailed",
                          "message": "The client 'scanner' does not have authorization to perform action "
                                     "'Microsoft.ResourceGraph/resources/read'"}}}})
    inventory = collect(_settings(azure_env), observed_at=OBSERVED)

    record = coverage(inventory, "storage", SUB)
    assert record.status == "denied"
    assert "AuthorizationFailed" in record.detail and "403" in record.detail
    assert coverage(inventory, "sql", SUB).status == "ok"
    # the ARM list still shows the accounts (SKU -> replication), without the Resource Graph properties
    docs = by_name(inventory, "storageAccounts/stgulfdocs")
    assert docs.source == "storage:Resources_List"
    assert docs.attrs["replication"] == "LRS"
    archive = by_name(inventory, "storageAccounts/stgulfarchive")
    assert archive.attrs["secondary_region"] == "uaecentral"  # from the live region pair, not the properties


def test_throttling_is_retried_after_retry_after(azure_server, azure_env):
    azure_server.add({"method": "GET", "path": f"/subscriptions/{SUB}/resourcegroups", "responses": [
        {"status": 429, "headers": {"Retry-After": "1"},
         "body": {"error": {"code": "TooManyRequests", "message": "throttled"}}},
        {"status": 200, "body": {"value": []}}]})
    inventory = collect(_settings(azure_env), observed_at=OBSERVED)

    assert coverage(inventory, "resourcegroups", SUB).status == "ok"
    calls = [c for c in azure_server.calls if c.path.endswith("/resourcegroups")]
    assert [c.status for c in calls] == [429, 200]
    assert calls[1].at - calls[0].at >= 0.9  # waited for Retry-After


def test_persistent_throttling_becomes_error(azure_server, azure_env):
    azure_server.add({"method": "POST", "path": ARG_PATH,
                      "body_contains": ["microsoft.documentdb", "location =~ 'uaenorth'"],
                      "response": {"status": 429, "headers": {"Retry-After": "0.1"},
                                   "body": {"error": {"code": "RateLimiting", "message": "Please retry"}}}})
    inventory = collect(_settings(azure_env, retry_total=2), observed_at=OBSERVED)

    record = next(c for c in inventory.coverage if c.service == "cosmosdb" and c.region == "uaenorth")
    assert record.status == "error"
    assert "throttled" in record.detail
    tries = [c for c in azure_server.calls if c.path == ARG_PATH and "microsoft.documentdb" in str(c.body)
             and "'uaenorth'" in c.body["query"]]
    assert len(tries) == 3  # the first try and two retries
    # the other regions' queries were read: only UAE North's record is not ok
    assert {c.region for c in inventory.coverage if c.service == "cosmosdb" and not c.ok} == {"uaenorth"}
    assert not [r for r in inventory.resources if "databaseAccounts" in r.id and r.attrs.get("regions")]


def test_not_found_and_expired_token(azure_server, azure_env):
    server = f"/subscriptions/{SUB}/resourceGroups/rg-gulf-apps/providers/Microsoft.Sql/servers/sql-inventory-uaen"
    azure_server.add({"method": "GET", "path": f"{server}/failoverGroups", "response": {
        "status": 404, "body": {"error": {"code": "ResourceNotFound", "message": "gone"}}}})
    azure_server.add({"method": "GET", "path": f"/subscriptions/{SUB}/locations", "response": {
        "status": 401, "body": {"error": {"code": "ExpiredAuthenticationToken", "message": "expired"}}}})
    inventory = collect(_settings(azure_env), observed_at=OBSERVED)

    groups = [c for c in inventory.coverage if c.service == "sql:failovergroups" and c.region == "uaenorth"]
    assert groups[0].status == "error" and "ResourceNotFound" in groups[0].detail
    assert coverage(inventory, "locations", SUB).status == "denied"
    # without the live zone mapping, zones stay logical numbers (never guessed)
    assert by_name(inventory, "virtualMachineScaleSets/vmss-api-uaen").zones == ("1",)


def test_dead_endpoint_is_unreachable_within_a_bounded_time():
    with DeadEndpoint() as dead:
        settings = AzureSettings(endpoint=dead.base_url, token="t", retry_total=0, connect_timeout_s=0.5,
                                 read_timeout_s=0.5)
        started = time.monotonic()
        inventory = collect(settings, subscriptions=[SUB], observed_at=OBSERVED)
        elapsed = time.monotonic() - started

    assert elapsed < 8
    statuses = {c.service: c.status for c in inventory.coverage}
    assert statuses["locations"] == "unreachable"
    assert set(statuses.values()) == {"unreachable"}
    assert "not attempted" in coverage(inventory, "storage", SUB).detail
    assert inventory.resources == []


def test_bearer_token_is_refused_over_http_to_a_remote_host():
    from azure.core.exceptions import ServiceRequestError
    from azure.core.pipeline import PipelineContext, PipelineRequest
    from azure.core.rest import HttpRequest

    policy = LoopbackAwareAuthPolicy(StaticTokenCredential("t"), "https://management.azure.com/.default")
    remote = PipelineRequest(HttpRequest("GET", "http://management.example.com/subscriptions"), PipelineContext(None))
    with pytest.raises(ServiceRequestError):
        policy.on_request(remote)
    local = PipelineRequest(HttpRequest("GET", "http://127.0.0.1:9/subscriptions"), PipelineContext(None))
    policy.on_request(local)
    assert local.http_request.headers["Authorization"] == "Bearer t"


def test_settings_from_environment():
    settings = AzureSettings.from_env({"AZURE_RESOURCE_MANAGER_ENDPOINT": "https://management.chinacloudapi.cn/"})
    assert settings.endpoint == "https://management.chinacloudapi.cn"
    assert settings.credential_scope == "https://management.chinacloudapi.cn/.default"
    assert AzureSettings.from_env({}).credential_scope == "https://management.azure.com/.default"
    local = AzureSettings.from_env({"AZURE_RESOURCE_MANAGER_ENDPOINT": "http://127.0.0.1:8080"})
    assert local.credential_scope == "https://management.azure.com/.default"


def test_scan_scope_keeps_what_the_audited_region_points_to(azure_server, azure_env):
    inventory = collect(_settings(azure_env), observed_at=OBSERVED, scan_regions=["uaenorth"])
    regions = {r.region for r in inventory.resources}
    assert "westeurope" in regions  # the SQL geo-secondary and the Site Recovery replica
    assert "uaecentral" in regions  # the GRS secondary
    assert not [r for r in inventory.resources if r.id.endswith("vm-batch-uaec")]  # unrelated, out of scope
    assert edges(inventory, "fails_over_to", "databases/payments", "databases/payments")


def test_app_settings_are_reduced_to_names_and_hosts_and_a_denied_list_is_recorded(azure_server, azure_env):
    import json

    inventory = collect(_settings(azure_env), observed_at=OBSERVED)
    web = by_name(inventory, "sites/app-gulf-web")
    assert {ref["setting"] for ref in web.attrs["setting_references"]} == {"Inventory", "REPORTS_DB_HOST", "DOCS_BASE_URL"}
    assert {e.dst.rsplit("/", 1)[-1] for e in edges(inventory, "depends_on", "/app-gulf-web")} == {
        "inventory", "pg-reports", "stgulfdocs"}
    assert "demo-not-a-secret" not in json.dumps([vars(r) for r in inventory.resources] +
                                                 [vars(e) for e in inventory.edges], default=str)
    # Reader without Microsoft.Web/sites/config/list/Action: a denied record in the app's region
    site = web.id
    azure_server.add({"method": "POST", "path": f"{site}/config/appsettings/list",
                      "response": {"status": 403, "body": {"error": {
                          "code": "AuthorizationFailed", "message": "no Microsoft.Web/sites/config/list/Action"}}}})
    denied = collect(_settings(azure_env), observed_at=OBSERVED)
    record = coverage(denied, "web:settings", SUB)
    assert (record.status, record.region) == ("denied", "uaenorth")
    assert not edges(denied, "depends_on", "/app-gulf-web")
    assert "setting_references" not in by_name(denied, "sites/app-gulf-web").attrs
    # the read was one app's: the record names it, and only verdicts relying on that app are in doubt
    assert record.resources == (site,)


def test_a_region_that_cannot_be_read_makes_exactly_its_verdicts_unknown(azure_server, azure_env):
    import datetime as dt
    import json

    from resilience.policy import Policy
    from resilience.scan import analyse

    def verdicts(inventory):
        found = analyse(inventory, Policy(), scan_time=dt.datetime(2026, 9, 1, 6, tzinfo=dt.UTC),
                        audited_regions=("uaenorth", "westeurope")).findings
        return {(f.rule, f.resource): f for f in found if not f.rule.startswith("RES-COVERAGE")}

    clean = verdicts(collect(_settings(azure_env), observed_at=OBSERVED))
    azure_server.add({"method": "POST", "path": ARG_PATH,
                      "body_contains": ["'microsoft.sql/servers'", "location =~ 'westeurope'"],
                      "response": {"status": 403, "body": {"error": {"code": "AuthorizationFailed",
                                                                    "message": "denied in westeurope"}}}})
    inventory = collect(_settings(azure_env), observed_at=OBSERVED)
    assert {(c.region, c.status) for c in inventory.coverage if c.service == "sql"} == {
        ("global", "ok"), ("uaecentral", "ok"), ("uaenorth", "ok"), ("westeurope", "denied")}
    denied = verdicts(inventory)
    changed = {key for key in clean if key in denied and clean[key].status != denied[key].status}
    assert changed, "the denied West Europe read changed no verdict"
    for key in changed:  # only verdicts that lean on West Europe, and only towards unknown
        assert denied[key].status == "unknown", (key, denied[key].message)
        assert "westeurope" in json.dumps(denied[key].evidence, default=str) + denied[key].message, key


def test_management_group_scope_reads_every_subscription_and_records_the_unreadable_one(azure_server, azure_env):
    other = "0f0f0f0f-1111-4222-8333-944444444444"
    group = "contoso-gulf"
    azure_server.add({"method": "GET", "path": f"/providers/Microsoft.Management/managementGroups/{group}/descendants",
                      "response": {"status": 200, "body": {"value": [  # Management Groups - Get Descendants
                          {"id": f"/providers/Microsoft.Management/managementGroups/{group}-prod",
                           "type": "Microsoft.Management/managementGroups", "name": f"{group}-prod",
                           "properties": {"displayName": "prod", "parent": {
                               "id": f"/providers/Microsoft.Management/managementGroups/{group}"}}},
                          {"id": f"/subscriptions/{SUB}", "type": "/subscriptions", "name": SUB,
                           "properties": {"displayName": "contoso-gulf-prod"}},
                          {"id": f"/subscriptions/{other}", "type": "/subscriptions", "name": other,
                           "properties": {"displayName": "contoso-gulf-sandbox"}}]}}})
    denied = {"status": 403, "body": {"error": {"code": "AuthorizationFailed", "message": "no access"}}}
    for path in ("locations", "resourcegroups", "resources"):
        azure_server.add({"method": "GET", "path": f"/subscriptions/{other}/{path}", "response": denied})
    azure_server.add({"method": "POST", "path": ARG_PATH, "body_contains": [other], "response": denied})

    inventory = collect(_settings(azure_env), observed_at=OBSERVED, management_group=group, max_in_flight=2)

    assert inventory.meta["accounts"] == [SUB, other]
    assert {c.status for c in inventory.coverage if c.account == SUB} == {"ok"}
    unreadable = [c for c in inventory.coverage if c.account == other]
    assert unreadable and {c.status for c in unreadable} == {"denied"}
    assert not [r for r in inventory.resources if r.account == other]
    assert coverage(inventory, "managementgroups").status == "ok"


# --- DNS record sets and Front Door Standard/Premium (issue 12) ------------------------------------
ZONE = f"/subscriptions/{SUB}/resourceGroups/rg-gulf-apps/providers/Microsoft.Network/dnszones/contoso-gulf.example"
AFD = f"/subscriptions/{SUB}/resourceGroups/rg-docs/providers/Microsoft.Cdn/profiles/afd-docs"
DENIED = {"status": 403, "body": {"error": {"code": "AuthorizationFailed", "message": "The client 'scanner' does "
                                            "not have authorization to perform the action"}}}


def _verdicts(inventory, rule):
    import datetime as dt

    from resilience.policy import Policy
    from resilience.scan import analyse

    found = analyse(inventory, Policy(), scan_time=dt.datetime(2026, 9, 1, 6, tzinfo=dt.UTC),
                    audited_regions=("uaenorth", "westeurope")).findings
    return [f for f in found if f.rule == rule]


def test_dns_record_sets_follow_next_link_and_route_to_what_they_name(azure_server, azure_env):
    inventory = collect(_settings(azure_env), observed_at=OBSERVED)

    pages = [c for c in azure_server.calls if c.path.lower() == f"{ZONE}/recordsets".lower()]
    assert [c.query.get("$skipToken") for c in pages] == [None, ["cnMtcGFnZS0y"]]
    assert {c.query["api-version"][0] for c in pages} == {"2018-05-01"}
    assert (coverage(inventory, "dns:recordsets").status, coverage(inventory, "dns:recordsets").region) == (
        "ok", "global")
    # A/AAAA/CNAME sets of both pages (SOA, NS, TXT make no node), routed to what they name
    routes = {e.src.rsplit("/", 1)[-1]: e.dst.rsplit("/", 1)[-1] for e in inventory.edges
              if e.kind == "routes_to" and "/dnszones/" in e.src}
    assert routes == {"docs": "afd-docs", "pay": "tm-payments", "www": "fd-gulf-web"}
    assert by_name(inventory, "/CNAME/pay").attrs["alias_target"] == "contoso-payments.trafficmanager.net"
    # the Front Door Premium profile of the docs workload: one probed group, an origin in each region
    group = by_name(inventory, "/origingroups/og-docs")
    assert group.attrs["health_probe"] is True
    origins = {e.dst.rsplit("/", 1)[-1]: e.attrs for e in edges(inventory, "routes_to", "/origingroups/og-docs")}
    assert {name: a["priority"] for name, a in origins.items()} == {"app-docs-uaen": 1, "app-docs-weu": 2}
    assert [c.query["api-version"][0] for c in azure_server.calls if c.path.lower().startswith(AFD.lower() + "/")] \
        == ["2024-02-01"] * 4  # endpoints, the endpoint's routes, origin groups, origins
    # the endpoint's route sends to og-docs: the profile's edge to it comes from the route
    [route] = edges(inventory, "routes_to", "profiles/afd-docs", "/origingroups/og-docs")
    assert route.source == "cdn:Routes_ListByEndpoint" and route.attrs.get("enabled") is not False
    assert by_name(inventory, "profiles/afd-docs").attrs["routes_read"] is True


def test_denied_record_sets_are_a_denied_record_and_the_dns_verdicts_unknown(azure_server, azure_env):
    clean = _verdicts(collect(_settings(azure_env), observed_at=OBSERVED), "RES-DNS-001")
    pay = [f for f in clean if "pay.contoso-gulf.example" in f.message]
    assert pay and pay[0].status == "pass", [(f.status, f.message) for f in clean]

    azure_server.add({"method": "GET", "path": f"{ZONE}/recordsets", "response": DENIED})
    inventory = collect(_settings(azure_env), observed_at=OBSERVED)
    record = coverage(inventory, "dns:recordsets", SUB)
    assert (record.status, record.region) == ("denied", "global")
    assert "contoso-gulf.example" in record.detail and "AuthorizationFailed" in record.detail
    assert not [r for r in inventory.resources if "/dnszones/" in r.id and r.kind == "dns_record"]
    assert by_name(inventory, "dnszones/contoso-gulf.example").attrs["records_read"] is False
    denied = _verdicts(inventory, "RES-DNS-001")
    zone = [f for f in denied if f.resource.endswith("dnszones/contoso-gulf.example")]
    assert zone and zone[0].status == "unknown" and "could not be read" in zone[0].message
    # the record is about that zone's read alone: names defined elsewhere (a Traffic Manager profile's own
    # name) keep their verdicts; the zone's names are the zone's unknown result above
    assert record.resources == (by_name(inventory, "dnszones/contoso-gulf.example").id,)
    others = {f.resource: f.status for f in denied if f.resource.startswith(f"/subscriptions/{SUB}")
              and "/dnszones/" not in f.resource.lower()}
    assert others and others == {f.resource: f.status for f in clean if f.resource in others}


def test_denied_front_door_origin_groups_leave_the_docs_workload_unknown_not_passed(azure_server, azure_env):
    def docs(inventory):
        return [f for f in _verdicts(inventory, "RES-REGIONAL-001") if f.workload == "docs"]

    clean = docs(collect(_settings(azure_env), observed_at=OBSERVED))
    assert clean and all(f.status == "pass" for f in clean), [(f.status, f.message) for f in clean]
    # the entry point: docs.contoso-gulf.example, a CNAME to the Front Door endpoint
    assert {tuple(f.evidence["observed"]["entry_points"]) for f in clean} == {("docs.contoso-gulf.example",)}

    azure_server.add({"method": "GET", "path": f"{AFD}/originGroups", "response": DENIED})
    inventory = collect(_settings(azure_env), observed_at=OBSERVED)
    record = coverage(inventory, "cdn:origingroups", SUB)
    assert (record.status, record.region) == ("denied", "global")
    assert by_name(inventory, "profiles/afd-docs").attrs["origin_groups_read"] is False
    assert not edges(inventory, "routes_to", "profiles/afd-docs")
    verdicts = docs(inventory)
    assert verdicts and {f.status for f in verdicts} == {"unknown"}, [(f.status, f.message) for f in verdicts]


def test_denied_front_door_routes_leave_the_docs_workload_unknown_not_passed(azure_server, azure_env):
    """Routes - List By Endpoint denied: which origin group the endpoint sends to is not known. The read is a
    ``cdn:routes`` coverage record about the profile, and the docs workload's regional verdicts (a pass with
    the routes read) are unknown, not a pass on a guessed traffic path."""
    endpoint = f"{AFD}/afdendpoints/docs-gulf"
    azure_server.add({"method": "GET", "path": f"{endpoint}/routes", "response": DENIED})
    inventory = collect(_settings(azure_env), observed_at=OBSERVED)
    record = coverage(inventory, "cdn:routes", SUB)
    assert (record.status, record.region) == ("denied", "global") and record.resources == (
        by_name(inventory, "profiles/afd-docs").id,)
    assert by_name(inventory, "profiles/afd-docs").attrs["routes_read"] is False
    verdicts = [f for f in _verdicts(inventory, "RES-REGIONAL-001") if f.workload == "docs"]
    assert verdicts and {f.status for f in verdicts} == {"unknown"}, [(f.status, f.message) for f in verdicts]
    assert any("cdn:routes" in f.message for f in verdicts), [f.message for f in verdicts]
