"""Issue 13 transforms on recorded API shapes (pure: no mock), and ``collect()`` through botocore's
Stubber for the reads moto 5.2 lacks (ElastiCache global datastores and serverless caches, EFS
replication) and for EKS node groups and Fargate profiles. Stubber validates every recorded
response against botocore's output shape, so the shapes here are the real ones."""

from __future__ import annotations

from resilience.collectors.aws import ClientFactory, collect, ecr, ecs, efs, elasticache, secretsmanager, vpc
from resilience.collectors.aws.references import ecr_repository, resolve_images, secret_or_parameter
from resilience.graph import build_graph
from resilience.model import DEPENDS_ON, MEMBER_OF, REPLICATES_TO, Edge, Inventory, Resource
from resilience.survival import Scenario, node_down

from .helpers import (
    ACCOUNT,
    IDENTITY,
    OBSERVED_AT,
    ZONE_IDS,
    by_id,
    coverage_of,
    edges_of,
    new_session,
    scope,
    stub,
    zones,
)

R = "me-central-1"
SUBNETS = [
    {"SubnetId": "subnet-a", "VpcId": "vpc-1", "AvailabilityZone": "me-central-1a", "AvailabilityZoneId": "mec1-az1"},
    {"SubnetId": "subnet-b", "VpcId": "vpc-1", "AvailabilityZone": "me-central-1b", "AvailabilityZoneId": "mec1-az2"},
    {"SubnetId": "subnet-c", "VpcId": "vpc-1", "AvailabilityZone": "me-central-1c", "AvailabilityZoneId": "mec1-az3"},
]


def arn(service: str, resource: str, region: str = R) -> str:
    return f"arn:aws:{service}:{region}:{ACCOUNT}:{resource}"


# --- VPC routing ------------------------------------------------------------------------------------
def test_routes_explicit_association_main_table_fallback_and_blackhole():
    tables = [
        {"RouteTableId": "rtb-main", "VpcId": "vpc-1", "Associations": [{"Main": True, "RouteTableAssociationId": "a0"}],
         "Routes": [{"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-b", "State": "active"}]},
        {"RouteTableId": "rtb-private", "VpcId": "vpc-1",
         "Associations": [{"Main": False, "SubnetId": "subnet-a"}, {"Main": False, "SubnetId": "subnet-b"}],
         "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"},
                    {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-a", "State": "active"},
                    {"DestinationIpv6CidrBlock": "::/0", "NatGatewayId": "nat-gone", "State": "blackhole"}]},
    ]
    out = vpc.transform_routes(tables, SUBNETS, scope())
    deps = {(e.src.rsplit("/", 1)[-1], e.dst.rsplit("/", 1)[-1]): e.attrs["via"] for e in out.edges}
    assert deps == {("subnet-a", "nat-a"): "route-table:rtb-private:0.0.0.0/0",
                    ("subnet-b", "nat-a"): "route-table:rtb-private:0.0.0.0/0",
                    ("subnet-c", "nat-b"): "route-table:rtb-main:0.0.0.0/0"}  # no association: the main table


def test_nat_gateways_zonal_regional_and_deleted():
    nats = [
        {"NatGatewayId": "nat-a", "SubnetId": "subnet-a", "VpcId": "vpc-1", "State": "available",
         "ConnectivityType": "public", "Tags": [{"Key": "Name", "Value": "egress-a"}]},
        {"NatGatewayId": "nat-r", "VpcId": "vpc-1", "State": "available", "AvailabilityMode": "regional"},
        {"NatGatewayId": "nat-old", "SubnetId": "subnet-b", "State": "deleted"},
    ]
    out = vpc.transform_nat_gateways(nats, scope(), vpc.subnet_zones(SUBNETS))
    found = by_id(out)
    assert set(found) == {arn("ec2", "natgateway/nat-a"), arn("ec2", "natgateway/nat-r")}
    assert found[arn("ec2", "natgateway/nat-a")].zones == ("mec1-az1",)
    assert found[arn("ec2", "natgateway/nat-a")].name == "egress-a"
    assert found[arn("ec2", "natgateway/nat-r")].zones == ()  # a regional NAT gateway spans the zones
    assert (arn("ec2", "natgateway/nat-a"), arn("ec2", "subnet/subnet-a"), MEMBER_OF) in edges_of(out)


