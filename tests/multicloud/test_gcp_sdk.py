"""The GCP collector through the real google-cloud-asset client (REST) against the local server."""

from __future__ import annotations

import time

from resilience.collectors.gcp import api as gcp_api
from resilience.collectors.gcp.clients import GcpSettings
from resilience.collectors.gcp.collector import collect
from resilience.collectors.replay import DeadEndpoint

from .helpers import ASSETS_PATH, OBSERVED, PROJECT, by_name, coverage, edges


def _settings(env, **overrides):
    return GcpSettings.from_env(env, **{"max_attempts": 3, "backoff_s": 0.05, "timeout_s": 5, **overrides})


def _collect(env, **overrides):
    return collect(_settings(env, **overrides), projects=[PROJECT], observed_at=OBSERVED)


def test_demo_project_through_the_sdk(gcp_server, gcp_env):
    inventory = _collect(gcp_env)

    assert {c.status for c in inventory.coverage} == {"ok"}
    assert {c.service for c in inventory.coverage} == {"resourcemanager", "sqladmin", "storage", "container",
                                                       "compute", "dns", "spanner", "firestore", "bigtable",
                                                       "redis", "run", "cloudfunctions", "sqladmin:backupruns",
                                                       "spanner:backups", "spanner:backupschedules",
                                                       "firestore:backups", "firestore:backupschedules"}
    assert inventory.meta["accounts"] == [PROJECT]
    assert all(c.authorization == "Bearer test-token" for c in gcp_server.calls)
    # one ListAssets per service group, content type RESOURCE, its asset types as repeated query params
    first = [c for c in gcp_server.calls if c.path == ASSETS_PATH and "pageToken" not in c.query]
    assert len(first) == len(gcp_api.ASSET_GROUPS) == 12
    compute = next(c for c in first if "compute.googleapis.com/ForwardingRule" in c.query["assetTypes"])
    assert "compute.googleapis.com/RegionInstanceGroupManager" in compute.query["assetTypes"]
    assert compute.query["contentType"] in (["RESOURCE"], ["1"])
    # paging: the compute group followed nextPageToken
    assert [c.query.get("pageToken") for c in gcp_server.calls if c.path == ASSETS_PATH
            and "compute.googleapis.com/ForwardingRule" in c.query["assetTypes"]] == [None, ["Q29tcHV0ZVBhZ2Uy"]]
    web = by_name(inventory, "regions/me-central1/instanceGroupManagers/web-mig-me")
    assert web.zones == ("me-central1-a", "me-central1-b", "me-central1-c")
    assert edges(inventory, "routes_to", "backendServices/web-bs-eu", "instanceGroupManagers/web-mig-eu")


def test_permission_denied_is_denied_per_service_group(gcp_server, gcp_env):
    gcp_server.add({"method": "GET", "path": ASSETS_PATH, "query": {"assetTypes": "sqladmin.googleapis.com/Instance"},
                    "response": {"status": 403, "body": {"error": {
                        "code": 403, "status": "PERMISSION_DENIED",
                        "message": "The caller does not have permission",
                        "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                     "reason": "IAM_PERMISSION_DENIED", "domain": "cloudasset.googleapis.com",
                                     "metadata": {"permission": "cloudasset.assets.listResource"}}]}}}})
    inventory = _collect(gcp_env)

    record = coverage(inventory, "sqladmin", PROJECT)
    assert record.status == "denied"
    assert "403" in record.detail and "permission" in record.detail.lower()
    assert coverage(inventory, "storage", PROJECT).status == "ok"
    # only the placeholder a Cloud Function's reference leaves (kind external, region from the reference)
    assert not [r for r in inventory.resources if r.type == "sqladmin.googleapis.com/Instance"
               and not r.attrs.get("placeholder")]


def test_throttling_is_retried_after_retry_after(gcp_server, gcp_env):
    gcp_server.add({"method": "GET", "path": ASSETS_PATH, "query": {"assetTypes": "storage.googleapis.com/Bucket"},
                    "responses": [
                        {"status": 429, "headers": {"Retry-After": "1"}, "body": {"error": {
                            "code": 429, "status": "RESOURCE_EXHAUSTED", "message": "Quota exceeded"}}},
                        {"status": 200, "body": {"assets": []}}]})
    inventory = _collect(gcp_env)

    assert coverage(inventory, "storage", PROJECT).status == "ok"
    calls = [c for c in gcp_server.calls if "storage.googleapis.com/Bucket" in c.query.get("assetTypes", [])]
    assert [c.status for c in calls] == [429, 200]
    assert calls[1].at - calls[0].at >= 0.9


def test_persistent_throttling_becomes_error(gcp_server, gcp_env):
    gcp_server.add({"method": "GET", "path": ASSETS_PATH, "query": {"assetTypes": "dns.googleapis.com/ManagedZone"},
                    "response": {"status": 429, "headers": {"Retry-After": "0.1"}, "body": {"error": {
                        "code": 429, "status": "RESOURCE_EXHAUSTED", "message": "Quota exceeded"}}}})
    inventory = _collect(gcp_env, max_attempts=3)

    record = coverage(inventory, "dns", PROJECT)
    assert record.status == "error"
    assert "gave up after 3 attempts" in record.detail
    assert len([c for c in gcp_server.calls if "dns.googleapis.com/ManagedZone" in c.query.get("assetTypes", [])]) == 3


def test_dead_endpoint_is_unreachable_within_a_bounded_time():
    with DeadEndpoint() as dead:
        settings = GcpSettings(endpoint=dead.base_url, token="t", max_attempts=2, timeout_s=0.5)
        started = time.monotonic()
        inventory = collect(settings, projects=[PROJECT], observed_at=OBSERVED)
        elapsed = time.monotonic() - started

    assert elapsed < 6
    assert {c.status for c in inventory.coverage} == {"unreachable"}
    assert len(inventory.coverage) == len(gcp_api.ASSET_GROUPS)
    assert "not attempted" in coverage(inventory, "dns", PROJECT).detail


