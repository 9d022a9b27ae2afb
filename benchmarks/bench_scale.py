"""Scale benchmark: offline analysis of generated inventories (10k, 100k, 1M resources), phase by phase.

    python benchmarks/bench_scale.py [--sizes 10000,100000] [--formats json,html,sarif,csv] [--seed 7]

Each size runs in its own process (so peak memory is that size's): load ``inventory.json`` and the policy
(as the command line reads them), build the graph, run each rule family, the per-workload recovery
estimates, then write ``findings.json`` and each other report format's writer alone (until the report
writers' scale work, each format's phase also rewrote findings.json: those earlier figures include it). It
prints wall time and peak RSS per phase, and the growth exponent between consecutive sizes
(``log(t2/t1) / log(n2/n1)``: 1.0 is linear). Inventories come from ``benchmarks/generate_inventory.py``
(the demo estate replicated, seeded) and are cached in ``bench-out/``. A benchmark, not a test: nothing
here asserts a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench-out"
SCAN_TIME = dt.datetime(2026, 11, 20, 6, 0, tzinfo=dt.UTC)
#: the same benchmark at the commit before the scale work (issue 17), on a 2-core machine like CI's
BEFORE = Path(__file__).with_name("scale-before.json")


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(size: int, formats: tuple[str, ...], seed: int, dask: str | None = None) -> dict:
    """One size, in this process: every phase's wall time and the peak RSS after it."""
    from resilience.cli import paused_gc, tune_gc

    tune_gc()  # as the command line runs
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import generate_inventory
    from resilience.reports import WRITERS, tabular, write_reports
    from resilience.reports.common import shared_views
    from resilience.rules import REGISTRY

    from resilience import scan
    from resilience.model import Inventory
    from resilience.policy import load_policy

    path = OUT / f"inventory-{size}.json"
    if not path.exists() or not Path(f"{path}.policy.yaml").exists():
        generate_inventory.generate(size, seed, path)
    phases: dict[str, dict] = {}

    def record(name: str, seconds: float) -> None:
        # summed unrounded (rounded once, at the end): thousands of short calls, each sum rounded to the
        # millisecond, lost every call under half a millisecond
        entry = phases.setdefault(name, {"wall_s": 0.0})
        entry["wall_s"] += seconds
        entry["maxrss_mib"] = round(_rss_mib(), 1)

    def timed(name: str, fn):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                record(name, time.perf_counter() - start)
        return wrapper

    start = time.perf_counter()
    with paused_gc():  # as the command line reads it
        inventory = Inventory.read(path)
    record("load inventory.json", time.perf_counter() - start)
    start = time.perf_counter()
    with paused_gc():  # as the command line reads it (an organisation's policy, one workload per ~50 resources)
        policy = load_policy(f"{path}.policy.yaml")
    record("load policy.yaml", time.perf_counter() - start)

    family_rules = []
    from dataclasses import replace

    for rule in REGISTRY:
        family = "rules: " + rule.id.split("-")[1].lower()

        def check(ctx, _rule=rule, _family=family):
            t0 = time.perf_counter()
            try:
                return list(_rule.check(ctx))
            finally:
                record(_family, time.perf_counter() - t0)
        check.__doc__ = rule.check.__doc__
        family_rules.append(replace(rule, check=check, per_workload=None))  # timed as one check

    originals = {name: getattr(scan, name) for name in ("build_graph", "workload_recovery")}
    scan.build_graph = timed("graph build", originals["build_graph"])
    scan.workload_recovery = timed("recovery estimates (findings.json workloads)", originals["workload_recovery"])
    try:
        start = time.perf_counter()
        if dask:  # the rules as they are (the timing wrappers above do not travel to worker processes)
            from resilience.fanout import cluster

            with cluster(dask) as fanout:
                record("dask cluster start", time.perf_counter() - start)
                start = time.perf_counter()
                with paused_gc():  # as the command line runs
                    result = scan.analyse(inventory, policy, scan_time=SCAN_TIME, fanout=fanout)
        else:
            with paused_gc():
                result = scan.analyse(inventory, policy, scan_time=SCAN_TIME, rules=tuple(family_rules))
        analyse_s = time.perf_counter() - start
    finally:
        for name, fn in originals.items():
            setattr(scan, name, fn)
    accounted = sum(v["wall_s"] for k, v in phases.items() if k.startswith(("rules", "graph", "recovery")))
    record("engine (ids, waivers, sorting)", max(0.0, analyse_s - accounted))
    report_dir = OUT / f"reports-{size}"
    shutil.rmtree(report_dir, ignore_errors=True)  # the sizes listed are this run's files only
    # findings.json once (write_reports always writes it, as the command line does), then each other
    # format's writer alone: "report: X" is X's own cost, and the total is what `scan --format ...` spends
    # (CSV and XLSX asked together are one pass, "report: csv+xlsx", as the command line writes them)
    with shared_views(result):  # as write_reports does: what several reports show is made once
        start = time.perf_counter()
        write_reports(result, report_dir, ())
        record("report: json", time.perf_counter() - start)
        together = {"csv", "xlsx"} <= set(formats)  # written in one pass, as write_reports does
        for fmt in formats:
            if fmt == "json" or (together and fmt == "xlsx"):
                continue
            start = time.perf_counter()
            if together and fmt == "csv":
                tabular.write_csv_and_xlsx(result, report_dir)
                fmt = "csv+xlsx"
            else:
                WRITERS[fmt](result, report_dir)
            record(f"report: {fmt}", time.perf_counter() - start)
    sizes = {p.name: p.stat().st_size for p in report_dir.iterdir() if p.is_file()}
    for entry in phases.values():
        entry["wall_s"] = round(entry["wall_s"], 3)
    return {"size": size, "resources": len(inventory.resources), "edges": len(inventory.edges),
            "coverage": len(inventory.coverage), "workloads": len(result.workloads),
            "results": len(result.findings), "analyse_s": round(analyse_s, 2), "phases": phases,
            "peak_rss_mib": round(_rss_mib(), 1), "report_bytes": sizes}


