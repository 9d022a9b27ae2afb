"""Zonal single points of failure: what stops, or loses data, when one availability zone is lost.

Zones are judged by zone *id* (``mec1-az1``), which names the same physical zone in every
account; zone names (``me-central-1a``) are shuffled per account.
"""

from __future__ import annotations

from collections.abc import Iterator

from resilience.model import CACHE, COMPUTE_GROUP, DATABASE, FUNCTION, LOAD_BALANCER, MEMBER_OF, SUBNET
from resilience.recovery import workload_zones
from resilience.rule import Result, Rule, RuleContext
from resilience.survival import (
    Scenario,
    assess,
    backups_of,
    data_copies,
    data_outcome,
    in_edges,
    is_copy,
    is_stub,
    nodes_of_kinds,
    possible_zones,
    region_of_zone,
    zones_of_node,
)

from ._common import (
    LOSS_OF_SERVICE_AND_DATA,
    SOC2_A1_2,
    WA_REL09_BP01,
    WA_REL10_BP01,
    WA_REL11_BP02,
    WA_REL11_BP05,
    ZONE_LOSS_2026,
    data_stores,
    failed_reads,
    name,
    result,
    scenario_result,
    verdict,
)


def _workload_zone_loss(ctx: RuleContext, workload: str) -> Iterator[Result]:
    """For every workload and every availability zone id its resources, or what they depend on, sit in
    (or may sit in: a resource whose zone is not reported, such as an Azure VM without ``zones``, or a
    dependency referenced but not inventoried, in any zone of its region), the survival
    engine fails that zone (a resource is down only when *all* its zones failed: an Auto Scaling
    group or load balancer spanning several zones survives; so does a Multi-AZ database) and
    follows every entry point through routing and dependencies. In-region backups and
    point-in-time recovery keep the data through a zone loss; a DB cluster whose instances all
    sit in the failed zone stops serving.

    ``pass``: the workload keeps serving and keeps its data. ``fail``: it does not; the broken
    chain is the evidence. ``unknown``: the verdict relies on something the scan could not read, or
    on a resource of unreported zone being outside the failed zone."""
    for zone in workload_zones(ctx.graph, workload):
        impact = assess(ctx.graph, workload, Scenario.zones(zone), coverage=ctx.coverage)
        yield scenario_result(ctx, impact, key=zone, region=region_of_zone(ctx.graph, zone),
                              outside=f"every entry point keeps a serving path, and every data store a copy, "
                                      f"outside zone {zone}")


def _is_cluster_member(ctx: RuleContext, node: str) -> bool:
    data = ctx.graph._node[node]
    if (data.get("attrs") or {}).get("cluster_id"):
        return True
    return any(ctx.graph._node[dst].get("kind") == DATABASE
               for _, dst, key in ctx.graph.out_edges(node, keys=True) if key == MEMBER_OF)


#: database types with one primary instance that a synchronous standby in another zone makes zone-tolerant
_SINGLE_INSTANCE_DATABASES = frozenset({"AWS::RDS::DBInstance", "sqladmin.googleapis.com/Instance"})


def _single_az_databases(ctx: RuleContext) -> Iterator[Result]:
    """RDS DB instances and Cloud SQL instances that are neither cluster members (their cluster is
    judged by RES-ZONAL-003) nor replication destinations (the copy of a primary judged on its own).
    ``pass``: ``multi_az`` is true (RDS Multi-AZ; Cloud SQL high availability, availability type
    REGIONAL: a synchronous standby in another zone). ``fail``: it is false. ``unknown``: the read did
    not report it."""
    for node in nodes_of_kinds(ctx.graph):
        data = ctx.graph._node[node]
        if data.get("type") not in _SINGLE_INSTANCE_DATABASES or is_stub(data):
            continue
        if _is_cluster_member(ctx, node) or is_copy(ctx.graph, node):
            continue
        multi_az = (data.get("attrs") or {}).get("multi_az")
        zones = list(zones_of_node(data))
        observed = {"multi_az": multi_az, "zones": zones}
        if multi_az is None:
            yield result(ctx, node, "unknown", f"{name(ctx, node)}: whether it has a standby in another zone "
                                               "(Multi-AZ, high availability) was not reported",
                             observed=observed, expected={"multi_az": True})
        elif multi_az:
            yield result(ctx, node, "pass", f"{name(ctx, node)} has a standby in another zone (Multi-AZ, high "
                                            "availability)",
                             observed=observed, expected={"multi_az": True})
        else:
            yield result(ctx, node, "fail",
                             f"{name(ctx, node)} runs in one availability zone ({', '.join(zones) or 'unknown'}): "
                             "losing that zone stops it until it is restored elsewhere",
                             observed=observed, expected={"multi_az": True})


