"""Pure transforms of Route 53, Lambda, FIS and Resilience Hub responses, and the cross-service
post-pass: plain dicts, no mocks."""

from __future__ import annotations

import json

from resilience.collectors.aws import awslambda, fis, postpass, resiliencehub, route53
from resilience.model import DEPENDS_ON, FAILS_OVER_TO, MEMBER_OF, REPLICATES_TO, ROUTES_TO, Edge, Inventory

from .helpers import by_id, edges_of, load, scope

ZONE = "arn:aws:route53:::hostedzone/Z0APP"
PRIMARY = f"{ZONE}/record/app.example.com/A/primary"
SECONDARY = f"{ZONE}/record/app.example.com/A/secondary"
FUNCTION = "arn:aws:lambda:me-central-1:123456789012:function:orders-api"
ALB = "arn:aws:elasticloadbalancing:me-central-1:123456789012:loadbalancer/app/app-alb/123"


def _zone_records() -> Inventory:
    zone = load("route53/list_hosted_zones")["HostedZones"][0]
    return route53.transform_records(zone, load("route53/list_resource_record_sets")["ResourceRecordSets"], scope("global"))


def test_records_attrs_and_ids():
    found = by_id(_zone_records())
    primary = found[PRIMARY]
    assert primary.region == "global"
    assert primary.attrs == {
        "dns_name": "app.example.com",
        "record_type": "A",
        "routing": "failover",
        "failover_role": "PRIMARY",
        "set_identifier": "primary",
        "health_check_id": "hc-1",
        "evaluate_target_health": True,
        "alias_target": "dualstack.app-alb-123.me-central-1.elb.amazonaws.com",
        "zone_id": "Z0APP",
        "public": True,
    }
    latency = found[f"{ZONE}/record/api.example.com/A/mec1"]
    assert latency.attrs["routing"] == "latency" and latency.attrs["record_region"] == "me-central-1"
    wildcard = found[f"{ZONE}/record/*.example.com/A"]
    assert wildcard.attrs["values"] == ["192.0.2.1"] and wildcard.attrs["ttl"] == 60
    txt = found[f"{ZONE}/record/example.com/TXT"]
    assert "values" not in txt.attrs  # only endpoint-type values are copied


def test_failover_pair_and_health_check_edges():
    inv = _zone_records()
    edges = edges_of(inv)
    assert (PRIMARY, SECONDARY, FAILS_OVER_TO) in edges
    assert (PRIMARY, "arn:aws:route53:::healthcheck/hc-1", DEPENDS_ON) in edges
    assert (PRIMARY, ZONE, MEMBER_OF) in edges
    failover = next(e for e in inv.edges if e.kind == FAILS_OVER_TO)
    assert failover.attrs == {"health_checked": True, "health_check_id": "hc-1"}


def test_failover_without_health_check_is_not_health_checked():
    zone = {"Id": "/hostedzone/Z2", "Name": "x.test.", "Config": {"PrivateZone": True}}
    records = [
        {"Name": "a.x.test.", "Type": "CNAME", "SetIdentifier": "p", "Failover": "PRIMARY", "TTL": 60, "ResourceRecords": [{"Value": "p.x.test"}]},
        {"Name": "a.x.test.", "Type": "CNAME", "SetIdentifier": "s", "Failover": "SECONDARY", "TTL": 60, "ResourceRecords": [{"Value": "s.x.test"}]},
    ]
    inv = route53.transform_records(zone, records, scope("global"))
    [failover] = [e for e in inv.edges if e.kind == FAILS_OVER_TO]
    assert failover.attrs == {"health_checked": False}
    assert all(r.attrs["public"] is False for r in inv.resources)


def test_health_checks_and_zones():
    [check] = route53.transform_health_checks(load("route53/list_health_checks")["HealthChecks"], scope("global"), {"hc-1": {"Name": "app"}}).resources
    assert check.id == "arn:aws:route53:::healthcheck/hc-1" and check.name == "app"
    assert check.attrs == {"check_type": "HTTPS", "target": "app-alb-123.me-central-1.elb.amazonaws.com", "resource_path": "/health",
                           "request_interval": 10, "failure_threshold": 2}
    [zone] = route53.transform_zone(load("route53/list_hosted_zones")["HostedZones"][0], scope("global"), {}).resources
    assert zone.id == ZONE and zone.attrs == {"private": False, "dns_name": "example.com"}


def _lambda_inventory() -> Inventory:
    inv = awslambda.transform_functions(load("lambda/list_functions")["Functions"], scope(), {FUNCTION: {"app": "orders"}})
    inv.extend(awslambda.transform_event_source_mappings(load("lambda/list_event_source_mappings")["EventSourceMappings"]))
    return inv


