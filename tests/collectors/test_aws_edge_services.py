"""Issue 13 (services 9-13): CloudFront, API Gateway, SQS, SNS, KMS, Global Accelerator, Route 53 ARC.

- Transforms on recorded responses (``data/<service>/``), each checked against botocore's output
  shape first, so a recorded field that AWS does not return fails the test.
- Global Accelerator and ARC (routing controls, Region switch plans and executions): moto 5.2 has
  no model for them, so ``collect()`` runs end to end on botocore ``Stubber`` replays, which also
  proves the regions each API is called in (us-west-2; the partition's control plane; the plan's
  regions for executions).
"""

from __future__ import annotations

import json

import botocore.session
import pytest
from botocore.validate import ParamValidator

from resilience.collectors.aws import (
    ClientFactory,
    apigateway,
    arc,
    cloudfront,
    collect,
    globalaccelerator,
    kms,
    postpass,
    sns,
    sqs,
)
from resilience.model import (
    ACCELERATOR,
    API,
    CDN_DISTRIBUTION,
    DEPENDS_ON,
    ENCRYPTION_KEY,
    FAILOVER_EXECUTION,
    FAILOVER_PLAN,
    FAILS_OVER_TO,
    LOAD_BALANCER,
    MEMBER_OF,
    QUEUE,
    ROUTES_TO,
    ROUTING_CONTROL,
    TARGET_GROUP,
    TOPIC,
    Inventory,
)

from .helpers import IDENTITY, OBSERVED_AT, by_id, coverage_of, edges_of, load, new_session, scope, stub

ACCOUNT = "123456789012"
SHOP = "arn:aws:cloudfront::123456789012:distribution/E1SHOP"
GROUP = f"{SHOP}/origin-group/app-failover"
REST = "arn:aws:apigateway:me-central-1::/restapis/a1b2c3"
HTTP = "arn:aws:apigateway:me-central-1::/apis/h7t7p7"
PLAN = "arn:aws:arc-region-switch::123456789012:plan/pay-switch"
_SESSION = botocore.session.get_session()


def valid(service: str, operation: str, body: dict) -> dict:
    """``body`` after checking it against the operation's output shape in botocore's model."""
    shape = _SESSION.get_service_model(service).operation_model(operation).output_shape
    report = ParamValidator().validate(body, shape)
    assert not report.has_errors(), report.generate_report()
    return body


# --- CloudFront --------------------------------------------------------------------------------
def _distributions() -> list[dict]:
    return valid("cloudfront", "ListDistributions", load("cloudfront/list_distributions"))["DistributionList"]["Items"]


def test_cloudfront_origins_origin_group_and_failover():
    inv = cloudfront.transform_distributions(_distributions(), scope("global"))
    found = by_id(inv)
    shop = found[SHOP]
    assert shop.kind == CDN_DISTRIBUTION and shop.region == "global"
    assert shop.attrs["dns_name"] == "d111shop.cloudfront.net" and shop.attrs["aliases"] == ["www.shop.example.com"]
    assert {o["type"] for o in shop.attrs["origins"]} == {"load_balancer", "s3"}
    group = found[GROUP]
    assert group.kind == TARGET_GROUP and group.attrs["failover_status_codes"] == [500, 502, 503]
    edges = edges_of(inv)
    primary, secondary = "dns:app-alb-123.me-central-1.elb.amazonaws.com", "dns:app-alb-456.eu-central-1.elb.amazonaws.com"
    assert {(SHOP, GROUP, ROUTES_TO), (GROUP, primary, ROUTES_TO), (GROUP, secondary, ROUTES_TO),
            (GROUP, secondary, FAILS_OVER_TO), (SHOP, "arn:aws:s3:::shop-assets", ROUTES_TO)} <= edges
    failover = next(e for e in inv.edges if e.kind == FAILS_OVER_TO)
    assert failover.attrs == {"primary": primary, "health_checked": True, "status_codes": [500, 502, 503],
                              "via": "origin_group:app-failover"}
    # an API Gateway origin is the API's ARN; an unused origin is no edge
    assert ("arn:aws:cloudfront::123456789012:distribution/E2API", REST, ROUTES_TO) in edges


