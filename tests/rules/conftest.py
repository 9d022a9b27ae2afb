"""Small estates for the rule and survival tests, written as plain data.

An estate is a mapping (a YAML fixture under ``fixtures/`` or a dict in a test)::

    resources:
      orders-db: {kind: database, region: me-central-1, zones: [mec1-az1], workload: payments,
                  attrs: {multi_az: false}}
    edges:
      - [app, depends_on, orders-db]            # src, kind, dst[, attrs]
    coverage:
      - {region: eu-west-1, service: rds, status: denied}
      - {region: eu-west-1, service: "backup:policies", resources: [vault]}  # a read made for one resource
    policy: {version: 1, failure_domains: {...}}  # optional, a resilience.yaml document

Resources are named; ids are built in ARN form from kind, region and name unless ``id`` is given
(``type`` defaults per kind; ``provider`` to ``aws``). ``workload: NAME`` sets the
``resilience:workload`` tag.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from resilience.graph import build_graph
from resilience.model import Coverage, Edge, Inventory, Resource
from resilience.policy import Policy, parse_policy
from resilience.rule import RuleContext

ACCOUNT = "123456789012"
SCAN_TIME = dt.datetime(2026, 10, 1, 12, 0, tzinfo=dt.UTC)
OBSERVED = "2026-10-01T11:58:00Z"

DEFAULT_TYPES = {
    "database": "AWS::RDS::DBInstance",
    "global_database": "AWS::RDS::GlobalCluster",
    "object_store": "AWS::S3::Bucket",
    "volume": "AWS::EC2::Volume",
    "instance": "AWS::EC2::Instance",
    "subnet": "AWS::EC2::Subnet",
    "compute_group": "AWS::AutoScaling::AutoScalingGroup",
    "function": "AWS::Lambda::Function",
    "load_balancer": "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "target_group": "AWS::ElasticLoadBalancingV2::TargetGroup",
    "dns_record": "AWS::Route53::RecordSet",
    "dns_zone": "AWS::Route53::HostedZone",
    "health_check": "AWS::Route53::HealthCheck",
    "recovery_point": "AWS::RDS::DBSnapshot",
    "backup_plan": "AWS::Backup::BackupPlan",
    "backup_vault": "AWS::Backup::BackupVault",
}
SERVICES = {
    "RDS": "rds", "DynamoDB": "dynamodb", "S3": "s3", "EC2": "ec2", "AutoScaling": "autoscaling",
    "ElasticLoadBalancingV2": "elbv2", "Lambda": "lambda", "Route53": "route53", "Backup": "backup",
}
GLOBAL_TYPES = ("AWS::Route53::", "AWS::RDS::GlobalCluster")


class Estate:
    """An estate built from its data: ``ids`` maps names to ids, ``graph``/``ctx()`` for rules."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.ids: dict[str, str] = {}
        specs = {name: dict(body or {}) for name, body in (spec.get("resources") or {}).items()}
        for name, body in specs.items():  # ids first, so attributes can name any resource as @name
            native = body.get("type", DEFAULT_TYPES.get(body["kind"], f"Test::{body['kind']}"))
            region = body.get("region", "global" if native.startswith(GLOBAL_TYPES) else "me-central-1")
            self.ids[name] = body.get("id") or _make_id(_service(native), region, body["kind"], name,
                                                        body.get("account", ACCOUNT))
        resources = [self._resource(name, body) for name, body in specs.items()]
        edges = []
        for item in spec.get("edges") or ():
            src, kind, dst, *rest = item
            edges.append(Edge(src=self.id(src), dst=self.id(dst), kind=kind, source="test",
                              attrs=dict(rest[0]) if rest else {}))
        coverage = [
            Coverage(provider=c.get("provider", "aws"), account=c.get("account", ACCOUNT), region=c["region"],
                     service=c["service"], status=c.get("status", "denied"), detail=c.get("detail", "test"),
                     resources=tuple(self.id(r) for r in c.get("resources") or ()))
            for c in spec.get("coverage") or ()
        ]
        self.inventory = Inventory(resources=resources, edges=edges, coverage=coverage)
        policy_doc = spec.get("policy")
        self.policy = parse_policy(yaml.safe_dump(policy_doc), "<fixture>") if policy_doc else Policy()
        self.graph = build_graph(self.inventory, self.policy)

    def _resource(self, name: str, body: dict[str, Any]) -> Resource:
        kind = body.pop("kind")
        native = body.pop("type", DEFAULT_TYPES.get(kind, f"Test::{kind}"))
        region = body.pop("region", "global" if native.startswith(GLOBAL_TYPES) else "me-central-1")
        service = _service(native)
        node_id = self.ids[name]
        body.pop("id", None)
        tags = dict(body.pop("tags", {}) or {})
        if "workload" in body:
            tags["resilience:workload"] = body.pop("workload")
        return Resource(
            id=node_id, provider=body.pop("provider", "aws"), account=body.pop("account", ACCOUNT), region=region,
            kind=kind, type=native,
            name=body.pop("name", name), source=body.pop("source", f"{service}:Describe"),
            observed_at=OBSERVED, zones=tuple(body.pop("zones", ())), tags=tags,
            attrs=self._resolve(dict(body.pop("attrs", {}) or {})), **body,
        )

    def _resolve(self, value: Any) -> Any:
        """``@name`` in an attribute value stands for that resource's id."""
        if isinstance(value, str) and value.startswith("@"):
            return self.id(value[1:])
        if isinstance(value, list):
            return [self._resolve(v) for v in value]
        if isinstance(value, dict):
            return {k: self._resolve(v) for k, v in value.items()}
        return value

    def id(self, name: str) -> str:
        return self.ids.get(name, name)

    def name_of(self, node_id: str) -> str:
        for name, value in self.ids.items():
            if value == node_id:
                return name
        return node_id

    def ctx(self, audited: tuple[str, ...] = ()) -> RuleContext:
        return RuleContext(graph=self.graph, policy=self.policy, scan_time=SCAN_TIME,
                           coverage=list(self.inventory.coverage), audited_regions=audited)


def _make_id(service: str, region: str, kind: str, name: str, account: str = ACCOUNT) -> str:
    if service == "s3":
        return f"arn:aws:s3:::{name}"
    if service == "route53":
        return f"arn:aws:route53:::{kind}/{name}"
    return f"arn:aws:{service}:{'' if region == 'global' else region}:{account}:{kind}/{name}"


def _service(native: str) -> str:
    return SERVICES.get(native.split("::")[1], "test") if native.startswith("AWS::") else "test"


def make_estate(spec: dict[str, Any]) -> Estate:
    return Estate(spec)


@pytest.fixture
def estate():
    return make_estate


FIXTURES = Path(__file__).parent / "fixtures"
