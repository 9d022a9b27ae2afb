"""``resilience history ...`` (contract 1, continued): argument parsing and wiring only.

Registered on the main group by one line in :mod:`resilience.cli`; input problems raise
:class:`~resilience.errors.InputError`, which the main group turns into one line and exit 2.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

from resilience.errors import InputError

EXIT_OK, EXIT_TAMPERED = 0, 1
SECRET_URL_FLAGS = ("--history", "--db")

db_option = click.option("--db", "db", default=None, metavar="URL",
                         help="History database (SQLAlchemy URL: sqlite:///file.sqlite or postgresql://...). "
                              "Default: $RESILIENCE_HISTORY_DB, else sqlite:///resilience-history.sqlite.")


def require_history_support() -> None:
    """A clear message instead of an ImportError when the ``history`` extra is not installed."""
    try:
        import alembic  # noqa: F401
        import jsonschema_rs  # noqa: F401
        import sqlalchemy  # noqa: F401
    except ImportError as exc:
        raise InputError(f"the history needs {exc.name}: pip install 'resilience-audit[history]'") from None


def command_line(argv: list[str] | None = None) -> str:
    """The command as run, with any password in a database URL replaced by ``***``."""
    from .store import redact

    args = list(sys.argv[1:] if argv is None else argv)
    out = []
    for i, arg in enumerate(args):
        flag, eq, value = arg.partition("=")
        if eq and flag in SECRET_URL_FLAGS:
            arg = f"{flag}={redact(value)}"
        elif i and args[i - 1] in SECRET_URL_FLAGS:
            arg = redact(arg)
        out.append(arg)
    return shlex.join(["resilience", *out])


def _open(db: str | None, *, create: bool = True):
    require_history_support()
    from .store import open_store

    return open_store(db, create=create)


def _policy_sla(policy_path: str | None) -> dict[str, int]:
    if not policy_path:
        return {}
    from resilience.controls import CATEGORIES
    from resilience.policy import load_policy
    from resilience.rules import BY_ID

    return load_policy(policy_path, known_categories=frozenset(CATEGORIES),
                       known_rules=frozenset(BY_ID)).remediation_sla


def _tool_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("resilience-audit")
    except PackageNotFoundError:
        return ""


def period_report(store, start: str | None, end: str | None, *, controls=(), policy_path=None, scan_id=None):
    from .period import build_report, parse_day

    if scan_id and not (start and end):
        from sqlalchemy import select

        from . import tables as t

        with store.begin() as conn:
            day = conn.execute(select(t.scans.c.day).where(t.scans.c.scan_id == scan_id)).scalar()
        if day is None:
            raise InputError(f"--scan {scan_id}: no such scan in the history")
        start = start or day
        end = end or day
    if not (start and end):
        raise InputError("--from and --to are required (YYYY-MM-DD), unless --scan names one scan")
    return build_report(store, parse_day(start, "--from"), parse_day(end, "--to"), controls=controls,
                        remediation_sla=_policy_sla(policy_path), scan_id=scan_id)


def write_report(report, output: Path, formats: tuple[str, ...]) -> list[Path]:
    from resilience.reports import history_report

    written = history_report.write(report, output, formats)
    if "oscal" in formats:
        from .oscal import write

        written.append(write(report, output, _tool_version()))
    return written


@click.group(name="history")
def history() -> None:
    """The scan history: add findings files, verify the chain, period reports and samples for auditors."""


@history.command(name="add")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@db_option
def add(paths, db) -> None:
    """Add findings.json files (or folders of them) to the history; idempotent by scan id."""
    from .ingest import add_paths

    with _open(db) as store:
        results = add_paths(store, paths, ingested_by=command_line())
    added = sum(1 for r in results if r.status == "added")
    for r in results:
        click.echo(f"{r.status:15} #{r.seq:<6} {r.scan_id}  {r.path}")
    click.echo(f"{added} added, {len(results) - added} already in the history")


@history.command(name="verify")
@db_option
@click.option("--head", "expected_head", metavar="HASH",
              help="The chain head recorded earlier: also detects scans removed from the end.")
def verify_cmd(db, expected_head) -> None:
    """Check the hash chain: exit 0 intact, 1 tampered (names the scan), 2 bad input."""
    from .chain import verify

    with _open(db, create=False) as store:
        verdict = verify(store, expected_head=expected_head)
    for problem in verdict.problems:
        click.echo(f"TAMPERED {problem}", err=True)
    if not verdict.intact:
        sys.exit(EXIT_TAMPERED)
    click.echo(f"ok: {verdict.scans} scans, chain intact; head {verdict.head}")


@history.command(name="report")
@click.option("--from", "start", metavar="DATE", help="First day of the period (YYYY-MM-DD, UTC).")
@click.option("--to", "end", metavar="DATE", help="Last day of the period (inclusive).")
@click.option("--control", "controls", multiple=True, help="Only these controls (repeatable), e.g. SOC2:A1.2.")
@click.option("--scan", "scan_id", help="Report one scan only (its day, unless --from/--to are given).")
@click.option("--policy", "policy_path", type=click.Path(dir_okay=False),
              help="Policy file whose remediation_sla: judges the exceptions.")
@db_option
@click.option("--output", default="history-out", show_default=True, type=click.Path(file_okay=False))
@click.option("--format", "formats", default="json,md", show_default=True,
              help="Comma-separated: json, md, html, csv, oscal.")
def report_cmd(start, end, controls, scan_id, policy_path, db, output, formats) -> None:
    """Per control over a period: days operated, monitoring gaps, exceptions against the SLA."""
    from resilience.reports.history_report import parse_formats

    fmt = parse_formats(formats)
    with _open(db, create=False) as store:
        report = period_report(store, start, end, controls=_split(controls), policy_path=policy_path,
                               scan_id=scan_id)
    for path in write_report(report, Path(output), fmt):
        click.echo(f"wrote {path}")
    for c in report["controls"]:
        click.echo(f"{c['control']}: operated {c['days_operated']}/{c['days_in_period']} days, "
                   f"{len(c['monitoring_gaps'])} monitoring gaps, {len(c['exceptions'])} exceptions")
    if not report["history"]["chain_intact"]:  # the report says so too; the exit code makes CI notice
        for problem in report["history"]["problems"]:
            click.echo(f"TAMPERED {problem}", err=True)
        sys.exit(EXIT_TAMPERED)


@history.command(name="sample")
@click.option("--dates", "dates", multiple=True, help="Days to sample, comma-separated (YYYY-MM-DD).")
@click.option("--random", "count", type=int, help="Draw this many days at random from the days with a scan.")
@click.option("--seed", type=int, help="Seed of the random draw (required with --random: the draw is repeatable).")
@click.option("--from", "start", metavar="DATE", help="With --random: draw from this day on.")
@click.option("--to", "end", metavar="DATE", help="With --random: draw up to this day.")
@db_option
@click.option("--output", default=".", show_default=True, type=click.Path(file_okay=False),
              help="Folder for history-sample.zip.")
def sample_cmd(dates, count, seed, start, end, db, output) -> None:
    """Export the results of sampled days, with their original file hashes, as an evidence pack."""
    from .packs import TamperedHistory, build_sample_pack
    from .period import parse_day
    from .sampling import named_days, random_days, scanned_days

    if bool(dates) == (count is not None):
        raise InputError("give either --dates D1,D2 or --random N --seed S")
    if count is not None and seed is None:
        raise InputError("--random needs --seed, so the sample can be drawn again")
    path = Path(output) / "history-sample.zip"
    with _open(db, create=False) as store:
        if dates:
            days, selection = named_days(_split(dates)), {"method": "dates"}
        else:
            population = scanned_days(store, parse_day(start, "--from") if start else None,
                                      parse_day(end, "--to") if end else None)
            days = random_days(population, count, seed)
            selection = {"method": "random", "count": count, "seed": seed, "population": len(population),
                         "from": start or (population[0] if population else None),
                         "to": end or (population[-1] if population else None)}
        try:
            digest = build_sample_pack(store, days, path, selection=selection)
        except TamperedHistory as exc:
            click.echo(f"TAMPERED {exc}", err=True)
            sys.exit(EXIT_TAMPERED)
    click.echo(f"sampled {', '.join(days)}")
    click.echo(f"wrote {path} (manifest sha256 {digest})")


def period_pack(db: str | None, start: str | None, end: str | None, output: Path, policy_path: str | None) -> str:
    """``resilience evidence --history URL --from --to``: the period's evidence pack."""
    from .packs import TamperedHistory, build_period_pack

    if not (start and end):
        raise InputError("with --history, --from and --to are the period (YYYY-MM-DD)")
    from resilience.reports.history_report import rendered

    with _open(db, create=False) as store:
        report = period_report(store, start, end, policy_path=policy_path)
        try:
            return build_period_pack(store, report, rendered(report, ("json", "md", "html", "csv")), output)
        except TamperedHistory as exc:
            click.echo(f"TAMPERED {exc}", err=True)
            sys.exit(EXIT_TAMPERED)


def append_scan(db: str, findings_path: Path) -> str:
    """``scan --history URL``: append the findings file the scan just wrote; a line for the summary."""
    from .ingest import append, read_findings

    with _open(db) as store:
        doc, data = read_findings(findings_path)
        line = command_line()
        added = append(store, doc, data, path=str(findings_path), command_line=line, ingested_by=line)
    return f"history: scan {added.scan_id} {added.status} as #{added.seq}"


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.strip() for v in values for p in v.split(",") if p.strip()))