def test_origin_and_alias_dns_names_resolve_to_inventoried_resources():
    inv = cloudfront.transform_distributions(_distributions(), scope("global"))
    lb = scope().resource(id="arn:aws:elasticloadbalancing:me-central-1:123456789012:loadbalancer/app/app-alb/123",
                          kind=LOAD_BALANCER, type="AWS::ElasticLoadBalancingV2::LoadBalancer", name="app-alb",
                          source="test", attrs={"dns_name": "App-Alb-123.me-central-1.elb.amazonaws.com"})
    record = scope("global").resource(id="arn:aws:route53:::hostedzone/Z1/record/www.shop.example.com/A",
                                      kind="dns_record", type="AWS::Route53::RecordSet", name="www", source="test",
                                      attrs={"dns_name": "www.shop.example.com", "record_type": "A",
                                             "alias_target": "d111shop.cloudfront.net."})
    inv.resources += [lb, record]
    final = postpass.finalize(Inventory(resources=inv.resources, edges=inv.edges))
    edges = edges_of(final)
    assert (GROUP, lb.id, ROUTES_TO) in edges  # the dns: placeholder became the load balancer
    assert (GROUP, "dns:app-alb-456.eu-central-1.elb.amazonaws.com", ROUTES_TO) in edges  # unseen stays a name
    assert (record.id, SHOP, ROUTES_TO) in edges


# --- API Gateway -------------------------------------------------------------------------------
def test_rest_api_integrations_lambda_and_vpc_link():
    apis = valid("apigateway", "GetRestApis", load("apigateway/get_rest_apis"))["items"]
    resources = valid("apigateway", "GetResources", load("apigateway/get_resources"))["items"]
    inv = apigateway.transform_rest_apis(apis, {"a1b2c3": resources}, scope())
    found = by_id(inv)
    assert found[REST].kind == API and found[REST].attrs["endpoint_types"] == ["REGIONAL"]
    private = found["arn:aws:apigateway:me-central-1::/restapis/p9q8r7"]
    assert private.attrs["private"] is True and private.attrs["vpc_endpoints"] == ["vpce-0abc"]
    assert edges_of(inv) == {(REST, "arn:aws:lambda:me-central-1:123456789012:function:orders-api", ROUTES_TO),
                             (REST, "dns:internal-nlb-1.me-central-1.elb.amazonaws.com", ROUTES_TO)}
    nlb = "arn:aws:elasticloadbalancing:me-central-1:123456789012:loadbalancer/net/internal-nlb/1"
    links = valid("apigateway", "GetVpcLinks", {"items": [{"id": "vl1234", "name": "nlb", "targetArns": [nlb],
                                                           "status": "AVAILABLE"}]})["items"]
    linked = apigateway.transform_rest_apis(apis, {"a1b2c3": resources}, scope(),
                                            {link["id"]: link["targetArns"] for link in links})
    assert (REST, nlb, DEPENDS_ON) in edges_of(linked)


def test_http_api_integrations_and_custom_domain_mappings():
    apis = valid("apigatewayv2", "GetApis", load("apigateway/get_apis"))["Items"]
    apis[0]["Integrations"] = valid("apigatewayv2", "GetIntegrations", load("apigateway/get_integrations"))["Items"]
    inv = apigateway.transform_http_apis(apis, scope())
    listener = "arn:aws:elasticloadbalancing:me-central-1:123456789012:listener/app/checkout-alb/abc/def"
    assert edges_of(inv) == {(HTTP, "arn:aws:lambda:me-central-1:123456789012:function:checkout-fn", ROUTES_TO),
                             (HTTP, listener, ROUTES_TO)}
    assert by_id(inv)[HTTP].attrs["dns_name"] == "h7t7p7.execute-api.me-central-1.amazonaws.com"
    domains = load("apigateway/get_domain_names_v2")["Items"]
    mappings = {d["DomainName"]: d.pop("ApiMappings") for d in domains}
    valid("apigatewayv2", "GetDomainNames", {"Items": domains})
    valid("apigatewayv2", "GetApiMappings", {"Items": mappings["api.shop.example.com"]})
    for d in domains:
        d["ApiMappings"] = mappings[d["DomainName"]]
    dom = apigateway.transform_http_domain_names(domains, scope(), rest_ids={"a1b2c3"})
    domain_id = "arn:aws:apigateway:me-central-1::/domainnames/api.shop.example.com"
    assert by_id(dom)[domain_id].attrs["dns_name"] == "d-abc123.execute-api.me-central-1.amazonaws.com"
    assert edges_of(dom) == {(domain_id, REST, ROUTES_TO), (domain_id, HTTP, ROUTES_TO)}


