"""``report.md``: the findings for a person, failing first, with evidence."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from jinja2 import Environment, StrictUndefined

from resilience.controls import CONTROLS
from resilience.durations import format_duration
from resilience.results import ScanResult, summarise

from . import markdown_escape, subservice
from .common import MAX_ACCOUNTS, MAX_LISTED, MAX_WORKLOADS, some, status_counts, worst_first


def environment() -> Environment:
    env = Environment(autoescape=False, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    env.filters["duration"] = format_duration
    env.filters["some"] = some
    return markdown_escape.apply(env)


def render(result: ScanResult) -> str:
    template = environment().from_string(
        files("resilience.reports").joinpath("templates/report.md.j2").read_text(encoding="utf-8")
    )
    # the findings come failing first, by severity (the engine's order): each list is cut at MAX_LISTED
    failing = [f for f in result.findings if f.status == "fail"]
    unknown = [f for f in result.findings if f.status == "unknown"]
    waived = [f for f in result.findings if f.status == "waived"]
    gaps = [c for c in result.coverage if not c.ok and c.status != "skipped"]  # skipped: not offered there
    skipped = [c for c in result.coverage if c.status == "skipped"]
    per_control = status_counts((c, f.status) for f in result.findings for c in f.controls)
    controls = [(c, CONTROLS.get(c, ""), per_control[c])
                for c in sorted(per_control, key=lambda c: (list(CONTROLS).index(c) if c in CONTROLS else 999, c))]
    expired = [f for f in failing if f.waiver and f.waiver.get("expired")]
    new = [f for f in failing if f.baseline == "new"]
    baseline = result.extra.get("baseline")
    failing_per_workload: dict[str, int] = {}
    for f in failing:
        for name in dict.fromkeys([*f.workloads, *([f.workload] if f.workload else [])]):
            failing_per_workload[name] = failing_per_workload.get(name, 0) + 1
    workloads = worst_first(result.workloads, MAX_WORKLOADS, failing_per_workload, lambda w: w["name"])
    totals = {"failing": len(failing), "unknown": len(unknown), "waived": len(waived), "expired": len(expired),
              "new": len(new), "gaps": len(gaps), "workloads": len(result.workloads),
              "resolved": len((baseline or {}).get("resolved_findings") or [])}
    cut = MAX_LISTED
    return template.render(scan=result.scan, summary=summarise(result.findings), failing=failing[:cut],
                           unknown=unknown[:cut], waived=waived[:cut], expired=expired[:cut], gaps=gaps[:cut],
                           skipped=skipped, workloads=workloads, totals=totals, limit=cut,
                           workload_limit=MAX_WORKLOADS, truncated=any(n > (MAX_WORKLOADS if k == "workloads" else cut)
                                                                 for k, n in totals.items()),
                           passed=sum(1 for f in result.findings if f.status == "pass"), controls=controls,
                           baseline=baseline, new=new[:cut]) + subservice.section(result, "md") \
        + _account_section(result)


def _account_section(result: ScanResult) -> str:
    from . import accounts
    from .json_report import account_view

    rows = account_view(result)
    return accounts.markdown(rows, MAX_ACCOUNTS) if accounts.worth_showing(rows) else ""


def write(result: ScanResult, outdir: Path) -> Path:
    path = outdir / "report.md"
    path.write_text(render(result), encoding="utf-8")
    return path
