"""Small, explicit stand-ins for AWS behaviour that moto (5.2) does not implement.

The demo estate is built with the ordinary AWS APIs and read back by the real collector. Where
moto has no model for an API the estate needs, this module adds one, shaped like the AWS
response, so the collector's real parsing code runs. Nothing here changes what moto already does.
:func:`patched` is a context manager that installs the stand-ins and removes them on exit (nested
uses share one installation), so moto behaves as shipped outside it: a test that asserts moto's own
behaviour passes in any order. It must run in the process that serves the requests (in-process
``mock_aws``, or the process hosting a ``ThreadedMotoServer``), before the first request.

What is added, and why:

* **DynamoDB global tables (version 2019.11.21).** moto ignores ``UpdateTable ReplicaUpdates``
  and never reports ``Replicas``. Here ``Create`` makes the replica table in the other region (same
  key schema, billing, streams, tags) and ``DescribeTable`` on every member reports the other
  members in ``Replicas`` plus ``GlobalTableVersion``, as AWS does.
* **AWS Backup selections, jobs and recovery points.** moto has plans and vaults only. Added:
  ``CreateBackupSelection`` / ``ListBackupSelections`` / ``GetBackupSelection``;
  ``StartBackupJob`` (a completed recovery point at once) / ``ListBackupJobs``; ``StartCopyJob``
  (a completed copy in the destination vault, which may be in another region) / ``ListCopyJobs``;
  ``ListRecoveryPointsByBackupVault``; ``ListRestoreJobs`` and ``ListRestoreTestingPlans`` (empty
  unless something was added). Without them the collector would see "not implemented" errors and
  report them, correctly, as coverage gaps.
* **RDS automated backups.** moto's ``DescribeDBInstanceAutomatedBackups`` returns only the DB
  identifier and status; AWS always returns ``DBInstanceAutomatedBackupsArn``, ``DBInstanceArn``,
  ``Region``, ``RestoreWindow``, ``BackupRetentionPeriod``, ``AllocatedStorage`` and ``Engine``.
  Added as read-only properties derived from the DB instance and its automated snapshots.
* **EFS replication, ElastiCache global datastores and serverless caches** (issue 13). moto has no
  ``CreateReplicationConfiguration`` / ``DescribeReplicationConfigurations``,
  ``DescribeGlobalReplicationGroups`` or ``DescribeServerlessCaches``. Added: EFS replication that
  creates the destination file system in the other region (read-only, protected, as AWS does) and
  lists the configuration in both regions; the two ElastiCache reads answer with nothing (the demo
  has no global datastore and no serverless cache), instead of "not implemented".
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from typing import Any

_lock = threading.RLock()
_depth = 0
#: how to undo the installation: (object, attribute, previous value or _MISSING), in install order
_undo: list[tuple[Any, str, Any]] = []
_MISSING = object()


def _set(obj: Any, name: str, value: Any) -> None:
    """Set ``obj.name`` (an attribute, or a key when ``obj`` is a dict) and remember how to undo it."""
    if isinstance(obj, dict):
        _undo.append((obj, name, obj.get(name, _MISSING)))
        obj[name] = value
    else:
        _undo.append((obj, name, vars(obj).get(name, _MISSING)))
        setattr(obj, name, value)


def _remove_all() -> None:
    while _undo:
        obj, name, previous = _undo.pop()
        if isinstance(obj, dict):
            if previous is _MISSING:
                obj.pop(name, None)
            else:
                obj[name] = previous
        elif previous is _MISSING:
            delattr(obj, name)
        else:
            setattr(obj, name, previous)


@contextlib.contextmanager
def patched() -> Iterator[None]:
    """The stand-ins, installed for the duration of the block and removed after (re-entrant)."""
    install()
    try:
        yield
    finally:
        uninstall()


def install() -> None:
    """Patch moto in this process; pair every call with :func:`uninstall` (or use :func:`patched`)."""
    global _depth
    with _lock:
        if _depth == 0:
            try:
                _install_dynamodb_global_tables()
                _install_backup()
                _install_rds_automated_backups()
                _install_issue13_reads()
            except (ImportError, AttributeError) as exc:  # moto's internals moved: say so in one line
                _remove_all()
                import moto

                from resilience.errors import InputError

                raise InputError(f"the demo's moto stand-ins do not fit moto {moto.__version__} ({exc}); "
                                 "install the moto version in resilience-audit[demo]") from None
        _depth += 1


def uninstall() -> None:
    """Undo one :func:`install`; the last one restores moto as shipped and drops the extra state."""
    global _depth
    with _lock:
        if _depth == 0:
            return
        _depth -= 1
        if _depth == 0:
            _remove_all()
            reset()


def installed() -> bool:
    return _depth > 0


def fresh_backends() -> None:
    """Drop every moto backend so that the next call builds it anew (after the caller seeds moto).

    moto's own reset re-creates some backends while it runs (an Auto Scaling backend's reset builds
    the region's EC2 backend, default VPC included, from unseeded randomness), so a second
    ``mock_aws`` in one process would not repeat the first one's identifiers. Clearing, without
    resetting, leaves nothing built.
    """
    import sys

    from moto.core.base_backend import BackendDict

    for module in list(sys.modules.values()):
        name = getattr(module, "__name__", "")
        if name.startswith("moto.") and name.endswith(".models"):
            for value in list(vars(module).values()):
                if isinstance(value, BackendDict):
                    value.clear()
                    # S3's global bucket-name registry outlives the backends: a stale entry makes
                    # moto's cross-account bucket lookup call itself forever
                    registry = getattr(value, "bucket_accounts", None)
                    if isinstance(registry, dict):
                        registry.clear()
    BackendDict._instances.clear()
    reset()


# --- DynamoDB global tables ---------------------------------------------------------------

GLOBAL_TABLE_VERSION = "2019.11.21"


def _install_dynamodb_global_tables() -> None:
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.responses import DynamoHandler

    original_update = DynamoHandler.update_table
    original_describe = Table.describe

    def update_table(self: Any) -> Any:
        updates = (self.body or {}).get("ReplicaUpdates") or []
        if updates:
            source = self.dynamodb_backend.get_table(self.body["TableName"])
            for update in updates:
                if "Create" in update:
                    _add_replica(dynamodb_backends[self.current_account], source, update["Create"]["RegionName"])
                elif "Delete" in update:
                    _drop_replica(dynamodb_backends[self.current_account], source, update["Delete"]["RegionName"])
        return original_update(self)

    def describe(self: Any, base_key: str = "TableDescription") -> dict[str, Any]:
        out = original_describe(self, base_key)
        group = getattr(self, "_resilience_replica_group", None)
        if group and len(group) > 1:
            out[base_key]["Replicas"] = [
                {"RegionName": region, "ReplicaStatus": "ACTIVE"} for region in sorted(group) if region != self.region_name
            ]
            out[base_key]["GlobalTableVersion"] = GLOBAL_TABLE_VERSION
        return out

    _set(DynamoHandler, "update_table", update_table)
    _set(Table, "describe", describe)


def _add_replica(account_backends: Any, source: Any, region: str) -> None:
    if region == source.region_name:
        return
    group = getattr(source, "_resilience_replica_group", None)
    if group is None:
        group = {source.region_name}
        source._resilience_replica_group = group
    backend = account_backends[region]
    if source.name not in backend.tables:
        on_demand = source.billing_mode == "PAY_PER_REQUEST"
        throughput = None if on_demand else {k: v for k, v in source.throughput.items()
                                             if k in ("ReadCapacityUnits", "WriteCapacityUnits")}
        backend.create_table(
            name=source.name, schema=source.schema, throughput=throughput, attr=source.attr,
            global_indexes=[{"IndexName": i.name, "KeySchema": i.schema, "Projection": i.projection}
                            for i in source.global_indexes],
            indexes=[{"IndexName": i.name, "KeySchema": i.schema, "Projection": i.projection} for i in source.indexes],
            streams=source.stream_specification if (source.stream_specification or {}).get("StreamEnabled") else None,
            billing_mode=source.billing_mode or "PROVISIONED", sse_specification=source.sse_specification,
            tags=[dict(t) for t in source.tags], deletion_protection_enabled=source.deletion_protection_enabled,
            warm_throughput=None,
        )
    replica = backend.tables[source.name]
    group.add(region)
    replica._resilience_replica_group = group


def _drop_replica(account_backends: Any, source: Any, region: str) -> None:
    group = getattr(source, "_resilience_replica_group", None)
    if not group or region not in group:
        return
    group.discard(region)
    backend = account_backends[region]
    replica = backend.tables.get(source.name)
    if replica is not None:
        replica._resilience_replica_group = None


# --- AWS Backup -------------------------------------------------------------------------------


class _BackupState:
    """Per (account, region) extra Backup state, kept beside moto's backend."""

    def __init__(self) -> None:
        self.selections: dict[str, dict[str, dict[str, Any]]] = {}  # plan id -> selection id -> record
        self.recovery_points: dict[str, list[dict[str, Any]]] = {}  # vault name -> points
        self.backup_jobs: list[dict[str, Any]] = []
        self.copy_jobs: list[dict[str, Any]] = []
        self.restore_jobs: list[dict[str, Any]] = []


