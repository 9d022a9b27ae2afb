"""Soundness defects a blind test found (an estate built with boto3 from the public AWS docs, served by
moto, by someone who never saw the code). Each runs the estate through ``collect()`` against in-process
moto, built through the real APIs, then through the rules where the defect showed.
"""

from __future__ import annotations

import pytest
from moto import mock_aws

from .helpers import ACCOUNT, new_session
from .helpers import BLIND_DR as DR
from .helpers import BLIND_PRIMARY as PRIMARY
from .helpers import collect_and_judge as _scan
from .helpers import finding_of as _finding
from .helpers import tagged_policy as _policy
from .helpers import utc_now as _now


@pytest.fixture
def moto():
    with mock_aws():
        yield new_session()


# --- 1. an unscheduled copy gives no RPO -----------------------------------------------------------
def _reports_db(session) -> str:
    rds = session.client("rds", region_name=PRIMARY)
    return rds.create_db_instance(
        DBInstanceIdentifier="reports", DBInstanceClass="db.t3.micro", Engine="postgres", MasterUsername="admin",
        MasterUserPassword="password123", AllocatedStorage=20, MultiAZ=True,
        Tags=[{"Key": "workload", "Value": "reports"}])["DBInstance"]["DBInstanceArn"]


def test_a_manual_snapshot_copied_across_regions_gives_no_region_rpo(moto):
    """The blind estate's ``reports``: RTO 30m / RPO 5m, and its only copy outside the region is ONE manual
    snapshot copied by CopyDBSnapshot, with no backup plan or automation making more. Its RPO was the
    snapshot's age at scan time (seconds), so RES-OBJECTIVE-003 passed until the snapshot aged."""
    _reports_db(moto)
    primary, dr = moto.client("rds", region_name=PRIMARY), moto.client("rds", region_name=DR)
    primary.create_db_snapshot(DBInstanceIdentifier="reports", DBSnapshotIdentifier="reports-adhoc")
    dr.copy_db_snapshot(SourceDBSnapshotIdentifier=f"arn:aws:rds:{PRIMARY}:{ACCOUNT}:snapshot:reports-adhoc",
                        TargetDBSnapshotIdentifier="reports-adhoc-dr", SourceRegion=PRIMARY)

    _, findings = _scan(moto, _policy("reports", "{region: {rto: 30m, rpo: 5m}}"), ["rds", "backup"],
                        ["RES-OBJECTIVE-003"])

    rpo = _finding(findings, "RES-OBJECTIVE-003", "region")
    assert rpo.status == "fail"
    assert rpo.evidence["observed"]["rpo"] is None and rpo.evidence["observed"]["unbounded"] is True
    [step] = [s for s in rpo.evidence["steps"] if s["rpo_unbounded"]]
    assert step["model_key"] == "restore-cross-region-copy" and step["to"].endswith(":snapshot:reports-adhoc-dr")
    assert "latest copy reports-adhoc-dr" in step["reasoning"] and "made by hand" in step["reasoning"]
    assert "no schedule or rule makes another" in step["reasoning"]


# --- 2. cache clusters outside a replication group -------------------------------------------------
def _function_using(session, name: str, workload: str, uses: str) -> str:
    """A Lambda function of ``workload`` whose environment names ``uses`` by ARN (a depends_on edge)."""
    role = session.client("iam", region_name="us-east-1").create_role(
        RoleName=f"{name}-role", AssumeRolePolicyDocument='{"Version": "2012-10-17", "Statement": []}')
    return session.client("lambda", region_name=PRIMARY).create_function(
        FunctionName=name, PackageType="Image", Role=role["Role"]["Arn"],
        Code={"ImageUri": f"{ACCOUNT}.dkr.ecr.{PRIMARY}.amazonaws.com/{name}:1"},
        Environment={"Variables": {"CACHE_ARN": uses}}, Tags={"workload": workload})["FunctionArn"]


