"""Data protection: backups at all, backups outside the data's region, replicas in another region.

A replication *destination* is never judged here: the graph knows it is the copy (a read replica,
a replica bucket). Global-table peers replicate both ways and are each judged, with their peers'
backups counted as theirs (it is the same data).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from resilience.durations import format_duration
from resilience.model import (
    DATABASE,
    FILE_SYSTEM,
    GLOBAL_DATABASE,
    GLOBAL_REGION,
    MEMBER_OF,
    OBJECT_STORE,
    Coverage,
)
from resilience.rule import Result, Rule, RuleContext
from resilience.survival import (
    Copy,
    backup_gap,
    backups_of,
    data_copies,
    describe_gap,
    incomplete_replication,
    is_stub,
    lists_held_in_region,
    out_edges,
    real_region,
    service_of,
    store_gap,
)

from ._common import (
    SOC2_A1_2,
    WA_REL09_BP01,
    WA_REL09_BP03,
    WA_REL10_BP01,
    WA_REL10_BP02,
    WA_REL13_BP02,
    data_stores,
    failed_reads,
    name,
    result,
    verdict,
)


def _peers(ctx: RuleContext, node: str) -> list[str]:
    """Copies that are the same database: global-table peers, and the other clusters of an Aurora global
    database (a secondary is a replica of the writer, and keeps automated backups of its own in its region)."""
    groups = _global_databases(ctx, node)
    return [c.id for c in data_copies(ctx.graph, node)
            if c.relation == "peer" or (groups and groups & _global_databases(ctx, c.id))]


def _global_databases(ctx: RuleContext, node: str) -> set[str]:
    if node not in ctx.graph:
        return set()
    return {g for g, _ in out_edges(ctx.graph, node, MEMBER_OF) if ctx.graph._node[g].get("kind") == GLOBAL_DATABASE}


def _all_backups(ctx: RuleContext, node: str) -> list[Copy]:
    """The node's backups and those of the copies that are the same database (:func:`_peers`), each once."""
    seen: dict[str, Copy] = {}
    for owner in [node, *_peers(ctx, node)]:
        if owner not in ctx.graph or is_stub(ctx.graph._node[owner]):
            continue
        for b in backups_of(ctx.graph, owner):
            seen.setdefault(b.id, b)
    return list(seen.values())


def _describe(ctx: RuleContext, b: Copy) -> dict:
    if b.relation == "automated":
        owner = b.id.rsplit("#", 1)[0]
        attrs = ctx.graph._node[owner].get("attrs") or {}
        days = attrs.get("backup_retention_days")
        kept = None if days is None else f"{int(days)} days" if float(days).is_integer() else format_duration(
            float(days) * 86400)  # Cosmos DB keeps periodic backups for hours: 8h, not 0.333 days
        what = "point-in-time recovery" if attrs.get("pitr") else \
            f"automated backups ({kept})" if kept is not None else "automated backups"
        return {"id": owner, "kind": what, "region": b.region}
    kind = ctx.graph._node[b.id].get("type") if b.id in ctx.graph else "AWS::Backup::BackupVault"
    return {"id": b.id, "kind": kind, "region": b.region}


def _can_hide_copy_elsewhere(c: Coverage) -> bool:
    return not lists_held_in_region(c)


class _Gaps:
    """Failed reads, filtered once per rule run; the answers per (region, service) are kept, since
    every store of one service in one region gets the same ones (``backup_gap`` reads a store only
    through its service), except that a read made for particular resources reaches only the stores
    it is about (:func:`resilience.survival.store_gap`)."""

    def __init__(self, ctx: RuleContext) -> None:
        self.failed: tuple[Coverage, ...] = failed_reads(ctx)
        self.ctx = replace(ctx, coverage=self.failed)  # ctx.gaps over the failed reads only: same answers
        self.memo: dict[tuple, list[str]] = {}

    def backup(self, node: str, *, own_region: bool, only=None) -> list[str]:
        """Failed reads that could hide a backup: in the store's region (``own_region``) or elsewhere;
        ``only``: those for which it holds."""
        data = self.ctx.graph._node[node]
        region = data.get("region")
        key = ("backup", region, service_of(data), own_region, only)
        if key not in self.memo:
            self.memo[key] = [c for c in self.failed
                              if backup_gap(data, c) and ((c.region in (region, "global", "*")) == own_region)
                              and (only is None or only(c))]
        return self._about(node, self.memo[key])

    def replication(self, node: str, own: str | None) -> list[str]:
        """Failed reads in the store's region that could hide a replication setting: not a backup service's,
        nor a listing of the store's service's backups or snapshots (``sqladmin:backupruns``,
        ``spanner:backups``, ``rds:snapshots``), which holds no live copy."""
        data = self.ctx.graph._node[node]
        key = ("replication", own, service_of(data))
        if key not in self.memo:
            self.memo[key] = [c for c in self.failed
                              if c.region in (own, "global", "*") and backup_gap(data, c)
                              and not c.service.startswith("backup") and not _lists_backups(c)]
        return self._about(node, self.memo[key])

    def _about(self, node: str, found: list[Coverage]) -> list[str]:
        return [describe_gap(c) for c in found if not c.resources or store_gap(self.ctx.graph, node, c)]

    def where(self, region: str, service: str | None) -> list:
        """``ctx.gaps`` for a copy's region and service."""
        key = ("where", region, service)
        if key not in self.memo:
            self.memo[key] = self.ctx.gaps(region=region, services=[s for s in [service] if s])
        return self.memo[key]