def test_interface_endpoints_zoned_gateway_endpoints_left_out():
    endpoints = [
        {"VpcEndpointId": "vpce-1", "VpcEndpointType": "Interface", "ServiceName": "com.amazonaws.me-central-1.ecr.dkr",
         "SubnetIds": ["subnet-a", "subnet-b"], "State": "available", "VpcId": "vpc-1"},
        {"VpcEndpointId": "vpce-2", "VpcEndpointType": "Gateway", "ServiceName": "com.amazonaws.me-central-1.s3",
         "State": "available"},
    ]
    [endpoint] = vpc.transform_vpc_endpoints(endpoints, scope(), vpc.subnet_zones(SUBNETS)).resources
    assert endpoint.zones == ("mec1-az1", "mec1-az2") and endpoint.attrs["service_name"].endswith("ecr.dkr")


# --- references ---------------------------------------------------------------------------------------
def test_references_image_uris_secrets_and_parameters():
    assert ecr_repository("123456789012.dkr.ecr.eu-central-1.amazonaws.com/shop/web:1.2@sha256:ab") == \
        "arn:aws:ecr:eu-central-1:123456789012:repository/shop/web"
    assert ecr_repository("public.ecr.aws/nginx/nginx:1.27") is None
    assert ecr_repository("nginx:latest") is None
    s = scope()
    secret = "arn:aws:secretsmanager:me-south-1:123456789012:secret:db-AbCdEf"
    assert secret_or_parameter(f"{secret}:password::", s) == secret  # JSON key suffix dropped
    assert secret_or_parameter("/shop/api-key", s) == arn("ssm", "parameter/shop/api-key")
    assert secret_or_parameter("arn:aws:ssm:me-south-1:123456789012:parameter/x", s).endswith(":parameter/x")


def test_task_definition_references_keep_names_never_values():
    task = {
        "family": "shop", "revision": 7,
        "containerDefinitions": [{
            "name": "web", "image": "123456789012.dkr.ecr.me-central-1.amazonaws.com/shop/web:1.4",
            "secrets": [{"name": "DB", "valueFrom": "arn:aws:secretsmanager:me-central-1:123456789012:secret:db-Ab12Cd"},
                        {"name": "FLAGS", "valueFrom": "/shop/flags"}],
            "environment": [{"name": "TABLE", "value": "arn:aws:dynamodb:me-central-1:123456789012:table/orders"},
                            {"name": "TOKEN", "value": "s3cr3t-value"}],
        }],
        "volumes": [{"name": "uploads", "efsVolumeConfiguration": {"fileSystemId": "fs-1"}}],
    }
    refs = dict(ecs.task_references(task, scope()))
    assert refs == {
        arn("ecr", "repository/shop/web"): "task-definition:shop:7/container:web/image",
        arn("secretsmanager", "secret:db-Ab12Cd"): "task-definition:shop:7/container:web/secret:DB",
        arn("ssm", "parameter/shop/flags"): "task-definition:shop:7/container:web/secret:FLAGS",
        arn("dynamodb", "table/orders"): "task-definition:shop:7/container:web/environment:TABLE",
        arn("elasticfilesystem", "file-system/fs-1"): "task-definition:shop:7/volume:uploads",
    }
    assert "s3cr3t-value" not in repr(ecs.task_summary(task))


def test_ecs_service_capacity_providers_zones_and_target_group():
    service = {
        "serviceArn": arn("ecs", "service/shop/web"), "serviceName": "web", "clusterArn": arn("ecs", "cluster/shop"),
        "status": "ACTIVE", "desiredCount": 3, "runningCount": 3, "taskDefinition": arn("ecs", "task-definition/shop:7"),
        "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1}],
        "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-a", "subnet-b"]}},
        "loadBalancers": [{"targetGroupArn": arn("elasticloadbalancing", "targetgroup/web/1"), "containerPort": 80}],
        "placementStrategy": [{"type": "spread", "field": "attribute:ecs.availability-zone"}],
    }
    out = ecs.transform_services([service], scope(), {}, vpc.subnet_zones(SUBNETS))
    [node] = out.resources
    assert node.zones == ("mec1-az1", "mec1-az2") and node.attrs["capacity_providers"] == ["FARGATE"]
    assert node.attrs["zone_spread"] is True and "images" not in node.attrs  # task definition unread: absent
    assert (arn("elasticloadbalancing", "targetgroup/web/1"), node.id, "routes_to") in edges_of(out)


