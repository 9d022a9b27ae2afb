"""Soundness defects found on estates built by blind testers (third round): each estate is built through the
real APIs against in-process moto and run through ``collect()`` and the rules where the defect showed; where
moto does not model an API or a field, the test says so and uses botocore ``Stubber`` or a recorded shape.
"""

from __future__ import annotations

import datetime as dt

import pytest
from moto import mock_aws
from resilience.rules import REGISTRY

from resilience.collectors.aws import collect
from resilience.scan import analyse

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


# --- 1. a disabled CloudFront distribution serves nothing -------------------------------------------
def _distribution(session, *, enabled: bool, origin: str, ref: str) -> dict:
    return session.client("cloudfront", region_name="us-east-1").create_distribution(DistributionConfig={
        "CallerReference": ref, "Comment": ref, "Enabled": enabled,
        "Origins": {"Quantity": 1, "Items": [{
            "Id": "site", "DomainName": origin, "OriginPath": "", "CustomHeaders": {"Quantity": 0},
            "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "https-only",
                                 "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"},
    })["Distribution"]


def _alias(session, zone: str, name: str, target: str) -> None:
    session.client("route53", region_name="us-east-1").change_resource_record_sets(
        HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": {
            "Name": name, "Type": "A",
            "AliasTarget": {"HostedZoneId": "Z2FDTNDATAQYW2", "DNSName": target, "EvaluateTargetHealth": False}}}]})


def test_a_name_aliased_to_a_disabled_distribution_serves_nothing(moto):
    """www is an alias to a CloudFront distribution that was disabled (Enabled false): it accepts no request.
    RES-DNS-001 passed it as "routes to global services only"; live, an alias to an enabled one, still passes."""
    moto.client("s3", region_name=PRIMARY).create_bucket(
        Bucket="site", CreateBucketConfiguration={"LocationConstraint": PRIMARY})
    origin = f"site.s3.{PRIMARY}.amazonaws.com"
    off = _distribution(moto, enabled=False, origin=origin, ref="off")
    on = _distribution(moto, enabled=True, origin=origin, ref="on")
    zone = moto.client("route53", region_name="us-east-1").create_hosted_zone(
        Name="example.com", CallerReference="zone")["HostedZone"]["Id"].split("/")[-1]
    _alias(moto, zone, "www.example.com", off["DomainName"])
    _alias(moto, zone, "live.example.com", on["DomainName"])

    inv, findings = _scan(moto, _policy("site", "{region: {rto: 1h, rpo: 1h}}"), ["cloudfront", "route53", "s3"],
                          ["RES-DNS-001"])

    assert next(r for r in inv.resources if r.id == off["ARN"]).attrs["enabled"] is False
    dns = {f.evidence["observed"]["name"]: f for f in findings if f.rule == "RES-DNS-001"}
    assert dns["www.example.com"].status == "fail"
    assert dns["www.example.com"].evidence["observed"]["disabled_targets"] == [off["ARN"]]
    assert "serves nothing" in dns["www.example.com"].message
    assert dns["live.example.com"].status == "pass"


# --- 2. an Aurora global database's secondary keeps backups in its own region ------------------------
def test_the_automated_backups_of_a_global_database_secondary_are_backups_outside_the_primary_region(moto):
    """An Aurora global database: writer ``ledger`` in me-central-1 (7 days of automated backups), secondary
    ``ledger-dr`` in eu-central-1 (3 days). RES-DATA-002 said every backup of ledger was in me-central-1: the
    secondary's automated backups, restorable in eu-central-1, were not counted."""
    primary, dr = moto.client("rds", region_name=PRIMARY), moto.client("rds", region_name=DR)
    primary.create_global_cluster(GlobalClusterIdentifier="ledger-global", Engine="aurora-postgresql")
    writer = primary.create_db_cluster(
        DBClusterIdentifier="ledger", Engine="aurora-postgresql", MasterUsername="admin",
        MasterUserPassword="not-a-real-one", GlobalClusterIdentifier="ledger-global", BackupRetentionPeriod=7,
        Tags=[{"Key": "workload", "Value": "ledger"}])["DBCluster"]["DBClusterArn"]
    secondary = dr.create_db_cluster(
        DBClusterIdentifier="ledger-dr", Engine="aurora-postgresql", GlobalClusterIdentifier="ledger-global",
        BackupRetentionPeriod=3, Tags=[{"Key": "workload", "Value": "ledger"}])["DBCluster"]["DBClusterArn"]

    inv, findings = _scan(moto, _policy("ledger", "{region: {rto: 1h, rpo: 1h}}"), ["rds"], ["RES-DATA-002"])

    assert next(r for r in inv.resources if r.id == secondary).attrs["role"] == "replica"
    colocated = _finding(findings, "RES-DATA-002", resource=writer)
    assert colocated.status == "pass", colocated.message
    outside = colocated.evidence["observed"]["outside_region"]
    assert {"id": secondary, "kind": "automated backups (3 days)", "region": DR} in outside
    assert {b["region"] for b in outside} == {DR}  # (moto also lists the secondary's automated cluster snapshot)
    assert not [f for f in findings if f.rule == "RES-DATA-002" and f.resource == secondary]  # the copy is not judged