def _lists_backups(c: Coverage) -> bool:
    """A read of a service's backups, backup runs or schedules, or snapshots (the part after ``:``)."""
    return c.service.partition(":")[2].startswith(("backup", "snapshot"))


def _backup_gaps(ctx: RuleContext, node: str, *, own_region: bool, gaps: _Gaps | None = None) -> list[str]:
    """Failed reads that could hide a backup: in the node's region (``own_region``) or elsewhere."""
    return (gaps or _Gaps(ctx)).backup(node, own_region=own_region)


#: what RES-DATA-001 expects of a store, in its provider's own mechanisms
_BACKUP_MECHANISMS = {
    "aws": "automated backups, point-in-time recovery, snapshots or an AWS Backup plan",
    "azure": "automated backups, point-in-time restore, snapshots, blob versioning or an Azure Backup policy",
    "gcp": "automated backups (Cloud SQL), point-in-time recovery, Spanner / Firestore backups or backup "
           "schedules, object versioning, disk snapshot schedules or a Backup and DR plan",
}
_ANY_BACKUP = "automated backups, point-in-time recovery, snapshots or a backup plan"


def _unreported(data: dict) -> list[str]:
    """Settings the collector should have reported but did not (a read that failed for this store)."""
    attrs = data.get("attrs") or {}
    native = data.get("type") or ""
    if native.startswith("AWS::DynamoDB") and "pitr" not in attrs:
        return ["point-in-time recovery status was not reported"]
    if native.startswith("AWS::RDS") and "backup_retention_days" not in attrs:
        return ["backup retention was not reported"]
    if data.get("kind") == OBJECT_STORE and "versioning" not in attrs:
        return ["bucket versioning was not reported"]
    return []


def _no_backup(ctx: RuleContext) -> Iterator[Result]:
    """Every original data store (databases, buckets, volumes; not replicas, not the disposable
    volumes of Auto Scaling instances). Backups are: automated backups (retention > 0 days),
    point-in-time recovery, recovery points (snapshots, AWS Backup points, their copies), an AWS
    Backup plan selecting the store; for a bucket, versioning (in-place object history) also counts.
    ``pass``: any of them. ``fail``: none. ``unknown``: none seen, but the store's backup settings
    were not reported or a backup read in its region failed."""
    gaps = _Gaps(ctx)
    for node in data_stores(ctx):
        data = ctx.graph._node[node]
        attrs = data.get("attrs") or {}
        backups = [_describe(ctx, b) for b in _all_backups(ctx, node)]
        versioned = data.get("kind") == OBJECT_STORE and attrs.get("versioning") == "Enabled"
        observed = {"backups": backups, "backup_retention_days": attrs.get("backup_retention_days"),
                    "pitr": attrs.get("pitr"), "versioning": attrs.get("versioning")}
        expected = {"backups": _BACKUP_MECHANISMS.get(data.get("provider") or "aws", _ANY_BACKUP)}
        if backups or versioned:
            what = ", ".join(sorted({b["kind"] for b in backups})) or "versioning"
            yield result(ctx, node, "pass", f"{name(ctx, node)} is backed up ({what})",
                             observed=observed, expected=expected)
            continue
        doubts = _unreported(data) + _backup_gaps(ctx, node, own_region=True, gaps=gaps)
        status = verdict(False, doubts)
        message = f"{name(ctx, node)} has no backup, snapshot or point-in-time recovery at all"
        if status == "unknown":
            observed["unknown"] = doubts
            message = f"{name(ctx, node)}: no backup was seen, but {doubts[0]}"
        yield result(ctx, node, status, message, observed=observed, expected=expected)


