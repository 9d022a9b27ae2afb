"""Cloud Asset dicts -> normalised nodes and edges (pure: no SDK, no I/O, no clock).

Mapping (``docs/graph.md``, "GCP"): node id = the asset's full resource name
(``//sqladmin.googleapis.com/projects/p/instances/i``); account = project id; region from the
location (a zone maps to its region; multi-regions stay ``eu``/``us``/``asia``); zones = zone names;
labels become tags (``resilience-workload`` also as ``resilience:workload``, since label keys cannot
hold ``:``). A dual-region bucket becomes its first region plus a synthetic ``#dual-region`` replica
in the second, so a Doha + Dammam bucket shows up as a copy inside the same failure domain.

Cross-cloud: a Cloud SQL replica of an *external* primary (a "source representation instance"
whose ``onPremisesConfiguration.hostPort`` is an RDS endpoint ``ID.HASH.REGION.rds.amazonaws.com``)
gets a ``replicates_to`` edge from ``arn:aws:rds:REGION:ACCOUNT:db:ID``; the AWS account comes from
the label ``resilience-aws-account`` on the replica or the source representation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from resilience.catalogues.aws import rds_endpoint_arn
from resilience.collectors.multicloud import compact, edge
from resilience.model import (
    BACKED_UP_TO,
    COMPUTE_GROUP,
    DATABASE,
    DEPENDS_ON,
    DNS_RECORD,
    DNS_ZONE,
    FAILS_OVER_TO,
    GLOBAL_REGION,
    HEALTH_CHECK,
    LOAD_BALANCER,
    MEMBER_OF,
    OBJECT_STORE,
    RECOVERY_POINT,
    REPLICATES_TO,
    ROUTES_TO,
    TARGET_GROUP,
    Edge,
    Resource,
)

from .api import ASSET_GROUPS
from .regions import DUAL_REGIONS, GCP_REGIONS, MULTI_REGIONS, is_zone, location_type, region_of_location
from .services import BackupReads, DataServices

PROVIDER = "gcp"
WORKLOAD_LABEL = "resilience-workload"
AWS_ACCOUNT_LABEL = "resilience-aws-account"
RPO_TARGET_S = {"ASYNC_TURBO": 900, "DEFAULT": 43200}  # turbo: 15 min; default: 12 h (99.9 % in 1 h)

# ``source`` = "<coverage service>:ListAssets" (the service group the asset type was read in), so a
# rule finds the coverage record of the read (``resilience.survival.service_of``).
GROUP_OF = {t: group for group, types in ASSET_GROUPS.items() for t in types}


def _num(value: Any) -> Any:
    """Struct numbers arrive as floats: ``3.0`` -> ``3``."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def self_link_key(link: str | None) -> str:
    """``https://www.googleapis.com/compute/v1/projects/p/zones/z/x/y`` -> ``projects/p/zones/z/x/y``."""
    if not link:
        return ""
    text = link.split("://", 1)[-1]
    index = text.find("projects/")
    return text[index:].rstrip("/") if index >= 0 else text


def compute_name(link: str | None) -> str | None:
    key = self_link_key(link)
    return f"//compute.googleapis.com/{key}" if key else None


def tags_of(labels: Mapping[str, Any] | None) -> dict[str, str]:
    tags = {str(k): str(v) for k, v in (labels or {}).items()}
    if WORKLOAD_LABEL in tags:
        tags.setdefault("resilience:workload", tags[WORKLOAD_LABEL])
    return tags


def rds_arn(host_port: str | None, account: str | None) -> str | None:
    """``ledger.c9x.me-central-1.rds.amazonaws.com:5432`` + account -> the RDS instance ARN (a cluster endpoint:
    the cluster ARN; :func:`resilience.catalogues.aws.rds_endpoint_arn`)."""
    if not host_port:
        return None
    return rds_endpoint_arn(host_port.rsplit(":", 1)[0], account or "")