# --- 5. copies made by hand: EBS snapshots and AWS Backup on-demand jobs ------------------------------
def _volume_with_snapshot_copy(session, tags: list[dict] | None = None) -> tuple[str, str]:
    """``data`` (an EBS volume of workload ``files`` in PRIMARY), one CreateSnapshot (``tags`` on it) and its
    CopySnapshot copy in DR: the snapshot ARNs."""
    ec2, dr = session.client("ec2", region_name=PRIMARY), session.client("ec2", region_name=DR)
    volume = ec2.create_volume(AvailabilityZone=f"{PRIMARY}a", Size=8,
                               TagSpecifications=[{"ResourceType": "volume",
                                                   "Tags": [{"Key": "workload", "Value": "files"}]}])["VolumeId"]
    spec = [{"ResourceType": "snapshot", "Tags": tags}] if tags else []
    snap = ec2.create_snapshot(VolumeId=volume, Description="before the upgrade", TagSpecifications=spec)["SnapshotId"]
    copy = dr.copy_snapshot(SourceSnapshotId=snap, SourceRegion=PRIMARY,
                            Description=f"[Copied {snap} from {PRIMARY}]", TagSpecifications=spec)["SnapshotId"]
    return f"arn:aws:ec2:{PRIMARY}::snapshot/{snap}", f"arn:aws:ec2:{DR}::snapshot/{copy}"


def test_a_hand_made_ebs_snapshot_copied_across_regions_gives_no_region_rpo(moto):
    """The blind estate's ``files``: RPO 1h, its only copy outside the region one CreateSnapshot copied by
    CopySnapshot, no Data Lifecycle Manager policy or AWS Backup plan. Its RPO was the copy's age at scan time
    (seconds: pass) though nothing makes another: unbounded, as for an RDS manual snapshot."""
    _, copy = _volume_with_snapshot_copy(moto)

    inv, findings = _scan(moto, _policy("files", "{region: {rto: 1d, rpo: 1h}}"), ["ec2", "backup"],
                          ["RES-OBJECTIVE-003"])

    assert next(r for r in inv.resources if r.id == copy).attrs["snapshot_type"] == "manual"
    rpo = _finding(findings, "RES-OBJECTIVE-003", "region")
    assert rpo.status == "fail", rpo.message
    assert rpo.evidence["observed"]["rpo"] is None and rpo.evidence["observed"]["unbounded"] is True
    [step] = [s for s in rpo.evidence["steps"] if s["rpo_unbounded"]]
    assert step["to"] == copy
    assert "made by hand (AWS::EC2::Snapshot manual)" in step["reasoning"]
    assert "no schedule or rule makes another" in step["reasoning"]


def test_a_lifecycle_policy_snapshot_is_renewed_so_its_age_is_the_rpo(moto):
    """The same estate where Data Lifecycle Manager made the snapshots (``dlm:managed``, as DLM tags them; moto
    has no DLM, the tags are the evidence the collector reads): the copy's age is the RPO, as before."""
    _, copy = _volume_with_snapshot_copy(moto, tags=[{"Key": "dlm:managed", "Value": "true"},
                                                     {"Key": "aws:dlm:lifecycle-policy-id", "Value": "policy-0abc"}])

    inv, findings = _scan(moto, _policy("files", "{region: {rto: 1d, rpo: 1h}}"), ["ec2", "backup"],
                          ["RES-OBJECTIVE-003"])

    assert next(r for r in inv.resources if r.id == copy).attrs["snapshot_type"] == "dlm"
    rpo = _finding(findings, "RES-OBJECTIVE-003", "region")
    assert rpo.evidence["observed"]["unbounded"] is False and rpo.status == "pass", rpo.message