def _backup_colocated(ctx: RuleContext) -> Iterator[Result]:
    """Every original data store that has backups (see RES-DATA-001): where they are. Counted
    outside the store's region: cross-region snapshot copies, recovery points copied to another
    region's vault, an AWS Backup plan rule copying to a vault in another region, vault-to-vault
    copies, replicated automated backups (RDS), a global-table peer's backups.
    ``pass``: at least one backup lives in another region. ``fail``: all are in the store's own
    region — they are lost with it. ``unknown``: none elsewhere was seen, but a backup or snapshot
    read failed somewhere a copy could be (copies are listed only by the destination region; in the
    store's own region, only reads that could name a copy elsewhere count: backup plans and their copy
    rules, automated-backup replication, the service's primary read — not a listing of the region's own
    recovery points or snapshots), or a backup location's region is unknown. Stores without any backup
    are RES-DATA-001's."""
    gaps = _Gaps(ctx)
    for node in data_stores(ctx):
        data = ctx.graph._node[node]
        own = data.get("region")
        backups = _all_backups(ctx, node)
        if not backups:
            continue
        elsewhere = [b for b in backups if real_region(b.region) and b.region != own]
        unplaced = [b for b in backups if not real_region(b.region)]
        observed = {"region": own, "backups": [_describe(ctx, b) for b in backups],
                    "outside_region": [_describe(ctx, b) for b in elsewhere]}
        expected = {"outside_region": f"at least one backup copy outside {own}"}
        if elsewhere:
            regions = sorted({b.region for b in elsewhere})
            yield result(ctx, node, "pass", f"{name(ctx, node)} has backup copies outside {own} ({', '.join(regions)})",
                             observed=observed, expected=expected)
            continue
        # a read of the store's own region is a doubt only if it could list a copy held elsewhere
        doubts = _backup_gaps(ctx, node, own_region=False, gaps=gaps) + \
            gaps.backup(node, own_region=True, only=_can_hide_copy_elsewhere)
        doubts += [f"the region of backup location {b.id} is unknown" for b in unplaced]
        status = verdict(False, doubts)
        message = (f"every backup of {name(ctx, node)} is in {own}: losing {own} loses "
                   "the data and its backups together")
        if status == "unknown":
            observed["unknown"] = doubts
            message = f"no backup of {name(ctx, node)} outside {own} was seen, but {doubts[0]}"
        yield result(ctx, node, status, message, observed=observed, expected=expected)


def _no_cross_region_replica(ctx: RuleContext) -> Iterator[Result]:
    """Every original database, bucket and file system (not replicas: the destination of a replication is
    the copy, and is not listed). Copies counted: read replicas and secondary clusters (``replicates_to``
    / ``fails_over_to``), global-table and global-database peers, bucket and EFS replication destinations.
    A replication that copies only part of the data is not counted: an S3 rule that leaves SSE-KMS
    objects out (``SseKmsEncryptedObjects`` not Enabled) of a bucket whose default encryption is
    ``aws:kms`` / ``aws:kms:dsse`` (the evidence names the rule and the encryption).
    ``pass``: a copy lives in another region (whose read succeeded). ``fail``: no copy outside the
    store's region (same-region replicas are listed in the evidence). ``unknown``: the only
    cross-region copies are unverified (region unreadable, not inventoried, region unknown), or the
    store's replication settings could not be read (its default encryption too, when a rule leaves
    SSE-KMS objects out). Backup copies are judged by RES-DATA-002."""
    gaps = _Gaps(ctx)
    for node in data_stores(ctx, frozenset({DATABASE, OBJECT_STORE, FILE_SYSTEM})):
        data = ctx.graph._node[node]
        own = data.get("region")
        attrs = data.get("attrs") or {}
        if own == GLOBAL_REGION and attrs.get("geo_redundant") is True:
            area = attrs.get("multi_region") or attrs.get("location") or "several regions"
            yield result(ctx, node, "pass", f"{name(ctx, node)} is kept by the service across the regions of a "
                         f"multi-region location ({area}): no one region's loss takes it",
                         observed={"region": own, "location": attrs.get("location"),
                                   "location_type": attrs.get("location_type"), "geo_redundant": True},
                         expected={"copy": "a copy in another region"})
            continue
        copies = [c for c in data_copies(ctx.graph, node) if c.relation in ("replica", "peer")]
        elsewhere = [c for c in copies if c.region != own]
        observed = {"region": own, "copies": [{"id": c.id, "region": c.region, "mechanism": c.mechanism}
                                              for c in copies]}
        expected = {"copy": f"a replica in a region other than {own}"}
        verified, doubts = [], []
        for c in elsewhere:
            reasons = _copy_doubts(ctx, c, gaps)
            if reasons:
                doubts += reasons
            else:
                verified.append(c)
        if verified:
            regions = sorted({c.region for c in verified})
            yield result(ctx, node, "pass", f"{name(ctx, node)} has a live copy in {', '.join(regions)}",
                             observed=observed, expected=expected)
            continue
        if not doubts:
            doubts = gaps.replication(node, own)
        status = verdict(False, doubts)
        same = [c for c in copies if c.region == own]
        partial = incomplete_replication(ctx.graph, node)  # replication that copies only part of the data
        if partial:
            observed["incomplete_replication"] = partial
        message = f"{name(ctx, node)} has no live copy (replica) outside {own}" + \
            (f" (its {len(same)} replica(s) are in the same region)" if same else "") + \
            (f": {'; '.join(partial)}" if partial else "")
        if status == "unknown":
            observed["unknown"] = doubts
            message = f"{name(ctx, node)}: no verified live copy outside {own} — {doubts[0]}" + \
                (f"; {partial[0]}" if partial else "")
        yield result(ctx, node, status, message, observed=observed, expected=expected)


