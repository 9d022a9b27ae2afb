"""A workload's disaster-recovery strategy (backup-restore, pilot light, warm standby, active-active) as
the graph shows it, and why (see :mod:`resilience.recovery`)."""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from . import survival
from .model import (
    COMPUTE_KINDS,
    DNS_RECORD,
    GLOBAL_REGION,
    LOAD_BALANCER,
)
from .recovery_analysis import _Analysis
from .recovery_model import (  # noqa: F401 (the table's names stay importable from here)
    BASES,
    DISRUPTIONS,
    UNBOUNDED,
    ModelEntry,
    RecoveryModel,
    RecoveryModelError,
    load_table,
    model_for,
    parse_table,
    validate_recovery_model,
)
from .recovery_steps import _index

STRATEGIES = {
    "multi-site-active-active": "multi-site active/active",
    "warm-standby": "warm standby",
    "pilot-light": "pilot light",
    "backup-restore": "backup & restore",
    "none": "none (single region)",
}


_ACTIVE_ROUTING = ("latency", "weighted", "geolocation", "geoproximity", "multivalue")


def classify_strategy(graph: nx.MultiDiGraph, workload: str) -> tuple[str, list[str]]:
    """The workload's DR strategy, as AWS's DR whitepaper names them, read from the graph.

    * ``multi-site-active-active``: every data store has a live copy in a second region where
      compute runs, and DNS sends traffic to more than one region at once (latency/weighted/geo/
      multivalue routing);
    * ``warm-standby``: every data store has a live copy in a second region where compute is already
      running, taking traffic on failover;
    * ``pilot-light``: every data store has a live copy (replica, global table) in a second region
      where compute is absent or scaled to zero;
    * ``backup-restore``: every data store has at least a backup copy in a second region;
    * ``none``: some data store has no copy outside the home region (the weakest store decides).

    Returns ``(strategy, reasons)``. The home region is where the writable data lives (else where
    most serving components are); the best second region is reported.
    """
    cache = _index(graph).strategies
    if workload not in cache:
        cache[workload] = _classify(graph, workload)
    strategy, reasons = cache[workload]
    return strategy, list(reasons)


def _classify(graph: nx.MultiDiGraph, workload: str) -> tuple[str, list[str]]:
    analysis = _Analysis(graph, workload, survival.Scenario(), RecoveryModel(load_table()), (), None)
    serving = list(analysis.path)
    if not serving:
        return "none", [f"no resource of workload '{workload}' is in the inventory"]
    groups = analysis._data_sets()
    stores = [(group, analysis._writers(group)) for group in groups]
    writers = [w for _, ws in stores for w in ws]
    counts: dict[str, int] = {}
    for n in writers or serving:
        region = analysis.region(n)
        if region not in (GLOBAL_REGION, "unknown", ""):
            counts[region] = counts.get(region, 0) + 1
    if not counts:
        return "none", ["no regional component: the workload's resources are global or of unknown region"]
    home = sorted(counts, key=lambda r: (-counts[r], r))[0]
    reasons = [f"home region {home} (where its {'writable data lives' if writers else 'components are'})"]

    # where each data store has a live copy / a backup copy, outside home
    live: list[tuple[str, set[str]]] = []
    backup: list[tuple[str, set[str]]] = []
    for group, ws in stores:
        store = next((w for w in ws if analysis.region(w) == home), ws[0] if ws else group[0])
        live_regions = {analysis.region(n) for n in group if analysis.region_known(n)} - {home}
        copy_regions: set[str] = set()
        for writer in ws or [store]:  # where survival finds its backups (automated ones stay in its region)
            copy_regions |= {c.region for c in analysis.backups(writer)
                             if c.relation != "automated" and c.region not in ("unknown", "")}
        live.append((store, live_regions))
        backup.append((store, (copy_regions | live_regions) - {home}))

    compute = analysis._compute_nodes()
    running = {analysis.region(n) for n in compute if (analysis._capacity(n) or 0) > 0} - {home}
    idle = {analysis.region(n) for n in compute if analysis._capacity(n) == 0} - {home} - running
    active: set[str] = set()
    for r in serving:
        if analysis.kind(r) == DNS_RECORD and analysis.attrs(r).get("routing") in _ACTIVE_ROUTING:
            active |= {analysis.region(n) for n in analysis._chain(r)
                       if analysis.kind(n) in (*COMPUTE_KINDS, LOAD_BALANCER)}

    def common(items: list[tuple[str, set[str]]]) -> set[str]:
        regions: set[str] | None = None
        for _, rs in items:
            regions = set(rs) if regions is None else regions & rs
        return regions if regions is not None else set()

    others = sorted({analysis.region(n) for n in serving if analysis.region_known(n)} - {home, GLOBAL_REGION})
    live_all = common(live) if stores else set(others) | running | idle
    backup_all = common(backup) if stores else live_all
    missing = [analysis.name(store) for store, rs in backup if not rs]
    if stores and missing:
        reasons.append(f"{', '.join(missing)}: no copy outside {home}")
        if running:
            reasons.append(f"compute also runs in {', '.join(sorted(running))}, but without the data it cannot "
                           "take over")
        return "none", reasons
    def data_in(region: str, how: str) -> str:  # a workload with no data store of its own claims no copy
        return f"{how} {region}" if stores else f"no data store of its own (none to copy to {region})"

    for region in sorted(live_all):
        if region in running and home in active and region in active:
            reasons.append(f"{data_in(region, 'data live in')}; compute running there and DNS "
                           f"({', '.join(sorted(_routing_of(analysis, serving)))} routing) sends traffic to "
                           f"{home} and {region} at once")
            return "multi-site-active-active", reasons
    for region in sorted(live_all):
        if region in running:
            reasons.append(f"{data_in(region, 'data replicated continuously to')}; compute already running "
                           f"there, taking traffic on failover")
            return "warm-standby", reasons
    if live_all:
        region = sorted(live_all)[0]
        reasons.append(data_in(region, "data replicated continuously to"))
        reasons.append(f"compute in {region} is scaled to zero" if region in idle
                       else f"no compute in {region}: it must be deployed or started on failover")
        return "pilot-light", reasons
    if backup_all:
        region = sorted(backup_all)[0]
        partial = [analysis.name(store) for store, rs in live if not rs]
        reasons.append(f"backups copied to {region}" + (f"; {', '.join(partial)} has no live replica"
                                                       if partial else ""))
        return "backup-restore", reasons
    reasons.append(f"no region other than {home} holds a copy of every data store")
    return "none", reasons


def _routing_of(analysis: _Analysis, nodes: Iterable[str]) -> set[str]:
    return {str(analysis.attrs(n).get("routing")) for n in nodes
            if analysis.kind(n) == DNS_RECORD and analysis.attrs(n).get("routing") in _ACTIVE_ROUTING}


def _arn_region(resource_id: str) -> str | None:
    parts = str(resource_id).split(":", 5)
    return parts[3] or None if len(parts) == 6 and parts[0] == "arn" else None
