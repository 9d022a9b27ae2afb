"""The demo estate: a payments company headquartered on me-central-1 (UAE), account 123456789012.

Every function here calls the ordinary boto3 APIs, so the same code builds the estate in-process
under ``moto.mock_aws`` (``resilience demo``), against a moto server (the end-to-end tests, the
benchmark) or, in principle, in a real sandbox account. Every resource carries ``app=<workload>``;
some also carry ``resilience:workload``. The policy that goes with it is ``resilience.yaml`` beside
this file. Rule authors: this docstring is the list of what a correct scan must find.

Workloads and the problems planted in them
==========================================

``payments`` -- the SOUND one. Must raise NO regional finding (regional-spof, dns-no-failover,
no-cross-region-replica, backup-colocated, correlated-region, rto/rpo-mismatch, failover-*).
  * Route 53 public zone ``pay.example.com``: ``api.pay.example.com`` A-alias FAILOVER records,
    PRIMARY -> me-central-1 ALB, SECONDARY -> eu-central-1 ALB, each with its own health check.
  * In each of me-central-1 and eu-central-1: ALB over 3 AZs -> target group -> ASG over 3 AZs (3 instances).
  * RDS ``payments-db`` (postgres, Multi-AZ, backups kept 7 days) in me-central-1 with a cross-region
    read replica ``payments-db-euc1`` in eu-central-1.
  * DynamoDB ``payments-ledger`` with PITR, made a global table (2019.11.21) with a replica in
    eu-central-1 through ``UpdateTable ReplicaUpdates`` (moto lacks this: see ``moto_gaps``).
  * S3 ``payments-statements-mec1`` versioned, replicated with RTC to ``payments-statements-euc1``.
  * AWS Backup plan ``payments-daily`` (vault in me-central-1) with a copy action to
    ``payments-vault-euc1`` in eu-central-1, selecting the RDS instance and the ledger table.
  * A FIS experiment template (AZ capacity loss on the me-central-1 ASG) and a completed run on
    2026-10-28.
  * Objectives region {rto: 1h, rpo: 15m}, az {rto: 15m, rpo: 5m}; passing region and az tests.

``checkout`` -- multi-AZ, single-region (the March 2026 lesson: Multi-AZ is not a regional control).
  * Zone ``shop.example.com``: ``www.shop.example.com`` SIMPLE alias to the ALB, no health check
    -> dns-no-failover, regional-spof.
  * ALB over 3 AZs, ASG over 3 AZs, all in me-central-1 -> regional-spof.
  * RDS ``checkout-db`` Multi-AZ with automated backups and a manual snapshot, all in me-central-1;
    AWS Backup plan ``checkout-daily`` into a me-central-1 vault with no copy action
    -> backup-colocated, no-cross-region-replica.
  * S3 ``checkout-receipts-mec1`` versioned, no replication -> no-cross-region-replica.
  * S3 ``checkout-scratch-mec1`` (scratch exports): covered by an ACTIVE waiver (waived, not failing).
  * Tier ``critical`` (region {rto: 4h, rpo: 1h}): the architecture cannot meet it -> rto/rpo-mismatch.
  * Its only failover test (2026-02-10) is older than test_max_age (180d) -> failover-test-stale.

``reconciliation`` -- a single-AZ batch job.
  * EC2 instance ``reconciliation-batch`` in mec1-az1 with a 500 GiB EBS data volume: no snapshot,
    no backup -> zonal-spof, no-backup.
  * ASG ``reconciliation-workers`` with a single subnet (mec1-az1) -> zonal-spof.
  * NO objectives in the policy -> objective-missing.
  * An EXPIRED waiver (zonal-spof, expired 2026-06-30) -> the finding fails again, with a note.

``mobile-api`` -- compute in two regions, data in one.
  * Lambda ``mobile-api-uae`` (me-central-1) and ``mobile-api-bah`` (me-south-1); both reference
    by ARN, in ``SESSIONS_TABLE_ARN``, the DynamoDB table ``mobile-sessions`` that exists only in
    me-central-1 -> cross-region-dependency (the Bahrain copy is not an alternative), regional-spof.
  * ``mobile-api-uae`` also has ``DB_PASSWORD`` in its environment: the collector must keep the
    key name and never the value.
  * ``mobile-sessions`` has no PITR and no backup -> no-backup, no-cross-region-replica.
  * S3 ``mobile-assets-mec1`` replicated to ``mobile-assets-mes1`` in me-south-1: the copy shares
    the Gulf failure domain with its source -> correlated-region.
  * Objectives region {rto: 1h, rpo: 5m}; the latest region test FAILED (measured_rto 3h)
    -> failover-test-failed.

``fx-rates`` -- objectives but never tested.
  * Lambda ``fx-rates-refresh`` -> DynamoDB ``fx-rates`` (PITR, weekly on-demand backup), all in
    me-central-1 -> backup-colocated, no-cross-region-replica, regional-spof.
  * Objectives declared, no failover test at all -> failover-untested.

``ledger`` -- SOUND and cross-cloud: must raise no regional finding.
  * RDS ``ledger-db`` (postgres, Multi-AZ, backups kept 7 days) in me-central-1; AWS Backup plan
    ``ledger-daily`` copies its backups to ``ledger-vault-euc1`` in eu-central-1.
  * Its replica is a Cloud SQL instance in GCP europe-west3 (``ledger-replica`` in the GCP demo
    project, :mod:`resilience.collectors.gcp.demo`): an out-of-region, out-of-provider copy.

``shop-api`` -- containers whose DR region cannot start them (issue 13).
  * Zone ``shop-api.example.com``: ``api.shop-api.example.com`` health-checked FAILOVER alias records,
    PRIMARY -> me-central-1 ALB, SECONDARY -> eu-central-1 ALB.
  * In each region: ALB -> target group (ip) -> ECS Fargate service ``shop-api`` over 3 AZs.
  * ECR ``shop-api/web`` in me-central-1 only: the registry has NO replication rule; Secrets Manager
    ``shop-api/db`` in me-central-1 with NO replica. The eu-central-1 task definition therefore pulls
    the me-central-1 image URI and reads the me-central-1 secret ARN -> cross-region-dependency (both
    named), regional-spof: the failover would not run.
  * ElastiCache ``shop-api-sessions`` (Multi-AZ, automatic failover, 2 zones) in each region, referenced
    by the task definitions (``CACHE_ARN``); EFS ``shop-api-uploads`` (regional, mount targets in every
    zone) replicated to eu-central-1, where the DR task definition mounts the replica.
  * Objectives region {rto: 1h, rpo: 15m}; no failover test -> failover-untested.

The Azure subscription and GCP project of the demo are recorded API responses served locally and
read through the real SDKs (:mod:`resilience.collectors.azure.demo`, :mod:`resilience.collectors.gcp.demo`);
their planted problems are listed in those modules.

Where moto (5.2) falls short
============================
* DynamoDB global tables, AWS Backup selections / jobs / recovery points, and the fields of RDS
  automated backups: added by :mod:`resilience.demo.moto_gaps` (install it in the process that
  serves the requests), so the estate still uses the real APIs and the collector its real parsing.
* Auto Scaling puts every instance in the group's first subnet: :func:`web_tier` launches one
  instance per zone in turn and attaches them, as AWS's zone balancing would.
* FIS knows no me-central-1: ``MOTO_ALLOW_NONEXISTENT_REGION=true`` in the serving process; an
  experiment is completed through moto's state manager (the ``complete`` callback).
* Timestamps are "now" unless the caller passes ``clock`` (the demo freezes time with time-machine).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ACCOUNT = "123456789012"
HOME = "me-central-1"  # UAE: headquarters, the region under audit
SECONDARY = "eu-central-1"  # Frankfurt: a different failure domain
GULF_PEER = "me-south-1"  # Bahrain: same Gulf failure domain as HOME
REGIONS = (HOME, SECONDARY, GULF_PEER)

#: when the estate "was built" and when things happened in it (the demo scan clock is 2026-11-20T06:00Z)
BUILT_AT = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)
CHECKOUT_SNAPSHOT_AT = dt.datetime(2026, 11, 19, 2, 0, tzinfo=dt.UTC)
FX_BACKUP_AT = dt.datetime(2026, 11, 16, 1, 0, tzinfo=dt.UTC)
DAILY_BACKUP_AT = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)  # the Backup plans' cron(0 3 * * ? *)
FIS_STARTED_AT = dt.datetime(2026, 10, 28, 9, 0, tzinfo=dt.UTC)
FIS_DURATION = dt.timedelta(minutes=25)

Clock = Callable[[dt.datetime], None]


def _no_clock(_when: dt.datetime) -> None:
    """Used when nobody controls time (a moto server in tests): timestamps are 'now'."""


@dataclass
class Estate:
    """What was planted, by short name -> id (ARN, bucket name, DNS name): for tests and docs."""

    ids: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, key: str) -> str:
        return self.ids[key]

    def add(self, **ids: str) -> None:
        self.ids.update(ids)


# --- helpers ------------------------------------------------------------------------------


def tags(workload: str, *, label: bool = False, **extra: str) -> list[dict[str, str]]:
    """``app=<workload>`` (+ ``resilience:workload`` when ``label``) as a Key/Value list."""
    out = {"app": workload, **extra}
    if label:
        out["resilience:workload"] = workload
    return [{"Key": k, "Value": v} for k, v in out.items()]


def tag_map(workload: str, *, label: bool = False, **extra: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in tags(workload, label=label, **extra)}


def subnets_by_zone(session: Any, region: str) -> list[dict[str, Any]]:
    """The default VPC's subnets, one per AZ, in zone order."""
    ec2 = session.client("ec2", region_name=region)
    subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    return sorted(subnets, key=lambda s: s["AvailabilityZone"])


