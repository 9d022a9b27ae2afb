"""The findings of the demo estate and of the scale benchmark's 10,000-resource estate, held to committed golden
files (issue 17: the speed work must leave every result byte-identical). A change meant to alter findings (a
rule, a message, evidence) regenerates them and shows in review what moved:

    RESILIENCE_UPDATE_GOLDEN=1 python -m pytest tests/golden

``demo.txt`` lists every finding of the demo's findings.json (id, rule, status, severity and a digest of the
whole finding); ``generated-10000.txt`` the results per rule and status of the generated estate. Each starts
with the SHA-256 of the whole findings.json, so a change to any byte of it fails here.

The demo's inventory is recorded (``demo-inventory.json``), not collected from moto at test time: moto's
patch releases change the ids it makes up, which would move these files with nothing changed here. After a
change to the demo estate or a collector, delete it and regenerate: it is recorded again.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
from collections import Counter
from pathlib import Path

import pytest
from resilience.reports import write_reports

from resilience.demo import analyse_demo, demo_scan
from resilience.model import Inventory
from resilience.policy import parse_policy
from resilience.scan import analyse
from tests.conftest import SCAN_TIME, generate_estate

HERE = Path(__file__).parent
UPDATE = os.environ.get("RESILIENCE_UPDATE_GOLDEN") == "1"
REGENERATE = "regenerate with: RESILIENCE_UPDATE_GOLDEN=1 python -m pytest tests/golden"


@pytest.fixture(scope="module")
def demo_result():
    recorded = HERE / "demo-inventory.json"
    if UPDATE and not recorded.exists():
        demo_scan().inventory.write_json(recorded)
    return analyse_demo(Inventory.read(recorded))


def _findings_json(result, folder: Path) -> bytes:
    write_reports(result, folder, ())  # findings.json, as every scan writes it
    return (folder / "findings.json").read_bytes()


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _check(name: str, text: str) -> None:
    path = HERE / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = list(difflib.unified_diff(expected.splitlines(), text.splitlines(), f"{name} (committed)",
                                         f"{name} (now)", lineterm="", n=0))
        shown = "\n".join(diff[:60]) + (f"\n... {len(diff) - 60} more lines" if len(diff) > 60 else "")
        pytest.fail(f"the findings differ from {name}; if that is meant, {REGENERATE}\n{shown}")


def test_the_demo_findings_are_the_golden_ones(demo_result, tmp_path):
    data = _findings_json(demo_result, tmp_path)
    lines = [f"# findings.json of the demo estate (demo-inventory.json, as resilience demo analyses it), sha256 "
             f"{_digest(data)}",
             "# id rule status severity sha256-of-the-finding[:16]; " + REGENERATE]
    for finding in json.loads(data)["findings"]:
        canonical = json.dumps(finding, sort_keys=True, ensure_ascii=False).encode()
        lines.append(" ".join((finding["id"], finding["rule"], finding["status"], finding["severity"],
                               _digest(canonical)[:16])))
    _check("demo.txt", "\n".join(lines) + "\n")


def test_the_generated_estate_findings_are_the_golden_ones(demo_result, tmp_path):
    """The benchmark's generator (``benchmarks/generate_inventory.py``, seed 7) fed the demo's inventory, as
    ``make bench`` runs it, at 10,000 resources."""
    made = generate_estate(demo_result.inventory, 10_000, tmp_path)
    inventory = Inventory.read(made["path"])
    # parsed under a fixed name: the policy file's path is quoted in the evidence
    policy = parse_policy(Path(made["policy"]).read_text(encoding="utf-8"), "policy.yaml")
    data = _findings_json(analyse(inventory, policy, scan_time=SCAN_TIME), tmp_path / "out")
    counts = Counter((f["rule"], f["status"]) for f in json.loads(data)["findings"])
    lines = [f"# findings.json of benchmarks/generate_inventory.py at 10,000 resources (seed 7, the demo as "
             f"template), sha256 {_digest(data)}", "# rule status results; " + REGENERATE]
    lines += [f"{rule} {status} {n}" for (rule, status), n in sorted(counts.items())]
    _check("generated-10000.txt", "\n".join(lines) + "\n")


@pytest.mark.parametrize("seed", [1, 2])
def test_the_findings_do_not_follow_the_order_the_collectors_listed_things_in(demo_result, seed):
    """A live scan analyses the inventory in the order the collectors found it; ``scan --inventory`` its
    snapshot, in the order inventory.json lists it (by id, edges by their ends). Both must give the same
    findings.json, byte for byte: an auditor re-running the snapshot reproduces the evidence (the lists in it
    followed the graph's order: a Spanner instance's backups were listed in another order)."""
    import random

    from resilience import jsonout
    from resilience.results import findings_document

    shuffled = Inventory.read(HERE / "demo-inventory.json")
    rng = random.Random(seed)
    rng.shuffle(shuffled.resources)
    rng.shuffle(shuffled.edges)
    rng.shuffle(shuffled.coverage)
    again = analyse_demo(shuffled)
    assert jsonout.dumps(findings_document(again)) == jsonout.dumps(findings_document(demo_result))
