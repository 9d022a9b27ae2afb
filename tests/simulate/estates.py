"""Small estates for the simulator's tests, built from Resource and Edge objects.

Each function returns ``(inventory, policy)``; the workload names say what the estate is.
"""

from __future__ import annotations

import dataclasses

from resilience.model import DEPENDS_ON, FAILS_OVER_TO, MEMBER_OF, REPLICATES_TO, ROUTES_TO, Edge, Inventory
from resilience.policy import parse_policy
from tests.conftest import res

__all__ = ["res"]

ACCOUNT = "123456789012"


def arn(service: str, region: str, resource: str) -> str:
    return f"arn:aws:{service}:{region}:{ACCOUNT}:{resource}"


def record(name: str, set_id: str) -> str:
    return f"arn:aws:route53:::hostedzone/Z1/record/{name}/A/{set_id}"


def named(resource, name: str):
    return dataclasses.replace(resource, name=name)


def _web_stack(app: str, region: str, zones: tuple[str, ...], *, desired: int = 2, suffix: str = ""):
    """LB -> target group -> ASG in ``region`` across ``zones``; returns (resources, edges, lb, asg)."""
    tags = {"app": app}
    lb = arn("elasticloadbalancing", region, f"loadbalancer/app/{app}{suffix}/1")
    tg = arn("elasticloadbalancing", region, f"targetgroup/{app}{suffix}/1")
    asg = arn("autoscaling", region, f"autoScalingGroup:1:autoScalingGroupName/{app}{suffix}")
    resources = [
        named(res(lb, "load_balancer", region=region, zones=zones, tags=tags,
                  type_="AWS::ElasticLoadBalancingV2::LoadBalancer"), f"{app}{suffix}-lb"),
        named(res(tg, "target_group", region=region, tags=tags, type_="AWS::ElasticLoadBalancingV2::TargetGroup"),
              f"{app}{suffix}-tg"),
        res(asg, "compute_group", region=region, zones=zones, tags=tags, type_="AWS::AutoScaling::AutoScalingGroup",
            attrs={"desired_capacity": desired, "min_size": desired, "max_size": desired * 2}),
    ]
    edges = [Edge(lb, tg, ROUTES_TO, "elbv2:DescribeListeners"), Edge(tg, asg, ROUTES_TO, "elbv2:DescribeTargetHealth")]
    return resources, edges, lb, asg


def multi_az_single_region() -> tuple[Inventory, object]:
    """checkout: DNS -> LB -> ASG over two zones -> Multi-AZ RDS, everything in me-central-1."""
    resources, edges, lb, asg = _web_stack("checkout", "me-central-1", ("mec1-az1", "mec1-az2"))
    db = arn("rds", "me-central-1", "db:checkout-db")
    dns = record("checkout.example.com", "simple")
    resources += [
        res(db, "database", zones=("mec1-az1", "mec1-az2"), tags={"app": "checkout"}, type_="AWS::RDS::DBInstance",
            attrs={"engine": "postgres", "multi_az": True, "backup_retention_days": 7, "role": "primary"}),
        named(res(dns, "dns_record", region="global", type_="AWS::Route53::RecordSet",
                  attrs={"dns_name": "checkout.example.com", "record_type": "A", "routing": "simple",
                         "public": True}), "checkout.example.com"),
    ]
    edges += [Edge(asg, db, DEPENDS_ON, "test", {"via": "environment:DB_HOST"}),
              Edge(dns, lb, ROUTES_TO, "route53:ListResourceRecordSets")]
    policy = parse_policy(
        "version: 1\nworkloads:\n  checkout:\n    match: {tags: {app: checkout}}\n    owner: web@example.com\n"
        "    objectives:\n      region: {rto: 4h, rpo: 1h}\n      az: {rto: 30m, rpo: 5m}\n", "p.yaml")
    return Inventory(resources=resources, edges=edges), policy


ACTIVE_PASSIVE_POLICY = (
    "version: 1\nworkloads:\n  payments:\n    match: {{tags: {{app: payments}}}}\n    owner: pay@example.com\n"
    "    objectives:\n      region: {{rto: {rto}, rpo: {rpo}}}\n"
)