def _image_id(session: Any, region: str) -> str:
    """An Amazon Linux 2023 AMI (filtered: listing every public image is slow, in moto too)."""
    ec2 = session.client("ec2", region_name=region)
    images = ec2.describe_images(Owners=["amazon"], Filters=[
        {"Name": "name", "Values": ["al2023-ami-2023*-x86_64"]}, {"Name": "architecture", "Values": ["x86_64"]}])["Images"]
    if not images:
        images = ec2.describe_images(Owners=["amazon"])["Images"]
    return sorted(images, key=lambda i: (i.get("Name", ""), i["ImageId"]))[0]["ImageId"]


def _lambda_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo("handler.py", date_time=(2026, 5, 4, 9, 0, 0))
        zf.writestr(info, "def handler(event, context):\n    return {'ok': True}\n")
    return buf.getvalue()


def _lambda_role(session: Any, name: str) -> str:
    iam = session.client("iam", region_name="us-east-1")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"Service": "lambda.amazonaws.com"}}]}
    try:
        return iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        return iam.get_role(RoleName=name)["Role"]["Arn"]


def web_tier(session: Any, region: str, workload: str, *, name: str, subnets: list[dict[str, Any]],
             size: int, label: bool = False) -> dict[str, str]:
    """An internet-facing ALB -> target group -> ASG (launch template) over ``subnets``."""
    ec2 = session.client("ec2", region_name=region)
    elb = session.client("elbv2", region_name=region)
    asg = session.client("autoscaling", region_name=region)
    subnet_ids = [s["SubnetId"] for s in subnets]
    lb = elb.create_load_balancer(Name=f"{name}-alb", Subnets=subnet_ids, Scheme="internet-facing",
                                  Type="application", Tags=tags(workload, label=label))["LoadBalancers"][0]
    tg = elb.create_target_group(Name=f"{name}-tg", Protocol="HTTP", Port=8080, VpcId=subnets[0]["VpcId"],
                                 TargetType="instance", HealthCheckPath="/health",
                                 Tags=tags(workload, label=label))["TargetGroups"][0]
    elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}])
    ec2.create_launch_template(
        LaunchTemplateName=f"{name}-lt",
        LaunchTemplateData={"ImageId": _image_id(session, region), "InstanceType": "m6i.large"},
        TagSpecifications=[{"ResourceType": "launch-template", "Tags": tags(workload)}],
    )
    asg.create_auto_scaling_group(
        AutoScalingGroupName=f"{name}-asg", LaunchTemplate={"LaunchTemplateName": f"{name}-lt"},
        MinSize=0, MaxSize=size * 2, DesiredCapacity=0, VPCZoneIdentifier=",".join(subnet_ids),
        TargetGroupARNs=[tg["TargetGroupArn"]], HealthCheckType="ELB", HealthCheckGracePeriod=120,
        Tags=[{**t, "PropagateAtLaunch": True} for t in tags(workload, label=label)],
    )
    # AWS balances an ASG's instances over its zones; moto launches them all in the first subnet.
    # So launch one per zone in turn (as AWS would) and attach them, then set the group's size.
    instance_ids = []
    for i in range(size):
        subnet = subnets[i % len(subnets)]
        instance_ids += [x["InstanceId"] for x in ec2.run_instances(
            LaunchTemplate={"LaunchTemplateName": f"{name}-lt"}, MinCount=1, MaxCount=1, SubnetId=subnet["SubnetId"],
            TagSpecifications=[{"ResourceType": "instance", "Tags": tags(workload, label=label)}])["Instances"]]
    asg.attach_instances(InstanceIds=instance_ids, AutoScalingGroupName=f"{name}-asg")
    asg.update_auto_scaling_group(AutoScalingGroupName=f"{name}-asg", MinSize=size, MaxSize=size * 2,
                                  DesiredCapacity=size)
    group = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[f"{name}-asg"])["AutoScalingGroups"][0]
    return {"lb": lb["LoadBalancerArn"], "lb_dns": lb["DNSName"], "lb_zone": lb["CanonicalHostedZoneId"],
            "tg": tg["TargetGroupArn"], "asg": group["AutoScalingGroupARN"], "asg_name": group["AutoScalingGroupName"]}