# --- ElastiCache ---------------------------------------------------------------------------------------
def _group(group_id: str, failover: str, members: list[tuple[str, str]]) -> dict:
    return {"ReplicationGroupId": group_id, "ARN": arn("elasticache", f"replicationgroup:{group_id}"),
            "Status": "available", "MultiAZ": "enabled" if failover == "enabled" else "disabled",
            "AutomaticFailover": failover, "ClusterEnabled": False, "Engine": "valkey", "SnapshotRetentionLimit": 1,
            "NodeGroups": [{"NodeGroupId": "0001", "NodeGroupMembers": [
                {"CacheClusterId": f"{group_id}-{i}", "PreferredAvailabilityZone": zone, "CurrentRole": role}
                for i, (zone, role) in enumerate(members)]}]}


def test_cache_zones_follow_automatic_failover():
    groups = [_group("ha", "enabled", [("me-central-1a", "primary"), ("me-central-1b", "replica")]),
              _group("pinned", "disabled", [("me-central-1a", "primary"), ("me-central-1b", "replica")])]
    found = {r.name: r for r in elasticache.transform_replication_groups(groups, scope(), ZONE_IDS).resources}
    assert found["ha"].zones == ("mec1-az1", "mec1-az2") and found["ha"].attrs["multi_az"] is True
    # no automatic failover: losing the primary's zone stops writes until someone promotes a replica
    assert found["pinned"].zones == ("mec1-az1",) and found["pinned"].attrs["node_zones"] == ("mec1-az1", "mec1-az2")


def test_a_sharded_cache_is_down_when_one_shard_is():
    """Cluster mode: shard 1 has its primary and replica in zone a, shard 2 spans a and b. The union of the
    zones (a, b) counted losing zone a as survived, though shard 1's keys are gone with it (blind aws estate)."""
    group = _group("sessions", "enabled", [("me-central-1a", "primary"), ("me-central-1a", "replica")])
    group["ClusterEnabled"] = True
    group["NodeGroups"].append({"NodeGroupId": "0002", "NodeGroupMembers": [
        {"CacheClusterId": "sessions-0002-1", "PreferredAvailabilityZone": "me-central-1a", "CurrentRole": "replica"},
        {"CacheClusterId": "sessions-0002-2", "PreferredAvailabilityZone": "me-central-1b", "CurrentRole": "primary"}]})
    [node] = elasticache.transform_replication_groups([group], scope(), ZONE_IDS).resources
    assert node.zones == ("mec1-az1", "mec1-az2")
    assert node.attrs["shard_zones"] == [["mec1-az1"], ["mec1-az1", "mec1-az2"]]
    graph = build_graph(Inventory(resources=[node]))
    assert node_down(graph, node.id, Scenario.zones("mec1-az1")) == "a shard of it is only in failed zone mec1-az1"
    assert node_down(graph, node.id, Scenario.zones("mec1-az2")) is None
    single = _group("single", "enabled", [("me-central-1a", "primary"), ("me-central-1b", "replica")])
    [one] = elasticache.transform_replication_groups([single], scope(), ZONE_IDS).resources
    assert "shard_zones" not in one.attrs  # one shard: its zones are the group's


