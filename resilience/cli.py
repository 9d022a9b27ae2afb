"""Command line (contract 1): argument parsing and wiring only."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from .controls import SEVERITIES
from .errors import InputError
from .fanout import GC_THRESHOLDS
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

    # what it builds lives until the command ends, as the estate does: the collector, tuned or not, walked the
    # YAML nodes of an organisation's policy again and again (15 MB of YAML at 1,000,000 resources: 7.6 -> 4.4 s)
    with paused_gc():
        return load_policy(path, known_categories=frozenset(CATEGORIES), known_rules=frozenset(BY_ID))


def _one_line(message: str) -> str:
    """A message quoting user input (a YAML key, a file name) stays on one line: line breaks are escaped."""
    lines = message.splitlines(keepends=True)
    out = []
    for n, line in enumerate(lines):
        text = line.splitlines()[0] if line.splitlines() else ""
        ending = line[len(text):]
        out.append(text + (repr(ending)[1:-1] if n < len(lines) - 1 else ""))
    return "".join(out)


class _Group(click.Group):
    """Turns input errors into one line on stderr and exit code 2, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (InputError, PolicyError) as exc:
            click.echo(f"error: {_one_line(str(exc))}", err=True)
            ctx.exit(EXIT_INPUT)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="resilience-audit", prog_name="resilience")
@click.option("-v", "--verbose", is_flag=True, help="Show the cloud SDKs' own log messages (quiet by default).")
def main(verbose: bool = False) -> None:
    """Audit cloud estates for availability and regional resilience (SOC 2 A1.2 / A1.3)."""
    from .console import configure_logging

    configure_logging(verbose=verbose)
    tune_gc()