def active_passive(rto: str = "4h", rpo: str = "1h") -> tuple[Inventory, object]:
    """payments: Route 53 failover (health-checked primary) from me-central-1 to eu-central-1; the
    database replicates to a promotable replica in eu-central-1."""
    primary, edges, lb_a, asg_a = _web_stack("payments", "me-central-1", ("mec1-az1", "mec1-az2"), desired=4)
    standby, edges_b, lb_b, asg_b = _web_stack("payments", "eu-central-1", ("euc1-az1", "euc1-az2"), desired=4,
                                               suffix="-dr")
    db = arn("rds", "me-central-1", "db:payments-db")
    replica = arn("rds", "eu-central-1", "db:payments-db-replica")
    rec_a = record("pay.example.com", "primary")
    rec_b = record("pay.example.com", "secondary")
    dns_attrs = {"dns_name": "pay.example.com", "record_type": "A", "routing": "failover", "public": True}
    resources = primary + standby + [
        res(db, "database", zones=("mec1-az1", "mec1-az2"), tags={"app": "payments"}, type_="AWS::RDS::DBInstance",
            attrs={"engine": "postgres", "multi_az": True, "backup_retention_days": 7, "role": "primary"}),
        res(replica, "database", region="eu-central-1", zones=("euc1-az1",), tags={"app": "payments"},
            type_="AWS::RDS::DBInstance", attrs={"engine": "postgres", "role": "replica", "replica_of": db}),
        named(res(rec_a, "dns_record", region="global", type_="AWS::Route53::RecordSet",
                  attrs={**dns_attrs, "failover_role": "PRIMARY", "set_identifier": "primary",
                         "health_check_id": "hc-1"}), "pay.example.com (primary)"),
        named(res(rec_b, "dns_record", region="global", type_="AWS::Route53::RecordSet",
                  attrs={**dns_attrs, "failover_role": "SECONDARY", "set_identifier": "secondary"}),
              "pay.example.com (secondary)"),
    ]
    edges += edges_b + [
        Edge(rec_a, lb_a, ROUTES_TO, "route53:ListResourceRecordSets", {"health_check_id": "hc-1"}),
        Edge(rec_b, lb_b, ROUTES_TO, "route53:ListResourceRecordSets"),
        Edge(rec_a, rec_b, FAILS_OVER_TO, "route53:ListResourceRecordSets", {"health_checked": True}),
        Edge(asg_a, db, DEPENDS_ON, "test", {"via": "environment:DB_HOST"}),
        Edge(asg_b, db, DEPENDS_ON, "test", {"via": "environment:DB_HOST"}),
        Edge(db, replica, REPLICATES_TO, "rds:DescribeDBInstances", {"mode": "async", "promotable": True}),
    ]
    return Inventory(resources=resources, edges=edges), parse_policy(ACTIVE_PASSIVE_POLICY.format(rto=rto, rpo=rpo),
                                                                     "p.yaml")


def two_region_compute_pinned_data() -> tuple[Inventory, object]:
    """mobile-api: the same function in me-central-1 and eu-west-1, both reading one table in me-central-1."""
    table = arn("dynamodb", "me-central-1", "table/sessions")
    fn_a = arn("lambda", "me-central-1", "function:mobile-api")
    fn_b = arn("lambda", "eu-west-1", "function:mobile-api")
    tags = {"app": "mobile-api"}
    resources = [
        res(table, "database", tags=tags, type_="AWS::DynamoDB::Table", attrs={"pitr": True}),
        res(fn_a, "function", tags=tags, type_="AWS::Lambda::Function"),
        res(fn_b, "function", region="eu-west-1", tags=tags, type_="AWS::Lambda::Function"),
    ]
    edges = [Edge(fn_a, table, DEPENDS_ON, "lambda:GetFunction", {"via": "environment:TABLE_ARN"}),
             Edge(fn_b, table, DEPENDS_ON, "lambda:GetFunction", {"via": "environment:TABLE_ARN"})]
    policy = parse_policy("version: 1\nworkloads:\n  mobile-api:\n    match: {tags: {app: mobile-api}}\n"
                          "    objectives:\n      region: {rto: 1h, rpo: 5m}\n", "p.yaml")
    return Inventory(resources=resources, edges=edges), policy