def _copy_doubts(ctx: RuleContext, c: Copy, gaps: _Gaps | None = None) -> list[str]:
    if c.id not in ctx.graph:
        return [f"{c.id} is not inventoried"]
    data = ctx.graph._node[c.id]
    reasons = []
    if is_stub(data):
        reasons.append(f"{c.id} was referenced but not inventoried")
    if not real_region(c.region):
        reasons.append(f"the region of {name(ctx, c.id)} is unknown")
    reasons += [f"{describe_gap(g)} (where {name(ctx, c.id)} is)"
                for g in (gaps or _Gaps(ctx)).where(c.region, service_of(data))]
    return reasons


_BACKUP_CONTROLS = ("SOC2:A1.2", "ISO27001:2022:A.8.13", "NIST800-53:CP-9", "DORA:Art.12")

NO_BACKUP = Rule(
    id="RES-DATA-001",
    title="Data store has no backup or point-in-time recovery",
    category="no-backup",
    severity="high",
    controls=_BACKUP_CONTROLS,
    rationale=(
        "Replication copies deletions and corruption as faithfully as data; only a backup restores the state "
        f"before the mistake. {WA_REL09_BP01} asks that all data needing protection be identified and backed up, "
        f"{WA_REL09_BP03} that backups run automatically, {WA_REL13_BP02} that the recovery strategy (and so the "
        f"achievable RPO) rests on them. Missing backups fail {SOC2_A1_2} (data back-up processes) and ISO/IEC "
        "27001:2022 A.8.13 (information backup)."
    ),
    provider_remediation=(
        ("azure", (
            "Protect the resource with Azure Backup (a backup policy in a Recovery Services or Backup vault), "
            "point-in-time restore (Azure SQL; Cosmos DB continuous backup), soft delete, versioning and "
            "operational backup for blob storage, or scheduled disk snapshots; prefer Azure Policy enrolling "
            "resources by tag."
        )),
        ("gcp", (
            "Enable automated backups and point-in-time recovery on Cloud SQL, backups or point-in-time "
            "recovery on Spanner and Firestore, object versioning and a copy elsewhere for Cloud Storage, "
            "snapshot schedules on persistent disks; prefer Backup and DR Service backup plans applied by "
            "label."
        )),
    ),
    remediation=(
        "Enable automated backups (RDS backup retention >= 7 days), point-in-time recovery (DynamoDB), versioning "
        "and an AWS Backup plan (S3), or scheduled snapshots (EBS via Data Lifecycle Manager or AWS Backup); prefer "
        "one AWS Backup plan selecting resources by tag."
    ),
    check=_no_backup,
    requires=("rds", "dynamodb", "s3", "ec2", "backup"),
    references=(
        "https://docs.aws.amazon.com/wellarchitected/latest/reliability-pillar/rel_backing_up_data_identified_backups_data.html",
        "https://docs.aws.amazon.com/wellarchitected/latest/reliability-pillar/rel_backing_up_data_automated_backups_data.html",
        "AICPA Trust Services Criteria A1.2",
        "ISO/IEC 27001:2022 Annex A 8.13",
    ),
)

