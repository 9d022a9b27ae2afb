"""``findings.junit.xml``: JUnit XML for CI test-report views (Jenkins, GitLab, Azure DevOps).

Mapping: one ``<testsuite>`` per rule, one ``<testcase>`` per rule × resource (× workload, as the
finding id), so a CI's "tests" tab lists every check that ran.

- ``pass`` → a plain test case;
- ``fail`` → ``<failure type="SEVERITY" message="...">`` with the evidence and the remediation in
  the body (an expired waiver's note included);
- ``unknown`` → ``<skipped message="unknown: ...">``: the check could not be decided;
- ``waived`` → ``<skipped message="waived until DATE by WHO: REASON">``: accepted, not fixed.

``classname`` is ``resilience.<category>.<rule id>`` (Jenkins groups by the dotted package) and
``name`` is the resource id, with the workload when there is one. ``time`` is 0: these are checks
over a snapshot, not timed tests. The writer follows the de-facto schema both Jenkins and GitLab
read (testsuites > testsuite > testcase > failure|skipped, with system-out).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from resilience.results import ScanResult

from .common import sort_key

_ILLEGAL = {c: None for c in range(32) if c not in (9, 10, 13)}


def _clean(text: Any) -> str:
    """XML 1.0 forbids most control characters; messages come from the estate."""
    return str(text if text is not None else "").translate(_ILLEGAL)


def _timestamp(value: Any) -> str:
    text = str(value or "")
    for suffix in ("+00:00", "Z"):
        if text.endswith(suffix):
            return text[: -len(suffix)]
    return text


def _case(suite: ET.Element, f: dict[str, Any]) -> str:
    name = f["resource"] + (f" [{f['workload']}]" if f.get("workload") else "")
    case = ET.SubElement(suite, "testcase", {
        "classname": _clean(f"resilience.{f['category']}.{f['rule']}"), "name": _clean(name), "time": "0",
    })
    evidence = json.dumps(f["evidence"], indent=2, sort_keys=True, default=str)
    if f["status"] == "fail":
        body = [f["message"], "", f"resource: {f['resource']} ({f.get('resource_type', '')})",
                f"region: {f.get('region') or '-'}", f"workload: {f.get('workload') or '-'}",
                f"controls: {', '.join(f['controls'])}", f"finding id: {f['id']}"]
        if f.get("baseline"):
            body.append(f"baseline: {f['baseline']}")
        body += [f"note: {n}" for n in f.get("notes", [])]
        body += ["", "evidence:", evidence, "", f"remediation: {f['remediation']}"]
        failure = ET.SubElement(case, "failure", {"type": f["severity"],
                                                  "message": _clean(f"[{f['severity']}] {f['message']}")})
        failure.text = _clean("\n".join(body))
        return "failure"
    if f["status"] == "unknown":
        ET.SubElement(case, "skipped", {"message": _clean(f"unknown: {f['message']}")})
        out = ET.SubElement(case, "system-out")
        out.text = _clean(f"finding id: {f['id']}\nevidence:\n{evidence}")
        return "skipped"
    if f["status"] == "waived":
        w = f.get("waiver") or {}
        ET.SubElement(case, "skipped", {"message": _clean(
            f"waived until {w.get('expires', '?')} by {w.get('approved_by', '?')}: {w.get('reason', '')}")})
        out = ET.SubElement(case, "system-out")
        out.text = _clean(f"{f['message']}\nfinding id: {f['id']}\nevidence:\n{evidence}")
        return "skipped"
    out = ET.SubElement(case, "system-out")
    out.text = _clean(f"{f['message']}\nfinding id: {f['id']}")
    return "pass"


def build(result: ScanResult) -> ET.Element:
    findings = sorted((f.to_dict() for f in result.findings), key=lambda f: (f["rule"], *sort_key(f)))
    scan = result.scan
    root = ET.Element("testsuites", {"name": f"resilience scan {scan.get('id', '')}"})
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    by_rule: dict[str, list[dict[str, Any]]] = {}
    for f in findings:
        by_rule.setdefault(f["rule"], []).append(f)
    for rule_id in sorted(by_rule):
        members = by_rule[rule_id]
        suite = ET.SubElement(root, "testsuite", {
            "name": _clean(f"{rule_id} {members[0]['title']}"), "timestamp": _timestamp(scan.get("started_at")),
            "hostname": _clean(",".join(scan.get("accounts", [])) or "resilience"), "time": "0", "errors": "0",
        })
        props = ET.SubElement(suite, "properties")
        for key in ("id", "tool_version", "identity", "policy_sha256"):
            ET.SubElement(props, "property", {"name": f"scan.{key}", "value": _clean(scan.get(key, ""))})
        ET.SubElement(props, "property", {"name": "controls", "value": ", ".join(members[0]["controls"])})
        counts = {"tests": 0, "failures": 0, "skipped": 0}
        for f in members:
            outcome = _case(suite, f)
            counts["tests"] += 1
            if outcome == "failure":
                counts["failures"] += 1
            elif outcome == "skipped":
                counts["skipped"] += 1
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("errors", "0")
    root.set("time", "0")
    return root


def write(result: ScanResult, outdir: Path) -> Path:
    path = outdir / "findings.junit.xml"
    tree = ET.ElementTree(build(result))
    ET.indent(tree, space="  ")
    tree.write(path, encoding="utf-8", xml_declaration=True)
    return path
