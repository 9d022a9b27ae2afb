"""The bundled demo: a payments company on me-central-1, built in-process with moto and scanned.

``resilience demo`` needs no cloud account and no network. It builds the estate described in
:mod:`resilience.demo.estate` under ``moto.mock_aws`` (fake credentials, every ``AWS_*`` variable of
the user's environment hidden for the duration), reads it back with the real AWS collector through
the same path as ``resilience scan`` (:func:`resilience.collect.collect_inventory`), analyses it with
the bundled policy (``resilience.yaml`` beside this file) and writes every report.

The output is deterministic: moto's identifiers are seeded, the estate's clock is frozen at fixed
instants while it is built (time-machine), and the scan clock is :data:`DEMO_CLOCK`; the policy's
test dates and waiver expiries are relative to it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING
from unittest import mock

from resilience.errors import InputError

if TYPE_CHECKING:
    from resilience.model import Inventory
    from resilience.policy import Policy
    from resilience.results import ScanResult

    from .estate import Estate

#: the demo's scan clock: every age (tests, backups, waivers) is measured from here
DEMO_CLOCK = dt.datetime(2026, 11, 20, 6, 0, tzinfo=dt.UTC)
#: seed for moto's identifiers (instance ids, ALB suffixes, ...)
DEMO_SEED = 20261120
#: every finding is kept (no --region filter): the demo shows all it planted
DEMO_AUDITED_REGIONS: tuple[str, ...] = ()
DEMO_POLICY = "resilience.yaml"
#: the simulated scenario whose tabletop pack the demo writes
DEMO_SCENARIO = "gulf-2026"
#: how the bundled policy is named in findings (stable, whatever the install path)
DEMO_POLICY_LABEL = "resilience/demo/resilience.yaml"

_FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIADEMODEMODEMODEMO",
    "AWS_SECRET_ACCESS_KEY": "demo-secret-access-key-not-real",
    "AWS_DEFAULT_REGION": "me-central-1",
    "AWS_REGION": "me-central-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
    # moto's FIS has no me-central-1 in its region list; AWS has FIS there.
    "MOTO_ALLOW_NONEXISTENT_REGION": "true",
}
# variables that would send the mocked calls elsewhere or use a real identity
_HIDDEN_PREFIXES = ("AWS_",)
_HIDDEN = ("TEST_SERVER_MODE", "TEST_PROXY_MODE", "MOTO_ACCOUNT_ID")


def demo_policy_text() -> str:
    return resources.files(__name__).joinpath(DEMO_POLICY).read_text(encoding="utf-8")


def load_demo_policy() -> Policy:
    """The bundled policy, validated like a user's (known categories and rule ids)."""
    from resilience.controls import CATEGORIES
    from resilience.policy import parse_policy
    from resilience.rules import BY_ID

    return parse_policy(demo_policy_text(), DEMO_POLICY_LABEL, known_categories=frozenset(CATEGORIES),
                        known_rules=frozenset(BY_ID))


@contextlib.contextmanager
def isolated_aws_env(extra: dict[str, str] | None = None) -> Iterator[None]:
    """Hide every ``AWS_*`` variable (profiles, endpoints, real keys) and set fake ones; restore after."""
    with mock.patch.dict(os.environ):
        for key in list(os.environ):
            if key.startswith(_HIDDEN_PREFIXES) or key in _HIDDEN:
                del os.environ[key]
        os.environ.update(_FAKE_ENV)
        os.environ.update(extra or {})
        yield


def _requirements():
    try:
        import moto
        import time_machine
    except ImportError as exc:
        raise InputError(
            f"the demo needs its extra dependencies: pip install 'resilience-audit[demo]' (missing {exc.name})"
        ) from None
    return moto, time_machine


def _complete_experiment(fis, experiment_id: str) -> None:
    """Let the FIS run finish now (moto's state manager; in-process)."""
    from moto.moto_api import state_manager

    state_manager.set_transition(model_name="fis::experiment", transition={"progression": "immediate"})
    try:
        fis.get_experiment(id=experiment_id)
    finally:
        state_manager.unset_transition("fis::experiment")


#: service modules moto (5.2) has no model for at all; the demo estate uses none of them, and reading
#: them under mock_aws would report "not implemented" (or leave the process for the real endpoint)
MOTO_UNMODELLED_SERVICES = ("globalaccelerator", "arc")


def demo_aws_services() -> list[str]:
    from resilience.collectors.aws.services import by_name

    return [m.NAME for m in by_name() if m.NAME not in MOTO_UNMODELLED_SERVICES]  # the default set


