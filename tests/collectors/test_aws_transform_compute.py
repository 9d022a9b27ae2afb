"""Pure transforms of EC2, Auto Scaling and load balancer responses: plain dicts, no mocks."""

from __future__ import annotations

from resilience.collectors.aws import autoscaling, ec2, elb, elbv2
from resilience.model import BACKED_UP_TO, DEPENDS_ON, MEMBER_OF, REPLICATES_TO, ROUTES_TO

from .helpers import ZONE_IDS, by_id, edges_of, load, scope

INSTANCE = "arn:aws:ec2:me-central-1:123456789012:instance/i-0abc"


def test_instances_get_zone_ids_and_subnet_and_volume_edges():
    reservations = [
        {
            "Instances": [
                {
                    "InstanceId": "i-0abc",
                    "State": {"Name": "running"},
                    "Placement": {"AvailabilityZone": "me-central-1b"},
                    "SubnetId": "subnet-0b",
                    "InstanceType": "m7g.large",
                    "RootDeviceType": "ebs",
                    "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeId": "vol-1"}}],
                    "Tags": [{"Key": "Name", "Value": "web-1"}, {"Key": "app", "Value": "orders"}],
                },
                {"InstanceId": "i-0dead", "State": {"Name": "terminated"}, "Placement": {"AvailabilityZone": "me-central-1a"}},
            ]
        }
    ]
    inv = ec2.transform_instances(reservations, scope(), ZONE_IDS)
    [instance] = inv.resources
    assert instance.id == INSTANCE
    assert instance.zones == ("mec1-az2",)
    assert instance.name == "web-1" and instance.tags["app"] == "orders"
    assert instance.attrs == {"state": "running", "subnet_id": "subnet-0b", "instance_type": "m7g.large", "root_device_type": "ebs"}
    assert edges_of(inv) == {
        (INSTANCE, "arn:aws:ec2:me-central-1:123456789012:subnet/subnet-0b", MEMBER_OF),
        (INSTANCE, "arn:aws:ec2:me-central-1:123456789012:volume/vol-1", DEPENDS_ON),
    }
    assert inv.edges[1].attrs == {"via": "block-device:/dev/xvda"}


def test_zone_names_stay_names_when_the_zone_map_is_unknown():
    inv = ec2.transform_volumes([{"VolumeId": "vol-1", "AvailabilityZone": "me-central-1a", "Size": 8}], scope(), {})
    assert inv.resources[0].zones == ("me-central-1a",)


def test_volumes_record_attachments():
    volumes = [
        {
            "VolumeId": "vol-1",
            "AvailabilityZone": "me-central-1a",
            "Size": 100,
            "VolumeType": "gp3",
            "Attachments": [{"InstanceId": "i-0abc", "State": "attached"}],
        }
    ]
    [vol] = ec2.transform_volumes(volumes, scope(), ZONE_IDS).resources
    assert vol.zones == ("mec1-az1",)
    assert vol.attrs == {"size_gib": 100, "attached_to": [INSTANCE], "volume_type": "gp3"}


