"""Azure reads: the only module that calls the SDKs. No logic beyond paging; dicts out (REST names).

Every function here is one documented ARM operation (see :data:`OPERATIONS` and
``examples/azure/README.md``). Paging: ARM lists follow ``nextLink`` (inside the SDK pagers);
Resource Graph follows ``$skipToken``; the SQL child lists follow ``nextLink`` explicitly.
"""

from __future__ import annotations

from typing import Any

#: Resource Graph query families -> the resource types each reads (one query, one coverage
#: record per subscription). Resource Graph returns only what the caller may read, so each type
#: needs its provider's ``.../read`` action (Reader has them all).
GRAPH_FAMILIES: dict[str, tuple[str, ...]] = {
    "storage": ("microsoft.storage/storageaccounts",),
    "sql": ("microsoft.sql/servers", "microsoft.sql/servers/databases", "microsoft.sql/managedinstances"),
    "cosmosdb": ("microsoft.documentdb/databaseaccounts",),
    "postgresql": ("microsoft.dbforpostgresql/flexibleservers",),
    "mysql": ("microsoft.dbformysql/flexibleservers",),
    # autoscale settings (Azure Monitor) ride with the scale sets they size: same query, same coverage
    "compute": ("microsoft.compute/virtualmachinescalesets", "microsoft.compute/virtualmachines",
                "microsoft.compute/disks", "microsoft.insights/autoscalesettings"),
    "network": ("microsoft.network/loadbalancers", "microsoft.network/applicationgateways",
                "microsoft.network/publicipaddresses", "microsoft.network/networkinterfaces",
                "microsoft.network/trafficmanagerprofiles", "microsoft.network/frontdoors",
                "microsoft.network/dnszones", "microsoft.cdn/profiles", "microsoft.network/privateendpoints"),
    "web": ("microsoft.web/sites", "microsoft.web/serverfarms"),
    "recoveryservices": ("microsoft.recoveryservices/vaults",),
    "redis": ("microsoft.cache/redis",),
    "aks": ("microsoft.containerservice/managedclusters",),
    "keyvault": ("microsoft.keyvault/vaults",),
    "eventhub": ("microsoft.eventhub/namespaces",),
    "servicebus": ("microsoft.servicebus/namespaces",),
}
#: Families read from the ``RecoveryServicesResources`` table (Azure Backup items, Site Recovery items).
RECOVERY_FAMILIES: dict[str, tuple[str, ...]] = {
    "backup": ("microsoft.recoveryservices/vaults/backupfabrics/protectioncontainers/protecteditems",),
    "siterecovery": (
        "microsoft.recoveryservices/vaults/replicationfabrics/replicationprotectioncontainers/"
        "replicationprotecteditems",
    ),
}

SQL_API_VERSION = "2021-11-01"
WEB_API_VERSION = "2023-12-01"
STORAGE_API_VERSION = "2023-05-01"
DNS_API_VERSION = "2018-05-01"
CDN_API_VERSION = "2024-02-01"