def test_elasticache_global_datastore_and_serverless_through_stubber():
    session = new_session()
    factory = ClientFactory(session, max_attempts=1)
    stubs = [stub(factory, "sts", R, [("get_caller_identity", IDENTITY)]),
             stub(factory, "ec2", R, [("describe_availability_zones", zones(R))]),
             stub(factory, "elasticache", R, [
                 ("describe_replication_groups", {"ReplicationGroups": [
                     _group("sessions", "enabled", [("me-central-1a", "primary"), ("me-central-1c", "replica")])]}),
                 ("describe_cache_clusters", {"CacheClusters": []}),
                 ("describe_global_replication_groups", {"GlobalReplicationGroups": [{
                     "GlobalReplicationGroupId": "ldgnf-sessions", "Status": "available", "Engine": "valkey",
                     "Members": [
                         {"ReplicationGroupId": "sessions", "ReplicationGroupRegion": R, "Role": "PRIMARY"},
                         {"ReplicationGroupId": "sessions-euc1", "ReplicationGroupRegion": "eu-central-1",
                          "Role": "SECONDARY"}]}]}),
                 ("describe_serverless_caches", {"ServerlessCaches": [{
                     "ServerlessCacheName": "rates", "ARN": arn("elasticache", "serverlesscache:rates"),
                     "Status": "available", "Engine": "valkey", "SubnetIds": ["subnet-a", "subnet-b"]}]}),
             ])]
    inv = collect(session, [R], observed_at=OBSERVED_AT, services=["elasticache"], clients=factory)
    for s in stubs:
        s.assert_no_pending_responses()
    assert coverage_of(inv)[(R, "elasticache:serverless")].status == "ok"
    found = by_id(inv)
    assert found[arn("elasticache", "serverlesscache:rates")].zones == ()  # serverless: the region's zones
    primary = arn("elasticache", "replicationgroup:sessions")
    secondary = arn("elasticache", "replicationgroup:sessions-euc1", "eu-central-1")
    [e] = [e for e in inv.edges if e.kind == REPLICATES_TO]
    assert (e.src, e.dst, e.attrs["promotable"]) == (primary, secondary, True)


def _cluster(cluster_id: str, engine: str, node_zones: list[str], group: str | None = None) -> dict:
    """A DescribeCacheClusters (ShowCacheNodeInfo) entry: its nodes' CustomerAvailabilityZone."""
    preferred = node_zones[0] if len(set(node_zones)) == 1 else "Multiple"
    return {"CacheClusterId": cluster_id, "ARN": arn("elasticache", f"cluster:{cluster_id}"), "Engine": engine,
            "CacheClusterStatus": "available", "NumCacheNodes": len(node_zones), "PreferredAvailabilityZone": preferred,
            "SnapshotRetentionLimit": 0, **({"ReplicationGroupId": group} if group else {}),
            "CacheNodes": [{"CacheNodeId": f"000{i + 1}", "CacheNodeStatus": "available", "CustomerAvailabilityZone": z}
                           for i, z in enumerate(node_zones)]}


def test_cache_clusters_outside_a_replication_group_are_inventoried_once_with_their_nodes_zones():
    """DescribeCacheClusters lists every cluster, the members of a replication group too: those are the
    group's (inventoried from DescribeReplicationGroups), never a second cache. Through Stubber: moto
    lists no replication group member and gives no CacheNodes."""
    session = new_session()
    factory = ClientFactory(session, max_attempts=1)
    group = _group("billing-redis", "enabled", [("me-central-1a", "primary"), ("me-central-1b", "replica")])
    tagged = {"TagList": [{"Key": "app", "Value": "billing"}]}
    stubs = [stub(factory, "sts", R, [("get_caller_identity", IDENTITY)]),
             stub(factory, "ec2", R, [("describe_availability_zones", zones(R))]),
             stub(factory, "elasticache", R, [
                 ("describe_replication_groups", {"ReplicationGroups": [group]}),
                 ("describe_cache_clusters", {"CacheClusters": [
                     _cluster("billing-redis-0", "redis", ["me-central-1a"], group="billing-redis"),
                     _cluster("billing-redis-1", "redis", ["me-central-1b"], group="billing-redis"),
                     _cluster("sessions", "redis", ["me-central-1c"]),
                     _cluster("fragments", "memcached", ["me-central-1a", "me-central-1b"])]}),
                 ("describe_global_replication_groups", ("error", "AccessDenied", 403)),
                 ("describe_serverless_caches", {"ServerlessCaches": []}),
                 ("list_tags_for_resource", tagged),
                 ("list_tags_for_resource", ("error", "AccessDenied", 403)),
                 ("list_tags_for_resource", tagged),
             ])]
    inv = collect(session, [R], observed_at=OBSERVED_AT, services=["elasticache"], clients=factory)
    for s in stubs:
        s.assert_no_pending_responses()
    caches = {r.name: r for r in inv.resources if r.kind == "cache"}
    assert set(caches) == {"billing-redis", "sessions", "fragments"}  # the members are the group's
    assert caches["sessions"].type == "AWS::ElastiCache::CacheCluster" and caches["sessions"].zones == ("mec1-az3",)
    assert caches["fragments"].zones == ("mec1-az1", "mec1-az2") and caches["fragments"].attrs["az_mode"] == "cross-az"
    assert caches["billing-redis"].zones == ("mec1-az1", "mec1-az2")
    # one cache's tags denied: the others keep theirs, and the gap is recorded
    assert caches["billing-redis"].tags == caches["fragments"].tags == {"app": "billing"}
    assert caches["sessions"].tags == {}
    assert coverage_of(inv)[(R, "elasticache:tags")].status == "denied"
    assert coverage_of(inv)[(R, "elasticache:clusters")].status == "ok"


