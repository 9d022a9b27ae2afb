"""Samples for the auditor and the period's evidence pack: reproducible draws, original files,
manifests that ``evidence verify`` accepts."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile

from click.testing import CliRunner

from resilience.cli import main
from resilience.history.sampling import random_days

from . import nightly


def _zip(path):
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_random_draw_is_reproducible_and_within_the_population():
    population = [nightly.day(n).isoformat() for n in range(1, 366)]
    first = random_days(population, 25, seed=7)
    assert first == random_days(population, 25, seed=7) and len(set(first)) == 25
    assert first != random_days(population, 25, seed=8)
    assert set(first) <= set(population) and first == sorted(first)


def test_sample_named_dates(year_url, night_base, tmp_path):
    open_day, missing = nightly.day(nightly.OPEN_DAY).isoformat(), nightly.day(nightly.MISSING_DAYS[0]).isoformat()
    result = CliRunner().invoke(main, ["history", "sample", "--dates", f"{open_day},{missing}", "--db", year_url,
                                       "--output", str(tmp_path)])
    assert result.exit_code == 0, result.output
    pack = tmp_path / "history-sample.zip"
    assert CliRunner().invoke(main, ["evidence", "verify", str(pack)]).exit_code == 0
    files = _zip(pack)
    [index] = list(csv.DictReader(io.StringIO(files["samples/index.csv"].decode())))
    original = nightly.night(night_base, nightly.OPEN_DAY)
    assert files[index["file"]] == original  # the original file, byte for byte
    assert index["findings_sha256"] == hashlib.sha256(original).hexdigest()
    selection = json.loads(files["samples/selection.json"])
    assert selection["days_without_scan"] == [missing] and selection["method"] == "dates"


def test_sample_random_reproducible(year_url, tmp_path):
    runs = []
    for name in ("a", "b"):
        result = CliRunner().invoke(main, ["history", "sample", "--random", "5", "--seed", "42", "--db", year_url,
                                           "--output", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        runs.append((tmp_path / name / "history-sample.zip").read_bytes())
    assert runs[0] == runs[1]  # same seed, same days, byte-identical pack
    selection = json.loads(_zip(tmp_path / "a" / "history-sample.zip")["samples/selection.json"])
    assert selection["population"] == 363 and len(selection["days"]) == 5 and selection["seed"] == 42


def test_sample_input_errors(year_url, tmp_path):
    runner = CliRunner()
    both = runner.invoke(main, ["history", "sample", "--dates", "2026-01-02", "--random", "2", "--seed", "1",
                                "--db", year_url])
    no_seed = runner.invoke(main, ["history", "sample", "--random", "2", "--db", year_url])
    too_many = runner.invoke(main, ["history", "sample", "--random", "400", "--seed", "1", "--db", year_url,
                                    "--output", str(tmp_path)])
    assert [r.exit_code for r in (both, no_seed, too_many)] == [2, 2, 2]
    assert "only 363 days" in too_many.output


def test_period_pack(year_url, tmp_path):
    policy = tmp_path / "resilience.yaml"
    policy.write_text("version: 1\nremediation_sla:\n  high: 14d\n")
    pack = tmp_path / "period.zip"
    start, end = nightly.day(32).isoformat(), nightly.day(59).isoformat()  # February
    result = CliRunner().invoke(main, ["evidence", "--history", year_url, "--from", start, "--to", end,
                                       "--policy", str(policy), "--output", str(pack)])
    assert result.exit_code == 0, result.output
    verified = CliRunner().invoke(main, ["evidence", "verify", str(pack)])
    assert verified.exit_code == 0, verified.output
    files = _zip(pack)
    report = json.loads(files["report/history-report.json"])
    assert report["period"]["days"] == 28 and len(report["scans"]) == 28
    [exception] = next(c for c in report["controls"] if c["control"] == "SOC2:A1.2")["exceptions"]
    assert (exception["sla_days"], exception["within_sla"]) == (14, True)
    scan_files = [n for n in files if n.startswith("scans/") and n.endswith("findings.json")]
    assert len(scan_files) == 28
    rows = list(csv.DictReader(io.StringIO(files["scans/index.csv"].decode())))
    assert all(hashlib.sha256(files[r["file"]]).hexdigest() == r["findings_sha256"] for r in rows)
    assert {"report/history-report.html", "report/history-report.md", "README.md"} <= set(files)


def test_report_command_formats(year_url, tmp_path):
    result = CliRunner().invoke(main, ["history", "report", "--from", "2026-01-01", "--to", "2026-12-31",
                                       "--control", "SOC2:A1.2", "--db", year_url, "--output", str(tmp_path),
                                       "--format", "json,md,html,csv,oscal"])
    assert result.exit_code == 0, result.output
    assert "SOC2:A1.2: operated 350/365 days, 3 monitoring gaps, 1 exceptions" in result.output
    assert (tmp_path / "history-report.oscal.json").is_file()
    bad = CliRunner().invoke(main, ["history", "report", "--from", "2026-01-01", "--to", "2026-12-31",
                                    "--db", year_url, "--format", "pdf"])
    assert bad.exit_code == 2 and "pdf" in bad.output
    typo = CliRunner().invoke(main, ["history", "report", "--from", "2026-01-01", "--to", "2026-12-31",
                                     "--db", year_url, "--control", "SOC2:A1.9"])
    assert typo.exit_code == 2 and "unknown control SOC2:A1.9" in typo.output