def public_zone(session: Any, name: str, workload: str) -> str:
    r53 = session.client("route53", region_name="us-east-1")
    zone = r53.create_hosted_zone(Name=name, CallerReference=f"demo-{name}",
                                  HostedZoneConfig={"Comment": f"{workload} public zone", "PrivateZone": False})
    zone_id = zone["HostedZone"]["Id"].split("/")[-1]
    r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=zone_id, AddTags=tags(workload))
    return zone_id


def health_check(session: Any, workload: str, fqdn: str, ref: str) -> str:
    r53 = session.client("route53", region_name="us-east-1")
    hc = r53.create_health_check(CallerReference=f"demo-{ref}", HealthCheckConfig={
        "Type": "HTTPS", "FullyQualifiedDomainName": fqdn, "Port": 443, "ResourcePath": "/health",
        "RequestInterval": 10, "FailureThreshold": 3})["HealthCheck"]
    r53.change_tags_for_resource(ResourceType="healthcheck", ResourceId=hc["Id"],
                                 AddTags=tags(workload, Name=ref))
    return hc["Id"]


def _alias_record(name: str, tier: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {"Name": name, "Type": "A",
            "AliasTarget": {"HostedZoneId": tier["lb_zone"], "DNSName": tier["lb_dns"], "EvaluateTargetHealth": True},
            **extra}


def bucket(session: Any, region: str, name: str, workload: str, *, versioned: bool = True,
           label: bool = False) -> str:
    s3 = session.client("s3", region_name=region)
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tags(workload, label=label)})
    if versioned:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return f"arn:aws:s3:::{name}"


