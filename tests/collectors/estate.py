"""A small two-region estate built in moto, shared by the in-process collector tests.

me-central-1 holds the workload (VPC, instances, ASG, ALB, classic ELB, RDS, DynamoDB, Lambda,
Backup); me-south-1 holds a cross-region RDS read replica and a copied EBS snapshot; S3
replicates from me-central-1 to eu-west-1; Route 53 fails over between the two load balancers.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field

import boto3
import requests

ACCOUNT = "123456789012"
PRIMARY = "me-central-1"
SECONDARY = "me-south-1"
SECRET = "password=hunter2"


@dataclass
class Estate:
    ids: dict[str, str] = field(default_factory=dict)


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("handler.py", "def handler(event, context):\n    return 1\n")
    return buf.getvalue()


def build(session: boto3.Session) -> Estate:
    estate = Estate()
    _network_and_compute(session, estate)
    _databases(session, estate)
    _buckets(session, estate)
    _backup(session, estate)
    _dns(session, estate)
    _functions(session, estate)
    _edge_services(session, estate)
    _evidence(session, estate)
    return estate


def _network_and_compute(session: boto3.Session, estate: Estate) -> None:
    ec2 = session.client("ec2", region_name=PRIMARY)
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    subnet_a = ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.1.0/24", AvailabilityZone="me-central-1a")["Subnet"]["SubnetId"]
    subnet_b = ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.2.0/24", AvailabilityZone="me-central-1b")["Subnet"]["SubnetId"]
    image = ec2.register_image(Name="base", RootDeviceName="/dev/xvda")["ImageId"]
    instance = ec2.run_instances(
        ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro", SubnetId=subnet_a,
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web-1"}, {"Key": "app", "Value": "orders"}]}],
    )["Instances"][0]["InstanceId"]
    volume = ec2.create_volume(AvailabilityZone="me-central-1a", Size=50, VolumeType="gp3")["VolumeId"]
    ec2.attach_volume(VolumeId=volume, InstanceId=instance, Device="/dev/sdf")
    snapshot = ec2.create_snapshot(VolumeId=volume, Description="nightly")["SnapshotId"]
    copy = session.client("ec2", region_name=SECONDARY).copy_snapshot(
        SourceRegion=PRIMARY, SourceSnapshotId=snapshot, Description=f"[Copied {snapshot} from {PRIMARY}]"
    )["SnapshotId"]
    estate.ids.update(vpc=vpc, subnet_a=subnet_a, subnet_b=subnet_b, instance=instance, volume=volume, snapshot=snapshot, snapshot_copy=copy)

    elbv2 = session.client("elbv2", region_name=PRIMARY)
    sg = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    lb = elbv2.create_load_balancer(Name="app-alb", Subnets=[subnet_a, subnet_b], SecurityGroups=[sg], Scheme="internet-facing", Type="application")["LoadBalancers"][0]
    tg = elbv2.create_target_group(Name="app", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="instance")["TargetGroups"][0]["TargetGroupArn"]
    elbv2.register_targets(TargetGroupArn=tg, Targets=[{"Id": instance, "Port": 80}])
    elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80, DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
    elbv2.add_tags(ResourceArns=[lb["LoadBalancerArn"]], Tags=[{"Key": "app", "Value": "orders"}])
    estate.ids.update(alb=lb["LoadBalancerArn"], alb_dns=lb["DNSName"], target_group=tg)

    elb = session.client("elb", region_name=PRIMARY)
    legacy = elb.create_load_balancer(
        LoadBalancerName="legacy", Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 80}],
        AvailabilityZones=["me-central-1a", "me-central-1b"],
    )["DNSName"]
    elb.register_instances_with_load_balancer(LoadBalancerName="legacy", Instances=[{"InstanceId": instance}])
    estate.ids.update(classic_dns=legacy)

    autoscaling = session.client("autoscaling", region_name=PRIMARY)
    autoscaling.create_launch_configuration(LaunchConfigurationName="web", ImageId=image, InstanceType="t3.micro")
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="web", LaunchConfigurationName="web", MinSize=1, MaxSize=3, DesiredCapacity=1,
        VPCZoneIdentifier=f"{subnet_a},{subnet_b}", TargetGroupARNs=[tg], LoadBalancerNames=["legacy"],
        Tags=[{"Key": "app", "Value": "orders", "PropagateAtLaunch": True}],
    )


def _databases(session: boto3.Session, estate: Estate) -> None:
    rds = session.client("rds", region_name=PRIMARY)
    db = rds.create_db_instance(
        DBInstanceIdentifier="orders-db", Engine="postgres", DBInstanceClass="db.t3.micro", AllocatedStorage=20,
        MasterUsername="admin", MasterUserPassword="not-a-real-one", BackupRetentionPeriod=7, MultiAZ=True,
        Tags=[{"Key": "app", "Value": "orders"}],
    )["DBInstance"]["DBInstanceArn"]
    replica = session.client("rds", region_name=SECONDARY).create_db_instance_read_replica(
        DBInstanceIdentifier="orders-db-replica", SourceDBInstanceIdentifier=db, DBInstanceClass="db.t3.micro"
    )["DBInstance"]["DBInstanceArn"]
    rds.create_db_snapshot(DBInstanceIdentifier="orders-db", DBSnapshotIdentifier="orders-manual")
    rds.create_global_cluster(GlobalClusterIdentifier="ledger-global", Engine="aurora-postgresql")
    cluster = rds.create_db_cluster(
        DBClusterIdentifier="ledger", Engine="aurora-postgresql", MasterUsername="admin", MasterUserPassword="not-a-real-one",
        GlobalClusterIdentifier="ledger-global", BackupRetentionPeriod=14,
    )["DBCluster"]["DBClusterArn"]
    rds.create_db_instance(DBInstanceIdentifier="ledger-1", DBClusterIdentifier="ledger", Engine="aurora-postgresql", DBInstanceClass="db.r6g.large")
    estate.ids.update(db=db, replica=replica, cluster=cluster)

    ddb = session.client("dynamodb", region_name=PRIMARY)
    table = ddb.create_table(
        TableName="orders", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
        Tags=[{"Key": "app", "Value": "orders"}],
    )["TableDescription"]["TableArn"]
    ddb.update_continuous_backups(TableName="orders", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    backup = ddb.create_backup(TableName="orders", BackupName="orders-weekly")["BackupDetails"]["BackupArn"]
    estate.ids.update(table=table, table_backup=backup)


def _buckets(session: boto3.Session, estate: Estate) -> None:
    s3 = session.client("s3", region_name=PRIMARY)
    s3.create_bucket(Bucket="orders-data", CreateBucketConfiguration={"LocationConstraint": PRIMARY})
    s3.put_bucket_versioning(Bucket="orders-data", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_tagging(Bucket="orders-data", Tagging={"TagSet": [{"Key": "app", "Value": "orders"}]})
    eu = session.client("s3", region_name="eu-west-1")
    eu.create_bucket(Bucket="orders-data-eu", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    eu.put_bucket_versioning(Bucket="orders-data-eu", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_replication(
        Bucket="orders-data",
        ReplicationConfiguration={
            "Role": f"arn:aws:iam::{ACCOUNT}:role/replication",
            "Rules": [{"ID": "to-eu", "Status": "Enabled", "Priority": 1, "Filter": {"Prefix": ""},
                       "DeleteMarkerReplication": {"Status": "Disabled"},
                       "Destination": {"Bucket": "arn:aws:s3:::orders-data-eu", "ReplicationTime": {"Status": "Enabled", "Time": {"Minutes": 15}},
                                       "Metrics": {"Status": "Enabled", "EventThreshold": {"Minutes": 15}}}}],
        },
    )
    session.client("s3", region_name="us-east-1").create_bucket(Bucket="scratch-virginia")


def _backup(session: boto3.Session, estate: Estate) -> None:
    backup = session.client("backup", region_name=PRIMARY)
    vault = backup.create_backup_vault(BackupVaultName="primary", BackupVaultTags={"app": "orders"})["BackupVaultArn"]
    plan = backup.create_backup_plan(
        BackupPlan={
            "BackupPlanName": "daily",
            "Rules": [{"RuleName": "daily", "TargetBackupVaultName": "primary", "ScheduleExpression": "cron(0 3 * * ? *)",
                       "Lifecycle": {"DeleteAfterDays": 35},
                       "CopyActions": [{"DestinationBackupVaultArn": f"arn:aws:backup:{SECONDARY}:{ACCOUNT}:backup-vault:dr"}]}],
        }
    )["BackupPlanArn"]
    estate.ids.update(vault=vault, plan=plan)


def _dns(session: boto3.Session, estate: Estate) -> None:
    r53 = session.client("route53", region_name="us-east-1")
    zone = r53.create_hosted_zone(Name="example.com", CallerReference="estate")["HostedZone"]["Id"]
    check = r53.create_health_check(
        CallerReference="hc", HealthCheckConfig={"Type": "HTTPS", "FullyQualifiedDomainName": estate.ids["alb_dns"], "ResourcePath": "/health", "Port": 443}
    )["HealthCheck"]["Id"]
    changes = [
        {"Action": "CREATE", "ResourceRecordSet": {"Name": "app.example.com", "Type": "A", "SetIdentifier": "primary", "Failover": "PRIMARY",
                                                    "HealthCheckId": check,
                                                    "AliasTarget": {"HostedZoneId": "ZALB", "DNSName": f"dualstack.{estate.ids['alb_dns']}.", "EvaluateTargetHealth": True}}},
        {"Action": "CREATE", "ResourceRecordSet": {"Name": "app.example.com", "Type": "A", "SetIdentifier": "secondary", "Failover": "SECONDARY",
                                                    "AliasTarget": {"HostedZoneId": "ZELB", "DNSName": estate.ids["classic_dns"].upper(), "EvaluateTargetHealth": False}}},
    ]
    r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": changes})
    estate.ids.update(zone=zone.rsplit("/", 1)[-1], health_check=check)


def _functions(session: boto3.Session, estate: Estate) -> None:
    iam = session.client("iam", region_name="us-east-1")
    role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))["Role"]["Arn"]
    lam = session.client("lambda", region_name=PRIMARY)
    fn = lam.create_function(
        FunctionName="orders-api", Runtime="python3.12", Role=role, Handler="handler.handler", Code={"ZipFile": _zip()},
        Environment={"Variables": {"TABLE_ARN": estate.ids["table"], "DB_SECRET": SECRET, "MODE": "prod"}},
        Tags={"app": "orders"},
    )["FunctionArn"]
    queue = session.client("sqs", region_name=PRIMARY).create_queue(QueueName="orders-q")["QueueUrl"]
    queue_arn = session.client("sqs", region_name=PRIMARY).get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName="orders-api")
    estate.ids.update(function=fn, queue=queue_arn)


def _edge_services(session: boto3.Session, estate: Estate) -> None:
    """Issue 13: a multi-region KMS key, an SNS topic feeding the queue, a
    CloudFront distribution in front of the ALB (moto rejects an origin group as a target), REST and HTTP APIs
    in front of the function, a custom domain."""
    kms = session.client("kms", region_name=PRIMARY)
    key = kms.create_key(Description="orders", MultiRegion=True)["KeyMetadata"]
    kms.create_alias(AliasName="alias/orders", TargetKeyId=key["KeyId"])
    # no ReplicateKey: moto 5.2 then reports the primary as a REPLICA on every other read (replicas are
    # covered on recorded DescribeKey shapes in test_aws_edge_services.py)
    sns = session.client("sns", region_name=PRIMARY)
    topic = sns.create_topic(Name="order-events", Attributes={"KmsMasterKeyId": key["Arn"]},
                             Tags=[{"Key": "app", "Value": "orders"}])["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=estate.ids["queue"])
    origin = {"CustomHeaders": {"Quantity": 0}, "OriginPath": "",
              "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}}
    dist = session.client("cloudfront", region_name="us-east-1").create_distribution(DistributionConfig={
        "CallerReference": "orders", "Comment": "orders front", "Enabled": True,
        "Origins": {"Quantity": 2, "Items": [{"Id": "alb", "DomainName": estate.ids["alb_dns"], **origin},
                                             {"Id": "elb", "DomainName": estate.ids["classic_dns"], **origin}]},
        "OriginGroups": {"Quantity": 1, "Items": [{
            "Id": "failover", "FailoverCriteria": {"StatusCodes": {"Quantity": 2, "Items": [502, 503]}},
            "Members": {"Quantity": 2, "Items": [{"OriginId": "alb"}, {"OriginId": "elb"}]}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "alb", "ViewerProtocolPolicy": "https-only",
                                 "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"},
    })["Distribution"]
    session.client("cloudfront", region_name="us-east-1").tag_resource(
        Resource=dist["ARN"], Tags={"Items": [{"Key": "app", "Value": "orders"}]})
    apigw = session.client("apigateway", region_name=PRIMARY)
    api = apigw.create_rest_api(name="orders", endpointConfiguration={"types": ["REGIONAL"]})["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    resource = apigw.create_resource(restApiId=api, parentId=root, pathPart="orders")["id"]
    apigw.put_method(restApiId=api, resourceId=resource, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api, resourceId=resource, httpMethod="GET", type="AWS_PROXY", integrationHttpMethod="POST",
                          uri=f"arn:aws:apigateway:{PRIMARY}:lambda:path/2015-03-31/functions/{estate.ids['function']}/invocations")
    v2 = session.client("apigatewayv2", region_name=PRIMARY)
    http = v2.create_api(Name="orders-http", ProtocolType="HTTP")["ApiId"]
    v2.create_integration(ApiId=http, IntegrationType="AWS_PROXY", IntegrationUri=estate.ids["function"], PayloadFormatVersion="2.0")
    v2.create_domain_name(DomainName="api.orders.example.com",
                          DomainNameConfigurations=[{"EndpointType": "REGIONAL", "CertificateArn": f"arn:aws:acm:{PRIMARY}:{ACCOUNT}:certificate/c"}])
    v2.create_api_mapping(DomainName="api.orders.example.com", ApiId=http, Stage="$default")
    estate.ids.update(key=key["Arn"], topic=topic, distribution=dist["ARN"], rest_api=api, http_api=http)


def _evidence(session: boto3.Session, estate: Estate) -> None:
    """A FIS drill in me-central-1 and a Resilience Hub assessment in me-south-1.

    moto runs no assessments: the summary is queued through moto's documented
    ``/moto-api/static/resilience-hub-assessments/response`` hook.
    """
    fis = session.client("fis", region_name=PRIMARY)
    template = fis.create_experiment_template(
        clientToken="drill", description="az drill", roleArn=f"arn:aws:iam::{ACCOUNT}:role/fis", stopConditions=[{"source": "none"}],
        targets={"dbs": {"resourceType": "aws:rds:db", "resourceArns": [estate.ids["db"]], "selectionMode": "ALL"}},
        actions={"reboot": {"actionId": "aws:rds:reboot-db-instances", "targets": {"DBInstances": "dbs"}}},
        tags={"Name": "orders-drill"},
    )["experimentTemplate"]["id"]
    experiment = fis.start_experiment(clientToken="run", experimentTemplateId=template, tags={"resilience:workload": "orders"})["experiment"]["arn"]
    hub = session.client("resiliencehub", region_name=SECONDARY)
    app = hub.create_app(name="orders")["app"]["appArn"]
    assessment = f"arn:aws:resiliencehub:{SECONDARY}:{ACCOUNT}:app-assessment/nightly-1"
    summary = {"appArn": app, "assessmentArn": assessment, "assessmentName": "nightly", "assessmentStatus": "Success",
               "complianceStatus": "PolicyMet", "endTime": "2026-02-27T02:00:00Z", "resiliencyScore": 88.0}
    response = requests.post(
        "http://motoapi.amazonaws.com/moto-api/static/resilience-hub-assessments/response",
        json={"results": [[summary]], "region": SECONDARY}, timeout=5,
    )
    response.raise_for_status()
    estate.ids.update(fis_template=template, experiment=experiment, hub_app=app, assessment=assessment)
