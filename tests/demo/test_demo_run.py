"""`resilience demo` end to end in-process: the estate is built, collected by the real AWS
collector, analysed and reported; the inventory holds what estate.py planted."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from resilience.reports import WRITERS

from resilience.collectors.azure.demo import DEMO_SUBSCRIPTION as AZURE_SUBSCRIPTION
from resilience.collectors.gcp.demo import DEMO_PROJECT as GCP_PROJECT
from resilience.demo import DEMO_CLOCK, run_demo
from resilience.demo.estate import ACCOUNT, GULF_PEER, HOME, REGIONS, SECONDARY

SECRET = "Demo-Secret-Do-Not-Store-7f3a"  # the DB_PASSWORD value planted on mobile-api-uae
CONTRACT_SCAN_KEYS = {"id", "started_at", "finished_at", "tool_version", "provider", "accounts", "regions_audited",
                      "regions_scanned", "identity", "policy_sha256"}
CONTRACT_FINDING_KEYS = {"id", "rule", "category", "status", "severity", "title", "message", "resource",
                         "resource_type", "region", "workload", "controls", "evidence", "remediation"}


def arn(service: str, region: str, resource: str) -> str:
    return f"arn:aws:{service}:{region}:{ACCOUNT}:{resource}"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo-out")
    # The user's own AWS settings must neither leak into nor be changed by the demo.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AWS_PROFILE", "someone-elses-profile")
        mp.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # would fail every call if honoured
        mp.setenv("AWS_ACCESS_KEY_ID", "AKIAREALKEYMUSTNOTBEUSED")
        result = run_demo(out, tuple(WRITERS), evidence=True)
        assert os.environ["AWS_PROFILE"] == "someone-elses-profile"
        assert os.environ["AWS_ENDPOINT_URL"] == "http://127.0.0.1:9"
    return out, result


@pytest.fixture(scope="module")
def inv(demo):
    _, result = demo
    data = result.inventory.to_dict()
    data["by_id"] = {r["id"]: r for r in data["resources"]}
    return data


def edges(inv, kind, src=None, dst=None):
    return [e for e in inv["edges"] if e["kind"] == kind and (src is None or e["src"] == src)
            and (dst is None or e["dst"] == dst)]


def test_findings_json_has_the_contract_shape(demo):
    out, _ = demo
    doc = json.loads((out / "findings.json").read_text())
    assert doc["schema"] == "resilience.findings/v1"
    assert set(doc["scan"]) >= CONTRACT_SCAN_KEYS
    # one scan, three clouds: the AWS account, the Azure subscription and the GCP project
    assert doc["scan"]["accounts"] == sorted([ACCOUNT, AZURE_SUBSCRIPTION, GCP_PROJECT])
    assert doc["scan"]["provider"] == ["aws", "azure", "gcp"]
    assert set(REGIONS) | {"uaenorth", "me-central1"} <= set(doc["scan"]["regions_scanned"])
    assert doc["scan"]["started_at"].startswith(DEMO_CLOCK.date().isoformat())
    assert doc["findings"] and all(set(f) >= CONTRACT_FINDING_KEYS for f in doc["findings"])
    names = {w["name"]: w for w in doc["workloads"]}
    every = ("payments", "checkout", "reconciliation", "mobile-api", "fx-rates", "ledger", "wallet", "storefront",
             "shop-api", "docs", "basket", "loyalty", "rewards")  # the last four: Azure/GCP services of issue 12
    assert set(names) == set(every)
    assert all(names[n]["resources"] for n in every)
    # ledger spans two clouds: the RDS primary and its Cloud SQL replica
    assert any(r.startswith("arn:aws:rds:me-central-1:") for r in names["ledger"]["resources"])
    assert any(r.startswith("//cloudsql.googleapis.com/") for r in names["ledger"]["resources"])
    assert names["payments"]["objectives"]["region"] == {"rto": 3600, "rpo": 900}


def test_every_format_was_written(demo):
    out, _ = demo
    assert (out / "findings.json").is_file()
    assert len([p for p in out.iterdir() if p.is_file()]) >= len(WRITERS)


def test_demo_writes_an_intact_evidence_pack(demo):
    from resilience.evidence_pack import verify_pack

    out, _ = demo
    assert (out / "evidence.zip").is_file()
    assert verify_pack(out / "evidence.zip") == []


def test_every_region_and_service_was_read(demo):
    _, result = demo
    by_region: dict[str, set[str]] = {}
    for c in result.coverage:
        assert c.status in ("ok", "skipped"), f"{c.region}/{c.service}: {c.status} {c.detail}"
        by_region.setdefault(c.region, set()).add(c.service.split(":")[0])
    for region in REGIONS:
        assert {"ec2", "autoscaling", "elbv2", "rds", "dynamodb", "lambda", "backup"} <= by_region[region], region


def test_the_sound_workload_raises_nothing(demo):
    _, result = demo
    failing = [f for f in result.findings if f.status == "fail" and "payments" in (f.workload, *f.workloads)]
    assert failing == []


def test_mobile_api_bahrain_function_depends_on_the_uae_table(inv):
    table = arn("dynamodb", HOME, "table/mobile-sessions")
    bah = arn("lambda", GULF_PEER, "function:mobile-api-bah")
    assert inv["by_id"][bah]["region"] == GULF_PEER
    assert inv["by_id"][table]["region"] == HOME
    (dep,) = edges(inv, "depends_on", bah, table)
    assert dep["attrs"]["via"] == "environment:SESSIONS_TABLE_ARN"
    assert inv["by_id"][table]["attrs"].get("pitr") is False


def test_secret_value_is_never_stored(demo, inv):
    out, _ = demo
    uae = inv["by_id"][arn("lambda", HOME, "function:mobile-api-uae")]
    assert "DB_PASSWORD" in uae["attrs"]["env_keys"]
    for path in out.rglob("*"):
        if path.is_file():
            assert SECRET not in path.read_text(encoding="utf-8", errors="replace"), path
    assert SECRET not in json.dumps(inv, default=str)


def test_replica_buckets(inv):
    (payments,) = edges(inv, "replicates_to", "arn:aws:s3:::payments-statements-mec1")
    assert payments["dst"] == "arn:aws:s3:::payments-statements-euc1" and payments["attrs"]["rtc"] is True
    assert inv["by_id"]["arn:aws:s3:::payments-statements-euc1"]["region"] == SECONDARY
    (mobile,) = edges(inv, "replicates_to", "arn:aws:s3:::mobile-assets-mec1")
    assert mobile["dst"] == "arn:aws:s3:::mobile-assets-mes1"
    assert inv["by_id"]["arn:aws:s3:::mobile-assets-mes1"]["region"] == GULF_PEER
    assert not edges(inv, "replicates_to", "arn:aws:s3:::checkout-receipts-mec1")


def test_dns_failover_records_with_health_checks(inv):
    records = [r for r in inv["resources"] if r["kind"] == "dns_record" and r["attrs"].get("dns_name") == "api.pay.example.com"]
    roles = {r["attrs"]["failover_role"]: r for r in records}
    assert set(roles) == {"PRIMARY", "SECONDARY"}
    assert all(r["attrs"]["routing"] == "failover" and r["attrs"].get("health_check_id") for r in records)
    assert roles["PRIMARY"]["attrs"]["alias_target"].endswith(f"{HOME}.elb.amazonaws.com")
    assert roles["SECONDARY"]["attrs"]["alias_target"].endswith(f"{SECONDARY}.elb.amazonaws.com")
    assert edges(inv, "fails_over_to", roles["PRIMARY"]["id"], roles["SECONDARY"]["id"])
    checkout = [r for r in inv["resources"] if r["kind"] == "dns_record"
                and r["attrs"].get("dns_name") == "www.shop.example.com"]
    assert [r["attrs"]["routing"] for r in checkout] == ["simple"]


def test_payments_data_has_copies_in_eu_central_1(inv):
    db, replica = arn("rds", HOME, "db:payments-db"), arn("rds", SECONDARY, "db:payments-db-euc1")
    assert inv["by_id"][db]["attrs"]["multi_az"] is True and inv["by_id"][db]["attrs"]["backup_retention_days"] == 7
    assert edges(inv, "replicates_to", db, replica)
    ledger, ledger_copy = arn("dynamodb", HOME, "table/payments-ledger"), arn("dynamodb", SECONDARY, "table/payments-ledger")
    assert inv["by_id"][ledger]["attrs"]["pitr"] is True
    assert edges(inv, "replicates_to", ledger, ledger_copy)
    vault, remote = arn("backup", HOME, "backup-vault:payments-vault"), arn("backup", SECONDARY, "backup-vault:payments-vault-euc1")
    assert edges(inv, "replicates_to", vault, remote)
    copies = [r for r in inv["resources"] if r["kind"] == "recovery_point" and r["region"] == SECONDARY]
    assert {c["attrs"].get("source_resource") for c in copies} >= {db, ledger}


def test_zones_of_the_compute(inv):
    groups = {r["name"]: r for r in inv["resources"] if r["kind"] == "compute_group"}
    assert set(groups["payments-asg"]["zones"]) == {"mec1-az1", "mec1-az2", "mec1-az3"}
    assert set(groups["payments-euc1-asg"]["zones"]) == {"euc1-az1", "euc1-az2", "euc1-az3"}
    assert groups["reconciliation-workers"]["zones"] == ["mec1-az1"]
    payments_instances = [r for r in inv["resources"] if r["kind"] == "instance" and r["region"] == HOME
                          and r["tags"].get("app") == "payments"]
    assert {z for r in payments_instances for z in r["zones"]} == {"mec1-az1", "mec1-az2", "mec1-az3"}
    (batch,) = [r for r in inv["resources"] if r["kind"] == "instance" and r["tags"].get("Name") == "reconciliation-batch"]
    assert batch["zones"] == ["mec1-az1"]
    data_volumes = [r for r in inv["resources"] if r["kind"] == "volume" and r["tags"].get("Name") == "reconciliation-data"]
    assert [v["zones"] for v in data_volumes] == [["mec1-az1"]]


def test_fault_experiment_completed(inv):
    (run,) = [r for r in inv["resources"] if r["kind"] == "fault_experiment" and ":experiment/" in r["id"]]
    assert run["attrs"]["status"] == "completed"
    assert run["attrs"]["started_at"].startswith("2026-10-28T09:00")
    assert run["attrs"]["ended_at"].startswith("2026-10-28T09:25")
    assert any(t.endswith("autoScalingGroupName/payments-asg") for t in run["attrs"]["targets"])


def test_workload_tags(inv):
    real = [r for r in inv["resources"] if r["provider"] == "aws" and r["kind"] in ("load_balancer", "database", "object_store", "function",
                                                          "compute_group", "backup_plan")]
    assert real and all(r["tags"].get("app") for r in real), [r["id"] for r in real if not r["tags"].get("app")]


@pytest.mark.slow
def test_demo_is_deterministic(demo, tmp_path):
    out, _ = demo
    run_demo(tmp_path, ("json", "md", "graphml", "csv", "junit"))
    for name in ("findings.json", "report.md", "inventory.json", "graph.graphml", "findings.csv", "findings.junit.xml"):
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_demo_findings_and_sarif_validate_against_their_schemas(demo):
    """The published findings schema and the OASIS SARIF schema hold for the full three-cloud demo."""
    from importlib.resources import files

    import jsonschema

    out, _ = demo
    schema = json.loads(files("resilience.reports").joinpath("schemas/findings.schema.json").read_text())
    jsonschema.validators.validator_for(schema)(schema).validate(json.loads((out / "findings.json").read_text()))
    sarif_schema = Path(__file__).parents[1] / "reports" / "data" / "sarif-schema-2.1.0.json"
    jsonschema.Draft7Validator(json.loads(sarif_schema.read_text())).validate(
        json.loads((out / "findings.sarif").read_text()))


def test_shop_api_failover_blocked_by_the_primary_regions_image_and_secret(demo):
    """Issue 13: the DR ECS service pulls the me-central-1 image and reads the me-central-1 secret; the
    scan names both (cross-region-dependency) and the region-loss verdict's chain ends at one of them."""
    out, _ = demo
    doc = json.loads((out / "findings.json").read_text())
    shop = [f for f in doc["findings"] if f.get("workload") == "shop-api" and f["status"] == "fail"]
    pinned = {f["evidence"]["observed"]["dependency"] for f in shop if f["rule"] == "RES-REGIONAL-002"}
    assert {d.split(":")[2] for d in pinned} == {"ecr", "secretsmanager"}
    assert all(":me-central-1:" in d for d in pinned)
    [region_loss] = [f for f in shop if f["rule"] == "RES-REGIONAL-001"]
    assert region_loss["region"] == "me-central-1" and "shop-api/web" in region_loss["message"]
    text = (out / "findings.json").read_text()
    assert "demo-only-not-a-secret" not in text  # the secret's value is never read