def replicate_bucket(session: Any, region: str, source: str, destination: str, *, rtc: bool) -> None:
    destination_spec: dict[str, Any] = {"Bucket": f"arn:aws:s3:::{destination}", "StorageClass": "STANDARD"}
    if rtc:
        destination_spec["ReplicationTime"] = {"Status": "Enabled", "Time": {"Minutes": 15}}
        destination_spec["Metrics"] = {"Status": "Enabled", "EventThreshold": {"Minutes": 15}}
    session.client("s3", region_name=region).put_bucket_replication(
        Bucket=source,
        ReplicationConfiguration={
            "Role": f"arn:aws:iam::{ACCOUNT}:role/s3-replication",
            "Rules": [{"ID": f"to-{destination}", "Priority": 1, "Status": "Enabled", "Filter": {},
                       "DeleteMarkerReplication": {"Status": "Enabled"}, "Destination": destination_spec}],
        },
    )


def table(session: Any, region: str, name: str, workload: str, *, pitr: bool, label: bool = False) -> str:
    ddb = session.client("dynamodb", region_name=region)
    arn = ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        Tags=tags(workload, label=label),
    )["TableDescription"]["TableArn"]
    if pitr:
        ddb.update_continuous_backups(TableName=name,
                                      PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    return arn


def database(session: Any, region: str, name: str, workload: str, *, multi_az: bool, retention: int,
             label: bool = False) -> str:
    rds = session.client("rds", region_name=region)
    placement = {} if multi_az else {"AvailabilityZone": f"{region}a"}  # AWS refuses an AZ with Multi-AZ
    return rds.create_db_instance(
        DBInstanceIdentifier=name, Engine="postgres", EngineVersion="16.4", DBInstanceClass="db.r6g.large",
        MasterUsername="app", MasterUserPassword="demo-only-not-a-secret", AllocatedStorage=200,
        StorageType="gp3", MultiAZ=multi_az, BackupRetentionPeriod=retention, StorageEncrypted=True,
        DeletionProtection=True, Tags=tags(workload, label=label), **placement,
    )["DBInstance"]["DBInstanceArn"]


def function(session: Any, region: str, name: str, workload: str, role: str, env: dict[str, str],
             *, label: bool = False) -> str:
    lam = session.client("lambda", region_name=region)
    return lam.create_function(
        FunctionName=name, Runtime="python3.12", Role=role, Handler="handler.handler",
        Code={"ZipFile": _lambda_zip()}, Timeout=15, MemorySize=512,
        Environment={"Variables": env}, Tags=tag_map(workload, label=label),
    )["FunctionArn"]


def vault(session: Any, region: str, name: str, workload: str) -> str:
    return session.client("backup", region_name=region).create_backup_vault(
        BackupVaultName=name, BackupVaultTags=tag_map(workload))["BackupVaultArn"]


def run_backup(session: Any, region: str, vault_name: str, resource: str, *, copy_to: str | None) -> list[str]:
    """One completed backup job into ``vault_name`` (+ its copy job): the recovery point ARNs."""
    backup = session.client("backup", region_name=region)
    role = f"arn:aws:iam::{ACCOUNT}:role/backup-service"
    point = backup.start_backup_job(BackupVaultName=vault_name, ResourceArn=resource, IamRoleArn=role)["RecoveryPointArn"]
    points = [point]
    if copy_to:
        backup.start_copy_job(RecoveryPointArn=point, SourceBackupVaultName=vault_name,
                              DestinationBackupVaultArn=copy_to, IamRoleArn=role)
    return points


def backup_plan(session: Any, region: str, name: str, workload: str, *, vault_name: str,
                copy_to: str | None, resources: list[str]) -> str:
    backup = session.client("backup", region_name=region)
    rule: dict[str, Any] = {"RuleName": "daily", "TargetBackupVaultName": vault_name,
                            "ScheduleExpression": "cron(0 3 * * ? *)", "Lifecycle": {"DeleteAfterDays": 35}}
    if copy_to:
        rule["CopyActions"] = [{"DestinationBackupVaultArn": copy_to, "Lifecycle": {"DeleteAfterDays": 35}}]
    plan = backup.create_backup_plan(BackupPlan={"BackupPlanName": name, "Rules": [rule]},
                                     BackupPlanTags=tag_map(workload))
    backup.create_backup_selection(BackupPlanId=plan["BackupPlanId"], BackupSelection={
        "SelectionName": f"{name}-resources", "IamRoleArn": f"arn:aws:iam::{ACCOUNT}:role/backup-service",
        "Resources": resources})
    return plan["BackupPlanArn"]


# --- workloads ----------------------------------------------------------------------------


def build_payments(session: Any, estate: Estate, clock: Clock = _no_clock) -> None:
    """The sound multi-region service (see the module docstring)."""
    clock(BUILT_AT)
    w = "payments"
    home = web_tier(session, HOME, w, name="payments", subnets=subnets_by_zone(session, HOME), size=3, label=True)
    away = web_tier(session, SECONDARY, w, name="payments-euc1", subnets=subnets_by_zone(session, SECONDARY),
                    size=3, label=True)
    estate.add(payments_alb=home["lb"], payments_alb_euc1=away["lb"], payments_asg=home["asg"],
               payments_asg_euc1=away["asg"], payments_tg=home["tg"])

    # DNS: health-checked failover between the regions.
    zone = public_zone(session, "pay.example.com", w)
    hc_primary = health_check(session, w, home["lb_dns"], "payments-mec1")
    hc_secondary = health_check(session, w, away["lb_dns"], "payments-euc1")
    session.client("route53", region_name="us-east-1").change_resource_record_sets(
        HostedZoneId=zone, ChangeBatch={"Comment": "payments regional failover", "Changes": [
            {"Action": "CREATE", "ResourceRecordSet": _alias_record(
                "api.pay.example.com", home, SetIdentifier="mec1-primary", Failover="PRIMARY",
                HealthCheckId=hc_primary)},
            {"Action": "CREATE", "ResourceRecordSet": _alias_record(
                "api.pay.example.com", away, SetIdentifier="euc1-secondary", Failover="SECONDARY",
                HealthCheckId=hc_secondary)},
        ]})
    estate.add(payments_zone=zone, payments_hc_primary=hc_primary, payments_hc_secondary=hc_secondary,
               payments_dns="api.pay.example.com")

    # RDS: Multi-AZ primary + cross-region read replica.
    db = database(session, HOME, "payments-db", w, multi_az=True, retention=7, label=True)
    replica = session.client("rds", region_name=SECONDARY).create_db_instance_read_replica(
        DBInstanceIdentifier="payments-db-euc1", SourceDBInstanceIdentifier=db, DBInstanceClass="db.r6g.large",
        SourceRegion=HOME, MultiAZ=True, Tags=tags(w, label=True))["DBInstance"]["DBInstanceArn"]
    estate.add(payments_db=db, payments_db_replica=replica)

    # DynamoDB: PITR + global-table replica in eu-central-1.
    ledger = table(session, HOME, "payments-ledger", w, pitr=True, label=True)
    ddb = session.client("dynamodb", region_name=HOME)
    ddb.update_table(TableName="payments-ledger", ReplicaUpdates=[{"Create": {"RegionName": SECONDARY}}])
    session.client("dynamodb", region_name=SECONDARY).update_continuous_backups(
        TableName="payments-ledger", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    estate.add(payments_ledger=ledger,
               payments_ledger_replica=ledger.replace(f":{HOME}:", f":{SECONDARY}:"))

    # S3: versioned, replicated with RTC to eu-central-1.
    statements = bucket(session, HOME, "payments-statements-mec1", w, label=True)
    statements_copy = bucket(session, SECONDARY, "payments-statements-euc1", w, label=True)
    replicate_bucket(session, HOME, "payments-statements-mec1", "payments-statements-euc1", rtc=True)
    estate.add(payments_bucket=statements, payments_bucket_replica=statements_copy)

    # AWS Backup: daily, copied to a vault in eu-central-1.
    vault(session, HOME, "payments-vault", w)
    remote_vault = vault(session, SECONDARY, "payments-vault-euc1", w)
    plan = backup_plan(session, HOME, "payments-daily", w, vault_name="payments-vault", copy_to=remote_vault,
                       resources=[db, ledger])
    estate.add(payments_backup_plan=plan, payments_vault_euc1=remote_vault)
    clock(DAILY_BACKUP_AT)
    for resource in (db, ledger):
        run_backup(session, HOME, "payments-vault", resource, copy_to=remote_vault)


def build_checkout(session: Any, estate: Estate, clock: Clock = _no_clock) -> None:
    """Multi-AZ, single-region (see the module docstring)."""
    clock(BUILT_AT)
    w = "checkout"
    tier = web_tier(session, HOME, w, name="checkout", subnets=subnets_by_zone(session, HOME), size=3)
    zone = public_zone(session, "shop.example.com", w)
    session.client("route53", region_name="us-east-1").change_resource_record_sets(
        HostedZoneId=zone, ChangeBatch={"Changes": [
            {"Action": "CREATE", "ResourceRecordSet": _alias_record("www.shop.example.com", tier)}]})
    db = database(session, HOME, "checkout-db", w, multi_az=True, retention=7)
    receipts = bucket(session, HOME, "checkout-receipts-mec1", w)
    scratch = bucket(session, HOME, "checkout-scratch-mec1", w, versioned=False)
    vault(session, HOME, "checkout-vault", w)
    plan = backup_plan(session, HOME, "checkout-daily", w, vault_name="checkout-vault", copy_to=None,
                       resources=[db])
    clock(CHECKOUT_SNAPSHOT_AT)
    run_backup(session, HOME, "checkout-vault", db, copy_to=None)
    snapshot = session.client("rds", region_name=HOME).create_db_snapshot(
        DBInstanceIdentifier="checkout-db", DBSnapshotIdentifier="checkout-db-pre-release",
        Tags=tags(w))["DBSnapshot"]["DBSnapshotArn"]
    estate.add(checkout_alb=tier["lb"], checkout_asg=tier["asg"], checkout_zone=zone,
               checkout_dns="www.shop.example.com", checkout_db=db, checkout_snapshot=snapshot,
               checkout_bucket=receipts, checkout_scratch=scratch, checkout_backup_plan=plan)


def build_reconciliation(session: Any, estate: Estate, clock: Clock = _no_clock) -> None:
    """A single-AZ batch job (see the module docstring)."""
    clock(BUILT_AT)
    w = "reconciliation"
    ec2 = session.client("ec2", region_name=HOME)
    az1 = subnets_by_zone(session, HOME)[0]
    instance = ec2.run_instances(
        ImageId=_image_id(session, HOME), InstanceType="r6i.xlarge", MinCount=1, MaxCount=1,
        SubnetId=az1["SubnetId"],
        TagSpecifications=[{"ResourceType": "instance", "Tags": tags(w, label=True, Name="reconciliation-batch")},
                           {"ResourceType": "volume", "Tags": tags(w, Name="reconciliation-root")}],
    )["Instances"][0]["InstanceId"]
    volume = ec2.create_volume(
        AvailabilityZone=az1["AvailabilityZone"], Size=500, VolumeType="gp3",
        TagSpecifications=[{"ResourceType": "volume", "Tags": tags(w, Name="reconciliation-data")}],
    )["VolumeId"]
    ec2.attach_volume(VolumeId=volume, InstanceId=instance, Device="/dev/sdf")
    ec2.create_launch_template(LaunchTemplateName="reconciliation-lt", LaunchTemplateData={
        "ImageId": _image_id(session, HOME), "InstanceType": "c6i.large"})
    session.client("autoscaling", region_name=HOME).create_auto_scaling_group(
        AutoScalingGroupName="reconciliation-workers", LaunchTemplate={"LaunchTemplateName": "reconciliation-lt"},
        MinSize=1, MaxSize=1, DesiredCapacity=1, VPCZoneIdentifier=az1["SubnetId"],
        Tags=[{**t, "PropagateAtLaunch": True} for t in tags(w)],
    )
    estate.add(reconciliation_instance=f"arn:aws:ec2:{HOME}:{ACCOUNT}:instance/{instance}",
               reconciliation_volume=f"arn:aws:ec2:{HOME}:{ACCOUNT}:volume/{volume}",
               reconciliation_zone_id=az1.get("AvailabilityZoneId", "mec1-az1"))


def build_mobile_api(session: Any, estate: Estate, clock: Clock = _no_clock) -> None:
    """Compute in two Gulf regions, data in one (see the module docstring)."""
    clock(BUILT_AT)
    w = "mobile-api"
    sessions = table(session, HOME, "mobile-sessions", w, pitr=False)
    role = _lambda_role(session, "mobile-api-exec")
    uae = function(session, HOME, "mobile-api-uae", w, role, {
        "SESSIONS_TABLE_ARN": sessions, "LOG_LEVEL": "info",
        "DB_PASSWORD": "Demo-Secret-Do-Not-Store-7f3a",  # the collector must keep the name, drop the value
    })
    bah = function(session, GULF_PEER, "mobile-api-bah", w, role, {"SESSIONS_TABLE_ARN": sessions, "LOG_LEVEL": "info"})
    assets = bucket(session, HOME, "mobile-assets-mec1", w)
    assets_copy = bucket(session, GULF_PEER, "mobile-assets-mes1", w)
    replicate_bucket(session, HOME, "mobile-assets-mec1", "mobile-assets-mes1", rtc=False)
    estate.add(mobile_sessions=sessions, mobile_fn_uae=uae, mobile_fn_bah=bah, mobile_bucket=assets,
               mobile_bucket_replica=assets_copy)


def build_fx_rates(session: Any, estate: Estate, clock: Clock = _no_clock) -> None:
    """Objectives, never tested (see the module docstring)."""
    clock(BUILT_AT)
    w = "fx-rates"
    rates = table(session, HOME, "fx-rates", w, pitr=True, label=True)
    role = _lambda_role(session, "fx-rates-exec")
    fn = function(session, HOME, "fx-rates-refresh", w, role, {"FX_TABLE_ARN": rates, "PROVIDER": "ecb"}, label=True)
    clock(FX_BACKUP_AT)
    backup = session.client("dynamodb", region_name=HOME).create_backup(
        TableName="fx-rates", BackupName="fx-rates-weekly")["BackupDetails"]["BackupArn"]
    estate.add(fx_table=rates, fx_fn=fn, fx_backup=backup)


def build_fault_experiments(session: Any, estate: Estate, clock: Clock = _no_clock,
                            complete: Callable[[Any, str], None] | None = None) -> None:
    """A FIS template (AZ capacity loss on the payments ASG in mec1-az1) and one completed run.

    ``complete(fis_client, experiment_id)`` brings the experiment to ``completed`` (moto's state
    manager, in-process or through the server's moto-api); without it the run stays as moto leaves it.
    """
    clock(FIS_STARTED_AT)
    fis = session.client("fis", region_name=HOME)
    template = fis.create_experiment_template(
        clientToken="payments-az-drill", description="payments: lose mec1-az1 capacity for 20 minutes",
        roleArn=f"arn:aws:iam::{ACCOUNT}:role/fis-experiments", stopConditions=[{"source": "none"}],
        targets={"payments-asg": {"resourceType": "aws:ec2:autoscaling-group",
                                  "resourceArns": [estate["payments_asg"]], "selectionMode": "ALL"}},
        actions={"az-capacity-loss": {"actionId": "aws:ec2:asg-insufficient-instance-capacity-error",
                                      "targets": {"AutoScalingGroups": "payments-asg"},
                                      "parameters": {"duration": "PT20M", "availabilityZoneIdentifiers": "mec1-az1",
                                                     "percentage": "100"}}},
        tags=tag_map("payments"),
    )["experimentTemplate"]
    experiment = fis.start_experiment(clientToken="payments-az-drill-2026-10-28", experimentTemplateId=template["id"],
                                      tags=tag_map("payments"))["experiment"]
    clock(FIS_STARTED_AT + FIS_DURATION)
    if complete is not None:
        complete(fis, experiment["id"])
    estate.add(fis_template=template["id"], fis_experiment=experiment["id"])


def build_ledger(session: Any, estate: Estate, clock: Clock = _no_clock) -> None:
    """The AWS side of the cross-cloud ledger (its replica lives in the GCP demo project)."""
    clock(BUILT_AT)
    w = "ledger"
    db = database(session, HOME, "ledger-db", w, multi_az=True, retention=7, label=True)
    vault(session, HOME, "ledger-vault", w)
    remote_vault = vault(session, SECONDARY, "ledger-vault-euc1", w)
    plan = backup_plan(session, HOME, "ledger-daily", w, vault_name="ledger-vault", copy_to=remote_vault,
                       resources=[db])
    clock(DAILY_BACKUP_AT)
    run_backup(session, HOME, "ledger-vault", db, copy_to=remote_vault)
    estate.add(ledger_db=db, ledger_backup_plan=plan, ledger_vault_euc1=remote_vault)


def _ecs_tier(session: Any, region: str, workload: str, *, name: str, image: str, secret: str, cache: str,
              file_system: str) -> dict[str, str]:
    """An ALB -> ip target group -> ECS Fargate service over the default VPC's subnets."""
    subnets = subnets_by_zone(session, region)
    subnet_ids = [s["SubnetId"] for s in subnets]
    ec2 = session.client("ec2", region_name=region)
    elb = session.client("elbv2", region_name=region)
    ecs = session.client("ecs", region_name=region)
    group = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [subnets[0]["VpcId"]]},
                                                  {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]
    lb = elb.create_load_balancer(Name=f"{name}-alb", Subnets=subnet_ids, Scheme="internet-facing",
                                  Type="application", Tags=tags(workload))["LoadBalancers"][0]
    tg = elb.create_target_group(Name=f"{name}-tg", Protocol="HTTP", Port=8080, VpcId=subnets[0]["VpcId"],
                                 TargetType="ip", HealthCheckPath="/health", Tags=tags(workload))["TargetGroups"][0]
    elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}])
    cluster = ecs.create_cluster(clusterName=name, tags=[{"key": "app", "value": workload}])["cluster"]["clusterArn"]
    task = ecs.register_task_definition(
        family=name, networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="512", memory="1024",
        containerDefinitions=[{
            "name": "web", "image": image, "essential": True, "portMappings": [{"containerPort": 8080}],
            "secrets": [{"name": "DB_PASSWORD", "valueFrom": secret}],
            "environment": [{"name": "CACHE_ARN", "value": cache}, {"name": "LOG_LEVEL", "value": "info"}],
            "mountPoints": [{"sourceVolume": "uploads", "containerPath": "/srv/uploads"}],
        }],
        volumes=[{"name": "uploads", "efsVolumeConfiguration": {"fileSystemId": file_system.rsplit("/", 1)[-1]}}],
    )["taskDefinition"]["taskDefinitionArn"]
    service = ecs.create_service(
        cluster=cluster, serviceName=name, taskDefinition=task, desiredCount=3, launchType="FARGATE",
        loadBalancers=[{"targetGroupArn": tg["TargetGroupArn"], "containerName": "web", "containerPort": 8080}],
        networkConfiguration={"awsvpcConfiguration": {"subnets": subnet_ids, "securityGroups": [group["GroupId"]]}},
        tags=[{"key": "app", "value": workload}],
    )["service"]["serviceArn"]
    return {"lb": lb["LoadBalancerArn"], "lb_dns": lb["DNSName"], "lb_zone": lb["CanonicalHostedZoneId"],
            "tg": tg["TargetGroupArn"], "service": service, "cluster": cluster}