def build_and_collect(*, max_workers: int = 4) -> tuple[Estate, Inventory]:
    """Build the estate under ``mock_aws`` and collect it with the real AWS collector."""
    moto, time_machine = _requirements()
    import boto3
    from moto.moto_api._internal import mock_random

    from resilience.collect import CollectOptions, collect_inventory

    from . import moto_gaps
    from .estate import BUILT_AT, REGIONS, build_estate

    # the stand-ins import moto's service models: only inside the isolated environment; removed after
    with isolated_aws_env(), time_machine.travel(BUILT_AT, tick=False) as traveller, moto.mock_aws(), \
            moto_gaps.patched():
        moto_gaps.fresh_backends()
        mock_random.seed(DEMO_SEED)
        # a few moto models draw from the standard library's generator (ElastiCache endpoint hashes): seeded
        # too, and given back as it was
        stdlib_random = random.getstate()
        random.seed(DEMO_SEED)
        try:
            session = boto3.Session(region_name=REGIONS[0])
            for region in REGIONS:  # instantiate each region's default VPC now, in a fixed order
                session.client("ec2", region_name=region).describe_subnets()
            estate = build_estate(session, clock=traveller.move_to, complete_experiment=_complete_experiment)
            traveller.move_to(DEMO_CLOCK)
            mock_random.seed(DEMO_SEED + 1)
            options = CollectOptions(providers=("aws",), scan_regions=REGIONS, max_workers=max_workers,
                                     extra={"aws_services": demo_aws_services()})
            inventory = collect_inventory(options, now=lambda: DEMO_CLOCK, progress=None)
        finally:
            random.setstate(stdlib_random)
    return estate, inventory


def add_other_clouds(inventory: Inventory) -> None:
    """The demo's Azure subscription and GCP project: recorded API responses served on 127.0.0.1
    and read through the real SDKs, merged into the AWS inventory (one graph, one report)."""
    try:
        from resilience.collectors.azure import demo as azure_demo
        from resilience.collectors.gcp import demo as gcp_demo
    except ImportError as exc:
        raise InputError(
            f"the demo needs its extra dependencies: pip install 'resilience-audit[demo]' (missing {exc.name})"
        ) from None
    identities = [inventory.meta.get("identity", "")]
    for provider, part in (("azure", azure_demo.demo_inventory(DEMO_CLOCK.isoformat())),
                           ("gcp", gcp_demo.demo_inventory(DEMO_CLOCK.isoformat()))):
        inventory.extend(part)
        inventory.meta["providers"] = sorted({*inventory.meta.get("providers", []), provider})
        inventory.meta["accounts"] = sorted({*inventory.meta.get("accounts", []),
                                             *(r.account for r in part.resources if r.account)})
        inventory.meta["regions_scanned"] = sorted({*inventory.meta.get("regions_scanned", []),
                                                    *(r.region for r in part.resources
                                                      if r.region not in ("global", "unknown"))})
        identities.append(part.meta.get("identity", ""))
    inventory.meta["identity"] = ", ".join(i for i in identities if i)


def demo_scan() -> ScanResult:
    """The demo's :class:`~resilience.scan.ScanResult` (nothing written)."""
    _estate, inventory = build_and_collect()
    add_other_clouds(inventory)
    return analyse_demo(inventory)


def analyse_demo(inventory: Inventory) -> ScanResult:
    """``inventory`` analysed as the demo analyses its estate: its policy, clock and audited regions."""
    from resilience.scan import analyse

    return analyse(inventory, load_demo_policy(), scan_time=DEMO_CLOCK, audited_regions=DEMO_AUDITED_REGIONS,
                   finished_at=DEMO_CLOCK)


def run_demo(outdir: Path, formats: tuple[str, ...], *, evidence: bool = False) -> ScanResult:
    """Build, collect, analyse and report the demo estate; print the summary and the output folder.
    ``evidence``: also the auditor's evidence pack (``evidence.zip``), as ``scan --evidence`` writes it."""
    from rich.console import Console

    from resilience.console import print_summary
    from resilience.reports import write_reports
    from resilience.tabletop import run_and_write

    console = Console(highlight=False, soft_wrap=False)
    console.print("Building the demo estate (moto, in-process: no cloud account, no network) and scanning it…")
    result = demo_scan()
    outdir = Path(outdir)
    written = write_reports(result, outdir, formats)
    # the tabletop exercise pack for the March 2026 scenario: both Gulf regions lost for 24 hours
    written += run_and_write(result.inventory, result.policy, DEMO_SCENARIO, outdir, formats, DEMO_CLOCK)
    if evidence:
        from resilience.evidence_pack import build_from_dir
        from resilience.rules import REGISTRY

        written.append(build_from_dir(outdir, outdir / "evidence.zip", registry=REGISTRY)[0])
    print_summary(result.findings, out=console, written=[str(p) for p in written])
    console.print(f"Demo reports: {outdir.resolve()}")
    console.print(f"Estate: resilience/demo/estate.py; policy: {DEMO_POLICY_LABEL} (scan clock {DEMO_CLOCK.isoformat()})")
    return result
