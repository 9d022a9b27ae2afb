"""An AWS organisation on moto, built with the ordinary APIs (in-process ``mock_aws`` or a moto server).

Management account ``123456789012`` (moto's default caller) and five members:

- ``prod``: the data. Table ``orders`` is backed up by a plan whose rule copies to the DR account's
  vault (a backup job and a cross-account copy job ran); table ``sessions`` has an on-demand backup
  only (same account); table ``ledger``'s plan (its own vault: AWS Backup copy rules are modelled per
  vault) copies to a vault in the ``locked`` account; bucket
  ``prod-data`` replicates to the DR account's bucket (``Destination.Account`` names the owner).
- ``dr``: the DR account: vault ``dr-vault`` (another region too) holding the copy, replica bucket.
- ``archive``: an active member holding nothing (a clean account is a clean account).
- ``suspended``: closed through Organizations (``SUSPENDED``): skipped, never read.
- ``locked``: the read-only role cannot be assumed there. moto assumes any role (it does not
  evaluate trust policies), so :func:`deny_role_in` installs a stand-in that refuses exactly that
  role with the AccessDenied error AWS returns; it runs in the process serving the requests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

MANAGEMENT = "123456789012"
PRIMARY = "me-central-1"
DR_REGION = "eu-central-1"
REGIONS = (PRIMARY, DR_REGION)
ROLE = "ResilienceAuditReadOnly"
SERVICES = ("dynamodb", "s3", "backup")  # what the in-process tests read (the CLI test reads everything)


@dataclass
class Org:
    accounts: dict[str, str] = field(default_factory=dict)  # label -> account id
    ids: dict[str, str] = field(default_factory=dict)  # label -> resource id

    def __getitem__(self, key: str) -> str:
        return self.ids.get(key) or self.accounts[key]


def member_client(make_client: Callable[..., Any], account: str, service: str, region: str) -> Any:
    """A client acting in ``account`` (moto maps assumed-role keys to the role's account)."""
    sts = make_client("sts", PRIMARY)
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/builder", RoleSessionName="build")["Credentials"]
    return make_client(service, region, aws_access_key_id=creds["AccessKeyId"],
                       aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])


def build_org(make_client: Callable[..., Any], *, members: int = 0) -> Org:
    """The organisation above; ``members`` adds that many further empty active accounts (benchmarks)."""
    org = Org()
    orgs = make_client("organizations", PRIMARY)
    orgs.create_organization(FeatureSet="ALL")
    org.accounts["management"] = MANAGEMENT
    root = orgs.list_roots()["Roots"][0]["Id"]
    workloads = orgs.create_organizational_unit(ParentId=root, Name="workloads")["OrganizationalUnit"]["Id"]
    prod_ou = orgs.create_organizational_unit(ParentId=workloads, Name="prod")["OrganizationalUnit"]["Id"]
    org.ids["ou:workloads"], org.ids["ou:prod"] = workloads, prod_ou
    labels = ["prod", "dr", "archive", "suspended", "locked"] + [f"extra-{i:03d}" for i in range(members)]
    for label in labels:
        status = orgs.create_account(Email=f"{label}@example.com", AccountName=label)["CreateAccountStatus"]
        org.accounts[label] = status["AccountId"]
    orgs.move_account(AccountId=org.accounts["prod"], SourceParentId=root, DestinationParentId=prod_ou)
    orgs.close_account(AccountId=org.accounts["suspended"])

    def c(label: str, service: str, region: str = PRIMARY) -> Any:
        return member_client(make_client, org.accounts[label], service, region)

    _build_dr(org, c)
    _build_prod(org, c)
    return org


def _build_dr(org: Org, c: Callable[..., Any]) -> None:
    backup = c("dr", "backup", DR_REGION)
    org.ids["dr_vault"] = backup.create_backup_vault(BackupVaultName="dr-vault")["BackupVaultArn"]
    s3 = c("dr", "s3", DR_REGION)
    s3.create_bucket(Bucket="dr-replica-bucket", CreateBucketConfiguration={"LocationConstraint": DR_REGION})
    s3.put_bucket_versioning(Bucket="dr-replica-bucket", VersioningConfiguration={"Status": "Enabled"})
    org.ids["dr_bucket"] = "arn:aws:s3:::dr-replica-bucket"


