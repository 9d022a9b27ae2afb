"""Cloud Asset ``data`` of the GCP data and serverless services -> nodes and edges (pure).

A mixin of :class:`~resilience.collectors.gcp.transform.Transformer` (it uses ``node``, ``link``,
``hint`` and ``account_of``). Shapes are the services' own REST resources, as Cloud Asset returns
them in ``resource.data``:

- Spanner ``Instance.config`` (``projects/P/instanceConfigs/regional-<region>`` or a multi-region
  configuration such as ``nam3``): regional = three zones of one region; multi-region = read-write
  replicas in two regions (:data:`MULTI_REGION_CONFIGS`), failover automatic. An instance with no
  ``spanner.googleapis.com/Database`` under it holds no data of its own (``holds_data: false``, no PITR).
- Firestore ``Database.locationId`` (a region, or ``nam5`` / ``eur3``), ``pointInTimeRecoveryEnablement``.
- Spanner and Firestore backups and schedules (read by :mod:`.backups`, not Cloud Asset): a
  ``recovery_point`` per region the backups are kept in (a Spanner instance's configuration, a Firestore
  database's location), ``backed_up_to`` from the store with the schedule's interval; a Spanner backup copied
  into another instance (``backups.copy``) is kept in that instance's regions, a copy of its source's data.
- Bigtable ``Cluster.location`` (``projects/P/locations/<zone>``): one node per cluster; the first
  cluster of an instance is the primary, the others replicate from it.
- Memorystore for Redis ``Instance.tier`` (``BASIC``: one zone; ``STANDARD_HA``: ``locationId`` +
  ``alternativeLocationId``), ``replicaCount``: a cache is judged as serving capacity
  (``compute_group``), not as data: its contents are rebuilt from the source of truth.
- Cloud Run ``Service`` (Knative v1: ``metadata.labels['cloud.googleapis.com/location']``,
  ``spec.template.spec.containers[].env``; v2: ``template.containers[].env``) and Cloud Functions
  (``CloudFunction.environmentVariables``; 2nd gen ``Function.serviceConfig.environmentVariables``):
  regional, zone-redundant by the platform; env variable NAMES only (values are dropped), and the
  Cloud SQL instances they name (``run.googleapis.com/cloudsql-instances`` or a
  ``PROJECT:REGION:INSTANCE`` connection name, alone or inside a value: ``/cloudsql/P:R:I``, a DSN)
  become ``depends_on`` edges.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from resilience.model import (
    BACKED_UP_TO,
    COMPUTE_GROUP,
    DATABASE,
    DEPENDS_ON,
    FAILS_OVER_TO,
    FUNCTION,
    RECOVERY_POINT,
    REPLICATES_TO,
)

from .backup_points import firestore_schedule, spanner_schedule, summarise
from .regions import region_of_location

#: Read-write regions of the multi-region configurations (Spanner instance configs, Firestore
#: locations), as Google documents them; the first is the default leader region.
MULTI_REGION_CONFIGS: dict[str, tuple[str, ...]] = {
    "nam3": ("us-east4", "us-east1"), "nam6": ("us-central1", "us-east1"), "nam7": ("us-central1", "us-east4"),
    "eur3": ("europe-west1", "europe-west4"), "eur5": ("europe-west2", "europe-west1"),
    "eur6": ("europe-west4", "europe-west3"), "asia1": ("asia-northeast1", "asia-northeast2"),
    "nam-eur-asia1": ("us-central1", "us-central2"), "nam5": ("us-central1", "us-central2"),
}
#: a Cloud SQL instance connection name ``PROJECT:REGION:INSTANCE`` (a domain-scoped project ``example.com:p``
#: too), alone or inside a value: the proxy's socket path ``/cloudsql/P:R:I``, a DSN's ``host=/cloudsql/P:R:I``,
#: a ``cloud-sql-proxy P:R:I`` argument (only the matched name is kept, never the value)
_CONNECTION_NAME = re.compile(r"(?<![A-Za-z0-9.:_-])((?:[a-z0-9-]+(?:\.[a-z0-9-]+)+:)?[a-z][a-z0-9-]{4,28}[a-z0-9])"
                              r":([a-z]+-[a-z]+\d+):([a-z][a-z0-9-]*)(?![A-Za-z0-9:_-])")


def connection_names(value: str) -> list[tuple[str, str, str]]:
    """``(project, region, instance)`` of every Cloud SQL connection name ``value`` holds."""
    return [m.groups() for m in _CONNECTION_NAME.finditer(value)]
#: a resource named in an env value by its path (``projects/P/locations/R/instances/I``, ``projects/P/databases/D``,
#: ``projects/P/instances/I``), or an internal address (a Memorystore host): references, not secrets — only
#: the matched part is kept, never the value
_RESOURCE_PATH = re.compile(r"projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/(?:locations/[a-z0-9-]+/)?"
                            r"(?:instances|databases|clusters)/[A-Za-z0-9()_.-]+")
_HOST = re.compile(r"^(?:redis://)?((?:\d{1,3}\.){3}\d{1,3})(?::\d+)?/?$")
#: a path's service when the scan does not hold what it names: ``projects/P/instances/I`` is a Spanner, Cloud SQL
#: or Bigtable instance and ``projects/P/locations/L/instances/I`` a Memorystore (Redis or Memcached) or Filestore
#: one, so the variable's name picks (first keyword found), else the first service of the shape
_PATH_SERVICES: dict[str, tuple[tuple[str, str], ...]] = {  # shape -> (name keyword, service host)
    "instances": (("SPANNER", "spanner"), ("BIGTABLE", "bigtableadmin"), ("SQL", "cloudsql")),
    "locations/instances": (("REDIS", "redis"), ("MEMCACHE", "memcache"), ("FILESTORE", "file")),
    "databases": (("FIRESTORE", "firestore"),),
}


def unseen_target(ref: str, setting: str) -> str | None:
    """The id of what a resource path names, for a reference to something the scan does not hold (the
    service picked by the path's shape and the variable's name); ``None`` for a shape of no known service."""
    parts = ref.split("/")
    located = len(parts) == 6 and parts[2] == "locations"
    shape = "locations/" + parts[4] if located else parts[2] if len(parts) == 4 else ""
    services = _PATH_SERVICES.get(shape)
    if not services:
        return None
    host = next((s for s in services if s[0] in setting.upper()), services[0])[1]
    return f"//{host}.googleapis.com/{ref}"


@dataclass
class BackupReads:
    """What the Spanner and Firestore APIs said of backups, by Cloud Asset name; a name absent from a map
    was not read (its read failed: a coverage record says so), which is not the same as no backups."""

    #: Spanner instance -> the backups it holds (its databases', and copies of other instances')
    spanner_backups: dict[str, list[dict]] = field(default_factory=dict)
    #: Spanner instance -> {database path -> its schedules}, every database of the instance read
    spanner_schedules: dict[str, dict[str, list[dict]]] = field(default_factory=dict)
    #: Firestore database -> its backups kept in its location
    firestore_backups: dict[str, list[dict]] = field(default_factory=dict)
    #: Firestore database -> its backup schedules
    firestore_schedules: dict[str, list[dict]] = field(default_factory=dict)


def _tags(labels: Mapping[str, Any] | None) -> dict[str, str]:
    from .transform import tags_of  # the transform module imports this one

    return tags_of(labels)


def _last(path: Any) -> str:
    return str(path or "").rstrip("/").rsplit("/", 1)[-1]


class DataServices:
    """Handlers for Spanner, Firestore, Bigtable, Memorystore, Cloud Run and Cloud Functions."""

    node: Any
    link: Any
    hint: Any
    account_of: Any
    backups: BackupReads
    spanner_databases: dict[str, list[str]]

    def _backup_points(self, asset: Mapping[str, Any], *, source: str, label: str, type_: str,
                       regions: Iterable[str], backups: list[Mapping[str, Any]], schedule: Mapping[str, Any],
                       base_id: str, attrs: Mapping[str, Any]) -> None:
        """The backups of ``source`` kept in ``regions``: one recovery point per region (the first named
        ``base_id``), ``backed_up_to`` from ``source`` with the schedule (none for a copy made on demand)."""
        regions = list(regions) or ["unknown"]
        summary = {**summarise(list(backups)), **{k: v for k, v in schedule.items() if k != "schedule"}}
        for index, region in enumerate(regions):
            point = base_id if index == 0 else f"{base_id}#{region}"
            self.node(asset, id=point, kind=RECOVERY_POINT, type=type_, name=f"{label} backups"
                      + (f" ({region})" if index else ""), region=region, attrs={
                          **attrs, **summary, "source_resource": source, "synthetic": True,
                          "backup_regions": regions if len(regions) > 1 else None})
            self.link(source, point, BACKED_UP_TO, schedule=schedule.get("schedule"))

    def spanner_backups(self, asset: Mapping[str, Any], name: str, label: str, regions: tuple[str, ...]) -> None:
        """The backups this instance holds, grouped by the instance of the database they were taken from:
        its own, and copies of other instances' (``backups.copy``), all kept in this instance's regions."""
        held = self.backups.spanner_backups.get(name)
        if held is None:
            return  # unread: the read's coverage record makes what rests on it unknown
        path = name.split("googleapis.com/", 1)[-1]
        by_source: dict[str, list[Mapping[str, Any]]] = {path: []}
        for backup in held:
            source = str(backup.get("database") or "").split("/databases/", 1)[0] or path
            by_source.setdefault(source, []).append(backup)
        schedules = self.backups.spanner_schedules.get(name)
        location = {"location_type": "region" if len(regions) == 1 else "multi-region", "instance": name}
        for source, backups in by_source.items():
            own = source == path
            if own and not backups and not any(schedules.values() if schedules else ()):
                continue  # no backup and no schedule: nothing to show (RES-DATA-001 says so)
            schedule = (spanner_schedule(schedules) if schedules is not None
                        else {"schedules_read": False}) if own else {}
            source_id = f"//spanner.googleapis.com/{source}"
            self._backup_points(asset, source=source_id, label=label if own else f"{_last(source)} (copied into "
                                f"{label})", type_="spanner.googleapis.com/Backup", regions=regions,
                                backups=backups, schedule=schedule,
                                base_id=f"{name}#backups" if own else f"{source_id}#backups@{_last(path)}",
                                attrs={**location, "copied": None if own else True})

    def firestore_backups(self, asset: Mapping[str, Any], name: str, label: str, regions: tuple[str, ...],
                          location: str) -> None:
        backups = self.backups.firestore_backups.get(name)
        if backups is None:
            return
        schedules = self.backups.firestore_schedules.get(name)
        if not backups and not schedules:
            return
        schedule = firestore_schedule(schedules) if schedules is not None else {"schedules_read": False}
        self._backup_points(asset, source=name, label=label, type_="firestore.googleapis.com/Backup",
                            regions=regions, backups=backups, schedule=schedule, base_id=f"{name}#backups",
                            attrs={"location": location, "location_type": "multi-region" if len(regions) > 1
                                   else "region"})

    def _multi_region(self, asset: Mapping[str, Any], name: str, label: str, type_: str, regions: Iterable[str],
                      attrs: Mapping[str, Any]) -> None:
        regions = list(regions)
        for other in regions[1:]:
            copy_id = f"{name}#{other}"
            self.node(asset, id=copy_id, kind=DATABASE, type=f"{type_}#region", name=f"{label} ({other})",
                      region=other, attrs={**attrs, "role": "member", "replica_of": name, "synthetic": True})
            self.link(name, copy_id, REPLICATES_TO, mode="sync", promotable=True)
            self.link(name, copy_id, FAILS_OVER_TO, health_checked=True, automatic=True)
            if attrs.get("pitr"):  # version retention (PITR) is kept by every read-write replica
                backup_id = f"{name}#{other}#pitr"
                self.node(asset, id=backup_id, kind=RECOVERY_POINT, type=f"{type_}#pitr",
                          name=f"{label} point-in-time recovery ({other})", region=other, attrs={
                              "source_resource": name, "continuous": True, "synthetic": True, "status": "available"})
                self.link(name, backup_id, BACKED_UP_TO, schedule="continuous")

    def spanner_instance(self, asset: Mapping[str, Any], data: Mapping[str, Any]) -> None:
        config = _last(data.get("config"))
        regional = config.startswith("regional-")
        regions = (config.removeprefix("regional-"),) if regional else MULTI_REGION_CONFIGS.get(config, ())
        name, label = asset["name"], data.get("displayName") or _last(data.get("name"))
        # Cloud Asset lists an instance's databases in the same read: an instance with none (one that only
        # holds backups copied into it, or an empty one) holds no data of its own, so it is no data store,
        # and has no point-in-time recovery (version retention is a database's)
        databases = self.spanner_databases.get(str(data.get("name") or name.split("googleapis.com/", 1)[-1]), [])
        attrs = {"engine": "spanner", "instance_config": config, "multi_az": True, "placement": "zone_redundant",
                 "location_type": "region" if regional else "multi-region", "pitr": bool(databases),
                 "databases": len(databases), "holds_data": bool(databases),
                 "node_count": data.get("nodeCount"), "processing_units": data.get("processingUnits")}
        self.node(asset, id=name, kind=DATABASE, type="spanner.googleapis.com/Instance", name=label,
                  region=regions[0] if regions else "unknown", tags=_tags(data.get("labels")),
                  attrs={**attrs, "role": "member" if len(regions) > 1 else "primary",
                         "regions": list(regions) or None})
        self._multi_region(asset, name, label, "spanner.googleapis.com/Instance", regions, attrs)
        self.spanner_backups(asset, name, label, regions)

    def firestore_database(self, asset: Mapping[str, Any], data: Mapping[str, Any]) -> None:
        location = str(data.get("locationId") or "").lower()
        regions = MULTI_REGION_CONFIGS.get(location, (region_of_location(location),) if location else ())
        pitr = data.get("pointInTimeRecoveryEnablement") == "POINT_IN_TIME_RECOVERY_ENABLED"
        attrs = {"engine": "firestore", "location": location, "multi_az": True, "placement": "zone_redundant",
                 "location_type": "multi-region" if location in MULTI_REGION_CONFIGS else "region", "pitr": pitr,
                 "delete_protection": data.get("deleteProtectionState")}
        name = asset["name"]
        self.node(asset, id=name, kind=DATABASE, type="firestore.googleapis.com/Database", name=_last(data.get("name")),
                  region=regions[0] if regions else "unknown",
                  attrs={**attrs, "role": "member" if len(regions) > 1 else "primary"})
        self._multi_region(asset, name, _last(data.get("name")), "firestore.googleapis.com/Database", regions, attrs)
        self.firestore_backups(asset, name, _last(data.get("name")), regions, location)

    def bigtable_clusters(self, assets: Iterable[Mapping[str, Any]]) -> None:
        """Clusters grouped by instance: the first (by name) is the primary, the others replicas."""
        by_instance: dict[str, list[Mapping[str, Any]]] = {}
        for asset in assets:
            instance = asset["name"].split("/clusters/", 1)[0]
            by_instance.setdefault(instance, []).append(asset)
        for instance, clusters in sorted(by_instance.items()):
            clusters = sorted(clusters, key=lambda a: a["name"])
            primary = clusters[0]["name"]
            for index, asset in enumerate(clusters):
                data = (asset.get("resource") or {}).get("data") or {}
                zone = _last(data.get("location"))
                self.node(asset, id=asset["name"], kind=DATABASE, type="bigtableadmin.googleapis.com/Cluster",
                          name=f"{_last(instance)}/{_last(asset['name'])}", region=region_of_location(zone),
                          zones=[zone], attrs={
                              "engine": "bigtable", "instance": instance, "serve_nodes": data.get("serveNodes"),
                              "role": "primary" if index == 0 else "replica",
                              "replica_of": primary if index else None, "multi_az": False, "placement": "zonal",
                              "location_type": "zone"})
                if index:
                    self.link(primary, asset["name"], REPLICATES_TO, mode="async", promotable=True)
                    self.link(primary, asset["name"], FAILS_OVER_TO, health_checked=False, automatic=False)

    def memorystore_redis(self, asset: Mapping[str, Any], data: Mapping[str, Any]) -> None:
        tier = data.get("tier")
        zones = [z for z in (data.get("locationId"), data.get("alternativeLocationId") if tier == "STANDARD_HA" else None)
                 if z]
        region = region_of_location(zones[0]) if zones else region_of_location((asset.get("resource") or {}).get("location"))
        self.node(asset, id=asset["name"], kind=COMPUTE_GROUP, type="redis.googleapis.com/Instance",
                  name=_last(data.get("name")), region=region, zones=zones, tags=_tags(data.get("labels")), attrs={
                      "platform": "memorystore-redis", "tier": tier, "replica_count": data.get("replicaCount"),
                      "read_replicas_mode": data.get("readReplicasMode"), "host": data.get("host"),
                      "desired_capacity": 1 + int(data.get("replicaCount") or (1 if tier == "STANDARD_HA" else 0)),
                      "multi_az": len(zones) > 1, "placement": "zone_redundant" if len(zones) > 1 else "zonal",
                      "location_type": "zone"})

    def _serverless(self, asset: Mapping[str, Any], *, type_: str, name: str, region: str,
                    env: Mapping[str, Any], sql_instances: Iterable[str], labels: Mapping[str, Any] | None,
                    platform: str) -> None:
        project = self.account_of(asset)
        self.node(asset, id=asset["name"], kind=FUNCTION, type=type_, name=name, region=region,
                  tags=_tags(labels), attrs={
                      "platform": platform, "env_names": sorted(env) or None, "placement": "zone_redundant",
                      "multi_az": True, "location_type": "region"})
        named: dict[tuple[str, str, str], str] = {}  # connection name -> the setting naming it
        for ref in sql_instances:
            for found in connection_names(str(ref).strip()):
                named.setdefault(found, "run.googleapis.com/cloudsql-instances")
        for setting, value in sorted(env.items()):
            for found in connection_names(value) if isinstance(value, str) else ():
                named.setdefault(found, setting)
        for setting, value in sorted(env.items()):
            if not isinstance(value, str):
                continue
            path, host = _RESOURCE_PATH.search(value), _HOST.match(value.strip())
            ref = path.group(0) if path else host.group(1) if host else None
            if ref:  # resolved once every asset is a node (:meth:`resolve_env_references`)
                self.env_references.append((asset["name"], setting, ref))
        for (sql_project, sql_region, instance), setting in named.items():
            target = f"//cloudsql.googleapis.com/projects/{sql_project}/instances/{instance}"
            self.hint(target, region=sql_region, type="sqladmin.googleapis.com/Instance", account=sql_project or project)
            self.link(asset["name"], target, DEPENDS_ON, setting=setting)

    def resolve_env_references(self) -> None:
        """``depends_on`` from a Cloud Run service or Cloud Function to the Memorystore instance, Firestore
        database, Spanner instance or Bigtable cluster an env value names (by resource path, or a Memorystore
        host address). A blind estate found a two-region app's BASIC Memorystore and Firestore unseen.

        A path to something this read does not hold (another project's, or one the listing missed) still
        makes the edge, to the id the path gives (:func:`unseen_target`): the graph builder makes a stub of it
        (region from a ``locations/`` segment), possibly in any zone of that region, so what rests on it is
        ``unknown``, not a pass on a dependency silently dropped (blind gcp10). A host address names no
        resource: an unknown one stays unresolved."""
        by_path: dict[str, str] = {}
        for resource in self.resources:
            if "googleapis.com/projects/" in resource.id and resource.kind != FUNCTION:
                by_path.setdefault(resource.id.split("googleapis.com/", 1)[1], resource.id)
            host = resource.attrs.get("host") if resource.type == "redis.googleapis.com/Instance" else None
            if host:
                by_path.setdefault(str(host), resource.id)
            if resource.type == "bigtableadmin.googleapis.com/Cluster" and resource.attrs.get("role") == "primary":
                # a Bigtable instance is named by its path; the graph holds its clusters, the primary first
                by_path.setdefault(str(resource.attrs.get("instance")).split("googleapis.com/", 1)[-1], resource.id)
        for function, setting, ref in self.env_references:
            target = by_path.get(ref)
            if target is None and ref.startswith("projects/"):
                target = unseen_target(ref, setting)
            if target and target != function:
                self.link(function, target, DEPENDS_ON, setting=setting)

    def cloud_run_service(self, asset: Mapping[str, Any], data: Mapping[str, Any]) -> None:
        meta = data.get("metadata") or {}
        template = data.get("template") or (data.get("spec") or {}).get("template") or {}
        containers = template.get("containers") or (template.get("spec") or {}).get("containers") or []
        env = {e.get("name"): e.get("value") for c in containers for e in c.get("env") or [] if e.get("name")}
        annotations = {**(template.get("annotations") or {}), **((template.get("metadata") or {}).get("annotations") or {})}
        sql = [s.strip() for s in str(annotations.get("run.googleapis.com/cloudsql-instances") or "").split(",") if s.strip()]
        sql += [s for c in template.get("volumes") or [] for s in (c.get("cloudSqlInstance") or {}).get("instances") or []]
        region = (meta.get("labels") or {}).get("cloud.googleapis.com/location") or \
            region_of_location((asset.get("resource") or {}).get("location"))
        self._serverless(asset, type_="run.googleapis.com/Service", name=meta.get("name") or _last(data.get("name")),
                         region=region, env=env, sql_instances=sql, labels=meta.get("labels") or data.get("labels"),
                         platform="cloud-run")

    def cloud_function(self, asset: Mapping[str, Any], data: Mapping[str, Any]) -> None:
        env = dict(data.get("environmentVariables") or (data.get("serviceConfig") or {}).get("environmentVariables") or {})
        region = str(data.get("name") or asset["name"]).split("/locations/", 1)[-1].split("/", 1)[0]
        self._serverless(asset, type_=asset.get("assetType", ""), name=_last(data.get("name")), region=region, env=env,
                         sql_instances=(), labels=data.get("labels"), platform="cloud-functions")
