"""Azure API dicts -> normalised nodes and edges (pure: no SDK, no I/O, no clock).

The mapping to the shared graph vocabulary is documented in ``docs/graph.md`` ("Azure"). In short:

- node id = the ARM resource id as ARM returned it; region = normalised ``location``;
  zones = *physical* zone ids (``uaenorth-az2``) through the subscription's
  ``availabilityZoneMappings`` when known, logical zone numbers (``"1"``) otherwise;
- ``attrs.placement``: ``zonal`` (pinned to one zone), ``zone_redundant``, ``regional`` (non-zonal:
  Azure picks the datacentre; in a region with zones ``attrs.zone_unreported`` and ``attrs.region_zones``
  say which zones it may be in, so a zone loss makes a verdict that needs it uncertain), ``global``; ``attrs.region_zones_available`` says whether the region
  offers zones at all (UAE Central does not: not a weakness of the resource);
- geo-copies the platform keeps in the paired region (GRS/GZRS storage, geo-redundant backups,
  geo-redundant vaults) become a synthetic node ``<id>#secondary`` / ``<id>#geo-backup`` in that
  region with a ``replicates_to`` / ``backed_up_to`` edge, so the same rules see them as copies in
  another region (and see that UAE North's copy lands in UAE Central, the same failure domain).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from resilience.collectors.multicloud import compact, edge
from resilience.model import (
    BACKED_UP_TO,
    BACKUP_VAULT,
    COMPUTE_GROUP,
    DATABASE,
    DEPENDS_ON,
    DNS_RECORD,
    DNS_ZONE,
    FAILS_OVER_TO,
    FUNCTION,
    GLOBAL_DATABASE,
    GLOBAL_REGION,
    HEALTH_CHECK,
    INSTANCE,
    LOAD_BALANCER,
    MEMBER_OF,
    OBJECT_STORE,
    RECOVERY_POINT,
    REPLICATES_TO,
    RESTORE_TEST,
    ROUTES_TO,
    TARGET_GROUP,
    VOLUME,
    Edge,
    Resource,
)

from .api import GRAPH_FAMILIES
from .backup_policies import policies_by_id
from .geo_pairings import GeoPairings
from .platform_services import PlatformServices
from .regions import AZURE_REGIONS, normalise_location

PROVIDER = "azure"
REPLICA_OF_TAG = "resilience:replica-of"

# ``source`` = "<coverage service>:<operation>", so a rule can find the coverage record of the read
# a node's facts came from (``resilience.survival.service_of`` takes the part before the colon).
SRC_BACKUP = "backup:RecoveryServicesResources"
SRC_BACKUP_POLICIES = "backup:ProtectionPolicies_List"
SRC_SITE_RECOVERY = "siterecovery:RecoveryServicesResources"
SRC_FAILOVER_GROUPS = "sql:FailoverGroups_ListByServer"
SRC_LINKS = "sql:ReplicationLinks_ListByServer"
SRC_OBJECT_REPLICATION = "storage:ObjectReplicationPolicies_List"
SRC_SITE_SETTINGS = "web:WebApps_ListApplicationSettings"
SRC_RECORD_SETS = "dns:RecordSets_ListByDnsZone"
SRC_AFD = "cdn:AFDOriginGroups_ListByProfile"
SRC_AFD_ORIGINS = "cdn:AFDOrigins_ListByOriginGroup"
SRC_AFD_ROUTES = "cdn:Routes_ListByEndpoint"
#: record types that name an endpoint (as Route 53's ``VALUE_TYPES``); other types make no node
RECORD_VALUE_TYPES = {"A": ("ARecords", "ipv4Address"), "AAAA": ("AAAARecords", "ipv6Address"),
                      "CNAME": ("CNAMERecord", "cname")}
TYPE_FAMILY = {t: family for family, types in GRAPH_FAMILIES.items() for t in types}

TM_ROUTING = {"priority": "failover", "performance": "latency", "weighted": "weighted",
              "geographic": "geolocation", "multivalue": "multivalue", "subnet": "subnet"}


# --- subscription-level facts ----------------------------------------------------------------
@dataclass
class LocationFacts:
    """From ``Subscriptions - List Locations``: zone mappings, pairs, which regions offer zones."""

    zone_map: dict[str, dict[str, str]] = field(default_factory=dict)  # region -> logical -> physical
    pairs: dict[str, str] = field(default_factory=dict)
    with_zones: set[str] = field(default_factory=set)
    regions: list[str] = field(default_factory=list)
    live: bool = False

    def pair(self, region: str) -> str | None:
        if region in self.pairs:
            return self.pairs[region]
        info = AZURE_REGIONS.get(region)
        return info.pair if info else None

    def zones_available(self, region: str) -> bool | None:
        if self.live and region in self.regions:
            return region in self.with_zones
        info = AZURE_REGIONS.get(region)
        return info.zones_available if info else None


def transform_locations(locations: Iterable[Mapping[str, Any]] | None) -> LocationFacts:
    facts = LocationFacts()
    if locations is None:
        return facts
    facts.live = True
    for loc in locations:
        meta = loc.get("metadata") or {}
        if meta.get("regionType") not in (None, "Physical"):
            continue
        name = normalise_location(loc.get("name"))
        facts.regions.append(name)
        mappings = loc.get("availabilityZoneMappings") or []
        if mappings:
            facts.with_zones.add(name)
            facts.zone_map[name] = {str(m.get("logicalZone")): str(m.get("physicalZone"))
                                    for m in mappings if m.get("logicalZone") and m.get("physicalZone")}
        paired = meta.get("pairedRegion") or []
        if paired:
            facts.pairs[name] = normalise_location(paired[0].get("name"))
    facts.regions.sort()
    return facts


# --- helpers --------------------------------------------------------------------------------
def _host(url: Any) -> str | None:
    """``https://acct.blob.core.windows.net/`` -> ``acct.blob.core.windows.net``."""
    text = str(url or "")
    return text.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or None


def _lower(value: Any) -> str:
    return str(value or "").lower()


def parent_id(resource_id: str, segment: str) -> str | None:
    """The id up to and including ``/<segment>/<name>`` (case-insensitive), or ``None``."""
    parts = resource_id.split("/")
    for i, part in enumerate(parts[:-1]):
        if part.lower() == segment.lower():
            return "/".join(parts[: i + 2])
    return None


def segment_value(resource_id: str, segment: str) -> str | None:
    parts = resource_id.split("/")
    for i, part in enumerate(parts[:-1]):
        if part.lower() == segment.lower():
            return parts[i + 1]
    return None


def resource_group_of(resource_id: str) -> str | None:
    return segment_value(resource_id, "resourceGroups")


def replication_of_sku(sku_name: str | None) -> str | None:
    """``Standard_RAGZRS`` -> ``RA-GZRS``; ``Premium_LRS`` -> ``LRS``."""
    if not sku_name or "_" not in sku_name:
        return None
    red = sku_name.split("_", 1)[1].upper()
    return {"RAGRS": "RA-GRS", "RAGZRS": "RA-GZRS"}.get(red, red)