def _table(ddb: Any, name: str) -> str:
    return ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                            BillingMode="PAY_PER_REQUEST")["TableDescription"]["TableArn"]


def _build_prod(org: Org, c: Callable[..., Any]) -> None:
    ddb = c("prod", "dynamodb")
    for name in ("orders", "sessions", "ledger"):
        org.ids[name] = _table(ddb, name)
    ddb.create_backup(TableName="sessions", BackupName="sessions-manual")
    backup = c("prod", "backup")
    vault = backup.create_backup_vault(BackupVaultName="main")["BackupVaultArn"]
    backup.create_backup_vault(BackupVaultName="ledger")
    locked_vault = f"arn:aws:backup:{DR_REGION}:{org.accounts['locked']}:backup-vault:escrow"
    for table, target, copy_to in (("orders", "main", org.ids["dr_vault"]), ("ledger", "ledger", locked_vault)):
        plan = backup.create_backup_plan(BackupPlan={"BackupPlanName": f"{table}-daily", "Rules": [{
            "RuleName": "daily", "TargetBackupVaultName": target, "ScheduleExpression": "cron(0 3 * * ? *)",
            "CopyActions": [{"DestinationBackupVaultArn": copy_to}]}]})
        backup.create_backup_selection(BackupPlanId=plan["BackupPlanId"], BackupSelection={
            "SelectionName": table, "IamRoleArn": f"arn:aws:iam::{org.accounts['prod']}:role/backup",
            "Resources": [org.ids[table]]})
    point = backup.start_backup_job(BackupVaultName="main", ResourceArn=org.ids["orders"],
                                    IamRoleArn=f"arn:aws:iam::{org.accounts['prod']}:role/backup")
    backup.start_copy_job(RecoveryPointArn=point["RecoveryPointArn"], SourceBackupVaultName="main",
                          DestinationBackupVaultArn=org.ids["dr_vault"],
                          IamRoleArn=f"arn:aws:iam::{org.accounts['prod']}:role/backup")
    org.ids["prod_vault"] = vault
    s3 = c("prod", "s3")
    s3.create_bucket(Bucket="prod-data-bucket", CreateBucketConfiguration={"LocationConstraint": PRIMARY})
    s3.put_bucket_versioning(Bucket="prod-data-bucket", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_replication(Bucket="prod-data-bucket", ReplicationConfiguration={
        "Role": f"arn:aws:iam::{org.accounts['prod']}:role/replication",
        "Rules": [{"ID": "to-dr", "Status": "Enabled", "Priority": 1, "Filter": {"Prefix": ""},
                   "DeleteMarkerReplication": {"Status": "Disabled"},
                   "Destination": {"Bucket": org.ids["dr_bucket"], "Account": org.accounts["dr"]}}]})
    org.ids["prod_bucket"] = "arn:aws:s3:::prod-data-bucket"


@contextmanager
def deny_role_in(account: str, role: str = ROLE) -> Iterator[None]:
    """moto stand-in: AssumeRole of ``role`` in ``account`` is refused (AccessDenied), as AWS does when
    the role's trust policy does not name the caller. Patches the serving process's STS backend."""
    from moto.sts.exceptions import STSClientError
    from moto.sts.models import STSBackend

    original = STSBackend.assume_role
    denied = f"arn:aws:iam::{account}:role/{role}"

    def assume_role(self: Any, **kwargs: Any) -> Any:
        if kwargs.get("role_arn") == denied:
            error = STSClientError("AccessDenied", f"User is not authorized to perform: sts:AssumeRole on resource: {denied}")
            error.code = "AccessDenied"
            raise error
        return original(self, **kwargs)

    STSBackend.assume_role = assume_role  # type: ignore[method-assign]
    try:
        yield
    finally:
        STSBackend.assume_role = original  # type: ignore[method-assign]