def test_snapshots_own_only_and_cross_region_copies_link_to_their_source():
    snapshots = [
        {"SnapshotId": "snap-0aaa", "VolumeId": "vol-1", "OwnerId": "123456789012", "State": "completed",
         "StartTime": "2026-02-28T01:00:00+00:00", "VolumeSize": 8},
        {"SnapshotId": "snap-0bbb", "VolumeId": "vol-ffffffff", "OwnerId": "123456789012", "State": "completed",
         "Description": "[Copied snap-0ccc from me-south-1]", "VolumeSize": 8},
        {"SnapshotId": "snap-0public", "VolumeId": "vol-9", "OwnerId": "999999999999", "State": "completed"},
    ]
    inv = ec2.transform_snapshots(snapshots, scope())
    found = by_id(inv)
    assert set(found) == {"arn:aws:ec2:me-central-1::snapshot/snap-0aaa", "arn:aws:ec2:me-central-1::snapshot/snap-0bbb"}
    native = found["arn:aws:ec2:me-central-1::snapshot/snap-0aaa"]
    assert native.attrs["source_resource"] == "arn:aws:ec2:me-central-1:123456789012:volume/vol-1"
    assert native.attrs["created_at"] == "2026-02-28T01:00:00Z"
    assert native.attrs["size_bytes"] == 8 * 2**30
    copy = found["arn:aws:ec2:me-central-1::snapshot/snap-0bbb"]
    assert copy.attrs["source_region"] == "me-south-1"
    assert copy.attrs["copy_of"] == "arn:aws:ec2:me-south-1::snapshot/snap-0ccc"
    assert "source_resource" not in copy.attrs
    assert edges_of(inv) == {
        ("arn:aws:ec2:me-central-1:123456789012:volume/vol-1", native.id, BACKED_UP_TO),
        ("arn:aws:ec2:me-south-1::snapshot/snap-0ccc", copy.id, REPLICATES_TO),
    }


def test_subnets_use_the_zone_id_the_api_gives():
    [subnet] = ec2.transform_subnets(
        [{"SubnetId": "subnet-0a", "VpcId": "vpc-1", "CidrBlock": "10.0.0.0/24", "AvailabilityZone": "me-central-1a", "AvailabilityZoneId": "mec1-az1"}],
        scope(),
    ).resources
    assert subnet.id == "arn:aws:ec2:me-central-1:123456789012:subnet/subnet-0a"
    assert subnet.zones == ("mec1-az1",) and subnet.attrs == {"vpc_id": "vpc-1", "cidr": "10.0.0.0/24"}


ASG = {
    "AutoScalingGroupName": "web",
    "AutoScalingGroupARN": "arn:aws:autoscaling:me-central-1:123456789012:autoScalingGroup:uuid:autoScalingGroupName/web",
    "MinSize": 2,
    "MaxSize": 6,
    "DesiredCapacity": 3,
    "AvailabilityZones": ["me-central-1a", "me-central-1b"],
    "VPCZoneIdentifier": "subnet-0a, subnet-0c",
    "TargetGroupARNs": ["arn:aws:elasticloadbalancing:me-central-1:123456789012:targetgroup/app/1"],
    "LoadBalancerNames": ["legacy-elb"],
    "Instances": [{"InstanceId": "i-0abc", "AvailabilityZone": "me-central-1a"}],
    "Tags": [{"Key": "app", "Value": "orders", "ResourceId": "web", "ResourceType": "auto-scaling-group", "PropagateAtLaunch": True}],
}


def test_asg_zones_come_from_configured_subnets():
    subnet_zones = autoscaling.transform_subnet_zones(
        [{"SubnetId": "subnet-0a", "AvailabilityZoneId": "mec1-az1"}, {"SubnetId": "subnet-0c", "AvailabilityZoneId": "mec1-az3"}]
    )
    inv = autoscaling.transform_groups([ASG], scope(), ZONE_IDS, subnet_zones)
    [group] = inv.resources
    assert group.zones == ("mec1-az1", "mec1-az3")  # the subnets', not AvailabilityZones'
    assert group.attrs == {"min_size": 2, "max_size": 6, "desired_capacity": 3, "subnets": ["subnet-0a", "subnet-0c"]}
    assert group.tags == {"app": "orders"}
    arn = ASG["AutoScalingGroupARN"]
    assert edges_of(inv) == {
        (arn, "arn:aws:ec2:me-central-1:123456789012:subnet/subnet-0a", MEMBER_OF),
        (arn, "arn:aws:ec2:me-central-1:123456789012:subnet/subnet-0c", MEMBER_OF),
        (INSTANCE, arn, MEMBER_OF),
        ("arn:aws:elasticloadbalancing:me-central-1:123456789012:targetgroup/app/1", arn, ROUTES_TO),
        ("arn:aws:elasticloadbalancing:me-central-1:123456789012:loadbalancer/legacy-elb", arn, ROUTES_TO),
    }


