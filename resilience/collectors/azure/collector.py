"""Azure collection: read each subscription (``api``), transform (``transform``), record coverage.

The subscription-wide lists (locations, resource groups, resources, the Recovery Services tables)
carry region ``global``; the Resource Graph families are queried per region in use, and the
per-resource reads (SQL, storage, web apps) carry the resource's region, so a region that could not
be read makes exactly its verdicts unknown. A failed read leaves the attributes it would have
filled absent and its coverage record non-``ok``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from resilience.collectors.multicloud import (
    CoverageLog,
    add_placeholders,
    guarded,
    limit_to_regions,
    token_identity,
)
from resilience.model import GLOBAL_REGION, Inventory

from . import api
from .clients import AzureClients, AzureSettings, make_credential
from .errors import classify
from .references import setting_references
from .regions import AZURE_REGIONS, normalise_location
from .transform import merge_rows, transform_subscription

PROVIDER = "azure"


#: subscriptions read at the same time under a management group (each makes ~20 sequential reads)
MAX_IN_FLIGHT = 4


def collect(settings: AzureSettings, *, subscriptions: Iterable[str] = (), observed_at: str,
            scan_regions: Iterable[str] = (), credential: Any = None,
            progress: Callable[[str], None] | None = None, management_group: str | None = None,
            max_in_flight: int = MAX_IN_FLIGHT) -> Inventory:
    """Collect the given subscriptions (every subscription under ``management_group``, else all
    visible ones when none are given) into an inventory, ``max_in_flight`` subscriptions at a time.
    A subscription that cannot be read leaves its own coverage records (account = its id)."""
    credential = credential if credential is not None else make_credential(settings)
    clients = AzureClients(settings, credential)
    log = CoverageLog(PROVIDER)
    inventory = Inventory()
    hints: dict[str, dict[str, Any]] = {}
    regions_seen: set[str] = set()
    try:
        subs = list(dict.fromkeys(subscriptions))
        if management_group:
            listed = guarded(log, classify, account=f"managementGroups/{management_group}", region=GLOBAL_REGION,
                             service="managementgroups", fn=api.list_management_group_subscriptions,
                             args=(clients.resources(subs[0] if subs else "-"), management_group))
            subs = list(dict.fromkeys([*subs, *(listed or [])]))
        elif not subs:
            listed = guarded(log, classify, account="", region=GLOBAL_REGION, service="subscriptions",
                             fn=api.list_subscriptions, args=(clients.subscriptions(),))
            subs = [s["subscriptionId"] for s in listed or []
                    if str(s.get("state", "Enabled")).lower() in ("enabled", "pastdue", "warned")]
        def one(sub: str) -> tuple[Inventory, dict, set[str]]:
            if progress:
                progress(f"azure {sub}")
            return _collect_subscription(clients, sub, observed_at, log, settings)

        with ThreadPoolExecutor(max_workers=max(1, min(max_in_flight, len(subs) or 1))) as pool:
            for part, sub_hints, regions in pool.map(one, subs):  # results in subscription order
                inventory.extend(part)
                hints.update(sub_hints)
                regions_seen.update(regions)
    finally:
        clients.close()
    scope = [r for r in scan_regions if r in AZURE_REGIONS]
    if scope:
        limit_to_regions(inventory, scope)
    add_placeholders(inventory, provider=PROVIDER, observed_at=observed_at, hints=hints)
    inventory.coverage.extend(log.records())
    inventory.meta["regions"] = sorted(scope) if scope else sorted(regions_seen)
    inventory.meta["accounts"] = subs
    return inventory


def _collect_subscription(clients: AzureClients, sub: str, observed_at: str, log: CoverageLog,
                          settings: AzureSettings) -> tuple[Inventory, dict, set[str]]:
    dead: list[str] = []  # once ARM does not answer, the other reads of this subscription are not tried

    def read(service: str, fn, *args, region: str = GLOBAL_REGION, about: str = "", resource: str | None = None):
        """One read; ``resource``: the resource it is made for (a failure then puts only that resource's
        verdicts in doubt, not every resource of the service in the region)."""
        if dead:
            log.record(sub, region, service, "unreachable", f"not attempted: {dead[0]}", resource=resource)
            return None
        value = guarded(log, classify, account=sub, region=region, service=service, fn=fn, args=args, about=about,
                        resource=resource)
        if value is None and log.status(sub, region, service) == "unreachable":
            dead.append(f"the endpoint {settings.endpoint} did not answer ({service})")
        return value

    locations = read("locations", api.list_locations, clients.subscriptions(), sub)
    rm = clients.resources(sub)
    groups = read("resourcegroups", api.list_resource_groups, rm)
    arm_rows = read("resources", api.list_resources, rm)
    graph_rows: list[dict] = []
    # one Resource Graph query per family and region in use (from the resources list), each with its
    # own coverage record; without the list, one subscription-wide query per family (region global)
    in_use = sorted({normalise_location(r.get("location")) for r in arm_rows or [] if r.get("location")})
    for family, types in api.GRAPH_FAMILIES.items():
        for location in in_use or [None]:
            rows = read(family, api.query_resource_graph, clients.graph(), sub,
                        api.graph_query_text(types, location=location), region=location or GLOBAL_REGION,
                        about="resourcegraph")
            graph_rows.extend(rows or [])
    recovery_rows: list[dict] = []
    for family, types in api.RECOVERY_FAMILIES.items():
        rows = read(family, api.query_resource_graph, clients.graph(), sub,
                    api.graph_query_text(types, table="RecoveryServicesResources"), about="resourcegraph")
        recovery_rows.extend(rows or [])
    rows = merge_rows(arm_rows, graph_rows)

    failover_groups: dict[str, list] = {}
    replication_links: dict[str, list] = {}
    for server in sorted((r for r in rows if str(r.get("type", "")).lower() == "microsoft.sql/servers"),
                         key=lambda r: r["id"]):
        region = normalise_location(server.get("location"))
        groups_read = read("sql:failovergroups", api.arm_list, rm, f"{server['id']}/failoverGroups", region=region, resource=server["id"],
                           about=server.get("name", ""))
        if groups_read is not None:
            failover_groups[server["id"]] = groups_read
        links = read("sql:replicationlinks", api.arm_list, rm, f"{server['id']}/replicationLinks", region=region, resource=server["id"],
                     about=server.get("name", ""))
        if links is not None:
            replication_links[server["id"]] = links

    blob_services: dict[str, dict] = {}
    object_replication: dict[str, list] = {}  # storage account id -> the policies it lists (either side)
    for account in sorted((r for r in rows if str(r.get("type", "")).lower() == "microsoft.storage/storageaccounts"
                           and str(r.get("kind", "")).lower() in ("storagev2", "blobstorage", "blockblobstorage")),
                          key=lambda r: r["id"]):
        blob = read("storage:blobservices", api.get_blob_service, rm, account["id"], resource=account["id"],
                    region=normalise_location(account.get("location")), about=account.get("name", ""))
        if blob is not None:
            blob_services[account["id"]] = blob
        policies = read("storage:objectreplication", api.list_object_replication_policies, rm, account["id"],
                        resource=account["id"],
                        region=normalise_location(account.get("location")), about=account.get("name", ""))
        if policies is not None:
            object_replication[account["id"]] = policies

    site_references: dict[str, list] = {}  # web app id -> setting names and target hosts (values dropped)
    for site in sorted((r for r in rows if str(r.get("type", "")).lower() == "microsoft.web/sites"), key=lambda r: r["id"]):
        bodies = read("web:settings", api.list_site_settings, rm, site["id"], resource=site["id"],
                      region=normalise_location(site.get("location")), about=site.get("name", ""))
        if bodies is not None:
            site_references[site["id"]] = setting_references(*bodies)
            del bodies  # the secret values go no further

    record_sets: dict[str, list] = {}  # public DNS zone id -> its record sets (all types)
    for zone in sorted((r for r in rows if str(r.get("type", "")).lower() == "microsoft.network/dnszones"
                        and str((r.get("properties") or {}).get("zoneType", "Public")).lower() != "private"),
                       key=lambda r: r["id"]):
        sets = read("dns:recordsets", api.list_record_sets, rm, zone["id"], resource=zone["id"],
                    region=normalise_location(zone.get("location")), about=zone.get("name", ""))
        if sets is not None:
            record_sets[zone["id"]] = sets

    front_doors: dict[str, dict] = {}  # Front Door Standard/Premium profile id -> endpoints, routes, groups, origins
    for profile in sorted((r for r in rows if str(r.get("type", "")).lower() == "microsoft.cdn/profiles"
                           and "azurefrontdoor" in str((r.get("sku") or {}).get("name", "")).lower()),
                          key=lambda r: r["id"]):
        region, about = normalise_location(profile.get("location")), profile.get("name", "")
        read_ = {"endpoints": read("cdn:afdendpoints", api.list_afd_endpoints, rm, profile["id"], region=region,
                                   about=about, resource=profile["id"]),
                 "origin_groups": read("cdn:origingroups", api.list_afd_origin_groups, rm, profile["id"],
                                       region=region, about=about, resource=profile["id"]),
                 "origins": {}, "routes": {}}
        for endpoint in read_["endpoints"] or []:  # which origin group each endpoint's routes send to
            routes = read("cdn:routes", api.list_afd_routes, rm, endpoint["id"], region=region,
                          about=f"{about}/{endpoint.get('name', '')}", resource=profile["id"])
            if routes is not None:
                read_["routes"][endpoint["id"]] = routes
        for group in read_["origin_groups"] or []:
            origins = read("cdn:origins", api.list_afd_origins, rm, group["id"], region=region,
                           about=f"{about}/{group.get('name', '')}", resource=profile["id"])
            if origins is not None:
                read_["origins"][group["id"]] = origins
        front_doors[profile["id"]] = read_

    backup_policies: dict[str, list] = {}  # Recovery Services vault id -> its backup policies (schedules)
    for vault in sorted((r for r in rows if str(r.get("type", "")).lower() == "microsoft.recoveryservices/vaults"),
                        key=lambda r: r["id"]):
        policies = read("backup:policies", api.list_backup_policies, rm, vault["id"], resource=vault["id"],
                        region=normalise_location(vault.get("location")), about=vault.get("name", ""))
        if policies is not None:
            backup_policies[vault["id"]] = policies

    geo = read_geo_pairings(read, rm, sub, rows)
    transformer = transform_subscription(sub, observed_at, locations=locations, rows=rows,
                                         failover_groups=failover_groups, replication_links=replication_links,
                                         recovery_rows=recovery_rows, blob_services=blob_services,
                                         object_replication=object_replication, site_references=site_references,
                                         record_sets=record_sets, front_doors=front_doors, geo=geo,
                                         backup_policies=backup_policies)
    group_regions = {str(g.get("name", "")).lower(): normalise_location(g.get("location")) for g in groups or []}
    for resource in transformer.resources:
        group = str(resource.attrs.get("resource_group") or "").lower()
        if group in group_regions:
            resource.attrs["resource_group_region"] = group_regions[group]
    part = Inventory(resources=transformer.resources, edges=transformer.edges)
    regions = set(transformer.facts.regions) or {r.region for r in transformer.resources if r.region != GLOBAL_REGION}
    return part, transformer.hints, regions


def read_geo_pairings(read: Callable[..., Any], rm: Any, sub: str, rows: list[dict]) -> dict[str, Any]:
    """The geo-replication / geo-DR reads (``geo_pairings``), each through ``read`` with the resource's
    region: Redis linked servers per Premium cache (``redis:linkedservers``), SQL Managed Instance
    failover groups per (resource group, location) holding an instance (``sql:instancefailovergroups``),
    Event Hubs / Service Bus Geo-DR configs per namespace (``eventhub:`` / ``servicebus:disasterrecoveryconfigs``).
    A read that failed leaves its entry absent (and its coverage record non-``ok``)."""
    def of_type(kind: str) -> list[dict]:
        return sorted((r for r in rows if str(r.get("type", "")).lower() == kind), key=lambda r: r["id"])

    geo: dict[str, Any] = {"redis": {}, "instance_failover_groups": [], "eventhub": {}, "servicebus": {}}
    for cache in of_type("microsoft.cache/redis"):
        sku = cache.get("sku") or (cache.get("properties") or {}).get("sku") or {}
        if str(sku.get("name") or "").lower() in ("basic", "standard"):
            continue  # geo-replication needs Premium: nothing to list
        servers = read("redis:linkedservers", api.list_redis_linked_servers, rm, cache["id"],
                       region=normalise_location(cache.get("location")), about=cache.get("name", ""),
                       resource=cache["id"])
        if servers is not None:
            geo["redis"][cache["id"]] = servers
    places = sorted({(str(r.get("resourceGroup") or r["id"].split("/")[4]), normalise_location(r.get("location")))
                     for r in of_type("microsoft.sql/managedinstances")})
    for group, location in places:
        groups = read("sql:instancefailovergroups", api.list_instance_failover_groups, rm, sub, group, location,
                      region=location, about=f"{group}/{location}")
        geo["instance_failover_groups"].extend(groups or [])
    for family in ("eventhub", "servicebus"):
        for namespace in of_type(f"microsoft.{family}/namespaces"):
            configs = read(f"{family}:disasterrecoveryconfigs", api.list_disaster_recovery_configs, rm,
                           namespace["id"], region=normalise_location(namespace.get("location")),
                           about=namespace.get("name", ""), resource=namespace["id"])
            if configs is not None:
                geo[family][namespace["id"]] = configs
    return geo


def identity_of(settings: AzureSettings, credential: Any) -> str:
    """A display identity for ``findings.json``: the token's user/app claim, ``azure:token`` otherwise."""
    try:
        token = credential.get_token(settings.credential_scope).token
    except Exception:  # identity is informational; the reads report their own failures
        return "azure"
    return f"azure:{token_identity(token, 'token')}"