def _sessions_cache(session: Any, region: str, name: str) -> str:
    zones = [f"{region}a", f"{region}b"]
    return session.client("elasticache", region_name=region).create_replication_group(
        ReplicationGroupId=name, ReplicationGroupDescription="shop-api sessions", Engine="redis",
        CacheNodeType="cache.r7g.large", ReplicasPerNodeGroup=1, PreferredCacheClusterAZs=zones,
        AutomaticFailoverEnabled=True, MultiAZEnabled=True, Tags=tags("shop-api"),
    )["ReplicationGroup"]["ARN"]


def build_shop_api(session: Any, estate: Estate, clock: Clock = _no_clock) -> None:
    """Containers whose DR region would not start them (see the module docstring)."""
    clock(BUILT_AT)
    w = "shop-api"
    repo = session.client("ecr", region_name=HOME).create_repository(
        repositoryName="shop-api/web", tags=tags(w))["repository"]
    secret = session.client("secretsmanager", region_name=HOME).create_secret(
        Name="shop-api/db", SecretString="demo-only-not-a-secret", Tags=tags(w))["ARN"]
    efs = session.client("efs", region_name=HOME)
    uploads = efs.create_file_system(CreationToken="shop-api-uploads", PerformanceMode="generalPurpose",
                                     Backup=True, Tags=[*tags(w), {"Key": "Name", "Value": "shop-api-uploads"}])
    for subnet in subnets_by_zone(session, HOME):
        efs.create_mount_target(FileSystemId=uploads["FileSystemId"], SubnetId=subnet["SubnetId"])
    replica_id = efs.create_replication_configuration(
        SourceFileSystemId=uploads["FileSystemId"], Destinations=[{"Region": SECONDARY}])["Destinations"][0]["FileSystemId"]
    session.client("efs", region_name=SECONDARY).tag_resource(ResourceId=replica_id, Tags=tags(w))
    replica = f"arn:aws:elasticfilesystem:{SECONDARY}:{ACCOUNT}:file-system/{replica_id}"
    image = f"{repo['repositoryUri']}:2026.11.3"  # the DR task definition pulls this same URI: no replication
    home = _ecs_tier(session, HOME, w, name="shop-api", image=image, secret=secret,
                     cache=_sessions_cache(session, HOME, "shop-api-sessions"), file_system=uploads["FileSystemArn"])
    away = _ecs_tier(session, SECONDARY, w, name="shop-api-euc1", image=image, secret=secret,
                     cache=_sessions_cache(session, SECONDARY, "shop-api-sessions-euc1"), file_system=replica)
    zone = public_zone(session, "shop-api.example.com", w)
    hc_primary = health_check(session, w, home["lb_dns"], "shop-api-mec1")
    hc_secondary = health_check(session, w, away["lb_dns"], "shop-api-euc1")
    session.client("route53", region_name="us-east-1").change_resource_record_sets(
        HostedZoneId=zone, ChangeBatch={"Comment": "shop-api regional failover", "Changes": [
            {"Action": "CREATE", "ResourceRecordSet": _alias_record(
                "api.shop-api.example.com", home, SetIdentifier="mec1-primary", Failover="PRIMARY",
                HealthCheckId=hc_primary)},
            {"Action": "CREATE", "ResourceRecordSet": _alias_record(
                "api.shop-api.example.com", away, SetIdentifier="euc1-secondary", Failover="SECONDARY",
                HealthCheckId=hc_secondary)},
        ]})
    estate.add(shop_api_repo=repo["repositoryArn"], shop_api_secret=secret, shop_api_service=home["service"],
               shop_api_service_euc1=away["service"], shop_api_efs=uploads["FileSystemArn"], shop_api_efs_euc1=replica,
               shop_api_dns="api.shop-api.example.com")


WORKLOAD_BUILDERS = (build_payments, build_checkout, build_reconciliation, build_mobile_api, build_fx_rates,
                     build_ledger, build_shop_api)


def build_estate(session: Any, *, clock: Clock = _no_clock,
                 complete_experiment: Callable[[Any, str], None] | None = None) -> Estate:
    """Build every workload, then the fault experiment; returns what was planted."""
    estate = Estate()
    for builder in WORKLOAD_BUILDERS:
        builder(session, estate, clock)
    build_fault_experiments(session, estate, clock, complete_experiment)
    return estate
