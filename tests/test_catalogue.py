"""The committed rule catalogue (rules/CATALOGUE.md) is generated from the registry and must not drift."""

from __future__ import annotations

from pathlib import Path

from resilience.catalogue import catalogue_markdown

CATALOGUE = Path(__file__).resolve().parents[1] / "rules" / "CATALOGUE.md"


def test_committed_catalogue_matches_the_registry():
    assert CATALOGUE.exists(), "run: resilience rules --format md > rules/CATALOGUE.md"
    assert CATALOGUE.read_text(encoding="utf-8") == catalogue_markdown(), (
        "rules/CATALOGUE.md is out of date: regenerate it with `make catalogue` "
        "(resilience rules --format md > rules/CATALOGUE.md)"
    )