_backup_states: dict[tuple[str, str], _BackupState] = {}
_lock_state = threading.Lock()


def _backup_state(account: str, region: str) -> _BackupState:
    with _lock_state:
        return _backup_states.setdefault((account, region), _BackupState())


def reset() -> None:
    """Forget the extra state (moto's own reset does not know about it)."""
    with _lock_state:
        _backup_states.clear()
        _REPLICATIONS.clear()


_RESOURCE_TYPES = {"rds": "RDS", "dynamodb": "DynamoDB", "ec2": "EBS", "s3": "S3", "elasticfilesystem": "EFS"}


def _resource_type(arn: str) -> str:
    parts = arn.split(":")
    service = parts[2] if len(parts) > 2 else ""
    if service == "ec2" and ":instance/" in arn:
        return "EC2"
    return _RESOURCE_TYPES.get(service, service.upper())


def _install_backup() -> None:
    from moto.backup import urls
    from moto.backup.models import backup_backends
    from moto.backup.responses import BackupResponse
    from moto.core.utils import unix_time
    from moto.moto_api._internal import mock_random

    def backend(self: Any) -> Any:
        return backup_backends[self.current_account][self.region]

    def state(self: Any) -> _BackupState:
        return _backup_state(self.current_account, self.region)

    def params(self: Any) -> dict[str, Any]:
        return json.loads(self.body) if self.body else {}

    def create_backup_selection(self: Any) -> str:
        plan_id = self.uri_match["backupPlanId"]
        backend(self).get_backup_plan(backup_plan_id=plan_id, version_id=None)  # 404 when unknown
        selection = params(self)["BackupSelection"]
        selection_id = str(mock_random.uuid4())
        record = {"SelectionId": selection_id, "BackupPlanId": plan_id, "CreationDate": unix_time(),
                  "BackupSelection": selection}
        state(self).selections.setdefault(plan_id, {})[selection_id] = record
        return json.dumps({"SelectionId": selection_id, "BackupPlanId": plan_id,
                           "CreationDate": record["CreationDate"]})

    def list_backup_selections(self: Any) -> str:
        plan_id = self.uri_match["backupPlanId"]
        items = [
            {"SelectionId": r["SelectionId"], "SelectionName": r["BackupSelection"]["SelectionName"],
             "BackupPlanId": plan_id, "CreationDate": r["CreationDate"],
             "IamRoleArn": r["BackupSelection"].get("IamRoleArn")}
            for r in state(self).selections.get(plan_id, {}).values()
        ]
        return json.dumps({"BackupSelectionsList": items})

    def get_backup_selection(self: Any) -> str:
        plan_id, selection_id = self.uri_match["backupPlanId"], self.uri_match["selectionId"]
        record = state(self).selections.get(plan_id, {}).get(selection_id)
        if record is None:
            from moto.backup.exceptions import ResourceNotFoundException

            raise ResourceNotFoundException(msg=f"Failed reading selection {selection_id}")
        return json.dumps(record)

    def _add_point(account: str, region: str, vault_name: str, resource_arn: str, *,
                   source_vault_arn: str | None = None, size: int = 0) -> dict[str, Any]:
        vault = backup_backends[account][region].vaults.get(vault_name)
        vault_arn = vault.backup_vault_arn if vault else f"arn:aws:backup:{region}:{account}:backup-vault:{vault_name}"
        now = unix_time()
        point = {
            "RecoveryPointArn": f"arn:aws:backup:{region}:{account}:recovery-point:{mock_random.uuid4()}",
            "BackupVaultName": vault_name, "BackupVaultArn": vault_arn, "ResourceArn": resource_arn,
            "ResourceType": _resource_type(resource_arn), "ResourceName": resource_arn.rsplit("/", 1)[-1].rsplit(":", 1)[-1],
            "CreationDate": now, "CompletionDate": now, "Status": "COMPLETED", "BackupSizeInBytes": size,
            "IamRoleArn": f"arn:aws:iam::{account}:role/backup-service", "StorageClass": "WARM",
        }
        if source_vault_arn:
            point["SourceBackupVaultArn"] = source_vault_arn
        _backup_state(account, region).recovery_points.setdefault(vault_name, []).append(point)
        if vault is not None:
            vault.num_of_recovery_points += 1
        return point

    def start_backup_job(self: Any) -> str:
        p = params(self)
        vault_name, resource = p["BackupVaultName"], p["ResourceArn"]
        if vault_name not in backend(self).vaults:
            from moto.backup.exceptions import ResourceNotFoundException

            raise ResourceNotFoundException(msg=f"Backup vault {vault_name} does not exist")
        point = _add_point(self.current_account, self.region, vault_name, resource)
        job = {"BackupJobId": str(mock_random.uuid4()), "BackupVaultName": vault_name,
               "BackupVaultArn": point["BackupVaultArn"], "RecoveryPointArn": point["RecoveryPointArn"],
               "ResourceArn": resource, "ResourceType": point["ResourceType"], "CreationDate": point["CreationDate"],
               "CompletionDate": point["CompletionDate"], "State": "COMPLETED", "IamRoleArn": p.get("IamRoleArn")}
        state(self).backup_jobs.append(job)
        return json.dumps({"BackupJobId": job["BackupJobId"], "RecoveryPointArn": job["RecoveryPointArn"],
                           "CreationDate": job["CreationDate"]})

    def start_copy_job(self: Any) -> str:
        p = params(self)
        source_vault = p["SourceBackupVaultName"]
        points = state(self).recovery_points.get(source_vault, [])
        original = next((x for x in points if x["RecoveryPointArn"] == p["RecoveryPointArn"]), None)
        if original is None:
            from moto.backup.exceptions import ResourceNotFoundException

            raise ResourceNotFoundException(msg=f"Recovery point {p['RecoveryPointArn']} not found")
        dest_arn = p["DestinationBackupVaultArn"]
        dest_region, dest_account = dest_arn.split(":")[3], dest_arn.split(":")[4]
        dest_vault = dest_arn.split(":backup-vault:")[-1]
        copy = _add_point(dest_account, dest_region, dest_vault, original["ResourceArn"],
                          source_vault_arn=original["BackupVaultArn"], size=original["BackupSizeInBytes"])
        job = {"CopyJobId": str(mock_random.uuid4()), "SourceBackupVaultArn": original["BackupVaultArn"],
               "SourceRecoveryPointArn": original["RecoveryPointArn"], "DestinationBackupVaultArn": dest_arn,
               "DestinationRecoveryPointArn": copy["RecoveryPointArn"], "ResourceArn": original["ResourceArn"],
               "ResourceType": original["ResourceType"], "CreationDate": copy["CreationDate"],
               "CompletionDate": copy["CompletionDate"], "State": "COMPLETED", "IamRoleArn": p.get("IamRoleArn")}
        state(self).copy_jobs.append(job)
        return json.dumps({"CopyJobId": job["CopyJobId"], "CreationDate": job["CreationDate"]})

    def list_recovery_points_by_backup_vault(self: Any) -> str:
        vault_name = self.uri_match["backupVaultName"]
        if vault_name not in backend(self).vaults:
            from moto.backup.exceptions import ResourceNotFoundException

            raise ResourceNotFoundException(msg=f"Backup vault {vault_name} does not exist")
        return json.dumps({"RecoveryPoints": list(state(self).recovery_points.get(vault_name, []))})

    def list_backup_jobs(self: Any) -> str:
        return json.dumps({"BackupJobs": list(state(self).backup_jobs)})

    def list_copy_jobs(self: Any) -> str:
        return json.dumps({"CopyJobs": list(state(self).copy_jobs)})

    def list_restore_jobs(self: Any) -> str:
        return json.dumps({"RestoreJobs": list(state(self).restore_jobs)})

    def list_restore_testing_plans(self: Any) -> str:
        return json.dumps({"RestoreTestingPlans": []})

    for fn in (create_backup_selection, list_backup_selections, get_backup_selection, start_backup_job,
               start_copy_job, list_recovery_points_by_backup_vault, list_backup_jobs, list_copy_jobs,
               list_restore_jobs, list_restore_testing_plans):
        if not hasattr(BackupResponse, fn.__name__):  # never replace what moto implements
            _set(BackupResponse, fn.__name__, fn)

    dispatch = BackupResponse.dispatch
    for path in (
        "{0}/backup-vaults/(?P<name>[^/]+)/recovery-points/$",  # trailing "/" kept: werkzeug needs it
        "{0}/backup-jobs/?$",
        "{0}/copy-jobs/?$",
        "{0}/restore-jobs/?$",
        "{0}/restore-testing/plans/?$",
    ):
        if path not in urls.url_paths:
            _set(urls.url_paths, path, dispatch)