class Transformer(PlatformServices, GeoPairings):
    """Builds the nodes and edges of one subscription from merged ARM + Resource Graph rows."""

    def __init__(self, subscription_id: str, observed_at: str, facts: LocationFacts) -> None:
        self.sub = subscription_id
        self.observed_at = observed_at
        self.facts = facts
        self.resources: list[Resource] = []
        self.edges: list[Edge] = []
        self.hints: dict[str, dict[str, Any]] = {}
        self.rows: dict[str, dict[str, Any]] = {}
        self._ids: set[str] = set()
        self._edge_index: dict[tuple[str, str, str], Edge] = {}
        self.blob_services: dict[str, dict[str, Any]] = {}  # storage account id (lower) -> blobServices/default
        self._disk_index: dict[str, list[str]] | None = None
        self._profile_index: dict[str, str] | None = None
        self._fqdn_index: dict[str, str] | None = None
        self._ip_index: dict[str, str] | None = None
        self.front_doors: dict[str, dict[str, Any]] = {}  # AFD profile id (lower) -> endpoints, groups, origins
        self.backup_policies: dict[str, dict[str, Any]] = {}  # backup policy id (lower) -> schedule facts
        self.policies_read: set[str] | None = None  # vault ids (lower) whose policies were listed; None: not read

    # ---- identity and placement ----
    def canon(self, resource_id: str | None) -> str | None:
        if not resource_id:
            return None
        row = self.rows.get(resource_id.lower())
        return row["id"] if row else resource_id

    def zones(self, region: str, logical: Iterable[Any] | None) -> tuple[tuple[str, ...], list[str]]:
        names = [str(z) for z in (logical or []) if z not in (None, "")]
        mapping = self.facts.zone_map.get(region, {})
        return tuple(mapping.get(z, z) for z in names), names

    def region_zones(self, region: str) -> tuple[str, ...]:
        """Every zone of a region (physical ids): where a zone-redundant service the platform
        spreads (App Service zone redundancy, Key Vault) runs, as GCP regional load balancers do."""
        return tuple(sorted(self.facts.zone_map.get(region, {}).values()))

    def node(self, *, id: str, kind: str, type: str, name: str, region: str, source: str,
             zones: Iterable[str] = (), tags: Mapping[str, Any] | None = None,
             attrs: Mapping[str, Any] | None = None) -> Resource:
        region = region or GLOBAL_REGION
        base = {"resource_group": resource_group_of(id)}
        if region not in (GLOBAL_REGION, "unknown"):
            base["region_zones_available"] = self.facts.zones_available(region)
            base["region_pair"] = self.facts.pair(region)
            if (attrs or {}).get("placement") == "regional" and not zones and base["region_zones_available"]:
                # regional (non-zonal) placement in a region with zones: Azure puts it in one zone it does not
                # name, so a zone loss may take it (survival.placement_risk); logical ids when unmapped
                base["zone_unreported"] = True
                base["region_zones"] = list(self.region_zones(region)) or ["1", "2", "3"]
        resource = Resource(
            id=id, provider=PROVIDER, account=self.sub, region=region, kind=kind, type=type, name=name,
            source=source, observed_at=self.observed_at, zones=tuple(zones),
            tags={str(k): str(v) for k, v in (tags or {}).items()}, attrs=compact({**base, **(attrs or {})}),
        )
        if id.lower() not in self._ids:
            self._ids.add(id.lower())
            self.resources.append(resource)
        return resource

    def _node_by_id(self, resource_id: str) -> Resource:
        return next(r for r in self.resources if r.id.lower() == resource_id.lower())

    def link(self, src: str | None, dst: str | None, kind: str, source: str, **attrs: Any) -> None:
        """Add an edge; a second edge of the same kind between the same ends only adds attributes
        (the graph keys edges by kind, so a later duplicate would overwrite the first's facts)."""
        if not src or not dst or src.lower() == dst.lower():
            return
        key = (src.lower(), dst.lower(), kind)
        if key in self._edge_index:
            existing = self._edge_index[key]
            for name, value in compact(attrs).items():
                existing.attrs.setdefault(name, value)
            return
        new = edge(src, dst, kind, source, **attrs)
        self._edge_index[key] = new
        self.edges.append(new)

    def hint(self, resource_id: str, *, region: str | None, type: str, account: str | None = None) -> None:
        self.hints.setdefault(resource_id.lower(), {
            "region": region, "type": type, "provider": PROVIDER,
            "account": account if account is not None else (segment_value(resource_id, "subscriptions") or ""),
        })

    def placement(self, region: str, zones: list[str], zone_redundant: bool | None = None) -> str:
        if region == GLOBAL_REGION:
            return "global"
        if zone_redundant or len(zones) > 1:
            return "zone_redundant"
        if len(zones) == 1:
            return "zonal"
        return "regional"

    def base(self, row: Mapping[str, Any]) -> dict[str, Any]:
        region = normalise_location(row.get("location"))
        zones, logical = self.zones(region, row.get("zones"))
        family = TYPE_FAMILY.get(_lower(row.get("type")), "resources")
        source = f"{family}:ResourceGraph.Resources" if "properties" in row else f"{family}:Resources_List"
        return {"region": region, "zones": zones, "logical": logical, "source": source,
                "props": row.get("properties") or {}, "sku": row.get("sku") or {}, "tags": row.get("tags") or {}}

    # ---- the whole subscription ----
    def run(self, rows: Iterable[Mapping[str, Any]], *, failover_groups: Mapping[str, list] | None = None,
            replication_links: Mapping[str, list] | None = None,
            recovery_rows: Iterable[Mapping[str, Any]] = (),
            blob_services: Mapping[str, Mapping[str, Any]] | None = None,
            object_replication: Mapping[str, list] | None = None,
            site_references: Mapping[str, list] | None = None,
            record_sets: Mapping[str, list] | None = None,
            front_doors: Mapping[str, Mapping[str, Any]] | None = None,
            geo: Mapping[str, Any] | None = None,
            backup_policies: Mapping[str, list] | None = None) -> None:
        self.backup_policies = policies_by_id(backup_policies)
        self.policies_read = {v.lower() for v in backup_policies} if backup_policies is not None else None
        for row in rows:
            self.rows[_lower(row.get("id"))] = dict(row)
        self.blob_services = {k.lower(): dict(v) for k, v in (blob_services or {}).items()}
        self.front_doors = {k.lower(): dict(v) for k, v in (front_doors or {}).items()}
        handlers = {
            "microsoft.storage/storageaccounts": self.storage_account,
            "microsoft.sql/servers/databases": self.sql_database,
            "microsoft.documentdb/databaseaccounts": self.cosmos_account,
            "microsoft.dbforpostgresql/flexibleservers": self.flexible_server,
            "microsoft.dbformysql/flexibleservers": self.flexible_server,
            "microsoft.compute/virtualmachinescalesets": self.scale_set,
            "microsoft.compute/virtualmachines": self.virtual_machine,
            "microsoft.compute/disks": self.disk,
            "microsoft.network/loadbalancers": self.load_balancer,
            "microsoft.network/applicationgateways": self.application_gateway,
            "microsoft.network/frontdoors": self.front_door,
            "microsoft.cdn/profiles": self.cdn_profile,
            "microsoft.network/trafficmanagerprofiles": self.traffic_manager,
            "microsoft.network/dnszones": self.dns_zone,
            "microsoft.web/sites": self.web_site,
            "microsoft.recoveryservices/vaults": self.recovery_vault,
            "microsoft.cache/redis": self.redis_cache,
            "microsoft.containerservice/managedclusters": self.aks_cluster,
            "microsoft.keyvault/vaults": self.key_vault,
        }
        handlers.update(self.geo_handlers())
        for row in list(self.rows.values()):
            handler = handlers.get(_lower(row.get("type")))
            if handler is not None:
                handler(row)
        for row in sorted((r for r in self.rows.values() if _lower(r.get("type")) == "microsoft.insights/autoscalesettings"),
                          key=lambda r: _lower(r.get("id"))):
            self.autoscale_setting(row)  # after the scale sets it sizes exist
        for account_id, policies in sorted((object_replication or {}).items()):
            self.object_replication(account_id, policies)
        for server_id, groups in sorted((failover_groups or {}).items()):
            self.sql_failover_groups(server_id, groups)
        for server_id, links in sorted((replication_links or {}).items()):
            self.sql_replication_links(server_id, links)
        self.geo_pairings(geo)
        for site_id, references in sorted((site_references or {}).items()):
            self.site_dependencies(site_id, references)
        if record_sets is not None:  # None: not read at all (a caller without the read), not "unreadable"
            for zone in self.resources:
                if zone.kind == DNS_ZONE and not zone.attrs.get("private"):
                    zone.attrs["records_read"] = any(z.lower() == zone.id.lower() for z in record_sets)
            for zone_id, sets in sorted(record_sets.items()):
                self.dns_record_sets(zone_id, sets)
        for row in recovery_rows:
            kind = _lower(row.get("type"))
            if kind.endswith("/protecteditems") and "/backupfabrics/" in kind:
                self.backup_item(row)
            elif kind.endswith("/replicationprotecteditems"):
                self.site_recovery_item(row)
        for row in self.rows.values():
            source_id = (row.get("tags") or {}).get(REPLICA_OF_TAG)
            if source_id and row["id"].lower() in self._ids:
                self.link(source_id, row["id"], REPLICATES_TO, f"tag:{REPLICA_OF_TAG}", mode="async",
                          cross_cloud=not source_id.startswith("/subscriptions/"), declared=True)

    # ---- storage ----
    def storage_account(self, row: Mapping[str, Any]) -> None:
        """Redundancy from the SKU, as Microsoft documents it: LRS keeps its three copies in one
        datacentre (one zone, which ARM does not name: regional placement, ``zone_unreported``, so a
        zone loss may take it, priced at the worst case); ZRS spreads them
        over the region's zones; the GRS family adds a copy in the paired region (a ``#secondary``
        node). Blob point-in-time restore, soft delete and versioning are same-region protection:
        one ``#protection`` recovery point held where the account's data is (when PITR or versioning
        is on: soft delete alone keeps deleted blobs but not overwritten ones); the geo-secondary
        replicates it (the versions and deleted blobs are blobs too), which puts a copy of the
        protection in the paired region."""
        b = self.base(row)
        props, region = b["props"], b["region"]
        replication = replication_of_sku(b["sku"].get("name"))
        geo = replication in ("GRS", "RA-GRS", "GZRS", "RA-GZRS") if replication else None
        multi_az = replication in ("ZRS", "GZRS", "RA-GZRS") if replication else None
        secondary = props.get("secondaryLocation")
        secondary = normalise_location(secondary) if secondary else (self.facts.pair(region) if geo else None)
        readable = replication.startswith("RA-") if replication else None
        # LRS (and the GRS family's primary copies) sit in one datacentre, in a zone ARM does not name; an
        # unknown SKU may be LRS: both are regional placement, of unreported zone (any zone of the region)
        placement = "zone_redundant" if multi_az else "regional"
        zones: tuple[str, ...] = ()
        self.node(id=row["id"], kind=OBJECT_STORE, type="Microsoft.Storage/storageAccounts", name=row["name"],
                  region=region, source=b["source"], tags=b["tags"], zones=zones, attrs={
                      "replication": replication, "multi_az": multi_az, "geo_redundant": geo,
                      "read_access_secondary": readable, "secondary_region": secondary if geo else None,
                      "placement": placement,
                      "sku": b["sku"].get("name"), "account_kind": row.get("kind"),
                      "status_of_primary": props.get("statusOfPrimary"),
                      "status_of_secondary": props.get("statusOfSecondary"),
                      "role": "primary"})
        copy_id = f"{row['id']}#secondary"
        if geo and secondary:
            self.node(id=copy_id, kind=OBJECT_STORE, type="Microsoft.Storage/storageAccounts#secondary",
                      name=f"{row['name']} (geo-secondary)", region=secondary, source=b["source"], attrs={
                          "role": "replica", "replica_of": row["id"], "synthetic": True, "replication": "LRS",
                          "multi_az": False, "readable": readable, "placement": "regional"})
            self.link(row["id"], copy_id, REPLICATES_TO, b["source"], mode="async", promotable=True,
                      failover="customer-initiated account failover", readable=readable)
        blob = self.blob_services.get(row["id"].lower())
        if blob is None:
            return
        bprops = blob.get("properties") or {}
        account = self._node_by_id(row["id"])
        restore = bprops.get("restorePolicy") or {}
        deletes = bprops.get("deleteRetentionPolicy") or {}
        versioning = bool(bprops.get("isVersioningEnabled"))
        soft_delete_days = deletes.get("days") if deletes.get("enabled") else None
        restore_days = restore.get("days") if restore.get("enabled") else None
        # ``pitr`` is not set: it would add a second, zone-less in-region backup for the account
        # (survival's automated backups), which LRS data does not have
        account.attrs.update(compact({
            "versioning": "Enabled" if versioning else "Disabled", "soft_delete_days": soft_delete_days,
            "point_in_time_restore": bool(restore.get("enabled")), "point_in_time_restore_days": restore_days,
            "change_feed": (bprops.get("changeFeed") or {}).get("enabled")}))
        mechanisms = [m for m, on in (("point-in-time restore", restore_days is not None),
                                      ("versioning", versioning), ("soft delete", soft_delete_days is not None)) if on]
        if restore_days is None and not versioning:
            return  # soft delete alone keeps deleted blobs, not overwritten ones: not a recovery copy
        protection_id = f"{row['id']}#protection"
        days = [d for d in (restore_days, soft_delete_days) if isinstance(d, int | float)]
        self.node(id=protection_id, kind=RECOVERY_POINT, type="Microsoft.Storage/blobServices#dataProtection",
                  name=f"{row['name']} blob protection ({', '.join(mechanisms)})", region=region, source=b["source"],
                  zones=zones, attrs={
                      "source_resource": row["id"], "source_region": region, "mechanisms": mechanisms,
                      "retention_days": max(days) if days else None, "synthetic": True, "status": "available",
                      "scope": "same-region", "continuous": restore_days is not None,
                      # the account's own storage: the same datacentre (and zone) as the account's data
                      "placement": placement, "colocated_with": row["id"]})
        self.link(row["id"], protection_id, BACKED_UP_TO, b["source"], schedule="continuous")
        if geo and secondary:
            self.link(protection_id, copy_id, REPLICATES_TO, b["source"], mode="async", promotable=False)

    def object_replication(self, account_id: str, policies: Iterable[Mapping[str, Any]]) -> None:
        """Object replication: blobs copied asynchronously from a source account's containers to a
        destination account's. Both accounts list the policy (same policy id); either side's list
        makes the one ``replicates_to`` edge source -> destination."""
        for policy in policies:
            props = policy.get("properties") or {}
            src = self._storage_account_ref(props.get("sourceAccount"), account_id)
            dst = self._storage_account_ref(props.get("destinationAccount"), account_id)
            if not src or not dst:
                continue
            rules = [{"source_container": r.get("sourceContainer"), "destination_container": r.get("destinationContainer")}
                     for r in props.get("rules") or []]
            for end in (src, dst):
                if end.lower() not in self._ids:
                    self.hint(end, region=None, type="Microsoft.Storage/storageAccounts")
            self.link(src, dst, REPLICATES_TO, SRC_OBJECT_REPLICATION, mode="async", promotable=True,
                      mechanism="object replication", policy_id=props.get("policyId") or policy.get("name"),
                      containers=rules or None, failover="delete the policy: the destination containers become writable")
            # object replication needs blob versioning on both accounts: the destination keeps the
            # replicated blobs' versions, so the source's in-place protection has a copy there
            protections = [f"{end}#protection" for end in (src, dst)]
            if all(p.lower() in self._ids for p in protections):
                self.link(protections[0], protections[1], REPLICATES_TO, SRC_OBJECT_REPLICATION, mode="async",
                          promotable=False, mechanism="object replication")
            for node in self.resources:
                if node.id.lower() == dst.lower() and node.attrs.get("role") == "primary":
                    node.attrs["role"] = "replica"
                    node.attrs["replica_of"] = src

    def _storage_account_ref(self, ref: str | None, listed_by: str) -> str | None:
        """A policy names an account by resource id, or by bare name (cross-tenant replication
        allowed): a bare name is looked up among this subscription's accounts."""
        if not ref:
            return None
        if ref.startswith("/"):
            return self.canon(ref)
        if _lower(segment_value(listed_by, "storageAccounts")) == ref.lower():
            return self.canon(listed_by)
        for row in self.rows.values():
            if _lower(row.get("type")) == "microsoft.storage/storageaccounts" and _lower(row.get("name")) == ref.lower():
                return row["id"]
        return None

    # ---- databases ----
    def _platform_backups(self, db_id: str, name: str, region: str, source: str, *, redundancy: str | None,
                          continuous: bool, retention_days: float | None = None, geo: bool = True) -> None:
        """Automated backups the platform keeps: a node in the region, a geo copy in the pair."""
        local_id = f"{db_id}#backups"
        self.node(id=local_id, kind=RECOVERY_POINT, type="Azure::AutomatedBackups", name=f"{name} backups",
                  region=region, source=source, attrs={
                      "source_resource": db_id, "source_region": region, "continuous": continuous,
                      "backup_redundancy": redundancy, "retention_days": retention_days, "synthetic": True,
                      "status": "available"})
        self.link(db_id, local_id, BACKED_UP_TO, source, schedule="continuous" if continuous else "periodic")
        pair = self.facts.pair(region)
        if geo and redundancy and redundancy.lower().startswith("geo") and pair:
            geo_id = f"{db_id}#geo-backup"
            self.node(id=geo_id, kind=RECOVERY_POINT, type="Azure::GeoRedundantBackups",
                      name=f"{name} geo-backups", region=pair, source=source, attrs={
                          "source_resource": db_id, "source_region": region, "copy_of": local_id,
                          "continuous": continuous, "retention_days": retention_days, "synthetic": True,
                          "status": "available", "restore": "geo-restore"})
            self.link(db_id, geo_id, BACKED_UP_TO, source, schedule="geo-replicated backup storage")
            self.link(local_id, geo_id, REPLICATES_TO, source, mode="periodic", promotable=False)

    def sql_database(self, row: Mapping[str, Any]) -> None:
        if _lower(row.get("name")).rsplit("/", 1)[-1] == "master":
            return
        b = self.base(row)
        props, region = b["props"], b["region"]
        zone_redundant = props.get("zoneRedundant")
        secondary_type = props.get("secondaryType")
        redundancy = props.get("currentBackupStorageRedundancy") or props.get("requestedBackupStorageRedundancy")
        name = row["id"].rstrip("/").rsplit("/", 1)[-1]
        server = parent_id(row["id"], "servers")
        self.node(id=row["id"], kind=DATABASE, type="Microsoft.Sql/servers/databases", name=name, region=region,
                  source=b["source"], zones=b["zones"], tags=b["tags"], attrs={
                      "engine": "azure-sql", "multi_az": bool(zone_redundant) if zone_redundant is not None else None,
                      "pitr": True, "backup_redundancy": redundancy,
                      "role": "replica" if secondary_type else "primary", "secondary_type": secondary_type,
                      "server_id": server, "sku": b["sku"].get("name") or props.get("currentServiceObjectiveName"),
                      "earliest_restore": props.get("earliestRestoreDate"),
                      "placement": self.placement(region, b["logical"], zone_redundant)})
        if not secondary_type:
            self._platform_backups(row["id"], name, region, b["source"], redundancy=redundancy, continuous=True)

    def _server_database(self, server_id: str, db_name: str) -> str:
        wanted = f"{server_id}/databases/{db_name}".lower()
        row = self.rows.get(wanted)
        return row["id"] if row else f"{server_id}/databases/{db_name}"

    def sql_failover_groups(self, server_id: str, groups: list[Mapping[str, Any]]) -> None:
        server_row = self.rows.get(server_id.lower()) or {}
        server_region = normalise_location(server_row.get("location")) if server_row else None
        for group in groups:
            props = group.get("properties") or {}
            role = props.get("replicationRole", "Primary")
            if str(role).lower() != "primary":
                continue  # the primary side describes the group; the secondary side repeats it
            policy = (props.get("readWriteEndpoint") or {}).get("failoverPolicy")
            grace = (props.get("readWriteEndpoint") or {}).get("failoverWithDataLossGracePeriodMinutes")
            partners = props.get("partnerServers") or []
            primaries = [self.canon(d) for d in props.get("databases") or []]
            members: list[str] = []
            for db in primaries:
                db_name = db.rstrip("/").rsplit("/", 1)[-1]
                members.append(db)
                for partner in partners:
                    partner_db = self._server_database(partner["id"], db_name)
                    partner_region = normalise_location(partner.get("location"))
                    members.append(partner_db)
                    self.hint(partner_db, region=partner_region, type="Microsoft.Sql/servers/databases")
                    self.link(db, partner_db, FAILS_OVER_TO, SRC_FAILOVER_GROUPS,
                              health_checked=str(policy).lower() == "automatic", automatic=str(policy).lower() == "automatic",
                              grace_period_minutes=grace, needs_control_plane_in=partner_region)
                    self.link(partner_db, group["id"], MEMBER_OF, SRC_FAILOVER_GROUPS)
                self.link(db, group["id"], MEMBER_OF, SRC_FAILOVER_GROUPS)
            self.node(id=group["id"], kind=GLOBAL_DATABASE, type="Microsoft.Sql/servers/failoverGroups",
                      name=group.get("name") or group["id"].rsplit("/", 1)[-1], region=GLOBAL_REGION,
                      source=SRC_FAILOVER_GROUPS, attrs={
                          "members": members, "writer": server_id, "failover_policy": policy,
                          "grace_period_minutes": grace, "primary_region": server_region,
                          "partner_regions": sorted({normalise_location(p.get("location")) for p in partners}),
                          "engine": "azure-sql"})

    def sql_replication_links(self, server_id: str, links: list[Mapping[str, Any]]) -> None:
        for link in links:
            props = link.get("properties") or {}
            db_id = self.canon(parent_id(link["id"], "databases")) or ""
            partner_server = props.get("partnerServer")
            partner_db_name = props.get("partnerDatabase")
            partner_region = normalise_location(props.get("partnerLocation"))
            partner = props.get("partnerDatabaseId")
            if not partner and partner_server and partner_db_name:
                partner = self._find_database(partner_server, partner_db_name) or (
                    f"/subscriptions/{self.sub}/resourceGroups/{resource_group_of(server_id)}/providers/"
                    f"Microsoft.Sql/servers/{partner_server}/databases/{partner_db_name}")
            partner = self.canon(partner)
            if not partner or not db_id:
                continue
            self.hint(partner, region=partner_region, type="Microsoft.Sql/servers/databases")
            if str(props.get("role")).lower() == "primary":
                self.link(db_id, partner, REPLICATES_TO, SRC_LINKS, mode=_lower(props.get("replicationMode")) or "async",
                          promotable=True, link_type=props.get("linkType"), state=props.get("replicationState"))
                self.link(db_id, partner, FAILS_OVER_TO, SRC_LINKS, health_checked=False, automatic=False,
                          needs_control_plane_in=partner_region)
            else:
                for resource in self.resources:
                    if resource.id.lower() == db_id.lower():
                        resource.attrs["role"] = "replica"
                        resource.attrs["replica_of"] = partner

    def _find_database(self, server_name: str, db_name: str) -> str | None:
        for key, row in self.rows.items():
            if (_lower(row.get("type")) == "microsoft.sql/servers/databases"
                    and _lower(segment_value(key, "servers")) == server_name.lower()
                    and key.rstrip("/").rsplit("/", 1)[-1] == db_name.lower()):
                return row["id"]
        return None

    def cosmos_account(self, row: Mapping[str, Any]) -> None:
        b = self.base(row)
        props = b["props"]
        locations = sorted(props.get("locations") or [], key=lambda loc: loc.get("failoverPriority", 99))
        writes = [normalise_location(w.get("locationName")) for w in props.get("writeLocations") or []]
        primary_region = writes[0] if writes else (normalise_location(locations[0].get("locationName"))
                                                   if locations else b["region"])
        multi_write = bool(props.get("enableMultipleWriteLocations"))
        auto = bool(props.get("enableAutomaticFailover"))
        backup = props.get("backupPolicy") or {}
        periodic = backup.get("periodicModeProperties") or {}
        continuous = _lower(backup.get("type")) == "continuous"
        retention = (periodic.get("backupRetentionIntervalInHours") or 0) / 24 or None
        by_region = {normalise_location(loc.get("locationName")): loc for loc in locations}
        primary_loc = by_region.get(primary_region, {})
        consistency = (props.get("consistencyPolicy") or {}).get("defaultConsistencyLevel")
        self.node(id=row["id"], kind=DATABASE, type="Microsoft.DocumentDB/databaseAccounts", name=row["name"],
                  region=primary_region, source=b["source"], tags=b["tags"], attrs={
                      "engine": "cosmosdb", "multi_az": primary_loc.get("isZoneRedundant"),
                      "role": "member" if multi_write else "primary", "multi_writer": multi_write,
                      "automatic_failover": auto, "regions": list(by_region), "consistency": consistency,
                      "pitr": continuous, "backup_mode": backup.get("type"),
                      "backup_retention_days": retention,
                      "backup_redundancy": periodic.get("backupStorageRedundancy"),
                      "placement": "zone_redundant" if primary_loc.get("isZoneRedundant") else "regional"})
        for region, loc in by_region.items():
            if region == primary_region:
                continue
            replica_id = f"{row['id']}#{region}"
            self.node(id=replica_id, kind=DATABASE, type="Microsoft.DocumentDB/databaseAccounts#region",
                      name=f"{row['name']} ({region})", region=region, source=b["source"], tags=b["tags"], attrs={
                          "engine": "cosmosdb", "multi_az": loc.get("isZoneRedundant"), "synthetic": True,
                          "role": "member" if multi_write else "replica", "replica_of": row["id"],
                          "failover_priority": loc.get("failoverPriority"),
                          "placement": "zone_redundant" if loc.get("isZoneRedundant") else "regional"})
            self.link(row["id"], replica_id, REPLICATES_TO, b["source"],
                      mode="sync" if _lower(consistency) == "strong" else "async", promotable=True)
            self.link(row["id"], replica_id, FAILS_OVER_TO, b["source"], health_checked=auto, automatic=auto,
                      priority=loc.get("failoverPriority"))
        if continuous:  # continuous mode keeps the account's backups in every region it has
            self._platform_backups(row["id"], row["name"], primary_region, b["source"], redundancy=None,
                                   continuous=True, geo=False)
            for region in by_region:
                if region == primary_region:
                    continue
                backup_id = f"{row['id']}#{region}#backups"
                self.node(id=backup_id, kind=RECOVERY_POINT, type="Azure::AutomatedBackups",
                          name=f"{row['name']} backups ({region})", region=region, source=b["source"], attrs={
                              "source_resource": row["id"], "source_region": primary_region, "continuous": True,
                              "synthetic": True, "status": "available"})
                self.link(row["id"], backup_id, BACKED_UP_TO, b["source"], schedule="continuous")
        else:
            self._platform_backups(row["id"], row["name"], primary_region, b["source"],
                                   redundancy=periodic.get("backupStorageRedundancy"), continuous=False,
                                   retention_days=retention)

    def flexible_server(self, row: Mapping[str, Any]) -> None:
        b = self.base(row)
        props, region = b["props"], b["region"]
        ha = props.get("highAvailability") or {}
        logical = [z for z in (props.get("availabilityZone"), ha.get("standbyAvailabilityZone")) if z]
        zones, logical = self.zones(region, list(dict.fromkeys(logical)))
        mode = ha.get("mode")
        source_id = self.canon(props.get("sourceServerResourceId"))
        backup = props.get("backup") or {}
        engine = "postgresql" if "postgresql" in _lower(row.get("type")) else "mysql"
        geo_backup = _lower(backup.get("geoRedundantBackup")) == "enabled"
        self.node(id=row["id"], kind=DATABASE, type=row.get("type") or "", name=row["name"], region=region,
                  source=b["source"], zones=zones, tags=b["tags"], attrs={
                      "engine": engine, "engine_version": props.get("version"),
                      "multi_az": _lower(mode) == "zoneredundant" if mode else None, "ha_mode": mode,
                      "role": "replica" if source_id else "primary", "replica_of": source_id,
                      "replication_role": props.get("replicationRole"),
                      "backup_retention_days": backup.get("backupRetentionDays"), "pitr": True,
                      "backup_redundancy": "Geo" if geo_backup else "Local",
                      "placement": self.placement(region, logical if _lower(mode) == "zoneredundant" else logical[:1])})
        if source_id:
            self.link(source_id, row["id"], REPLICATES_TO, b["source"], mode="async", promotable=True)
        else:
            self._platform_backups(row["id"], row["name"], region, b["source"],
                                   redundancy="Geo" if geo_backup else "Local", continuous=True,
                                   retention_days=backup.get("backupRetentionDays"))

    # ---- compute ----
    def scale_set(self, row: Mapping[str, Any]) -> None:
        b = self.base(row)
        props = b["props"]
        self.node(id=row["id"], kind=COMPUTE_GROUP, type="Microsoft.Compute/virtualMachineScaleSets",
                  name=row["name"], region=b["region"], source=b["source"], zones=b["zones"], tags=b["tags"], attrs={
                      "desired_capacity": b["sku"].get("capacity"), "vm_size": b["sku"].get("name"),
                      "zone_balance": props.get("zoneBalance"), "orchestration_mode": props.get("orchestrationMode"),
                      "platform_fault_domain_count": props.get("platformFaultDomainCount"),
                      "logical_zones": b["logical"] or None,
                      # a scale set does not recreate the instances lost with a zone: only a scale-out
                      # (autoscale, or someone raising the capacity) adds instances in the other zones
                      "replaces_lost_instances": False,
                      "placement": self.placement(b["region"], b["logical"])})

    def autoscale_setting(self, row: Mapping[str, Any]) -> None:
        """An Azure Monitor autoscale setting: its capacity bounds go onto the scale set it targets as an
        Auto Scaling group carries them (``min_size``, ``max_size``; ``desired_capacity`` stays the scale
        set's current SKU capacity). The profile in force by default (no ``recurrence`` / ``fixedDate``,
        else the first) gives the bounds; every profile is kept. A disabled setting scales nothing."""
        props = row.get("properties") or {}
        target = self.canon(props.get("targetResourceUri"))
        if not target or target.lower() not in self._ids:
            return
        node = self._node_by_id(target)
        if node.kind != COMPUTE_GROUP or node.type != "Microsoft.Compute/virtualMachineScaleSets":
            return

        def number(value: Any) -> int | None:
            try:
                return int(value)
            except (TypeError, ValueError):
                return None

        profiles = [{"name": p.get("name"), "minimum": number((p.get("capacity") or {}).get("minimum")),
                     "maximum": number((p.get("capacity") or {}).get("maximum")),
                     "default": number((p.get("capacity") or {}).get("default")),
                     "scheduled": bool(p.get("recurrence") or p.get("fixedDate"))}
                    for p in props.get("profiles") or ()]
        default = next((p for p in profiles if not p["scheduled"]), profiles[0] if profiles else None)
        enabled = props.get("enabled")
        enabled = True if enabled is None else bool(enabled)  # ARM's default for the flag is true
        node.attrs.update(compact({
            "autoscale_setting": row["id"], "autoscale_enabled": enabled,
            "min_size": default["minimum"] if default else None, "max_size": default["maximum"] if default else None,
            "autoscale_default": default["default"] if default else None, "autoscale_profiles": profiles or None}))

    def virtual_machine(self, row: Mapping[str, Any]) -> None:
        b = self.base(row)
        props = b["props"]
        power = (((props.get("extended") or {}).get("instanceView") or {}).get("powerState") or {}).get("code")
        vmss = self.canon((props.get("virtualMachineScaleSet") or {}).get("id"))
        self.node(id=row["id"], kind=INSTANCE, type="Microsoft.Compute/virtualMachines", name=row["name"],
                  region=b["region"], source=b["source"], zones=b["zones"], tags=b["tags"], attrs={
                      "instance_type": (props.get("hardwareProfile") or {}).get("vmSize"),
                      "state": power.split("/", 1)[-1] if power else None,
                      "availability_set": (props.get("availabilitySet") or {}).get("id"),
                      "logical_zones": b["logical"] or None,
                      "placement": self.placement(b["region"], b["logical"])})
        if vmss:
            self.link(row["id"], vmss, MEMBER_OF, b["source"])

    def disk(self, row: Mapping[str, Any]) -> None:
        b = self.base(row)
        props = b["props"]
        sku = b["sku"].get("name")
        zrs = bool(sku and sku.upper().endswith("_ZRS"))
        managed_by = self.canon(row.get("managedBy") or props.get("managedBy") or self._profile_owner(row["id"]))
        self.node(id=row["id"], kind=VOLUME, type="Microsoft.Compute/disks", name=row["name"], region=b["region"],
                  source=b["source"], zones=b["zones"], tags=b["tags"], attrs={
                      "size_gib": props.get("diskSizeGB"), "volume_type": sku, "multi_az": zrs,
                      "attached_to": [managed_by] if managed_by else None,
                      "placement": self.placement(b["region"], b["logical"], zrs)})

    # ---- network ----
    def _public_ip(self, ip_id: str | None) -> Mapping[str, Any]:
        return self.rows.get(_lower(ip_id)) or {}

    def _nic_owner(self, config_id: str) -> str | None:
        vmss = parent_id(config_id, "virtualMachineScaleSets")
        if vmss:
            return self.canon(vmss)
        nic = parent_id(config_id, "networkInterfaces")
        if nic:
            row = self.rows.get(nic.lower()) or {}
            vm = ((row.get("properties") or {}).get("virtualMachine") or {}).get("id")
            return self.canon(vm) if vm else self.canon(nic)
        return None

    def _ip_owner(self, ip_id: str | None) -> str | None:
        """What a public IP fronts: a load balancer, an application gateway, or a VM (via its NIC)."""
        row = self._public_ip(ip_id)
        config = ((row.get("properties") or {}).get("ipConfiguration") or {}).get("id")
        if not config:
            return None
        for segment in ("loadBalancers", "applicationGateways"):
            owner = parent_id(config, segment)
            if owner:
                return self.canon(owner)
        return self._nic_owner(config)

    def _by_fqdn(self, fqdn: str | None) -> str | None:
        """A resource whose DNS name is ``fqdn`` (public IP -> its owner, web app, TM profile)."""
        want = _lower(fqdn).rstrip(".")
        if not want:
            return None
        if self._fqdn_index is None:  # built once: DNS name -> resource id
            self._fqdn_index = {}
            for row in self.rows.values():
                props = row.get("properties") or {}
                kind = _lower(row.get("type"))
                names: list[str] = []
                if kind == "microsoft.network/publicipaddresses":
                    names = [(props.get("dnsSettings") or {}).get("fqdn")]
                elif kind == "microsoft.web/sites":
                    names = [props.get("defaultHostName"), *(props.get("hostNames") or [])]
                elif kind == "microsoft.network/trafficmanagerprofiles":
                    names = [(props.get("dnsConfig") or {}).get("fqdn")]
                elif kind == "microsoft.network/frontdoors":
                    names = [props.get("cname"), *((f.get("properties") or {}).get("hostName")
                                                   for f in props.get("frontendEndpoints") or [])]
                elif kind == "microsoft.cdn/profiles":  # Front Door Standard/Premium endpoint host names
                    read = self.front_doors.get(row["id"].lower()) or {}
                    names = [(e.get("properties") or {}).get("hostName") for e in read.get("endpoints") or []]
                elif kind in ("microsoft.sql/servers", "microsoft.dbforpostgresql/flexibleservers",
                              "microsoft.dbformysql/flexibleservers"):
                    names = [props.get("fullyQualifiedDomainName")]
                elif kind == "microsoft.storage/storageaccounts":
                    names = [_host(url) for url in (props.get("primaryEndpoints") or {}).values()]
                elif kind == "microsoft.documentdb/databaseaccounts":
                    names = [_host(props.get("documentEndpoint"))]
                elif kind == "microsoft.keyvault/vaults":
                    names = [_host(props.get("vaultUri"))]
                elif kind == "microsoft.cache/redis":
                    names = [props.get("hostName")]
                elif kind == "microsoft.network/privateendpoints":  # a private name resolves to the target
                    target = self._private_endpoint_target(row)
                    for config in props.get("customDnsConfigs") or []:
                        if target and config.get("fqdn"):
                            self._fqdn_index.setdefault(_lower(config["fqdn"]).replace(".privatelink.", ".")
                                                        .rstrip("."), target)
                for name in names:
                    if name:
                        self._fqdn_index.setdefault(_lower(name).rstrip("."), row["id"])
        found = self._fqdn_index.get(want)
        if found and "/publicipaddresses/" in found.lower():
            return self._ip_owner(found) or found
        return found

    def _private_endpoint_target(self, row: Mapping[str, Any]) -> str | None:
        props = row.get("properties") or {}
        for connection in [*(props.get("privateLinkServiceConnections") or []),
                           *(props.get("manualPrivateLinkServiceConnections") or [])]:
            target = (connection.get("properties") or {}).get("privateLinkServiceId")
            if target:
                return self.canon(target)
        return None

    def private_endpoints_of(self, target: str) -> list[dict[str, Any]]:
        """The private endpoints reaching ``target``: their id, region and virtual network."""
        out = []
        for row in self.rows.values():
            if _lower(row.get("type")) == "microsoft.network/privateendpoints" and \
                    _lower(self._private_endpoint_target(row)) == target.lower():
                subnet = ((row.get("properties") or {}).get("subnet") or {}).get("id") or ""
                out.append({"id": row["id"], "region": normalise_location(row.get("location")),
                            "vnet": parent_id(subnet, "virtualNetworks")})
        return out

    def site_dependencies(self, site_id: str, references: list[Mapping[str, Any]]) -> None:
        """``depends_on`` edges from an App Service / Functions app to what its settings name: a SQL
        database (server host + ``Initial Catalog``; a failover group's listener is the group), a
        storage / Cosmos DB account, a flexible server, a Key Vault, another app. Only setting names
        and hosts reach this method (``references.setting_references``)."""
        site = next((r for r in self.resources if r.id.lower() == site_id.lower()), None)
        if site is None:
            return
        seen: list[dict[str, Any]] = []
        site_vnet = parent_id(str((self.rows.get(site_id.lower()) or {}).get("properties", {}).get(
            "virtualNetworkSubnetId") or ""), "virtualNetworks")
        for ref in references:
            host = ref.get("host")
            if not host:
                continue
            targets = self._targets_of_host(host, ref.get("database"))
            seen.append(compact({"setting": ref.get("name"), "kind": ref.get("source"), "host": host,
                                 "targets": targets or None}))
            for target in targets:
                endpoints = self.private_endpoints_of(parent_id(target, "servers") or target)
                reached = [e for e in endpoints if site_vnet and _lower(e["vnet"]) == site_vnet.lower()]
                self.link(site_id, target, DEPENDS_ON, SRC_SITE_SETTINGS, setting=ref.get("name"),
                          via=ref.get("source"), host=host,
                          private_endpoint=reached[0]["id"] if reached else None,
                          private_endpoint_region=reached[0]["region"] if reached else None)
        site.attrs["setting_references"] = seen
        site.attrs["settings_read"] = True

    def _targets_of_host(self, host: str, database: str | None) -> list[str]:
        host = host.lower().rstrip(".")
        if host.endswith(".database.windows.net"):
            label = host.split(".", 1)[0]
            for group in self.resources:  # a failover group listener: <group>.database.windows.net
                if group.kind == GLOBAL_DATABASE and group.name.lower() == label and \
                        host in (f"{label}.database.windows.net", f"{label}.secondary.database.windows.net"):
                    return [group.id]
        found = self._by_fqdn(host)
        if not found:
            return []
        if "/microsoft.sql/servers/" not in _lower(found):
            return [found]
        if database:
            return [self._server_database(found, database)]
        return sorted(r["id"] for r in self.rows.values() if _lower(r.get("type")) == "microsoft.sql/servers/databases"
                      and _lower(parent_id(r["id"], "servers")) == _lower(found)
                      and not _lower(r["id"]).endswith("/databases/master"))

    def _pools(self, lb_id: str, pools: list[Mapping[str, Any]], source: str, region: str,
               lb_type: str) -> None:
        for pool in pools:
            pprops = pool.get("properties") or {}
            targets: list[str] = []
            for config in pprops.get("backendIPConfigurations") or []:
                owner = self._nic_owner(config.get("id", ""))
                if owner and owner not in targets:
                    targets.append(owner)
            addresses = []
            for address in pprops.get("backendAddresses") or []:
                value = address.get("fqdn") or address.get("ipAddress")
                addresses.append(value)
                owner = self._by_fqdn(address.get("fqdn"))
                if owner and owner not in targets:
                    targets.append(owner)
            pool_id = pool.get("id") or f"{lb_id}/backendAddressPools/{pool.get('name')}"
            self.node(id=pool_id, kind=TARGET_GROUP, type=f"{lb_type}/backendAddressPools",
                      name=pool.get("name") or pool_id.rsplit("/", 1)[-1], region=region, source=source, attrs={
                          "target_type": "ip-configuration", "targets": targets, "addresses": addresses or None})
            self.link(lb_id, pool_id, ROUTES_TO, source)
            for target in targets:
                self.link(pool_id, target, ROUTES_TO, source)

    def load_balancer(self, row: Mapping[str, Any]) -> None:
        b = self.base(row)
        props, region = b["props"], b["region"]
        logical: list[str] = []
        public = False
        fqdn = None
        for frontend in props.get("frontendIPConfigurations") or []:
            fprops = frontend.get("properties") or {}
            ip_id = (fprops.get("publicIPAddress") or {}).get("id")
            if ip_id:
                public = True
                ip = self._public_ip(ip_id)
                fqdn = fqdn or ((ip.get("properties") or {}).get("dnsSettings") or {}).get("fqdn")
                zones = ip.get("zones") or []
            else:
                zones = frontend.get("zones") or []
            logical.extend(str(z) for z in zones if str(z) not in logical)
        zones, logical = self.zones(region, logical)
        self.node(id=row["id"], kind=LOAD_BALANCER, type="Microsoft.Network/loadBalancers", name=row["name"],
                  region=region, source=b["source"], zones=zones, tags=b["tags"], attrs={
                      "lb_type": "azure-load-balancer", "sku": b["sku"].get("name"),
                      "scheme": "internet-facing" if public else "internal", "dns_name": fqdn,
                      "frontend_zones": logical or None, "placement": self.placement(region, logical)})
        self._pools(row["id"], props.get("backendAddressPools") or [], b["source"], region,
                    "Microsoft.Network/loadBalancers")

    def application_gateway(self, row: Mapping[str, Any]) -> None:
        b = self.base(row)
        props = b["props"]
        sku = props.get("sku") or {}
        self.node(id=row["id"], kind=LOAD_BALANCER, type="Microsoft.Network/applicationGateways", name=row["name"],
                  region=b["region"], source=b["source"], zones=b["zones"], tags=b["tags"], attrs={
                      "lb_type": "application-gateway", "sku": sku.get("name"), "tier": sku.get("tier"),
                      "capacity": sku.get("capacity"), "placement": self.placement(b["region"], b["logical"])})
        self._pools(row["id"], props.get("backendAddressPools") or [], b["source"], b["region"],
                    "Microsoft.Network/applicationGateways")

    def front_door(self, row: Mapping[str, Any]) -> None:
        b = self.base(row)
        props = b["props"]
        frontends = [(f.get("properties") or {}).get("hostName") for f in props.get("frontendEndpoints") or []]
        probes = {_lower(p.get("id")): (p.get("properties") or {}) for p in props.get("healthProbeSettings") or []}
        self.node(id=row["id"], kind=LOAD_BALANCER, type="Microsoft.Network/frontDoors", name=row["name"],
                  region=GLOBAL_REGION, source=b["source"], tags=b["tags"], attrs={
                      "lb_type": "front-door", "scheme": "internet-facing", "dns_name": frontends[0] if frontends else None,
                      "hostnames": [f for f in frontends if f] or None, "placement": "global"})
        for pool in props.get("backendPools") or []:
            pprops = pool.get("properties") or {}
            probe = probes.get(_lower((pprops.get("healthProbeSettings") or {}).get("id")), {})
            checked = bool(probe) and _lower(probe.get("enabledState") or "enabled") == "enabled"
            backends = pprops.get("backends") or []
            targets: list[tuple[str, Mapping[str, Any]]] = []
            for backend in backends:
                owner = self._by_fqdn(backend.get("address"))
                if owner:
                    targets.append((owner, backend))
            pool_id = pool.get("id") or f"{row['id']}/backendPools/{pool.get('name')}"
            self.node(id=pool_id, kind=TARGET_GROUP, type="Microsoft.Network/frontDoors/backendPools",
                      name=pool.get("name") or pool_id.rsplit("/", 1)[-1], region=GLOBAL_REGION, source=b["source"],
                      attrs={"target_type": "backend", "targets": [t for t, _ in targets],
                             "addresses": [x.get("address") for x in backends], "health_probe": checked,
                             "health_probe_path": probe.get("path")})
            self.link(row["id"], pool_id, ROUTES_TO, b["source"], health_checked=checked)
            for target, backend in targets:
                self.link(pool_id, target, ROUTES_TO, b["source"], health_checked=checked,
                          priority=backend.get("priority"), weight=backend.get("weight"),
                          enabled=_lower(backend.get("enabledState") or "enabled") == "enabled")

    def cdn_profile(self, row: Mapping[str, Any]) -> None:
        """Front Door Standard/Premium (a ``Microsoft.Cdn/profiles`` with an AzureFrontDoor SKU), shaped
        as the classic Front Door: profile (``load_balancer``, global) ``-routes_to->`` each origin group
        (``target_group``, ``health_probe``) ``-routes_to->`` each origin's backing resource (its
        ``azureOrigin``, else its ``hostName`` resolved; ``dns:<host>`` when nothing inventoried has
        it: unseen, never counted as up), edges carrying ``priority``, ``weight``, ``enabled``. Without
        the origin-group reads the profile routes nowhere known, and its source names the ``cdn``
        reads, so their coverage gap makes the verdicts that rely on it unknown.

        The profile routes to the origin groups its endpoints' routes send to (``originGroup.id``): the edge
        is ``enabled: false`` when every route to the group is disabled, or on a disabled endpoint (it carries
        nothing: ``live_routes``); a group no route sends to gets no edge. An endpoint whose routes could not
        be read may send anywhere: every group is linked for it, and the ``cdn:routes`` coverage record
        (about the profile) makes the verdicts that rely on the profile unknown."""
        sku = _lower((row.get("sku") or {}).get("name"))
        if "azurefrontdoor" not in sku:
            return  # classic CDN profiles serve cached content, not an entry point with failover
        b = self.base(row)
        read = self.front_doors.get(row["id"].lower())
        endpoints = [e for e in (read or {}).get("endpoints") or []]
        hosts = [(e.get("properties") or {}).get("hostName") for e in endpoints]
        groups = (read or {}).get("origin_groups")
        self.node(id=row["id"], kind=LOAD_BALANCER, type="Microsoft.Cdn/profiles", name=row["name"],
                  region=GLOBAL_REGION, source=SRC_AFD if read is not None else b["source"], tags=b["tags"], attrs={
                      "lb_type": "front-door-standard", "sku": (row.get("sku") or {}).get("name"),
                      "scheme": "internet-facing", "placement": "global",
                      "dns_name": next((h for h in hosts if h), None), "hostnames": [h for h in hosts if h] or None,
                      "endpoints": [compact({"name": e.get("name"), "host_name": (e.get("properties") or {}).get(
                          "hostName"), "enabled": _lower((e.get("properties") or {}).get("enabledState")
                                                         or "enabled") == "enabled"}) for e in endpoints] or None,
                      "origin_groups_read": groups is not None if read is not None else None})
        routed = self._afd_routed_groups(read, endpoints)
        if routed is not None:
            self._node_by_id(row["id"]).attrs["routes_read"] = routed[1]
        origins_by_group = {k.lower(): v for k, v in ((read or {}).get("origins") or {}).items()}
        for group in groups or []:
            gprops = group.get("properties") or {}
            probe = gprops.get("healthProbeSettings") or {}
            checked = bool(probe)
            group_id = group.get("id") or f"{row['id']}/originGroups/{group.get('name')}"
            origins = origins_by_group.get(group_id.lower())
            targets: list[tuple[str, Mapping[str, Any]]] = []
            for origin in origins or []:
                oprops = origin.get("properties") or {}
                target = self._afd_origin_target(oprops)
                if target:
                    targets.append((target, oprops))
            balancing = gprops.get("loadBalancingSettings") or {}
            self.node(id=group_id, kind=TARGET_GROUP, type="Microsoft.Cdn/profiles/originGroups",
                      name=f"{row['name']}/{group.get('name') or group_id.rsplit('/', 1)[-1]}", region=GLOBAL_REGION,
                      source=SRC_AFD_ORIGINS if origins is not None else SRC_AFD, attrs={
                          "target_type": "origin", "targets": [t for t, _ in targets],
                          "addresses": [(o.get("properties") or {}).get("hostName") for o in origins or []] or None,
                          "health_probe": checked, "health_probe_path": probe.get("probePath"),
                          "health_probe_protocol": probe.get("probeProtocol"),
                          "health_probe_interval_s": probe.get("probeIntervalInSeconds"),
                          "sample_size": balancing.get("sampleSize"),
                          "successful_samples_required": balancing.get("successfulSamplesRequired"),
                          "origins_read": origins is not None})
            if routed is None or routed[1] is False:  # routes not read (for some endpoint): any group may be used
                self.link(row["id"], group_id, ROUTES_TO, SRC_AFD, health_checked=checked)
            elif group_id.lower() in routed[0]:
                live = routed[0][group_id.lower()]
                self.link(row["id"], group_id, ROUTES_TO, SRC_AFD_ROUTES, health_checked=checked,
                          **({} if live else {"enabled": False}))
            for target, oprops in targets:
                self.link(group_id, target, ROUTES_TO, SRC_AFD_ORIGINS, health_checked=checked,
                          priority=oprops.get("priority"), weight=oprops.get("weight"),
                          enabled=_lower(oprops.get("enabledState") or "enabled") == "enabled",
                          host=oprops.get("hostName"))

    @staticmethod
    def _afd_routed_groups(read: Mapping[str, Any] | None, endpoints: list[Mapping[str, Any]]
                           ) -> tuple[dict[str, bool], bool] | None:
        """``({origin group id (lower): carries traffic}, every endpoint's routes read)`` from the routes
        read (``None``: a caller that did not read routes at all). A group carries traffic when an enabled
        route of an enabled endpoint sends to it."""
        if read is None or read.get("routes") is None:
            return None
        by_endpoint = {str(k).lower(): v for k, v in (read.get("routes") or {}).items()}
        groups: dict[str, bool] = {}
        complete = True
        for endpoint in endpoints:
            routes = by_endpoint.get(_lower(endpoint.get("id")))
            if routes is None:
                complete = False
                continue
            endpoint_on = _lower((endpoint.get("properties") or {}).get("enabledState") or "enabled") == "enabled"
            for route in routes:
                props = route.get("properties") or {}
                group = _lower((props.get("originGroup") or {}).get("id"))
                if group:
                    on = endpoint_on and _lower(props.get("enabledState") or "enabled") == "enabled"
                    groups[group] = groups.get(group, False) or on
        return groups, complete

    def _afd_origin_target(self, oprops: Mapping[str, Any]) -> str | None:
        """What an origin reaches: its ``azureOrigin`` resource (a public IP -> its owner), else the
        resource with its host name, else ``dns:<host>`` (unseen)."""
        azure = self.canon((oprops.get("azureOrigin") or {}).get("id"))
        if azure and "/publicipaddresses/" in azure.lower():
            azure = self._ip_owner(azure) or azure
        host = _lower(oprops.get("hostName")).rstrip(".")
        return azure or self._by_fqdn(host) or (f"dns:{host}" if host else None)

    def dns_record_sets(self, zone_id: str, sets: Iterable[Mapping[str, Any]]) -> None:
        """Azure DNS record sets of one public zone, shaped as Route 53 records (``dns_record``, see
        ``route53.transform_records``): A/AAAA/CNAME only; ``zone_id`` is the zone's ARM id, ``routing``
        is ``simple`` (Azure DNS has no routing policies: Traffic Manager is the routing, and a record
        naming a profile routes through it). ``record -member_of-> zone``; ``record -routes_to->`` the
        alias ``targetResource`` (a public IP -> its owner; a Front Door endpoint -> its profile), else
        the resource whose host name the CNAME names or whose public IP the A/AAAA record holds."""
        zone_id = self.canon(zone_id) or zone_id
        zone_row = self.rows.get(zone_id.lower()) or {}
        zone_name = _lower(zone_row.get("name") or segment_value(zone_id, "dnszones")).rstrip(".")
        public = _lower((zone_row.get("properties") or {}).get("zoneType") or "public") != "private"
        for rset in sets:
            record_type = str(rset.get("type") or "").rsplit("/", 1)[-1].upper()
            if record_type not in RECORD_VALUE_TYPES:
                continue
            props = rset.get("properties") or {}
            relative = str(rset.get("name") or "@")
            fqdn = _lower(props.get("fqdn")).rstrip(".") or (
                zone_name if relative == "@" else f"{relative.lower()}.{zone_name}")
            field_name, value_key = RECORD_VALUE_TYPES[record_type]
            raw = props.get(field_name)
            values = [str(v.get(value_key)) for v in (raw if isinstance(raw, list) else [raw] if raw else [])
                      if isinstance(v, Mapping) and v.get(value_key)]
            alias = (props.get("targetResource") or {}).get("id")
            record_id = rset.get("id") or f"{zone_id}/{record_type}/{relative}"
            targets = self._record_targets(record_type, alias, values)
            self.node(id=record_id, kind=DNS_RECORD, type=f"Microsoft.Network/dnszones/{record_type}",
                      name=f"{fqdn} {record_type}", region=GLOBAL_REGION, source=SRC_RECORD_SETS, attrs={
                          "dns_name": fqdn, "record_type": record_type, "routing": "simple",
                          "values": [v.lower().rstrip(".") if record_type == "CNAME" else v for v in values] or None,
                          "alias_target": self._dns_name_of(targets[0]) if alias and targets else None,
                          "target_resource": self.canon(alias) if alias else None,
                          "zone_id": zone_id, "public": public, "ttl": props.get("TTL")})
            self.link(record_id, zone_id, MEMBER_OF, SRC_RECORD_SETS)
            for target in targets:
                self.link(record_id, target, ROUTES_TO, SRC_RECORD_SETS, routing="simple")

    def _record_targets(self, record_type: str, alias: str | None, values: list[str]) -> list[str]:
        if alias:
            target = self.canon(alias) or alias
            lowered = target.lower()
            if "/publicipaddresses/" in lowered:
                target = self._ip_owner(target) or target
            elif "/microsoft.cdn/profiles/" in lowered:  # an AFD (or CDN) endpoint: its profile serves it
                target = self.canon(parent_id(target, "profiles")) or target
            return [target]
        found = [self._by_fqdn(v) if record_type == "CNAME" else self._by_ip(v) for v in values]
        return list(dict.fromkeys(t for t in found if t))

    def _dns_name_of(self, node_id: str) -> str | None:
        for resource in self.resources:
            if resource.id.lower() == node_id.lower():
                return resource.attrs.get("dns_name")
        return None

    def _by_ip(self, address: str | None) -> str | None:
        """The owner (load balancer, application gateway, VM) of the public IP holding ``address``."""
        if self._ip_index is None:
            self._ip_index = {}
            for row in self.rows.values():
                if _lower(row.get("type")) == "microsoft.network/publicipaddresses":
                    ip = (row.get("properties") or {}).get("ipAddress")
                    if ip:
                        self._ip_index.setdefault(str(ip).lower(), row["id"])
        found = self._ip_index.get(_lower(address))
        return (self._ip_owner(found) or found) if found else None

    def traffic_manager(self, row: Mapping[str, Any]) -> None:
        """A profile is a DNS name; each endpoint is one answer of it (like a Route 53 record set).

        profile -routes_to-> endpoint records -routes_to-> the endpoint's target; with priority
        routing the first endpoint ``fails_over_to`` the next, health-checked by the profile's monitor.
        """
        b = self.base(row)
        props = b["props"]
        method = _lower(props.get("trafficRoutingMethod"))
        routing = TM_ROUTING.get(method, method or "simple")
        fqdn = (props.get("dnsConfig") or {}).get("fqdn")
        monitor = props.get("monitorConfig") or {}
        monitor_id = f"{row['id']}#monitor" if monitor.get("protocol") else None
        enabled = _lower(props.get("profileStatus") or "enabled") == "enabled"
        if monitor_id:
            self.node(id=monitor_id, kind=HEALTH_CHECK, type="Microsoft.Network/trafficManagerProfiles#monitor",
                      name=f"{row['name']} monitor", region=GLOBAL_REGION, source=b["source"], attrs={
                          "check_type": monitor.get("protocol"), "port": monitor.get("port"),
                          "resource_path": monitor.get("path"), "target": fqdn,
                          "interval_s": monitor.get("intervalInSeconds"),
                          "tolerated_failures": monitor.get("toleratedNumberOfFailures"),
                          "status": monitor.get("profileMonitorStatus")})
        self.node(id=row["id"], kind=DNS_RECORD, type="Microsoft.Network/trafficManagerProfiles", name=row["name"],
                  region=GLOBAL_REGION, source=b["source"], tags=b["tags"], attrs={
                      "dns_name": fqdn, "record_type": "CNAME", "routing": routing, "health_check_id": monitor_id,
                      "evaluate_target_health": bool(monitor_id), "public": True, "enabled": enabled,
                      "ttl": (props.get("dnsConfig") or {}).get("ttl")})
        endpoints = sorted(props.get("endpoints") or [],
                           key=lambda e: ((e.get("properties") or {}).get("priority") or 0, e.get("name") or ""))
        records: list[tuple[str, bool]] = []
        # a disabled endpoint is never answered: the first *enabled* one is the primary
        enabled_ids = [e.get("id") or f"{row['id']}/endpoints/{e.get('name')}" for e in endpoints
                       if _lower((e.get("properties") or {}).get("endpointStatus") or "enabled") == "enabled"]
        for endpoint in endpoints:
            eprops = endpoint.get("properties") or {}
            endpoint_id = endpoint.get("id") or f"{row['id']}/endpoints/{endpoint.get('name')}"
            target = self.canon(eprops.get("targetResourceId"))
            if target and _lower(target).find("/publicipaddresses/") >= 0:
                target = self._ip_owner(target) or target
            if not target:
                target = self._by_fqdn(eprops.get("target"))
            active = _lower(eprops.get("endpointStatus") or "enabled") == "enabled"
            location = eprops.get("endpointLocation")
            index = enabled_ids.index(endpoint_id) if endpoint_id in enabled_ids else None
            self.node(id=endpoint_id, kind=DNS_RECORD, type=endpoint.get("type") or "Microsoft.Network/trafficManagerProfiles/endpoints",
                      name=f"{row['name']}/{endpoint.get('name')}", region=GLOBAL_REGION, source=b["source"], attrs={
                          "dns_name": fqdn, "record_type": "CNAME", "routing": routing,
                          "failover_role": ("PRIMARY" if index == 0 else "SECONDARY")
                          if routing == "failover" and index is not None else None,
                          "set_identifier": endpoint.get("name"), "health_check_id": monitor_id,
                          "evaluate_target_health": bool(monitor_id), "weight": eprops.get("weight"),
                          "priority": eprops.get("priority"),
                          "record_region": normalise_location(location) if location else None,
                          "values": [eprops.get("target")] if eprops.get("target") else None,
                          "enabled": active, "monitor_status": eprops.get("endpointMonitorStatus"), "public": True})
            self.link(row["id"], endpoint_id, ROUTES_TO, b["source"], routing=routing, health_check_id=monitor_id,
                      evaluate_target_health=bool(monitor_id))
            if target:
                self.link(endpoint_id, target, ROUTES_TO, b["source"], routing=routing, health_check_id=monitor_id,
                          evaluate_target_health=bool(monitor_id))
            if active:
                records.append((endpoint_id, active))
        if routing == "failover":
            for (first, _), (second, _) in zip(records, records[1:], strict=False):
                self.link(first, second, FAILS_OVER_TO, b["source"], health_checked=bool(monitor_id))

    def dns_zone(self, row: Mapping[str, Any]) -> None:
        b = self.base(row)
        props = b["props"]
        self.node(id=row["id"], kind=DNS_ZONE, type="Microsoft.Network/dnszones", name=row["name"],
                  region=GLOBAL_REGION, source=b["source"], tags=b["tags"], attrs={
                      "dns_name": row["name"], "private": _lower(props.get("zoneType")) == "private",
                      "record_count": props.get("numberOfRecordSets")})

    def web_site(self, row: Mapping[str, Any]) -> None:
        b = self.base(row)
        props = b["props"]
        plan = self.rows.get(_lower(props.get("serverFarmId"))) or {}
        plan_props = plan.get("properties") or {}
        zone_redundant = plan_props.get("zoneRedundant") if plan else None
        is_function = "functionapp" in _lower(row.get("kind"))
        self.node(id=row["id"], kind=FUNCTION if is_function else COMPUTE_GROUP, type="Microsoft.Web/sites",
                  name=row["name"], region=b["region"], source=b["source"], tags=b["tags"],
                  zones=self.region_zones(b["region"]) if zone_redundant else (), attrs={
                      "platform": "app-service", "dns_name": props.get("defaultHostName"),
                      "plan_id": props.get("serverFarmId"), "multi_az": zone_redundant,
                      "desired_capacity": (plan.get("sku") or {}).get("capacity") if plan else None,
                      "placement": ("zone_redundant" if zone_redundant else "regional") if plan else None})

    # ---- backup and site recovery ----
    def recovery_vault(self, row: Mapping[str, Any]) -> None:
        """A Recovery Services vault. Its backup storage redundancy (``redundancySettings``
        ``standardTierStorageRedundancy``) says where its copies are: ``ZoneRedundant`` spreads them over
        the region's zones; ``LocallyRedundant`` keeps them in one datacentre, in a zone ARM does not name
        (regional placement: :func:`vault_placement`), as does ``GeoRedundant`` for its primary copies (LRS
        in the region, plus a copy in the paired region: the ``#secondary`` node). A vault whose
        redundancy was not read may be LRS: never taken as zone-redundant."""
        b = self.base(row)
        props, region = b["props"], b["region"]
        settings = props.get("redundancySettings") or {}
        redundancy = settings.get("standardTierStorageRedundancy")
        crr = _lower(settings.get("crossRegionRestore")) == "enabled"
        self.node(id=row["id"], kind=BACKUP_VAULT, type="Microsoft.RecoveryServices/vaults", name=row["name"],
                  region=region, source=b["source"], tags=b["tags"], attrs={
                      "storage_redundancy": redundancy, "cross_region_restore": crr,
                      "placement": vault_placement(redundancy),
                      "multi_az": _lower(redundancy) == "zoneredundant" if redundancy else None,
                      "geo_redundant": _lower(redundancy) == "georedundant" if redundancy else None})
        pair = self.facts.pair(region)
        if _lower(redundancy) == "georedundant" and pair:
            copy_id = f"{row['id']}#secondary"
            self.node(id=copy_id, kind=BACKUP_VAULT, type="Microsoft.RecoveryServices/vaults#secondary",
                      name=f"{row['name']} (geo-secondary)", region=pair, source=b["source"], attrs={
                          "synthetic": True, "copy_of": row["id"], "restorable": crr})
            self.link(row["id"], copy_id, REPLICATES_TO, b["source"], mode="periodic", promotable=crr)

    def _vault(self, item_id: str) -> tuple[str | None, Mapping[str, Any]]:
        vault_id = self.canon(parent_id(item_id, "vaults"))
        return vault_id, self.rows.get(_lower(vault_id)) or {}

    def _profile_owner(self, disk_id: str) -> str | None:
        """The VM whose ``storageProfile`` attaches the disk (for a disk row without ``managedBy``)."""
        if self._profile_index is None:  # managed disk id (lower-cased) -> VM id, built once
            self._profile_index = {}
            for row in self.rows.values():
                if _lower(row.get("type")) == "microsoft.compute/virtualmachines":
                    profile = (row.get("properties") or {}).get("storageProfile") or {}
                    for attached in [profile.get("osDisk") or {}, *(profile.get("dataDisks") or ())]:
                        disk = _lower((attached.get("managedDisk") or {}).get("id"))
                        if disk:
                            self._profile_index.setdefault(disk, row["id"])
        return self._profile_index.get(disk_id.lower())

    def _disks_of(self, vm_id: str) -> list[str]:
        """The inventoried managed disks of a VM: those whose ``managedBy`` names it, and those its
        ``storageProfile`` attaches (OS and data disks; a disk row need not carry ``managedBy``)."""
        if self._disk_index is None:  # managing VM (lower-cased) -> its managed disks, built once
            self._disk_index = {}
            for row in self.rows.values():
                if _lower(row.get("type")) == "microsoft.compute/disks":
                    owner = _lower(row.get("managedBy") or (row.get("properties") or {}).get("managedBy"))
                    if owner:
                        self._disk_index.setdefault(owner, []).append(row["id"])
        disks = list(self._disk_index.get(vm_id.lower(), []))
        profile = ((self.rows.get(vm_id.lower()) or {}).get("properties") or {}).get("storageProfile") or {}
        for attached in [profile.get("osDisk") or {}, *(profile.get("dataDisks") or ())]:
            row = self.rows.get(_lower((attached.get("managedDisk") or {}).get("id")))
            if row and _lower(row.get("type")) == "microsoft.compute/disks" and row["id"] not in disks:
                disks.append(row["id"])
        return disks

    def _policy(self, props: Mapping[str, Any], vault_id: str | None) -> dict[str, Any]:
        """The schedule facts of an item's backup policy (``policyId``, else vault + ``policyName``);
        empty when the vault's policies were not listed or the policy is not among them."""
        for key in (props.get("policyId"), f"{vault_id}/backupPolicies/{props.get('policyName')}"
                    if vault_id and props.get("policyName") else None):
            if key and key.lower() in self.backup_policies:
                return self.backup_policies[key.lower()]
        return {}

    def backup_item(self, row: Mapping[str, Any]) -> None:
        props = row.get("properties") or {}
        vault_id, vault = self._vault(row["id"])
        policy = self._policy(props, vault_id)
        # the backed_up_to edges carry the schedule the RPO estimate reads, and the policy's raw facts
        scheduled = compact({"rule": props.get("policyName"), "schedule": policy.get("schedule"),
                             "policy_name": policy.get("policy_name"), "backup_frequency": policy.get("backup_frequency"),
                             "retention_days": policy.get("retention_days"),
                             "schedule_source": SRC_BACKUP_POLICIES if policy else None})
        region = normalise_location(vault.get("location") or row.get("location"))
        source_id = self.canon(props.get("sourceResourceId"))
        self.node(id=row["id"], kind=RECOVERY_POINT, type="Microsoft.RecoveryServices/vaults/backupFabrics/"
                  "protectionContainers/protectedItems", name=props.get("friendlyName") or row.get("name") or "",
                  region=region, source=SRC_BACKUP, attrs={
                      "created_at": props.get("lastRecoveryPoint"), "source_resource": source_id,
                      "source_region": normalise_location((self.rows.get(_lower(source_id)) or {}).get("location"))
                      if source_id and _lower(source_id) in self.rows else None,
                      "status": props.get("lastBackupStatus"), "protection_state": props.get("protectionState"),
                      "policy": props.get("policyName"), "last_backup_at": props.get("lastBackupTime"),
                      "workload_type": props.get("workloadType"), "vault_id": vault_id,
                      "schedule": policy.get("schedule"), "backup_frequency": policy.get("backup_frequency"),
                      "retention_days": policy.get("retention_days"),
                      # the item's recovery points are held in the vault's storage (none read: may be LRS)
                      "placement": vault_placement(((vault.get("properties") or {}).get("redundancySettings") or {})
                                                   .get("standardTierStorageRedundancy")),
                      "policy_read": (_lower(vault_id) in self.policies_read) if vault_id and self.policies_read is not None
                      else None})
        if source_id:
            self.link(source_id, row["id"], BACKED_UP_TO, SRC_BACKUP, **scheduled)
            for disk in self._disks_of(source_id):  # a VM backup holds its managed disks
                self.link(disk, row["id"], BACKED_UP_TO, SRC_BACKUP, **scheduled)
        if vault_id:
            self.link(row["id"], vault_id, MEMBER_OF, SRC_BACKUP)
            settings = (vault.get("properties") or {}).get("redundancySettings") or {}
            pair = self.facts.pair(region)
            if _lower(settings.get("standardTierStorageRedundancy")) == "georedundant" and pair:
                copy_id = f"{row['id']}#secondary"
                crr = _lower(settings.get("crossRegionRestore")) == "enabled"
                self.node(id=copy_id, kind=RECOVERY_POINT, type="Microsoft.RecoveryServices/protectedItems#secondary",
                          name=f"{props.get('friendlyName') or row.get('name')} (geo copy)", region=pair,
                          source=SRC_BACKUP, attrs={"created_at": props.get("lastRecoveryPoint"), "copy_of": row["id"],
                                                      "source_resource": source_id, "source_region": region,
                                                      "synthetic": True, "restorable": crr, "status": "available"})
                self.link(row["id"], copy_id, REPLICATES_TO, SRC_BACKUP, mode="periodic", promotable=crr)
                if source_id:
                    self.link(source_id, copy_id, BACKED_UP_TO, SRC_BACKUP, **scheduled)

    def site_recovery_item(self, row: Mapping[str, Any]) -> None:
        """An Azure Site Recovery replicated VM: replicated disks in the recovery region + test evidence.

        Site Recovery is a recovery, not a running standby: no VM exists in the recovery region until
        someone starts a failover. So the protected item is a ``volume`` (role ``replica``: the
        replicated disks) in the recovery region, reached by ``replicates_to`` (mechanism
        ``site-recovery``, priced by the recovery model's ``azure-site-recovery-failover`` entry)
        from the VM's disks, and by a manual ``fails_over_to`` from the VM. A VM pinned to one zone
        is still a zonal single point of failure: it stops with its zone. The last successful *test*
        failover becomes a ``restore_test`` node (A1.3 evidence), ``scenario`` ``region`` when the
        recovery region differs from the primary, ``az`` for zone-to-zone replication.
        """
        props = row.get("properties") or {}
        details = props.get("providerSpecificDetails") or {}
        source_id = self.canon(details.get("fabricObjectId") or props.get("sourceResourceId"))
        primary = normalise_location(details.get("primaryFabricLocation"))
        recovery = normalise_location(details.get("recoveryFabricLocation"))
        if recovery == "global":
            recovery = primary
        scenario = "az" if recovery == primary else "region"
        name = props.get("friendlyName") or row.get("name") or row["id"].rsplit("/", 1)[-1]
        recovery_zone = details.get("recoveryAvailabilityZone")
        zones, _ = self.zones(recovery, [recovery_zone] if recovery_zone else [])
        self.node(id=row["id"], kind=VOLUME, type="Microsoft.RecoveryServices/replicationProtectedItems",
                  name=f"{name} (site recovery replica)", region=recovery, source=SRC_SITE_RECOVERY, zones=zones, attrs={
                      "role": "replica", "replica_of": source_id, "state": props.get("protectionState"),
                      "replication_health": props.get("replicationHealth"), "rpo_s": details.get("rpoInSeconds"),
                      "last_failover_at": props.get("lastSuccessfulFailoverTime"),
                      "last_test_failover_at": props.get("lastSuccessfulTestFailoverTime"),
                      "recovery_resource_group": details.get("recoveryAzureResourceGroupId")})
        if source_id:
            for disk in self._disks_of(source_id):  # Site Recovery replicates the VM's managed disks
                self.link(disk, row["id"], REPLICATES_TO, SRC_SITE_RECOVERY, mode="async", promotable=True,
                          lag_s=details.get("rpoInSeconds"), mechanism="site-recovery", automatic=False)
            self.link(source_id, row["id"], FAILS_OVER_TO, SRC_SITE_RECOVERY, health_checked=False, automatic=False,
                      needs_control_plane_in=recovery, mechanism="site-recovery")
        tested = props.get("lastSuccessfulTestFailoverTime")
        if tested and not str(tested).startswith("0001-"):
            self.node(id=f"{row['id']}#test-failover", kind=RESTORE_TEST,
                      type="Microsoft.RecoveryServices/testFailover", name=f"{name} test failover",
                      region=recovery, source=SRC_SITE_RECOVERY, attrs={
                          "status": "COMPLETED", "completed_at": tested, "resource": source_id,
                          "test_type": "site-recovery-test-failover", "scenario": scenario,
                          "from_region": primary, "to_region": recovery, "replica": row["id"]})