class Transformer(DataServices):
    def __init__(self, observed_at: str, *, default_project: str | None = None,
                 backup_runs: Mapping[str, list] | None = None, backups: BackupReads | None = None) -> None:
        #: Cloud SQL asset name -> its backup runs (Cloud SQL Admin); absent when they were not read
        self.backup_runs = dict(backup_runs or {})
        #: Spanner / Firestore backups and schedules (their admin APIs); absent names were not read
        self.backups = backups or BackupReads()
        #: (function, env name, the resource path or host its value names): resolved after every asset
        self.env_references: list[tuple[str, str, str]] = []
        self.observed_at = observed_at
        self.default_project = default_project
        self.resources: list[Resource] = []
        self.edges: list[Edge] = []
        self.hints: dict[str, dict[str, Any]] = {}
        self.projects: dict[str, str] = {}  # project number -> project id
        self.by_link: dict[str, dict[str, Any]] = {}  # compute selfLink key -> asset
        self.sql_sources: dict[str, dict[str, Any]] = {}  # "project:name" -> source representation data
        #: Spanner instance path -> its databases' paths (Cloud Asset lists both in one read)
        self.spanner_databases: dict[str, list[str]] = {}
        self._ids: set[str] = set()
        self._edge_index: dict[tuple[str, str, str], Edge] = {}
        self._group_index: dict[str, str] | None = None

    # ---- building blocks ----
    def account_of(self, asset: Mapping[str, Any]) -> str:
        match = re.search(r"/projects/([^/]+)/", asset.get("name", "") + "/")
        if match and not match.group(1).isdigit():
            return match.group(1)
        for ancestor in asset.get("ancestors") or []:
            if ancestor.startswith("projects/"):
                number = ancestor.split("/", 1)[1]
                return self.projects.get(number, self.default_project or number)
        data = (asset.get("resource") or {}).get("data") or {}
        number = str(_num(data.get("projectNumber") or ""))
        return self.projects.get(number, self.default_project or number)

    def node(self, asset: Mapping[str, Any] | None, *, id: str, kind: str, type: str, name: str, region: str,
             zones: Iterable[str] = (), tags: Mapping[str, str] | None = None,
             attrs: Mapping[str, Any] | None = None, account: str | None = None) -> Resource:
        region = region or GLOBAL_REGION
        base: dict[str, Any] = {}
        if region in GCP_REGIONS:
            base["region_zones_available"] = GCP_REGIONS[region].zones_available
        asset_type = (asset or {}).get("assetType", "")
        source = f"{GROUP_OF.get(asset_type, 'cloudasset')}:ListAssets"
        resource = Resource(id=id, provider=PROVIDER, account=account if account is not None else self.account_of(asset or {}),
                            region=region, kind=kind, type=type, name=name, source=source,
                            observed_at=self.observed_at, zones=tuple(z for z in zones if z),
                            tags=dict(tags or {}), attrs=compact({**base, **(attrs or {})}))
        if id not in self._ids:
            self._ids.add(id)
            self.resources.append(resource)
        return resource

    def link(self, src: str | None, dst: str | None, kind: str, **attrs: Any) -> None:
        if not src or not dst or src == dst:
            return
        key = (src, dst, kind)
        if key in self._edge_index:
            for name, value in compact(attrs).items():
                self._edge_index[key].attrs.setdefault(name, value)
            return
        new = edge(src, dst, kind, "cloudasset:ListAssets", **attrs)
        self._edge_index[key] = new
        self.edges.append(new)

    def hint(self, resource_id: str, *, region: str | None, type: str, account: str | None = None) -> None:
        """What a reference says about a resource this read may not list (a placeholder if absent)."""
        self.hints.setdefault(resource_id.lower(), {"region": region, "type": type, "provider": PROVIDER,
                                                    "account": account or ""})

    # ---- the whole read ----
    def run(self, assets: Iterable[Mapping[str, Any]]) -> None:
        assets = list(assets)
        for asset in assets:
            data = (asset.get("resource") or {}).get("data") or {}
            if asset.get("assetType") == "cloudresourcemanager.googleapis.com/Project":
                self.projects[str(_num(data.get("projectNumber")))] = data.get("projectId", "")
            if data.get("selfLink"):
                self.by_link[self_link_key(data["selfLink"])] = asset
            if asset.get("assetType") == "sqladmin.googleapis.com/Instance" and data.get("instanceType") == "ON_PREMISES_INSTANCE":
                self.sql_sources[f"{data.get('project')}:{data.get('name')}"] = data
            if asset.get("assetType") == "spanner.googleapis.com/Database":
                path = str(data.get("name") or asset.get("name", "").split("googleapis.com/", 1)[-1])
                self.spanner_databases.setdefault(path.split("/databases/", 1)[0], []).append(path)
        handlers = {
            "sqladmin.googleapis.com/Instance": self.sql_instance,
            "storage.googleapis.com/Bucket": self.bucket,
            "container.googleapis.com/Cluster": self.gke_cluster,
            "compute.googleapis.com/InstanceGroupManager": self.mig,
            "compute.googleapis.com/RegionInstanceGroupManager": self.mig,
            "compute.googleapis.com/HealthCheck": self.health_check,
            "compute.googleapis.com/RegionHealthCheck": self.health_check,
            "compute.googleapis.com/NetworkEndpointGroup": self.endpoint_group,
            "compute.googleapis.com/RegionNetworkEndpointGroup": self.endpoint_group,
            "compute.googleapis.com/BackendService": self.backend_service,
            "compute.googleapis.com/RegionBackendService": self.backend_service,
            "compute.googleapis.com/ForwardingRule": self.forwarding_rule,
            "compute.googleapis.com/GlobalForwardingRule": self.forwarding_rule,
            "dns.googleapis.com/ManagedZone": self.managed_zone,
            "dns.googleapis.com/ResourceRecordSet": self.record_set,
            "spanner.googleapis.com/Instance": self.spanner_instance,
            "firestore.googleapis.com/Database": self.firestore_database,
            "redis.googleapis.com/Instance": self.memorystore_redis,
            "run.googleapis.com/Service": self.cloud_run_service,
            "cloudfunctions.googleapis.com/CloudFunction": self.cloud_function,
            "cloudfunctions.googleapis.com/Function": self.cloud_function,
        }
        self.bigtable_clusters(a for a in assets if a.get("assetType") == "bigtableadmin.googleapis.com/Cluster")
        for asset in sorted(assets, key=lambda a: list(handlers).index(a.get("assetType"))
                            if a.get("assetType") in handlers else 99):
            handler = handlers.get(asset.get("assetType", ""))
            if handler is not None:
                handler(asset, (asset.get("resource") or {}).get("data") or {})
        self.resolve_env_references()

    # ---- Cloud SQL ----
    def _sql_name(self, project: str, ref: str) -> str:
        project, _, name = ref.rpartition(":") if ":" in ref else (project, "", ref)
        return f"//cloudsql.googleapis.com/projects/{project}/instances/{name}"

    def sql_instance(self, asset: Mapping[str, Any], data: Mapping[str, Any]) -> None:
        if data.get("instanceType") == "ON_PREMISES_INSTANCE":
            return  # a source representation: an external primary, linked from its replicas
        settings = data.get("settings") or {}
        project = data.get("project") or self.account_of(asset)
        region = data.get("region") or region_of_location((asset.get("resource") or {}).get("location"))
        availability = settings.get("availabilityType")
        backup = settings.get("backupConfiguration") or {}
        retention = backup.get("backupRetentionSettings") or {}
        tags = tags_of(settings.get("userLabels"))
        master = data.get("masterInstanceName")
        replica = data.get("instanceType") == "READ_REPLICA_INSTANCE" or bool(master)
        source_rep = self.sql_sources.get(master if master and ":" in master else f"{project}:{master}") if master else None
        master_id: str | None = None
        cross_cloud = False
        if source_rep is not None:
            account = tags.get(AWS_ACCOUNT_LABEL) or (source_rep.get("settings") or {}).get("userLabels", {}).get(AWS_ACCOUNT_LABEL)
            host = (source_rep.get("onPremisesConfiguration") or {}).get("hostPort")
            master_id = rds_arn(host, account)
            cross_cloud = master_id is not None
        elif master:
            master_id = self._sql_name(project, master)
        # ``enabled: false`` still carries ``backupRetentionSettings``: the retention only means
        # something while backups run, and point-in-time recovery needs them (and its own flag:
        # ``pointInTimeRecoveryEnabled``, or ``binaryLogEnabled`` on MySQL)
        backups_on = backup.get("enabled") is True
        pitr = backups_on and bool(backup.get("pointInTimeRecoveryEnabled") or backup.get("binaryLogEnabled"))
        kept = _num(retention.get("retainedBackups")) if backups_on and retention.get(
            "retentionUnit", "COUNT") == "COUNT" else None
        name = asset["name"]
        self.node(asset, id=name, kind=DATABASE, type="sqladmin.googleapis.com/Instance", name=data.get("name", ""),
                  region=region, zones=[data.get("gceZone"), data.get("secondaryGceZone")], tags=tags, attrs={
                      "engine": data.get("databaseVersion"), "multi_az": availability == "REGIONAL" if availability else None,
                      "availability_type": availability, "role": "replica" if replica else "primary",
                      "replica_of": master_id, "backup_enabled": backups_on if not replica else None,
                      "backup_retention_count": kept if not replica else None,  # a number of backups, not days
                      "pitr": pitr if not replica else None,
                      # the backup runs were read and none succeeded: neither a backup nor PITR can restore
                      "automated_backups_usable": _runs_usable(self.backup_runs.get(name)) if backups_on else None,
                      "log_retention_days": _num(backup.get("transactionLogRetentionDays")) if pitr else None,
                      # DISK: the logs are on the instance's disk, lost with its zone; CLOUD_STORAGE: in its region
                      "pitr_log_storage": backup.get("transactionalLogStorageState") if pitr else None,
                      "backup_location": backup.get("location") or ("default" if backups_on else None),
                      "deletion_protection": settings.get("deletionProtectionEnabled"), "state": data.get("state"),
                      "tier": settings.get("tier"), "external_source": (source_rep or {}).get("onPremisesConfiguration", {}).get("hostPort") if source_rep else None,
                      "placement": "zone_redundant" if availability == "REGIONAL" else "zonal",
                      "location_type": "region"})
        if master_id:
            self.link(master_id, name, REPLICATES_TO, mode="async", promotable=True, cross_cloud=cross_cloud or None)
        for replica_name in data.get("replicaNames") or []:
            self.link(name, self._sql_name(project, replica_name), REPLICATES_TO, mode="async", promotable=True)
        dr = (data.get("replicationCluster") or {}).get("failoverDrReplicaName")
        if dr:
            self.link(name, self._sql_name(project, dr), FAILS_OVER_TO, health_checked=False, automatic=False)
        if backups_on and not replica:
            newest = _newest_backup(self.backup_runs.get(name))
            # unset, Cloud SQL keeps backups in a location of its choosing; each backup run names it (``location``)
            location = backup.get("location") or newest.get("location")
            backup_region = region_of_location(location) if location else "unknown"
            backup_id = f"{name}#backups"
            self.node(asset, id=backup_id, kind=RECOVERY_POINT, type="sqladmin.googleapis.com/BackupRun",
                      name=f"{data.get('name')} backups", region=backup_region, attrs={
                          "source_resource": name, "source_region": region, "synthetic": True, "status": "available",
                          "location_type": location_type(location) if location else "default",
                          "location_default": None if backup.get("location") else True,
                          "retention_count": kept, **newest})
            # automated backups run once a day, in the window that starts at ``startTime`` (UTC)
            self.link(name, backup_id, BACKED_UP_TO, schedule="rate(1 day)", window_start=backup.get("startTime"))

    # ---- Cloud Storage ----
    def bucket(self, asset: Mapping[str, Any], data: Mapping[str, Any]) -> None:
        location = str(data.get("location") or (asset.get("resource") or {}).get("location") or "").lower()
        kind = str(data.get("locationType") or location_type(location)).lower()
        placement = data.get("customPlacementConfig") or {}
        data_locations = [region_of_location(x) for x in placement.get("dataLocations") or []]
        if kind == "dual-region" and not data_locations:
            data_locations = list(DUAL_REGIONS.get(location, ()))
        # a multi-region bucket (US, EU, ASIA) is kept by the service in several regions it does not name: no
        # one region's loss takes it (region global, like other provider-wide services; ``multi_region`` says
        # which area), whereas a dual-region names its two regions and gets a copy in the second
        region = (data_locations[0] if kind == "dual-region" and data_locations
                  else GLOBAL_REGION if kind == "multi-region" else region_of_location(location))
        rpo = data.get("rpo") or ("DEFAULT" if kind in ("dual-region", "multi-region") else None)
        versioning = "Enabled" if (data.get("versioning") or {}).get("enabled") else "Disabled"
        name = asset["name"]
        self.node(asset, id=name, kind=OBJECT_STORE, type="storage.googleapis.com/Bucket", name=data.get("name", ""),
                  region=region, tags=tags_of(data.get("labels")), attrs={
                      "location": location, "location_type": kind, "multi_az": True,
                      "geo_redundant": kind in ("dual-region", "multi-region"),
                      "replication": kind, "data_locations": data_locations or None,
                      "multi_region": MULTI_REGIONS.get(location), "rpo": rpo,
                      "turbo_replication": rpo == "ASYNC_TURBO" if rpo else None, "versioning": versioning,
                      "storage_class": data.get("storageClass"),
                      "soft_delete_s": _num((data.get("softDeletePolicy") or {}).get("retentionDurationSeconds")),
                      "placement": "zone_redundant", "role": "primary"})
        for other in data_locations[1:]:
            copy_id = f"{name}#dual-region:{other}"
            self.node(asset, id=copy_id, kind=OBJECT_STORE, type="storage.googleapis.com/Bucket#dual-region",
                      name=f"{data.get('name')} ({other})", region=other, attrs={
                          "role": "replica", "replica_of": name, "synthetic": True, "multi_az": True,
                          "readable": True, "location_type": kind, "placement": "zone_redundant"})
            self.link(name, copy_id, REPLICATES_TO, mode="async", promotable=True, rtc=rpo == "ASYNC_TURBO",
                      rpo=rpo, rpo_target_s=RPO_TARGET_S.get(rpo or "DEFAULT"))

    # ---- GKE and managed instance groups ----
    def gke_cluster(self, asset: Mapping[str, Any], data: Mapping[str, Any]) -> None:
        location = data.get("location") or (asset.get("resource") or {}).get("location") or data.get("zone")
        zonal = is_zone(location)
        node_zones = list(data.get("locations") or ([location] if zonal else []))
        pools = data.get("nodePools") or []
        autoscaling = [p.get("autoscaling") or {} for p in pools]
        self.node(asset, id=asset["name"], kind=COMPUTE_GROUP, type="container.googleapis.com/Cluster",
                  name=data.get("name", ""), region=region_of_location(location), zones=node_zones,
                  tags=tags_of(data.get("resourceLabels")), attrs={
                      "platform": "gke", "cluster_type": "zonal" if zonal else "regional",
                      "control_plane": "zonal" if zonal else "regional",
                      "control_plane_zones": [location] if zonal else None,
                      "node_zones": node_zones, "desired_capacity": _num(data.get("currentNodeCount")),
                      "min_size": sum(_num(a.get("minNodeCount") or 0) for a in autoscaling) if any(autoscaling) else None,
                      "max_size": sum(_num(a.get("maxNodeCount") or 0) for a in autoscaling) if any(autoscaling) else None,
                      "multi_az": (not zonal) and len(node_zones) > 1,
                      "placement": "zonal" if zonal or len(node_zones) == 1 else "zone_redundant",
                      "location_type": "zone" if zonal else "region"})
        for pool in pools:
            self.gke_node_pool(asset, data, pool, node_zones)

    def gke_node_pool(self, asset: Mapping[str, Any], cluster: Mapping[str, Any], pool: Mapping[str, Any],
                      cluster_zones: list[str]) -> None:
        """A node pool runs in its own zones (``locations``; the cluster's when absent): a regional cluster
        with a pool in one zone loses that pool's pods with the zone. Which pods a pool runs is not in the
        API, so the cluster depends on every pool (a zonal pool is a zonal point of failure)."""
        zones = list(pool.get("locations") or cluster_zones)
        autoscaling = pool.get("autoscaling") or {}
        location = cluster.get("location") or (asset.get("resource") or {}).get("location") or cluster.get("zone")
        pool_id = f"{asset['name']}/nodePools/{pool.get('name', '')}"
        per_zone = _num(pool.get("initialNodeCount"))
        self.node(asset, id=pool_id, kind=COMPUTE_GROUP, type="container.googleapis.com/NodePool",
                  name=f"{cluster.get('name', '')}/{pool.get('name', '')}", region=region_of_location(location),
                  zones=zones, attrs={  # no labels of its own: it serves through its cluster, not beside it
                      "platform": "gke-node-pool", "cluster": asset["name"], "node_zones": zones,
                      "desired_capacity": per_zone * len(zones) if per_zone is not None else None,
                      "min_size": _num(autoscaling.get("minNodeCount")) if autoscaling.get("enabled") else None,
                      "max_size": _num(autoscaling.get("maxNodeCount")) if autoscaling.get("enabled") else None,
                      "multi_az": len(zones) > 1, "placement": "zone_redundant" if len(zones) > 1 else "zonal",
                      "location_type": "zone" if len(zones) == 1 else "region"})
        self.link(asset["name"], pool_id, DEPENDS_ON, via="node pool")

    def mig(self, asset: Mapping[str, Any], data: Mapping[str, Any]) -> None:
        zone = (data.get("zone") or "").rsplit("/", 1)[-1]
        region = region_of_location(zone) if zone else region_of_location(data.get("region"))
        zones = [zone] if zone else [(z.get("zone") or "").rsplit("/", 1)[-1]
                                     for z in (data.get("distributionPolicy") or {}).get("zones") or []]
        self.node(asset, id=asset["name"], kind=COMPUTE_GROUP, type=asset.get("assetType", ""),
                  name=data.get("name", ""), region=region, zones=zones, attrs={
                      "platform": "managed-instance-group", "scope": "zonal" if zone else "regional",
                      "desired_capacity": _num(data.get("targetSize")),
                      "autohealing": bool(data.get("autoHealingPolicies")),
                      "instance_group": data.get("instanceGroup"), "template": data.get("instanceTemplate"),
                      "multi_az": len(zones) > 1, "placement": "zone_redundant" if len(zones) > 1 else "zonal",
                      "location_type": "zone" if zone else "region"})

    # ---- load balancing ----
    def _mig_for_group(self, group_link: str | None) -> str | None:
        if self._group_index is None:  # instance group selfLink -> the managed instance group, built once
            self._group_index = {}
            for asset in self.by_link.values():
                data = (asset.get("resource") or {}).get("data") or {}
                if "InstanceGroupManager" in asset.get("assetType", "") and data.get("instanceGroup"):
                    self._group_index[self_link_key(data["instanceGroup"])] = asset["name"]
        return self._group_index.get(self_link_key(group_link))

    def health_check(self, asset: Mapping[str, Any], data: Mapping[str, Any]) -> None:
        kind = str(data.get("type") or "")
        details = data.get(f"{kind.lower()}HealthCheck") or {}
        self.node(asset, id=asset["name"], kind=HEALTH_CHECK, type=asset.get("assetType") or "compute.googleapis.com/HealthCheck",
                  name=data.get("name", ""), region=region_of_location(data.get("region")) if data.get("region") else GLOBAL_REGION,
                  attrs={"check_type": kind, "resource_path": details.get("requestPath"), "port": _num(details.get("port")),
                         # what a Cloud DNS failover waits for (recovery model cloud-dns-failover)
                         "interval_s": _num(data.get("checkIntervalSec")),
                         "failure_threshold": _num(data.get("unhealthyThreshold"))})

    def backend_service(self, asset: Mapping[str, Any], data: Mapping[str, Any]) -> None:
        region = region_of_location(data.get("region")) if data.get("region") else GLOBAL_REGION
        targets = [t for t in (self._mig_for_group(b.get("group")) or self._asset_name(b.get("group"))
                               for b in data.get("backends") or []) if t]
        checks = [compute_name(h) for h in data.get("healthChecks") or []]
        self.node(asset, id=asset["name"], kind=TARGET_GROUP, type=asset.get("assetType", ""), name=data.get("name", ""),
                  region=region, attrs={"target_type": "instance-group", "targets": targets,
                                        "health_checks": checks or None, "scheme": data.get("loadBalancingScheme"),
                                        "protocol": data.get("protocol"), "scope": "global" if region == GLOBAL_REGION else "regional"})
        for target in targets:
            self.link(asset["name"], target, ROUTES_TO, health_check_id=checks[0] if checks else None,
                      evaluate_target_health=bool(checks))

    def endpoint_group(self, asset: Mapping[str, Any], data: Mapping[str, Any]) -> None:
        """A network endpoint group: zonal (VM/IP:port endpoints in one zone), or regional
        serverless / Private Service Connect (a Cloud Run service, Cloud Function, App Engine)."""
        zone = str(data.get("zone") or "").rsplit("/", 1)[-1]
        region = region_of_location(zone) if zone else region_of_location(str(data.get("region") or "").rsplit("/", 1)[-1])
        project = self.account_of(asset)
        serverless = None
        if (data.get("cloudRun") or {}).get("service"):
            serverless = f"//run.googleapis.com/projects/{project}/locations/{region}/services/{data['cloudRun']['service']}"
        elif (data.get("cloudFunction") or {}).get("function"):
            serverless = (f"//cloudfunctions.googleapis.com/projects/{project}/locations/{region}/functions/"
                          f"{data['cloudFunction']['function']}")
        self.node(asset, id=asset["name"], kind=TARGET_GROUP, type=asset.get("assetType", ""), name=data.get("name", ""),
                  region=region, zones=[zone] if zone else [], attrs={
                      "target_type": "network-endpoint-group", "endpoint_type": data.get("networkEndpointType"),
                      "size": _num(data.get("size")), "serverless_target": serverless,
                      "psc_target": data.get("pscTargetService"),
                      "placement": "zonal" if zone else "regional", "location_type": "zone" if zone else "region"})
        if serverless:
            self.hint(serverless, region=region, account=project,
                      type="run.googleapis.com/Service" if "//run." in serverless else "cloudfunctions.googleapis.com/Function")
            self.link(asset["name"], serverless, ROUTES_TO)

    def _services_behind(self, target_link: str | None) -> list[str]:
        """forwarding rule target -> proxy -> URL map -> backend services (asset names)."""
        proxy = self.by_link.get(self_link_key(target_link))
        if proxy is None:
            return []
        pdata = (proxy.get("resource") or {}).get("data") or {}
        if pdata.get("service"):  # TCP/SSL proxies point at a backend service directly
            return [n for n in [self._asset_name(pdata["service"])] if n]
        url_map = self.by_link.get(self_link_key(pdata.get("urlMap")))
        if url_map is None:
            return []
        udata = (url_map.get("resource") or {}).get("data") or {}
        links = [udata.get("defaultService")]
        for matcher in udata.get("pathMatchers") or []:
            links.append(matcher.get("defaultService"))
            links.extend(rule.get("service") for rule in matcher.get("pathRules") or [])
        names = [self._asset_name(x) for x in links if x]
        return list(dict.fromkeys(n for n in names if n))

    def _asset_name(self, link: str | None) -> str | None:
        asset = self.by_link.get(self_link_key(link))
        return asset["name"] if asset else None

    def forwarding_rule(self, asset: Mapping[str, Any], data: Mapping[str, Any]) -> None:
        region = region_of_location(data.get("region")) if data.get("region") else GLOBAL_REGION
        scheme = str(data.get("loadBalancingScheme") or "")
        services = [self._asset_name(data["backendService"])] if data.get("backendService") else self._services_behind(data.get("target"))
        # regional managed load balancers run in every zone of their region (Google-managed proxies)
        zones = [f"{region}-{z}" for z in GCP_REGIONS[region].zones] if region in GCP_REGIONS else []
        self.node(asset, id=asset["name"], kind=LOAD_BALANCER, type=asset.get("assetType", ""), name=data.get("name", ""),
                  region=region, zones=zones, tags=tags_of(data.get("labels")), attrs={
                      "zones_source": "region" if zones else None,
                      "lb_type": f"gcp-{'global' if region == GLOBAL_REGION else 'regional'}-{scheme.lower() or 'external'}",
                      "scope": "global" if region == GLOBAL_REGION else "regional",
                      "scheme": "internal" if scheme.startswith("INTERNAL") else "internet-facing",
                      "ip_address": data.get("IPAddress"), "port_range": data.get("portRange"),
                      "network_tier": data.get("networkTier"),
                      "placement": "global" if region == GLOBAL_REGION else "zone_redundant"})
        for service in services:
            if service:
                self.link(asset["name"], service, ROUTES_TO)

    # ---- Cloud DNS ----
    def managed_zone(self, asset: Mapping[str, Any], data: Mapping[str, Any]) -> None:
        self.node(asset, id=asset["name"], kind=DNS_ZONE, type="dns.googleapis.com/ManagedZone", name=data.get("name", ""),
                  region=GLOBAL_REGION, tags=tags_of(data.get("labels")), attrs={
                      "dns_name": data.get("dnsName"), "private": data.get("visibility") == "private"})

    def _lb_by_ip(self, ip: str | None) -> str | None:
        if not ip:
            return None
        for resource in self.resources:
            if resource.kind == LOAD_BALANCER and resource.attrs.get("ip_address") == ip:
                return resource.id
        return None

    def _targets(self, item: Mapping[str, Any]) -> tuple[list[str], list[str], bool]:
        """(values, load balancer ids, health-checked) of a routing-policy item."""
        checked = item.get("healthCheckedTargets") or {}
        values = list(item.get("rrdatas") or [])
        lbs: list[str] = []
        for ilb in checked.get("internalLoadBalancers") or []:
            values.append(ilb.get("ipAddress"))
            lb = self._lb_by_ip(ilb.get("ipAddress"))
            if lb:
                lbs.append(lb)
        values.extend(checked.get("externalEndpoints") or [])
        for value in values:
            lb = self._lb_by_ip(value)
            if lb and lb not in lbs:
                lbs.append(lb)
        return [v for v in values if v], lbs, bool(checked)

    def record_set(self, asset: Mapping[str, Any], data: Mapping[str, Any]) -> None:
        name = asset["name"]
        zone_id = name.split("/rrsets/", 1)[0] if "/rrsets/" in name else None
        policy = data.get("routingPolicy") or {}
        health_check = compute_name(policy.get("healthCheck")) if policy.get("healthCheck") else None
        routing = ("failover" if "primaryBackup" in policy else "geolocation" if "geo" in policy
                   else "weighted" if "wrr" in policy else "simple")
        base = {"dns_name": data.get("name"), "record_type": data.get("type"), "routing": routing,
                "zone_id": zone_id, "public": True}
        values, lbs, _ = self._targets({"rrdatas": data.get("rrdatas")})
        self.node(asset, id=name, kind=DNS_RECORD, type="dns.googleapis.com/ResourceRecordSet",
                  name=data.get("name", ""), region=GLOBAL_REGION, attrs={
                      **base, "values": values or None, "health_check_id": health_check, "ttl": _num(data.get("ttl")),
                      "evaluate_target_health": bool(health_check) or None})
        if zone_id:
            self.link(name, zone_id, MEMBER_OF)
        for lb in lbs:
            self.link(name, lb, ROUTES_TO, routing=routing)

        def child(suffix: str, item: Mapping[str, Any], **attrs: Any) -> str:
            child_values, child_lbs, checked = self._targets(item)
            checked = checked or bool(health_check)
            child_id = f"{name}#{suffix}"
            self.node(asset, id=child_id, kind=DNS_RECORD, type="dns.googleapis.com/ResourceRecordSet#policy-item",
                      name=f"{data.get('name')} [{suffix}]", region=GLOBAL_REGION, attrs={
                          **base, **attrs, "values": child_values or None, "set_identifier": suffix,
                          "health_check_id": health_check or (f"{child_id}:health" if checked else None),
                          "evaluate_target_health": checked})
            self.link(name, child_id, ROUTES_TO, routing=routing, evaluate_target_health=checked)
            for lb in child_lbs:
                self.link(child_id, lb, ROUTES_TO, routing=routing, evaluate_target_health=checked)
            return child_id

        if "primaryBackup" in policy:
            pb = policy["primaryBackup"]
            primary = child("primary", {"healthCheckedTargets": pb.get("primaryTargets") or {}}, failover_role="PRIMARY")
            backups = [child(f"backup-{region_of_location(item.get('location'))}", item, failover_role="SECONDARY",
                             record_region=region_of_location(item.get("location")))
                       for item in (pb.get("backupGeoTargets") or {}).get("items") or []]
            for backup in backups:
                self.link(primary, backup, FAILS_OVER_TO, health_checked=True,
                          trickle_ratio=pb.get("trickleTraffic"))
        for item in (policy.get("geo") or {}).get("items") or []:
            location = region_of_location(item.get("location"))
            child(f"geo-{location}", item, record_region=location)
        for index, item in enumerate((policy.get("wrr") or {}).get("items") or []):
            child(f"wrr-{index}", item, weight=_num(item.get("weight")))