#: Every ARM operation the collector calls: (HTTP method, path template, RBAC action).
OPERATIONS: tuple[tuple[str, str, str], ...] = (
    ("GET", "/subscriptions", "Microsoft.Resources/subscriptions/read"),
    ("GET", "/subscriptions/{subscriptionId}/locations", "Microsoft.Resources/subscriptions/locations/read"),
    ("GET", "/providers/Microsoft.Management/managementGroups/{groupId}/descendants",
     "Microsoft.Management/managementGroups/descendants/read"),
    ("GET", "/subscriptions/{subscriptionId}/resourcegroups", "Microsoft.Resources/subscriptions/resourceGroups/read"),
    ("GET", "/subscriptions/{subscriptionId}/resources", "Microsoft.Resources/subscriptions/resources/read"),
    ("POST", "/providers/Microsoft.ResourceGraph/resources", "Microsoft.ResourceGraph/resources/read"),
    ("GET", "/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Sql/servers/{server}/failoverGroups",
     "Microsoft.Sql/servers/failoverGroups/read"),
    ("GET", "/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Sql/servers/{server}/replicationLinks",
     "Microsoft.Sql/servers/databases/replicationLinks/read"),
    ("GET", "/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts/{account}/"
     "blobServices/default", "Microsoft.Storage/storageAccounts/blobServices/read"),
    ("GET", "/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts/{account}/"
     "objectReplicationPolicies", "Microsoft.Storage/storageAccounts/objectReplicationPolicies/read"),
    ("POST", "/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Web/sites/{site}/config/appsettings/list",
     "Microsoft.Web/sites/config/list/Action"),
    ("POST", "/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Web/sites/{site}/config/connectionstrings/"
     "list", "Microsoft.Web/sites/config/list/Action"),
    ("GET", "/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Network/dnsZones/{zone}/recordsets",
     "Microsoft.Network/dnszones/recordsets/read"),
    ("GET", "/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Cdn/profiles/{profile}/afdEndpoints",
     "Microsoft.Cdn/profiles/afdendpoints/read"),
    ("GET", "/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Cdn/profiles/{profile}/afdEndpoints/"
     "{endpoint}/routes", "Microsoft.Cdn/profiles/afdendpoints/routes/read"),
    ("GET", "/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Cdn/profiles/{profile}/originGroups",
     "Microsoft.Cdn/profiles/origingroups/read"),
    ("GET", "/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Cdn/profiles/{profile}/originGroups/"
     "{group}/origins", "Microsoft.Cdn/profiles/origingroups/origins/read"),
    # geo-replication / geo-DR pairings (geo_pairings.py)
    ("GET", "/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Cache/redis/{name}/linkedServers",
     "Microsoft.Cache/redis/linkedServers/read"),
    ("GET", "/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Sql/locations/{location}/"
     "instanceFailoverGroups", "Microsoft.Sql/locations/instanceFailoverGroups/read"),
    ("GET", "/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.EventHub/namespaces/{ns}/"
     "disasterRecoveryConfigs", "Microsoft.EventHub/namespaces/disasterRecoveryConfigs/read"),
    ("GET", "/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.ServiceBus/namespaces/{ns}/"
     "disasterRecoveryConfigs", "Microsoft.ServiceBus/namespaces/disasterRecoveryConfigs/read"),
    # Azure Backup policies: the schedule that bounds a protected item's RPO
    ("GET", "/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.RecoveryServices/vaults/{vault}/"
     "backupPolicies", "Microsoft.RecoveryServices/Vaults/backupPolicies/read"),
)

#: Declared actions that are not ``.../read``: the settings lists return secret VALUES, which the
#: collector drops on arrival (``references.setting_references`` keeps names and target hosts).
#: Without them an app's dependencies are unknown (a ``denied`` coverage record), not absent.
SECRET_LIST_ACTIONS: tuple[str, ...] = ("Microsoft.Web/sites/config/list/Action",)

#: Read actions Resource Graph needs per type (it filters rows by the caller's read permission).
TYPE_READ_ACTIONS: tuple[str, ...] = (
    "Microsoft.Storage/storageAccounts/read",
    "Microsoft.Sql/servers/read",
    "Microsoft.Sql/servers/databases/read",
    "Microsoft.DocumentDB/databaseAccounts/read",
    "Microsoft.DBforPostgreSQL/flexibleServers/read",
    "Microsoft.DBforMySQL/flexibleServers/read",
    "Microsoft.Compute/virtualMachineScaleSets/read",
    "Microsoft.Compute/virtualMachines/read",
    "Microsoft.Compute/disks/read",
    "Microsoft.Insights/AutoscaleSettings/read",
    "Microsoft.Network/loadBalancers/read",
    "Microsoft.Network/applicationGateways/read",
    "Microsoft.Network/publicIPAddresses/read",
    "Microsoft.Network/networkInterfaces/read",
    "Microsoft.Network/trafficManagerProfiles/read",
    "Microsoft.Network/frontDoors/read",
    "Microsoft.Network/dnszones/read",
    "Microsoft.Network/privateEndpoints/read",
    "Microsoft.Cdn/profiles/read",
    "Microsoft.Web/sites/read",
    "Microsoft.Web/serverfarms/read",
    "Microsoft.RecoveryServices/vaults/read",
    "Microsoft.Cache/redis/read",
    "Microsoft.ContainerService/managedClusters/read",
    "Microsoft.KeyVault/vaults/read",
    "Microsoft.Sql/managedInstances/read",
    "Microsoft.EventHub/namespaces/read",
    "Microsoft.ServiceBus/namespaces/read",
    "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/read",
    "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/"
    "replicationProtectedItems/read",
)


