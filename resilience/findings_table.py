"""Findings and inventory as flat rows: the one-row-per-result tables of the reports (CSV, XLSX) and
of the evidence pack, the rule catalogue of a scan, and spreadsheet-safe cells.

Everything here works on plain finding dicts (``Finding.to_dict()`` or an entry of a saved
``findings.json``), so a table can be rebuilt from a scan's output folder without the cloud. It sits
in the evidence layer (the pack uses it); the reporters reach it through ``resilience.reports.common``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from resilience.controls import SEVERITY_RANK

STATUS_ORDER = ("fail", "unknown", "waived", "pass")

#: fixed columns of the one-row-per-result tables (CSV, XLSX, evidence pack), before the evidence columns
BASE_COLUMNS = (
    "id", "rule", "title", "category", "status", "severity", "baseline", "resource", "resource_type",
    "region", "workload", "workloads", "controls", "message", "remediation", "evidence_source",
    "observed_at", "waiver_reason", "waiver_approved_by", "waiver_expires", "waiver_expired", "notes",
)


_SCENARIO_WORD = re.compile(r"\b(az|zone|region)\b", re.I)


def scenario_of(f: dict[str, Any]) -> str:
    """The disruption a result is about ("region me-central-1", "az"), read from its evidence; "" when none.

    Rules record it as ``observed.scenario`` or ``observed.disruption``; a few name it only in ``expected``
    ("at least one az failover or restore test"), where the disruption word is taken."""
    evidence = f.get("evidence") or {}
    observed = evidence.get("observed") if isinstance(evidence.get("observed"), dict) else {}
    for key in ("scenario", "disruption"):
        for source in (observed, evidence):
            value = source.get(key)
            if isinstance(value, str) and value:
                return value
    expected = evidence.get("expected") if isinstance(evidence.get("expected"), dict) else {}
    for value in expected.values():
        if isinstance(value, str):
            match = _SCENARIO_WORD.search(value)
            if match:
                word = match.group(1).lower()
                return "az" if word == "zone" else word
    return ""


_STATUS_RANK = {status: rank for rank, status in enumerate(STATUS_ORDER)}


def status_rank(status: str) -> int:
    return _STATUS_RANK.get(status, len(STATUS_ORDER))


def sort_key(f: dict[str, Any]) -> tuple:
    """Failing first, then by severity (critical first), rule and resource."""
    return (status_rank(f["status"]), -SEVERITY_RANK.get(f["severity"], 0), f["rule"], f["resource"], f["id"])


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """``{"observed": {"a": {"b": 1}}}`` -> ``{"observed.a.b": 1}``; lists become JSON text."""
    out: dict[str, Any] = {}
    _flatten_into(out, value, prefix)
    return out


#: ``json.dumps(value, default=str, sort_keys=True)``, without building an encoder per call (a table row
#: encodes its evidence once or more: 100,000s of calls at scale)
_json_sorted = json.JSONEncoder(default=str, sort_keys=True).encode


_NESTED = (dict, list, tuple)


def _flatten_into(out: dict[str, Any], value: Any, prefix: str) -> None:
    if isinstance(value, dict):
        if not value and prefix:
            out[prefix] = ""
        for key in sorted(value, key=str):
            name = f"{prefix}.{key}" if prefix else str(key)
            item = value[key]
            if isinstance(item, _NESTED):
                _flatten_into(out, item, name)
            else:
                out[name] = item
    elif isinstance(value, list | tuple):
        out[prefix] = _json_sorted(list(value))
    else:
        out[prefix] = value


#: every one-row-per-result table (CSV, XLSX, the evidence pack) has exactly these columns, in this order,
#: whatever the estate: the evidence is one JSON column plus two readable summaries, never a column per key
FINDING_COLUMNS = (*BASE_COLUMNS, "account", "scenario", "evidence_observed", "evidence_expected", "evidence_json")
#: the readable evidence summaries are cut here (the JSON column holds all of it)
SUMMARY_LIMIT = 1000


def evidence_summary(value: Any, limit: int = SUMMARY_LIMIT) -> str:
    """``{"a": {"b": 1}, "c": [1, 2]}`` -> ``a.b: 1; c: [1, 2]`` (cut at ``limit`` characters)."""
    if value is None or value == {}:
        return ""
    flat = flatten(value) if isinstance(value, dict) else {"": value}
    text = "; ".join([f"{k}: {'' if v is None else v}" if k else str(v) for k, v in flat.items()])
    return text if len(text) <= limit else text[: limit - 1] + "…"


def finding_row(f: dict[str, Any]) -> dict[str, Any]:
    """One result as a flat row with the :data:`FINDING_COLUMNS`."""
    evidence = dict(f.get("evidence") or {})
    waiver = f.get("waiver") or {}
    return {
        "id": f["id"], "rule": f["rule"], "title": f.get("title", ""), "category": f.get("category", ""),
        "status": f["status"], "severity": f["severity"], "baseline": f.get("baseline") or "",
        "resource": f["resource"], "resource_type": f.get("resource_type", ""), "region": f.get("region") or "",
        "workload": f.get("workload") or "",
        "workloads": ";".join(f.get("workloads") or ([f["workload"]] if f.get("workload") else [])),
        "controls": ";".join(f.get("controls", [])), "message": f.get("message", ""),
        "remediation": f.get("remediation", ""), "evidence_source": evidence.get("source", ""),
        "observed_at": evidence.get("observed_at", ""),
        "waiver_reason": waiver.get("reason", ""), "waiver_approved_by": waiver.get("approved_by", ""),
        "waiver_expires": waiver.get("expires", ""),
        "waiver_expired": "" if not waiver else ("yes" if waiver.get("expired") else "no"),
        "notes": " | ".join(f.get("notes", [])),
        "account": f.get("account") or ";".join(f.get("accounts") or []),
        "scenario": scenario_of(f),
        "evidence_observed": evidence_summary(evidence.get("observed")),
        "evidence_expected": evidence_summary(evidence.get("expected")),
        "evidence_json": _json_sorted(evidence),
    }


def iter_finding_rows(findings: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Rows failing-first, one at a time (a writer can stream them)."""
    for f in sorted(findings, key=sort_key):
        yield finding_row(f)


