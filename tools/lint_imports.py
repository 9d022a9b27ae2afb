"""Check the import layers of ``pyproject.toml`` (``[tool.importlinter]``, DESIGN.md "Layers") with import-linter.

``rules/`` and ``reports/`` are ``resilience.rules`` / ``resilience.reports`` only through setuptools'
``package-dir`` mapping, which grimp (import-linter's graph builder) does not follow: it reads the files under
the package's folder. So the package is assembled as it is installed, in a temporary folder (``resilience/``
with ``rules/`` and ``reports/`` linked in, copied where links are not allowed), and the contracts run with
that folder first on ``sys.path``.

    python tools/lint_imports.py [--root DIR]   # 0: every contract kept; 1: one is broken
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from importlinter.cli import lint_imports

#: where each package of the installed ``resilience`` lives in the source tree (pyproject.toml package-dir)
MAPPED = {"rules": "rules", "reports": "reports"}


def _link(src: Path, dst: Path) -> None:
    try:
        dst.symlink_to(src, target_is_directory=src.is_dir())
    except OSError:  # no symlinks (Windows without developer mode): copy
        if src.is_dir():
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dst)


def assemble(root: Path, into: Path) -> Path:
    """``into/resilience``: the source package with the mapped folders in place; returns ``into``."""
    package = into / "resilience"
    package.mkdir()
    for entry in sorted((root / "resilience").iterdir()):
        if entry.name != "__pycache__" and entry.name not in MAPPED:
            _link(entry.resolve(), package / entry.name)
    for name, folder in MAPPED.items():
        _link((root / folder).resolve(), package / name)
    return into


def check(root: Path) -> int:
    root = root.resolve()
    with tempfile.TemporaryDirectory(prefix="lint-imports-") as tmp:
        here = os.getcwd()
        os.chdir(assemble(root, Path(tmp)))  # import-linter puts the working directory first on sys.path
        try:
            return lint_imports(config_filename=str(root / "pyproject.toml"), no_cache=True)
        finally:
            os.chdir(here)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1],
                        help="the source tree (pyproject.toml, resilience/, rules/, reports/)")
    return check(parser.parse_args(argv).root)


if __name__ == "__main__":
    sys.exit(main())
