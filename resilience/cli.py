"""Command line (contract 1): argument parsing and wiring only."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from .controls import SEVERITIES
from .errors import InputError
from .policy import Policy, PolicyError, load_policy

EXIT_OK, EXIT_FAILING, EXIT_INPUT, EXIT_INCOMPLETE = 0, 1, 2, 3


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    """Repeated and comma-separated options alike: ``--x a,b --x c`` -> (a, b, c)."""
    return tuple(dict.fromkeys(p.strip() for v in values for p in v.split(",") if p.strip()))


def _load_policy(path: str | None) -> Policy:
    if not path:
        return Policy()
    from resilience.controls import CATEGORIES
    from resilience.rules import BY_ID

    return load_policy(path, known_categories=frozenset(CATEGORIES), known_rules=frozenset(BY_ID))


class _Group(click.Group):
    """Turns input errors into one line on stderr and exit code 2, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (InputError, PolicyError) as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(EXIT_INPUT)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="resilience-audit", prog_name="resilience")
def main() -> None:
    """Audit cloud estates for availability and regional resilience (SOC 2 A1.2 / A1.3)."""


fail_on_option = click.option(
    "--fail-on", default="high", show_default=True, type=click.Choice([*SEVERITIES, "none"]),
    help="Exit 1 when a failing finding is at or above this severity.",
)


@main.command()
@click.option("--provider", "providers", multiple=True, default=("aws",), show_default=True,
              help="Cloud provider(s): aws, azure, gcp (repeat or comma-separate).")
@click.option("--region", "regions", multiple=True, help="Region(s) under audit: the failure being asked about.")
@click.option("--scan-regions", "scan_regions", multiple=True,
              help="Collection scope, comma-separated (default: every region enabled for the account).")
@click.option("--profile", help="AWS named profile (default: the standard credential chain).")
@click.option("--policy", "policy_path", type=click.Path(dir_okay=False), help="Policy file (resilience.yaml).")
@click.option("--output", "output", default="resilience-out", show_default=True, type=click.Path(file_okay=False),
              help="Folder for findings.json and the other reports.")
@click.option("--format", "formats", default="json,md", show_default=True,
              help="Comma-separated report formats.")
@fail_on_option
@click.option("--strict", is_flag=True, help="Exit 3 when part of the scope could not be assessed.")
@click.option("--inventory", "inventory_path", type=click.Path(dir_okay=False, exists=True),
              help="Analyse a saved inventory.json instead of collecting (offline).")
@click.option("--workers", default=8, show_default=True, type=click.IntRange(1, 64),
              help="Parallel reads (region x service).")
@click.option("--region-deadline", default="5m", show_default=True,
              help="Give up on a region's remaining reads after this long (recorded as unreachable).")
def scan(providers, regions, scan_regions, profile, policy_path, output, formats, fail_on, strict,
         inventory_path, workers, region_deadline) -> None:
    """Collect the estate, build the dependency graph, run the rules, write the reports."""
    from .durations import parse_duration
    from .regions import validate_regions
    from .reports import parse_formats

    providers = _split(providers)
    audited = _split(regions)
    scope = _split(scan_regions)
    fmt = parse_formats(formats)
    policy = _load_policy(policy_path)
    validate_regions(audited + scope, providers)
    try:
        deadline = parse_duration(region_deadline)
    except ValueError as exc:
        raise InputError(f"--region-deadline: {exc}") from None

    if inventory_path:
        inventory = _read_inventory(inventory_path)
    else:
        from .collect import CollectOptions, collect_inventory
        from .console import progress_reporter

        options = CollectOptions(providers=providers, scan_regions=scope, profile=profile, max_workers=workers,
                                 region_deadline_s=float(deadline))
        with progress_reporter() as progress:
            inventory = collect_inventory(options, now=_utcnow, progress=progress)
    _finish(inventory, policy, audited=audited, output=Path(output), formats=fmt, fail_on=fail_on, strict=strict,
            scan_time=_utcnow())


def _read_inventory(path: str):
    from .model import Inventory

    try:
        return Inventory.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: not a readable inventory snapshot: {exc}") from None


def _finish(inventory, policy, *, audited, output: Path, formats, fail_on, strict, scan_time) -> None:
    from .console import print_summary
    from .engine import failing_at
    from .reports import write_reports
    from .scan import analyse

    result = analyse(inventory, policy, scan_time=scan_time, audited_regions=audited, finished_at=_utcnow())
    written = write_reports(result, output, formats)
    print_summary(result.findings, written=[str(p) for p in written])
    if failing_at(result.findings, fail_on):
        sys.exit(EXIT_FAILING)
    if strict and any(not c.ok for c in result.coverage):
        sys.exit(EXIT_INCOMPLETE)


@main.command()
@click.option("--output", default="demo-out", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the demo's reports.")
@click.option("--format", "formats", default=None, help="Comma-separated formats (default: all).")
def demo(output, formats) -> None:
    """Run the whole scan on the bundled demo estate (moto; no cloud account, no network)."""
    from .demo import run_demo
    from .reports import WRITERS, parse_formats

    fmt = parse_formats(formats, default=tuple(WRITERS))
    run_demo(Path(output), fmt)


@main.command(name="rules")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "md"]), default="table", show_default=True)
def rules_cmd(fmt) -> None:
    """List the rule catalogue: id, category, severity, controls."""
    from .catalogue import print_rules

    print_rules(fmt)


@main.command()
@click.argument("rule_id")
def explain(rule_id) -> None:
    """Print one rule in full: rationale, remediation, controls, references."""
    from .catalogue import explain_rule

    try:
        click.echo(explain_rule(rule_id))
    except KeyError as exc:
        raise InputError(str(exc.args[0])) from None


# Further commands register here, one line each (keep this module to parsing and wiring).