def vault_placement(redundancy: str | None) -> str:
    """Where a Recovery Services vault keeps its (primary region's) copies: ``zone_redundant`` for
    ``ZoneRedundant`` storage; ``regional`` (one datacentre, zone not reported) for ``LocallyRedundant``,
    ``GeoRedundant`` (LRS in the primary region) and a redundancy not read or not known."""
    return "zone_redundant" if _lower(redundancy) == "zoneredundant" else "regional"


def transform_subscription(subscription_id: str, observed_at: str, *, locations: list | None,
                           rows: Iterable[Mapping[str, Any]], failover_groups: Mapping[str, list] | None = None,
                           replication_links: Mapping[str, list] | None = None,
                           recovery_rows: Iterable[Mapping[str, Any]] = (),
                           blob_services: Mapping[str, Mapping[str, Any]] | None = None,
                           object_replication: Mapping[str, list] | None = None,
                           site_references: Mapping[str, list] | None = None,
                           record_sets: Mapping[str, list] | None = None,
                           front_doors: Mapping[str, Mapping[str, Any]] | None = None,
                           geo: Mapping[str, Any] | None = None,
                           backup_policies: Mapping[str, list] | None = None) -> Transformer:
    """Everything one subscription read produced -> nodes, edges and placeholder hints."""
    transformer = Transformer(subscription_id, observed_at, transform_locations(locations))
    transformer.run(rows, failover_groups=failover_groups, replication_links=replication_links,
                    recovery_rows=recovery_rows, blob_services=blob_services,
                    object_replication=object_replication, site_references=site_references,
                    record_sets=record_sets, front_doors=front_doors, geo=geo,
                    backup_policies=backup_policies)
    return transformer


def merge_rows(arm_rows: Iterable[Mapping[str, Any]] | None,
               graph_rows: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """Resources list rows (location, zones, SKU, tags) overlaid with Resource Graph rows (properties)."""
    merged: dict[str, dict[str, Any]] = {}
    for row in arm_rows or []:
        if row.get("id"):
            merged[row["id"].lower()] = dict(row)
    for row in graph_rows or []:
        if row.get("id"):
            key = row["id"].lower()
            earlier = merged.get(key, {})
            merged[key] = {**earlier, **{k: v for k, v in row.items() if v is not None}}
            merged[key]["id"] = earlier.get("id", row["id"])  # ARM's spelling of the id wins
    return list(merged.values())
