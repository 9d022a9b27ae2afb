"""``findings.json`` (contract 3) and ``inventory.json`` (the snapshot offline analyses run on)."""

from __future__ import annotations

import json
from pathlib import Path

from resilience.scan import ScanResult, findings_document


def write(result: ScanResult, outdir: Path) -> Path:
    path = outdir / "findings.json"
    path.write_text(json.dumps(findings_document(result), indent=2, default=str) + "\n", encoding="utf-8")
    (outdir / "inventory.json").write_text(result.inventory.to_json() + "\n", encoding="utf-8")
    return path
