"""Fixtures: the recorded Azure / GCP responses served by a local HTTP server on 127.0.0.1.

The real SDK clients (azure-mgmt-*, google-cloud-asset over REST) are pointed at the server
through the documented environment variables, so paging, retries, auth headers and error
mapping run through the SDKs' own code. Fault cases add routes that win over the recording.
"""

from __future__ import annotations

import pytest

pytest.importorskip("azure.mgmt.resourcegraph")
pytest.importorskip("google.cloud.asset_v1")

from resilience.collectors.azure.demo import recording as azure_recording  # noqa: E402
from resilience.collectors.gcp.demo import recording as gcp_recording  # noqa: E402
from resilience.collectors.replay import RecordedServer  # noqa: E402


@pytest.fixture
def azure_server():
    with RecordedServer(azure_recording()["routes"]) as server:
        yield server


@pytest.fixture
def gcp_server():
    with RecordedServer(gcp_recording()["routes"]) as server:
        yield server


@pytest.fixture
def azure_env(azure_server):
    return {"AZURE_RESOURCE_MANAGER_ENDPOINT": azure_server.base_url, "AZURE_ACCESS_TOKEN": "test-token"}


@pytest.fixture
def gcp_env(gcp_server):
    return {"GOOGLE_CLOUD_ASSET_ENDPOINT": gcp_server.base_url, "GOOGLE_CLOUD_SQLADMIN_ENDPOINT": gcp_server.base_url,
            "GOOGLE_CLOUD_SPANNER_ENDPOINT": gcp_server.base_url, "GOOGLE_CLOUD_FIRESTORE_ENDPOINT": gcp_server.base_url,
            "GOOGLE_OAUTH_ACCESS_TOKEN": "test-token"}