BACKUP_COLOCATED = Rule(
    id="RES-DATA-002",
    title="Backups exist only in the region of the data they protect",
    category="backup-colocated",
    severity="high",
    controls=_BACKUP_CONTROLS + ("NIST800-53:CP-6",),
    rationale=(
        "A backup in the same region as its data is lost with that region: in March 2026 workloads in me-central-1 "
        "whose snapshots and vaults were also in me-central-1 had nothing to restore elsewhere. "
        f"{WA_REL09_BP01} and {WA_REL13_BP02} (backup and restore as a DR strategy needs the backup in the recovery "
        f"region); {WA_REL10_BP01}. NIST SP 800-53 CP-6 asks for an alternate storage site separated from the "
        f"primary; DORA Art. 12 for backups in a location physically and logically segregated. Evidence for "
        f"{SOC2_A1_2} and ISO/IEC 27001:2022 A.8.13."
    ),
    provider_remediation=(
        ("azure", (
            "Keep backups outside the region: a geo-redundant (GRS) Recovery Services vault with Cross Region "
            "Restore enabled, or a Backup vault with cross-region restore; geo-redundant backup storage for "
            "Azure SQL and Cosmos DB. Pick a region outside the primary's failure domain where the region "
            "pair allows."
        )),
        ("gcp", (
            "Keep backups outside the region: Cloud SQL backups in a custom location in another region, "
            "snapshots stored in a multi-region or another region's storage location, a Backup and DR Service "
            "vault in another region. Pick a region outside the primary's failure domain."
        )),
    ),
    remediation=(
        "Add a copy action to the AWS Backup plan rule (copy to a vault in another region, ideally another account), "
        "enable RDS cross-region automated backup replication, or copy snapshots to another region on a schedule "
        "(Data Lifecycle Manager cross-region copy). Pick a region outside the primary's failure domain."
    ),
    check=_backup_colocated,
    requires=("rds", "dynamodb", "ec2", "backup"),
    references=(
        "https://docs.aws.amazon.com/aws-backup/latest/devguide/cross-region-backup.html",
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReplicateBackups.html",
        "https://docs.aws.amazon.com/whitepapers/latest/disaster-recovery-workloads-on-aws/disaster-recovery-options-in-the-cloud.html",
        "AICPA Trust Services Criteria A1.2",
    ),
)

NO_CROSS_REGION_REPLICA = Rule(
    id="RES-DATA-003",
    title="Data store has no copy in another region",
    category="no-cross-region-replica",
    severity="medium",
    controls=("SOC2:A1.2", "ISO27001:2022:A.8.14", "NIST800-53:CP-6"),
    rationale=(
        "Without a live copy in another region, a region loss means restoring from backups (hours, and data since "
        "the last copy lost) or waiting for the region. A cross-region replica keeps the recovery point at seconds "
        f"and the recovery time at a promotion. {WA_REL10_BP01} and {WA_REL10_BP02}; {WA_REL13_BP02} (pilot light, "
        f"warm standby and active/active all start from replicated data). Evidence for {SOC2_A1_2} and ISO/IEC "
        "27001:2022 A.8.14 (redundancy)."
    ),
    provider_remediation=(
        ("azure", (
            "Add a geo-secondary (SQL active geo-replication or a failover group), a second Cosmos DB region, "
            "geo-redundant storage (GZRS/RA-GZRS) or object replication, or geo-replication for the cache. "
            "Waive stores whose data is reproducible."
        )),
        ("gcp", (
            "Add a cross-region read replica (Cloud SQL), use a multi-region configuration (Spanner, "
            "Firestore), or make the bucket dual- or multi-region (turbo replication for a bounded RPO). "
            "Waive stores whose data is reproducible."
        )),
    ),
    remediation=(
        "Add a cross-region read replica (RDS) or an Aurora Global Database secondary, make the DynamoDB table a "
        "global table, enable S3 Cross-Region Replication (with Replication Time Control for a bounded RPO), or "
        "replicate the EFS file system to another region. Waive stores whose data is reproducible."
    ),
    check=_no_cross_region_replica,
    requires=("rds", "dynamodb", "s3", "efs"),
    references=(
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.XRgn.html",
        "https://docs.aws.amazon.com/efs/latest/ug/efs-replication.html",
        "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GlobalTables.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication.html",
        "AICPA Trust Services Criteria A1.2",
    ),
)

RULES = (NO_BACKUP, BACKUP_COLOCATED, NO_CROSS_REGION_REPLICA)