def _clusters_in_one_zone(ctx: RuleContext) -> Iterator[Result]:
    """DB clusters (Aurora, Multi-AZ DB clusters; any database with member instances) that are
    not replication destinations: the zone ids of their member instances. ``pass``: members in at
    least two zones. ``fail``: every member in one zone id — the cluster's Multi-AZ claim (storage
    spread over three zones) does not keep it serving, as the writer must be recreated elsewhere.
    ``unknown``: no member, or no member zone, was recorded."""
    for node in nodes_of_kinds(ctx.graph, (DATABASE,)):
        data = ctx.graph._node[node]
        if is_stub(data):
            continue
        members = [m for m, _ in in_edges(ctx.graph, node, MEMBER_OF) if ctx.graph._node[m].get("kind") == DATABASE]
        if data.get("type") != "AWS::RDS::DBCluster" and not members:
            continue
        if is_copy(ctx.graph, node):
            continue
        member_zones = {m: list(zones_of_node(ctx.graph._node[m])) for m in members}
        distinct = sorted({z for zs in member_zones.values() for z in zs})
        observed = {"members": member_zones, "member_zones": distinct,
                    "multi_az": (data.get("attrs") or {}).get("multi_az"),
                    "storage_zones": list(zones_of_node(data))}
        expected = {"member_zones": ">= 2 distinct zone ids"}
        if not distinct:
            yield result(ctx, node, "unknown", f"{name(ctx, node)}: the zones of its instances were not recorded",
                             observed=observed, expected=expected)
        elif len(distinct) == 1:
            yield result(ctx, node, "fail",
                             f"every instance of {name(ctx, node)} ({len(members)}) sits in zone {distinct[0]}: "
                             "losing that zone stops the cluster until a new instance is created elsewhere",
                             observed=observed, expected=expected)
        else:
            yield result(ctx, node, "pass", f"{name(ctx, node)} has instances in zones {', '.join(distinct)}",
                             observed=observed, expected=expected)


