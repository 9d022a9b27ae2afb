"""Generate a realistic inventory of N resources, shaped like the demo estate, for the scale benchmark.

    python benchmarks/generate_inventory.py --resources 100000 [--seed 7] [--out bench-out/inv-100k.json]

The template is the demo estate itself (AWS through moto, Azure and GCP through their recorded APIs; built
once and cached in ``bench-out/template-inventory.json``): the same mix of kinds, edges, copies, DNS failover,
backups and coverage records as the estate the rules are tuned on. Copy ``k`` of it lives in its own AWS
account, Azure subscription and GCP project, with its AWS regions moved to one of several real region
triplets (primary, a neighbour, a DR region: chosen by the seed), and its workloads renamed ``NAME-k``; the
policy beside it (``PATH.policy.yaml``) declares every copy's workloads with the demo's objectives and tests.
Copies are rewritten as JSON text (one regex pass each) and streamed to the file, so generating a million
resources stays in seconds and in bounded memory.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "bench-out" / "template-inventory.json"
#: (primary, neighbour, DR) and their zone-id prefixes, replacing the demo's me-central-1 / me-south-1 /
#: eu-central-1; the Gulf triplet keeps the correlated-region findings in the mix
REGION_SETS = (
    (("me-central-1", "mec1"), ("me-south-1", "mes1"), ("eu-central-1", "euc1")),
    (("us-east-1", "use1"), ("us-east-2", "use2"), ("us-west-2", "usw2")),
    (("eu-west-1", "euw1"), ("eu-west-2", "euw2"), ("eu-central-1", "euc1")),
    (("ap-southeast-1", "apse1"), ("ap-southeast-3", "apse3"), ("ap-northeast-1", "apne1")),
    (("eu-south-1", "eus1"), ("eu-south-2", "eus2"), ("eu-north-1", "eun1")),
    (("ca-central-1", "cac1"), ("ca-west-1", "caw1"), ("us-east-1", "use1")),
)
DEMO = (("me-central-1", "mec1"), ("me-south-1", "mes1"), ("eu-central-1", "euc1"))
WORKLOAD_TAG_KEYS = ("app", "resilience:workload", "resilience-workload", "resilience_workload")


def template() -> tuple[dict, dict]:
    """The demo's inventory (dict) and policy (parsed YAML), built once and cached."""
    from resilience.demo import add_other_clouds, build_and_collect, demo_policy_text

    if not TEMPLATE.exists():
        _estate, inventory = build_and_collect()
        add_other_clouds(inventory)
        TEMPLATE.parent.mkdir(parents=True, exist_ok=True)
        TEMPLATE.write_text(inventory.to_json())
    return json.loads(TEMPLATE.read_text()), yaml.safe_load(demo_policy_text())


class Copier:
    """Rewrites the template's JSON text into copy ``k``: accounts, regions, zone ids, workload names."""

    def __init__(self, inventory: dict, policy: dict) -> None:
        # declared workloads, and those only tagged (a copy's workload is its own, never one spanning copies)
        tagged = {tags[key] for r in inventory["resources"] for tags in [r.get("tags") or {}]
                  for key in WORKLOAD_TAG_KEYS if tags.get(key)}
        self.workloads = sorted(set(policy.get("workloads") or {}) | tagged, key=lambda w: (-len(w), w))
        self.aws_accounts = sorted({r["account"] for r in inventory["resources"] if r["provider"] == "aws"})
        self.azure_subs = sorted({r["account"] for r in inventory["resources"] if r["provider"] == "azure"})
        self.gcp_projects = sorted({r["account"] for r in inventory["resources"] if r["provider"] == "gcp"})
        self.global_names = sorted(_global_names(inventory), key=len, reverse=True)
        names = [re.escape(n) for n in (*self.aws_accounts, *self.azure_subs, *self.gcp_projects)]
        regions = [re.escape(r) for r, _ in DEMO] + [re.escape(p) + r"(?=-az\d)" for _, p in DEMO]
        tags = "|".join(re.escape(k) for k in WORKLOAD_TAG_KEYS)
        values = "|".join(re.escape(w) for w in self.workloads)
        unique = "|".join(re.escape(n) for n in self.global_names)
        self.pattern = re.compile(
            rf'(?P<tag>"(?:{tags})": ")(?P<wl>{values})(?=")'
            rf'|(?<![A-Za-z0-9.-])(?P<global>{unique})(?![A-Za-z0-9-])'
            rf'|(?P<id>{"|".join(names)})|(?P<region>{"|".join(regions)})')

    def mapping(self, k: int, rng: random.Random) -> dict[str, str]:
        triplet = REGION_SETS[rng.randrange(len(REGION_SETS))] if k else DEMO
        out = {}
        for (old, old_prefix), (new, new_prefix) in zip(DEMO, triplet, strict=True):
            out[old], out[old_prefix] = new, new_prefix
        for i, account in enumerate(self.aws_accounts):
            out[account] = f"{(200000000000 + k * 10 + i):012d}"
        for i, sub in enumerate(self.azure_subs):
            out[sub] = f"{k:08x}-{i:04x}-4000-8000-{hashlib.sha256(sub.encode()).hexdigest()[:12]}"
        for project in self.gcp_projects:
            out[project] = f"{project}-{k}"
        return out

    def rewrite(self, text: str, k: int, mapping: dict[str, str]) -> str:
        def sub(m: re.Match) -> str:
            if m.group("tag"):
                return f"{m.group('tag')}{m.group('wl')}-{k}"
            if m.group("global"):  # a name in a provider-wide namespace: unique per copy, as in real life
                return f"{m.group('global')}-{k}" if k else m.group("global")
            return mapping.get(m.group(0), m.group(0))

        return self.pattern.sub(sub, text)