def test_a_single_node_cache_cluster_is_inventoried_and_a_zonal_single_point_of_failure(moto):
    """CreateCacheCluster (no replication group): a one-node Redis in me-central-1a. It was missing from
    the inventory, so the workload that needs it looked zone- and region-proof."""
    cache = moto.client("elasticache", region_name=PRIMARY).create_cache_cluster(
        CacheClusterId="sessions", Engine="redis", CacheNodeType="cache.t3.micro", NumCacheNodes=1,
        PreferredAvailabilityZone=f"{PRIMARY}a", Tags=[{"Key": "workload", "Value": "checkout"}])["CacheCluster"]
    _function_using(moto, "checkout-api", "checkout", cache["ARN"])

    inv, findings = _scan(moto, _policy("checkout", "{az: {rto: 5m, rpo: 0}}"), ["lambda", "elasticache"],
                          ["RES-ZONAL-001", "RES-REGIONAL-001", "RES-ZONAL-004"], regions=(PRIMARY,))

    node = next(r for r in inv.resources if r.id == cache["ARN"])
    assert node.kind == "cache" and node.type == "AWS::ElastiCache::CacheCluster"
    assert node.zones == ("mec1-az1",) and node.tags == {"workload": "checkout"}
    zonal = _finding(findings, "RES-ZONAL-001", resource="workload:checkout")
    observed = zonal.evidence["observed"]
    assert observed["scenario"] == "loss of zone mec1-az1" and observed["serving"] is False
    assert zonal.evidence["chain"][-1] == cache["ARN"] and cache["ARN"] in observed["lost"]
    # moto implements neither DescribeGlobalReplicationGroups nor DescribeServerlessCaches; neither read can hide
    # anything about a standalone cluster (never in a global datastore, no serverless cache): the failure is certain
    assert any(c.service == "elasticache:serverless" and not c.ok for c in inv.coverage)
    assert zonal.status == "fail" and not observed.get("unknown"), observed.get("unknown")
    assert _finding(findings, "RES-REGIONAL-001", resource="workload:checkout").status == "fail"
    assert _finding(findings, "RES-ZONAL-004", resource=cache["ARN"]).status == "fail"  # the cache itself


def test_a_function_that_reaches_a_cache_and_a_database_by_endpoint_host_depends_on_them(moto):
    """Blind estates: a Lambda reached its Redis and its database through host names in its environment
    (REDIS_HOST, a DSN with the password in it). Only ARNs made edges, so the cache and the database were no
    dependency and their loss passed silently. Endpoint hosts now resolve to what answers to them (here a
    replication group's primary endpoint, as DescribeReplicationGroups gives it); an RDS host nothing
    inventoried answers to names its instance (an unseen dependency in the region it names); no value beyond
    the host is kept."""
    group = moto.client("elasticache", region_name=PRIMARY).create_replication_group(
        ReplicationGroupId="sessions", ReplicationGroupDescription="sessions", Engine="redis",
        CacheNodeType="cache.t3.micro", NumCacheClusters=1,
        Tags=[{"Key": "workload", "Value": "checkout"}])["ReplicationGroup"]
    described = moto.client("elasticache", region_name=PRIMARY).describe_replication_groups(
        ReplicationGroupId="sessions")["ReplicationGroups"][0]
    host = described["NodeGroups"][0]["PrimaryEndpoint"]["Address"]
    dsn = f"postgres://app:hunter2@orders.c9akciq32x.{DR}.rds.amazonaws.com:5432/orders"
    role = moto.client("iam", region_name="us-east-1").create_role(
        RoleName="checkout-role", AssumeRolePolicyDocument='{"Version": "2012-10-17", "Statement": []}')
    fn = moto.client("lambda", region_name=PRIMARY).create_function(
        FunctionName="checkout-api", PackageType="Image", Role=role["Role"]["Arn"],
        Code={"ImageUri": f"{ACCOUNT}.dkr.ecr.{PRIMARY}.amazonaws.com/checkout:1"},
        Environment={"Variables": {"REDIS_HOST": f"{host}:6379", "DATABASE_URL": dsn}},
        Tags={"workload": "checkout"})["FunctionArn"]

    inv, findings = _scan(moto, _policy("checkout", "{region: {rto: 5m, rpo: 0}}"), ["lambda", "elasticache"],
                          ["RES-REGIONAL-001"], regions=(PRIMARY,))

    needs = {e.dst: e.attrs.get("via") for e in inv.edges if e.src == fn and e.kind == "depends_on"}
    assert needs.get(group["ARN"]) == "environment:REDIS_HOST", needs
    assert needs.get(f"arn:aws:rds:{DR}:{ACCOUNT}:db:orders") == "environment:DATABASE_URL", needs
    assert "hunter2" not in inv.to_json()
    regional = _finding(findings, "RES-REGIONAL-001", resource="workload:checkout")
    assert regional.status == "fail" and group["ARN"] in regional.evidence["observed"]["lost"], regional.message


