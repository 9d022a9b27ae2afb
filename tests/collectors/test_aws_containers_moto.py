"""The issue 13 collectors through ``collect()`` against an in-process moto estate built through the
real APIs (``containers_estate.py``), and what the survival engine then sees.

moto (5.2) gaps, covered with recorded responses in ``test_aws_transform_containers.py`` and here
required to show up as ``error`` coverage, never as "nothing there": ElastiCache
DescribeGlobalReplicationGroups and DescribeServerlessCaches, EFS DescribeReplicationConfigurations.
moto also places every ElastiCache node in ``us-east-1a`` whatever the region, so cache zones are
asserted in the transform tests, not here.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from moto import mock_aws

from resilience.collectors.aws import SERVICES, collect
from resilience.collectors.aws.permissions import CORE_PERMISSIONS, iam_action
from resilience.collectors.aws.services import READ_ONLY_ACTION
from resilience.graph import build_graph
from resilience.model import DEPENDS_ON, MEMBER_OF
from resilience.survival import Scenario, dependency_outcome

from . import containers_estate as estate_module
from .helpers import OBSERVED_AT, by_id, coverage_of, edges_of, new_session

ISSUE13_SERVICES = ("vpc", "launchtemplates", "ecs", "eks", "elasticache", "efs", "secretsmanager", "ssm", "ecr")
#: modules whose read-only proof this estate carries (lambda: GetFunction of a container-image function)
PROVEN_HERE = (*ISSUE13_SERVICES, "lambda")
REGIONS = [estate_module.PRIMARY, estate_module.DR]
SCANNED = ("ec2", "autoscaling", "lambda", *ISSUE13_SERVICES)
ACCOUNT = estate_module.ACCOUNT


@pytest.fixture(scope="module")
def moto_estate():
    with pytest.MonkeyPatch.context() as mp:
        for var in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
            mp.delenv(var, raising=False)
        mp.setenv("AWS_ACCESS_KEY_ID", "testing")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        mp.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
        mp.setenv("MOTO_ALLOW_NONEXISTENT_REGION", "true")
        with mock_aws():
            yield estate_module.build(new_session())


@pytest.fixture(scope="module")
def inventory(moto_estate):
    return collect(new_session(), REGIONS, observed_at=OBSERVED_AT, max_workers=4, services=list(SCANNED))


def arn(service: str, region: str, resource: str) -> str:
    return f"arn:aws:{service}:{region}:{ACCOUNT}:{resource}"


def test_primary_reads_ok_and_moto_gaps_reported(inventory):
    cov = coverage_of(inventory)
    for region in REGIONS:
        for name in ISSUE13_SERVICES:
            assert cov[(region, name)].status == "ok", (region, name, cov[(region, name)].detail)
        for gap in ("elasticache:global-replication-groups", "elasticache:serverless", "efs:replication"):
            assert cov[(region, gap)].status == "error" and cov[(region, gap)].detail, gap


def test_nat_gateway_zone_and_subnet_default_routes(inventory, moto_estate):
    ids = moto_estate
    nat = by_id(inventory)[arn("ec2", estate_module.PRIMARY, f"natgateway/{ids['nat']}")]
    assert nat.kind == "network_gateway" and nat.zones == ("mec1-az1",)
    deps = {(e.src, e.dst): e.attrs["via"] for e in inventory.edges if e.kind == DEPENDS_ON}
    for subnet in (ids["subnet_a"], ids["subnet_b"]):
        via = deps[(arn("ec2", estate_module.PRIMARY, f"subnet/{subnet}"), nat.id)]
        assert via == f"route-table:{ids['table']}:0.0.0.0/0"
    endpoint = by_id(inventory)[arn("ec2", estate_module.PRIMARY, f"vpc-endpoint/{ids['endpoint']}")]
    assert endpoint.zones == ("mec1-az1", "mec1-az2") and endpoint.attrs["endpoint_type"] == "Interface"


def test_ecs_service_zones_and_task_definition_references(inventory, moto_estate):
    ids = moto_estate
    found = by_id(inventory)
    service = found[ids["service"]]
    assert service.kind == "compute_group" and service.zones == ("mec1-az1", "mec1-az2")
    assert service.attrs["desired_count"] == 2 and service.attrs["launch_type"] == "FARGATE"
    assert service.attrs["env_keys"] == ["API_TOKEN"]
    edges = edges_of(inventory)
    assert (ids["service"], ids["cluster"], MEMBER_OF) in edges
    for dst in (ids["repo"], ids["secret"], ids["fs_arn"]):
        assert (ids["service"], dst, DEPENDS_ON) in edges, dst
    # the DR service pulls from the primary region's registry and reads the primary region's secret
    assert (ids["dr_service"], ids["repo"], DEPENDS_ON) in edges
    assert (ids["dr_service"], ids["secret"], DEPENDS_ON) in edges


def test_no_secret_or_environment_value_is_stored(inventory):
    text = inventory.to_json()
    assert "hunter2-never-store" not in text and "tok-never-store-me" not in text and "beta=on" not in text


def test_efs_one_zone_secret_parameter_repository_cache(inventory, moto_estate):
    ids = moto_estate
    found = by_id(inventory)
    fs = found[ids["fs_arn"]]
    assert fs.kind == "file_system" and fs.zones == ("mec1-az1",) and fs.attrs["storage"] == "one_zone"
    assert fs.attrs["mount_target_zones"] == ["mec1-az1"] and "automatic_backups" in fs.attrs
    secret = found[ids["secret"]]
    assert secret.kind == "secret" and secret.attrs["replica_regions"] == [] and secret.attrs["role"] == "primary"
    assert found[arn("ssm", estate_module.PRIMARY, "parameter/shop/feature-flags")].kind == "parameter"
    assert found[ids["repo"]].attrs["replication_regions"] == []
    cache = found[ids["cache"]]
    assert cache.kind == "cache" and cache.attrs["automatic_failover"] is False


def test_cache_and_repository_tags_are_read_for_workload_membership(inventory, moto_estate):
    """Workloads are matched by tag: a cache or image repository whose tags were not read would silently
    drop out of its workload (and out of the zonal and regional verdicts)."""
    found = {r.id: r for r in inventory.resources}
    assert found[moto_estate["cache"]].tags.get("app") == "shop"
    assert found[moto_estate["repo"]].tags.get("app") == "shop"


def test_container_image_function_depends_on_its_repository(inventory, moto_estate):
    ids = moto_estate
    [ref] = [e for e in inventory.edges if e.src == ids["dr_function"] and e.kind == DEPENDS_ON]
    assert ref.dst == ids["repo"] and ref.attrs["via"] == "image" and ref.source == "lambda:GetFunction"


def test_dr_launch_template_ami_only_in_primary_region(inventory, moto_estate):
    ids = moto_estate
    template = arn("ec2", estate_module.DR, f"launch-template/{ids['dr_template']}")
    image = f"arn:aws:ec2:{estate_module.PRIMARY}::image/{ids['ami']}"
    assert (ids["dr_asg"], template, DEPENDS_ON) in edges_of(inventory)
    [ref] = [e for e in inventory.edges if e.src == template and e.kind == DEPENDS_ON]
    assert ref.dst == image and ref.attrs["missing_in"] == estate_module.DR


def test_survival_sees_the_nat_and_the_primary_region_references(inventory, moto_estate):
    ids = moto_estate
    graph = build_graph(inventory)
    # the DR service runs in zones 1 and 2, but both subnets' egress runs through the NAT gateway in zone 1
    zone_1 = dependency_outcome(graph, ids["dr_service"], Scenario.zones("euc1-az1"))
    dr_nat = next(r.id for r in inventory.resources
                  if r.type == "AWS::EC2::NatGateway" and r.region == estate_module.DR)
    assert not zone_1.ok and zone_1.chain[-1] == dr_nat and "only in failed zone euc1-az1" in zone_1.cause
    assert dependency_outcome(graph, ids["dr_service"], Scenario.zones("euc1-az2")).ok
    # the primary service also mounts the One Zone file system (data in zone 1)
    zone_a = dependency_outcome(graph, ids["service"], Scenario.zones("mec1-az1"))
    assert not zone_a.ok and zone_a.chain[-1] in (ids["fs_arn"], arn("ec2", estate_module.PRIMARY, f"natgateway/{ids['nat']}"))
    assert dependency_outcome(graph, ids["service"], Scenario.zones("mec1-az2")).ok
    primary_lost = Scenario.regions(estate_module.PRIMARY)
    dr = dependency_outcome(graph, ids["dr_service"], primary_lost)
    assert not dr.ok and dr.chain[-1] in (ids["repo"], ids["secret"])
    asg = dependency_outcome(graph, ids["dr_asg"], primary_lost)
    assert not asg.ok and asg.chain[-1].endswith(ids["ami"])


def test_read_only_proof_for_the_issue13_modules(moto_estate):
    """Each module alone under a before-call hook: every call declared in its PERMISSIONS and
    read-only; together they call every action they declare."""
    called_by: dict[str, set[str]] = defaultdict(set)
    modules = [m for m in SERVICES if m.NAME in PROVEN_HERE]
    assert len(modules) == len(PROVEN_HERE)
    for module in modules:
        session = new_session()
        calls: set[str] = set()

        def record(model, calls=calls, **_):
            calls.add(iam_action(model.service_model.signing_name, model.name))

        session.events.register("before-call", record)
        collect(session, REGIONS, observed_at=OBSERVED_AT, services=[module.NAME], max_workers=4)
        allowed = set(module.PERMISSIONS) | set(CORE_PERMISSIONS)
        assert calls <= allowed, f"{module.NAME} called undeclared {sorted(calls - allowed)}"
        assert all(READ_ONLY_ACTION.match(c) for c in calls), sorted(calls)
        called_by[module.NAME] = calls
    declared = {p for m in modules for p in m.PERMISSIONS}
    called = set().union(*called_by.values())
    # no EKS cluster in this estate (moto's EKS needs none of it to answer ListClusters): proven by Stubber
    eks_only = {"eks:DescribeCluster", "eks:DescribeFargateProfile", "eks:DescribeNodegroup", "eks:ListFargateProfiles",
                "eks:ListNodegroups"}
    assert declared - called - eks_only == set()