@contextmanager
def paused_gc() -> Iterator[None]:
    """For the analysis of a whole estate (issue 17): it keeps millions of objects and leaves few reference
    cycles (22,000 objects against the 356,000 it keeps at 10,000 resources), yet the cyclic collector
    walked what it keeps again and again: a tenth of the time at 100,000 resources. The collector is
    paused while it runs, and what exists afterwards is frozen (never walked again: the command ends after
    its reports), so those cycles are kept, not collected: megabytes per 100,000 resources."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def tune_gc() -> None:
    """A scan holds a large estate in memory that lives until the process ends: with the interpreter's
    default thresholds, full collections walk it again and again (a third of the analysis time at
    100,000 resources). Collect the young generations less often; cycles are still collected."""
    gc.set_threshold(*GC_THRESHOLDS)


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


#: AWS organisation scope (DESIGN contract 1, continued): which accounts, and the role to read them with
account_options = _options(
    click.option("--all-accounts", is_flag=True, default=False,
                 help="AWS: every account of the organisation (run from the management or a delegated-admin account)."),
    click.option("--accounts", "accounts", multiple=True, help="AWS account id(s) to scan (comma-separated)."),
    click.option("--ou", "ous", multiple=True, help="AWS organisational unit(s): every account in it and its children."),
    click.option("--exclude-accounts", "exclude_accounts", multiple=True, help="AWS account id(s) to leave out."),
    click.option("--role-name", help="Read-only role assumed in each account (default ResilienceAuditReadOnly)."),
    click.option("--external-id", help="External id the role's trust policy requires."),
    click.option("--max-accounts", type=click.IntRange(1, 256),
                 help="Accounts read at once (default 4); each keeps its own --workers pool."),
)


def _account_scope(flags: dict, providers):
    from .collect import aws_account_scope

    return aws_account_scope(all_accounts=flags["all_accounts"], accounts=_split(flags["accounts"]),
                             ous=_split(flags["ous"]), exclude=_split(flags["exclude_accounts"]),
                             role_name=flags["role_name"], external_id=flags["external_id"],
                             max_accounts=flags["max_accounts"], providers=providers)


def _deadline(value: str) -> float:
    from .durations import parse_duration

    try:
        return float(parse_duration(value))
    except ValueError as exc:
        raise InputError(f"--region-deadline: {exc}") from None


def _collect(*, providers, scope, profile, workers, region_deadline: float, azure_subscriptions, gcp_projects,
             gcp_organization, policy=None, aws_accounts=None, fanout=None):
    from .collect import CollectOptions, collect_inventory
    from .console import progress_reporter

    # the vendor register's AWS entry is compared with AWS Artifact: read it only when there is one
    opt_in = ("artifact",) if policy is not None and "aws" in policy.providers else ()
    options = CollectOptions(providers=providers, scan_regions=scope, profile=profile, max_workers=workers,
                             region_deadline_s=region_deadline, azure_subscriptions=_split(azure_subscriptions),
                             gcp_projects=_split(gcp_projects), gcp_organization=gcp_organization, aws_opt_in=opt_in,
                             aws_accounts=aws_accounts, fanout=fanout,
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
@click.option("--history", "history_db", metavar="URL",
              help="Append this scan to a history database (sqlite:///file.sqlite or postgresql://...).")
@click.option("--dask", "dask_address", metavar="ADDRESS|local",
              help="Run the AWS reads and the analysis on a Dask cluster: a scheduler address (tcp://host:8786) or "
                   "'local' (a LocalCluster here); its workers use their own AWS credentials. Default: "
                   "$RESILIENCE_DASK_SCHEDULER, else one process. Same inventory and findings.")
@account_options
def scan(regions, providers, scan_regions, inventory_path, profile, azure_subscriptions, gcp_projects,
         gcp_organization, workers, region_deadline, policy_path, output, formats, fail_on, strict, baselines,
         fail_on_all, evidence, history_db, dask_address=None, **account_flags) -> None:
    """Collect the estate, build the dependency graph, run the rules, write the reports."""
    from .regions import validate_regions
    from .reports import parse_formats

    providers = _split(providers)
    audited = _split(regions)
    scope = _split(scan_regions)
    fmt = parse_formats(formats)
    policy = _load_policy(policy_path)
    deadline = _deadline(region_deadline)
    aws_accounts = _account_scope(account_flags, providers)
    if inventory_path:
        inventory = _read_inventory(inventory_path)
        if not policy_path:
            policy = _offline_policy(inventory_path, inventory)
        # offline, the regions are those of the providers the inventory holds, whatever --provider says
        validate_regions(audited + scope, _inventory_providers(inventory) or providers)
    else:
        validate_regions(audited + scope, providers)
    with _cluster(dask_address) as fanout:  # one cluster for the reads and the analysis; None: this process
        if not inventory_path:
            inventory = _collect(providers=providers, scope=scope, profile=profile, workers=workers,
                                 region_deadline=deadline, azure_subscriptions=azure_subscriptions,
                                 gcp_projects=gcp_projects, gcp_organization=gcp_organization, policy=policy,
                                 aws_accounts=aws_accounts, fanout=fanout)
        _finish(inventory, policy, audited=audited, output=Path(output), formats=fmt, fail_on=fail_on,
                strict=strict, scan_time=_utcnow(), baselines=baselines, fail_on_all=fail_on_all, evidence=evidence,
                history_db=history_db, fanout=fanout)


def _cluster(dask_address: str | None):
    """``--dask`` (or $RESILIENCE_DASK_SCHEDULER): a client of that cluster, else ``None`` (this process)."""
    from .fanout import cluster, scheduler_address

    address = scheduler_address(dask_address)
    return cluster(address) if address else contextlib.nullcontext(None)


def _read_inventory(path: str):
    from .model import Inventory

    try:
        with paused_gc():  # what it reads lives until the command ends: nothing for the collector to find
            return Inventory.read(path)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the inventory: {exc.strerror or exc}") from None
    except RecursionError:
        raise InputError(f"{path}: not a readable inventory snapshot: nested too deeply") from None
    except (ValueError, KeyError, TypeError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise InputError(f"{path}: not a readable inventory snapshot: {exc}") from None


def _offline_policy(inventory_path: str, inventory) -> Policy:
    """No --policy on an offline run: the policy recorded with the inventory, else a one-line note naming
    the workloads the run cannot see (never a silent drop)."""
    from .graph import build_graph, workload_names
    from .offline_policy import choose

    chosen = choose(inventory_path, lambda: workload_names(build_graph(inventory, Policy())))
    if chosen.note:
        click.echo(chosen.note, err=True)
    return _load_policy(str(chosen.path)) if chosen.path else Policy()


def _inventory_providers(inventory) -> tuple[str, ...]:
    return tuple(sorted({*inventory.meta.get("providers", ()), *(r.provider for r in inventory.resources)}))


def _finish(inventory, policy, *, audited, output: Path, formats, fail_on, strict, scan_time, baselines=(),
            fail_on_all=False, evidence=False, history_db=None, fanout=None) -> None:
    from .baseline import apply_baselines
    from .console import print_summary
    from .engine import failing_at
    from .reports import write_reports
    from .scan import analyse

    with paused_gc():
        result = analyse(inventory, policy, scan_time=scan_time, audited_regions=audited, finished_at=_utcnow(),
                         fanout=fanout)
    apply_baselines(result, baselines)
    written = write_reports(result, output, formats)
    if evidence:
        from .evidence_pack import build_from_dir
        from .rules import REGISTRY

        written.append(build_from_dir(output, output / "evidence.zip", registry=REGISTRY)[0])
    from .scan import empty_region_lines

    for line in empty_region_lines(result):
        click.echo(line, err=True)
    if history_db:
        from .history.commands import append_scan

        click.echo(append_scan(history_db, output / "findings.json"))
    print_summary(result.findings, written=[str(p) for p in written], baseline=result.extra.get("baseline"))
    if failing_at(result.findings, fail_on, new_only=bool(baselines) and not fail_on_all):
        sys.exit(EXIT_FAILING)
    if strict and any(not c.ok for c in result.coverage):
        sys.exit(EXIT_INCOMPLETE)


@main.command()
@click.option("--output", default="demo-out", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the demo's reports.")
@click.option("--format", "formats", default=None, help="Comma-separated formats (default: all).")
@click.option("--evidence", is_flag=True, help="Also write evidence.zip (the auditor's evidence pack) to --output.")
def demo(output, formats, evidence) -> None:
    """Run the whole scan on the bundled demo estate (moto; no cloud account, no network)."""
    from .demo import run_demo
    from .reports import WRITERS, parse_formats

    fmt = parse_formats(formats, default=tuple(WRITERS))
    run_demo(Path(output), fmt, evidence=evidence)


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
from .history.commands import history as _history  # noqa: E402  (the group imports nothing heavy)

main.add_command(_history)


@main.group(name="evidence", invoke_without_command=True)
@click.option("--from", "from_dir", metavar="DIR|DATE",
              help="A scan's --output folder (findings.json, inventory.json, policy.yaml); with --history, "
                   "the first day of the period.")
@click.option("--to", "to_day", metavar="DATE", help="With --history: the last day of the period.")
@click.option("--history", "history_db", metavar="URL", help="Build the period's pack from this history database.")
@click.option("--policy", "policy_path", type=click.Path(dir_okay=False),
              help="With --history: the policy whose remediation_sla: judges the exceptions.")
@click.option("--output", default="evidence.zip", show_default=True, type=click.Path(dir_okay=False),
              help="The evidence pack to write.")
@click.pass_context
def evidence(ctx, from_dir, to_day, history_db, policy_path, output) -> None:
    """Build the auditor's evidence pack from an earlier scan's output (or: evidence verify PACK)."""
    if ctx.invoked_subcommand:
        return
    if history_db:
        from .history.commands import period_pack

        digest = period_pack(history_db, from_dir, to_day, Path(output), policy_path)
        click.echo(f"wrote {output} (manifest sha256 {digest})")
        return
    if not from_dir:
        raise click.UsageError("--from DIR is required (a scan's --output folder)")
    from .evidence_pack import build_from_dir
    from .rules import REGISTRY

    path, digest = build_from_dir(Path(from_dir), Path(output), registry=REGISTRY)
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
    from . import tabletop
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
        if not policy_path:
            policy = _offline_policy(inventory_path, inventory)
            spec = sim.build_scenario(regions=_split(fail_regions), zones=_split(fail_azs), duration=duration,
                                      name=scenario_name, policy=policy)
    else:
        validate_regions(scope, providers)
        sim.validate_scenario(spec, None, providers)
        deadline = _deadline(region_deadline)
        inventory = collected = _collect(
            providers=providers, scope=sim.collection_scope(scope, spec, providers), profile=profile,
            workers=workers, region_deadline=deadline, azure_subscriptions=azure_subscriptions,
            gcp_projects=gcp_projects, gcp_organization=gcp_organization)
    with paused_gc():  # the exercise's injects simulate the estate again: the same for them
        result = sim.run(inventory, policy, spec, _utcnow(), providers=providers, inventory_sha256=digest)
        written = tabletop.write(result, Path(output), fmt, inventory=collected)
    sim.print_summary(result, written=[str(p) for p in written])


@main.command("runbook")
@click.option("--workload", "workloads", multiple=True, required=True,
              help="The workload (repeatable; 'all' for every workload: one folder each).")
@click.option("--scenario", "scenario_text", required=True,
              help="region:R[,R2] | az:AZ_ID | a named scenario (gulf-2026, ...) or failure-domain name.")
@collection_options
@click.option("--policy", "policy_path", type=click.Path(dir_okay=False), help="Policy file (resilience.yaml).")
@click.option("--output", "output", default="resilience-out", show_default=True, type=click.Path(file_okay=False),
              help="Folder for runbook.json (and runbook.md / runbook.html, runbook-exports/).")
@click.option("--format", "formats", default="json,md", show_default=True, help="json (always written), md, html.")
def runbook_cmd(workloads, scenario_text, providers, scan_regions, inventory_path, profile, azure_subscriptions,
                gcp_projects, gcp_organization, workers, region_deadline, policy_path, output, formats) -> None:
    """A failover runbook per workload and scenario, from the survival decision (contract 6)."""
    from . import runbook as rb
    from . import simulate as sim
    from .graph import build_graph, workload_names
    from .regions import validate_regions

    providers = _split(providers)
    scope = _split(scan_regions)
    fmt = rb.parse_formats(formats)
    policy = _load_policy(policy_path)
    spec = rb.parse_scenario(scenario_text, policy)
    if inventory_path:
        inventory = _read_inventory(inventory_path)
    else:
        validate_regions(scope, providers)
        sim.validate_scenario(spec, None, providers)
        inventory = _collect(
            providers=providers, scope=sim.collection_scope(scope, spec, providers), profile=profile,
            workers=workers, region_deadline=_deadline(region_deadline), azure_subscriptions=azure_subscriptions,
            gcp_projects=gcp_projects, gcp_organization=gcp_organization)
    graph = build_graph(inventory, policy)
    names = workload_names(graph, policy) if "all" in workloads else list(dict.fromkeys(_split(workloads)))
    now = _utcnow()
    books = [rb.build(graph, policy, spec, name, coverage=inventory.coverage, generated_at=now) for name in names]
    for book in books:
        folder = Path(output) / book.workload if len(books) > 1 else Path(output)
        rb.write(book, folder, fmt)
        state = ("nothing to fail over to" if not book.recoverable
                 else f"{len(book.steps)} steps, {sum(s.blocked for s in book.steps)} blocked, estimated RTO "
                      f"{'unbounded' if book.estimated_rto is None else book.estimated_rto}s")
        click.echo(f"{book.workload}: {state} -> {folder}/runbook.json")
