"""The built wheel, installed with its ``[demo]`` extra into a fresh venv, runs ``resilience demo``,
and installs no top-level ``rules`` or ``reports`` package (PyPI has distributions of those names)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]

ROOT = Path(__file__).resolve().parents[2]
#: source folder -> the package it becomes (pyproject's package-dir)
PACKAGE_DIRS = {"resilience": "resilience", "rules": "resilience/rules", "reports": "resilience/reports"}
_SKIP = shutil.ignore_patterns(".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
                               ".ruff_cache", "demo-out", "bench-out", "resilience-out", "tests", "node_modules")


def _env(**extra: str) -> dict[str, str]:
    """This environment without anything that would make the new venv import the checkout."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PYTHONSTARTUP") and not k.startswith("AWS_")}
    env.update(extra)
    return env


def _run(cmd: list[str], *, cwd: Path, timeout: float, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, env=env or _env(), capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def timings() -> dict[str, float]:
    found: dict[str, float] = {}
    yield found
    print("\nwheel test timings: " + ", ".join(f"{k} {v:.1f}s" for k, v in found.items()))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory, timings) -> Path:
    """Build from a copy of the tree, so the shared checkout gets no build/ or egg-info debris."""
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    shutil.copytree(ROOT, src, ignore=_SKIP)
    start = time.monotonic()
    proc = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(work / "dist"), str(src)],
                cwd=work, timeout=600)
    timings["build"] = time.monotonic() - start
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (built,) = (work / "dist").glob("resilience_audit-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory, timings) -> Path:
    """A fresh venv (no system site-packages) with ``<wheel>[demo]`` installed from the package index."""
    target = tmp_path_factory.mktemp("venv") / "venv"
    start = time.monotonic()
    proc = _run([sys.executable, "-m", "venv", str(target)], cwd=target.parent, timeout=300)
    assert proc.returncode == 0, proc.stderr
    timings["venv"] = time.monotonic() - start
    start = time.monotonic()
    proc = _run([str(target / "bin" / "python"), "-m", "pip", "install", "--quiet", f"{wheel}[demo]"],
                cwd=target.parent, timeout=900)
    timings["install"] = time.monotonic() - start
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    return target


def test_wheel_holds_every_package_and_no_top_level_rules_or_reports(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/", 1)[0] for n in names if not n.split("/", 1)[0].endswith((".dist-info", ".data"))}
    assert tops == {"resilience"}, tops
    for folder, package in PACKAGE_DIRS.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            if "__pycache__" in init.parts:
                continue
            inside = f"{package}/{init.relative_to(ROOT / folder).as_posix()}"
            assert inside in names, f"{init.relative_to(ROOT)} is not in the wheel (add its package to pyproject)"
    assert "resilience/demo/resilience.yaml" in names
    assert any(n.startswith("resilience/reports/templates/") for n in names)
    top_level = next(n for n in names if n.endswith(".dist-info/top_level.txt"))
    assert zipfile.ZipFile(wheel).read(top_level).decode().split() == ["resilience"]


def test_demo_runs_from_the_installed_wheel(venv, tmp_path, timings):
    out = tmp_path / "demo-out"
    start = time.monotonic()
    proc = _run([str(venv / "bin" / "resilience"), "demo", "--output", str(out)], cwd=tmp_path, timeout=600)
    timings["demo"] = time.monotonic() - start
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    doc = json.loads((out / "findings.json").read_text())
    assert doc["schema"] == "resilience.findings/v1"
    assert doc["findings"] and {w["name"] for w in doc["workloads"]} >= {"payments", "checkout"}
    assert str(out.resolve()) in proc.stdout.replace("\n", "")


@pytest.mark.parametrize("name", ["rules", "reports"])
def test_top_level_rules_and_reports_are_not_importable(venv, tmp_path, name):
    # cwd is an empty folder: nothing but the venv can provide the name
    proc = _run([str(venv / "bin" / "python"), "-c", f"import {name}"], cwd=tmp_path, timeout=60)
    assert proc.returncode != 0 and "ModuleNotFoundError" in proc.stderr, proc.stderr


def test_namespaced_packages_come_from_the_venv(venv, tmp_path):
    code = "import resilience.rules, resilience.reports, resilience.demo; print(resilience.rules.__file__)"
    proc = _run([str(venv / "bin" / "python"), "-c", code], cwd=tmp_path, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert Path(proc.stdout.strip()).resolve().is_relative_to(venv.resolve())