#: host names in a provider-wide DNS namespace (the label is unique across every customer's subscriptions)
PROVIDER_HOSTS = re.compile(
    r"(?<![A-Za-z0-9.-])([a-z0-9-]+)\.(?:trafficmanager\.net|azurefd\.net|azurewebsites\.net|database\.windows\.net"
    r"|redis\.cache\.windows\.net|vault\.azure\.net|blob\.core\.windows\.net|[a-z0-9-]+\.cloudapp\.azure\.com"
    r"|(?:postgres|mysql)\.database\.azure\.com|documents\.azure\.com)\b")


def _global_names(inventory: dict) -> set[str]:
    """Names that carry no account or project: S3 and GCS bucket names, Route 53 zone and health-check ids,
    and Azure host labels (``NAME.trafficmanager.net``, ...; left alone, every copy's Traffic Manager profile
    would answer for one DNS name)."""
    out = set(PROVIDER_HOSTS.findall(json.dumps(inventory)))
    for resource in inventory["resources"]:
        node = resource["id"]
        for pattern in (r"^arn:aws:s3:::([^/]+)$", r"hostedzone/([A-Z0-9]+)", r"healthcheck/([0-9a-f-]+)",
                        r"^//storage\.googleapis\.com/([^/#]+)"):
            match = re.search(pattern, node)
            if match:
                out.add(match.group(1))
    return out


def generate(resources: int, seed: int, out: Path) -> dict:
    inventory, policy = template()
    copier = Copier(inventory, policy)
    per_copy = len(inventory["resources"])
    copies = max(1, -(-resources // per_copy))
    rng = random.Random(seed)
    parts = {key: json.dumps(inventory[key]) for key in ("resources", "edges", "coverage")}
    out.parent.mkdir(parents=True, exist_ok=True)
    mappings = []
    with out.open("w", encoding="utf-8") as fh:
        meta = dict(inventory.get("meta") or {})
        fh.write('{"schema": ' + json.dumps(inventory.get("schema")) + ', "meta": ' + json.dumps(meta))
        for key in ("resources", "edges", "coverage"):
            fh.write(f', "{key}": [')
            first = True
            for k in range(copies):
                if key == "resources":
                    mappings.append(copier.mapping(k, rng))
                body = copier.rewrite(parts[key], k, mappings[k])[1:-1]
                if key == "resources" and k == copies - 1:  # trim the last copy to the exact count
                    items = json.loads(f"[{body}]")[: resources - per_copy * (copies - 1)]
                    body = json.dumps(items)[1:-1]
                if body.strip():
                    fh.write(("" if first else ", ") + body)
                    first = False
            fh.write("]")
        fh.write("}\n")
    policy_out = Path(f"{out}.policy.yaml")
    policy_out.write_text(yaml.safe_dump(_policy(policy, copies, copier, mappings), sort_keys=False))
    return {"resources": resources, "copies": copies, "per_copy": per_copy, "path": str(out),
            "policy": str(policy_out)}


def _policy(policy: dict, copies: int, copier: Copier, mappings: list[dict[str, str]]) -> dict:
    """Every copy's workloads (``NAME-k``) with the demo's objectives, tiers, tests and failure domains.
    Waivers and resource-id matches are rewritten with the copy's ids; the vendor register stays one."""
    out = {k: v for k, v in policy.items() if k not in ("workloads", "failover_tests", "waivers")}
    out["workloads"], out["failover_tests"], out["waivers"] = {}, [], []
    for k in range(copies):
        for name, spec in (policy.get("workloads") or {}).items():
            spec = json.loads(copier.rewrite(json.dumps(spec), k, mappings[k]))
            tags = (spec.get("match") or {}).get("tags") or {}
            for key in list(tags):
                if tags[key] in copier.workloads:
                    tags[key] = f"{tags[key]}-{k}"
            out["workloads"][f"{name}-{k}"] = spec
        for test in policy.get("failover_tests") or []:
            out["failover_tests"].append({**test, "workload": f"{test['workload']}-{k}"})
        for waiver in policy.get("waivers") or []:
            waiver = json.loads(copier.rewrite(json.dumps(waiver, default=str), k, mappings[k]))
            if waiver.get("workload"):
                waiver["workload"] = f"{waiver['workload']}-{k}"
            out["waivers"].append(waiver)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", help="default: bench-out/inventory-<N>.json")
    args = parser.parse_args(argv)
    out = Path(args.out or ROOT / "bench-out" / f"inventory-{args.resources}.json")
    print(json.dumps(generate(args.resources, args.seed, out)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
