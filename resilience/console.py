"""Terminal output: a progress display on a TTY (quiet otherwise) and the scan summary."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.table import Table

from .controls import SEVERITIES
from .results import Finding

#: the SDKs whose loggers speak on their own (azure-identity prints a dozen lines per failed credential
#: before the tool's one-line error); what went wrong reaches the user as coverage records and errors
SDK_LOGGERS = ("azure", "msal", "google", "google_auth_httplib2", "urllib3", "botocore", "boto3", "s3transfer",
               "grpc", "werkzeug")


def configure_logging(*, verbose: bool = False) -> None:
    """Quiet SDK loggers unless ``--verbose``; with it, their messages (INFO and up) go to stderr."""
    if verbose:
        logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in SDK_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO if verbose else logging.CRITICAL + 1)


def stderr_console() -> Console:
    return Console(stderr=True, highlight=False)


@contextlib.contextmanager
def progress_reporter(enabled: bool | None = None) -> Iterator[Callable[[str], None] | None]:
    """A callback that shows collection progress on a terminal; ``None`` when not a TTY."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield None
        return
    console = stderr_console()
    with console.status("collecting…") as status:
        def update(message: str) -> None:
            status.update(f"collecting… {message}")
        yield update


def print_summary(findings: list[Finding], *, out: Console | None = None, limit: int = 15,
                  written: list[str] | None = None, baseline: dict | None = None) -> None:
    out = out or Console(highlight=False, soft_wrap=False)
    counts = {s: 0 for s in SEVERITIES}
    statuses: dict[str, int] = {}
    for f in findings:
        statuses[f.status] = statuses.get(f.status, 0) + 1
        if f.status == "fail":
            counts[f.severity] += 1
    table = Table(title="Failing findings by severity", show_edge=False)
    for s in SEVERITIES:
        table.add_column(s, justify="right")
    table.add_row(*(str(counts[s]) for s in SEVERITIES))
    out.print(table)
    out.print(
        f"{len(findings)} results: " + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()))
    )
    if baseline:
        counts = baseline.get("counts", {})
        out.print(f"Since the baseline ({baseline.get('file', '')}): {counts.get('new', 0)} new, "
                  f"{counts.get('unchanged', 0)} unchanged, {counts.get('resolved', 0)} resolved failing findings")
    failing = [f for f in findings if f.status == "fail"]
    if failing:
        top = Table(show_edge=False, title=f"Top failing findings ({min(limit, len(failing))} of {len(failing)})")
        top.add_column("severity")
        top.add_column("rule")
        top.add_column("workload")
        top.add_column("message", overflow="fold")
        for f in failing[:limit]:
            top.add_row(f.severity, f.rule, f.workload or "-", f.message)
        out.print(top)
    for path in written or ():
        out.print(f"wrote {path}")
