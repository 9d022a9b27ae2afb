"""The import layers of DESIGN.md ("Layers", ``[tool.importlinter]`` in pyproject.toml) hold, and the check
can fail: an upward import, a cycle back into the exercise and a collector read by the analysis are reported."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tools" / "lint_imports.py"

pytest.importorskip("importlinter")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), "--root", str(root)], capture_output=True, text=True,
                          timeout=240)


def test_the_layers_are_kept():
    run = _lint(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout
    # rules/ and reports/ are in the graph (mapped into the package), not silently left out
    assert "Analyzed" in run.stdout


def test_an_inverted_import_is_reported(tmp_path):
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("resilience", "rules", "reports"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=ignore)
    shutil.copy2(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")

    def add(path: str, line: str) -> None:
        with open(tmp_path / path, "a", encoding="utf-8") as fh:
            fh.write(f"\n{line}  # noqa\n")

    add("resilience/model.py", "import resilience.reports.common")  # model -> reports: upward
    add("rules/zonal.py", "import resilience.scan")  # a mapped folder: rules -> scan
    add("resilience/simulate.py", "from resilience import tabletop")  # the simulate <-> tabletop circle
    add("resilience/failure_domains.py", "import resilience.collectors.aws")  # analysis reads a collector
    run = _lint(tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    out = " ".join(run.stdout.split())
    assert "resilience.model is not allowed to import resilience.reports" in out
    assert "resilience.rules is not allowed to import resilience.scan" in out
    assert "resilience.simulate is not allowed to import resilience.tabletop" in out
    assert "resilience.failure_domains is not allowed to import resilience.collectors" in out
