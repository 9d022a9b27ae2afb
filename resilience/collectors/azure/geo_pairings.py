"""Geo-replication and geo-DR pairings of Azure platform services -> nodes and edges (pure; a mixin of
the Transformer).

Shapes are the ARM responses the collector reads (``api``):

- **Azure Cache for Redis geo-replication** (``Linked Server - List``, Premium): each item describes the
  LINKED cache, ``properties.serverRole`` being *its* role. Listed by the primary, the linked cache is
  ``Secondary``; listed by the secondary, it is ``Primary``: either side gives the one edge
  ``primary -replicates_to-> secondary``, as ElastiCache global datastores do on AWS (``mode: async``,
  ``promotable: true``), with ``automatic: false``: failover is a customer-run unlink (force-unlink when
  the primary's region is gone) that makes the read-only secondary a standalone writable cache.
- **SQL Managed Instance failover groups** (``Instance Failover Groups - List By Location``): the group
  is a ``global_database`` like a SQL Database failover group; each ``managedInstancePairs`` primary
  ``-fails_over_to->`` its partner (``health_checked``/``automatic`` when ``readWriteEndpoint.failoverPolicy``
  is Automatic, ``grace_period_minutes``, ``needs_control_plane_in`` the partner's region); both instances
  are ``member_of`` the group. The managed instance itself is a ``database`` (Resource Graph row:
  ``zoneRedundant``, backup storage redundancy).
- **Event Hubs / Service Bus Geo-DR** (``Disaster Recovery Configs - List``): a namespace is a ``queue``
  (a serving dependency, not data). Geo-DR copies the namespace's *metadata* (entities, settings) to a
  paired namespace and moves the alias on a manual failover; messages are not replicated. So the pairing is
  ``primary -replicates_to-> secondary`` with ``promotable: true`` (the secondary can take over serving
  through the alias), ``automatic: false``, ``copies: metadata``, ``messages_replicated: false``: a
  dependency on the namespace survives its region, but the messages held there are lost with it (a
  ``queue`` is never judged for ``data_intact``; the recovery model prices the takeover as
  ``messaging-geo-dr-failover``: an RTO path, RPO unbounded). ``PrimaryNotReplicating`` (pairing broken)
  makes no edge. Service Bus *Geo-Replication* (messages replicated too) is described on the namespace
  itself (``properties.geoDataReplication``: ``locations[]`` with ``roleType``, ``maxReplicationLagDurationInSeconds``,
  a preview API version): not read yet, so such a namespace is priced as unpaired.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from resilience.model import (
    DATABASE,
    FAILS_OVER_TO,
    GLOBAL_DATABASE,
    GLOBAL_REGION,
    MEMBER_OF,
    QUEUE,
    REPLICATES_TO,
)

from .regions import normalise_location

SRC_REDIS_LINKS = "redis:LinkedServer_List"
SRC_INSTANCE_FAILOVER_GROUPS = "sql:InstanceFailoverGroups_ListByLocation"
SRC_GEO_DR = {"eventhub": "eventhub:DisasterRecoveryConfigs_List",
              "servicebus": "servicebus:DisasterRecoveryConfigs_List"}

REDIS_FAILOVER = "unlink the geo-replication link (force-unlink when the primary's region is down): the secondary " \
                 "becomes a standalone writable cache; clients move to its host name"
GEO_DR_FAILOVER = "fail over the Geo-DR alias from the secondary namespace: the alias points at it and the pairing " \
                  "breaks; messages still in the primary are not copied"


def _lower(value: Any) -> str:
    return str(value or "").lower()


def _host(url: Any) -> str | None:
    text = str(url or "")
    return text.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or None


class GeoPairings:
    base: Any
    node: Any
    link: Any
    hint: Any
    canon: Any
    rows: Any
    resources: Any
    region_zones: Any
    facts: Any
    placement: Any
    _platform_backups: Any
    _by_fqdn: Any
    _fqdn_index: Any
    _ids: Any

    def geo_handlers(self) -> dict[str, Any]:
        """Resource Graph row handlers of the types this module adds."""
        return {"microsoft.sql/managedinstances": self.managed_instance,
                "microsoft.eventhub/namespaces": self.messaging_namespace,
                "microsoft.servicebus/namespaces": self.messaging_namespace}

    def geo_pairings(self, pairings: Mapping[str, Any] | None) -> None:
        """``pairings``: ``redis`` {cache id: linked servers}, ``instance_failover_groups`` [groups],
        ``eventhub`` / ``servicebus`` {namespace id: disaster recovery configs}. A read that failed is
        absent (its coverage record says why), never an empty list."""
        pairings = pairings or {}
        for cache_id, servers in sorted((pairings.get("redis") or {}).items()):
            self.redis_linked_servers(cache_id, servers)
        self.instance_failover_groups(pairings.get("instance_failover_groups") or [])
        for family in ("eventhub", "servicebus"):
            for namespace_id, configs in sorted((pairings.get(family) or {}).items()):
                self.disaster_recovery_configs(family, namespace_id, configs)

    # ---- helpers ----
    def _name_resolves_to(self, host: str | None, target: str) -> None:
        """Make ``host`` (an alias, a listener) resolve to ``target`` for the app-settings references."""
        if not host:
            return
        if self._fqdn_index is None:
            self._by_fqdn("index")  # builds the host index once
        self._fqdn_index.setdefault(host.lower().rstrip("."), target)

    def _mark(self, resource_id: str, **attrs: Any) -> None:
        for resource in self.resources:
            if resource.id.lower() == resource_id.lower():
                resource.attrs.update({k: v for k, v in attrs.items() if v is not None})
                return

    def _region_of(self, resource_id: str | None) -> str | None:
        row = self.rows.get(_lower(resource_id))
        return normalise_location(row.get("location")) if row and row.get("location") else None

    # ---- nodes ----
    def managed_instance(self, row: Mapping[str, Any]) -> None:
        b = self.base(row)
        props, region = b["props"], b["region"]
        zone_redundant = props.get("zoneRedundant")
        redundancy = (props.get("currentBackupStorageRedundancy") or props.get("requestedBackupStorageRedundancy")
                      or props.get("backupStorageRedundancy"))
        self.node(id=row["id"], kind=DATABASE, type="Microsoft.Sql/managedInstances", name=row["name"], region=region,
                  source=b["source"], zones=b["zones"], tags=b["tags"], attrs={
                      "engine": "azure-sql-managed-instance",
                      "multi_az": bool(zone_redundant) if zone_redundant is not None else None,
                      "pitr": True, "backup_redundancy": redundancy, "role": "primary",
                      "sku": b["sku"].get("name"), "dns_name": props.get("fullyQualifiedDomainName"),
                      "dns_zone": props.get("dnsZone"),
                      "placement": self.placement(region, b["logical"], zone_redundant)})
        self._platform_backups(row["id"], row["name"], region, b["source"], redundancy=redundancy, continuous=True)
        self._name_resolves_to(props.get("fullyQualifiedDomainName"), row["id"])

    def messaging_namespace(self, row: Mapping[str, Any]) -> None:
        b = self.base(row)
        props, region = b["props"], b["region"]
        sku = b["sku"] or props.get("sku") or {}
        event_hubs = "eventhub" in _lower(row.get("type"))
        zone_redundant = props.get("zoneRedundant")
        zoned = bool(zone_redundant) and bool(self.facts.zones_available(region))
        self.node(id=row["id"], kind=QUEUE, type="Microsoft.EventHub/namespaces" if event_hubs
                  else "Microsoft.ServiceBus/namespaces", name=row["name"], region=region, source=b["source"],
                  tags=b["tags"], zones=self.region_zones(region) if zoned else b["zones"], attrs={
                      "platform": "event-hubs" if event_hubs else "service-bus", "sku": sku.get("name"),
                      "tier": sku.get("tier"), "zone_redundant": zone_redundant, "multi_az": zoned,
                      "placement": "zone_redundant" if zoned else self.placement(region, b["logical"]),
                      "dns_name": _host(props.get("serviceBusEndpoint"))})
        self._name_resolves_to(_host(props.get("serviceBusEndpoint")), row["id"])

    # ---- pairings ----
    def redis_linked_servers(self, cache_id: str, servers: Iterable[Mapping[str, Any]]) -> None:
        cache_id = self.canon(cache_id)
        for server in servers:
            props = server.get("properties") or {}
            linked = self.canon(props.get("linkedRedisCacheId"))
            location = props.get("linkedRedisCacheLocation")
            linked_region = normalise_location(location) if location else self._region_of(linked)
            role = _lower(props.get("serverRole"))
            if not linked or role not in ("primary", "secondary"):
                continue
            if linked.lower() not in self._ids:
                self.hint(linked, region=linked_region, type="Microsoft.Cache/redis")
            primary, secondary = (cache_id, linked) if role == "secondary" else (linked, cache_id)
            self.link(primary, secondary, REPLICATES_TO, SRC_REDIS_LINKS, mode="async", promotable=True,
                      automatic=False, mechanism="redis-geo-replication", failover=REDIS_FAILOVER,
                      state=props.get("provisioningState"))
            self._mark(primary, geo_replication="primary")
            self._mark(secondary, geo_replication="secondary", role="replica", replica_of=primary)

    def instance_failover_groups(self, groups: Iterable[Mapping[str, Any]]) -> None:
        for group in groups:
            props = group.get("properties") or {}
            if _lower(props.get("replicationRole") or "primary") != "primary":
                continue  # the primary's location lists it too: one description
            endpoint = props.get("readWriteEndpoint") or {}
            policy = endpoint.get("failoverPolicy")
            automatic = _lower(policy) == "automatic"
            grace = endpoint.get("failoverWithDataLossGracePeriodMinutes")
            partner_regions = [normalise_location(p.get("location")) for p in props.get("partnerRegions") or []
                               if p.get("location")]
            members: list[str] = []
            primary_region = None
            writer = None
            for pair in props.get("managedInstancePairs") or []:
                primary = self.canon(pair.get("primaryManagedInstanceId"))
                partner = self.canon(pair.get("partnerManagedInstanceId"))
                if not primary or not partner:
                    continue
                writer = writer or primary
                primary_region = primary_region or self._region_of(primary)
                partner_region = self._region_of(partner) or (partner_regions[0] if partner_regions else None)
                if partner.lower() not in self._ids:
                    self.hint(partner, region=partner_region, type="Microsoft.Sql/managedInstances")
                self.link(primary, partner, FAILS_OVER_TO, SRC_INSTANCE_FAILOVER_GROUPS, health_checked=automatic,
                          automatic=automatic, grace_period_minutes=grace, needs_control_plane_in=partner_region)
                for member in (primary, partner):
                    self.link(member, group["id"], MEMBER_OF, SRC_INSTANCE_FAILOVER_GROUPS)
                    members.append(member)
                self._mark(partner, role="replica", replica_of=primary)
            if not members:
                continue
            self.node(id=group["id"], kind=GLOBAL_DATABASE, type="Microsoft.Sql/locations/instanceFailoverGroups",
                      name=group.get("name") or group["id"].rsplit("/", 1)[-1], region=GLOBAL_REGION,
                      source=SRC_INSTANCE_FAILOVER_GROUPS, attrs={
                          "members": list(dict.fromkeys(members)), "writer": writer, "failover_policy": policy,
                          "grace_period_minutes": grace, "primary_region": primary_region,
                          "partner_regions": sorted(set(partner_regions)), "engine": "azure-sql-managed-instance",
                          "replication_state": props.get("replicationState")})
            zone = (self.rows.get(_lower(writer)) or {}).get("properties", {}).get("dnsZone")
            if zone:  # the read-write listener: <group>.<dns zone>.database.windows.net
                self._name_resolves_to(f"{group.get('name')}.{zone}.database.windows.net", group["id"])

    def disaster_recovery_configs(self, family: str, namespace_id: str,
                                  configs: Iterable[Mapping[str, Any]]) -> None:
        namespace_id = self.canon(namespace_id)
        source = SRC_GEO_DR[family]
        kind = "Microsoft.EventHub/namespaces" if family == "eventhub" else "Microsoft.ServiceBus/namespaces"
        for config in configs:
            props = config.get("properties") or {}
            role = _lower(props.get("role"))
            partner = self.canon(props.get("partnerNamespace"))
            alias = config.get("name")
            if role not in ("primary", "secondary") or not partner or not partner.startswith("/"):
                self._mark(namespace_id, geo_dr_alias=alias, geo_dr_role=props.get("role"))
                continue  # PrimaryNotReplicating: an alias without a partner copies nothing
            if partner.lower() not in self._ids:
                self.hint(partner, region=self._region_of(partner), type=kind)
            primary, secondary = (namespace_id, partner) if role == "primary" else (partner, namespace_id)
            self.link(primary, secondary, REPLICATES_TO, source, mode="async", promotable=True, automatic=False,
                      mechanism="geo-dr", copies="metadata", messages_replicated=False, alias=alias,
                      failover=GEO_DR_FAILOVER, pending_operations=props.get("pendingReplicationOperationsCount"))
            self._mark(primary, geo_dr_alias=alias, geo_dr_role="primary")
            self._mark(secondary, geo_dr_alias=alias, geo_dr_role="secondary", role="replica", replica_of=primary)
            if alias:  # clients use the alias: it resolves to the namespace that is primary now
                self._name_resolves_to(f"{alias}.servicebus.windows.net", primary)
