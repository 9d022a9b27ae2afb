"""Tamper evidence: ``verify`` names the altered, removed or reordered scan (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import zlib

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from resilience.cli import main
from resilience.history.chain import verify
from resilience.history.ingest import append
from resilience.history.store import open_store

from . import nightly
from .tamper import remove_scan, swap_scans, tamper


@pytest.fixture
def chain_url(db_url, night_base):
    """Five nightly scans, #1..#5 = nightly-001..005; night 3 has a failing result (planted earlier)."""
    base = {**night_base}
    with open_store(db_url) as store:
        for n in range(1, 6):
            data = nightly.night(base, n if n != 3 else nightly.OPEN_DAY)
            doc = json.loads(data)
            doc["scan"]["id"] = f"nightly-{n:03d}"
            data = json.dumps(doc).encode()
            append(store, doc, data)
    return db_url


def _problems(url, **kwargs):
    with open_store(url, create=False) as store:
        return verify(store, **kwargs)


def _named(verdict) -> set[str]:
    return {p.scan_id for p in verdict.problems}


def test_intact_chain_verifies(chain_url):
    verdict = _problems(chain_url)
    assert verdict.intact and verdict.scans == 5


def test_append_only_triggers_refuse_changes(chain_url):
    with open_store(chain_url) as store:
        for statement in ("UPDATE scans SET complete = false", "DELETE FROM results", "DELETE FROM scans"):
            with pytest.raises(DBAPIError, match="append-only"), store.begin() as conn:
                conn.execute(text(statement))
    assert _problems(chain_url).intact


def test_altered_row_is_named(chain_url):
    tamper(chain_url, "UPDATE scans SET complete = false WHERE scan_id = 'nightly-002'")
    verdict = _problems(chain_url)
    assert _named(verdict) == {"nightly-002"}
    assert "altered" in str(verdict.problems[0])


def test_altered_result_is_named(chain_url):
    tamper(chain_url, "UPDATE results SET status = 'pass' WHERE seq = 3")
    verdict = _problems(chain_url)
    assert _named(verdict) == {"nightly-003"}
    assert "results or control tallies" in verdict.problems[0].message


def test_altered_findings_file_is_named(chain_url):
    tamper(chain_url, "UPDATE documents SET body = :body WHERE seq = 4", body=zlib.compress(b'{"forged": true}'))
    verdict = _problems(chain_url)
    assert _named(verdict) == {"nightly-004"}
    assert "findings file was altered" in verdict.problems[0].message
    assert _problems(chain_url, documents=False).intact  # the quick check skips the files, by design


def test_removed_scan_is_named(chain_url):
    tamper(chain_url, *remove_scan(3))
    verdict = _problems(chain_url)
    assert not verdict.intact
    assert any("nightly-003, was removed" in p.message and p.scan_id == "nightly-004" for p in verdict.problems)


def test_reordered_scans_are_named(chain_url):
    tamper(chain_url, *swap_scans(2, 3))
    verdict = _problems(chain_url)
    assert _named(verdict) >= {"nightly-002", "nightly-003"}
    assert any("out of order" in p.message for p in verdict.problems)


def test_removed_last_scan_needs_the_recorded_head(chain_url):
    head = _problems(chain_url).head
    tamper(chain_url, *remove_scan(5))
    assert _problems(chain_url).intact  # a shorter chain is consistent ...
    verdict = _problems(chain_url, expected_head=head)
    assert not verdict.intact and "head of the chain" in verdict.problems[0].message  # ... but not the recorded one


def test_verify_command_exit_codes(chain_url, tmp_path):
    runner = CliRunner()
    ok = runner.invoke(main, ["history", "verify", "--db", chain_url])
    assert ok.exit_code == 0 and "5 scans, chain intact" in ok.output
    tamper(chain_url, "UPDATE scans SET identity = 'someone-else' WHERE scan_id = 'nightly-004'")
    bad = runner.invoke(main, ["history", "verify", "--db", chain_url])
    assert bad.exit_code == 1 and "TAMPERED scan nightly-004" in bad.output
    missing = runner.invoke(main, ["history", "verify", "--db", f"sqlite:///{tmp_path}/none.sqlite"])
    assert missing.exit_code == 2 and "no history database" in missing.output
    # the report says so and exits 1; evidence is not packed from a tampered history
    report = runner.invoke(main, ["history", "report", "--from", nightly.day(1).isoformat(), "--to",
                                  nightly.day(5).isoformat(), "--db", chain_url, "--output", str(tmp_path / "r"),
                                  "--format", "json,md"])
    assert report.exit_code == 1 and "TAMPERED scan nightly-004" in report.output
    assert json.loads((tmp_path / "r" / "history-report.json").read_text())["history"]["chain_intact"] is False
    assert "did not verify" in (tmp_path / "r" / "history-report.md").read_text()
    sample = runner.invoke(main, ["history", "sample", "--dates", nightly.day(1).isoformat(), "--db", chain_url,
                                  "--output", str(tmp_path)])
    assert sample.exit_code == 1 and "nightly-004" in sample.output
