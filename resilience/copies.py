"""Copies of a data store, as the survival engine counts them: replicas, peers and backups (recovery
points, plans, vaults, automated backups), whether a copy is usable (a whitelist of completed states),
and the failover and recovery mechanisms named in a verdict."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, replace
from typing import Any

import networkx as nx

from .graph_facts import _GraphMemo, _memo, _provider, in_edges, out_edges, per_graph, zones_of_node
from .model import (
    BACKED_UP_TO,
    BACKUP_PLAN,
    BACKUP_VAULT,
    DATA_KINDS,
    DATABASE,
    DNS_RECORD,
    EXTERNAL,
    FAILS_OVER_TO,
    GLOBAL_DATABASE,
    MEMBER_OF,
    RECOVERY_POINT,
    REPLICATES_TO,
)

# --- failover / recovery mechanisms (the third element of WorkloadImpact.failovers) -----------
DNS_FAILOVER = "dns-failover"  # Route 53 failover routing, health-checked primary


DNS_HEALTH_CHECK = "dns-health-check"  # latency/weighted/... records: the dead member is withdrawn


PROMOTE_REPLICA = "promote-replica"  # RDS read replica / standby promoted


GLOBAL_TABLE = "global-table"  # DynamoDB global-table replica takes the traffic


GLOBAL_DATABASE_FAILOVER = "global-database-failover"  # Aurora global database secondary promoted


S3_REPLICA = "s3-replica"  # replicated bucket used instead


GCS_DUAL_REGION = "gcs-dual-region"  # GCS dual-/multi-region bucket: the other region serves


AZURE_GRS = "azure-grs"  # Azure storage geo-redundant secondary (account failover)


AZURE_OBJECT_REPLICATION = "azure-object-replication"  # Azure blob object replication to another account


COSMOS_DB_FAILOVER = "cosmos-db-failover"  # Azure Cosmos DB account fails over to another region


OBJECT_REPLICA = "object-replica"  # another provider's replicated object store


REPLICA = "replica"  # any other replicated copy


RESTORE_CROSS_REGION_BACKUP = "restore-cross-region-backup"  # data only: restore from a copy elsewhere


RESTORE_BACKUP = "restore-backup"  # data only: in-region backup/PITR (survives zone loss, not region loss)


# --- usable copies: a whitelist of the states in which each provider says a copy can be restored ------
#: per native type, the (lower-cased) statuses of a finished, restorable copy; anything else (creating,
#: pending, partial, expired, stopped, deleting, failed...) is no copy
USABLE_STATES: dict[str, frozenset[str]] = {
    "AWS::RDS::DBSnapshot": frozenset({"available"}),  # DescribeDBSnapshots Status
    "AWS::RDS::DBClusterSnapshot": frozenset({"available"}),
    # DescribeDBInstanceAutomatedBackups: active (running instance), retained (deleted instance), replicating
    # (the cross-region replica of the automated backups); "creating" has no snapshot yet
    "AWS::RDS::DBInstanceAutomatedBackup": frozenset({"active", "retained", "replicating"}),
    "AWS::RDS::DBClusterAutomatedBackup": frozenset({"active", "retained", "replicating"}),
    # AWS Backup RecoveryPointStatus: COMPLETED / AVAILABLE; not CREATING, PARTIAL, EXPIRED, STOPPED, DELETING
    "AWS::Backup::RecoveryPoint": frozenset({"completed", "available"}),
    "AWS::EC2::Snapshot": frozenset({"completed"}),  # not pending, error, recoverable, recovering
    "AWS::DynamoDB::Backup": frozenset({"available"}),  # not CREATING, DELETED
    "sqladmin.googleapis.com/BackupRun": frozenset({"successful", "available"}),  # Cloud SQL backup runs
    "compute.googleapis.com/Snapshot": frozenset({"ready"}),
    # Spanner / Firestore Backup.state: READY; not CREATING (nor Firestore's NOT_AVAILABLE); NO_BACKUPS: a
    # schedule that has made none yet (the GCP collector's)
    "spanner.googleapis.com/Backup": frozenset({"ready"}),
    "firestore.googleapis.com/Backup": frozenset({"ready"}),
}


#: for types not listed: the words providers use for a finished copy (Azure ``Succeeded``/``Completed``,
#: GCP ``READY``/``SUCCEEDED``, the collectors' synthetic ``available`` for configured automated backups)
_USABLE_ANY = frozenset({"available", "completed", "succeeded", "successful", "ready", "active", "retained"})


_AZURE_PROTECTED_ITEM = "Microsoft.RecoveryServices/vaults/backupFabrics/"


def copy_usable(data: dict[str, Any]) -> bool:
    """Whether a recovery point (a node's data) can be restored: its status is one its provider uses
    for a finished copy (:data:`USABLE_STATES`, a whitelist: ``creating``, ``pending``, ``partial``,
    ``expired`` copies do not count). A point with no recorded status counts (collectors always record
    the API's; hand-written estates may not). An Azure Recovery Services protected item holds its
    recovery points: usable once it has a last recovery point, whatever its last backup's health.
    A copy recorded as not restorable by its owner (``restorable: false``: the geo copy of an Azure
    GRS vault without Cross Region Restore, which only Microsoft can fail over) is no copy either."""
    attrs = data.get("attrs") or {}
    if attrs.get("restorable") is False:
        return False
    status = attrs.get("status")
    native = str(data.get("type") or "")
    if native.startswith(_AZURE_PROTECTED_ITEM):
        return bool(attrs.get("created_at")) or str(status or "").lower() == "healthy"
    if status is None or status == "":
        return True
    return str(status).strip().lower() in USABLE_STATES.get(native, _USABLE_ANY)


#: per native type, the ``snapshot_type`` values of a copy made on request (by hand, or a one-off job) rather
#: than by something that keeps making them: RDS ``SnapshotType`` ``manual`` (CreateDBSnapshot and every
#: CopyDBSnapshot copy; AWS Backup's are ``awsbackup``, the service's own ``automated``), DynamoDB
#: ``BackupType`` ``USER`` (``SYSTEM`` and ``AWS_BACKUP`` are made by a service), an AWS Backup recovery point
#: whose ``CreatedBy`` names no backup plan (``on-demand``: StartBackupJob / StartCopyJob), an EBS snapshot
#: made neither by a Data Lifecycle Manager policy nor by AWS Backup (``manual``: no ``dlm:managed`` /
#: ``aws:dlm:*`` / ``aws:backup:source-resource`` tag, no such description; the EC2 collector's reading)
_ON_REQUEST: dict[str, frozenset[str]] = {
    "AWS::RDS::DBSnapshot": frozenset({"manual"}),
    "AWS::RDS::DBClusterSnapshot": frozenset({"manual"}),
    "AWS::DynamoDB::Backup": frozenset({"user"}),
    "AWS::Backup::RecoveryPoint": frozenset({"on-demand"}),
    "AWS::EC2::Snapshot": frozenset({"manual"}),
}


def made_on_request(data: dict[str, Any]) -> bool:
    """Whether a recovery point is known to be a one-off: made by hand (an RDS manual snapshot or its
    cross-region copy, a DynamoDB on-demand backup, an AWS Backup on-demand job's recovery point, an EBS
    snapshot no lifecycle policy or AWS Backup made), so nothing renews it and its age grows without bound
    (a schedule that covers the store still gives its interval). Only what the collector recorded from the
    provider counts: a copy whose origin is not recorded (``snapshot_type``) is not called one."""
    kind = str((data.get("attrs") or {}).get("snapshot_type") or "").lower()
    return kind in _ON_REQUEST.get(str(data.get("type") or ""), ())


def copy_time(data: dict[str, Any]) -> str | None:
    """The point in time a copy holds (ISO 8601, as collected), for its age: the latest restorable time of
    automated backups / PITR when reported, else when the copy was taken (``created_at``)."""
    attrs = data.get("attrs") or {}
    return attrs.get("latest_restorable_at") or attrs.get("created_at") or None


def failover_control_plane(graph: nx.MultiDiGraph, src: str, attrs: dict[str, Any]) -> str | None:
    """The region whose control plane (API) a ``fails_over_to`` edge needs. A managed switchover of an
    Aurora / DocumentDB global database (``method: switchover``) is coordinated from the primary's
    region; detach-and-promote (and any other failover) needs only ``needs_control_plane_in`` (the
    destination's region)."""
    if attrs.get("method") == "switchover":
        return attrs.get("switchover_needs_control_plane_in") or graph._node[src].get("region")
    return attrs.get("needs_control_plane_in")


# --- copies: replicas, peers and backups of a data store -------------------------------------------
@dataclass(frozen=True)
class Copy:
    """Somewhere a data store's data also lives.

    ``relation``: ``replica`` (downstream, promotable or readable), ``source`` (the original this
    node replicates from), ``peer`` (global table / global database member), ``backup`` (a recovery
    point, plan or vault holding backups; ``automated`` for in-region automated backups/PITR).
    """

    id: str
    region: str
    relation: str
    mechanism: str
    serving: bool  # can take traffic (replica/peer/source) rather than needing a restore
    control_plane_in: str | None = None
    zones: tuple[str, ...] = ()


def _mechanism(graph: nx.MultiDiGraph, node: str, other: str, *, peer: bool = False) -> str:
    """The copy mechanism's name, in the provider's terms (AWS names unchanged; the provider of the store
    whose copy it is decides, else the other end's)."""
    types = {graph._node[node].get("type") or "", graph._node[other].get("type") or ""}
    kinds = {graph._node[node].get("kind"), graph._node[other].get("kind")}
    provider = _provider(graph._node[node]) or _provider(graph._node[other])
    if any(t.startswith("AWS::DynamoDB") for t in types):
        return GLOBAL_TABLE
    if any(t.startswith("AWS::S3") for t in types):
        return S3_REPLICA
    if "object_store" in kinds:
        if provider == "azure":  # its own geo-secondary (account failover), or an account object replication fills
            secondary = other.endswith("#secondary") or (graph._node[other].get("type") or "").endswith("#secondary")
            return AZURE_GRS if secondary else AZURE_OBJECT_REPLICATION
        return {"gcp": GCS_DUAL_REGION, "aws": S3_REPLICA}.get(provider or "", OBJECT_REPLICA)
    if any(t.lower().startswith("microsoft.documentdb") for t in types):
        return COSMOS_DB_FAILOVER
    if peer:
        return GLOBAL_DATABASE_FAILOVER
    if any(t.startswith("AWS::RDS") for t in types) or DATABASE in kinds:
        return PROMOTE_REPLICA
    return REPLICA


def is_copy(graph: nx.MultiDiGraph, node: str) -> bool:
    """Whether ``node`` is itself a replication destination (the copy, not the original).

    True for an RDS/Aurora read replica (``role: replica``), a bucket that is a replication
    destination, anything with ``replica_of``, and anything that only *receives* replication from
    another data store. Global-table peers replicate both ways and are not copies.
    """
    data = graph._node[node]
    attrs = data.get("attrs") or {}
    if attrs.get("role") == "replica" or attrs.get("replica_of"):
        return True
    if node in _rule_destinations(graph):  # even a disabled rule's target is a copy (of some age)
        return True
    outgoing = {dst for dst, _ in out_edges(graph, node, REPLICATES_TO)}
    sources = [src for src, _ in in_edges(graph, node, REPLICATES_TO)
               if graph._node[src].get("kind") in DATA_KINDS or graph._node[src].get("kind") == EXTERNAL]
    if any(src not in outgoing for src in sources):
        return True
    return bool(attrs.get("is_replica_destination")) and not attrs.get("replication_rules") and not sources


def _rule_destinations(graph: nx.MultiDiGraph) -> frozenset[str]:
    """Stores named as the destination of another store's replication rule (``attrs.replication_rules``),
    whatever the rule's status. Built once per graph."""
    memo = per_graph(graph, "survival.rule_destinations")
    if "all" not in memo:
        memo["all"] = frozenset(
            str(rule.get("destination")) for n, d in graph.nodes(data=True)
            for rule in (d.get("attrs") or {}).get("replication_rules") or () if isinstance(rule, dict)
            and rule.get("destination") and rule.get("destination") != n)
    return memo["all"]


def replication_off(attrs: dict[str, Any]) -> bool:
    """A ``replicates_to`` edge whose replication is switched off (``status: Disabled``, ``enabled: false``)
    makes no copy."""
    status = str(attrs.get("status") or "").lower()
    return status in ("disabled", "off", "paused", "suspended", "stopped") or attrs.get("enabled") is False


def replication_incomplete(attrs: dict[str, Any]) -> bool:
    """A ``replicates_to`` edge that copies only part of the data (``complete: false``: an S3 rule that leaves
    SSE-KMS objects out of a KMS-encrypted bucket), or may (``complete: unknown``: the encryption could not
    be read, a coverage gap), makes no copy to count on (``incomplete_reason`` says why)."""
    return "complete" in attrs and attrs["complete"] is not True


def incomplete_replication(graph: nx.MultiDiGraph, node: str) -> list[str]:
    """Why each replication out of ``node`` that is on but copies only part of the data is not counted."""
    return [str(attrs.get("incomplete_reason") or f"replication to {dst} does not copy every object")
            for dst, attrs in out_edges(graph, node, REPLICATES_TO)
            if replication_incomplete(attrs) and not replication_off(attrs)]


def data_copies(graph: nx.MultiDiGraph, node: str) -> list[Copy]:
    """Live copies of a data store: replicas, peers, its source (not backups), transitively.

    A function of the graph alone: computed once per graph and node (a new list on every call)."""
    memo = _memo(graph)
    got = memo.copies.get(node)
    if got is None:
        got = memo.copies[node] = tuple(_data_copies(graph, node))
    return list(got)


def _data_copies(graph: nx.MultiDiGraph, node: str) -> list[Copy]:
    out: dict[str, Copy] = {}
    seen = {node}
    frontier = [node]
    while frontier:
        current = frontier.pop()
        candidates: list[tuple[str, str, str, str | None]] = []
        data_only: set[str] = set()  # promotable: false -- a copy of the data that never serves
        for dst, attrs in out_edges(graph, current, REPLICATES_TO):
            if graph._node[dst].get("kind") in (RECOVERY_POINT, BACKUP_VAULT, BACKUP_PLAN) or replication_off(attrs) \
                    or replication_incomplete(attrs):
                continue
            if current in {d for d, _ in out_edges(graph, dst, REPLICATES_TO)}:  # both ways: peers
                candidates.append((dst, "peer", _mechanism(graph, current, dst, peer=True), None))
            elif attrs.get("promotable") is False:
                candidates.append((dst, "replica", REPLICA, None))
                data_only.add(dst)
            else:
                candidates.append((dst, "replica", _mechanism(graph, current, dst), None))
        for dst, attrs in out_edges(graph, current, FAILS_OVER_TO):
            if graph._node[dst].get("kind") in (DNS_RECORD,):
                continue
            candidates.append((dst, "replica", _mechanism(graph, current, dst),
                               failover_control_plane(graph, current, attrs)))
        for src, attrs in in_edges(graph, current, REPLICATES_TO):
            # an incomplete replication still leaves the source holding all its destination has: no skip
            if graph._node[src].get("kind") in (RECOVERY_POINT, BACKUP_VAULT, BACKUP_PLAN) or replication_off(attrs):
                continue
            relation = "peer" if current in {d for d, _ in out_edges(graph, src, REPLICATES_TO)} and \
                src in {d for d, _ in out_edges(graph, current, REPLICATES_TO)} else "source"
            candidates.append((src, relation, _mechanism(graph, current, src, peer=True) if relation == "peer"
                               else "", None))
        for group, _ in out_edges(graph, current, MEMBER_OF):
            if graph._node[group].get("kind") != GLOBAL_DATABASE:
                continue
            members = {m for m, _ in in_edges(graph, group, MEMBER_OF)}
            members |= set((graph._node[group].get("attrs") or {}).get("members") or ())
            for member in sorted(members):
                if member in graph and member != current:
                    candidates.append((member, "peer", _mechanism(graph, current, member, peer=True), None))
        for other, relation, mechanism, cp in candidates:
            if other in seen:
                if other in out and cp and not out[other].control_plane_in:
                    out[other] = replace(out[other], control_plane_in=cp)
                continue
            seen.add(other)
            frontier.append(other)
            data = graph._node[other]
            out[other] = Copy(id=other, region=data.get("region") or "unknown", relation=relation,
                              mechanism=mechanism, serving=other not in data_only, control_plane_in=cp,
                              zones=zones_of_node(data))
    return list(out.values())


def backups_of(graph: nx.MultiDiGraph, node: str) -> list[Copy]:
    """Where a data store's backups live: recovery points (and their copies, transitively), backup
    plans (their target vaults and copy-to vaults), vaults (and vault-to-vault copies), and the
    store's own automated backups / point-in-time recovery (``relation='automated'``).

    A function of the graph alone: computed once per graph and node (a new list on every call)."""
    memo = _memo(graph)
    got = memo.backups.get(node)
    if got is None:
        got = memo.backups[node] = tuple(_backups_of(graph, node))
    return list(got)


def _backups_of(graph: nx.MultiDiGraph, node: str) -> list[Copy]:
    out: dict[str, Copy] = {}
    data = graph._node[node]
    attrs = data.get("attrs") or {}
    own_region = data.get("region") or "unknown"
    retention = attrs.get("backup_retention_days")
    automatic = attrs.get("automatic_backups") is True  # issue 13: EFS backup policy ENABLED (regional vault)
    # configured, but observed to hold nothing restorable (Cloud SQL: no successful backup run; point-in-time
    # recovery starts from a backup too)
    observed_empty = attrs.get("automated_backups_usable") is False
    if not observed_empty and (attrs.get("pitr") is True or automatic
                               or (isinstance(retention, int | float) and retention > 0)):
        out[f"{node}#automated"] = Copy(id=f"{node}#automated", region=own_region, relation="automated",
                                       mechanism=RESTORE_BACKUP, serving=False)

    unusable: set[str] = set()  # unfinished points: no copy themselves, but their copies may be done

    def add(target: str) -> None:
        if target in out or target in unusable or target not in graph:
            return
        tdata = graph._node[target]
        tattrs = tdata.get("attrs") or {}
        if tdata.get("kind") == RECOVERY_POINT and not copy_usable(tdata):
            unusable.add(target)
        else:
            region = tdata.get("region") or "unknown"
            mechanism = RESTORE_CROSS_REGION_BACKUP if region != own_region else RESTORE_BACKUP
            out[target] = Copy(id=target, region=region, relation="backup", mechanism=mechanism, serving=False,
                               zones=zones_of_node(tdata))
        for dst, _ in out_edges(graph, target, REPLICATES_TO):
            add(dst)
        for dst, _ in out_edges(graph, target, BACKED_UP_TO):
            add(dst)
        if tdata.get("kind") == BACKUP_PLAN:
            for rule in tattrs.get("rules") or ():
                for vault in [rule.get("target_vault"), *(rule.get("copy_to") or ())]:
                    if vault:
                        _ensure_vault(graph, vault, out, own_region, add)

    for dst, _ in out_edges(graph, node, BACKED_UP_TO):
        add(dst)
    for rp in _recovery_points_by_source(graph).get(node, ()):
        add(rp)
    for plan in _plans(graph, data.get("region"), data.get("account")):  # only its own region and account
        if plan not in out and plan_selects(graph._node[plan], node, data):
            add(plan)
    return list(out.values())


def plan_selects(plan: dict[str, Any], node: str, data: dict[str, Any]) -> bool:
    """Whether an AWS Backup plan's selections (``attrs.selections``) pick ``node``: same region and
    account, and a selection whose resource patterns match (``*`` wildcards) or whose ``ListOfTags``
    match (either of them: AWS ORs them), every ``Conditions`` entry holding, and not excluded by
    ``NotResources``. Tag-based selections have no ``backed_up_to`` edge: this is how they count."""
    if plan.get("region") != data.get("region") or (plan.get("account") and data.get("account")
                                                     and plan["account"] != data["account"]):
        return False
    tags = data.get("tags") or {}
    for selection in (plan.get("attrs") or {}).get("selections") or ():
        conditions = selection.get("conditions") or {}
        if any(_glob(node, p) for p in conditions.get("not_resources") or ()):
            continue
        by_resource = any(_glob(node, p) for p in selection.get("resources") or ())
        by_tag = any(tags.get(t.get("key")) == t.get("value") for t in conditions.get("tags") or ())
        if not (by_resource or by_tag):
            continue
        if all(_condition(op, c, tags) for op, items in conditions.items() if op not in ("tags", "not_resources")
               for c in items or ()):
            return True
    return False


def _glob(name: str, pattern: Any) -> bool:
    """``fnmatch.fnmatchcase(name, pattern)``. A pattern with no wildcard (``*``, ``?``, ``[``), as most of a
    selection's resource ARNs are, matches only itself: compared as it is, not compiled into a regular
    expression first (a tenth of a millisecond per distinct pattern: a second per million resources)."""
    if pattern.__class__ is str and name.__class__ is str and not ("*" in pattern or "?" in pattern
                                                                   or "[" in pattern):
        return name == pattern
    return fnmatch.fnmatchcase(name, pattern)


def _condition(op: str, c: dict[str, Any], tags: dict[str, str]) -> bool:
    key = str(c.get("key") or "")
    key = key.split("/", 1)[1] if key.startswith("aws:ResourceTag/") else key
    value, want = tags.get(key), str(c.get("value") or "")
    op = op.lower().replace("_", "")
    if op == "stringequals":
        return value == want
    if op == "stringnotequals":
        return value != want
    if op == "stringlike":
        return value is not None and fnmatch.fnmatchcase(value, want)
    if op == "stringnotlike":
        return value is None or not fnmatch.fnmatchcase(value, want)
    return False  # an operator we do not know: do not claim the resource is selected


def _ensure_vault(graph: nx.MultiDiGraph, vault: str, out: dict[str, Copy], own_region: str, add) -> None:
    if vault in graph:
        add(vault)
        return
    parts = vault.split(":", 5)
    region = parts[3] if len(parts) == 6 and parts[0] == "arn" and parts[3] else "unknown"
    mechanism = RESTORE_CROSS_REGION_BACKUP if region != own_region else RESTORE_BACKUP
    out.setdefault(vault, Copy(id=vault, region=region, relation="backup", mechanism=mechanism, serving=False))


def _backup_index(graph: nx.MultiDiGraph) -> _GraphMemo:
    memo = _memo(graph)
    if memo.by_source is None or memo.plans is None:
        by_source: dict[str, list[str]] = {}
        plans: dict[Any, list[str]] = {}
        for n, d in graph.nodes(data=True):
            if d.get("kind") == RECOVERY_POINT:
                src = (d.get("attrs") or {}).get("source_resource")
                if src:
                    by_source.setdefault(src, []).append(n)
            elif d.get("kind") == BACKUP_PLAN:
                plans.setdefault((d.get("region"), d.get("account") or ""), []).append(n)
        memo.by_source, memo.plans = by_source, plans
    return memo


def _recovery_points_by_source(graph: nx.MultiDiGraph) -> dict[str, list[str]]:
    return _backup_index(graph).by_source  # type: ignore[return-value]


def _plans(graph: nx.MultiDiGraph, region: str | None, account: str | None) -> list[str]:
    """The plans that could select a resource of ``region`` and ``account`` (a plan selects only in its own
    region, and only its own account's resources when both name one), in graph order."""
    by_scope = _backup_index(graph).plans
    if not account:
        found = [p for (r, _a), plans in by_scope.items() if r == region for p in plans]
    else:
        found = by_scope.get((region, account), []) + by_scope.get((region, ""), [])
    if len(found) < 2:
        return found
    order = _plan_order(graph)
    return sorted(found, key=order.__getitem__)


def _plan_order(graph: nx.MultiDiGraph) -> dict[str, int]:
    """Each backup plan's place in the graph's node order (the order plans were always tried in)."""
    memo = per_graph(graph, "copies.plan_order")
    if not memo:
        memo.update((n, i) for i, (n, d) in enumerate(graph.nodes(data=True)) if d.get("kind") == BACKUP_PLAN)
    return memo

