"""Benchmark: collect + analyse a generated estate of 1,000+ resources over 3 regions on a moto server.

    python benchmarks/bench_scan.py [--scale 1.0] [--workers 8] [--out bench-out] [--no-tracemalloc]
                                    [--save-inventory PATH] [--inventory PATH] [--top N]

A moto server runs in a subprocess (with the demo's stand-ins for moto's gaps); a second subprocess
builds the estate through boto3 (so its memory is not counted); this process then runs the real code
path -- ``resilience.collect.collect_inventory`` (the CLI's credential chain, ``AWS_ENDPOINT_URL``),
``resilience.scan.analyse`` with a generated policy, and ``write_reports`` -- and prints a table of
wall time and memory. ``--no-tracemalloc`` skips the second, traced pass (tracemalloc slows Python
code ~2x, so wall times come from the untraced pass and the traced pass only measures the peak).
Results go to ``<out>/bench.json``. A benchmark, not a test: nothing here asserts a time.

The analyse phase is broken down per rule (a second table, slowest first; ``--top N`` rows, 0 for
all): analysis should grow roughly linearly with the estate, and a rule that does not is visible
here. ``--save-inventory PATH`` writes the collected snapshot (``inventory.json``, with the
generated policy beside it as ``PATH.policy.yaml``); ``--inventory PATH`` re-analyses such a
snapshot offline (with ``PATH.policy.yaml`` when present) -- no moto server, no collection --
which is how to profile the analysis alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import resource
import socket
import subprocess
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REGIONS = ("me-central-1", "eu-central-1", "me-south-1")
SCAN_TIME = dt.datetime(2026, 11, 20, 6, 0, tzinfo=dt.UTC)
FAKE_KEYS = {"AWS_ACCESS_KEY_ID": "AKIABENCHBENCHBENCH0", "AWS_SECRET_ACCESS_KEY": "bench-secret-not-real"}

# per region, at --scale 1.0 (each web tier = ALB + target group + ASG + its instances and their volumes)
SHAPE = {"web_tiers": 15, "instances_per_tier": 6, "tables": 30, "functions": 30, "databases": 8, "buckets": 15,
         "dns_records": 40}


# --- the server ------------------------------------------------------------------------------


def serve() -> None:
    """``--serve``: a threaded moto server on a free port; prints the port, runs until stdin closes."""
    os.environ["MOTO_ALLOW_NONEXISTENT_REGION"] = "true"
    from moto.server import ThreadedMotoServer

    from resilience.demo import moto_gaps

    moto_gaps.install()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    print(server.get_host_and_port()[1], flush=True)
    sys.stdin.read()  # the parent closes our stdin to stop us
    server.stop()


def start_server() -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, __file__, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    port = int(proc.stdout.readline().strip())
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, url
        time.sleep(0.1)
    raise RuntimeError("moto server did not start")


# --- the estate --------------------------------------------------------------------------------


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("handler.py", "def handler(e, c):\n    return {}\n")
    return buf.getvalue()


def build(url: str, scale: float) -> dict[str, int]:
    """``--build URL``: create the estate through boto3; returns what was created."""
    import boto3

    from resilience.demo.estate import _lambda_role, health_check, public_zone, subnets_by_zone, tags

    shape = {k: max(1, round(v * scale)) for k, v in SHAPE.items()}
    session = boto3.Session(region_name=REGIONS[0], aws_access_key_id=FAKE_KEYS["AWS_ACCESS_KEY_ID"],
                            aws_secret_access_key=FAKE_KEYS["AWS_SECRET_ACCESS_KEY"])

    class Endpoint:  # every client of the estate helpers goes to the server
        def client(self, service, region_name=None, **kw):
            return session.client(service, region_name=region_name or REGIONS[0], endpoint_url=url, **kw)

    s = Endpoint()
    made = {"calls": 0}
    role = _lambda_role(s, "bench-exec")
    zone = public_zone(s, "bench.example.com", "svc-0")
    r53 = s.client("route53")
    code = _zip()
    for ri, region in enumerate(REGIONS):
        ec2, elb, asg = (s.client(x, region_name=region) for x in ("ec2", "elbv2", "autoscaling"))
        ddb, lam, rds, s3 = (s.client(x, region_name=region) for x in ("dynamodb", "lambda", "rds", "s3"))
        subnets = subnets_by_zone(s, region)
        image = ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "name", "Values": ["al2023-ami-2023*-x86_64"]}])[
            "Images"][0]["ImageId"]
        ec2.create_launch_template(LaunchTemplateName="bench-lt", LaunchTemplateData={"ImageId": image,
                                                                                    "InstanceType": "m6i.large"})
        dns_targets = []
        for i in range(shape["web_tiers"]):
            w = f"svc-{i % 20}"
            lb = elb.create_load_balancer(Name=f"b{ri}-{i}-alb", Subnets=[x["SubnetId"] for x in subnets],
                                          Tags=tags(w))["LoadBalancers"][0]
            tg = elb.create_target_group(Name=f"b{ri}-{i}-tg", Protocol="HTTP", Port=80, VpcId=subnets[0]["VpcId"],
                                         Tags=tags(w))["TargetGroups"][0]
            elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                                DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}])
            n = shape["instances_per_tier"]
            asg.create_auto_scaling_group(
                AutoScalingGroupName=f"b{ri}-{i}-asg", LaunchTemplate={"LaunchTemplateName": "bench-lt"}, MinSize=n,
                MaxSize=n, DesiredCapacity=n, VPCZoneIdentifier=",".join(x["SubnetId"] for x in subnets),
                TargetGroupARNs=[tg["TargetGroupArn"]], Tags=[{**t, "PropagateAtLaunch": True} for t in tags(w)])
            dns_targets.append(lb)
            made["calls"] += 5
        for i in range(shape["tables"]):
            w = f"svc-{i % 20}"
            arn = ddb.create_table(TableName=f"bench-{i}", BillingMode="PAY_PER_REQUEST",
                                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                                   Tags=tags(w))["TableDescription"]["TableArn"]
            if i % 2 == 0:
                ddb.update_continuous_backups(TableName=f"bench-{i}",
                                              PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
            if i < shape["functions"]:
                lam.create_function(FunctionName=f"bench-fn-{i}", Runtime="python3.12", Role=role,
                                    Handler="handler.handler", Code={"ZipFile": code}, Tags={"app": w},
                                    Environment={"Variables": {"TABLE_ARN": arn, "API_TOKEN": "x" * 12}})
            made["calls"] += 3
        for i in range(shape["databases"]):
            rds.create_db_instance(DBInstanceIdentifier=f"bench-db-{i}", Engine="postgres",
                                   DBInstanceClass="db.t3.medium", MasterUsername="u", MasterUserPassword="password123",
                                   AllocatedStorage=50, MultiAZ=i % 2 == 0, BackupRetentionPeriod=7,
                                   Tags=tags(f"svc-{i % 20}"))
            made["calls"] += 1
        for i in range(shape["buckets"]):
            name = f"bench-{region}-{i}"
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
            s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tags(f"svc-{i % 20}")})
            made["calls"] += 2
        changes = []
        for i, lb in enumerate(dns_targets[: shape["dns_records"]]):
            changes.append({"Action": "CREATE", "ResourceRecordSet": {
                "Name": f"svc{i}-{region}.bench.example.com", "Type": "A",
                "AliasTarget": {"HostedZoneId": lb["CanonicalHostedZoneId"], "DNSName": lb["DNSName"],
                                "EvaluateTargetHealth": True}}})
        for i in range(len(changes), shape["dns_records"]):
            changes.append({"Action": "CREATE", "ResourceRecordSet": {
                "Name": f"static{i}-{region}.bench.example.com", "Type": "CNAME", "TTL": 300,
                "ResourceRecords": [{"Value": "origin.example.net"}]}})
        r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": changes})
        health_check(s, "svc-0", f"svc0-{region}.bench.example.com", f"bench-{region}")
    return made


def policy_text() -> str:
    lines = ["version: 1", "tiers:", "  critical: {region: {rto: 4h, rpo: 1h}}", "workloads:"]
    for i in range(20):
        tier = "    tier: critical\n" if i % 2 == 0 else "    objectives:\n      region: {rto: 24h, rpo: 24h}\n"
        lines.append(f"  svc-{i}:\n    match: {{tags: {{app: svc-{i}}}}}\n{tier.rstrip()}")
    lines += ["failover_tests:", "  - {workload: svc-0, scenario: region, date: 2026-09-01, result: pass, measured_rto: 2h}"]
    return "\n".join(lines) + "\n"


# --- the measurement ----------------------------------------------------------------------------


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def timed_rules(times: dict[str, float]) -> tuple:
    """The registry with each rule's check timed into ``times`` (rule id -> seconds; the results are
    materialised inside the timer, as the engine would)."""
    from dataclasses import replace

    from resilience.rules import REGISTRY

    def wrap(rule):
        def check(ctx):
            start = time.perf_counter()
            try:
                return list(rule.check(ctx))
            finally:
                times[rule.id] = times.get(rule.id, 0.0) + time.perf_counter() - start
        check.__doc__ = rule.check.__doc__
        return replace(rule, check=check, per_workload=None)  # timed as one check

    return tuple(wrap(r) for r in REGISTRY)


def measure(url: str | None, out: Path, workers: int, traced: bool, *, inventory_path: Path | None = None,
            save_inventory: Path | None = None) -> dict:
    from resilience.reports import write_reports

    from resilience.collect import CollectOptions, collect_inventory
    from resilience.model import Inventory
    from resilience.policy import load_policy
    from resilience.scan import analyse

    if url:
        os.environ.update(FAKE_KEYS, AWS_ENDPOINT_URL=url, AWS_DEFAULT_REGION=REGIONS[0],
                          AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull,
                          AWS_EC2_METADATA_DISABLED="true")
        os.environ.pop("AWS_PROFILE", None)
    policy_path = out / "bench-policy.yaml"
    saved_policy = Path(f"{inventory_path}.policy.yaml") if inventory_path else None
    policy_path.write_text(saved_policy.read_text() if saved_policy and saved_policy.exists() else policy_text())
    policy = load_policy(policy_path)
    phases: dict[str, dict] = {}

    def phase(name, fn):
        if traced:
            tracemalloc.start()
        start = time.perf_counter()
        value = fn()
        wall = time.perf_counter() - start
        record = {"wall_s": round(wall, 3), "maxrss_mib": round(_maxrss_mib(), 1)}
        if traced:
            record["traced_peak_mib"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
            tracemalloc.stop()
        phases[name] = record
        return value

    if inventory_path:
        inventory = phase("load inventory", lambda: Inventory.from_dict(json.loads(inventory_path.read_text())))
    else:
        options = CollectOptions(providers=("aws",), scan_regions=REGIONS, max_workers=workers)
        now = lambda: SCAN_TIME  # noqa: E731
        inventory = phase("collect", lambda: collect_inventory(options, now=now))
    if save_inventory and not traced:
        save_inventory.parent.mkdir(parents=True, exist_ok=True)
        save_inventory.write_text(inventory.to_json() + "\n")
        Path(f"{save_inventory}.policy.yaml").write_text(policy_path.read_text())
    rule_s: dict[str, float] = {}
    rules = timed_rules(rule_s)
    result = phase("analyse", lambda: analyse(inventory, policy, scan_time=SCAN_TIME, audited_regions=(REGIONS[0],),
                                              rules=rules))
    report_dir = out / ("reports-traced" if traced else "reports")
    phase("reports (json, md)", lambda: write_reports(result, report_dir, ("json", "md")))
    bad = [f"{c.region}/{c.service}: {c.status}" for c in inventory.coverage if c.status not in ("ok", "skipped")]
    analyse_s = phases["analyse"]["wall_s"]
    return {
        "phases": phases,
        # per rule (slowest first); "other" is the rest of analyse: graph build, per-workload recovery estimates
        "analyse_breakdown_s": {
            **{k: round(v, 3) for k, v in sorted(rule_s.items(), key=lambda kv: -kv[1])},
            "other": round(max(0.0, analyse_s - sum(rule_s.values())), 3),
        },
        "resources": len(inventory.resources),
        "edges": len(inventory.edges),
        "graph_nodes": result.graph.number_of_nodes(),
        "coverage_records": len(inventory.coverage),
        "coverage_not_ok": bad,
        "findings": len(result.findings),
        "failing": sum(1 for f in result.findings if f.status == "fail"),
        "by_kind": _count(r.kind for r in inventory.resources),
        "by_region": _count(r.region for r in inventory.resources),
    }


def _count(values) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return dict(sorted(out.items()))


def table(results: dict) -> str:
    untraced = results["untraced"]["phases"]
    traced = (results.get("traced") or {}).get("phases", {})
    rows = [("phase", "wall s", "maxrss MiB", "traced peak MiB")]
    for name, rec in untraced.items():
        rows.append((name, f"{rec['wall_s']:.2f}", f"{rec['maxrss_mib']:.0f}",
                     f"{traced[name]['traced_peak_mib']:.1f}" if name in traced else "-"))
    total = sum(r["wall_s"] for r in untraced.values())
    rows.append(("total", f"{total:.2f}", f"{max(r['maxrss_mib'] for r in untraced.values()):.0f}",
                 f"{max(t['traced_peak_mib'] for t in traced.values()):.1f}" if traced else "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def rule_table(results: dict, top: int) -> str:
    """The analyse phase per rule, slowest first (untraced pass), with each row's share."""
    breakdown = dict(results["untraced"]["analyse_breakdown_s"])
    other = breakdown.pop("other", 0.0)
    total = sum(breakdown.values()) + other
    items = list(breakdown.items())
    shown = items[:top] if top > 0 else items
    rest = items[len(shown):]
    rows = [("analyse: rule", "wall s", "share")]
    for rule_id, s in shown:
        rows.append((rule_id, f"{s:.2f}", f"{100 * s / total:.0f}%" if total else "-"))
    if rest:
        s = sum(v for _, v in rest)
        rows.append((f"{len(rest)} other rules", f"{s:.2f}", f"{100 * s / total:.0f}%" if total else "-"))
    rows.append(("graph build, workload recovery", f"{other:.2f}", f"{100 * other / total:.0f}%" if total else "-"))
    rows.append(("analyse total", f"{total:.2f}", "100%"))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = ["  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the estate's shape (1.0: ~1,300 resources)")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--out", default=str(ROOT / "bench-out"))
    parser.add_argument("--no-tracemalloc", action="store_true", help="skip the traced pass")
    parser.add_argument("--save-inventory", metavar="PATH", help="write the collected inventory.json here (and the "
                        "generated policy beside it, PATH.policy.yaml)")
    parser.add_argument("--inventory", metavar="PATH", help="analyse a saved inventory.json offline: no moto server, "
                        "no collection")
    parser.add_argument("--top", type=int, default=10, help="rules shown in the per-rule table (0: all)")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--build", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve()
        return 0
    if args.build:
        print(json.dumps(build(args.build, args.scale)))
        return 0

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    save = Path(args.save_inventory) if args.save_inventory else None
    if args.inventory:
        inventory_path = Path(args.inventory)
        results = {"untraced": measure(None, out, args.workers, traced=False, inventory_path=inventory_path,
                                       save_inventory=save)}
        if not args.no_tracemalloc:
            results["traced"] = measure(None, out, args.workers, traced=True, inventory_path=inventory_path)
        summary = {"schema": "resilience.bench/v1", "when": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
                   "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                               "platform": platform.platform()},
                   "params": {"inventory": str(inventory_path), "regions": list(REGIONS)}, **results}
        (out / "bench.json").write_text(json.dumps(summary, indent=2) + "\n")
        u = results["untraced"]
        print(f"inventory {inventory_path}: {u['resources']} resources, {u['edges']} edges; {u['findings']} findings "
              f"({u['failing']} failing)\n")
        print(table(results))
        print()
        print(rule_table(results, args.top))
        print(f"\nwrote {out / 'bench.json'}")
        return 0
    server, url = start_server()
    try:
        start = time.perf_counter()
        built = subprocess.run([sys.executable, __file__, "--build", url, "--scale", str(args.scale)], cwd=ROOT,
                               capture_output=True, text=True, check=False)
        if built.returncode != 0:
            print(built.stderr, file=sys.stderr)
            return 1
        build_s = time.perf_counter() - start
        results = {"untraced": measure(url, out, args.workers, traced=False, save_inventory=save)}
        if not args.no_tracemalloc:
            results["traced"] = measure(url, out, args.workers, traced=True)
    finally:
        server.stdin.close()
        server.wait(timeout=30)

    import moto

    summary = {
        "schema": "resilience.bench/v1",
        "when": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                    "moto": moto.__version__},
        "params": {"scale": args.scale, "workers": args.workers, "regions": list(REGIONS), "shape": SHAPE},
        "build_estate_s": round(build_s, 2),
        "api_calls_to_build": json.loads(built.stdout.strip().splitlines()[-1])["calls"],
        **results,
    }
    (out / "bench.json").write_text(json.dumps(summary, indent=2) + "\n")
    u = results["untraced"]
    print(f"estate: {u['resources']} resources, {u['edges']} edges over {len(REGIONS)} regions "
          f"(built in {build_s:.1f}s); {u['findings']} findings ({u['failing']} failing); "
          f"{u['coverage_records']} coverage records, not ok: {u['coverage_not_ok'] or 'none'}")
    print(f"workers {args.workers}, moto server in a subprocess, {os.cpu_count()} CPUs\n")
    print(table(results))
    print()
    print(rule_table(results, args.top))
    if save:
        print(f"\nwrote {save} (policy: {save}.policy.yaml)")
    print(f"\nwrote {out / 'bench.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
