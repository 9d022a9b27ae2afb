"""Google Cloud reads: Cloud Asset ``ListAssets`` (content type ``RESOURCE``), paged; Cloud SQL Admin
``backupRuns.list``, paged. Dicts out.

One call per (parent, service group): its asset types share a coverage record, so a failed read
of one group never hides the others. The pager follows ``nextPageToken``; every page goes through
the same retry (``Retry-After`` honoured) and timeout.
"""

from __future__ import annotations

from typing import Any

#: service group -> the Cloud Asset types it lists (coverage ``service`` = the group name)
ASSET_GROUPS: dict[str, tuple[str, ...]] = {
    "resourcemanager": ("cloudresourcemanager.googleapis.com/Project",),
    "sqladmin": ("sqladmin.googleapis.com/Instance",),
    "storage": ("storage.googleapis.com/Bucket",),
    "container": ("container.googleapis.com/Cluster",),
    "compute": (
        "compute.googleapis.com/InstanceGroupManager",
        "compute.googleapis.com/RegionInstanceGroupManager",
        "compute.googleapis.com/ForwardingRule",
        "compute.googleapis.com/GlobalForwardingRule",
        "compute.googleapis.com/BackendService",
        "compute.googleapis.com/RegionBackendService",
        "compute.googleapis.com/UrlMap",
        "compute.googleapis.com/TargetHttpProxy",
        "compute.googleapis.com/TargetHttpsProxy",
        "compute.googleapis.com/TargetTcpProxy",
        "compute.googleapis.com/TargetSslProxy",
        "compute.googleapis.com/HealthCheck",
        # the regional Application / proxy Network Load Balancer chain and its backends
        "compute.googleapis.com/RegionTargetHttpProxy",
        "compute.googleapis.com/RegionTargetHttpsProxy",
        "compute.googleapis.com/RegionTargetTcpProxy",
        "compute.googleapis.com/RegionUrlMap",
        "compute.googleapis.com/RegionHealthCheck",
        "compute.googleapis.com/NetworkEndpointGroup",
        "compute.googleapis.com/RegionNetworkEndpointGroup",
    ),
    "dns": ("dns.googleapis.com/ManagedZone", "dns.googleapis.com/ResourceRecordSet"),
    "spanner": ("spanner.googleapis.com/Instance",),
    "firestore": ("firestore.googleapis.com/Database",),
    "bigtable": ("bigtableadmin.googleapis.com/Cluster",),
    "redis": ("redis.googleapis.com/Instance",),
    "run": ("run.googleapis.com/Service",),
    "cloudfunctions": ("cloudfunctions.googleapis.com/CloudFunction", "cloudfunctions.googleapis.com/Function"),
}

#: What the collector calls: (REST method, path, IAM permission). Cloud Asset Viewer
#: (``roles/cloudasset.viewer``) grants the permission on a project, folder or organization.
OPERATIONS: tuple[tuple[str, str, str], ...] = (
    ("GET", "/v1/{parent=projects/*|folders/*|organizations/*}/assets", "cloudasset.assets.listResource"),
    # Cloud SQL Admin: when each instance's backups last succeeded (Cloud Asset holds only the schedule)
    ("GET", "/v1/projects/{project}/instances/{instance}/backupRuns", "cloudsql.backupRuns.list"),
)


def list_assets(client: Any, parent: str, asset_types: tuple[str, ...], *, retry: Any, timeout: float,
                page_size: int = 500) -> list[dict[str, Any]]:
    """Every asset of ``asset_types`` under ``parent`` (``projects/ID`` / ``organizations/ID``)."""
    from google.cloud import asset_v1
    from google.protobuf.json_format import MessageToDict

    request = asset_v1.ListAssetsRequest(parent=parent, asset_types=list(asset_types),
                                         content_type=asset_v1.ContentType.RESOURCE, page_size=page_size)
    pager = client.list_assets(request=request, retry=retry, timeout=timeout)
    out: list[dict[str, Any]] = []
    for page in pager.pages:
        for asset in page.assets:
            out.append(MessageToDict(type(asset).pb(asset), preserving_proto_field_name=False))
    return out


def list_backup_runs(session: Any, endpoint: str, project: str, instance: str, *, retry: Any, timeout: float,
                     page_size: int = 100) -> list[dict[str, Any]]:
    """Every backup run of one Cloud SQL instance (Cloud SQL Admin ``backupRuns.list``, newest first),
    following ``nextPageToken``. An HTTP error becomes the ``google.api_core`` exception of its status,
    so retries (``retry``) and coverage (``errors.classify``) treat it as they treat Cloud Asset's."""
    from google.api_core import exceptions

    url = f"{endpoint.rstrip('/')}/v1/projects/{project}/instances/{instance}/backupRuns"

    def page(token: str | None) -> dict[str, Any]:
        params: dict[str, Any] = {"maxResults": page_size}
        if token:
            params["pageToken"] = token
        response = session.get(url, params=params, timeout=timeout)
        if response.status_code >= 400:
            raise exceptions.from_http_response(response)
        return response.json()

    runs: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        body = retry(page)(token)
        runs.extend(body.get("items") or [])
        token = body.get("nextPageToken")
        if not token:
            return runs