def _backup_stubs(factory, created_by: dict | None) -> list:
    """AWS Backup in both regions, replayed by botocore Stubber (moto 5.2 has no recovery points or jobs): a
    vault in each region; the PRIMARY vault holds a backup of the ``orders`` table, the DR vault its copy
    (``created_by``: the ``CreatedBy`` both carry; ``None``: none, as an on-demand job's points have)."""
    from .helpers import stub

    table = f"arn:aws:dynamodb:{PRIMARY}:{ACCOUNT}:table/orders"
    stubs = []
    for region, source in ((PRIMARY, None), (DR, f"arn:aws:backup:{PRIMARY}:{ACCOUNT}:backup-vault:main")):
        vault = f"arn:aws:backup:{region}:{ACCOUNT}:backup-vault:main"
        point = {"RecoveryPointArn": f"arn:aws:backup:{region}:{ACCOUNT}:recovery-point:{region}-1",
                 "BackupVaultName": "main", "BackupVaultArn": vault, "ResourceArn": table, "ResourceType": "DynamoDB",
                 "ResourceName": "orders", "Status": "COMPLETED", "CreationDate": _now() - dt.timedelta(minutes=10),
                 "BackupSizeInBytes": 1024}
        if source:
            point["SourceBackupVaultArn"] = source
        if created_by is not None:
            point["CreatedBy"] = created_by
        stubs.append(stub(factory, "backup", region, [
            ("list_backup_vaults", {"BackupVaultList": [{"BackupVaultName": "main", "BackupVaultArn": vault}]}),
            ("list_backup_plans", {"BackupPlansList": []}),
            ("list_tags", {"Tags": {}}),
            ("list_recovery_points_by_backup_vault", {"RecoveryPoints": [point]}),
            ("list_restore_jobs", {"RestoreJobs": []}),
            ("list_restore_testing_plans", {"RestoreTestingPlans": []}),
        ]))
    return stubs


@pytest.mark.parametrize(("created_by", "unbounded"), [
    (None, True),
    ({"BackupPlanId": "plan-1111", "BackupPlanArn": f"arn:aws:backup:{PRIMARY}:{ACCOUNT}:backup-plan:plan-1111",
      "BackupRuleId": "rule-1"}, False),
])
def test_an_on_demand_backup_job_copied_across_regions_gives_no_region_rpo(moto, created_by, unbounded):
    """A DynamoDB table (moto) whose only copy outside its region is an AWS Backup recovery point copied to a DR
    vault by an on-demand job (StartBackupJob + StartCopyJob: no ``BackupPlanId`` in ``CreatedBy``), no plan
    selecting it: nothing makes another copy, so the region RPO is unbounded (it was the copy's age, 10 minutes:
    pass). Made by a plan's rule (the plan since deleted, so no schedule is read), the age stays the RPO."""
    from resilience.collectors.aws import ClientFactory

    moto.client("dynamodb", region_name=PRIMARY).create_table(
        TableName="orders", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
        Tags=[{"Key": "workload", "Value": "orders"}])
    factory = ClientFactory(moto, max_attempts=1)
    stubs = _backup_stubs(factory, created_by)

    inv = collect(moto, [PRIMARY, DR], observed_at=_now().isoformat(), max_workers=2, services=["dynamodb", "backup"],
                  clients=factory)
    findings = analyse(inv, _policy("orders", "{region: {rto: 1d, rpo: 1h}}"), scan_time=_now(),
                       rules=tuple(r for r in REGISTRY if r.id == "RES-OBJECTIVE-003")).findings

    for s in stubs:
        s.assert_no_pending_responses()
    copy = next(r for r in inv.resources if r.id == f"arn:aws:backup:{DR}:{ACCOUNT}:recovery-point:{DR}-1")
    assert copy.attrs["snapshot_type"] == ("on-demand" if unbounded else "backup-plan")
    rpo = _finding(findings, "RES-OBJECTIVE-003", "region")
    assert rpo.evidence["observed"]["unbounded"] is unbounded, rpo.message
    assert rpo.status == ("fail" if unbounded else "pass"), rpo.message
    if unbounded:
        [step] = [s for s in rpo.evidence["steps"] if s["rpo_unbounded"]]
        assert "made by hand (AWS::Backup::RecoveryPoint on-demand)" in step["reasoning"]


# --- 3. cache endpoint hosts -------------------------------------------------------------------------
def test_a_serverless_caches_endpoints_name_it():
    """DescribeServerlessCaches (moto 5.2 does not implement it: the documented shape, checked against botocore's
    model): a function reaching a serverless cache by its endpoint or reader endpoint host depends on the cache
    (it was an unseen ``dns:`` endpoint of unknown region, making every verdict through it unknown)."""
    import botocore.session
    from botocore.validate import ParamValidator

    from resilience.collectors.aws.elasticache import transform_serverless_caches
    from resilience.collectors.aws.postpass import resolve_dns_targets
    from resilience.collectors.aws.references import endpoint_hosts
    from resilience.model import DEPENDS_ON, Edge

    from .helpers import scope

    arn = f"arn:aws:elasticache:{PRIMARY}:{ACCOUNT}:serverlesscache:sessions"
    body = {"ServerlessCaches": [{
        "ServerlessCacheName": "sessions", "ARN": arn, "Engine": "valkey", "Status": "available",
        "Endpoint": {"Address": "sessions-abc123.serverless.mec1.cache.amazonaws.com", "Port": 6379},
        "ReaderEndpoint": {"Address": "sessions-abc123.serverless.mec1.cache.amazonaws.com", "Port": 6380},
        "SubnetIds": ["subnet-a", "subnet-b"]}]}
    shape = botocore.session.get_session().get_service_model("elasticache").operation_model(
        "DescribeServerlessCaches").output_shape
    report = ParamValidator().validate(body, shape)
    assert not report.has_errors(), report.generate_report()
    inv = transform_serverless_caches(body["ServerlessCaches"], scope())
    fn = f"arn:aws:lambda:{PRIMARY}:{ACCOUNT}:function:api"
    [host] = endpoint_hosts("rediss://default:secret@Sessions-abc123.serverless.mec1.cache.amazonaws.com:6379/0")
    [edge] = resolve_dns_targets(inv.resources, [Edge(fn, host, DEPENDS_ON, "lambda:ListFunctions")])
    assert edge.dst == arn


