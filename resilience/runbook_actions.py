"""What one recovery step of a runbook does: the API operation, its parameters and the CLI command.

A step here is the recovery model's step for one component (``resilience.recovery.Step``, as a dict: its
``model_key`` names the mechanism, ``to`` the alternative it uses), read from the survival decision by
``resilience.runbook``. This module only turns it into something a person can run at 3 a.m.: the AWS API
operation and its parameters (validated against botocore's service model in the tests), the matching AWS
CLI command (generated from the same parameters, so the two never disagree), the checks before it and
the outputs to save after it. Azure and GCP steps carry their ``az`` / ``gcloud`` command.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from botocore import xform_name

#: IAM service prefix -> (boto3 client name, AWS CLI command name)
_SERVICES = {
    "rds": ("rds", "rds"), "autoscaling": ("autoscaling", "autoscaling"), "route53": ("route53", "route53"),
    "dynamodb": ("dynamodb", "dynamodb"), "s3": ("s3", "s3api"), "backup": ("backup", "backup"),
    "ec2": ("ec2", "ec2"), "ecs": ("ecs", "ecs"), "elasticloadbalancing": ("elbv2", "elbv2"),
    "cloudwatch": ("cloudwatch", "cloudwatch"),
}
#: Route 53's control plane (record changes) is served from us-east-1; its data plane (health checks,
#: answers) is global. A record change is blocked when us-east-1 is lost; ARC routing controls are not.
ROUTE53_CONTROL_PLANE = "us-east-1"
#: the default service role AWS Backup creates; a restore needs a role that can create the resource
BACKUP_DEFAULT_ROLE = "arn:aws:iam::{account}:role/service-role/AWSBackupDefaultServiceRole"


@dataclass
class Call:
    """One AWS API call: ``api`` as the IAM action (``rds:PromoteReadReplica``) and its parameters."""

    api: str
    params: dict[str, Any]
    region: str | None

    @property
    def client(self) -> str:
        return _SERVICES[self.api.split(":")[0]][0]

    @property
    def operation(self) -> str:
        return self.api.split(":")[1]

    def command(self) -> str:
        """The AWS CLI command for this call (``aws rds promote-read-replica --db-instance-identifier x``)."""
        cli = _SERVICES[self.api.split(":")[0]][1]
        words = ["aws", cli, xform_name(self.operation, "-")]
        for key, value in self.params.items():
            flag = "--" + xform_name(key, "-")
            if value is True:
                words.append(flag)
            elif value is False:
                words.append("--no-" + xform_name(key, "-"))
            elif isinstance(value, list) and all(isinstance(v, str | int) for v in value):
                words += [flag, *(shlex.quote(str(v)) for v in value)]
            elif isinstance(value, dict | list):
                words += [flag, shlex.quote(json.dumps(value, separators=(",", ":")))]
            else:
                words += [flag, shlex.quote(str(value))]
        if self.region and self.region not in ("global", "unknown"):
            words += ["--region", self.region]
        return " ".join(words)


@dataclass
class Action:
    """What a runbook step does (before numbering): see ``resilience.runbook.RunbookStep``."""

    phase: str
    action: str
    resource: str
    region: str | None
    call: Call | None = None
    command: str | None = None  # for steps that are not one AWS call (az, gcloud, curl, a pipeline)
    expected_duration: int | None = None
    blocked: bool = False
    why: str = ""
    alternative: str | None = None
    prechecks: list[str] = field(default_factory=list)
    capture: list[str] = field(default_factory=list)
    automatic: bool = False  # the provider does it; the step verifies it happened


def node(graph: nx.MultiDiGraph, node_id: str | None) -> dict[str, Any]:
    return graph.nodes[node_id] if node_id and node_id in graph else {}


def name(graph: nx.MultiDiGraph, node_id: str | None) -> str:
    data = node(graph, node_id)
    return str(data.get("name") or (node_id or "").rsplit("/", 1)[-1].rsplit(":", 1)[-1])


def attrs(graph: nx.MultiDiGraph, node_id: str | None) -> dict[str, Any]:
    return node(graph, node_id).get("attrs") or {}


def region(graph: nx.MultiDiGraph, node_id: str | None) -> str | None:
    return node(graph, node_id).get("region")


def provider(graph: nx.MultiDiGraph, node_id: str | None) -> str | None:
    return node(graph, node_id).get("provider")


def account_of(graph: nx.MultiDiGraph, node_id: str | None) -> str:
    return str(node(graph, node_id).get("account") or "ACCOUNT_ID")


# --- data ------------------------------------------------------------------------------------------


def data_actions(graph: nx.MultiDiGraph, step: dict[str, Any], failed_regions: set[str]) -> list[Action]:
    key, src, dst = step["model_key"], step["resource"], step.get("to")
    seconds = step.get("rto")
    where = region(graph, dst) or region(graph, src)
    if key == "control-plane-blocked":
        return [_blocked(graph, step, src, dst, failed_regions)]
    if key != "scenario-duration" and provider(graph, src) in ("azure", "gcp"):
        # never an AWS call for another cloud's resource (a model key shared across providers, such as a
        # restore, names the mechanism, not the API)
        if dst:
            return [_other_cloud(graph, step, src, dst)]
        return [Action("data", f"{name(graph, src)}: {step['mechanism']}", src, where, expected_duration=seconds,
                       why=step["reasoning"], automatic=seconds == 0)]
    if key == "rds-read-replica-promotion" and dst:
        ident = name(graph, dst)
        return [Action("data", f"promote read replica {ident} to a standalone primary", dst, where,
                       call=Call("rds:PromoteReadReplica", {"DBInstanceIdentifier": ident}, where),
                       expected_duration=seconds, why=step["reasoning"],
                       prechecks=[f"replica lag of {ident}: aws cloudwatch get-metric-statistics --namespace AWS/RDS "
                                  f"--metric-name ReplicaLag --dimensions Name=DBInstanceIdentifier,Value={ident} "
                                  "--statistics Maximum --period 60 --start-time <T-15m> --end-time <now> "
                                  f"--region {where}",
                                  f"{ident} is 'available': aws rds describe-db-instances --db-instance-identifier "
                                  f"{ident} --region {where}"],
                       capture=["replica lag at promotion (seconds): the measured RPO",
                                "the promote-read-replica output and the time it returned",
                                "the new writer endpoint"])]
    if key == "aurora-global-database" and dst:
        return [_aurora_global(graph, step, src, dst, failed_regions)]
    if key == "dynamodb-global-table":
        table = name(graph, src)
        peer = dst or src
        peer_region = region(graph, peer) if dst else None
        return [Action("data", f"point writers of {table} at its replica in {peer_region or 'a surviving region'}",
                       peer, peer_region,
                       call=Call("dynamodb:DescribeTable", {"TableName": table}, peer_region),
                       expected_duration=seconds, why=step["reasoning"],
                       prechecks=["the replica's TableStatus is ACTIVE (the command below) and its replication "
                                  "latency (CloudWatch ReplicationLatency) is known"],
                       capture=["the describe-table output", "ReplicationLatency at the switch: the measured RPO",
                                "the configuration change that moved the writers (commit or ticket)"])]
    if key in ("s3-crr", "s3-crr-rtc") and dst:
        bucket = name(graph, dst)
        return [Action("data", f"switch readers and writers to the replica bucket {bucket}", dst, where,
                       call=Call("s3:HeadBucket", {"Bucket": bucket}, where), expected_duration=seconds,
                       why=step["reasoning"],
                       prechecks=["the replica bucket answers (the command below); objects written in the last "
                                  "15 minutes may not have replicated (RTC's 15-minute threshold)"],
                       capture=["the head-bucket output", "the configuration change that moved the application"])]
    if key in ("restore-cross-region-copy", "restore-in-region-backup", "ebs-snapshot-restore") and dst:
        return [_restore(graph, step, src, dst)]
    if key == "rds-pitr":
        ident = name(graph, src)
        return [Action("data", f"restore {ident} to the latest restorable time", src, region(graph, src),
                       call=Call("rds:RestoreDBInstanceToPointInTime",
                                 {"SourceDBInstanceIdentifier": ident, "TargetDBInstanceIdentifier": f"{ident}-restored",
                                  "UseLatestRestorableTime": True}, region(graph, src)),
                       expected_duration=seconds, why=step["reasoning"],
                       capture=["the restore output and LatestRestorableTime: the measured RPO"])]
    if key == "dynamodb-pitr":
        table = name(graph, src)
        return [Action("data", f"restore {table} to the latest restorable time", src, region(graph, src),
                       call=Call("dynamodb:RestoreTableToPointInTime",
                                 {"SourceTableName": table, "TargetTableName": f"{table}-restored",
                                  "UseLatestRestorableTime": True}, region(graph, src)),
                       expected_duration=seconds, why=step["reasoning"],
                       capture=["the restore output and the restore date time: the measured RPO"])]
    if key in ("rds-multi-az-instance", "rds-multi-az-cluster", "aurora-replica-failover") and \
            str(node(graph, src).get("type", "")).startswith("AWS::RDS::DBInstance"):
        ident = name(graph, src)
        return [Action("data", f"verify {ident} failed over to its standby", src, region(graph, src),
                       call=Call("rds:DescribeDBInstances", {"DBInstanceIdentifier": ident}, region(graph, src)),
                       expected_duration=seconds, why=step["reasoning"], automatic=True,
                       capture=["the instance status and the RDS event 'Multi-AZ failover completed' with its time"])]
    if key == "scenario-duration":
        return [Action("data", f"wait for {name(graph, src)} to return with its region", src, region(graph, src),
                       expected_duration=seconds, why=step["reasoning"])]
    return [Action("data", f"{name(graph, src)}: {step['mechanism']}", dst or src, where, expected_duration=seconds,
                   why=step["reasoning"], automatic=seconds == 0)]


def _blocked(graph, step, src, dst, failed_regions: set[str]) -> Action:
    """A failover whose API lives in a failed region: named, not offered as a command (survival's decision)."""
    from . import survival

    scenario = survival.Scenario(failed_regions=frozenset(failed_regions))
    copy = dst or next((c.id for c in survival.data_copies(graph, src) if survival.copy_blocked(c, scenario)), None)
    api_region = next((survival.copy_blocked(c, scenario) for c in survival.data_copies(graph, src)
                       if c.id == copy), None) or "the failed region"
    where = region(graph, copy) if copy else region(graph, src)
    target = name(graph, copy) if copy else "its copy"
    return Action("data", f"fail {name(graph, src)} over to {target}", copy or src, where, blocked=True,
                  why=step["reasoning"],
                  alternative=(f"none in this scenario: {target} keeps the data (RPO {step.get('rpo_text', '?')}) "
                               f"but its failover needs the API of {api_region}; wait for it to return, then run "
                               f"this step. Remove the dependency before the next outage: a failover that calls only "
                               f"the recovery region's API (REL11-BP04)"))


def _aurora_global(graph, step, src, dst, failed_regions: set[str]) -> Action:
    global_cluster = attrs(graph, src).get("global_cluster_id") or attrs(graph, dst).get("global_cluster_id") or src
    global_name = str(global_cluster).rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    where = region(graph, dst)
    primary_lost = region(graph, src) in failed_regions
    if primary_lost:  # the primary's control plane is gone: managed switchover cannot run
        call = Call("rds:RemoveFromGlobalCluster", {"GlobalClusterIdentifier": global_name, "DbClusterIdentifier": dst},
                    where)
        action = f"detach {name(graph, dst)} from global database {global_name} and promote it (detach-and-promote)"
        why = (f"{step['reasoning']}; the primary region {region(graph, src)} is lost, so a managed switchover "
               "(which needs it) cannot run")
    else:
        call = Call("rds:SwitchoverGlobalCluster", {"GlobalClusterIdentifier": global_name,
                                                    "TargetDbClusterIdentifier": dst}, where)
        action = f"switch global database {global_name} over to {name(graph, dst)} (managed switchover, no data loss)"
        why = f"{step['reasoning']}; the primary region is reachable, so the managed switchover is used"
    return Action("data", action, dst, where, call=call, expected_duration=step.get("rto"), why=why,
                  prechecks=[f"AuroraGlobalDBReplicationLag of {name(graph, dst)} (CloudWatch, region {where})"],
                  capture=["replication lag at the switch: the measured RPO", "the command output and its time",
                           "the new writer endpoint"])


def _restore(graph, step, src, copy) -> Action:
    copy_type = str(node(graph, copy).get("type", ""))
    where = region(graph, copy)
    target = f"{name(graph, src)}-restored"
    copy_attrs = attrs(graph, copy)
    if copy_type == "AWS::Backup::RecoveryPoint":
        call = Call("backup:StartRestoreJob", {
            "RecoveryPointArn": copy, "IamRoleArn": BACKUP_DEFAULT_ROLE.format(account=account_of(graph, copy)),
            "Metadata": {}}, where)
        check = f"aws backup describe-recovery-point --backup-vault-name {name(graph, copy_attrs.get('vault'))} " \
                f"--recovery-point-arn {copy} --region {where}"
    elif copy_type == "AWS::RDS::DBSnapshot":
        call = Call("rds:RestoreDBInstanceFromDBSnapshot", {"DBInstanceIdentifier": target,
                                                            "DBSnapshotIdentifier": copy}, where)
        check = f"aws rds describe-db-snapshots --db-snapshot-identifier {copy} --region {where}"
    elif copy_type == "AWS::RDS::DBInstanceAutomatedBackup":
        call = Call("rds:RestoreDBInstanceToPointInTime", {
            "SourceDBInstanceAutomatedBackupsArn": copy, "TargetDBInstanceIdentifier": target,
            "UseLatestRestorableTime": True}, where)
        check = f"aws rds describe-db-instance-automated-backups --db-instance-automated-backups-arn {copy} " \
                f"--region {where}"
    elif copy_type == "AWS::DynamoDB::Backup":
        call = Call("dynamodb:RestoreTableFromBackup", {"TargetTableName": target, "BackupArn": copy}, where)
        check = f"aws dynamodb describe-backup --backup-arn {copy} --region {where}"
    elif copy_type == "AWS::EC2::Snapshot":
        zone = next(iter(node(graph, copy).get("zones") or ()), None) or f"{where}a"
        call = Call("ec2:CreateVolume", {"SnapshotId": name(graph, copy), "AvailabilityZone": zone}, where)
        check = f"aws ec2 describe-snapshots --snapshot-ids {name(graph, copy)} --region {where}"
    else:
        return Action("data", f"restore {name(graph, src)} from {name(graph, copy)}", copy, where,
                      expected_duration=step.get("rto"), why=step["reasoning"])
    created = copy_attrs.get("created_at")
    return Action("data", f"restore {name(graph, src)} from its newest copy {name(graph, copy)} in {where}", copy,
                  where, call=call, expected_duration=step.get("rto"), why=step["reasoning"],
                  prechecks=[f"the copy is usable (status completed/available): {check}"]
                  + ([f"the copy was taken {created}: data written after it is lost (the RPO)"] if created else []),
                  capture=["the restore job id and its completion time", "the copy's creation time: the measured RPO",
                           "the new resource's endpoint"])


def _other_cloud(graph, step, src, dst) -> Action:
    """Azure and GCP failovers: the ``az`` / ``gcloud`` command for the mechanisms the collectors read."""
    data, where = node(graph, src), region(graph, dst)
    native = str(data.get("type", ""))
    key = step.get("model_key") or ""
    command = None
    if key.startswith("restore-"):
        return Action("data", f"restore {name(graph, src)} from {name(graph, dst)} in {where}", dst, where,
                      expected_duration=step.get("rto"), why=step["reasoning"],
                      prechecks=[f"the newest usable copy in {name(graph, dst)} and its time (the RPO)"],
                      capture=["the restore's start and completion time", "the restored copy's time: the measured RPO",
                               "the new resource's endpoint"])
    if native.startswith("Microsoft.Sql/"):
        group = attrs(graph, src).get("failover_group") or "<failover-group>"
        command = (f"az sql failover-group set-primary --name {shlex.quote(str(group))} "
                   f"--server {name(graph, dst).split('/')[0]} --resource-group <resource-group> --allow-data-loss")
    elif native.startswith("Microsoft.DocumentDB/"):
        command = (f"az cosmosdb failover-priority-change --name {name(graph, src)} --resource-group "
                   f"<resource-group> --failover-policies {where}=0")
    elif native.startswith("sqladmin.googleapis.com/"):
        command = f"gcloud sql instances promote-replica {name(graph, dst)}"
    elif native.startswith("Microsoft.Storage/"):
        command = f"az storage account failover --name {name(graph, src)} --resource-group <resource-group>"
    if key == "azure-sql-failover-group-automatic":
        return Action("data", f"verify the failover group moved {name(graph, src)} to {name(graph, dst)} (Microsoft "
                      "managed, after its grace period); if it has not, force it with the command below", dst, where,
                      command=command, expected_duration=step.get("rto"), why=step["reasoning"], automatic=True,
                      capture=["the group's replication role on each server and when it changed",
                               "the replication lag or last sync time: the RPO"])
    return Action("data", f"fail {name(graph, src)} over to {name(graph, dst)}", dst, where, command=command,
                  expected_duration=step.get("rto"), why=step["reasoning"],
                  capture=["the command output and its time", "the replication lag or last sync time: the RPO"])


# --- compute ---------------------------------------------------------------------------------------


def compute_actions(graph: nx.MultiDiGraph, step: dict[str, Any]) -> list[Action]:
    key, src, dst = step["model_key"], step["resource"], step.get("to")
    seconds = step.get("rto")
    if key == "standby-compute-running" and dst:
        return [_scale(graph, src, dst, seconds, step["reasoning"])]
    if key == "asg-multi-az":
        group = name(graph, src)
        return [Action("compute", f"verify {group} replaced its instances in the surviving zones", src,
                       region(graph, src),
                       call=Call("autoscaling:DescribeAutoScalingGroups", {"AutoScalingGroupNames": [group]},
                                 region(graph, src)),
                       expected_duration=seconds, why=step["reasoning"], automatic=True,
                       capture=["InService instance count per zone"])]
    if key in ("instance-launch", "compute-redeploy"):
        return [Action("compute", f"rebuild {name(graph, src)} outside the failed area (infrastructure as code, "
                       "images, deployment pipeline)", src, None, expected_duration=seconds, why=step["reasoning"],
                       command="<run the workload's deployment pipeline against the recovery region>",
                       capture=["the pipeline run id, start and end time"])]
    return [Action("compute", f"{name(graph, src)}: {step['mechanism']}", dst or src, region(graph, dst or src),
                   expected_duration=seconds, why=step["reasoning"], automatic=seconds == 0)]


def _scale(graph, primary, standby, seconds, reasoning: str) -> Action:
    """Scale the standby to the primary's capacity (an Auto Scaling group or an ECS service)."""
    have, want = attrs(graph, standby), attrs(graph, primary)
    where = region(graph, standby)
    native = str(node(graph, standby).get("type", ""))
    if native == "AWS::ECS::Service":
        desired = max(int(want.get("desired_count") or 0), int(have.get("desired_count") or 0))
        cluster = have.get("cluster") or "<cluster>"
        call = Call("ecs:UpdateService", {"cluster": str(cluster), "service": name(graph, standby),
                                          "desiredCount": desired}, where)
        return Action("compute", f"scale ECS service {name(graph, standby)} to {desired} tasks (the primary's count)",
                      standby, where, call=call, expected_duration=seconds, why=reasoning,
                      capture=["runningCount reaching desiredCount, with the time"])
    if native != "AWS::AutoScaling::AutoScalingGroup":
        return Action("compute", f"verify {name(graph, standby)} serves", standby, where, expected_duration=seconds,
                      why=reasoning, automatic=True)
    desired = max(int(want.get("desired_capacity") or 0), int(have.get("desired_capacity") or 0))
    if desired <= int(have.get("desired_capacity") or 0):  # already at the primary's capacity: verify it serves
        return Action("compute", f"verify {name(graph, standby)} runs {desired} healthy instances (the primary's "
                      "capacity)", standby, where,
                      call=Call("autoscaling:DescribeAutoScalingGroups",
                                {"AutoScalingGroupNames": [name(graph, standby)]}, where),
                      expected_duration=seconds, why=reasoning, automatic=True,
                      capture=["InService instances per zone, with the time"])
    maximum = max(int(want.get("max_size") or 0), int(have.get("max_size") or 0), desired)
    minimum = max(int(want.get("min_size") or 0), int(have.get("min_size") or 0))
    call = Call("autoscaling:UpdateAutoScalingGroup", {
        "AutoScalingGroupName": name(graph, standby), "MinSize": minimum, "MaxSize": maximum,
        "DesiredCapacity": desired}, where)
    return Action("compute", f"scale {name(graph, standby)} to the primary's capacity ({desired} instances, was "
                  f"{have.get('desired_capacity', '?')})", standby, where, call=call, expected_duration=seconds,
                  why=reasoning, prechecks=[f"instance quota and capacity in {where} for {desired} instances"],
                  capture=["InService instances reaching the desired capacity, with the time"])


# --- traffic ---------------------------------------------------------------------------------------


def traffic_actions(graph: nx.MultiDiGraph, step: dict[str, Any], failed_regions: set[str]) -> list[Action]:
    key, src, dst = step["model_key"], step["resource"], step.get("to")
    seconds = step.get("rto")
    data = attrs(graph, src)
    zone_id = _zone_of_record(src)
    record_name = str(data.get("dns_name") or name(graph, src))
    if key == "route53-failover":
        actions = []
        check = data.get("health_check_id")
        if check:
            actions.append(Action(
                "traffic", f"verify the health check of {name(graph, src)} reports it unhealthy", src, "global",
                call=Call("route53:GetHealthCheckStatus", {"HealthCheckId": str(check)}, None),
                expected_duration=seconds, why=step["reasoning"], automatic=True,
                capture=["the health-check status from each checker region, with the time it turned unhealthy"]))
        if zone_id:
            actions.append(Action(
                "traffic", f"verify Route 53 now answers {record_name} with the secondary", dst or src, "global",
                call=Call("route53:TestDNSAnswer", {"HostedZoneId": zone_id, "RecordName": record_name,
                                                    "RecordType": str(data.get("record_type") or "A")}, None),
                expected_duration=0, why="Route 53 failover routing is automatic (data plane): verify it happened",
                automatic=True, capture=["the DNS answer and the time it changed"]))
        return actions
    if key == "manual-dns-switch":
        target = attrs(graph, dst).get("dns_name") if dst else None
        blocked = ROUTE53_CONTROL_PLANE in failed_regions
        change = {"Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
            "Name": record_name, "Type": "CNAME", "TTL": 60, "ResourceRecords": [{"Value": str(target or "<target>")}]}}]}
        return [Action(
            "traffic", f"point {record_name} at {name(graph, dst) if dst else 'the recovery region'}", src, "global",
            call=Call("route53:ChangeResourceRecordSets", {"HostedZoneId": zone_id or "<hosted-zone-id>",
                                                          "ChangeBatch": change}, None) if zone_id else None,
            expected_duration=seconds, blocked=blocked,
            why=(f"Route 53's control plane is in {ROUTE53_CONTROL_PLANE}, which is lost" if blocked
                 else step["reasoning"]),
            alternative="Route 53 ARC routing controls or health-checked failover records (data plane)" if blocked
            else None,
            prechecks=[f"the target answers before the switch: curl -fsS https://{target}/" if target else
                       "the target answers before the switch"],
            capture=["the change id and its INSYNC time", "the DNS answer after the TTL"])]
    return [Action("traffic", f"{name(graph, src)}: {step['mechanism']}", dst or src, region(graph, dst or src),
                   expected_duration=seconds, why=step["reasoning"], automatic=not seconds)]


def _zone_of_record(record_id: str) -> str | None:
    """``arn:aws:route53:::hostedzone/Z123/record/...`` -> ``Z123``."""
    marker = "hostedzone/"
    if marker not in record_id:
        return None
    return record_id.split(marker, 1)[1].split("/", 1)[0]
