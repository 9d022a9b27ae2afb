"""Writers of the history period report (contract 5): ``history-report.json`` as built, a Markdown
summary, a self-contained HTML page with a day-by-day calendar per control, and CSV (controls,
exceptions, days) for working papers. They render the report document; they compute nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from importlib.resources import files
from pathlib import Path
from typing import Any

from jinja2 import Environment, StrictUndefined, select_autoescape

from .common import spreadsheet_safe

FORMATS = ("json", "md", "html", "csv", "oscal")
STATE_LABELS = {"operated": "operated", "exception": "exception", "no-scan": "no complete scan"}
EXCEPTION_COLUMNS = ("control", "finding_id", "rule", "resource", "workload", "account", "severity", "status",
                     "first_seen", "last_seen", "resolved", "days_open", "sla_days", "within_sla")
CONTROL_COLUMNS = ("control", "days_in_period", "days_scanned", "days_operated", "days_with_exceptions",
                   "monitoring_gaps", "exceptions", "exceptions_outside_sla")


def parse_formats(value: str | None) -> tuple[str, ...]:
    from resilience.errors import InputError

    chosen = tuple(dict.fromkeys(p.strip() for p in (value or "json,md").split(",") if p.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise InputError(f"--format: unknown history report format {', '.join(unknown) or '(none)'} "
                         f"(choose from {', '.join(FORMATS)})")
    return chosen


def day_states(control: dict[str, Any], period: dict[str, Any]) -> list[tuple[dt.date, str]]:
    """Every day of the period with its state, from the control's gap and exception lists."""
    gaps, exceptions = set(control["monitoring_gaps"]), set(control.get("exception_days", []))
    start, end = dt.date.fromisoformat(period["from"]), dt.date.fromisoformat(period["to"])
    out = []
    for n in range((end - start).days + 1):
        day = start + dt.timedelta(days=n)
        key = day.isoformat()
        out.append((day, "no-scan" if key in gaps else "exception" if key in exceptions else "operated"))
    return out


def calendar_weeks(control: dict[str, Any], period: dict[str, Any]) -> list[dict[str, Any]]:
    """Columns of seven days (Monday first), padded so each column is one calendar week; a column
    in which a month starts carries that month's name as its label."""
    days = day_states(control, period)
    cells: list[dict[str, str] | None] = [None] * days[0][0].weekday()
    cells += [{"date": d.isoformat(), "state": s, "label": STATE_LABELS[s],
               "month": d.strftime("%b") if d.day == 1 or i == 0 else ""} for i, (d, s) in enumerate(days)]
    cells += [None] * (-len(cells) % 7)
    weeks = [cells[i:i + 7] for i in range(0, len(cells), 7)]
    return [{"label": next((c["month"] for c in week if c and c["month"]), ""), "days": week} for week in weeks]


def _environment() -> Environment:
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(calendar_weeks=calendar_weeks, outside_sla=_outside_sla)
    return env


def _outside_sla(control: dict[str, Any]) -> int | str:
    """Exceptions remediated (or open) past their SLA; ``n/a`` when no exception had an SLA to judge by
    (no ``remediation_sla:`` for its severity): 0 would read as "all within SLA"."""
    judged = [e for e in control["exceptions"] if e["within_sla"] is not None]
    if control["exceptions"] and not judged:
        return "n/a"
    return sum(1 for e in judged if e["within_sla"] is False)


def _template(name: str) -> str:
    return files("resilience.reports").joinpath(f"templates/{name}").read_text(encoding="utf-8")


def render_md(report: dict[str, Any]) -> str:
    return _environment().from_string(_template("history.md.j2")).render(r=report)


def render_html(report: dict[str, Any]) -> str:
    return _environment().from_string(_template("history.html.j2")).render(r=report)


def _csv(columns, rows) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: spreadsheet_safe("" if v is None else v) for k, v in row.items()})
    return buf.getvalue()


def render_csv(report: dict[str, Any]) -> dict[str, str]:
    controls = [{**{k: c[k] for k in CONTROL_COLUMNS[:5]}, "monitoring_gaps": len(c["monitoring_gaps"]),
                 "exceptions": len(c["exceptions"]), "exceptions_outside_sla": _outside_sla(c)}
                for c in report["controls"]]
    exceptions = [{"control": c["control"], **e} for c in report["controls"] for e in c["exceptions"]]
    days = [{"control": c["control"], "date": d.isoformat(), "state": s}
            for c in report["controls"] for d, s in day_states(c, report["period"])]
    return {"history-report.csv": _csv(CONTROL_COLUMNS, controls),
            "history-exceptions.csv": _csv(EXCEPTION_COLUMNS, exceptions),
            "history-days.csv": _csv(("control", "date", "state"), days)}


def rendered(report: dict[str, Any], formats: tuple[str, ...]) -> dict[str, str]:
    """File name -> text for every non-OSCAL format asked for."""
    out: dict[str, str] = {}
    if "json" in formats:
        out["history-report.json"] = json.dumps(report, indent=2) + "\n"
    if "md" in formats:
        out["history-report.md"] = render_md(report)
    if "html" in formats:
        out["history-report.html"] = render_html(report)
    if "csv" in formats:
        out.update(render_csv(report))
    return out


def write(report: dict[str, Any], outdir: Path, formats: tuple[str, ...]) -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in rendered(report, formats).items():
        (outdir / name).write_text(text, encoding="utf-8")
        written.append(outdir / name)
    return written