def table(runs: list[dict]) -> str:
    names = list(dict.fromkeys(name for run in runs for name in run["phases"]))
    header = ["phase"] + [f"{run['size']:,} s" for run in runs] + [f"{run['size']:,} MiB" for run in runs]
    if len(runs) > 1:
        header += [f"exp {a['size']:,}->{b['size']:,}" for a, b in zip(runs, runs[1:], strict=False)]
    rows = [header]
    others = any(n.startswith("report: ") and n != "report: json" for n in names)
    totals = ["total (analysis + reports)"] + (["total, findings.json only", "all formats / findings.json only"]
                                               if others else [])
    for name in names + totals:
        cells = [name]
        values = []
        for run in runs:
            if name == "all formats / findings.json only":  # the issue-17 bound: at most 2
                cells.append(f"{_total(run) / _total(run, json_only=True):.2f}x")
                continue
            if name.startswith("total"):
                value = _total(run, json_only=name.startswith("total, findings.json"))
                rss = run["peak_rss_mib"]
            else:
                phase = run["phases"].get(name) or {}
                value, rss = phase.get("wall_s"), phase.get("maxrss_mib")
            values.append((value, rss))
        if not values:
            rows.append(cells + [""] * (len(header) - len(cells)))
            continue
        cells += ["-" if v is None else f"{v:.2f}" for v, _ in values]
        cells += ["-" if r is None else f"{r:.0f}" for _, r in values]
        for (a, b), (ra, rb) in zip(zip(values, values[1:], strict=False), zip(runs, runs[1:], strict=False),
                                    strict=False):
            ta, tb = a[0], b[0]
            cells.append(f"{math.log(tb / ta) / math.log(rb['size'] / ra['size']):.2f}"
                         if ta and tb and ta > 0.05 else "-")
        rows.append(cells)
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _total(run: dict, *, json_only: bool = False) -> float:
    """A run's wall time over its phases; ``json_only``: without the reports other than findings.json."""
    return sum(p["wall_s"] for name, p in run["phases"].items()
               if not (json_only and name.startswith("report: ") and name != "report: json"))


def compare(before: list[dict], now: list[dict]) -> str:
    """Per phase and size measured in both: the earlier and the current wall time, and the speed-up."""
    old = {run["size"]: run for run in before}
    pairs = [(old[run["size"]], run) for run in now if run["size"] in old]
    if not pairs:
        return "(no size measured in both)"
    names = list(dict.fromkeys(n for _, run in pairs for n in run["phases"])) + ["total (analysis + reports)", "peak MiB"]
    names = [n for n in names if n.startswith(("total", "peak")) or all(n in r["phases"] for pair in pairs for r in pair)]
    rows = [["phase"] + [f"{b['size']:,}: before / now / x" for b, _ in pairs]]
    for name in names:
        cells = [name]
        for b, n in pairs:
            if name == "peak MiB":
                tb, tn = b["peak_rss_mib"], n["peak_rss_mib"]
            elif name.startswith("total"):  # over the phases both runs measured (they may differ in formats)
                common = set(b["phases"]) & set(n["phases"])
                tb, tn = (sum(p["wall_s"] for k, p in r["phases"].items() if k in common) for r in (b, n))
            else:
                tb, tn = ((r["phases"].get(name) or {}).get("wall_s") for r in (b, n))
            cells.append("-" if tb is None or tn is None else
                         f"{tb:.2f} / {tn:.2f} / {tb / tn:.1f}" if tn else f"{tb:.2f} / {tn:.2f}")
        rows.append(cells)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--formats", default="json,html,sarif,csv")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--before", type=Path, default=BEFORE,
                        help="figures of an earlier commit to print beside these (default: %(default)s)")
    parser.add_argument("--dask", help="run the analysis on a Dask cluster (an address, or 'local': a LocalCluster "
                                       "of 2 worker processes); the rule families are then timed as one")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    formats = tuple(f for f in args.formats.split(",") if f)
    if args.one:
        print(json.dumps(measure(args.one, formats, args.seed, args.dask)))
        return 0
    OUT.mkdir(exist_ok=True)
    runs = []
    for size in (int(s) for s in args.sizes.split(",")):
        done = subprocess.run([sys.executable, __file__, "--one", str(size), "--formats", args.formats,
                               "--seed", str(args.seed), *(["--dask", args.dask] if args.dask else [])],
                              cwd=ROOT, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(done.stderr[-4000:], file=sys.stderr)
            return 1
        run = json.loads(done.stdout.strip().splitlines()[-1])
        runs.append(run)
        print(f"{size:,} resources: {run['workloads']} workloads, {run['results']:,} results, analyse "
              f"{run['analyse_s']:.1f}s, peak {run['peak_rss_mib']:.0f} MiB, reports "
              f"{', '.join(f'{k} {v / 2**20:.1f} MiB' for k, v in sorted(run['report_bytes'].items()))}", flush=True)
    print()
    print(table(runs))
    before = json.loads(args.before.read_text()) if args.before and args.before.exists() else None
    if before:
        print(f"\nbefore ({before['commit']}, {before['measured']}) and now, seconds per phase:")
        print(compare(before["runs"], runs))
    (OUT / "bench-scale.json").write_text(json.dumps({"schema": "resilience.bench-scale/v1", "runs": runs}, indent=2)
                                          + "\n")
    print(f"\nwrote {OUT / 'bench-scale.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
