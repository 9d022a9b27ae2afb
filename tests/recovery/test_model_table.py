"""The recovery model table: well-formed, sourced, overridable from the policy with clear errors."""

from __future__ import annotations

import pytest
import yaml

from resilience.policy import PolicyError, parse_policy
from resilience.recovery import (
    UNBOUNDED,
    RecoveryModelError,
    load_table,
    model_for,
    parse_table,
    validate_recovery_model,
)

#: the brief's list of mechanisms the table must price
REQUIRED = {
    "rds-multi-az-instance", "rds-multi-az-cluster", "aurora-replica-failover", "aurora-global-database",
    "rds-read-replica-promotion", "s3-crr-rtc", "s3-crr", "dynamodb-global-table", "dynamodb-pitr",
    "restore-in-region-backup", "restore-cross-region-copy", "ebs-snapshot-restore", "route53-failover",
    "asg-multi-az", "instance-launch", "no-copy",
}


def test_table_covers_every_mechanism_with_a_source():
    table = load_table()
    assert set(table) >= REQUIRED
    for entry in table.values():
        assert entry.url.startswith("https://") and entry.document
        assert entry.note, entry.key
        assert entry.basis in ("documented", "typical", "sla", "assumption")
        if entry.rto is None or entry.rpo is None:
            assert entry.formula, entry.key


def test_documented_numbers():
    t = load_table()
    assert (t["rds-multi-az-instance"].rto, t["rds-multi-az-instance"].rpo) == (120, 0)
    assert t["rds-multi-az-cluster"].rto == 35
    assert t["aurora-replica-failover"].rto == 30
    assert (t["aurora-global-database"].rto, t["aurora-global-database"].rpo) == (60, 1)
    assert t["s3-crr-rtc"].rpo == 900 and t["s3-crr-rtc"].basis == "sla"
    assert t["s3-crr"].basis == "typical" and "No SLA" in t["s3-crr"].note
    assert t["dynamodb-pitr"].rpo == 300 and t["rds-pitr"].rpo == 300
    assert t["no-copy"].rto == UNBOUNDED and t["no-copy"].rpo == UNBOUNDED
    r53 = t["route53-failover"]
    assert (r53.param("request_interval"), r53.param("failure_threshold"), r53.param("ttl")) == (30, 3, 60)


@pytest.mark.parametrize("mutate, message", [
    (lambda e: e.update(disruption="planet"), "disruption must list az and/or region"),
    (lambda e: e.update(basis="vibes"), "basis must be one of"),
    (lambda e: e.update(source={"document": "x", "url": "http://insecure"}), "https url"),
    (lambda e: e.update(rto="soon"), "bad duration"),
    (lambda e: e.update(colour="red"), "unknown fields"),
    (lambda e: e.update(provider_sources={"oracle": {"document": "x", "url": "https://x"}}), "provider_sources maps"),
    (lambda e: e.update(provider_sources={"gcp": {"document": "x", "url": "http://x"}}), "provider_sources maps"),
    (lambda e: (e.update(rto="computed"), e.pop("formula", None)), "needs a formula"),
])
def test_a_malformed_table_is_rejected(mutate, message):
    from importlib import resources

    data = yaml.safe_load(resources.files("resilience").joinpath("data/recovery_model.yaml").read_text())
    mutate(data["entries"][3])
    with pytest.raises(RecoveryModelError, match=message):
        parse_table(data)


def test_validate_overrides():
    got = validate_recovery_model({"rds-multi-az-instance": {"rto": "90s"},
                                   "restore-cross-region-copy": {"fixed": "45m", "throughput_mib_s": 150},
                                   "compute-redeploy": {"rto": "unbounded", "note": "no runbook yet"}})
    assert got["rds-multi-az-instance"] == {"rto": 90.0}
    assert got["restore-cross-region-copy"] == {"fixed": 2700.0, "throughput_mib_s": 150.0}
    assert got["compute-redeploy"]["rto"] == UNBOUNDED


@pytest.mark.parametrize("raw, path, message", [
    ({"nope": {"rto": "1m"}}, ("nope",), "unknown recovery model key 'nope'"),
    ({"s3-crr": {"colour": "red"}}, ("s3-crr", "colour"), "unknown field 'colour'"),
    ({"s3-crr": {"rpo": "soon"}}, ("s3-crr", "rpo"), "bad duration"),
    ({"s3-crr": {"rpo": 15}}, ("s3-crr", "rpo"), "ambiguous duration"),
    ({"route53-failover": {"failure_threshold": 0}}, ("route53-failover", "failure_threshold"), "positive number"),
    ({"s3-crr": {}}, ("s3-crr",), "must be a mapping"),
    (["s3-crr"], (), "must be a mapping"),
])
def test_bad_overrides_name_the_key_path(raw, path, message):
    with pytest.raises(RecoveryModelError, match=message) as info:
        validate_recovery_model(raw)
    assert info.value.path == path


def test_policy_loader_reports_bad_overrides_with_file_and_line():
    text = "version: 1\nrecovery_model:\n  s3-crr:\n    note: fine\n    rpo: soon\n"
    with pytest.raises(PolicyError, match=r"^p\.yaml:5: recovery_model: s3-crr\.rpo: bad duration"):
        parse_policy(text, "p.yaml")
    with pytest.raises(PolicyError, match=r"^p\.yaml:3: recovery_model: unknown recovery model key 'bogus'"):
        parse_policy("version: 1\nrecovery_model:\n  bogus: {rto: 1m}\n", "p.yaml")
    ok = parse_policy("version: 1\nrecovery_model:\n  s3-crr: {rpo: 30m}\n", "p.yaml")
    assert ok.recovery_model == {"s3-crr": {"rpo": "30m"}}  # kept raw; recovery.model_for normalises it


def test_model_for_applies_overrides_and_records_them():
    policy = parse_policy("version: 1\nrecovery_model:\n  s3-crr: {rpo: 30m, source: 'measured, DR-9'}\n", "p.yaml")
    entry = model_for(policy)["s3-crr"]
    assert entry.rpo == 1800 and entry.overridden == ("rpo", "source")
    assert entry.source.startswith("policy recovery_model.s3-crr (rpo, source); table: measured, DR-9")
    assert model_for(None)["s3-crr"].rpo == 900
