"""Fixtures: the demo's findings (one real scan), and a history database on each backend.

``db_url`` is parametrised over SQLite and PostgreSQL, so every test that takes it runs on both.
The PostgreSQL server is started once per session; with ``CI=true`` a missing server fails the run.
"""

from __future__ import annotations

import itertools
import json
import os

import pytest

from . import nightly, postgres

_names = itertools.count(1)


@pytest.fixture(scope="session")
def demo_output(tmp_path_factory):
    """The demo's output folder (findings.json, inventory.json, policy.yaml): one real scan."""
    from resilience.demo import run_demo

    out = tmp_path_factory.mktemp("demo")
    run_demo(out, ("json",))
    return out


@pytest.fixture(scope="session")
def demo_findings(demo_output) -> dict:
    return json.loads((demo_output / "findings.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def pg_server():
    try:
        executor, base_url, workdir = postgres.start_server()
    except Exception as exc:  # noqa: BLE001 - any failure to start is reported the same way
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL is required in CI and could not be started: {exc}")
        pytest.skip(f"PostgreSQL not available here ({exc}); CI runs these tests")
    try:
        yield base_url
    finally:
        executor.stop()
        executor.clean_directory()
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)


def new_url(request, tmp_path_factory, kind: str) -> tuple[str, callable]:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('history')}/history.sqlite", lambda: None
    base = request.getfixturevalue("pg_server")
    name = f"history_{os.getpid()}_{next(_names)}"
    url = postgres.create_database(base, name)
    return url, lambda: postgres.drop_database(base, name)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path_factory):
    """A fresh, empty history database URL on each backend."""
    url, drop = new_url(request, tmp_path_factory, request.param)
    yield url
    drop()


@pytest.fixture(scope="session")
def night_base(demo_findings) -> dict:
    return nightly.baseline(demo_findings)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def year_url(request, tmp_path_factory, night_base):
    """A history of the generated year (363 nightly scans, planted exceptions) on each backend.
    Read-only for the tests that use it."""
    from resilience.history.ingest import append
    from resilience.history.store import open_store

    url, drop = new_url(request, tmp_path_factory, request.param)
    with open_store(url) as store:
        for _, data in nightly.nights(night_base):
            append(store, json.loads(data), data, ingested_by="tests")
    yield url
    drop()
