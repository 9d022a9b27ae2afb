"""Which policy an offline run (``--inventory FILE`` without ``--policy``) uses, and what it says when none.

A scan writes ``inventory.json``, ``policy.yaml`` (the policy text it used) and ``findings.json`` (whose
``scan.policy_sha256`` is that text's hash) into one folder. Re-analysing that inventory without the policy
would silently drop every workload the policy defines (and every objective): so the recorded policy is used
when it is there and its hash matches the scan's; otherwise the run says, in one line, which workloads it
cannot see and why. ``inventory.json`` itself is unchanged (no policy inside it), so older snapshots load.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

RECORDED_POLICY = "policy.yaml"
RECORDED_FINDINGS = "findings.json"


@dataclass(frozen=True)
class OfflinePolicy:
    path: Path | None  # the recorded policy to load, if any
    note: str  # one line for the terminal; empty when there is nothing to say


def _recorded_scan(folder: Path) -> dict | None:
    try:
        doc = json.loads((folder / RECORDED_FINDINGS).read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    return doc if isinstance(doc, dict) else None


def choose(inventory_path: str | Path, visible: Callable[[], list[str]]) -> OfflinePolicy:
    """The recorded policy beside ``inventory_path``, or a note naming the workloads this run cannot see.

    ``visible()``: the workloads the inventory shows without a policy (``resilience:workload`` tags)."""
    folder = Path(inventory_path).parent
    policy = folder / RECORDED_POLICY
    scan_doc = _recorded_scan(folder)
    recorded_hash = str(((scan_doc or {}).get("scan") or {}).get("policy_sha256") or "") \
        if isinstance((scan_doc or {}).get("scan"), dict) else ""
    if policy.is_file():
        try:
            digest = hashlib.sha256(policy.read_bytes().decode("utf-8").encode("utf-8")).hexdigest()
        except (OSError, UnicodeDecodeError):
            digest = ""
        if scan_doc is None or not recorded_hash or digest == recorded_hash:
            return OfflinePolicy(policy, f"note: no --policy given: using the policy recorded with the inventory, "
                                         f"{policy}")
        return OfflinePolicy(None, f"note: no --policy given, and {policy} is not the policy the scan used "
                                   f"(sha256 differs from {RECORDED_FINDINGS}): " + _unseen(scan_doc, visible()))
    if scan_doc is not None:
        return OfflinePolicy(None, "note: no --policy given and none recorded beside the inventory: "
                             + _unseen(scan_doc, visible()))
    return OfflinePolicy(None, "note: no --policy given: only workloads tagged resilience:workload=NAME are seen "
                               f"({', '.join(visible()) or 'none'}), without objectives; pass --policy for the "
                               "others")


def _unseen(scan_doc: dict, visible: list[str]) -> str:
    workloads = scan_doc.get("workloads")
    names = [w.get("name") for w in workloads if isinstance(w, dict) and isinstance(w.get("name"), str)] \
        if isinstance(workloads, list) else []
    missing = sorted(set(names) - set(visible))
    if not missing:
        return "every workload of the scan is tagged and seen, but without objectives; pass --policy for them"
    return (f"{len(missing)} workload{'s' if len(missing) != 1 else ''} of the scan cannot be seen "
            f"({', '.join(missing)}): the policy defines them; pass --policy")