def _dict(item: Any) -> dict[str, Any]:
    if isinstance(item, dict):
        return item
    if hasattr(item, "as_dict"):
        try:
            return item.as_dict(exclude_readonly=False)
        except TypeError:  # msrest-style models
            return item.as_dict()
    return dict(item)


def list_subscriptions(subscription_client: Any) -> list[dict[str, Any]]:
    return [_dict(s) for s in subscription_client.subscriptions.list()]


def list_locations(subscription_client: Any, subscription_id: str) -> list[dict[str, Any]]:
    return [_dict(loc) for loc in subscription_client.subscriptions.list_locations(subscription_id)]


def list_resource_groups(resource_client: Any) -> list[dict[str, Any]]:
    return [_dict(g) for g in resource_client.resource_groups.list()]


def list_resources(resource_client: Any) -> list[dict[str, Any]]:
    return [_dict(r) for r in resource_client.resources.list()]


def graph_query_text(types: tuple[str, ...], *, table: str = "Resources", location: str | None = None) -> str:
    """The KQL of one family; with ``location``, only that region's rows (one coverage record per
    region, so a region whose query fails leaves exactly that region's verdicts unknown)."""
    wanted = ", ".join(f"'{t}'" for t in types)
    columns = "id, name, type, kind, location, resourceGroup, subscriptionId, zones, sku, tags, properties"
    if table != "Resources":
        columns = "id, name, type, location, resourceGroup, subscriptionId, properties"
    where = f" | where location =~ '{location}'" if location else ""
    return f"{table} | where type in~ ({wanted}){where} | project {columns} | order by id asc"


def query_resource_graph(graph_client: Any, subscription_id: str, query: str, *,
                         page_size: int = 1000) -> list[dict[str, Any]]:
    """All rows of one query, following ``$skipToken`` until the last page."""
    from azure.mgmt.resourcegraph.models import QueryRequest, QueryRequestOptions

    rows: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        options = QueryRequestOptions(top=page_size, skip_token=token, result_format="objectArray")
        response = graph_client.resources(QueryRequest(subscriptions=[subscription_id], query=query, options=options))
        data = response.data or []
        if isinstance(data, dict):  # table format: {"columns": [...], "rows": [[...]]}
            names = [c["name"] for c in data.get("columns", [])]
            data = [dict(zip(names, row, strict=False)) for row in data.get("rows", [])]
        rows.extend(dict(r) for r in data)
        token = response.skip_token
        if not token:
            return rows


def _arm_get(resource_client: Any, url: str, method: str = "GET") -> dict[str, Any]:
    from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ResourceNotFoundError
    from azure.core.rest import HttpRequest
    from azure.mgmt.core.exceptions import ARMErrorFormat

    response = resource_client.send_request(HttpRequest(method, url))
    if response.status_code != 200:
        error = {401: ClientAuthenticationError, 404: ResourceNotFoundError}.get(response.status_code,
                                                                                HttpResponseError)
        raise error(response=response, error_format=ARMErrorFormat)
    return response.json()


def arm_list(resource_client: Any, path: str, *, api_version: str = SQL_API_VERSION) -> list[dict[str, Any]]:
    """``GET path`` through the client's pipeline (auth, retries), following ``nextLink``."""
    items: list[dict[str, Any]] = []
    url: str | None = f"{path}?api-version={api_version}"
    while url:
        body = _arm_get(resource_client, url)
        items.extend(body.get("value", []))
        url = body.get("nextLink")
    return items


def get_blob_service(resource_client: Any, account_id: str) -> dict[str, Any]:
    """``GET {account}/blobServices/default``: versioning, soft delete, point-in-time restore."""
    return _arm_get(resource_client, f"{account_id}/blobServices/default?api-version={STORAGE_API_VERSION}")


def list_object_replication_policies(resource_client: Any, account_id: str) -> list[dict[str, Any]]:
    """``GET {account}/objectReplicationPolicies``: the policies this account is source or destination of."""
    return arm_list(resource_client, f"{account_id}/objectReplicationPolicies", api_version=STORAGE_API_VERSION)


