"""`resilience scan --provider azure,gcp` end to end: env-var endpoints, scope flags, one findings.json."""

from __future__ import annotations

import json

from click.testing import CliRunner

from resilience.cli import main

from .helpers import PROJECT, SUB


def test_scan_azure_and_gcp_in_one_run(tmp_path, monkeypatch, azure_server, gcp_server, azure_env, gcp_env):
    for key, value in {**azure_env, **gcp_env}.items():
        monkeypatch.setenv(key, value)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [
        "scan", "--provider", "azure,gcp", "--subscription", SUB, "--project", PROJECT,
        "--region", "uaenorth", "--region", "me-central1", "--output", str(out), "--format", "json",
        "--fail-on", "none"])
    assert result.exit_code == 0, result.output
    doc = json.loads((out / "findings.json").read_text())
    assert doc["scan"]["provider"] == ["azure", "gcp"]
    assert {SUB, PROJECT} <= set(doc["scan"]["accounts"])
    assert doc["scan"]["identity"] == "azure:token, gcp:token"
    assert {c["provider"] for c in doc["coverage"]} == {"azure", "gcp"}
    assert all(c["status"] == "ok" for c in doc["coverage"])
    assert {"uaenorth", "me-central1"} <= set(doc["scan"]["regions_scanned"])
    failing = {(f["category"], f["resource"].rsplit("/", 1)[-1]) for f in doc["findings"] if f["status"] == "fail"}
    assert ("zonal-spof", "shop-gke") in failing and ("correlated-region", "stgulfarchive") in failing
    # --subscription was honoured: the subscriptions list was not needed
    assert not [c for c in azure_server.calls if c.path == "/subscriptions"]


def test_scan_gcp_without_a_scope_is_an_input_error(monkeypatch, tmp_path):
    monkeypatch.setenv("GOOGLE_OAUTH_ACCESS_TOKEN", "t")
    result = CliRunner().invoke(main, ["scan", "--provider", "gcp", "--output", str(tmp_path)])
    assert result.exit_code == 2
    assert "--project" in result.output and "Traceback" not in result.output


def test_management_group_and_folder_flags_scope_the_scan(tmp_path, monkeypatch, azure_server, gcp_server,
                                                          azure_env, gcp_env):
    for key, value in {**azure_env, **gcp_env}.items():
        monkeypatch.setenv(key, value)
    azure_server.add({"method": "GET", "path": "/providers/Microsoft.Management/managementGroups/mg-gulf/descendants",
                      "response": {"status": 200, "body": {"value": [
                          {"id": f"/subscriptions/{SUB}", "type": "/subscriptions", "name": SUB}]}}})
    gcp_server.add({"method": "GET", "path": "/v1/folders/7344/assets",
                    "query": {"assetTypes": "cloudresourcemanager.googleapis.com/Project"},
                    "response": {"status": 200, "body": {"assets": [{
                        "name": "//cloudresourcemanager.googleapis.com/projects/401234567890",
                        "assetType": "cloudresourcemanager.googleapis.com/Project",
                        "resource": {"data": {"projectId": PROJECT, "projectNumber": "401234567890"}}}]}}})
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [
        "scan", "--provider", "azure,gcp", "--management-group", "mg-gulf", "--folder", "7344",
        "--region", "uaenorth", "--output", str(out), "--format", "json", "--fail-on", "none"])
    assert result.exit_code == 0, result.output
    doc = json.loads((out / "findings.json").read_text())
    assert {SUB, PROJECT} <= set(doc["scan"]["accounts"])
    assert [c for c in azure_server.calls if c.path.endswith("/mg-gulf/descendants")]
    assert [c for c in gcp_server.calls if c.path == "/v1/folders/7344/assets"]
    assert not [c for c in azure_server.calls if c.path == "/subscriptions"]  # the group named them