def _single_az_placement(ctx: RuleContext) -> Iterator[Result]:
    """Auto Scaling groups and load balancers (their configured zones, else their subnets' zones),
    VPC-attached Lambda functions (their subnets' zones) and caches (the zones an ElastiCache replication
    group keeps serving from, a cache cluster's nodes' zones). ``pass``: two or more zone ids.
    ``fail``: one — the group cannot replace capacity elsewhere, the load balancer has no node in
    another zone, the cache (a single node, or a group without automatic failover) stops with its
    zone, or it is of regional placement (an Azure Basic cache, a plan or scale set that is not
    zone-redundant: in zones Azure neither names nor spreads it across by guarantee).
    ``unknown``: no zone was recorded. Lambda functions outside a VPC are multi-AZ by the
    service, and caches with no zones (serverless: the region's zones) are regional: neither is listed."""
    subnet_index = {n.rsplit("/", 1)[-1]: n for n, d in ctx.graph.nodes(data=True) if d.get("kind") == SUBNET}
    for node in nodes_of_kinds(ctx.graph, (COMPUTE_GROUP, LOAD_BALANCER, FUNCTION, CACHE)):
        data = ctx.graph._node[node]
        kind = data.get("kind")
        if is_stub(data):
            continue
        attrs = data.get("attrs") or {}
        subnets = list(attrs.get("vpc_subnets") or attrs.get("subnets") or ())
        if (kind == FUNCTION and not subnets) or (kind == CACHE and not zones_of_node(data)):
            continue
        if attrs.get("placement") == "global" or attrs.get("region_zones_available") is False:
            continue  # a global service, or a region with no zones to offer: not a zonal question
        zones = list(zones_of_node(data)) or _subnet_zones(ctx, subnets, subnet_index)
        observed = {"zones": zones, "subnets": subnets}
        what = _placement_label(kind, data.get("type", ""))
        if not zones and possible_zones(data):
            observed["possible_zones"] = list(possible_zones(data))
            observed["placement"] = attrs.get("placement")
            how = ("is one node in one availability zone its provider does not name" if attrs.get(
                "desired_capacity") == 1 else "is not zone-redundant: its provider neither spreads it across zones "
                "by guarantee nor says which zone(s) it is in")
            where = ""
            if attrs.get("plan_id"):  # an App Service app: its plan is what is (not) zone-redundant
                observed["plan"] = attrs["plan_id"]
                where = f" (App Service plan {str(attrs['plan_id']).rstrip('/').rsplit('/', 1)[-1]})"
            yield result(ctx, node, "fail", f"{what} {name(ctx, node)}{where} {how} (regional placement): the loss "
                         "of one zone may stop it", observed=observed, expected={"zones": ">= 2 distinct zone ids"})
        elif not zones:
            yield result(ctx, node, "unknown", f"{what} {name(ctx, node)}: its zones were not recorded",
                             observed=observed, expected={"zones": ">= 2 distinct zone ids"})
        elif len(zones) == 1:
            yield result(ctx, node, "fail",
                             f"{what} {name(ctx, node)} is placed in one availability zone ({zones[0]}) only",
                             observed=observed, expected={"zones": ">= 2 distinct zone ids"})
        else:
            yield result(ctx, node, "pass", f"{what} {name(ctx, node)} spans zones {', '.join(zones)}",
                             observed=observed, expected={"zones": ">= 2 distinct zone ids"})


def _placement_label(kind: str, native_type: str) -> str:
    if kind == COMPUTE_GROUP:
        return "Auto Scaling group" if native_type.startswith("AWS::AutoScaling") else "compute group"
    return {LOAD_BALANCER: "load balancer", FUNCTION: "function", CACHE: "cache"}[kind]


def _subnet_zones(ctx: RuleContext, subnets: list[str], index: dict[str, str]) -> list[str]:
    """Zones of subnets given by id or ARN, from the subnet nodes."""
    zones: list[str] = []
    for subnet in subnets:
        node = subnet if subnet in ctx.graph else index.get(subnet.rsplit("/", 1)[-1])
        if node and ctx.graph._node[node].get("kind") == SUBNET:
            zones += [z for z in zones_of_node(ctx.graph._node[node]) if z not in zones]
    return zones


def _data_in_one_zone(ctx: RuleContext) -> Iterator[Result]:
    """Data stores (EBS volumes, single-AZ databases, one-zone buckets: anything whose data has one
    zone id) that are originals (not replicas, not the volume of an instance an Auto Scaling group
    replaces). The survival engine fails that zone and looks for a surviving copy: a replica or
    peer in another zone or region, a snapshot/recovery point (regional), in-region automated
    backups or point-in-time recovery, a backup copy in another region. ``pass``: one survives.
    ``fail``: none — the data exists only in that zone. ``unknown``: a place where a copy could be
    was not readable. A Multi-AZ RDS instance with one recorded zone is not listed (its standby is
    in another zone). A store in one zone its API does not name (an Azure LRS storage account) is judged
    with itself in each zone it may be in: ``fail`` only when no copy that could be elsewhere decides it."""
    failed = failed_reads(ctx)  # once, not per store: the survival engine consults only failed reads
    for node in data_stores(ctx):
        data = ctx.graph._node[node]
        zones = zones_of_node(data)
        attrs = data.get("attrs") or {}
        if attrs.get("multi_az") is True:
            continue
        if not zones and possible_zones(data):
            yield _data_in_an_unreported_zone(ctx, node, possible_zones(data), failed)
            continue
        if len(zones) != 1:
            continue
        zone = zones[0]
        outcome = data_outcome(ctx.graph, node, Scenario.zones(zone), coverage=failed)
        copies = [{"id": b, "mechanism": m} for _, b, m in outcome.failovers]
        observed = {"zone": zone, "surviving_copies": copies}
        status = verdict(outcome.ok, outcome.unknown)
        if status == "pass" and copies:
            kept = copies[0]
            where = "its in-region automated backups" if kept["id"] == node else name(ctx, kept["id"])
            message = f"{name(ctx, node)} is held in zone {zone}; its data survives that zone in {where}"
        elif status == "pass":
            message = f"{name(ctx, node)} keeps its data if zone {zone} is lost"
        else:
            message = (f"the data of {name(ctx, node)} is held only in zone {zone}, with no snapshot, backup or "
                       "replica outside it: losing that zone may make it unrecoverable")
            if status == "unknown":
                observed["unknown"] = outcome.unknown
                message += f" — uncertain: {outcome.unknown[0]}"
        yield result(ctx, node, status, message, observed=observed,
                         expected={"copy_outside_zone": "a snapshot, backup or replica outside " + zone})


