"""The evidence pack: contents, verify (incl. tampering), determinism."""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile

import pytest
from resilience.reports import WRITERS, write_reports

from resilience.errors import InputError
from resilience.evidence_pack import MANIFEST, build_from_dir, verify_pack

from . import estate


@pytest.fixture
def pack(outdir, tmp_path):
    path, digest = build_from_dir(outdir, tmp_path / "pack.zip")
    assert len(digest) == 64
    return path


def _rewrite(src, dst, *, replace=None, drop=(), add=None):
    """Copy a zip, changing entries the way a careless or dishonest hand would."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            data = zin.read(info.filename)
            if replace and info.filename in replace:
                data = replace[info.filename](data)
            zout.writestr(info, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def test_pack_contents(pack, result):
    with zipfile.ZipFile(pack) as zf:
        names = zf.namelist()
        assert names == sorted(names)
        for required in ("README.md", "manifest.json", "scan.json", "findings.json", "inventory.json",
                         "population/inventory.csv", "population/coverage.csv", "controls/SOC2_A1.2.csv",
                         "controls/SOC2_A1.2.md", "controls/SOC2_A1.3.csv", "failover-tests/records.csv",
                         "failover-tests/findings.csv", "failover-tests/README.md", "waivers.csv",
                         "policy/policy.yaml"):
            assert required in names, required
        meta = json.loads(zf.read("scan.json"))
        assert meta["who"]["identity"] == f"arn:aws:sts::{estate.ACCOUNT}:assumed-role/resilience-audit/nightly"
        assert meta["when"]["started_at"] == estate.SCAN_TIME.isoformat()
        assert meta["tool"]["version"] and meta["rules"]
        assert meta["scope"]["regions_audited"] == list(estate.AUDITED)
        assert meta["coverage"]["not_assessed"][0]["status"] == "denied"
        population = list(csv.DictReader(io.StringIO(zf.read("population/inventory.csv").decode())))
        assert {r["id"] for r in population} == {r.id for r in result.inventory.resources}
        a12 = list(csv.DictReader(io.StringIO(zf.read("controls/SOC2_A1.2.csv").decode())))
        assert {r["status"] for r in a12} == {"fail", "pass", "unknown", "waived"}
        assert all("evidence_source" in r for r in a12)
        tests = list(csv.DictReader(io.StringIO(zf.read("failover-tests/records.csv").decode())))
        assert tests == [{"workload": "payments", "scenario": "region", "date": "2026-09-14", "result": "pass",
                          "measured_rto_s": "3000", "measured_rpo_s": "120",
                          "evidence": "https://tickets.example.com/DR-2231", "notes": "",
                          "policy_line": "policy.yaml:15"}]
        drills = list(csv.DictReader(io.StringIO(zf.read("failover-tests/findings.csv").decode())))
        assert {(r["workload"], r["status"]) for r in drills} == {("ledger", "fail"), ("payments", "pass")}
        waivers = list(csv.DictReader(io.StringIO(zf.read("waivers.csv").decode())))
        assert {(w["resource"], w["expired"]) for w in waivers} == {(estate.DOCS, "no"), (estate.SCRATCH, "yes")}
        assert zf.read("policy/policy.yaml").decode() == estate.POLICY
        readme = zf.read("README.md").decode()
        assert "A1.2" in readme and "evidence verify" in readme and "me-south-1" in readme
        manifest = json.loads(zf.read(MANIFEST))
        assert set(manifest["files"]) == set(names) - {MANIFEST}


def test_verify_accepts_an_intact_pack(pack):
    assert verify_pack(pack) == []


def test_verify_rejects_a_tampered_file(pack, tmp_path):
    def soften(data: bytes) -> bytes:
        return data.replace(b'"fail"', b'"pass"')

    tampered = _rewrite(pack, tmp_path / "tampered.zip", replace={"findings.json": soften})
    problems = verify_pack(tampered)
    assert len(problems) == 1 and problems[0].startswith("findings.json: SHA-256 mismatch")


def test_verify_names_missing_and_extra_files(pack, tmp_path):
    problems = verify_pack(_rewrite(pack, tmp_path / "m.zip", drop={"waivers.csv"}, add={"extra.txt": b"x"}))
    assert problems == ["waivers.csv: listed in the manifest but missing from the pack",
                        "extra.txt: in the pack but not listed in the manifest"]
    assert verify_pack(_rewrite(pack, tmp_path / "n.zip", drop={MANIFEST})) == ["manifest.json: missing from the pack"]
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    assert "not a readable zip" in verify_pack(tmp_path / "junk.zip")[0]


def test_same_inputs_give_a_byte_identical_zip(outdir, tmp_path, result):
    first, _ = build_from_dir(outdir, tmp_path / "a.zip")
    # a second scan of the same estate, written to another folder, later
    again = tmp_path / "again"
    write_reports(estate.scan(), again, tuple(WRITERS))
    second, _ = build_from_dir(again, tmp_path / "b.zip")
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2026, 10, 1, 2, 0, 0)}
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_DEFLATED}


def test_a_stale_policy_copy_is_refused(outdir, tmp_path):
    stale = tmp_path / "stale"
    shutil.copytree(outdir, stale)
    (stale / "policy.yaml").write_text(estate.POLICY + "# edited later\n", encoding="utf-8")
    with pytest.raises(InputError, match="does not match the policy the scan used"):
        build_from_dir(stale, tmp_path / "x.zip")
    (stale / "policy.yaml").unlink()
    with pytest.raises(InputError, match="missing"):
        build_from_dir(stale, tmp_path / "x.zip")


def test_not_a_scan_folder(tmp_path):
    with pytest.raises(InputError, match="findings.json"):
        build_from_dir(tmp_path, tmp_path / "x.zip")


def test_a_scan_without_policy_packs_without_one(tmp_path):
    from resilience.policy import Policy

    out = tmp_path / "out"
    write_reports(estate.scan(pol=Policy()), out, ("json",))
    path, _ = build_from_dir(out, tmp_path / "p.zip")
    with zipfile.ZipFile(path) as zf:
        assert "policy/policy.yaml" not in zf.namelist()
        assert "No policy file was used" in zf.read("README.md").decode()
    assert verify_pack(path) == []


def test_failover_evidence_from_every_source(outdir, tmp_path):
    """A FIS experiment in the inventory shows beside the policy's record in all-sources.csv."""
    scan_dir = tmp_path / "scan"
    shutil.copytree(outdir, scan_dir)
    inventory = json.loads((scan_dir / "inventory.json").read_text())
    experiment = f"arn:aws:fis:me-central-1:{estate.ACCOUNT}:experiment/EXP1"
    inventory["resources"].append({
        "id": experiment, "provider": "aws", "account": estate.ACCOUNT, "region": "me-central-1",
        "kind": "fault_experiment", "type": "AWS::FIS::Experiment", "name": "EXP1",
        "source": "fis:GetExperiment", "observed_at": "2026-11-20T06:00:00+00:00", "zones": [], "tags": {},
        "attrs": {"status": "completed", "ended_at": "2026-10-20T10:00:00Z", "targets": [estate.PAY_DB],
                  "actions": ["aws:rds:failover-db-cluster"]}})
    (scan_dir / "inventory.json").write_text(json.dumps(inventory))
    pack, _ = build_from_dir(scan_dir, tmp_path / "pack.zip")
    with zipfile.ZipFile(pack) as zf:
        rows = list(csv.DictReader(io.StringIO(zf.read("failover-tests/all-sources.csv").decode())))
        readme = zf.read("failover-tests/README.md").decode()
    assert {(r["workload"], r["source"], r["record_id"]) for r in rows} >= {
        ("payments", "fis", experiment), ("payments", "policy", "policy.yaml:15")}
    assert "Evidence from every source" in readme and experiment in readme
    assert verify_pack(pack) == []
