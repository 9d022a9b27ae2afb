"""The dependency graph itself, for other tools: ``graph.graphml`` (Gephi, yEd, networkx) and
``graph.json`` (networkx node-link JSON)."""

from __future__ import annotations

import json
from pathlib import Path

from resilience.graph import graph_to_json, write_graphml
from resilience.results import ScanResult


def write_graphml_file(result: ScanResult, outdir: Path) -> Path:
    path = outdir / "graph.graphml"
    write_graphml(result.graph, str(path))
    return path


def write_json_file(result: ScanResult, outdir: Path) -> Path:
    path = outdir / "graph.json"
    path.write_text(json.dumps(graph_to_json(result.graph), indent=2, sort_keys=True, default=str) + "\n",
                    encoding="utf-8")
    return path
