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

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from resilience import jsonout
from resilience.results import Finding, ScanResult

from .common import finding_order

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


def _case(suite: ET.Element, f: dict[str, Any]) -> None:
    name = f["resource"] + (f" [{f['workload']}]" if f.get("workload") else "")
    case = ET.SubElement(suite, "testcase", {
        "classname": _clean(f"resilience.{f['category']}.{f['rule']}"), "name": _clean(name), "time": "0",
    })
    evidence = jsonout.encode(f["evidence"], sort_keys=True).decode("ascii") if f["status"] != "pass" else ""
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
        return
    if f["status"] == "unknown":
        ET.SubElement(case, "skipped", {"message": _clean(f"unknown: {f['message']}")})
        out = ET.SubElement(case, "system-out")
        out.text = _clean(f"finding id: {f['id']}\nevidence:\n{evidence}")
        return
    if f["status"] == "waived":
        w = f.get("waiver") or {}
        ET.SubElement(case, "skipped", {"message": _clean(
            f"waived until {w.get('expires', '?')} by {w.get('approved_by', '?')}: {w.get('reason', '')}")})
        out = ET.SubElement(case, "system-out")
        out.text = _clean(f"{f['message']}\nfinding id: {f['id']}\nevidence:\n{evidence}")
        return
    out = ET.SubElement(case, "system-out")
    out.text = _clean(f"{f['message']}\nfinding id: {f['id']}")


def build(result: ScanResult) -> ET.Element:
    """The whole document (for a reader that wants the tree; :func:`write` streams it a suite at a time)."""
    root = _root(result)
    for suite in _suites(result):
        root.append(suite)
    return root


def _by_rule(result: ScanResult) -> dict[str, list[Finding]]:
    by_rule: dict[str, list[Finding]] = {}
    for f in sorted(result.findings, key=lambda f: (f.rule, *finding_order(f))):
        by_rule.setdefault(f.rule, []).append(f)
    return by_rule


def _outcome(status: str) -> str:
    return {"fail": "failures", "unknown": "skipped", "waived": "skipped"}.get(status, "")


def _root(result: ScanResult) -> ET.Element:
    totals = {"tests": len(result.findings), "failures": 0, "skipped": 0}
    for f in result.findings:
        if _outcome(f.status):
            totals[_outcome(f.status)] += 1
    root = ET.Element("testsuites", {"name": f"resilience scan {result.scan.get('id', '')}"})
    for key, value in (*totals.items(), ("errors", 0), ("time", 0)):
        root.set(key, str(value))
    return root


def _suites(result: ScanResult):
    """One ``<testsuite>`` element per rule, made when it is asked for."""
    scan = result.scan
    for rule_id, findings in sorted(_by_rule(result).items()):
        first = findings[0]
        counts = {"tests": len(findings), "failures": 0, "skipped": 0}
        for f in findings:
            if _outcome(f.status):
                counts[_outcome(f.status)] += 1
        suite = ET.Element("testsuite", {
            "name": _clean(f"{rule_id} {first.title}"), "timestamp": _timestamp(scan.get("started_at")),
            "hostname": _clean(",".join(scan.get("accounts", [])) or "resilience"), "time": "0", "errors": "0",
            **{key: str(value) for key, value in counts.items()},
        })
        props = ET.SubElement(suite, "properties")
        for key in ("id", "tool_version", "identity", "policy_sha256"):
            ET.SubElement(props, "property", {"name": f"scan.{key}", "value": _clean(scan.get(key, ""))})
        ET.SubElement(props, "property", {"name": "controls", "value": ", ".join(first.controls)})
        for f in findings:
            _case(suite, f.to_dict())
        yield suite


#: stands for the suites while the root element is serialised
_CONTENT = "\ue000suites\ue000"


def write(result: ScanResult, outdir: Path) -> Path:
    """What ``ElementTree.write`` gives for :func:`build` indented by two spaces, written a suite at a time."""
    path = outdir / "findings.junit.xml"
    root = _root(result)
    with path.open("w", encoding="utf-8", errors="xmlcharrefreplace") as fh:
        fh.write("<?xml version='1.0' encoding='utf-8'?>\n")
        if not result.findings:
            fh.write(ET.tostring(root, encoding="unicode"))
            return path
        root.text = _CONTENT
        start, _, end = ET.tostring(root, encoding="unicode").partition(_CONTENT)
        fh.write(start)
        for suite in _suites(result):
            ET.indent(suite, space="  ", level=1)
            fh.write("\n  " + ET.tostring(suite, encoding="unicode"))
        fh.write("\n" + end)
    return path