def test_a_standalone_cache_clusters_node_endpoints_name_it():
    """DescribeCacheClusters with ShowCacheNodeInfo (documented shape; moto leaves CacheNodes out): a
    cluster's node and configuration endpoints are the hosts a configuration reaches it by."""
    from resilience.collectors.aws.common import Scope
    from resilience.collectors.aws.elasticache import transform_cache_clusters
    from resilience.collectors.aws.postpass import resolve_dns_targets
    from resilience.collectors.aws.references import endpoint_hosts
    from resilience.model import DEPENDS_ON, Edge

    cluster = {"CacheClusterId": "sessions", "ARN": f"arn:aws:elasticache:{PRIMARY}:{ACCOUNT}:cluster:sessions",
               "Engine": "redis", "NumCacheNodes": 1, "PreferredAvailabilityZone": f"{PRIMARY}a",
               "CacheNodes": [{"CacheNodeId": "0001", "CustomerAvailabilityZone": f"{PRIMARY}a", "Endpoint": {
                   "Address": "sessions.abc123.0001.mec1.cache.amazonaws.com", "Port": 6379}}]}
    inv = transform_cache_clusters([cluster], Scope(account=ACCOUNT, partition="aws", region=PRIMARY, observed_at=_now().isoformat()), {f"{PRIMARY}a": "mec1-az1"})
    [resource] = inv.resources
    fn = f"arn:aws:lambda:{PRIMARY}:{ACCOUNT}:function:api"
    [host] = endpoint_hosts("SESSIONS.abc123.0001.mec1.cache.amazonaws.com:6379")
    [unknown] = endpoint_hosts("other.abc123.0001.mec1.cache.amazonaws.com")
    edges = resolve_dns_targets(inv.resources, [Edge(fn, host, DEPENDS_ON, "test"), Edge(fn, unknown, DEPENDS_ON, "t")])
    assert [e.dst for e in edges] == [resource.id, unknown]  # a host nothing answers to stays an unseen endpoint


def test_an_sqs_queue_url_in_a_functions_environment_is_a_dependency():
    """Blind aws11: a function in eu-west-1 posted to a queue in me-central-1 named by QUEUE_URL; only ARNs made
    edges, so losing me-central-1 left it 'surviving'. The URL (current or legacy form) names the queue."""
    from resilience.collectors.aws.awslambda import transform_functions
    from resilience.collectors.aws.common import Scope

    fn = f"arn:aws:lambda:{DR}:{ACCOUNT}:function:notify"
    inv = transform_functions([{"FunctionArn": fn, "FunctionName": "notify", "Environment": {"Variables": {
        "QUEUE_URL": f"https://sqs.{PRIMARY}.amazonaws.com/{ACCOUNT}/notify-jobs",
        "LEGACY": f"https://{PRIMARY}.queue.amazonaws.com/{ACCOUNT}/audit.fifo",
        "OTHER": "https://example.com/123456789012/not-a-queue"}}}],
        Scope(account=ACCOUNT, partition="aws", region=DR, observed_at=_now().isoformat()), {})
    assert {(e.dst, e.attrs["via"]) for e in inv.edges if e.kind == "depends_on"} == {
        (f"arn:aws:sqs:{PRIMARY}:{ACCOUNT}:notify-jobs", "environment:QUEUE_URL"),
        (f"arn:aws:sqs:{PRIMARY}:{ACCOUNT}:audit.fifo", "environment:LEGACY")}


# --- 3. S3 replication that leaves SSE-KMS objects out -----------------------------------------------
def _replicated_bucket(session, *, encryption: str, kms_objects: bool) -> tuple[str, str]:
    """``ledger`` in PRIMARY (versioned, default encryption ``encryption``) replicated by rule ``to-dr`` to
    ``ledger-dr`` in DR; the rule replicates SSE-KMS objects only when ``kms_objects``."""
    src, dst = session.client("s3", region_name=PRIMARY), session.client("s3", region_name=DR)
    src.create_bucket(Bucket="ledger", CreateBucketConfiguration={"LocationConstraint": PRIMARY})
    dst.create_bucket(Bucket="ledger-dr", CreateBucketConfiguration={"LocationConstraint": DR})
    for client, bucket in ((src, "ledger"), (dst, "ledger-dr")):
        client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    src.put_bucket_tagging(Bucket="ledger", Tagging={"TagSet": [{"Key": "workload", "Value": "ledger"}]})
    default = {"SSEAlgorithm": encryption}
    if encryption.startswith("aws:kms"):
        default["KMSMasterKeyID"] = f"arn:aws:kms:{PRIMARY}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    src.put_bucket_encryption(Bucket="ledger", ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": default}]})
    rule = {"ID": "to-dr", "Status": "Enabled", "Priority": 1, "Filter": {"Prefix": ""},
            "DeleteMarkerReplication": {"Status": "Disabled"},
            "Destination": {"Bucket": "arn:aws:s3:::ledger-dr"}}
    if kms_objects:
        rule["SourceSelectionCriteria"] = {"SseKmsEncryptedObjects": {"Status": "Enabled"}}
        rule["Destination"]["EncryptionConfiguration"] = {"ReplicaKmsKeyID": f"arn:aws:kms:{DR}:{ACCOUNT}:key/dr"}
    src.put_bucket_replication(Bucket="ledger", ReplicationConfiguration={
        "Role": f"arn:aws:iam::{ACCOUNT}:role/replication", "Rules": [rule]})
    return "arn:aws:s3:::ledger", "arn:aws:s3:::ledger-dr"


