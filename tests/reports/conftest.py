from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from resilience.reports import WRITERS, write_reports

from . import estate

DATA = Path(__file__).parent / "data"


@pytest.fixture
def result():
    return estate.scan()


@pytest.fixture(scope="session")
def outdir(tmp_path_factory):
    """Every format written once for the small estate (read-only for the tests), from a working
    directory that holds the policy file, as a CI checkout would."""
    base = tmp_path_factory.mktemp("checkout")
    (base / "resilience.yaml").write_text(estate.POLICY, encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(base)
    try:
        write_reports(estate.scan(), Path("out"), tuple(WRITERS))
    finally:
        os.chdir(cwd)
    return base / "out"


@pytest.fixture
def findings_doc(outdir):
    return json.loads((outdir / "findings.json").read_text(encoding="utf-8"))