def test_lambda_env_arn_references_become_depends_on_edges():
    inv = _lambda_inventory()
    [fn] = inv.resources
    assert fn.attrs["env_keys"] == ["BUCKET", "DB_PASSWORD", "DSN", "MIXED", "QUEUE_ARNS", "TABLE_ARN"]
    assert fn.attrs["vpc_subnets"] == ["subnet-0a", "subnet-0b"]
    deps = {(e.dst, e.attrs.get("via")) for e in inv.edges if e.kind == DEPENDS_ON}
    assert deps == {
        ("arn:aws:dynamodb:me-central-1:123456789012:table/orders", "environment:TABLE_ARN"),
        ("arn:aws:sqs:me-central-1:123456789012:orders-q", "environment:QUEUE_ARNS"),
        ("arn:aws:sqs:eu-west-1:123456789012:orders-dlq", "environment:QUEUE_ARNS"),
        ("arn:aws:sqs:me-central-1:123456789012:orders-q", "event_source_mapping:esm-1"),
    }
    # the alias-qualified function ARN of the mapping is folded onto the function
    assert all(e.src == FUNCTION for e in inv.edges)


def test_lambda_env_values_never_reach_the_inventory():
    text = Inventory(resources=_lambda_inventory().resources, edges=_lambda_inventory().edges).to_json()
    assert "hunter2" not in text
    assert "password=" not in text
    assert "orders-bucket" not in text  # a plain name is a value too


def test_arn_references_need_every_token_to_be_an_arn():
    assert awslambda.arn_references("arn:aws:sqs:me-central-1:123456789012:q") == ["arn:aws:sqs:me-central-1:123456789012:q"]
    assert awslambda.arn_references("arn:aws:s3:::b password=hunter2") == []
    assert awslambda.arn_references("arn:aws:s3:::b?token=x") == []
    assert awslambda.arn_references("") == []


def test_fis_experiments_and_templates():
    experiment = {
        "id": "EXP1",
        "arn": "arn:aws:fis:me-central-1:123456789012:experiment/EXP1",
        "experimentTemplateId": "EXT1",
        "state": {"status": "completed"},
        "startTime": "2026-02-20T10:00:00Z",
        "endTime": "2026-02-20T10:30:00Z",
        "targets": {
            "db": {"resourceType": "aws:rds:db", "resourceArns": ["arn:aws:rds:me-central-1:123456789012:db:orders-db"], "selectionMode": "ALL"},
            "az": {"resourceType": "aws:ec2:subnet", "resourceTags": {"app": "orders"}, "selectionMode": "ALL"},
        },
        "actions": {"reboot": {"actionId": "aws:rds:reboot-db-instances"}, "power": {"actionId": "aws:network:disrupt-connectivity"}},
        "tags": {"Name": "orders-az-drill", "resilience:workload": "orders"},
    }
    [exp] = fis.transform_experiments([experiment], scope()).resources
    assert exp.kind == "fault_experiment" and exp.name == "orders-az-drill"
    assert exp.attrs == {
        "status": "completed",
        "started_at": "2026-02-20T10:00:00Z",
        "ended_at": "2026-02-20T10:30:00Z",
        "template_id": "EXT1",
        "targets": ["arn:aws:rds:me-central-1:123456789012:db:orders-db"],
        "target_tags": [{"key": "app", "value": "orders"}],
        "actions": ["aws:network:disrupt-connectivity", "aws:rds:reboot-db-instances"],
    }
    assert exp.tags["resilience:workload"] == "orders"
    [template] = fis.transform_templates([{"id": "EXT1", "targets": {}, "actions": {}, "tags": {}}], scope()).resources
    assert template.id == "arn:aws:fis:me-central-1:123456789012:experiment-template/EXT1"
    assert template.type == "AWS::FIS::ExperimentTemplate"


def test_resilience_hub_assessments():
    app = {"appArn": "arn:aws:resiliencehub:me-south-1:123456789012:app/a1", "name": "orders"}
    summaries = [
        {
            "assessmentArn": "arn:aws:resiliencehub:me-south-1:123456789012:app-assessment/x1",
            "assessmentName": "nightly",
            "assessmentStatus": "Success",
            "complianceStatus": "PolicyBreached",
            "endTime": "2026-02-27T02:00:00Z",
            "resiliencyScore": 62.5,
        }
    ]
    [assessment] = resiliencehub.transform_assessments(app, summaries, scope("me-south-1")).resources
    assert assessment.region == "me-south-1"
    assert assessment.attrs == {
        "compliance": "PolicyBreached",
        "status": "Success",
        "finished_at": "2026-02-27T02:00:00Z",
        "app": app["appArn"],
        "app_name": "orders",
        "resiliency_score": 62.5,
    }


# --- post-pass ---------------------------------------------------------------------------------
def _with_lbs() -> Inventory:
    s = scope()
    inv = _zone_records()
    inv.resources.append(
        s.resource(id=ALB, kind="load_balancer", type="AWS::ElasticLoadBalancingV2::LoadBalancer", name="app-alb",
                   source="elbv2:DescribeLoadBalancers", attrs={"dns_name": "App-ALB-123.me-central-1.elb.amazonaws.com."})
    )
    legacy = "arn:aws:elasticloadbalancing:me-central-1:123456789012:loadbalancer/legacy-elb"
    inv.resources.append(
        s.resource(id=legacy, kind="load_balancer", type="AWS::ElasticLoadBalancing::LoadBalancer", name="legacy",
                   source="elb:DescribeLoadBalancers", attrs={"dns_name": "legacy-elb-1.me-central-1.elb.amazonaws.com"})
    )
    return inv