@pytest.mark.parametrize(("uri", "kind", "expected"), [
    ("arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:f:live/invocations",
     "AWS", "arn:aws:lambda:eu-west-1:123456789012:function:f:live"),
    ("https://Backend.Example.com:8443/x", "HTTP", "dns:backend.example.com"),
    ("arn:aws:servicediscovery:me-central-1:123456789012:service/srv-1", "HTTP_PROXY", "arn:aws:servicediscovery:me-central-1:123456789012:service/srv-1"),
    (None, "MOCK", None),
    ("", "MOCK", None),
])
def test_integration_targets(uri, kind, expected):
    assert apigateway.integration_target(uri, kind) == expected


# --- SQS / SNS ---------------------------------------------------------------------------------
def test_queues_dead_letter_and_kms_key():
    recorded = load("sqs/queues")
    for attrs in recorded.values():
        valid("sqs", "GetQueueAttributes", {"Attributes": attrs})
    base = "https://sqs.me-central-1.amazonaws.com/123456789012/"
    inv = sqs.transform_queues([(base + name, attrs, {"app": "orders"}) for name, attrs in recorded.items()]
                               + [(base + "unread", None, None)], scope())
    found = by_id(inv)
    orders = found["arn:aws:sqs:me-central-1:123456789012:orders"]
    assert orders.kind == QUEUE and orders.attrs["dead_letter_queue"].endswith(":orders-dlq")
    assert "arn:aws:sqs:me-central-1:123456789012:unread" in found  # attributes unread: the URL names the ARN
    assert "fifo" not in found["arn:aws:sqs:me-central-1:123456789012:unread"].attrs
    key = "arn:aws:kms:me-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    assert edges_of(inv, DEPENDS_ON) == {(orders.id, orders.attrs["dead_letter_queue"], DEPENDS_ON),
                                         (orders.id, key, DEPENDS_ON)}
    assert sqs.key_arn(scope(), "alias/aws/sqs") is None


def test_topic_subscriptions_cross_region_and_no_endpoint_addresses():
    subs = valid("sns", "ListSubscriptions", load("sns/list_subscriptions"))["Subscriptions"]
    inv = sns.transform_subscriptions(subs)
    topic = "arn:aws:sns:me-central-1:123456789012:events"
    assert {(e.dst, e.attrs["cross_region"]) for e in inv.edges} == {
        ("arn:aws:sqs:me-central-1:123456789012:orders", False),
        ("arn:aws:lambda:eu-central-1:123456789012:function:audit", True)}
    assert all(e.src == topic and e.kind == ROUTES_TO for e in inv.edges)
    assert "oncall@example.com" not in json.dumps(inv.to_dict())
    topics = sns.transform_topics([(topic, {"KmsMasterKeyId": "alias/aws/sns"}, None)], scope())
    assert topics.resources[0].kind == TOPIC and not topics.edges  # an alias names no key ARN