def _data_in_an_unreported_zone(ctx: RuleContext, node: str, zones: tuple[str, ...], failed) -> Result:
    """A store held in one zone of its region that the API does not name (an Azure LRS storage account):
    each zone it may be in is failed with the store in it (``worst_placement``). ``pass``: its data survives
    in every one. ``fail``: in none, and no copy that could be elsewhere decided it (only copies held with
    the store itself: ``colocated_with``). ``unknown`` otherwise: a copy's zone is not reported either, or a
    read failed."""
    graph = ctx.graph
    region = graph.nodes[node].get("region")
    outcomes = {z: data_outcome(graph, node, Scenario(failed_zones=frozenset({z}), worst_placement=True),
                                coverage=failed) for z in zones}
    copies = [c.id for c in data_copies(graph, node) + backups_of(graph, node) if c.id in graph]
    # a copy placed where ARM does not say (or not inventoried) in the store's region: the worst case puts it in
    # the store's zone too, which is not known to be so
    unplaced = [c for c in copies if graph.nodes[c].get("region") == region and (possible_zones(graph.nodes[c]) or
                is_stub(graph.nodes[c])) and (graph.nodes[c].get("attrs") or {}).get("colocated_with") != node]
    doubts = [u for o in outcomes.values() for u in o.unknown]
    lost = [z for z, o in outcomes.items() if not o.ok]
    observed = {"zone": None, "possible_zones": list(zones), "zones_losing_data": lost}
    where = f"one zone of {region} that is not reported ({', '.join(zones)})"
    if not lost and not doubts:
        status, message = "pass", f"{name(ctx, node)} is held in {where}; its data survives the loss of any of them"
    elif lost and len(lost) == len(zones) and not doubts and not unplaced:
        status, message = "fail", (f"the data of {name(ctx, node)} is held only in {where}, with no snapshot, backup "
                                   "or replica outside it: losing that zone may make it unrecoverable")
    else:
        reasons = doubts or [f"the zone of {name(ctx, c)} is not reported either: it may or may not be the store's"
                             for c in unplaced] or [f"its data is lost if it is in zone {', '.join(lost)}"]
        status, message = "unknown", (f"the data of {name(ctx, node)} is held in {where}; whether a copy outside its "
                                      f"zone survives is uncertain: {reasons[0]}")
        observed["unknown"] = reasons
    return result(ctx, node, status, message, observed=observed,
                  expected={"copy_outside_zone": "a snapshot, backup or replica outside the store's zone"})


_CONTROLS = ("SOC2:A1.2", "ISO27001:2022:A.8.14", "NIST800-53:CP-7")

