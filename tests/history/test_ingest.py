"""``history add`` and ``scan --history``: validation, idempotence, provenance of each scan row."""

from __future__ import annotations

import hashlib
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from resilience.cli import main
from resilience.errors import InputError
from resilience.history import tables as t
from resilience.history.commands import command_line
from resilience.history.ingest import add_paths
from resilience.history.store import open_store

from . import nightly


@pytest.fixture
def nights_dir(tmp_path, night_base):
    """Three nights as CI artifacts would lie: one folder per run, out of order on disk."""
    for n in (3, 1, 2):
        folder = tmp_path / "artifacts" / f"run-{4 - n}"
        folder.mkdir(parents=True)
        (folder / "findings.json").write_bytes(nightly.night(night_base, n))
    return tmp_path / "artifacts"


def _rows(url):
    with open_store(url, create=False) as store, store.begin() as conn:
        return [dict(r._mapping) for r in conn.execute(select(t.scans).order_by(t.scans.c.seq))]


def test_add_folder_in_scan_order_and_idempotent(db_url, nights_dir):
    runner = CliRunner()
    first = runner.invoke(main, ["history", "add", str(nights_dir), "--db", db_url])
    assert first.exit_code == 0, first.output
    assert "3 added, 0 already" in first.output
    again = runner.invoke(main, ["history", "add", str(nights_dir), "--db", db_url])
    assert again.exit_code == 0 and "0 added, 3 already" in again.output
    rows = _rows(db_url)
    assert [r["scan_id"] for r in rows] == ["nightly-001", "nightly-002", "nightly-003"]  # chained by scan time
    assert [r["prev_scan_id"] for r in rows] == ["", "nightly-001", "nightly-002"]


def test_scan_row_records_how_it_was_produced(db_url, nights_dir, night_base):
    path = nights_dir / "run-3" / "findings.json"  # night 1
    with open_store(db_url) as store:
        add_paths(store, [path], ingested_by="resilience history add x")
    [row] = _rows(db_url)
    scan = night_base["scan"]
    assert row["findings_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert row["tool_version"] == scan["tool_version"] and row["identity"] == scan["identity"]
    assert json.loads(row["accounts"]) == scan["accounts"]
    assert json.loads(row["regions"]) == {"audited": scan["regions_audited"], "scanned": scan["regions_scanned"]}
    assert json.loads(row["coverage"]) == night_base["coverage"]
    assert row["policy_sha256"] == scan["policy_sha256"] and row["complete"] is True
    assert row["ingested_by"] == "resilience history add x"
    assert row["day"] == nightly.day(1).isoformat() and row["started_at"].startswith(row["day"])


def test_refuses_an_invalid_file_and_adds_nothing(db_url, nights_dir, tmp_path):
    bad = tmp_path / "bad" / "findings.json"
    bad.parent.mkdir()
    doc = json.loads((nights_dir / "run-1" / "findings.json").read_bytes())
    doc["findings"][0]["status"] = "fine"
    bad.write_text(json.dumps(doc))
    result = CliRunner().invoke(main, ["history", "add", str(nights_dir), str(bad), "--db", db_url])
    assert result.exit_code == 2
    assert f"{bad}: not a valid findings.json at findings/0/status" in result.output
    assert _rows(db_url) == []


def test_refuses_a_second_version_of_a_scan(db_url, nights_dir, tmp_path):
    original = nights_dir / "run-3" / "findings.json"
    forged = tmp_path / "forged.json"
    doc = json.loads(original.read_bytes())
    doc["findings"] = doc["findings"][1:]
    forged.write_text(json.dumps(doc))
    with open_store(db_url) as store:
        add_paths(store, [original])
        with pytest.raises(InputError, match="already in the history with a different findings file"):
            add_paths(store, [forged])


def test_command_line_hides_database_passwords():
    line = command_line(["scan", "--history", "postgresql://u:s3cret@db/h", "--db=postgresql://u:pw@h/x"])
    assert "s3cret" not in line and "pw@" not in line
    assert line == "resilience scan --history 'postgresql://u:***@db/h' '--db=postgresql://u:***@h/x'"


def test_scan_appends_to_the_history(db_url, demo_output, tmp_path, monkeypatch):
    url = db_url
    out = tmp_path / "out"
    args = ["scan", "--inventory", str(demo_output / "inventory.json"), "--output", str(out), "--format", "json",
            "--fail-on", "none", "--history", url]
    monkeypatch.setattr("sys.argv", ["/usr/bin/resilience", *args])  # the row records the process's command line
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    [row] = _rows(url)
    assert row["findings_sha256"] == hashlib.sha256((out / "findings.json").read_bytes()).hexdigest()
    assert row["command_line"].startswith("resilience scan --inventory") and "--history" in row["command_line"]
    assert f"history: scan {row['scan_id']} added as #1" in result.output