# --- RDS automated backups ----------------------------------------------------------------------


def _install_rds_automated_backups() -> None:
    import hashlib

    from moto.core.utils import utcnow
    from moto.rds.models import DBInstanceAutomatedBackup

    def database(self: Any) -> Any:
        return self.backend.databases.get(self.db_instance_identifier)

    def arn(self: Any) -> str:
        digest = hashlib.sha256(f"{self.backend.region_name}/{self.db_instance_identifier}".encode()).hexdigest()
        return (f"arn:aws:rds:{self.backend.region_name}:{self.backend.account_id}:auto-backup:"
                f"ab-{digest[:26]}")

    def db_arn(self: Any) -> str | None:
        db = database(self)
        return db.db_instance_arn if db is not None else None

    def restore_window(self: Any) -> dict[str, Any]:
        created = [s.created for s in self.automated_snapshots if getattr(s, "created", None)]
        earliest = min(created) if created else utcnow()
        return {"EarliestTime": earliest, "LatestTime": utcnow()}

    def from_db(attribute: str) -> Any:
        return property(lambda self: getattr(database(self), attribute, None) if database(self) else None)

    extra = {
        "db_instance_automated_backups_arn": property(arn),
        "db_instance_arn": property(db_arn),
        "region": property(lambda self: self.backend.region_name),
        "restore_window": property(restore_window),
        "backup_retention_period": from_db("backup_retention_period"),
        "allocated_storage": from_db("allocated_storage"),
        "engine": from_db("engine"),
        "dbi_resource_id": from_db("dbi_resource_id"),
    }
    for name, value in extra.items():
        if not hasattr(DBInstanceAutomatedBackup, name):  # never replace what moto implements
            _set(DBInstanceAutomatedBackup, name, value)


