"""Reporters: one writer per output format, listed explicitly.

A writer takes a :class:`resilience.scan.ScanResult` and an output folder and returns the
path it wrote. ``findings.json`` is always written (contract 3).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from resilience.errors import InputError
from resilience.results import ScanResult

from . import graph_export, html, json_report, junit, markdown, sarif, tabular
from .common import shared_views

Writer = Callable[[ScanResult, Path], Path]

WRITERS: dict[str, Writer] = {
    "json": json_report.write,
    "md": markdown.write,
    "html": html.write,
    "csv": tabular.write_csv,
    "xlsx": tabular.write_xlsx,
    "sarif": sarif.write,
    "junit": junit.write,
    "graphml": graph_export.write_graphml_file,  # the dependency graph, for graph tools
    "graph": graph_export.write_json_file,  # the same, as networkx node-link JSON
}


def parse_formats(value: str | None, default: tuple[str, ...] = ("json", "md")) -> tuple[str, ...]:
    """``json,md,html`` -> ('json', 'md', 'html'); an unknown name is an input error."""
    if not value:
        return default
    names = tuple(dict.fromkeys(p.strip().lower() for p in value.split(",") if p.strip()))
    unknown = [n for n in names if n not in WRITERS]
    if unknown:
        raise InputError(f"unknown format '{unknown[0]}' (known: {', '.join(sorted(WRITERS))})")
    return names


def write_reports(result: ScanResult, outdir: Path, formats: tuple[str, ...]) -> list[Path]:
    """``findings.json`` and each of ``formats``, in that order. CSV and XLSX asked together are written in
    one pass (:func:`.tabular.write_csv_and_xlsx`: the same rows); the views several reports show are made
    once (:func:`.common.shared_views`)."""
    outdir.mkdir(parents=True, exist_ok=True)
    with shared_views(result):  # what several reports show is made once
        written = [WRITERS["json"](result, outdir)]
        together = {"csv", "xlsx"} <= set(formats)
        if together:
            tables = dict(zip(("csv", "xlsx"), tabular.write_csv_and_xlsx(result, outdir), strict=True))
        for name in formats:
            if name != "json":
                written.append(tables[name] if together and name in tables else WRITERS[name](result, outdir))
    return written
