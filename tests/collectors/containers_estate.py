"""A small moto estate for the issue 13 collectors (VPC routing, containers, caches, file systems,
secrets, parameters, images), built through the real APIs. Primary me-central-1, DR eu-central-1.

Planted: a private subnet in zone b routed through the NAT gateway in zone a; an ECS service in
both regions whose DR task definition pulls its image from the primary region's ECR URI and reads
the primary region's secret (no replication, no replica); a One Zone EFS file system; a
replication group without automatic failover; a DR Auto Scaling group whose launch template names
an AMI that exists only in the primary region; a DR container-image Lambda function built from the
primary region's repository.
"""

from __future__ import annotations

import json
from typing import Any

ACCOUNT = "123456789012"
PRIMARY, DR = "me-central-1", "eu-central-1"


def _vpc(session: Any, region: str) -> dict[str, Any]:
    ec2 = session.client("ec2", region_name=region)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = {}
    for i, letter in enumerate("ab"):
        subnets[letter] = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24",
                                            AvailabilityZone=f"{region}{letter}")["Subnet"]["SubnetId"]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.9.0/24", AvailabilityZone=f"{region}a")["Subnet"]["SubnetId"]
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip)["NatGateway"]["NatGatewayId"]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    for subnet in subnets.values():
        ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
    endpoint = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=f"com.amazonaws.{region}.secretsmanager",
                                       VpcEndpointType="Interface", SubnetIds=list(subnets.values()))
    return {"vpc": vpc, "subnets": subnets, "public": public, "nat": nat, "table": table,
            "endpoint": endpoint["VpcEndpoint"]["VpcEndpointId"]}


def _ecs_service(session: Any, region: str, name: str, subnets: list[str], image: str, secret: str,
                 fs_id: str | None, vpc: str) -> dict[str, str]:
    ecs = session.client("ecs", region_name=region)
    group = session.client("ec2", region_name=region).create_security_group(
        GroupName=f"{name}-tasks", Description="tasks", VpcId=vpc)["GroupId"]
    cluster = ecs.create_cluster(clusterName=f"{name}-cluster")["cluster"]["clusterArn"]
    container: dict[str, Any] = {
        "name": "web", "image": image, "memory": 512,
        "secrets": [{"name": "DB_PASSWORD", "valueFrom": secret}],
        "environment": [{"name": "API_TOKEN", "value": "tok-never-store-me"}],
    }
    volumes = [{"name": "shared", "efsVolumeConfiguration": {"fileSystemId": fs_id}}] if fs_id else []
    task = ecs.register_task_definition(family=name, containerDefinitions=[container], volumes=volumes,
                                        networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256",
                                        memory="512")["taskDefinition"]["taskDefinitionArn"]
    service = ecs.create_service(cluster=cluster, serviceName=name, taskDefinition=task, desiredCount=2,
                                 launchType="FARGATE",
                                 networkConfiguration={"awsvpcConfiguration": {"subnets": subnets, "securityGroups": [group]}})["service"]
    return {"cluster": cluster, "task": task, "service": service["serviceArn"]}


def build(session: Any) -> dict[str, str]:
    ids: dict[str, str] = {}
    home, away = _vpc(session, PRIMARY), _vpc(session, DR)
    ids.update(nat=home["nat"], subnet_a=home["subnets"]["a"], subnet_b=home["subnets"]["b"],
               table=home["table"], endpoint=home["endpoint"], dr_subnet_a=away["subnets"]["a"])

    repo = session.client("ecr", region_name=PRIMARY).create_repository(
        repositoryName="shop/web", tags=[{"Key": "app", "Value": "shop"}])["repository"]
    ids["repo"], ids["repo_uri"] = repo["repositoryArn"], repo["repositoryUri"]
    secret = session.client("secretsmanager", region_name=PRIMARY).create_secret(
        Name="shop/db", SecretString=json.dumps({"password": "hunter2-never-store"}))["ARN"]
    ids["secret"] = secret
    session.client("ssm", region_name=PRIMARY).put_parameter(Name="/shop/feature-flags", Value="beta=on",
                                                              Type="String")
    efs = session.client("efs", region_name=PRIMARY)
    fs = efs.create_file_system(CreationToken="shop-uploads", AvailabilityZoneName=f"{PRIMARY}a",
                                Tags=[{"Key": "Name", "Value": "shop-uploads"}])
    efs.create_mount_target(FileSystemId=fs["FileSystemId"], SubnetId=home["subnets"]["a"])
    ids["fs"], ids["fs_arn"] = fs["FileSystemId"], fs["FileSystemArn"]

    image = f"{repo['repositoryUri']}:1.4.2"
    primary = _ecs_service(session, PRIMARY, "shop", list(home["subnets"].values()), image, secret, fs["FileSystemId"],
                           home["vpc"])
    # the DR copy: same image URI and secret ARN, i.e. the primary region's (no replication, no replica)
    dr = _ecs_service(session, DR, "shop-dr", list(away["subnets"].values()), image, secret, None, away["vpc"])
    ids.update(service=primary["service"], cluster=primary["cluster"], dr_service=dr["service"])

    cache = session.client("elasticache", region_name=PRIMARY).create_replication_group(
        ReplicationGroupId="shop-sessions", ReplicationGroupDescription="sessions", Engine="redis",
        CacheNodeType="cache.t4g.small", NumCacheClusters=2, AutomaticFailoverEnabled=False,
        Tags=[{"Key": "app", "Value": "shop"}])
    ids["cache"] = cache["ReplicationGroup"]["ARN"]

    role = session.client("iam", region_name="us-east-1").create_role(
        RoleName="shop-worker", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))
    ids["dr_function"] = session.client("lambda", region_name=DR).create_function(
        FunctionName="shop-dr-worker", PackageType="Image", Code={"ImageUri": image}, Role=role["Role"]["Arn"],
        Timeout=30)["FunctionArn"]

    ec2 = session.client("ec2", region_name=PRIMARY)
    ami = ec2.register_image(Name="shop-golden-2026-11", RootDeviceName="/dev/xvda",
                             BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8}}])["ImageId"]
    ids["ami"] = ami
    dr_ec2 = session.client("ec2", region_name=DR)
    template = dr_ec2.create_launch_template(LaunchTemplateName="shop-dr-lt",
                                             LaunchTemplateData={"ImageId": ami, "InstanceType": "m6i.large"})
    ids["dr_template"] = template["LaunchTemplate"]["LaunchTemplateId"]
    group = session.client("autoscaling", region_name=DR)
    group.create_auto_scaling_group(AutoScalingGroupName="shop-dr-asg",
                                    LaunchTemplate={"LaunchTemplateId": ids["dr_template"], "Version": "$Default"},
                                    MinSize=0, MaxSize=2, DesiredCapacity=0,
                                    VPCZoneIdentifier=",".join(away["subnets"].values()))
    ids["dr_asg"] = group.describe_auto_scaling_groups(AutoScalingGroupNames=["shop-dr-asg"])[
        "AutoScalingGroups"][0]["AutoScalingGroupARN"]
    return ids
