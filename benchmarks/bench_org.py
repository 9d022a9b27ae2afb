"""Benchmark: an AWS organisation scan (``--all-accounts``) on a moto server, at several sizes.

    python benchmarks/bench_org.py [--accounts 5,10,20] [--max-accounts 4] [--workers 4]
                                   [--services all|dynamodb,s3,backup] [--out bench-out]
    python benchmarks/bench_org.py --accounts 50          # the full case of issue 18 (50 accounts x 3 regions)
    python benchmarks/bench_org.py --accounts 5 --dask local   # each size also with the reads on a Dask cluster

For each size N: a fresh moto server (subprocess, with the demo's stand-ins for moto's gaps); an
organisation of N member accounts built through boto3 in a second subprocess (its memory is not
counted), each account holding, in each of 3 regions, two DynamoDB tables, a backup vault and a
plan copying to the DR account's vault, and a versioned bucket replicating to the DR account; then
a third subprocess runs the real code path -- ``resilience.collect.collect_inventory`` with the
organisation scope (the CLI's credential chain, ``AWS_ENDPOINT_URL``), ``analyse`` and
``write_reports`` -- and reports its wall time per phase and its peak RSS (a fresh process per
size, so the peak is that size's). With ``--max-accounts`` fixed, collection time should grow
linearly with the number of accounts: the table shows seconds per account. With ``--dask ADDRESS|local``
the measuring process runs each size a second time, on the same server, with ``scan --dask``'s code path
(the AWS reads as tasks of that cluster, the analysis on it too; ``local``: a LocalCluster of this
machine, whose start is timed apart); the table gains a ``dask`` row per size and says whether the two
inventories are byte-identical. A benchmark, not a test: nothing here asserts a time. Results go to
``<out>/bench-org.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scan import FAKE_KEYS, start_server  # noqa: E402  (the same moto server)

REGIONS = ("me-central-1", "eu-central-1", "me-south-1")
DR_REGION = "eu-central-1"
SCAN_TIME = dt.datetime(2026, 11, 20, 6, 0, tzinfo=dt.UTC)


# --- build (subprocess) ----------------------------------------------------------------------
def build(url: str, members: int) -> dict:
    import boto3

    base = boto3.Session(region_name=REGIONS[0], **{k.lower(): v for k, v in FAKE_KEYS.items()})
    calls = 0

    def client(service: str, region: str, account: str | None = None):
        nonlocal calls
        kwargs = {}
        if account:
            creds = base.client("sts", region_name=region, endpoint_url=url).assume_role(
                RoleArn=f"arn:aws:iam::{account}:role/builder", RoleSessionName="build")["Credentials"]
            kwargs = {"aws_access_key_id": creds["AccessKeyId"], "aws_secret_access_key": creds["SecretAccessKey"],
                      "aws_session_token": creds["SessionToken"]}
        made = base.client(service, region_name=region, endpoint_url=url, **kwargs)
        made.meta.events.register("before-call", lambda **_: _count())
        return made

    def _count():
        nonlocal calls
        calls += 1

    orgs = client("organizations", REGIONS[0])
    orgs.create_organization(FeatureSet="ALL")
    ids = [orgs.create_account(Email=f"m{i}@example.com", AccountName=f"member-{i:03d}")["CreateAccountStatus"]["AccountId"]
           for i in range(members)]
    dr, workloads = ids[0], ids[1:] or ids
    dr_vaults = {}
    for region in REGIONS:
        dr_vaults[region] = client("backup", region, dr).create_backup_vault(BackupVaultName="dr")["BackupVaultArn"]
    dr_s3 = client("s3", DR_REGION, dr)
    for account in workloads:
        for region in REGIONS:
            ddb = client("dynamodb", region, account)
            tables = [ddb.create_table(TableName=f"t{i}", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                                       AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                                       BillingMode="PAY_PER_REQUEST")["TableDescription"]["TableArn"] for i in range(2)]
            ddb.create_backup(TableName="t1", BackupName="manual")
            backup = client("backup", region, account)
            backup.create_backup_vault(BackupVaultName="main")
            other = DR_REGION if region != DR_REGION else REGIONS[0]
            plan = backup.create_backup_plan(BackupPlan={"BackupPlanName": "daily", "Rules": [{
                "RuleName": "daily", "TargetBackupVaultName": "main", "ScheduleExpression": "cron(0 3 * * ? *)",
                "CopyActions": [{"DestinationBackupVaultArn": dr_vaults[other]}]}]})
            backup.create_backup_selection(BackupPlanId=plan["BackupPlanId"], BackupSelection={
                "SelectionName": "t0", "IamRoleArn": f"arn:aws:iam::{account}:role/backup", "Resources": [tables[0]]})
        bucket, replica = f"data-{account}", f"replica-{account}"
        dr_s3.create_bucket(Bucket=replica, CreateBucketConfiguration={"LocationConstraint": DR_REGION})
        dr_s3.put_bucket_versioning(Bucket=replica, VersioningConfiguration={"Status": "Enabled"})
        s3 = client("s3", REGIONS[0], account)
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGIONS[0]})
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        s3.put_bucket_replication(Bucket=bucket, ReplicationConfiguration={
            "Role": f"arn:aws:iam::{account}:role/replication",
            "Rules": [{"ID": "dr", "Status": "Enabled", "Priority": 1, "Filter": {"Prefix": ""},
                       "DeleteMarkerReplication": {"Status": "Disabled"},
                       "Destination": {"Bucket": f"arn:aws:s3:::{replica}", "Account": dr}}]})
    return {"accounts": members, "calls": calls}


# --- measure (subprocess) --------------------------------------------------------------------
def measure(url: str, out: Path, max_accounts: int, workers: int, services: str, dask: str | None = None) -> dict:
    os.environ.update(FAKE_KEYS, AWS_ENDPOINT_URL=url, AWS_DEFAULT_REGION=REGIONS[0], AWS_CONFIG_FILE=os.devnull,
                      AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_EC2_METADATA_DISABLED="true")
    os.environ.pop("AWS_PROFILE", None)
    from resilience.reports import write_reports

    from resilience.collect import CollectOptions, collect_inventory
    from resilience.collectors.aws import AccountScope
    from resilience.collectors.aws import scan as aws_scan
    from resilience.fanout import cluster
    from resilience.policy import Policy
    from resilience.scan import analyse

    if services != "all":  # a narrower scan: the same code path, fewer service modules per account
        real = aws_scan.collect
        aws_scan.collect = lambda *a, **kw: real(*a, **{**kw, "services": services.split(",")})
    phases = {}

    def phase(name, fn):
        start = time.perf_counter()
        value = fn()
        phases[name] = round(time.perf_counter() - start, 3)
        return value

    scope = AccountScope(all_accounts=True, max_accounts=max_accounts)
    options = CollectOptions(providers=("aws",), scan_regions=REGIONS, max_workers=workers, aws_accounts=scope)
    with contextlib.ExitStack() as stack:
        fanout = phase("dask_start", lambda: stack.enter_context(cluster(dask))) if dask else None
        options.fanout = fanout
        inventory = phase("collect", lambda: collect_inventory(options, now=lambda: SCAN_TIME))
        result = phase("analyse", lambda: analyse(inventory, Policy(), scan_time=SCAN_TIME, rules=None, fanout=fanout))
    phase("reports", lambda: write_reports(result, out / ("reports-org-dask" if dask else "reports-org"), ("json", "md")))
    accounts = inventory.meta["aws_accounts"]
    return {
        "dask": dask or "",
        "inventory_sha256": hashlib.sha256(inventory.to_json().encode()).hexdigest(),
        "phases_s": phases,
        "maxrss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "accounts_scanned": sum(1 for a in accounts if a["outcome"] == "scanned"),
        "accounts_failed": [a["account"] for a in accounts if a["outcome"] == "failed"],
        "resources": len(inventory.resources),
        "edges": len(inventory.edges),
        "cross_account_edges": sum(1 for e in inventory.edges if e.attrs.get("cross_account")),
        "coverage_records": len(inventory.coverage),
        "coverage_not_ok": sum(1 for c in inventory.coverage if c.status not in ("ok", "skipped")),
        "findings": len(result.findings),
    }


def run_case(members: int, args, out: Path) -> dict:
    server, url = start_server()
    try:
        start = time.perf_counter()
        built = subprocess.run([sys.executable, __file__, "--build", url, "--members", str(members)], cwd=ROOT,
                               capture_output=True, text=True, check=False)
        if built.returncode != 0:
            raise RuntimeError(built.stderr[-2000:])
        build_s = time.perf_counter() - start
        runs = []
        for dask in ([None, args.dask] if args.dask else [None]):
            measured = subprocess.run([sys.executable, __file__, "--measure", url, "--out", str(out),
                                       "--max-accounts", str(args.max_accounts), "--workers", str(args.workers),
                                       "--services", args.services, *(["--dask", dask] if dask else [])],
                                      cwd=ROOT, capture_output=True, text=True, check=False)
            if measured.returncode != 0:
                raise RuntimeError(measured.stderr[-2000:])
            runs.append(json.loads(measured.stdout.strip().splitlines()[-1]))
    finally:
        server.stdin.close()
        server.wait(timeout=30)
    case = {"members": members, "build_s": round(build_s, 2), **runs[0]}
    if len(runs) > 1:
        case["on_dask"] = runs[1]
        case["same_inventory"] = runs[1]["inventory_sha256"] == runs[0]["inventory_sha256"]
    return case


def table(cases: list[dict]) -> str:
    rows = [("accounts", "run", "resources", "collect s", "s/account", "analyse s", "reports s", "peak RSS MiB",
             "same inventory")]
    for case in cases:
        for c in (case, case.get("on_dask")):
            if c is None:
                continue
            n = c["accounts_scanned"]
            p = c["phases_s"]
            run = f"dask {c['dask']} (+{p['dask_start']:.1f}s start)" if c.get("dask") else "threads"
            same = "" if "on_dask" not in case or c is case else ("yes" if case["same_inventory"] else "NO")
            rows.append((str(n), run, str(c["resources"]), f"{p['collect']:.1f}", f"{p['collect'] / max(n, 1):.2f}",
                         f"{p['analyse']:.1f}", f"{p['reports']:.1f}", f"{c['maxrss_mib']:.0f}", same))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.rjust(widths[i]) for i, c in enumerate(r)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", default="5,10,20", help="organisation sizes (member accounts), comma-separated")
    parser.add_argument("--max-accounts", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--services", default="all", help="all, or service modules to read, e.g. dynamodb,s3,backup")
    parser.add_argument("--dask", metavar="ADDRESS|local", help="also measure each size with the reads on this cluster")
    parser.add_argument("--out", default=str(ROOT / "bench-out"))
    parser.add_argument("--build", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--members", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--measure", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.build:
        print(json.dumps(build(args.build, args.members)))
        return 0
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.measure:
        print(json.dumps(measure(args.measure, out, args.max_accounts, args.workers, args.services, args.dask)))
        return 0
    cases = []
    for size in (int(s) for s in args.accounts.split(",") if s.strip()):
        cases.append(run_case(size, args, out))
        dask = f", on dask {cases[-1]['on_dask']['phases_s']['collect']:.1f}s" if args.dask else ""
        print(f"{size} accounts: collect {cases[-1]['phases_s']['collect']:.1f}s{dask}", file=sys.stderr, flush=True)
    import moto

    summary = {"schema": "resilience.bench-org/v1", "when": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
               "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                           "moto": moto.__version__},
               "params": {"regions": list(REGIONS), "max_accounts": args.max_accounts, "workers": args.workers,
                          "services": args.services, "dask": args.dask or ""}, "cases": cases}
    (out / "bench-org.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(f"organisation scan, {len(REGIONS)} regions, --max-accounts {args.max_accounts}, --workers {args.workers}, "
          f"services {args.services} (the management account is scanned too)\n")
    print(table(cases))
    print(f"\nwrote {out / 'bench-org.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