def _runs_usable(runs: list[Mapping[str, Any]] | None) -> bool | None:
    if runs is None:
        return None  # not read: the schedule alone, and the read's coverage record
    return any(str(r.get("status") or "").upper() == "SUCCESSFUL" for r in runs)


def _newest_backup(runs: list[Mapping[str, Any]] | None) -> dict[str, Any]:
    """What the backup runs say of an instance's backups: the newest successful run is the copy that
    exists (``created_at``: when it finished, for its age at scan time); with no successful run there
    is no usable copy (``status`` is the last run's, or ``NO_BACKUP_RUNS``). Unread runs: nothing (the
    schedule alone, and the read's coverage record). ``location``: where the newest successful run is kept."""
    if runs is None:
        return {}
    def when(run: Mapping[str, Any]) -> str:
        return str(run.get("endTime") or run.get("startTime") or run.get("windowStartTime") or run.get("enqueuedTime")
                   or "")
    done = [r for r in runs if str(r.get("status") or "").upper() == "SUCCESSFUL"]
    newest = max(done, key=when) if done else None
    last = max(runs, key=when) if runs else None
    return {"backup_runs_read": True, "backup_runs": len(runs),
            "location": (newest or {}).get("location") or None,
            "status": "SUCCESSFUL" if newest else str((last or {}).get("status") or "NO_BACKUP_RUNS"),
            "created_at": when(newest) if newest else None,
            "last_run_status": (last or {}).get("status"), "last_run_at": when(last) if last else None,
            "last_run_error": ((last or {}).get("error") or {}).get("message") if last and last is not newest else None}


def transform_assets(assets: Iterable[Mapping[str, Any]], *, observed_at: str,
                     default_project: str | None = None,
                     backup_runs: Mapping[str, list] | None = None,
                     backups: BackupReads | None = None) -> Transformer:
    transformer = Transformer(observed_at, default_project=default_project, backup_runs=backup_runs,
                              backups=backups)
    transformer.run(assets)
    return transformer