# --- KMS ---------------------------------------------------------------------------------------
def test_keys_multi_region_replicas_and_aliases():
    recorded = load("kms/describe_key")
    for meta in recorded["keys"]:
        valid("kms", "DescribeKey", {"KeyMetadata": meta})
    valid("kms", "ListAliases", {"Aliases": recorded["aliases"]})
    inv = kms.transform_keys(recorded["keys"], recorded["aliases"], scope())
    found = by_id(inv)
    mrk = found["arn:aws:kms:me-central-1:123456789012:key/mrk-1111"]
    assert mrk.kind == ENCRYPTION_KEY and mrk.attrs["key_regions"] == ["me-central-1", "eu-central-1"]
    single = found["arn:aws:kms:me-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
    assert single.name == "alias/orders" and single.attrs["key_regions"] == ["me-central-1"]
    assert "aliases" not in by_id(kms.transform_keys(recorded["keys"], None, scope()))[single.id].attrs


# --- Global Accelerator and ARC: collect() on Stubber replays ---------------------------------
def _factory():
    session = new_session()
    factory = ClientFactory(session, max_attempts=1)
    return session, factory, [stub(factory, "sts", "me-central-1", [("get_caller_identity", IDENTITY)])]


def test_global_accelerator_endpoint_groups_per_region_called_in_us_west_2():
    ga = load("globalaccelerator/responses")
    session, factory, stubs = _factory()
    stubs.append(stub(factory, "globalaccelerator", "us-west-2", [
        ("list_accelerators", ga["list_accelerators"]), ("list_listeners", ga["list_listeners"]),
        ("list_endpoint_groups", ga["list_endpoint_groups"])]))
    inv = collect(session, ["me-central-1"], observed_at=OBSERVED_AT, services=["globalaccelerator"], clients=factory)
    for s in stubs:
        s.assert_no_pending_responses()
    found = by_id(inv)
    acc = "arn:aws:globalaccelerator::123456789012:accelerator/acc-1"
    assert found[acc].kind == ACCELERATOR and found[acc].region == "global"
    groups = {r.region: r for r in inv.resources if r.kind == TARGET_GROUP}
    assert set(groups) == {"me-central-1", "eu-central-1"}
    assert groups["me-central-1"].attrs["health_check_path"] == "/health"
    edges = edges_of(inv)
    assert {(acc, g.id, ROUTES_TO) for g in groups.values()} <= edges
    assert (groups["eu-central-1"].id, "arn:aws:ec2:eu-central-1:123456789012:elastic-ip/eipalloc-0abc", ROUTES_TO) in edges
    cov = coverage_of(inv)
    assert cov[("global", "globalaccelerator")].status == "ok"
    assert cov[("global", "globalaccelerator:endpoint-groups")].status == "ok"


def test_global_accelerator_denied_is_a_coverage_record():
    session, factory, stubs = _factory()
    stubs.append(stub(factory, "globalaccelerator", "us-west-2",
                      [("list_accelerators", ("error", "AccessDeniedException", 403))]))
    inv = collect(session, ["me-central-1"], observed_at=OBSERVED_AT, services=["globalaccelerator"], clients=factory)
    assert coverage_of(inv)[("global", "globalaccelerator")].status == "denied"
    assert not inv.resources


def _arc_stubs(factory, executions):
    recorded = load("arc/responses")
    return [
        stub(factory, "route53-recovery-control-config", "us-west-2", [
            ("list_clusters", recorded["list_clusters"]), ("list_control_panels", recorded["list_control_panels"]),
            ("list_routing_controls", recorded["list_routing_controls"])]),
        stub(factory, "arc-region-switch", "us-east-1", [
            ("list_plans", recorded["list_plans"]), ("get_plan", recorded["get_plan"])]),
        stub(factory, "arc-region-switch", "me-central-1", executions),
    ]


def test_arc_routing_controls_plans_switchover_and_executions():
    session, factory, stubs = _factory()
    stubs += _arc_stubs(factory, [("list_plan_executions", load("arc/responses")["list_plan_executions"])])
    inv = collect(session, ["me-central-1"], observed_at=OBSERVED_AT, services=["arc"], clients=factory)
    for s in stubs:
        s.assert_no_pending_responses()
    found = by_id(inv)
    kinds = {r.kind for r in inv.resources}
    assert {ROUTING_CONTROL, FAILOVER_PLAN, FAILOVER_EXECUTION} <= kinds
    plan = found[PLAN]
    assert plan.attrs["primary_region"] == "me-central-1" and plan.attrs["rto_minutes"] == 30
    assert plan.attrs["block_types"] == ["ec2AsgCapacityIncreaseConfig", "globalAuroraConfig"]
    done = found[f"{PLAN}/execution/ex-1"]
    assert done.attrs["recovery_time_s"] == 18 * 60 + 30 and done.attrs["duration_s"] == 21 * 60
    assert done.attrs["state"] == "completed" and done.attrs["execution_region"] == "eu-central-1"
    edges = edges_of(inv)
    pay_a, pay_b = "arn:aws:rds:me-central-1:123456789012:cluster:pay-a", "arn:aws:rds:eu-central-1:123456789012:cluster:pay-b"
    assert (done.id, PLAN, MEMBER_OF) in edges
    assert {(PLAN, pay_a, DEPENDS_ON), (PLAN, pay_b, DEPENDS_ON)} <= edges
    assert (PLAN, "arn:aws:autoscaling:eu-central-1:123456789012:autoScalingGroup:uuid:autoScalingGroupName/pay-b",
            DEPENDS_ON) in edges  # inside a parallel block
    assert not any(":iam::" in dst for _, dst, _ in edges)  # the execution role is no dependency
    switchover = next(e for e in inv.edges if e.kind == FAILS_OVER_TO)
    assert (switchover.src, switchover.dst) == (pay_a, pay_b)
    assert switchover.attrs["method"] == "switchover" and switchover.attrs["needs_control_plane_in"] == "me-central-1"
    cov = coverage_of(inv)
    assert {cov[k].status for k in [("global", "arc"), ("global", "arc:region-switch"),
                                    ("me-central-1", "arc:executions")]} == {"ok"}


def test_arc_executions_unreadable_in_one_region_are_read_in_the_next():
    session, factory, stubs = _factory()
    stubs += _arc_stubs(factory, [("list_plan_executions", ("error", "AccessDeniedException", 403))])
    stubs.append(stub(factory, "arc-region-switch", "eu-central-1",
                      [("list_plan_executions", load("arc/responses")["list_plan_executions"])]))
    inv = collect(session, ["me-central-1"], observed_at=OBSERVED_AT, services=["arc"], clients=factory)
    cov = coverage_of(inv)
    assert cov[("me-central-1", "arc:executions")].status == "denied"
    assert cov[("eu-central-1", "arc:executions")].status == "ok"
    assert f"{PLAN}/execution/ex-1" in by_id(inv)


@pytest.mark.parametrize(("value", "seconds"), [("PT18M30S", 1110), ("PT1H", 3600), ("P1DT2H", 93600),
                                                ("PT0.5S", 0), ("", None), ("30", None), (None, None)])
def test_recovery_time_durations(value, seconds):
    assert arc.recovery_seconds(value) == seconds


def test_declared_permissions_cover_the_stubbed_calls():
    from botocore import xform_name

    from resilience.collectors.aws.permissions import iam_action

    for module, service, ops in [
        (globalaccelerator, "globalaccelerator", ["list_accelerators", "list_listeners", "list_endpoint_groups"]),
        (arc, "route53-recovery-control-config", ["list_clusters", "list_control_panels", "list_routing_controls"]),
        (arc, "arc-region-switch", ["list_plans", "get_plan", "list_plan_executions"]),
    ]:
        model = _SESSION.get_service_model(service)
        names = {xform_name(n): n for n in model.operation_names}
        assert {iam_action(model.signing_name, names[op]) for op in ops} <= set(module.PERMISSIONS)


def test_recovery_control_health_check_depends_on_its_routing_control():
    from resilience.collectors.aws import route53

    control = "arn:aws:route53-recovery-control::123456789012:controlpanel/p1/routingcontrol/rc1"
    check = valid("route53", "GetHealthCheck", {"HealthCheck": {
        "Id": "hc-arc", "CallerReference": "arc", "HealthCheckVersion": 1,
        "HealthCheckConfig": {"Type": "RECOVERY_CONTROL", "RoutingControlArn": control}}})["HealthCheck"]
    inv = route53.transform_health_checks([check], scope("global"), {})
    assert inv.resources[0].attrs == {"check_type": "RECOVERY_CONTROL", "routing_control": control}
    assert edges_of(inv) == {("arn:aws:route53:::healthcheck/hc-arc", control, DEPENDS_ON)}


def test_documentdb_global_cluster_members_writer_and_failover_methods():
    """moto 5.2 has no DocumentDB global clusters: a recorded DescribeGlobalClusters answer (the RDS
    API lists DocumentDB global clusters too), checked against botocore's shape."""
    from resilience.collectors.aws import rds

    writer = "arn:aws:rds:me-central-1:123456789012:cluster:docs-a"
    reader = "arn:aws:rds:eu-central-1:123456789012:cluster:docs-b"
    body = valid("rds", "DescribeGlobalClusters", {"GlobalClusters": [{
        "GlobalClusterIdentifier": "docs-global", "GlobalClusterResourceId": "cluster-1",
        "GlobalClusterArn": "arn:aws:rds::123456789012:global-cluster:docs-global", "Status": "available",
        "Engine": "docdb", "EngineVersion": "5.0.0", "StorageEncrypted": True, "DeletionProtection": False,
        "GlobalClusterMembers": [{"DBClusterArn": writer, "Readers": [reader], "IsWriter": True},
                                 {"DBClusterArn": reader, "Readers": [], "IsWriter": False}]}]})
    inv = rds.transform_global_clusters(body["GlobalClusters"], scope())
    [node] = inv.resources
    assert node.type == "AWS::DocDB::GlobalCluster" and node.attrs["writer"] == writer
    [failover] = [e for e in inv.edges if e.kind == FAILS_OVER_TO]
    assert (failover.src, failover.dst) == (writer, reader)
    assert failover.attrs["method"] == "detach_and_promote"
    assert failover.attrs["needs_control_plane_in"] == "eu-central-1"  # run in the secondary's region
    assert failover.attrs["switchover_needs_control_plane_in"] == "me-central-1"  # a switchover needs the writer's


def test_snapshot_kms_key_is_an_attribute_and_a_dependency():
    from resilience.collectors.aws import rds

    key = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    snap = {"DBSnapshotIdentifier": "copy-1", "DBSnapshotArn": "arn:aws:rds:eu-central-1:123456789012:snapshot:copy-1",
            "DBInstanceIdentifier": "ledger", "SourceRegion": "me-central-1", "KmsKeyId": key, "Encrypted": True,
            "SnapshotType": "manual", "Status": "available"}
    valid("rds", "DescribeDBSnapshots", {"DBSnapshots": [snap]})
    inv = rds.transform_db_snapshots([snap], scope("eu-central-1"))
    assert inv.resources[0].attrs["kms_key"] == key
    assert (snap["DBSnapshotArn"], key, DEPENDS_ON) in edges_of(inv)


def test_a_key_policy_denying_describe_key_is_a_coverage_record_not_a_lost_scan():
    recorded = load("kms/describe_key")
    single = recorded["keys"][1]
    session, factory, stubs = _factory()
    stubs.append(stub(factory, "kms", "me-central-1", [
        ("list_keys", {"Keys": [{"KeyId": "mrk-1111", "KeyArn": recorded["keys"][0]["Arn"]},
                                {"KeyId": single["KeyId"], "KeyArn": single["Arn"]}]}),
        ("describe_key", ("error", "AccessDeniedException", 400)),
        ("describe_key", {"KeyMetadata": single}),
        ("list_aliases", {"Aliases": recorded["aliases"]}),
    ]))
    inv = collect(session, ["me-central-1"], observed_at=OBSERVED_AT, services=["kms"], clients=factory)
    for s in stubs:
        s.assert_no_pending_responses()
    assert set(by_id(inv)) == {single["Arn"]}
    cov = coverage_of(inv)
    assert cov[("me-central-1", "kms")].status == "ok"
    assert cov[("me-central-1", "kms:keys")].status == "denied" and "mrk-1111" in cov[("me-central-1", "kms:keys")].detail