def test_organization_scope_reads_the_organization(gcp_server, gcp_env):
    org_path = "/v1/organizations/58112233445/assets"
    for route in list(gcp_server._routes):
        if route.path == ASSETS_PATH:
            gcp_server.add({"method": "GET", "path": org_path, "query": dict(route.query),
                            "responses": route.responses, "operation": route.operation})
    inventory = collect(_settings(gcp_env), organization="58112233445", observed_at=OBSERVED)

    # Cloud Asset reads are the organization's; a database's backup reads (Cloud SQL, Spanner, Firestore),
    # its project's
    assert {c.account for c in inventory.coverage if ":" not in c.service} == {"organizations/58112233445"}
    assert {c.account for c in inventory.coverage if ":" in c.service} == {PROJECT}
    assert {c.status for c in inventory.coverage} == {"ok"}
    # resources carry their project id (from the name, or project number -> id via the Project asset)
    assert {r.account for r in inventory.resources} == {PROJECT}
    assert PROJECT in inventory.meta["accounts"]


def test_settings_from_environment():
    settings = GcpSettings.from_env({"GOOGLE_CLOUD_ASSET_ENDPOINT": "http://127.0.0.1:9999",
                                     "GOOGLE_OAUTH_ACCESS_TOKEN": "abc"})
    assert settings.endpoint == "http://127.0.0.1:9999" and settings.token == "abc"
    assert GcpSettings.from_env({}).endpoint == "cloudasset.googleapis.com"


def test_folder_scope_reads_each_project_and_records_the_unreadable_one(gcp_server, gcp_env):
    folder = "734412345678"
    projects = [{"name": f"//cloudresourcemanager.googleapis.com/projects/{number}",
                 "assetType": "cloudresourcemanager.googleapis.com/Project", "ancestors": [
                     f"projects/{number}", f"folders/{folder}", "organizations/58112233445"],
                 "resource": {"data": {"projectId": pid, "projectNumber": number, "lifecycleState": "ACTIVE"}}}
                for pid, number in ((PROJECT, "401234567890"), ("gulf-sandbox", "401234567891"))]
    gcp_server.add({"method": "GET", "path": f"/v1/folders/{folder}/assets",
                    "query": {"assetTypes": "cloudresourcemanager.googleapis.com/Project"},
                    "response": {"status": 200, "body": {"readTime": "2026-09-01T06:00:00Z", "assets": projects}}})
    gcp_server.add({"method": "GET", "path": "/v1/projects/gulf-sandbox/assets", "response": {
        "status": 403, "body": {"error": {"code": 403, "status": "PERMISSION_DENIED",
                                          "message": "caller lacks cloudasset.assets.listResource"}}}})

    inventory = collect(_settings(gcp_env), folder=folder, observed_at=OBSERVED, max_in_flight=2)

    assert inventory.meta["accounts"][:2] == [PROJECT, "gulf-sandbox"]
    assert {c.status for c in inventory.coverage if c.account == PROJECT} == {"ok"}
    sandbox = [c for c in inventory.coverage if c.account == "gulf-sandbox"]
    assert len(sandbox) == len(gcp_api.ASSET_GROUPS) and {c.status for c in sandbox} == {"denied"}
    assert coverage(inventory, "resourcemanager", f"folders/{folder}").status == "ok"


def test_a_reference_to_another_scanned_projects_resource_makes_no_placeholder_beside_it(gcp_server, gcp_env):
    """A Cloud Run service naming another project's Cloud SQL instance (connection name): when that project is
    scanned too, the instance is the node, whatever the order the projects are read in. Placeholders were added
    project by project, so one read first left a placeholder and the real node under the same id."""
    other = "other-proj"
    gcp_server.add({"method": "GET", "path": ASSETS_PATH, "query": {"assetTypes": "run.googleapis.com/Service"},
                    "response": {"body": {"assets": [{
                        "name": f"//run.googleapis.com/projects/{PROJECT}/locations/me-central1/services/api",
                        "assetType": "run.googleapis.com/Service", "resource": {"location": "me-central1", "data": {
                            "metadata": {"name": "api", "labels": {"cloud.googleapis.com/location": "me-central1"}},
                            "spec": {"template": {"metadata": {"annotations": {
                                "run.googleapis.com/cloudsql-instances": f"{other}:me-central1:orders"}}}}}}}]}}})
    gcp_server.add({"method": "GET", "path": f"/v1/projects/{other}/assets",
                    "query": {"assetTypes": "sqladmin.googleapis.com/Instance"}, "response": {"body": {"assets": [{
                        "name": f"//cloudsql.googleapis.com/projects/{other}/instances/orders",
                        "assetType": "sqladmin.googleapis.com/Instance", "resource": {"location": "me-central1", "data": {
                            "name": "orders", "project": other, "region": "me-central1", "gceZone": "me-central1-a",
                            "settings": {"availabilityType": "ZONAL"}}}}]}}})
    gcp_server.add({"method": "GET", "path": f"/v1/projects/{other}/assets", "response": {"body": {"assets": []}}})
    inventory = collect(_settings(gcp_env), projects=[PROJECT, other], observed_at=OBSERVED)

    sql = f"//cloudsql.googleapis.com/projects/{other}/instances/orders"
    [node] = [r for r in inventory.resources if r.id.lower() == sql]
    assert node.kind == "database" and node.attrs["availability_type"] == "ZONAL"
    assert edges(inventory, "depends_on", "/services/api", "/instances/orders")
