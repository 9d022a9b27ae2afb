"""docs/recovery-model.md is generated from the table and must not drift."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from resilience.recovery_docs import load_table, model_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "recovery-model.md"


def test_committed_doc_matches_the_table():
    assert DOC.read_text(encoding="utf-8") == model_markdown(), (
        "docs/recovery-model.md is out of date: run `python -m resilience.recovery_docs > docs/recovery-model.md`")


def test_doc_lists_every_entry_with_its_source():
    text = model_markdown()
    for entry in load_table().values():
        assert f"| `{entry.key}` |" in text and entry.url in text


def test_module_entry_point_prints_the_doc():
    out = subprocess.run([sys.executable, "-m", "resilience.recovery_docs"], capture_output=True, text=True, check=True)
    assert out.stdout == model_markdown()