# --- EFS ---------------------------------------------------------------------------------------------------
def test_efs_regional_replicated_backup_policy_through_stubber():
    fs = {"OwnerId": ACCOUNT, "CreationToken": "t", "FileSystemId": "fs-1", "FileSystemArn": arn("elasticfilesystem", "file-system/fs-1"),
          "CreationTime": "2026-05-04T09:00:00Z", "LifeCycleState": "available", "Name": "uploads",
          "NumberOfMountTargets": 2, "SizeInBytes": {"Value": 1024}, "PerformanceMode": "generalPurpose",
          "Tags": [{"Key": "app", "Value": "shop"}]}
    one_zone = {**fs, "FileSystemId": "fs-2", "FileSystemArn": arn("elasticfilesystem", "file-system/fs-2"),
                "Name": "scratch", "AvailabilityZoneName": "me-central-1b", "AvailabilityZoneId": "mec1-az2"}
    mount = {"MountTargetId": "fsmt-0a1b2c3d", "FileSystemId": "fs-1", "SubnetId": "subnet-0a1b2c3d", "LifeCycleState": "available",
             "AvailabilityZoneId": "mec1-az1", "AvailabilityZoneName": "me-central-1a"}
    session = new_session()
    factory = ClientFactory(session, max_attempts=1)
    stubs = [stub(factory, "sts", R, [("get_caller_identity", IDENTITY)]),
             stub(factory, "ec2", R, [("describe_availability_zones", zones(R))]),
             stub(factory, "efs", R, [
                 ("describe_file_systems", {"FileSystems": [fs, one_zone]}),
                 ("describe_mount_targets", {"MountTargets": [mount, {**mount, "MountTargetId": "fsmt-0e1f2a3b",
                                                                      "AvailabilityZoneId": "mec1-az2"}]}),
                 ("describe_backup_policy", {"BackupPolicy": {"Status": "ENABLED"}}),
                 ("describe_mount_targets", {"MountTargets": []}),
                 ("describe_backup_policy", ("error", "PolicyNotFound", 404)),
                 ("describe_replication_configurations", {"Replications": [{
                     "SourceFileSystemId": "fs-1", "SourceFileSystemRegion": R,
                     "SourceFileSystemArn": arn("elasticfilesystem", "file-system/fs-1"),
                     "OriginalSourceFileSystemArn": arn("elasticfilesystem", "file-system/fs-1"),
                     "CreationTime": "2026-05-04T09:00:00Z",
                     "Destinations": [{"Status": "ENABLED", "FileSystemId": "fs-9", "Region": "eu-central-1"}]}]}),
             ])]
    inv = collect(session, [R], observed_at=OBSERVED_AT, services=["efs"], clients=factory)
    for s in stubs:
        s.assert_no_pending_responses()
    cov = coverage_of(inv)
    assert cov[(R, "efs:backup-policy")].status == "ok"  # PolicyNotFound is "disabled", not a failed read
    found = by_id(inv)
    regional, scratch = found[fs["FileSystemArn"]], found[one_zone["FileSystemArn"]]
    assert regional.zones == () and regional.attrs["storage"] == "regional"
    assert regional.attrs["mount_target_zones"] == ["mec1-az1", "mec1-az2"] and regional.attrs["automatic_backups"] is True
    assert scratch.zones == ("mec1-az2",) and scratch.attrs["automatic_backups"] is False
    assert (regional.id, arn("elasticfilesystem", "file-system/fs-9", "eu-central-1"), REPLICATES_TO) in edges_of(inv)