S3_RULES = ("RES-DATA-003", "RES-OBJECTIVE-003")


@pytest.mark.parametrize("encryption", ["aws:kms", "aws:kms:dsse"])
def test_a_replica_without_sse_kms_objects_of_a_kms_bucket_is_no_copy(moto, encryption):
    bucket, _ = _replicated_bucket(moto, encryption=encryption, kms_objects=False)

    inv, findings = _scan(moto, _policy("ledger", "{region: {rto: 1d, rpo: 1h}}"), ["s3"], S3_RULES)

    [edge] = [e for e in inv.edges if e.src == bucket and e.kind == "replicates_to"]
    assert edge.attrs["complete"] is False and edge.attrs["rule"] == "to-dr"
    copy = _finding(findings, "RES-DATA-003", resource=bucket)
    assert copy.status == "fail"
    [why] = copy.evidence["observed"]["incomplete_replication"]
    assert "replication rule to-dr does not replicate SSE-KMS encrypted objects" in why and encryption in why
    rpo = _finding(findings, "RES-OBJECTIVE-003", "region")
    assert rpo.status == "fail" and rpo.evidence["observed"]["unbounded"] is True
    assert any("not counted: replication rule to-dr" in s["reasoning"] for s in rpo.evidence["steps"])


def test_a_kms_less_replica_of_a_bucket_without_kms_default_encryption_still_counts(moto):
    bucket, replica = _replicated_bucket(moto, encryption="AES256", kms_objects=False)

    inv, findings = _scan(moto, _policy("ledger", "{region: {rto: 1d, rpo: 1h}}"), ["s3"], S3_RULES)

    [edge] = [e for e in inv.edges if e.src == bucket and e.kind == "replicates_to"]
    assert "complete" not in edge.attrs and edge.dst == replica
    assert _finding(findings, "RES-DATA-003", resource=bucket).status == "pass"


def test_a_rule_that_replicates_sse_kms_objects_makes_a_full_copy():
    """moto 5.2 drops SourceSelectionCriteria from GetBucketReplication: the rule's shape is the AWS
    documentation's, through the transform."""
    from resilience.collectors.aws import s3

    from .helpers import scope

    config = {"Role": f"arn:aws:iam::{ACCOUNT}:role/replication", "Rules": [{
        "ID": "to-dr", "Status": "Enabled", "Priority": 1, "Filter": {"Prefix": ""},
        "SourceSelectionCriteria": {"SseKmsEncryptedObjects": {"Status": "Enabled"}},
        "Destination": {"Bucket": "arn:aws:s3:::ledger-dr",
                        "EncryptionConfiguration": {"ReplicaKmsKeyID": f"arn:aws:kms:{DR}:{ACCOUNT}:key/dr"}}}]}
    rules = s3.replication_rules(config)
    assert rules[0]["sse_kms_objects"] is True and not s3.leaves_kms_out(rules)
    out = s3.transform_bucket({"Name": "ledger"}, PRIMARY, scope(), replication=config, encryption="aws:kms")
    [edge] = out.edges
    assert "complete" not in edge.attrs


def test_a_denied_encryption_read_makes_the_kms_less_replica_unknown(moto, monkeypatch):
    """moto answers every read: the denial is raised where the collector calls GetBucketEncryption."""
    from botocore.exceptions import ClientError

    from resilience.collectors.aws import s3

    def denied(client, bucket):
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "denied"}}, "GetBucketEncryption")

    monkeypatch.setattr(s3, "get_encryption", denied)
    bucket, _ = _replicated_bucket(moto, encryption="aws:kms", kms_objects=False)

    inv, findings = _scan(moto, _policy("ledger", "{region: {rto: 1d, rpo: 1h}}"), ["s3"], S3_RULES)

    [gap] = [c for c in inv.coverage if c.service == "s3:replication-encryption"]
    assert (gap.region, gap.status) == (PRIMARY, "denied")
    copy = _finding(findings, "RES-DATA-003", resource=bucket)
    assert copy.status == "unknown" and "s3:replication-encryption" in copy.evidence["observed"]["unknown"][0]
    assert "could not be read" in copy.evidence["observed"]["incomplete_replication"][0]
    assert _finding(findings, "RES-OBJECTIVE-003", "region").status == "unknown"