def test_alias_and_cname_targets_route_to_load_balancers_and_records():
    routes = {(e.src, e.dst) for e in postpass.dns_routes(_with_lbs().resources)}
    assert routes == {
        (PRIMARY, ALB),  # dualstack. prefix, case and trailing dot ignored
        (f"{ZONE}/record/api.example.com/A/mec1", ALB),
        (f"{ZONE}/record/legacy.example.com/CNAME", "arn:aws:elasticloadbalancing:me-central-1:123456789012:loadbalancer/legacy-elb"),
        (f"{ZONE}/record/www.example.com/CNAME", PRIMARY),  # CNAME to another record
        (f"{ZONE}/record/www.example.com/CNAME", SECONDARY),
    }
    edge = next(e for e in postpass.dns_routes(_with_lbs().resources) if e.src == PRIMARY)
    assert edge.kind == ROUTES_TO
    assert edge.attrs == {"routing": "failover", "health_check_id": "hc-1", "evaluate_target_health": True}


def test_normalise_dns():
    assert postpass.normalise_dns("dualstack.My-LB-1.eu-west-1.elb.amazonaws.com.") == "my-lb-1.eu-west-1.elb.amazonaws.com"


def test_finalize_merges_duplicates_marks_replica_destinations_and_inherits_copy_sources():
    s = scope()
    gc = "arn:aws:rds::123456789012:global-cluster:g"
    a = s.resource(id=gc, kind="global_database", type="AWS::RDS::GlobalCluster", name="g", source="rds:DescribeGlobalClusters", attrs={"members": ["x"]})
    b = s.resource(id=gc, kind="global_database", type="AWS::RDS::GlobalCluster", name="g", source="rds:DescribeGlobalClusters", attrs={"members": ["y"], "writer": "x"})
    src_bucket = s.resource(id="arn:aws:s3:::src", kind="object_store", type="AWS::S3::Bucket", name="src", source="s3:ListBuckets", region="me-central-1")
    dst_bucket = s.resource(id="arn:aws:s3:::dst", kind="object_store", type="AWS::S3::Bucket", name="dst", source="s3:ListBuckets", region="eu-west-1")
    original = s.resource(id="arn:aws:ec2:me-central-1::snapshot/snap-1", kind="recovery_point", type="AWS::EC2::Snapshot", name="s",
                          source="ec2:DescribeSnapshots", attrs={"source_resource": "arn:aws:ec2:me-central-1:123456789012:volume/vol-1"})
    copy = s.resource(id="arn:aws:ec2:eu-west-1::snapshot/snap-2", kind="recovery_point", type="AWS::EC2::Snapshot", name="c",
                      source="ec2:DescribeSnapshots", attrs={"copy_of": original.id, "source_region": "me-central-1"})
    replication = Edge(src="arn:aws:s3:::src", dst="arn:aws:s3:::dst", kind=REPLICATES_TO, source="s3:GetBucketReplication", attrs={"mode": "async"})
    duplicate = Edge(src="arn:aws:s3:::src", dst="arn:aws:s3:::dst", kind=REPLICATES_TO, source="s3:GetBucketReplication", attrs={"rtc": False})
    raw = Inventory(resources=[a, b, src_bucket, dst_bucket, original, copy], edges=[replication, duplicate])
    before = raw.to_json()
    out = postpass.finalize(raw)
    assert raw.to_json() == before  # the input is not mutated
    found = by_id(out)
    assert len(out.resources) == 5
    assert found[gc].attrs == {"members": ["x", "y"], "writer": "x"}
    assert found["arn:aws:s3:::dst"].attrs["is_replica_destination"] is True
    assert found["arn:aws:s3:::src"].attrs["is_replica_destination"] is False
    assert found[copy.id].attrs["source_resource"] == "arn:aws:ec2:me-central-1:123456789012:volume/vol-1"
    assert ("arn:aws:ec2:me-central-1:123456789012:volume/vol-1", copy.id, "backed_up_to") in edges_of(out)
    [merged] = [e for e in out.edges if e.kind == REPLICATES_TO]
    assert merged.attrs == {"mode": "async", "rtc": False}
    json.loads(out.to_json())


def test_alias_to_the_apex_does_not_route_to_its_ns_or_soa_records():
    s = scope("global")
    zone = {"Id": "/hostedzone/Z3", "Name": "shop.test.", "Config": {"PrivateZone": False}}
    records = [
        {"Name": "shop.test.", "Type": "NS", "TTL": 172800, "ResourceRecords": [{"Value": "ns-1.awsdns.test."}]},
        {"Name": "shop.test.", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "192.0.2.10"}]},
        {"Name": "www.shop.test.", "Type": "A", "AliasTarget": {"HostedZoneId": "Z3", "DNSName": "shop.test.", "EvaluateTargetHealth": False}},
    ]
    routes = {(e.src.rsplit("/record/", 1)[1], e.dst.rsplit("/record/", 1)[1]) for e in postpass.dns_routes(route53.transform_records(zone, records, s).resources)}
    assert routes == {("www.shop.test/A", "shop.test/A")}