def list_site_settings(resource_client: Any, site_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """``POST {site}/config/appsettings/list`` and ``.../connectionstrings/list`` (Web Apps - List
    Application Settings / List Connection Strings). The bodies hold secret values: the caller
    reduces them with ``references.setting_references`` at once and keeps nothing else."""
    settings = _arm_get(resource_client, f"{site_id}/config/appsettings/list?api-version={WEB_API_VERSION}", "POST")
    strings = _arm_get(resource_client, f"{site_id}/config/connectionstrings/list?api-version={WEB_API_VERSION}",
                       "POST")
    return settings, strings


def list_record_sets(resource_client: Any, zone_id: str) -> list[dict[str, Any]]:
    """``GET {zone}/recordsets`` (Record Sets - List By DNS Zone): every record set of a zone, all types."""
    return arm_list(resource_client, f"{zone_id}/recordsets", api_version=DNS_API_VERSION)


def list_afd_endpoints(resource_client: Any, profile_id: str) -> list[dict[str, Any]]:
    """``GET {profile}/afdEndpoints`` (AFD Endpoints - List By Profile): the profile's host names."""
    return arm_list(resource_client, f"{profile_id}/afdEndpoints", api_version=CDN_API_VERSION)


def list_afd_routes(resource_client: Any, endpoint_id: str) -> list[dict[str, Any]]:
    """``GET {afdEndpoint}/routes`` (Routes - List By Endpoint): the origin group each route of an endpoint
    sends to (``originGroup.id``), and whether it is on (``enabledState``)."""
    return arm_list(resource_client, f"{endpoint_id}/routes", api_version=CDN_API_VERSION)


def list_afd_origin_groups(resource_client: Any, profile_id: str) -> list[dict[str, Any]]:
    """``GET {profile}/originGroups`` (AFD Origin Groups - List By Profile): health probe and load balancing."""
    return arm_list(resource_client, f"{profile_id}/originGroups", api_version=CDN_API_VERSION)


def list_afd_origins(resource_client: Any, group_id: str) -> list[dict[str, Any]]:
    """``GET {originGroup}/origins`` (AFD Origins - List By Origin Group): host, priority, weight, state."""
    return arm_list(resource_client, f"{group_id}/origins", api_version=CDN_API_VERSION)


MANAGEMENT_GROUPS_API_VERSION = "2023-04-01"


def list_management_group_subscriptions(resource_client: Any, group: str) -> list[str]:
    """``Management Groups - Get Descendants``: the subscription ids anywhere under ``group``."""
    items = arm_list(resource_client, f"/providers/Microsoft.Management/managementGroups/{group}/descendants",
                     api_version=MANAGEMENT_GROUPS_API_VERSION)
    return [str(i.get("name")) for i in items if str(i.get("type", "")).lower() == "/subscriptions" and i.get("name")]


REDIS_API_VERSION = "2024-03-01"
MESSAGING_API_VERSION = "2024-01-01"


def list_redis_linked_servers(resource_client: Any, cache_id: str) -> list[dict[str, Any]]:
    """``Linked Server - List``: the caches geo-replication links to this one (Premium only), each
    with the LINKED cache's ``serverRole`` (``Secondary``: this cache is the geo-primary)."""
    return arm_list(resource_client, f"{cache_id}/linkedServers", api_version=REDIS_API_VERSION)


def list_instance_failover_groups(resource_client: Any, subscription_id: str, resource_group: str,
                                  location: str) -> list[dict[str, Any]]:
    """``Instance Failover Groups - List By Location``: SQL Managed Instance failover groups of one
    resource group, listed under the region of the instances that hold them."""
    return arm_list(resource_client, f"/subscriptions/{subscription_id}/resourceGroups/{resource_group}/providers/"
                    f"Microsoft.Sql/locations/{location}/instanceFailoverGroups", api_version=SQL_API_VERSION)


def list_disaster_recovery_configs(resource_client: Any, namespace_id: str) -> list[dict[str, Any]]:
    """``Disaster Recovery Configs - List`` (Event Hubs and Service Bus alike): the namespace's Geo-DR
    alias, its ``role`` and ``partnerNamespace``."""
    return arm_list(resource_client, f"{namespace_id}/disasterRecoveryConfigs", api_version=MESSAGING_API_VERSION)


RECOVERY_SERVICES_API_VERSION = "2024-04-01"


def list_backup_policies(resource_client: Any, vault_id: str) -> list[dict[str, Any]]:
    """``GET {vault}/backupPolicies`` (Protection Policies - List, ``nextLink`` paging): every backup
    policy of a Recovery Services vault, with its ``schedulePolicy`` / ``subProtectionPolicy`` and
    retention."""
    return arm_list(resource_client, f"{vault_id}/backupPolicies", api_version=RECOVERY_SERVICES_API_VERSION)
