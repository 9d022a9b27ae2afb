"""Benchmark: the scan history over a year of a large estate.

    python benchmarks/bench_history.py [--scans 365] [--results 10000] [--db URL] [--out bench-out]

Generates one findings.json per night for an estate of ``--results`` results (about 3% failing,
failures opening and closing over the year, a few nights without a scan or with a coverage gap),
and for each night writes the file and adds it through the real ``history add`` path (read, schema
validation, SHA-256, compression, derived rows, chain) -- one file on disk at a time, as a nightly
CI job would. Then verifies the whole chain (re-hashing every stored file) and builds the period
report in every format. Prints wall time per phase, the database size and the process's peak RSS
(``ru_maxrss``); results go to ``<out>/bench-history.json``. A benchmark, not a test: nothing here
asserts a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import platform
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

START = dt.date(2026, 1, 1)
CONTROLS = (["SOC2:A1.2", "ISO27001:2022:A.8.14", "NIST800-53:CP-7"], ["SOC2:A1.2", "NIST800-53:CP-9"],
            ["SOC2:A1.3", "NIST800-53:CP-4"], ["SOC2:CC9.1", "DORA:Art.11"])
RULES = ("RES-DATA-001", "RES-REGION-002", "RES-DNS-001", "RES-BACKUP-003", "RES-ZONAL-004")
SEVERITIES = ("critical", "high", "medium", "low")


def estate(results: int) -> list[dict]:
    rng = random.Random(1)
    out = []
    for i in range(results):
        region = ("me-central-1", "me-south-1", "eu-central-1")[i % 3]
        arn = f"arn:aws:rds:{region}:123456789012:db:db-{i:05d}"
        out.append({
            "id": hashlib.sha256(f"finding-{i}".encode()).hexdigest()[:24], "rule": RULES[i % len(RULES)],
            "category": "regional-spof", "status": "pass", "severity": SEVERITIES[rng.randrange(4)],
            "title": "Database has no copy outside its region", "message": f"db-{i:05d} survives the loss of {region}",
            "resource": arn, "resource_type": "AWS::RDS::DBInstance", "region": region,
            "workload": f"app-{i % 40}", "account": "123456789012", "controls": CONTROLS[i % len(CONTROLS)],
            "evidence": {"observed": {"read_replicas": [f"arn:aws:rds:eu-west-1:123456789012:db:db-{i:05d}-r"]},
                         "expected": {"copy_outside_region": True}, "source": "rds:DescribeDBInstances",
                         "observed_at": "2026-01-01T02:00:00+00:00"},
            "remediation": "Create a cross-region read replica or an automated backup copy in another region.",
        })
    return out


def night_document(base: list[dict], n: int, failing: set[int], gap: bool) -> bytes:
    when = dt.datetime.combine(START + dt.timedelta(days=n - 1), dt.time(2, 0), tzinfo=dt.UTC)
    findings = [{**f, "status": "fail"} if i in failing else f for i, f in enumerate(base)]
    coverage = [{"provider": "aws", "account": "123456789012", "region": r, "service": s, "status": "ok"}
                for r in ("me-central-1", "me-south-1", "eu-central-1") for s in ("rds", "ec2", "s3", "dynamodb")]
    if gap:
        coverage[0] = {**coverage[0], "status": "denied", "detail": "AccessDenied"}
    doc = {"schema": "resilience.findings/v1",
           "scan": {"id": f"bench-{n:03d}", "started_at": when.isoformat(),
                    "finished_at": (when + dt.timedelta(minutes=20)).isoformat(), "tool_version": "bench",
                    "provider": ["aws"], "accounts": ["123456789012"], "regions_audited": ["me-central-1"],
                    "regions_scanned": ["me-central-1", "me-south-1", "eu-central-1"],
                    "identity": "arn:aws:sts::123456789012:assumed-role/ci/nightly", "policy_sha256": ""},
           "coverage": coverage, "workloads": [], "findings": findings}
    return json.dumps(doc, separators=(",", ":")).encode()


def failing_sets(results: int, scans: int) -> list[set[int]]:
    """Per night, the failing results: ~3% of the estate, episodes of 1-30 nights."""
    rng = random.Random(2)
    open_until: dict[int, int] = {}
    out = []
    for n in range(1, scans + 1):
        for _ in range(max(1, results * 3 // 100 // 15)):
            open_until.setdefault(rng.randrange(results), n + rng.randrange(1, 31))
        open_until = {i: end for i, end in open_until.items() if end > n}
        out.append(set(open_until))
    return out


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=365)
    parser.add_argument("--results", type=int, default=10_000)
    parser.add_argument("--db", help="history URL (default: a SQLite file in a temporary folder)")
    parser.add_argument("--out", default="bench-out")
    args = parser.parse_args()

    from resilience.history.chain import verify
    from resilience.history.commands import write_report
    from resilience.history.ingest import add_paths
    from resilience.history.period import build_report
    from resilience.history.store import open_store

    work = Path(tempfile.mkdtemp(prefix="bench-history-"))
    url = args.db or f"sqlite:///{work}/history.sqlite"
    base = estate(args.results)
    failing = failing_sets(args.results, args.scans)
    missing, gaps = {args.scans // 3, 2 * args.scans // 3}, {args.scans // 2}
    timings: dict[str, float] = {}
    cpu0 = cpu_seconds()
    try:
        with open_store(url) as store:
            t0 = time.perf_counter()
            generate = 0.0
            for n in range(1, args.scans + 1):
                if n in missing:
                    continue
                g0 = time.perf_counter()
                path = work / "findings.json"
                path.write_bytes(night_document(base, n, failing[n - 1], n in gaps))
                generate += time.perf_counter() - g0
                add_paths(store, [path], ingested_by="bench")
            timings["generate files"] = generate
            timings["history add (all nights)"] = time.perf_counter() - t0 - generate
            t0 = time.perf_counter()
            verdict = verify(store)
            timings["history verify (with files)"] = time.perf_counter() - t0
            assert verdict.intact, verdict.problems
            t0 = time.perf_counter()
            report = build_report(store, START, START + dt.timedelta(days=args.scans - 1),
                                  remediation_sla={"critical": 7 * 86400, "high": 30 * 86400})
            timings["period report (build)"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            out = Path(args.out) / "history"
            write_report(report, out, ("json", "md", "html", "csv", "oscal"))
            timings["period report (write 5 formats)"] = time.perf_counter() - t0
        db_file = work / "history.sqlite"
        summary = {
            "scans": verdict.scans, "results_per_scan": args.results,
            "exceptions": sum(len(c["exceptions"]) for c in report["controls"]),
            "db": "sqlite (temporary)" if not args.db else "given", "db_mib": round(db_file.stat().st_size / 2**20, 1)
            if db_file.exists() else None, "timings_s": {k: round(v, 2) for k, v in timings.items()},
            "cpu_s_total": round(cpu_seconds() - cpu0, 1),  # wall times depend on the machine's other load
            "peak_rss_mib": round(peak_rss_mib(), 1), "python": platform.python_version(),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    (Path(args.out) / "bench-history.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(f"history: {summary['scans']} scans x {args.results} results, {summary['exceptions']} exceptions, "
          f"database {summary['db_mib']} MiB")
    for phase, seconds in summary["timings_s"].items():
        print(f"  {phase:36} {seconds:8.2f} s")
    print(f"  {'CPU time, all phases':36} {summary['cpu_s_total']:8.1f} s")
    print(f"  {'peak RSS':36} {summary['peak_rss_mib']:8.1f} MiB")


if __name__ == "__main__":
    main()