def test_asg_zones_fall_back_to_configured_zone_names_when_subnets_unknown():
    [group] = autoscaling.transform_groups([ASG], scope(), ZONE_IDS, {}).resources
    assert group.zones == ("mec1-az1", "mec1-az2")


def test_elbv2_load_balancer_listener_target_group_chain():
    s = scope()
    lbs = elbv2.transform_load_balancers(load("elbv2/describe_load_balancers")["LoadBalancers"], s, ZONE_IDS, {})
    [lb] = lbs.resources
    assert lb.zones == ("mec1-az1", "mec1-az2")
    assert lb.attrs == {
        "dns_name": "app-alb-123.me-central-1.elb.amazonaws.com",
        "scheme": "internet-facing",
        "lb_type": "application",
        "subnets": ["subnet-0a", "subnet-0b"],
    }
    listeners = elbv2.transform_listeners({lb.id: load("elbv2/describe_listeners")["Listeners"]})
    tg_app = "arn:aws:elasticloadbalancing:me-central-1:123456789012:targetgroup/app/1"
    tg_fn = "arn:aws:elasticloadbalancing:me-central-1:123456789012:targetgroup/fn/2"
    assert edges_of(listeners) == {(lb.id, tg_app, ROUTES_TO), (lb.id, tg_fn, ROUTES_TO)}
    fn = "arn:aws:lambda:me-central-1:123456789012:function:orders-api"
    health = {
        tg_app: [
            {"Target": {"Id": "i-0abc", "Port": 80}, "TargetHealth": {"State": "healthy"}},
            {"Target": {"Id": "10.0.0.5", "Port": 80}, "TargetHealth": {"State": "unhealthy"}},
        ],
        tg_fn: [{"Target": {"Id": fn}, "TargetHealth": {"State": "healthy"}}],
    }
    tgs = elbv2.transform_target_groups(load("elbv2/describe_target_groups")["TargetGroups"], s, health, {})
    found = by_id(tgs)
    assert found[tg_app].attrs["targets"] == ["10.0.0.5", INSTANCE]  # sorted: the API has no order
    assert found[tg_app].attrs["target_states"] == {INSTANCE: "healthy", "10.0.0.5": "unhealthy"}
    assert edges_of(tgs) == {(tg_app, INSTANCE, ROUTES_TO), (tg_fn, fn, ROUTES_TO), (lb.id, tg_app, ROUTES_TO)}


def test_target_groups_without_health_read_leave_targets_absent():
    [tg, _] = elbv2.transform_target_groups(load("elbv2/describe_target_groups")["TargetGroups"], scope(), None, {}).resources
    assert "targets" not in tg.attrs and tg.attrs["target_type"] == "instance"


def test_classic_elb():
    lbs = [
        {
            "LoadBalancerName": "legacy-elb",
            "DNSName": "Legacy-ELB-1.me-central-1.elb.amazonaws.com",
            "Scheme": "internet-facing",
            "AvailabilityZones": ["me-central-1a", "me-central-1c"],
            "Subnets": ["subnet-0a", "subnet-0c"],
            "Instances": [{"InstanceId": "i-0abc"}],
        }
    ]
    inv = elb.transform_load_balancers(lbs, scope(), ZONE_IDS, {"legacy-elb": {"app": "orders"}})
    [lb] = inv.resources
    assert lb.id == "arn:aws:elasticloadbalancing:me-central-1:123456789012:loadbalancer/legacy-elb"
    assert lb.zones == ("mec1-az1", "mec1-az3") and lb.tags == {"app": "orders"}
    assert lb.attrs["lb_type"] == "classic" and lb.attrs["dns_name"] == "legacy-elb-1.me-central-1.elb.amazonaws.com"
    assert edges_of(inv) == {(lb.id, INSTANCE, ROUTES_TO)}
