"""``findings.json`` (contract 3), ``inventory.json`` (the snapshot offline analyses run on) and
``policy.yaml`` (the policy text the scan used, so that an evidence pack can be built later from
the output folder alone).

``findings.json`` validates against the published schema ``schemas/findings.schema.json``
(:func:`schema`). Additive sections written here: ``rules`` (what was checked, with a definition
fingerprint per rule) and, when a baseline is given, ``baseline`` (see :mod:`resilience.baseline`).
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from resilience import jsonout
from resilience.results import ScanResult, finding_facts, findings_document

from . import accounts
from .common import scan_catalogue, shared

POLICY_COPY = "policy.yaml"


@cache
def schema() -> dict[str, Any]:
    """The published JSON Schema of ``findings.json``."""
    text = files("resilience.reports").joinpath("schemas/findings.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def document(result: ScanResult, *, lazy: bool = False) -> dict[str, Any]:
    """The ``findings.json`` document; ``lazy``: its findings made dicts only as they are written."""
    doc = findings_document(result, lazy=lazy)
    doc.setdefault("rules", [
        {k: v for k, v in meta.items() if k not in ("rationale", "remediation", "references")}
        for meta in scan_catalogue(result)
    ])
    rows = account_view(result)
    if accounts.worth_showing(rows):
        doc.setdefault("by_account", rows)
    return doc


def account_view(result: ScanResult) -> list[dict[str, Any]]:
    """The rows of the account view (:mod:`.accounts`) for a scan result (read-only: findings.json and the
    HTML and Markdown reports share them, :func:`.common.shared`)."""
    return shared(result, "account_view", lambda: accounts.account_rows(
        finding_facts(result.findings), result.coverage, result.inventory.meta.get("aws_accounts") or ()))


def write(result: ScanResult, outdir: Path) -> Path:
    path = outdir / "findings.json"
    jsonout.write(document(result, lazy=True), path)  # what json.dumps(indent=2) writes, a finding at a time
    result.inventory.write_json(outdir / "inventory.json")
    if result.policy.text is not None:
        (outdir / POLICY_COPY).write_text(result.policy.text, encoding="utf-8", newline="")
    return path