def _carts(session) -> tuple[str, str, str]:
    """``carts-api`` (workload ``carts``), whose environment names a MemoryDB cluster endpoint (MemoryDB is not
    inventoried) and an ElastiCache node endpoint of a cluster the scan does not see: (function, hosts)."""
    memorydb = f"clustercfg.carts.abc123.memorydb.{PRIMARY}.amazonaws.com"
    elasticache = "legacy.xyz789.0001.mec1.cache.amazonaws.com"
    role = session.client("iam", region_name="us-east-1").create_role(
        RoleName="carts-role", AssumeRolePolicyDocument='{"Version": "2012-10-17", "Statement": []}')
    fn = session.client("lambda", region_name=PRIMARY).create_function(
        FunctionName="carts-api", Runtime="python3.12", Role=role["Role"]["Arn"], Handler="app.handler",
        Code={"ZipFile": b"def handler(event, context):\n    return 1\n"},
        Environment={"Variables": {"CARTS": f"rediss://{memorydb}:6379", "LEGACY_CACHE": f"{elasticache}:11211"}},
        Tags={"workload": "carts"})["FunctionArn"]
    return fn, memorydb, elasticache


_CARTS = "{az: {rto: 5m, rpo: 0}, region: {rto: 1d, rpo: 1d}}"
_CARTS_RULES = ["RES-ZONAL-001", "RES-REGIONAL-001", "RES-OBJECTIVE-003"]


def test_a_cache_host_nothing_inventoried_answers_to_is_an_unseen_zonal_dependency_in_its_region(moto):
    """The hosts nothing inventoried answers to are depends_on edges to unseen endpoints, placed in the region
    the host names (me-central-1: MemoryDB names it, ElastiCache's ``mec1`` is its zone-id prefix). Either may
    be a single-zone cache in any zone of me-central-1: losing a zone is unknown for the workload, never a pass
    (the endpoints' region was unknown, so no zone scenario reached them and the az RPO passed as 'not
    affected')."""
    fn, memorydb, elasticache = _carts(moto)
    moto.client("ec2", region_name=PRIMARY).create_volume(AvailabilityZone=f"{PRIMARY}a", Size=8)  # a zone of me-central-1

    inv, findings = _scan(moto, _policy("carts", _CARTS), ["lambda", "elasticache", "ec2"], _CARTS_RULES,
                          regions=(PRIMARY,))

    needs = {e.dst: e.attrs.get("via") for e in inv.edges if e.src == fn and e.kind == "depends_on"}
    assert needs == {f"dns:{memorydb}": "environment:CARTS", f"dns:{elasticache}": "environment:LEGACY_CACHE"}
    assert _finding(findings, "RES-REGIONAL-001", resource="workload:carts").status == "fail"  # the function's own
    zonal = _finding(findings, "RES-ZONAL-001", resource="workload:carts")
    assert zonal.status == "unknown", zonal.message
    doubts = " ".join(zonal.evidence["observed"]["unknown"])
    assert memorydb in doubts and elasticache in doubts and "it may be in failed zone" in doubts, doubts
    assert _finding(findings, "RES-OBJECTIVE-003", "az").status == "unknown"


def test_an_unseen_aws_endpoint_whose_zones_cannot_be_listed_leaves_the_zone_objective_unknown(moto):
    """The same function in an estate that shows no zone of me-central-1: no zone scenario can be built, and the
    az objectives passed as 'not affected: nothing of it is zonal'. An unseen dependency that may be zonal makes
    that unknown."""
    _, memorydb, _ = _carts(moto)

    _, findings = _scan(moto, _policy("carts", _CARTS), ["lambda", "elasticache"], _CARTS_RULES, regions=(PRIMARY,))

    rpo = _finding(findings, "RES-OBJECTIVE-003", "az")
    assert rpo.status == "unknown", rpo.message
    assert any(memorydb in u and "in which zone" in u for u in rpo.evidence["unknown"]), rpo.evidence["unknown"]