ZONAL_SPOF = Rule(
    id="RES-ZONAL-001",
    title="Workload stops or loses data if one availability zone is lost",
    category="zonal-spof",
    severity="high",
    escalations=LOSS_OF_SERVICE_AND_DATA,
    controls=_CONTROLS + ("ISO27001:2022:A.8.13",),
    rationale=(
        "A zone is the unit AWS designs to fail independently; a workload whose serving path or data lives "
        f"in one zone stops with it. {WA_REL10_BP01} asks for deployment across zones as the baseline, and "
        f"{WA_REL11_BP05} for static stability: enough capacity already running in the other zones, so that a "
        f"zone loss needs no scaling or control-plane action. Data held only in one zone may be unrecoverable: "
        f"{ZONE_LOSS_2026}. Evidence for {SOC2_A1_2}."
    ),
    provider_remediation=(
        ("azure", (
            "Spread every tier over at least two zones: zone-redundant App Service plans, scale sets over "
            "zones behind a zone-redundant load balancer or Application Gateway, zone-redundant SQL databases "
            "and Cosmos DB accounts, ZRS/GZRS storage; a VM pinned to one zone (or placed with no zone) needs "
            "a standby in another zone, or its disks backed up and a measured rebuild. The broken chain in "
            "the evidence names the first zonal component."
        )),
        ("gcp", (
            "Spread every tier over at least two zones: regional managed instance groups behind a load "
            "balancer, regional GKE clusters, Cloud SQL with high availability (a standby in another zone), "
            "regional persistent disks or scheduled snapshots for zonal disks. The broken chain in the "
            "evidence names the first zonal component."
        )),
    ),
    remediation=(
        "Spread every tier over at least two zone ids: Auto Scaling groups and load balancers with subnets in "
        "several zones, RDS Multi-AZ or a cluster with instances in several zones, EBS data snapshotted (or moved "
        "to a regional store). The broken chain in the evidence names the first zonal component."
    ),
    per_workload=_workload_zone_loss,
    requires=("ec2", "elbv2", "elb", "autoscaling", "rds", "lambda"),
    references=(
        "https://docs.aws.amazon.com/wellarchitected/latest/reliability-pillar/rel_fault_isolation_multiaz_region_system.html",
        "https://docs.aws.amazon.com/wellarchitected/latest/reliability-pillar/rel_withstand_component_failures_static_stability.html",
        "https://aws.amazon.com/builders-library/static-stability-using-availability-zones/",
        "AICPA Trust Services Criteria A1.2",
    ),
)

SINGLE_AZ_DATABASE = Rule(
    id="RES-ZONAL-002",
    title="Database instance runs in a single availability zone",
    category="zonal-spof",
    severity="medium",
    controls=_CONTROLS,
    rationale=(
        "A Single-AZ RDS instance (or a zonal Cloud SQL instance) stops with its zone and comes back only through a "
        f"restore (minutes to hours, losing what was written since the last backup). {WA_REL10_BP01} and "
        f"{WA_REL11_BP02}: RDS Multi-AZ (Cloud SQL high availability) keeps a synchronous standby in another zone "
        f"and fails over to it automatically. Evidence for {SOC2_A1_2}."
    ),
    provider_remediation=(
        ("azure", (
            "Make the database zone redundant (zoneRedundant on the Azure SQL database or elastic pool; "
            "zone-redundant high availability on an Azure Database for PostgreSQL or MySQL flexible server)."
        )),
        ("gcp", (
            "Enable high availability on the Cloud SQL instance (availability type REGIONAL: a synchronous "
            "standby in another zone)."
        )),
    ),
    remediation="Enable Multi-AZ on the instance (modify-db-instance --multi-az), or move it into a cluster with "
                "instances in several zones.",
    check=_single_az_databases,
    requires=("rds",),
    references=(
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZSingleStandby.html",
        "https://docs.aws.amazon.com/wellarchitected/latest/reliability-pillar/rel_fault_isolation_multiaz_region_system.html",
        "AICPA Trust Services Criteria A1.2",
    ),
)

CLUSTER_ONE_ZONE = Rule(
    id="RES-ZONAL-003",
    title="Multi-AZ database cluster with every instance in one availability zone",
    category="zonal-spof",
    severity="medium",
    controls=_CONTROLS,
    rationale=(
        "An Aurora cluster's storage spans three zones, so it is reported as Multi-AZ, but if every instance sits "
        "in one zone id the cluster stops serving with that zone until a new writer is created elsewhere. "
        f"{WA_REL10_BP01} and {WA_REL11_BP05} (static stability: the replacement should already be running). "
        f"Evidence for {SOC2_A1_2}."
    ),
    remediation="Add a reader instance in another zone id (it becomes the failover target), or spread existing "
                "readers across zones.",
    check=_clusters_in_one_zone,
    requires=("rds",),
    references=(
        "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.AuroraHighAvailability.html",
        "AICPA Trust Services Criteria A1.2",
    ),
)

