"""pyproject's package list matches the folders that ship, so a build neither warns nor drops data files.

setuptools warns ("Package ... is absent from the `packages` configuration", about 40 lines each) for a
data folder that is not listed as a package, and says it will stop including it. The wheel test in
``tests/e2e/test_wheel.py`` proves the built wheel works; this one is the fast check of the configuration.
"""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = CONFIG["tool"]["setuptools"]
PACKAGE_DIR = SETUPTOOLS["package-dir"]


def _source_folders() -> dict[str, Path]:
    """package name -> source folder, for every folder under the mapped roots that holds a shipped file."""
    out: dict[str, Path] = {}
    roots = {name: ROOT / folder for name, folder in PACKAGE_DIR.items()}
    # a mapped sub-package (resilience.rules -> rules/) is walked from its own root only
    for name, root in roots.items():
        for folder in [root, *(p for p in root.rglob("*") if p.is_dir())]:
            if "__pycache__" in folder.parts or any(part.startswith(".") for part in folder.relative_to(ROOT).parts):
                continue
            if not any(f.is_file() for f in folder.iterdir()):
                continue
            relative = folder.relative_to(root).parts
            package = ".".join((name, *relative))
            if any(package.startswith(f"{other}.") or package == other
                   for other in roots if other != name and other.startswith(f"{name}.")):
                continue
            out[package] = folder
    return out


def test_every_folder_that_holds_files_is_a_listed_package():
    listed = set(SETUPTOOLS["packages"])
    missing = sorted(set(_source_folders()) - listed)
    assert not missing, f"add to [tool.setuptools] packages in pyproject.toml: {missing}"


def test_every_data_file_is_matched_by_package_data():
    patterns = SETUPTOOLS["package-data"]
    unmatched = []
    for package, folder in _source_folders().items():
        for f in folder.iterdir():
            if not f.is_file() or f.suffix in (".py", ".pyc"):
                continue
            if not any(fnmatch.fnmatch(f.name, p) for p in patterns.get(package, [])):
                unmatched.append(str(f.relative_to(ROOT)))
    assert not unmatched, f"add a package-data pattern in pyproject.toml for: {unmatched}"


def test_demo_extra_names_only_extras_moto_declares():
    from importlib.metadata import metadata

    declared = set(metadata("moto").get_all("Provides-Extra") or [])
    for requirement in CONFIG["project"]["optional-dependencies"]["demo"]:
        if requirement.startswith("moto["):
            extras = requirement[len("moto["):requirement.index("]")].split(",")
            assert set(extras) <= declared, f"moto has no extra {sorted(set(extras) - declared)}"
