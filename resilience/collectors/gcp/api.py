"""Google Cloud reads: Cloud Asset ``ListAssets`` (content type ``RESOURCE``), paged; Cloud SQL Admin
``backupRuns.list``, Spanner ``backups.list`` and ``backupSchedules.list``, Firestore ``backups.list`` and
``backupSchedules.list`` (REST, paged where the API pages). Dicts out.

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
    # the databases name the parents of their backup schedules (Spanner ``backupSchedules.list``)
    "spanner": ("spanner.googleapis.com/Instance", "spanner.googleapis.com/Database"),
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
    # Spanner: the backups an instance holds (its own databases', and copies of other instances'), and the
    # schedules that make them (the RPO is the schedule's interval, or the newest backup's age)
    ("GET", "/v1/projects/{project}/instances/{instance}/backups", "spanner.backups.list"),
    ("GET", "/v1/projects/{project}/instances/{instance}/databases/{database}/backupSchedules",
     "spanner.backupSchedules.list"),
    # Firestore: the backups kept in a location (the databases' own), and each database's schedules
    ("GET", "/v1/projects/{project}/locations/{location}/backups", "datastore.backups.list"),
    ("GET", "/v1/projects/{project}/databases/{database}/backupSchedules", "datastore.backupSchedules.list"),
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


def get_pages(session: Any, url: str, items: str, *, retry: Any, timeout: float,
              params: dict[str, Any] | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """``GET url`` and every page after it (``nextPageToken`` -> ``pageToken``): the ``items`` of all pages,
    and the last page's other fields. An HTTP error becomes the ``google.api_core`` exception of its
    status, so retries (``retry``) and coverage (``errors.classify``) treat it as they treat Cloud Asset's."""
    from google.api_core import exceptions

    def page(token: str | None) -> dict[str, Any]:
        query = dict(params or {})
        if token:
            query["pageToken"] = token
        response = session.get(url, params=query, timeout=timeout)
        if response.status_code >= 400:
            raise exceptions.from_http_response(response)
        return response.json()

    out: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        body = retry(page)(token) or {}
        out.extend(body.get(items) or [])
        token = body.get("nextPageToken")
        if not token:
            return out, {k: v for k, v in body.items() if k not in (items, "nextPageToken")}


def list_backup_runs(session: Any, endpoint: str, project: str, instance: str, *, retry: Any, timeout: float,
                     page_size: int = 100) -> list[dict[str, Any]]:
    """Every backup run of one Cloud SQL instance (Cloud SQL Admin ``backupRuns.list``, newest first)."""
    url = f"{endpoint.rstrip('/')}/v1/projects/{project}/instances/{instance}/backupRuns"
    return get_pages(session, url, "items", retry=retry, timeout=timeout, params={"maxResults": page_size})[0]


def list_spanner_backups(session: Any, endpoint: str, project: str, instance: str, *, retry: Any, timeout: float,
                         page_size: int = 100) -> list[dict[str, Any]]:
    """Every backup one Spanner instance holds (``projects.instances.backups.list``): its databases' and
    the copies of other instances' backups made into it (``backups.copy``)."""
    url = f"{endpoint.rstrip('/')}/v1/projects/{project}/instances/{instance}/backups"
    return get_pages(session, url, "backups", retry=retry, timeout=timeout, params={"pageSize": page_size})[0]


def list_spanner_backup_schedules(session: Any, endpoint: str, database: str, *, retry: Any, timeout: float,
                                  page_size: int = 100) -> list[dict[str, Any]]:
    """The backup schedules of one Spanner database (``projects/P/instances/I/databases/D``)."""
    url = f"{endpoint.rstrip('/')}/v1/{database.strip('/')}/backupSchedules"
    return get_pages(session, url, "backupSchedules", retry=retry, timeout=timeout,
                     params={"pageSize": page_size})[0]


def list_firestore_backups(session: Any, endpoint: str, project: str, location: str, *, retry: Any,
                           timeout: float) -> list[dict[str, Any]]:
    """Every Firestore backup kept in one location (``projects.locations.backups.list``). The API answers
    with what it could reach and names the locations it could not (``unreachable``): that is a failed read."""
    from google.api_core import exceptions

    url = f"{endpoint.rstrip('/')}/v1/projects/{project}/locations/{location}/backups"
    backups, rest = get_pages(session, url, "backups", retry=retry, timeout=timeout)
    if rest.get("unreachable"):
        raise exceptions.ServiceUnavailable(f"backups in {', '.join(map(str, rest['unreachable']))} could not be "
                                            "fetched (unreachable)")
    return backups


def list_firestore_backup_schedules(session: Any, endpoint: str, project: str, database: str, *, retry: Any,
                                    timeout: float) -> list[dict[str, Any]]:
    """The backup schedules of one Firestore database (``projects.databases.backupSchedules.list``)."""
    url = f"{endpoint.rstrip('/')}/v1/projects/{project}/databases/{database}/backupSchedules"
    return get_pages(session, url, "backupSchedules", retry=retry, timeout=timeout)[0]