def test_efs_unreadable_backup_policy_is_absent_and_reported():
    out = efs.transform_file_systems([{"FileSystemId": "fs-3"}], scope(), ZONE_IDS, {}, {})
    assert "automatic_backups" not in out.resources[0].attrs and "mount_target_zones" not in out.resources[0].attrs


# --- EKS ---------------------------------------------------------------------------------------------------
def test_eks_cluster_nodegroup_fargate_through_stubber():
    cluster = {"name": "apps", "arn": arn("eks", "cluster/apps"), "version": "1.31", "status": "ACTIVE",
               "resourcesVpcConfig": {"subnetIds": ["subnet-a", "subnet-b"]}, "tags": {"app": "shop"}}
    group = {"nodegroupName": "general", "nodegroupArn": arn("eks", "nodegroup/apps/general/1"), "clusterName": "apps",
             "status": "ACTIVE", "capacityType": "ON_DEMAND", "subnets": ["subnet-a"],
             "scalingConfig": {"minSize": 2, "maxSize": 6, "desiredSize": 3},
             "launchTemplate": {"id": "lt-1", "version": "3", "name": "general"}}
    profile = {"fargateProfileName": "batch", "fargateProfileArn": arn("eks", "fargateprofile/apps/batch/1"),
               "clusterName": "apps", "subnets": ["subnet-a", "subnet-b"], "status": "ACTIVE",
               "selectors": [{"namespace": "batch"}]}
    session = new_session()
    factory = ClientFactory(session, max_attempts=1)
    stubs = [stub(factory, "sts", R, [("get_caller_identity", IDENTITY)]),
             stub(factory, "eks", R, [
                 ("list_clusters", {"clusters": ["apps"]}), ("describe_cluster", {"cluster": cluster}),
                 ("list_nodegroups", {"nodegroups": ["general"]}), ("describe_nodegroup", {"nodegroup": group}),
                 ("list_fargate_profiles", {"fargateProfileNames": ["batch"]}),
                 ("describe_fargate_profile", {"fargateProfile": profile})]),
             stub(factory, "ec2", R, [("describe_subnets", {"Subnets": SUBNETS[:2]})])]
    inv = collect(session, [R], observed_at=OBSERVED_AT, services=["eks"], clients=factory)
    for s in stubs:
        s.assert_no_pending_responses()
    found = by_id(inv)
    assert found[cluster["arn"]].kind == "container_cluster" and found[cluster["arn"]].zones == ("mec1-az1", "mec1-az2")
    node_group = found[group["nodegroupArn"]]
    assert node_group.kind == "compute_group" and node_group.zones == ("mec1-az1",)
    assert node_group.attrs["desired_capacity"] == 3
    assert found[profile["fargateProfileArn"]].attrs["namespaces"] == ["batch"]
    edges = edges_of(inv)
    assert (group["nodegroupArn"], cluster["arn"], MEMBER_OF) in edges
    assert (group["nodegroupArn"], arn("ec2", "launch-template/lt-1"), DEPENDS_ON) in edges


# --- ECR, Secrets Manager, AMIs ---------------------------------------------------------------------------
def test_ecr_replication_rules_and_filters():
    registry = {"registryId": ACCOUNT, "replicationConfiguration": {"rules": [
        {"destinations": [{"region": "eu-central-1", "registryId": ACCOUNT}],
         "repositoryFilters": [{"filter": "shop/", "filterType": "PREFIX_MATCH"}]}]}}
    repos = [{"repositoryArn": arn("ecr", "repository/shop/web"), "repositoryName": "shop/web"},
             {"repositoryArn": arn("ecr", "repository/tools/ci"), "repositoryName": "tools/ci"}]
    out = ecr.transform_repositories(repos, scope(), registry)
    found = by_id(out)
    assert found[arn("ecr", "repository/shop/web")].attrs["replication_regions"] == ["eu-central-1"]
    assert found[arn("ecr", "repository/tools/ci")].attrs["replication_regions"] == []
    assert edges_of(out) == {(arn("ecr", "repository/shop/web"), arn("ecr", "repository/shop/web", "eu-central-1"),
                              REPLICATES_TO)}
    unread = ecr.transform_repositories(repos, scope(), None)
    assert "replication_regions" not in unread.resources[0].attrs and not unread.edges


