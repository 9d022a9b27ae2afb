"""The store: URL convention, migrations on open (schema = the tables module), package data."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from resilience.errors import InputError
from resilience.history import tables
from resilience.history.store import DEFAULT_URL, open_store, redact, resolve_url, schema_version

ROOT = Path(__file__).resolve().parents[2]


def test_url_convention(monkeypatch):
    monkeypatch.delenv("RESILIENCE_HISTORY_DB", raising=False)
    assert resolve_url(None) == DEFAULT_URL == "sqlite:///resilience-history.sqlite"
    monkeypatch.setenv("RESILIENCE_HISTORY_DB", "postgresql://h/db")
    assert resolve_url(None) == "postgresql://h/db"
    assert resolve_url("sqlite:///x.sqlite") == "sqlite:///x.sqlite"
    assert redact("postgresql://u:secret@h/db") == "postgresql://u:***@h/db"


@pytest.mark.parametrize("url, message", [
    ("not a url", "not a database URL"),
    ("mysql://h/db", "only sqlite:/// and postgresql://"),
    ("sqlite://", "in-memory"),
])
def test_bad_urls(url, message):
    with pytest.raises(InputError, match=message):
        open_store(url)


def test_migrated_schema_is_the_tables_module(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with open_store(db_url) as store:
        assert schema_version(store) == "0001"
        with store.begin() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), tables.metadata)
    assert diff == []
    with open_store(db_url) as store:  # opening again is a no-op
        assert schema_version(store) == "0001"


def test_migrations_ship_in_the_wheel():
    """Every migration file is in a listed package and matches its package-data glob (the wheel carries them)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    shipped = set()
    for package in ("resilience.history.migrations", "resilience.history.migrations.versions"):
        assert package in config["packages"]
        folder = ROOT / Path(*package.split("."))
        shipped |= {p for g in config["package-data"][package] for p in folder.glob(g)}
    package = ROOT / "resilience" / "history"
    needed = {p for p in (package / "migrations").rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert needed and needed <= shipped


def test_policy_remediation_sla():
    from resilience.controls import SEVERITIES
    from resilience.policy import SLA_SEVERITIES, PolicyError, parse_policy

    assert SLA_SEVERITIES == SEVERITIES
    policy = parse_policy("version: 1\nremediation_sla:\n  critical: 7d\n  high: 30d\n")
    assert policy.remediation_sla == {"critical": 7 * 86400, "high": 30 * 86400}
    with pytest.raises(PolicyError, match=r"^p.yaml:3: unknown key 'urgent'"):
        parse_policy("version: 1\nremediation_sla:\n  urgent: 7d\n", "p.yaml")
    with pytest.raises(PolicyError, match=r"^p.yaml:4: remediation_sla low: bad duration"):
        parse_policy("version: 1\nremediation_sla:\n  high: 1d\n  low: soon\n", "p.yaml")


def test_outside_sla_is_not_zero_when_nothing_could_be_judged():
    """Without a remediation_sla for their severity, exceptions are neither inside nor outside it."""
    from resilience.reports.history_report import _outside_sla

    unjudged = {"exceptions": [{"within_sla": None}, {"within_sla": None}]}
    assert _outside_sla(unjudged) == "n/a"
    assert _outside_sla({"exceptions": [{"within_sla": False}, {"within_sla": True}, {"within_sla": None}]}) == 1
    assert _outside_sla({"exceptions": []}) == 0
