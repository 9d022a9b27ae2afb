"""``findings.sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

Decisions (see also ``examples/ci/README.md``):

- **Which results.** ``fail`` → a result of kind ``fail`` with ``level`` from the severity
  (critical/high → ``error``, medium → ``warning``, low/info → ``note``). ``unknown`` → kind
  ``review`` with level ``none`` (SARIF §3.27.9: a result whose kind is not ``fail`` has level
  ``none``): a person must look; it is not a pass. ``waived`` → the failure with a
  ``suppressions`` entry (kind ``external``, status ``accepted``, the waiver's reason, approver and
  expiry), level ``note`` so that a viewer that ignores suppressions (GitHub does unless told
  otherwise) shows it quietly. ``pass`` results are left out: SARIF lists problems; the population
  is in ``findings.json`` and the evidence pack.
- **Locations.** A cloud resource has no file. Each result carries a ``logicalLocations`` entry
  whose ``fullyQualifiedName`` is the resource id. GitHub code scanning needs a physical location
  (``artifactLocation.uri`` relative to the repository root and ``region.startLine``) to show a
  result, so the physical location is the policy file the scan used — the file a person edits to
  declare the workload, its objectives or a waiver — at the line of the workload's definition (or
  of the matching waiver), line 1 otherwise. Without a policy file it is the ``findings.json``
  written next to this file. A path under the working directory (the checkout in CI) is written
  relative to it (``uriBaseId`` ``%SRCROOT%``); any other as an absolute ``file://`` URI.
- **Identity.** ``partialFingerprints.primaryLocationLineHash`` (the only fingerprint GitHub reads)
  is derived from the stable finding id, not from the pseudo location's text, so an alert keeps its
  identity across runs even though every result points into the same file.
- **Rules** come from the registry (``resilience.rules.REGISTRY``): name, shortDescription,
  fullDescription (the rationale), help (the remediation), ``properties.tags`` (controls +
  category) and ``security-severity`` for GitHub's severity column.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from resilience import jsonout
from resilience.results import ScanResult

from .common import SECURITY_SEVERITY, artifact_location, in_report_order, scan_catalogue

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "resilienceFindingId/v1"

LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}


def _rule_descriptor(meta: dict[str, Any]) -> dict[str, Any]:
    tags = ["resilience", "availability", "security", meta["category"], *meta["controls"]]
    properties: dict[str, Any] = {"tags": list(dict.fromkeys(t for t in tags if t)), "precision": "high",
                                  "problem.severity": {"error": "error", "warning": "warning"}.get(
                                      LEVEL[meta["severity"]], "recommendation")}
    if meta["severity"] in SECURITY_SEVERITY:
        properties["security-severity"] = SECURITY_SEVERITY[meta["severity"]]
    help_md = [f"**Remediation.** {meta['remediation']}", "", f"**Why.** {meta['rationale']}", "",
               f"**Controls:** {', '.join(meta['controls'])} · **Category:** {meta['category']}"]
    if meta.get("references"):
        help_md += ["", "**References:** " + "; ".join(meta["references"])]
    return {
        "id": meta["id"],
        "name": "".join(part.capitalize() for part in meta["title"].replace("-", " ").split())[:255] or meta["id"],
        "shortDescription": {"text": meta["title"][:1024]},
        "fullDescription": {"text": meta["rationale"][:1024]},
        "help": {"text": meta["remediation"] or meta["title"], "markdown": "\n".join(help_md)},
        "defaultConfiguration": {"level": LEVEL[meta["severity"]]},
        "properties": properties,
    }


def _primary_line_hash(finding_id: str) -> str:
    return f"{finding_id}:1"


def build(result: ScanResult, outdir: Path) -> dict[str, Any]:
    """The SARIF document, results included."""
    doc, results = _parts(result, outdir)
    doc["runs"][0]["results"] = list(results)
    return doc


def _parts(result: ScanResult, outdir: Path) -> tuple[dict[str, Any], Iterator[dict[str, Any]]]:
    """The document without its results, and the results, made one at a time (failing first)."""
    catalogue = scan_catalogue(result)
    doc = _document(result, catalogue)
    return doc, _results(result, outdir, {meta["id"]: i for i, meta in enumerate(catalogue)})


def _results(result: ScanResult, outdir: Path, index: dict[str, int]) -> Iterator[dict[str, Any]]:
    policy = result.policy
    policy_file = policy.path if policy.path and not policy.path.startswith("<") else None  # "<policy>": no file
    artifact = artifact_location(policy_file or outdir / "findings.json")
    waiver_lines = {}
    for f in result.findings:
        if f.waiver and f.waiver.get("policy_line"):
            waiver_lines[f.id] = f.waiver["policy_line"].rsplit(":", 1)[-1]

    for finding in (f for f in in_report_order(result) if f.status != "pass"):
        f = finding.to_dict()
        line = 1
        if policy_file:
            if f["id"] in waiver_lines and waiver_lines[f["id"]].isdigit():
                line = int(waiver_lines[f["id"]])
            elif f.get("workload") and f["workload"] in policy.workloads and policy.workloads[f["workload"]].line:
                line = policy.workloads[f["workload"]].line
        text = f["message"] if f["resource"] in f["message"] else f"{f['message']} ({f['resource']})"
        entry: dict[str, Any] = {
            "ruleId": f["rule"],
            "ruleIndex": index[f["rule"]],
            "kind": "review" if f["status"] == "unknown" else "fail",
            "level": "none" if f["status"] == "unknown" else ("note" if f["status"] == "waived"
                                                              else LEVEL[f["severity"]]),
            "message": {"text": text},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": dict(artifact),
                    "region": {"startLine": line, "startColumn": 1},
                },
                "logicalLocations": [{
                    "fullyQualifiedName": f["resource"],
                    "name": f["resource"].rsplit("/", 1)[-1].rsplit(":", 1)[-1] or f["resource"],
                    "kind": "resource",
                }],
                "message": {"text": f"{f.get('resource_type') or 'resource'} {f['resource']}"
                                    + (f" in {f['region']}" if f.get("region") else "")},
            }],
            "partialFingerprints": {"primaryLocationLineHash": _primary_line_hash(f["id"]),
                                    FINGERPRINT_KEY: f["id"]},
            "properties": {
                "findingId": f["id"], "status": f["status"], "severity": f["severity"],
                "category": f["category"], "resource": f["resource"], "resourceType": f.get("resource_type", ""),
                "region": f.get("region"), "workload": f.get("workload"), "controls": f["controls"],
                "evidence": f["evidence"], "remediation": f["remediation"],
                **({"baseline": f["baseline"]} if f.get("baseline") else {}),
                **({"notes": f["notes"]} if f.get("notes") else {}),
                **({"workloads": f["workloads"]} if f.get("workloads") else {}),
            },
        }
        if f.get("baseline") in ("new", "unchanged"):
            entry["baselineState"] = f["baseline"]
        if f["status"] == "waived" and f.get("waiver"):
            w = f["waiver"]
            entry["suppressions"] = [{
                "kind": "external", "status": "accepted",
                "justification": f"{w['reason']} (approved by {w['approved_by']}, expires {w['expires']})",
                "properties": {"approvedBy": w["approved_by"], "expires": w["expires"],
                               "policyLine": w.get("policy_line", "")},
            }]
        yield entry


def _document(result: ScanResult, catalogue: list[dict[str, Any]]) -> dict[str, Any]:
    notifications = [
        {"level": "warning", "message": {"text": f"not assessed: {c.provider} {c.service} in {c.region} "
                                                 f"({c.account or '-'}): {c.status}. {c.detail}".strip()},
         "descriptor": {"id": "coverage-gap"}}
        for c in sorted(result.coverage, key=lambda c: (c.provider, c.account, c.region, c.service)) if not c.ok
    ]
    scan = result.scan
    category = "resilience/" + ("-".join(scan.get("regions_audited") or []) or "all") + "/"
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "resilience",
            "semanticVersion": scan.get("tool_version") or "0.0.0",
            "rules": [_rule_descriptor(meta) for meta in catalogue],
        }},
        "automationDetails": {"id": category + str(scan.get("id", ""))},
        "originalUriBaseIds": {"%SRCROOT%": {"description": {
            "text": "The directory the scan ran in (the repository checkout in CI)."}}},
        "invocations": [{
            "executionSuccessful": True,
            **{key: _utc(scan[field]) for key, field in (("startTimeUtc", "started_at"), ("endTimeUtc", "finished_at"))
               if scan.get(field)},
            "toolExecutionNotifications": notifications,
            "properties": {"identity": scan.get("identity", ""), "accounts": scan.get("accounts", []),
                           "regionsAudited": scan.get("regions_audited", []),
                           "regionsScanned": scan.get("regions_scanned", []),
                           "policySha256": scan.get("policy_sha256", "")},
        }],
        "results": [],
        "columnKind": "unicodeCodePoints",
        "properties": {"scanId": scan.get("id", ""), "findingsSchema": "resilience.findings/v1"},
    }
    baseline = result.extra.get("baseline")
    if baseline:
        run["properties"]["baseline"] = {"scanId": baseline["scan_id"], "counts": baseline["counts"],
                                         "resolved": baseline["resolved"]}
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _utc(value: Any) -> str:
    """SARIF wants ``YYYY-MM-DDThh:mm:ss[.sss]Z``."""
    text = str(value or "")
    if text.endswith("+00:00"):
        text = text[:-6] + "Z"
    return text


#: stands for the results while the rest of the document is encoded
_RESULTS = "\u2063resilience-sarif-results\u2063"


def write(result: ScanResult, outdir: Path) -> Path:
    """What ``json.dumps(build(...), indent=2)`` writes, with the results encoded and written one at a time."""
    path = outdir / "findings.sarif"
    doc, results = _parts(result, outdir)
    doc["runs"][0]["results"] = _RESULTS
    head, marker, tail = jsonout.encode(doc).partition(jsonout.encode(_RESULTS))
    key_line = head.rsplit(b"\n", 1)[-1]  # '      "results": '
    level = (len(key_line) - len(key_line.lstrip(b" "))) // 2 + 1
    with path.open("wb") as fh:
        fh.write(head)
        _write_list(fh, results, level)
        fh.write(tail + b"\n")
    return path


def _write_list(fh, items: Iterable[Any], level: int) -> None:
    """A JSON list whose items sit ``level`` deep, as ``json.dumps(indent=2)`` writes it."""
    separator = b"\n" + b"  " * level
    count = 0
    for count, item in enumerate(items, start=1):  # noqa: B007
        fh.write((b"[" if count == 1 else b",") + separator + jsonout.encode(item, level))
    fh.write(b"[]" if not count else b"\n" + b"  " * (level - 1) + b"]")