def test_secret_replicas_from_either_side():
    primary = {"ARN": arn("secretsmanager", "secret:db-Ab12Cd"), "Name": "db"}
    out = secretsmanager.transform_secrets([primary], scope(), {primary["ARN"]: [{"Region": "eu-central-1",
                                                                                   "Status": "InSync"}]})
    replica = arn("secretsmanager", "secret:db-Ab12Cd", "eu-central-1")
    assert (primary["ARN"], replica, REPLICATES_TO) in edges_of(out)
    assert out.resources[0].attrs["replica_regions"] == ["eu-central-1"]
    seen_in_replica_region = secretsmanager.transform_secrets(
        [{"ARN": replica, "Name": "db", "PrimaryRegion": R}], scope("eu-central-1"), {})
    assert seen_in_replica_region.resources[0].attrs["role"] == "replica"
    assert (primary["ARN"], replica, REPLICATES_TO) in edges_of(seen_in_replica_region)


def _image(region: str, image_id: str) -> Resource:
    return Resource(id=f"arn:aws:ec2:{region}::image/{image_id}", provider="aws", account=ACCOUNT, region=region,
                    kind="machine_image", type="AWS::EC2::Image", name=image_id, source="ec2:DescribeImages",
                    observed_at=OBSERVED_AT)


def test_ami_reference_moves_to_the_region_that_has_it():
    template = arn("ec2", "launch-template/lt-1", "eu-central-1")
    edges = [Edge(src=template, dst="arn:aws:ec2:eu-central-1::image/ami-1", kind=DEPENDS_ON, source="x"),
             Edge(src=template, dst="arn:aws:ec2:eu-central-1::image/ami-2", kind=DEPENDS_ON, source="x"),
             Edge(src=template, dst="arn:aws:ec2:eu-central-1::image/ami-3", kind=DEPENDS_ON, source="x")]
    images = [_image(R, "ami-1"), _image("eu-central-1", "ami-2")]
    moved, local, unseen = resolve_images(images, edges)
    assert moved.dst == f"arn:aws:ec2:{R}::image/ami-1" and moved.attrs["missing_in"] == "eu-central-1"
    assert local == edges[1] and unseen == edges[2]  # present locally; seen nowhere: left (a stub, unknown)


def test_ami_reference_prefers_its_own_region_and_never_guesses_between_others():
    """Ids are only guaranteed unique per region: an image of the id in the template's own region is the
    one; absent there, an id held by two other regions names neither (the reference stays put)."""
    template = arn("ec2", "launch-template/lt-1", "eu-central-1")
    own = Edge(src=template, dst="arn:aws:ec2:eu-central-1::image/ami-1", kind=DEPENDS_ON, source="x")
    ambiguous = Edge(src=template, dst="arn:aws:ec2:eu-central-1::image/ami-2", kind=DEPENDS_ON, source="x")
    images = [_image(R, "ami-1"), _image("eu-central-1", "ami-1"), _image(R, "ami-2"), _image("me-south-1", "ami-2")]
    assert resolve_images(images, [own, ambiguous]) == [own, ambiguous]


def test_container_image_function_references_its_repository():
    from resilience.collectors.aws.awslambda import transform_image_references

    fn = arn("lambda", "function:worker", "eu-central-1")
    out = transform_image_references({fn: f"{ACCOUNT}.dkr.ecr.{R}.amazonaws.com/shop/web:1.4",
                                      arn("lambda", "function:other"): "ghcr.io/acme/other:1"}, scope())
    assert edges_of(out) == {(fn, arn("ecr", "repository/shop/web"), DEPENDS_ON)}