SINGLE_AZ_PLACEMENT = Rule(
    id="RES-ZONAL-004",
    title="Compute group, load balancer, VPC function or cache placed in a single availability zone",
    category="zonal-spof",
    severity="medium",
    controls=_CONTROLS,
    rationale=(
        "An Auto Scaling group whose subnets are all in one zone cannot replace capacity when that zone is lost; "
        "a load balancer or a VPC-attached function with subnets in one zone stops with it, and so does a cache "
        "that serves from one zone (a single node, or a replication group without automatic failover). "
        f"{WA_REL10_BP01} and {WA_REL11_BP05}. Evidence for {SOC2_A1_2}."
    ),
    provider_remediation=(
        ("azure", (
            "Spread the scale set over at least two zones (zones 1, 2 and 3, with room to scale out in the "
            "zones left), make the App Service plan zone redundant, and put a zone-redundant load balancer or "
            "Application Gateway in front."
        )),
        ("gcp", (
            "Use a regional managed instance group (its target distribution over several zones) or instances "
            "in several zones behind the load balancer; for GKE, a regional cluster or node pools over "
            "several zones."
        )),
    ),
    remediation="Add subnets in at least one more zone id to the group, the load balancer or the function's VPC "
                "configuration; give a cache a replica in another zone with automatic failover (Multi-AZ).",
    check=_single_az_placement,
    requires=("autoscaling", "elbv2", "elb", "lambda", "ec2", "elasticache"),
    references=(
        "https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-availability-zone-balanced.html",
        "https://docs.aws.amazon.com/wellarchitected/latest/reliability-pillar/rel_fault_isolation_multiaz_region_system.html",
        "AICPA Trust Services Criteria A1.2",
    ),
)

DATA_ONE_ZONE = Rule(
    id="RES-ZONAL-005",
    title="Data held in one availability zone only",
    category="zonal-spof",
    severity="high",
    controls=("SOC2:A1.2", "ISO27001:2022:A.8.13", "ISO27001:2022:A.8.14", "NIST800-53:CP-9"),
    rationale=(
        "Data held only in one zone may be unrecoverable: an EBS volume without snapshots, a Single-AZ database "
        f"without backups, a one-zone bucket live and die with their zone. {ZONE_LOSS_2026}. {WA_REL09_BP01} asks "
        f"that all data be backed up (or reproducible), {WA_REL10_BP01} that it not depend on one location. "
        f"Evidence for {SOC2_A1_2} (data back-up processes)."
    ),
    provider_remediation=(
        ("azure", (
            "Back the disk up on a schedule (Azure Backup or incremental snapshots), use zone-redundant disks "
            "or storage (ZRS), make the database zone redundant, or move the data to a zone-redundant store."
        )),
        ("gcp", (
            "Snapshot the disk on a schedule (a snapshot schedule policy), use a regional persistent disk, "
            "enable Cloud SQL high availability and automated backups, or move the data to a regional or "
            "multi-region store (Cloud Storage, Firestore, Spanner)."
        )),
    ),
    remediation="Snapshot the volume on a schedule (Amazon Data Lifecycle Manager or AWS Backup), enable automated "
                "backups or Multi-AZ on the database, or move the data to a regional store (S3 Standard, EFS "
                "Regional, DynamoDB).",
    check=_data_in_one_zone,
    requires=("ec2", "rds", "backup"),
    references=(
        "https://docs.aws.amazon.com/wellarchitected/latest/reliability-pillar/rel_backing_up_data_identified_backups_data.html",
        "https://docs.aws.amazon.com/ebs/latest/userguide/ebs-snapshots.html",
        "AICPA Trust Services Criteria A1.2",
    ),
)

RULES = (ZONAL_SPOF, SINGLE_AZ_DATABASE, CLUSTER_ONE_ZONE, SINGLE_AZ_PLACEMENT, DATA_ONE_ZONE)