def finding_rows(findings: Iterable[dict[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    """The fixed column list and the rows, sorted failing-first."""
    return list(FINDING_COLUMNS), list(iter_finding_rows(findings))


INVENTORY_COLUMNS = ("id", "provider", "account", "region", "zones", "kind", "type", "name", "workloads", "tags",
                     "attrs", "source", "observed_at")


def inventory_rows(inventory: dict[str, Any], workloads: Iterable[dict[str, Any]] = ()) -> list[dict[str, Any]]:
    """The population: one row per inventoried resource (``inventory.json`` as a dict)."""
    return list(iter_inventory_rows(inventory.get("resources", []), workloads))


def iter_inventory_rows(resources: Iterable[dict[str, Any]],
                        workloads: Iterable[dict[str, Any]] = ()) -> Iterator[dict[str, Any]]:
    """:func:`inventory_rows` of resource records (dicts with the fields of ``inventory.json``), by id,
    one at a time."""
    member: dict[str, list[str]] = {}
    for w in workloads:
        for rid in w.get("resources", []):
            member.setdefault(rid, []).append(w["name"])
    for r in sorted(resources, key=lambda r: r["id"]):
        yield {
            "id": r["id"], "provider": r.get("provider", ""), "account": r.get("account", ""),
            "region": r.get("region", ""), "zones": ";".join(r.get("zones", [])), "kind": r.get("kind", ""),
            "type": r.get("type", ""), "name": r.get("name", ""), "workloads": ";".join(sorted(member.get(r["id"], []))),
            "tags": _json_sorted(r.get("tags", {})),
            "attrs": _json_sorted(r.get("attrs", {})),
            "source": r.get("source", ""), "observed_at": r.get("observed_at", ""),
        }


COVERAGE_COLUMNS = ("provider", "account", "region", "service", "status", "detail")


def rule_fingerprint(meta: dict[str, Any]) -> str:
    """A short hash of a rule's definition: the "rule version" an auditor can compare across scans."""
    material = json.dumps({k: meta.get(k) for k in ("id", "title", "category", "severity", "controls",
                                                     "rationale", "remediation")}, sort_keys=True)
    return hashlib.sha256(material.encode()).hexdigest()[:12]


def rule_catalogue(findings: list[dict[str, Any]], scan: dict[str, Any] | None = None,
                   rules: Iterable[Any] = ()) -> list[dict[str, Any]]:
    """Metadata for the rules of a scan: from ``rules`` (the registry, passed in by the caller: the rules
    sit above this module) where the rule is registered, else from the findings themselves (a rule set
    passed to ``analyse`` directly).

    When the scan ran the whole registry (the CLI always does), every registered rule is listed,
    including those with no result for this estate, so that the auditor sees what was checked.
    """
    registry = {r.id: r for r in rules}
    seen: dict[str, dict[str, Any]] = {}
    results: dict[str, dict[str, int]] = {}
    for f in findings:
        seen.setdefault(f["rule"], f)
        bucket = results.setdefault(f["rule"], {})
        bucket[f["status"]] = bucket.get(f["status"], 0) + 1
    ids = set(seen)
    whole_registry = bool(registry) and ids <= set(registry) and (scan or {}).get("rules") == len(registry)
    if whole_registry:
        ids |= set(registry)
    out = []
    for rule_id in sorted(ids):
        rule = registry.get(rule_id)
        if rule is not None:
            meta = {"id": rule.id, "title": rule.title, "category": rule.category, "severity": rule.severity,
                    "controls": list(rule.controls), "rationale": rule.rationale, "remediation": rule.remediation,
                    "references": list(rule.references), "source": "registry"}
        else:
            f = seen[rule_id]
            meta = {"id": rule_id, "title": f.get("title", rule_id), "category": f.get("category", ""),
                    "severity": f.get("severity", "medium"), "controls": list(f.get("controls", [])),
                    "rationale": f.get("title", rule_id), "remediation": f.get("remediation", ""),
                    "references": [], "source": "findings"}
        meta["fingerprint"] = rule_fingerprint(meta)
        meta["results"] = dict(sorted(results.get(rule_id, {}).items()))
        out.append(meta)
    return out


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """Neutralise spreadsheet formula injection (OWASP): a text cell starting with = + - @ gets a
    leading apostrophe. Resource names and tags come from the estate and are not trusted."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
