"""The least-privilege notes in examples/ match what the collectors declare and actually call."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from resilience.collectors.azure import api as azure_api
from resilience.collectors.azure.clients import AzureSettings
from resilience.collectors.azure.collector import collect as azure_collect
from resilience.collectors.gcp import api as gcp_api
from resilience.collectors.gcp.clients import GcpSettings
from resilience.collectors.gcp.collector import collect as gcp_collect

from .helpers import OBSERVED, PROJECT, SUB

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _azure_declared() -> set[str]:
    return {action for _, _, action in azure_api.OPERATIONS} | set(azure_api.TYPE_READ_ACTIONS)


def test_azure_role_and_readme_list_exactly_the_declared_read_actions():
    role = json.loads((EXAMPLES / "azure" / "resilience-reader-role.json").read_text())
    assert set(role["Actions"]) == _azure_declared()
    assert not role["DataActions"]
    # reads only; the one list action (app settings, values dropped on arrival) is declared as such
    assert all(a.endswith("/read") or a in azure_api.SECRET_LIST_ACTIONS for a in role["Actions"])
    assert all(a.endswith("/list/Action") for a in azure_api.SECRET_LIST_ACTIONS)
    readme = (EXAMPLES / "azure" / "README.md").read_text()
    missing = [a for a in _azure_declared() if f"`{a}`" not in readme]
    assert not missing, missing


def test_azure_calls_made_are_declared(azure_server):
    settings = AzureSettings(endpoint=azure_server.base_url, token="t", retry_total=0)
    azure_server.add({"method": "GET", "path": "/providers/Microsoft.Management/managementGroups/mg/descendants",
                      "operation": "Microsoft.Management/managementGroups/descendants/read",
                      "response": {"status": 200, "body": {"value": [
                          {"id": f"/subscriptions/{SUB}", "type": "/subscriptions", "name": SUB}]}}})
    azure_collect(settings, observed_at=OBSERVED)
    azure_collect(settings, observed_at=OBSERVED, management_group="mg")
    called = azure_server.operations()
    assert called and called <= _azure_declared()
    # every declared ARM operation is exercised by the demo recording
    assert {action for _, _, action in azure_api.OPERATIONS} <= called
    assert all(c.method in ("GET", "POST") for c in azure_server.calls)
    # the only POSTs are the Resource Graph query (a read) and the app settings lists (read-only
    # "list" actions whose values the collector drops on arrival)
    assert all(c.method == "GET" or c.path == "/providers/Microsoft.ResourceGraph/resources"
               or c.path.endswith(("/config/appsettings/list", "/config/connectionstrings/list"))
               for c in azure_server.calls)


def test_gcp_role_and_readme_list_exactly_the_declared_permissions():
    role = yaml.safe_load((EXAMPLES / "gcp" / "resilience-asset-reader-role.yaml").read_text())
    declared = {permission for _, _, permission in gcp_api.OPERATIONS}
    assert set(role["includedPermissions"]) == declared
    readme = (EXAMPLES / "gcp" / "README.md").read_text()
    assert "roles/cloudasset.viewer" in readme
    assert all(f"`{p}`" in readme for p in declared)
    assert all(f"`{t}`" in readme or f"`{t.rsplit('/', 1)[-1]}`" in readme
               for types in gcp_api.ASSET_GROUPS.values() for t in types)


def test_gcp_calls_made_are_declared(gcp_server):
    settings = GcpSettings(endpoint=gcp_server.base_url, token="t", max_attempts=1).with_rest_endpoint(
        gcp_server.base_url)
    gcp_collect(settings, projects=[PROJECT], observed_at=OBSERVED)
    assert gcp_server.operations() == {permission for _, _, permission in gcp_api.OPERATIONS}
    assert {c.method for c in gcp_server.calls} == {"GET"}