# --- issue 13: EFS replication, ElastiCache global datastores / serverless caches -----------------


def _install_issue13_reads() -> None:
    from moto.core.responses import PaginatedResult
    from moto.efs.models import FileSystem, efs_backends
    from moto.efs.responses import EFSResponse
    from moto.elasticache.responses import ElastiCacheResponse

    replications: dict[str, list[dict[str, Any]]] = _REPLICATIONS

    def create_replication_configuration(self: Any) -> Any:
        source_id = self.path.rstrip("/").split("/")[-2]
        source = self.efs_backend.describe_file_systems(file_system_id=source_id)[1][0]
        [destination] = json.loads(self.body)["Destinations"]
        region = destination["Region"]
        created = efs_backends[self.current_account][region].create_file_system(
            availability_zone_name=None, backup=False, creation_token=f"replica-of-{source_id}", encrypted=False,
            kms_key_id="", performance_mode="generalPurpose", provisioned_throughput_in_mibps=0,
            throughput_mode="bursting", tags=[])
        created.file_system_protection = {"ReplicationOverwriteProtection": "REPLICATING"}
        record = {"SourceFileSystemId": source_id, "SourceFileSystemRegion": self.region,
                  "SourceFileSystemArn": source.file_system_arn, "OriginalSourceFileSystemArn": source.file_system_arn,
                  "CreationTime": 1.7e9,
                  "Destinations": [{"Status": "ENABLED", "FileSystemId": created.file_system_id, "Region": region}]}
        for key in ((self.current_account, self.region), (self.current_account, region)):
            replications.setdefault(f"{key[0]}:{key[1]}", []).append(record)
        return json.dumps(record), {"Content-Type": "application/json"}

    def describe_replication_configurations(self: Any) -> Any:
        items = replications.get(f"{self.current_account}:{self.region}", [])
        return json.dumps({"Replications": items}), {"Content-Type": "application/json"}

    info_json = FileSystem.info_json
    if not getattr(info_json, "_resilience_protection", False):
        def with_protection(self: Any) -> dict[str, Any]:
            info = info_json(self)
            protection = getattr(self, "file_system_protection", None)
            if protection:
                info["FileSystemProtection"] = protection
            return info

        with_protection._resilience_protection = True  # type: ignore[attr-defined]
        _set(FileSystem, "info_json", with_protection)

    def describe_global_replication_groups(self: Any) -> Any:
        return PaginatedResult({"GlobalReplicationGroups": []})

    def describe_serverless_caches(self: Any) -> Any:
        return PaginatedResult({"ServerlessCaches": []})

    from moto.efs import urls as efs_urls

    for path in ("/2015-02-01/file-systems/<file_system_id>/replication-configuration",
                 "/2015-02-01/file-systems/replication-configurations"):
        if path not in efs_urls.url_paths:  # the server routes by these
            _set(efs_urls.url_paths, path, efs_urls.response.dispatch)

    for cls, fns in ((EFSResponse, (create_replication_configuration, describe_replication_configurations)),
                     (ElastiCacheResponse, (describe_global_replication_groups, describe_serverless_caches))):
        for fn in fns:
            if not hasattr(cls, fn.__name__):  # never replace what moto implements
                _set(cls, fn.__name__, fn)


_REPLICATIONS: dict[str, list[dict[str, Any]]] = {}