def replicated_within_gulf() -> tuple[Inventory, object]:
    """fx-rates: the function in me-central-1 and me-south-1, a global table with replicas in both."""
    t_a = arn("dynamodb", "me-central-1", "table/rates")
    t_b = arn("dynamodb", "me-south-1", "table/rates")
    fn_a = arn("lambda", "me-central-1", "function:fx-rates")
    fn_b = arn("lambda", "me-south-1", "function:fx-rates")
    tags = {"app": "fx-rates"}
    resources = [
        res(t_a, "database", tags=tags, type_="AWS::DynamoDB::Table", attrs={"pitr": True}),
        res(t_b, "database", region="me-south-1", tags=tags, type_="AWS::DynamoDB::Table", attrs={"pitr": True}),
        res(fn_a, "function", tags=tags, type_="AWS::Lambda::Function"),
        res(fn_b, "function", region="me-south-1", tags=tags, type_="AWS::Lambda::Function"),
    ]
    edges = [
        Edge(fn_a, t_a, DEPENDS_ON, "lambda:GetFunction", {"via": "environment:TABLE"}),
        Edge(fn_b, t_b, DEPENDS_ON, "lambda:GetFunction", {"via": "environment:TABLE"}),
        Edge(t_a, t_b, REPLICATES_TO, "dynamodb:DescribeTable", {"mode": "async", "promotable": True}),
        Edge(t_b, t_a, REPLICATES_TO, "dynamodb:DescribeTable", {"mode": "async", "promotable": True}),
    ]
    policy = parse_policy("version: 1\nworkloads:\n  fx-rates:\n    match: {tags: {app: fx-rates}}\n"
                          "    objectives:\n      region: {rto: 8h, rpo: 1h}\n", "p.yaml")
    return Inventory(resources=resources, edges=edges), policy


def single_az() -> tuple[Inventory, object]:
    """reconciliation: one instance and a single-AZ database, both in mec1-az1."""
    inst = arn("ec2", "me-central-1", "instance/i-0recon")
    db = arn("rds", "me-central-1", "db:recon-db")
    subnet = arn("ec2", "me-central-1", "subnet/subnet-1")
    tags = {"app": "reconciliation"}
    resources = [
        res(inst, "instance", zones=("mec1-az1",), tags=tags, type_="AWS::EC2::Instance"),
        res(db, "database", zones=("mec1-az1",), tags=tags, type_="AWS::RDS::DBInstance",
            attrs={"engine": "mysql", "multi_az": False, "backup_retention_days": 0}),
        res(subnet, "subnet", zones=("mec1-az1",), type_="AWS::EC2::Subnet"),
    ]
    edges = [Edge(inst, db, DEPENDS_ON, "test", {"via": "config"}), Edge(inst, subnet, MEMBER_OF, "ec2")]
    policy = parse_policy("version: 1\nworkloads:\n  reconciliation:\n    match: {tags: {app: reconciliation}}\n",
                          "p.yaml")
    return Inventory(resources=resources, edges=edges), policy


def combined() -> tuple[Inventory, object]:
    """All of the above in one estate, with one policy (for the pack and the CLI)."""
    parts = [multi_az_single_region(), active_passive(), two_region_compute_pinned_data(), replicated_within_gulf(),
             single_az()]
    inventory = Inventory(meta={"started_at": "2026-11-20T06:00:00+00:00", "accounts": [ACCOUNT],
                                "regions_scanned": ["eu-central-1", "eu-west-1", "me-central-1", "me-south-1"],
                                "providers": ["aws"]})
    for inv, _ in parts:
        inventory.extend(inv)
    policy = parse_policy(COMBINED_POLICY, "resilience.yaml")
    return inventory, policy


COMBINED_POLICY = """version: 1
workloads:
  checkout:
    match: {tags: {app: checkout}}
    owner: web@example.com
    objectives:
      region: {rto: 4h, rpo: 1h}
      az: {rto: 30m, rpo: 5m}
  payments:
    match: {tags: {app: payments}}
    owner: pay@example.com
    objectives:
      region: {rto: 4h, rpo: 1h}
  mobile-api:
    match: {tags: {app: mobile-api}}
    objectives:
      region: {rto: 1h, rpo: 5m}
  fx-rates:
    match: {tags: {app: fx-rates}}
    objectives:
      region: {rto: 8h, rpo: 1h}
  reconciliation:
    match: {tags: {app: reconciliation}}
"""
