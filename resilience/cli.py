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


def _options(*options):
    """Apply a list of click options in the order they are listed (help shows them in that order)."""
    def decorate(f):
        for option in reversed(options):
            f = option(f)
        return f
    return decorate


#: how to collect: shared by `scan` and `simulate`
def _scope_option(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """--management-group / --folder: kept in the context, passed to the collectors as options.extra."""
    if value:
        ctx.meta.setdefault("resilience.scope", {})[param.name] = value


collection_options = _options(
    click.option("--provider", "providers", multiple=True, default=("aws",), show_default=True,
                 help="Cloud provider(s): aws, azure, gcp (repeat or comma-separate)."),
    click.option("--scan-regions", "scan_regions", multiple=True,
                 help="Collection scope, comma-separated (default: every region enabled for the account)."),
    click.option("--inventory", "inventory_path", type=click.Path(dir_okay=False, exists=True),
                 help="Use a saved inventory.json instead of collecting (offline)."),
    click.option("--profile", help="AWS named profile (default: the standard credential chain)."),
    click.option("--subscription", "azure_subscriptions", multiple=True,
                 help="Azure subscription id(s) to scan (repeatable; default: every subscription the identity sees)."),
    click.option("--project", "gcp_projects", multiple=True, help="GCP project id(s) to scan (repeatable)."),
    click.option("--organization", "gcp_organization", help="GCP organization id: scan every project in it."),
    click.option("--management-group", "azure_management_group", expose_value=False, callback=_scope_option,
                 help="Azure management group id: scan every subscription under it (four at a time)."),
    click.option("--folder", "gcp_folder", expose_value=False, callback=_scope_option,
                 help="GCP folder id: scan every project under it (four at a time)."),
    click.option("--workers", default=8, show_default=True, type=click.IntRange(1, 64),
                 help="Parallel reads (region x service)."),
    click.option("--region-deadline", default="5m", show_default=True,
                 help="Give up on a region's remaining reads after this long (recorded as unreachable)."),
)


def _deadline(value: str) -> float:
    from .durations import parse_duration

    try:
        return float(parse_duration(value))
    except ValueError as exc:
        raise InputError(f"--region-deadline: {exc}") from None


def _collect(*, providers, scope, profile, workers, region_deadline: float, azure_subscriptions, gcp_projects,
             gcp_organization):
    from .collect import CollectOptions, collect_inventory
    from .console import progress_reporter

    options = CollectOptions(providers=providers, scan_regions=scope, profile=profile, max_workers=workers,
                             region_deadline_s=region_deadline, azure_subscriptions=_split(azure_subscriptions),
                             gcp_projects=_split(gcp_projects), gcp_organization=gcp_organization,
                             extra=dict(click.get_current_context().meta.get("resilience.scope", {})))
    with progress_reporter() as progress:
        return collect_inventory(options, now=_utcnow, progress=progress)


@main.command()
@click.option("--region", "regions", multiple=True, help="Region(s) under audit: the failure being asked about.")
@collection_options
@click.option("--policy", "policy_path", type=click.Path(dir_okay=False), help="Policy file (resilience.yaml).")
@click.option("--output", "output", default="resilience-out", show_default=True, type=click.Path(file_okay=False),
              help="Folder for findings.json and the other reports.")
@click.option("--format", "formats", default="json,md", show_default=True,
              help="Comma-separated report formats.")
@fail_on_option
@click.option("--strict", is_flag=True, help="Exit 3 when part of the scope could not be assessed.")
@click.option("--baseline", "baselines", multiple=True, type=click.Path(dir_okay=False, exists=True),
              help="A previous findings.json (repeatable): classify new/unchanged/resolved; --fail-on then "
                   "counts new failures only. Several give a trend; the most recent one classifies.")
@click.option("--fail-on-all", is_flag=True, help="With --baseline, fail on every failing finding, not only new ones.")
@click.option("--evidence", is_flag=True, help="Also write evidence.zip (the auditor's evidence pack) to --output.")
def scan(regions, providers, scan_regions, inventory_path, profile, azure_subscriptions, gcp_projects,
         gcp_organization, workers, region_deadline, policy_path, output, formats, fail_on, strict, baselines,
         fail_on_all, evidence) -> None:
    """Collect the estate, build the dependency graph, run the rules, write the reports."""
    from .regions import validate_regions
    from .reports import parse_formats

    providers = _split(providers)
    audited = _split(regions)
    scope = _split(scan_regions)
    fmt = parse_formats(formats)
    policy = _load_policy(policy_path)
    validate_regions(audited + scope, providers)
    deadline = _deadline(region_deadline)
    if inventory_path:
        inventory = _read_inventory(inventory_path)
    else:
        inventory = _collect(providers=providers, scope=scope, profile=profile, workers=workers,
                             region_deadline=deadline, azure_subscriptions=azure_subscriptions,
                             gcp_projects=gcp_projects, gcp_organization=gcp_organization)
    _finish(inventory, policy, audited=audited, output=Path(output), formats=fmt, fail_on=fail_on, strict=strict,
            scan_time=_utcnow(), baselines=baselines, fail_on_all=fail_on_all, evidence=evidence)


def _read_inventory(path: str):
    from .model import Inventory

    try:
        return Inventory.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: not a readable inventory snapshot: {exc}") from None


def _finish(inventory, policy, *, audited, output: Path, formats, fail_on, strict, scan_time, baselines=(),
            fail_on_all=False, evidence=False) -> None:
    from .baseline import apply_baselines
    from .console import print_summary
    from .engine import failing_at
    from .reports import write_reports
    from .scan import analyse

    result = analyse(inventory, policy, scan_time=scan_time, audited_regions=audited, finished_at=_utcnow())
    apply_baselines(result, baselines)
    written = write_reports(result, output, formats)
    if evidence:
        from .evidence_pack import build_from_dir

        written.append(build_from_dir(output, output / "evidence.zip")[0])
    print_summary(result.findings, written=[str(p) for p in written], baseline=result.extra.get("baseline"))
    if failing_at(result.findings, fail_on, new_only=bool(baselines) and not fail_on_all):
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


@main.group(name="evidence", invoke_without_command=True)
@click.option("--from", "from_dir", type=click.Path(file_okay=False, exists=True),
              help="A scan's --output folder (findings.json, inventory.json, policy.yaml).")
@click.option("--output", default="evidence.zip", show_default=True, type=click.Path(dir_okay=False),
              help="The evidence pack to write.")
@click.pass_context
def evidence(ctx, from_dir, output) -> None:
    """Build the auditor's evidence pack from an earlier scan's output (or: evidence verify PACK)."""
    if ctx.invoked_subcommand:
        return
    if not from_dir:
        raise click.UsageError("--from DIR is required (a scan's --output folder)")
    from .evidence_pack import build_from_dir

    path, digest = build_from_dir(Path(from_dir), Path(output))
    click.echo(f"wrote {path} (manifest sha256 {digest})")


@evidence.command(name="verify")
@click.argument("pack", type=click.Path(dir_okay=False, exists=True))
def evidence_verify(pack) -> None:
    """Check every file of an evidence pack against its manifest: exit 0 intact, 1 otherwise."""
    from .evidence_pack import manifest_digest, verify_pack

    problems = verify_pack(Path(pack))
    for problem in problems:
        click.echo(f"FAIL {problem}", err=True)
    if problems:
        sys.exit(EXIT_FAILING)
    click.echo(f"ok: {pack} is intact (manifest sha256 {manifest_digest(Path(pack))})")


@main.command(name="simulate")
@click.option("--fail-region", "fail_regions", multiple=True,
              help="A region that fails (repeat or comma-separate for a correlated loss).")
@click.option("--fail-az", "fail_azs", multiple=True,
              help="An availability-zone id that fails, e.g. mec1-az1 (repeatable).")
@click.option("--duration", help="How long the failure lasts, e.g. 24h: a longer recovery is moot (waiting is it).")
@click.option("--scenario", "scenario_name",
              help="A named scenario (gulf-2026, uae-2026, uae-north-2026, gulf-2026-multicloud) or a "
                   "failure-domain name; --fail-region/--fail-az add to it.")
@collection_options
@click.option("--policy", "policy_path", type=click.Path(dir_okay=False), help="Policy file (resilience.yaml).")
@click.option("--output", "output", default="resilience-out", show_default=True, type=click.Path(file_okay=False),
              help="Folder for simulation.json and the tabletop pack.")
@click.option("--format", "formats", default="json,md", show_default=True,
              help="json (simulation.json, always written), md (tabletop.md), html (tabletop.html).")
def simulate_cmd(fail_regions, fail_azs, duration, scenario_name, providers, scan_regions, inventory_path, profile,
                 azure_subscriptions, gcp_projects, gcp_organization, workers, region_deadline, policy_path, output,
                 formats) -> None:
    """What each workload does when regions or zones fail: simulation.json and a tabletop pack."""
    import hashlib

    from . import simulate as sim
    from .regions import validate_regions

    providers = _split(providers)
    scope = _split(scan_regions)
    fmt = sim.parse_formats(formats)
    policy = _load_policy(policy_path)
    spec = sim.build_scenario(regions=_split(fail_regions), zones=_split(fail_azs), duration=duration,
                              name=scenario_name, policy=policy)
    collected = digest = None
    if inventory_path:
        inventory = _read_inventory(inventory_path)
        digest = hashlib.sha256(Path(inventory_path).read_bytes()).hexdigest()
    else:
        validate_regions(scope, providers)
        sim.validate_scenario(spec, None, providers)
        deadline = _deadline(region_deadline)
        inventory = collected = _collect(
            providers=providers, scope=sim.collection_scope(scope, spec, providers), profile=profile,
            workers=workers, region_deadline=deadline, azure_subscriptions=azure_subscriptions,
            gcp_projects=gcp_projects, gcp_organization=gcp_organization)
    result = sim.run(inventory, policy, spec, _utcnow(), providers=providers, inventory_sha256=digest)
    written = sim.write(result, Path(output), fmt, inventory=collected)
    sim.print_summary(result, written=[str(p) for p in written])
