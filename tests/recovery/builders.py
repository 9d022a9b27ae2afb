"""Small graph estates for the recovery tests: each helper adds one realistic component
(the attrs and edges the AWS collectors emit, see docs/graph.md) to an :class:`Estate`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from resilience.graph import build_graph
from resilience.model import (
    BACKED_UP_TO,
    BACKUP_PLAN,
    BACKUP_VAULT,
    COMPUTE_GROUP,
    DATABASE,
    DEPENDS_ON,
    DNS_RECORD,
    FAILS_OVER_TO,
    FUNCTION,
    GLOBAL_DATABASE,
    HEALTH_CHECK,
    INSTANCE,
    LOAD_BALANCER,
    MEMBER_OF,
    OBJECT_STORE,
    RECOVERY_POINT,
    REPLICATES_TO,
    ROUTES_TO,
    TARGET_GROUP,
    VOLUME,
    Coverage,
    Edge,
    Inventory,
    Resource,
)
from resilience.policy import empty_policy, parse_policy
from resilience.rule import RuleContext

ACCOUNT = "123456789012"
HOME = "me-central-1"
AWAY = "eu-central-1"
ZONES = {HOME: ("mec1-az1", "mec1-az2", "mec1-az3"), AWAY: ("euc1-az1", "euc1-az2", "euc1-az3"),
         "me-south-1": ("mes1-az1", "mes1-az2", "mes1-az3")}
SCAN_TIME = dt.datetime(2026, 11, 20, 6, 0, tzinfo=dt.UTC)
GIB = 2**30
APP = "shop"


def arn(service: str, region: str, resource: str) -> str:
    return f"arn:aws:{service}:{region}:{ACCOUNT}:{resource}"


class Estate:
    """Resources and edges of one test estate, all tagged ``app=<workload>`` unless said otherwise."""

    def __init__(self, workload: str = APP) -> None:
        self.workload = workload
        self.resources: list[Resource] = []
        self.edges: list[Edge] = []
        self.coverage: list[Coverage] = []

    # --- primitives
    def add(self, rid: str, kind: str, type_: str, *, region: str = HOME, zones=(), attrs=None, tags=None,
            name: str | None = None, workload: str | None = "", source: str | None = None) -> str:
        w = self.workload if workload == "" else workload
        tag_map = dict(tags or {})
        if w:
            tag_map.setdefault("app", w)
        self.resources.append(Resource(
            id=rid, provider="aws", account=ACCOUNT, region=region, kind=kind, type=type_,
            name=name or rid.rsplit("/", 1)[-1].rsplit(":", 1)[-1], source=source or f"test:{type_}",
            observed_at=SCAN_TIME.isoformat(), zones=tuple(zones), tags=tag_map, attrs=dict(attrs or {})))
        return rid

    def edge(self, src: str, dst: str, kind: str, **attrs: Any) -> None:
        self.edges.append(Edge(src=src, dst=dst, kind=kind, source="test", attrs=attrs))

    def gap(self, service: str, region: str = HOME, status: str = "denied") -> None:
        self.coverage.append(Coverage(provider="aws", account=ACCOUNT, region=region, service=service,
                                      status=status, detail="AccessDenied"))

    def inventory(self) -> Inventory:
        return Inventory(resources=list(self.resources), edges=list(self.edges), coverage=list(self.coverage))

    def graph(self, policy=None):
        return build_graph(self.inventory(), policy)

    def ctx(self, policy_text: str | None = None, *, audited: tuple[str, ...] = ()) -> RuleContext:
        policy = parse_policy(policy_text, "test.yaml") if policy_text else empty_policy()
        return RuleContext(graph=self.graph(policy), policy=policy, scan_time=SCAN_TIME,
                           coverage=list(self.coverage), audited_regions=audited)

    # --- components
    def web_tier(self, region: str = HOME, *, name: str = "web", desired: int = 3, zones=None) -> dict[str, str]:
        zones = tuple(zones or ZONES[region])
        lb = self.add(arn("elasticloadbalancing", region, f"loadbalancer/app/{name}-alb/1"), LOAD_BALANCER,
                      "AWS::ElasticLoadBalancingV2::LoadBalancer", region=region, zones=zones,
                      attrs={"dns_name": f"{name}-alb.{region}.elb.amazonaws.com"}, name=f"{name}-alb")
        tg = self.add(arn("elasticloadbalancing", region, f"targetgroup/{name}-tg/1"), TARGET_GROUP,
                      "AWS::ElasticLoadBalancingV2::TargetGroup", region=region, name=f"{name}-tg")
        asg = self.add(arn("autoscaling", region, f"autoScalingGroup:1:autoScalingGroupName/{name}-asg"),
                       COMPUTE_GROUP, "AWS::AutoScaling::AutoScalingGroup", region=region, zones=zones,
                       attrs={"min_size": desired, "max_size": max(desired, 1) * 2, "desired_capacity": desired},
                       name=f"{name}-asg")
        self.edge(lb, tg, ROUTES_TO)
        self.edge(tg, asg, ROUTES_TO)
        return {"lb": lb, "tg": tg, "asg": asg}

    def rds(self, name: str = "db", region: str = HOME, *, multi_az: bool = True, retention: int = 7,
            role: str = "primary", zones=None, size_gib: int = 200) -> str:
        zones = tuple(zones if zones is not None else (ZONES[region][:2] if multi_az else ZONES[region][:1]))
        return self.add(arn("rds", region, f"db:{name}"), DATABASE, "AWS::RDS::DBInstance", region=region,
                        zones=zones, name=name,
                        attrs={"engine": "postgres", "multi_az": multi_az, "backup_retention_days": retention,
                               "role": role, "storage_bytes": size_gib * GIB})

    def rds_replica(self, source: str, name: str = "db-replica", region: str = AWAY, *,
                    lag_s: float | None = None) -> str:
        replica = self.rds(name, region, multi_az=False, retention=0, role="replica")
        attrs = {"mode": "async", "promotable": True}
        if lag_s is not None:
            attrs["lag_s"] = lag_s
        self.edge(source, replica, REPLICATES_TO, **attrs)
        self.edge(source, replica, FAILS_OVER_TO, health_checked=False, needs_control_plane_in=region)
        return replica

    def aurora(self, name: str = "aurora", region: str = HOME, *, instance_zones=("mec1-az1", "mec1-az2"),
               global_id: str | None = None, role: str = "primary") -> str:
        cluster = self.add(arn("rds", region, f"cluster:{name}"), DATABASE, "AWS::RDS::DBCluster", region=region,
                           zones=ZONES[region], name=name,
                           attrs={"engine": "aurora-postgresql", "multi_az": len(instance_zones) > 1,
                                  "backup_retention_days": 7, "role": role, "global_cluster_id": global_id})
        for i, zone in enumerate(instance_zones):
            inst = self.add(arn("rds", region, f"db:{name}-{i}"), DATABASE, "AWS::RDS::DBInstance", region=region,
                            zones=(zone,), attrs={"engine": "aurora-postgresql", "role": "member",
                                                  "cluster_id": cluster}, name=f"{name}-{i}")
            self.edge(inst, cluster, MEMBER_OF)
        return cluster

    def table(self, name: str = "orders", region: str = HOME, *, pitr: bool = False, role: str = "primary") -> str:
        return self.add(arn("dynamodb", region, f"table/{name}"), DATABASE, "AWS::DynamoDB::Table", region=region,
                        name=name, attrs={"engine": "dynamodb", "pitr": pitr, "role": role,
                                          "storage_bytes": 10 * GIB})

    def global_table(self, name: str = "orders", regions=(HOME, AWAY)) -> list[str]:
        tables = [self.table(name, r, pitr=True, role="member") for r in regions]
        gid = self.add(f"arn:aws:dynamodb::{ACCOUNT}:global-table/{name}", GLOBAL_DATABASE,
                       "AWS::DynamoDB::GlobalTable", region="global", attrs={"members": tables})
        for t in tables:
            self.edge(t, gid, MEMBER_OF)
            for other in tables:
                if other != t:
                    self.edge(t, other, REPLICATES_TO, mode="async", promotable=True)
        return tables

    def bucket(self, name: str, region: str = HOME) -> str:
        return self.add(f"arn:aws:s3:::{name}", OBJECT_STORE, "AWS::S3::Bucket", region=region, name=name,
                        attrs={"versioning": "Enabled"})

    def function(self, name: str, region: str = HOME, *, uses: str | None = None) -> str:
        fn = self.add(arn("lambda", region, f"function:{name}"), FUNCTION, "AWS::Lambda::Function", region=region,
                      name=name)
        if uses:
            self.edge(fn, uses, DEPENDS_ON, via="environment:TABLE_ARN")
        return fn

    def health_check(self, ref: str, **attrs: Any) -> str:
        return self.add(f"arn:aws:route53:::healthcheck/{ref}", HEALTH_CHECK, "AWS::Route53::HealthCheck",
                        region="global", attrs={"check_type": "HTTPS", **attrs}, workload=None)

    def record(self, name: str, target: str, *, routing: str = "simple", role: str | None = None,
               set_id: str | None = None, health_check: str | None = None, ett: bool | None = None,
               record_region: str | None = None) -> str:
        rid = f"arn:aws:route53:::hostedzone/Z1/record/{name}/A/{set_id or '-'}"
        self.add(rid, DNS_RECORD, "AWS::Route53::RecordSet", region="global", workload=None,
                 name=f"{name} A" + (f" ({set_id})" if set_id else ""),
                 attrs={"dns_name": name, "record_type": "A", "routing": routing, "failover_role": role,
                        "set_identifier": set_id, "health_check_id": health_check, "evaluate_target_health": ett,
                        "record_region": record_region, "public": True})
        self.edge(rid, target, ROUTES_TO)
        return rid

    def failover_dns(self, name: str, primary_lb: str, secondary_lb: str, *, checked: bool = True,
                     **check_attrs: Any) -> tuple[str, str]:
        hc = self.health_check("hc-primary", **check_attrs) if checked else None
        p = self.record(name, primary_lb, routing="failover", role="PRIMARY", set_id="primary",
                        health_check="hc-primary" if checked else None)
        s = self.record(name, secondary_lb, routing="failover", role="SECONDARY", set_id="secondary")
        self.edge(p, s, FAILS_OVER_TO, health_checked=checked, health_check_id="hc-primary" if checked else None)
        if hc:
            self.edge(p, hc, DEPENDS_ON, via="health_check")
        return p, s

    def backup_plan(self, resources: list[str], *, schedule: str = "cron(0 3 * * ? *)",
                    copy_to_region: str | None = AWAY, region: str = HOME) -> dict[str, str]:
        """An AWS Backup plan selecting ``resources``, into a vault in ``region``, copied to another."""
        vault = self.add(arn("backup", region, "backup-vault:main"), BACKUP_VAULT, "AWS::Backup::BackupVault",
                         region=region)
        remote = None
        if copy_to_region:
            remote = self.add(arn("backup", copy_to_region, "backup-vault:copy"), BACKUP_VAULT,
                              "AWS::Backup::BackupVault", region=copy_to_region)
            self.edge(vault, remote, REPLICATES_TO, mode="periodic")
        plan = self.add(arn("backup", region, "backup-plan:daily"), BACKUP_PLAN, "AWS::Backup::BackupPlan",
                        region=region, attrs={"rules": [{"name": "daily", "schedule": schedule, "target_vault": vault,
                                                         "copy_to": [remote] if remote else []}]})
        self.edge(plan, vault, BACKED_UP_TO, schedule=schedule, rule="daily")
        for r in resources:
            self.edge(r, plan, BACKED_UP_TO, schedule=schedule)
        return {"vault": vault, "plan": plan, "remote": remote or ""}

    def snapshot(self, source: str, *, region: str = HOME, created: dt.datetime, name: str = "snap") -> str:
        rid = arn("ec2", region, f"snapshot/{name}")
        self.add(rid, RECOVERY_POINT, "AWS::EC2::Snapshot", region=region,
                 attrs={"created_at": created.isoformat().replace("+00:00", "Z"), "source_resource": source,
                        "status": "completed", "size_bytes": 100 * GIB})
        self.edge(source, rid, BACKED_UP_TO)
        return rid

    def instance_with_volume(self, name: str = "batch", zone: str = "mec1-az1", region: str = HOME) -> tuple[str, str]:
        inst = self.add(arn("ec2", region, f"instance/i-{name}"), INSTANCE, "AWS::EC2::Instance", region=region,
                        zones=(zone,), attrs={"state": "running"}, name=name)
        vol = self.add(arn("ec2", region, f"volume/vol-{name}"), VOLUME, "AWS::EC2::Volume", region=region,
                       zones=(zone,), attrs={"size_gib": 100, "attached_to": [inst]}, name=f"vol-{name}")
        self.edge(inst, vol, DEPENDS_ON, via="block_device")
        return inst, vol


def policy_with(objectives: str = "", *, workload: str = APP, extra: str = "", tests: str = "") -> str:
    """A policy text: the workload matched by ``app`` tag, with ``objectives`` (YAML flow map)."""
    text = f"version: 1\nworkloads:\n  {workload}:\n    match: {{tags: {{app: {workload}}}}}\n"
    if objectives:
        text += f"    objectives: {objectives}\n"
    if tests:
        text += "failover_tests:\n" + tests
    return text + extra
