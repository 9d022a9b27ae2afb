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

import re
import xml.etree.ElementTree as ET
from operator import attrgetter
from pathlib import Path
from typing import Any

from resilience import jsonout
from resilience.results import Finding, ScanResult

from .common import in_report_order

_ILLEGAL = {c: None for c in range(32) if c not in (9, 10, 13)}
_ILLEGAL_FOUND = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _clean(text: Any) -> str:
    """XML 1.0 forbids most control characters; messages come from the estate. (Looked for before they are
    taken out: a short text is searched several times faster than it is translated.)"""
    text = str(text if text is not None else "")
    return text.translate(_ILLEGAL) if _ILLEGAL_FOUND.search(text) else text


def _timestamp(value: Any) -> str:
    text = str(value or "")
    for suffix in ("+00:00", "Z"):
        if text.endswith(suffix):
            return text[: -len(suffix)]
    return text


#: a test case's child: tag, attributes, text (``None``: an empty element)
_Child = tuple[str, dict[str, str], str | None]


def _case_parts(f: dict[str, Any]) -> tuple[dict[str, str], list[_Child]]:
    """One result as a ``<testcase>``: its attributes and children (failure, skipped, system-out)."""
    name = f["resource"] + (f" [{f['workload']}]" if f.get("workload") else "")
    attrs = {"classname": _clean(f"resilience.{f['category']}.{f['rule']}"), "name": _clean(name), "time": "0"}
    evidence = jsonout.encode(f["evidence"], sort_keys=True).decode("ascii") if f["status"] != "pass" else ""
    if f["status"] == "fail":
        body = [f["message"], "", f"resource: {f['resource']} ({f.get('resource_type', '')})",
                f"region: {f.get('region') or '-'}", f"workload: {f.get('workload') or '-'}",
                f"controls: {', '.join(f['controls'])}", f"finding id: {f['id']}"]
        if f.get("baseline"):
            body.append(f"baseline: {f['baseline']}")
        body += [f"note: {n}" for n in f.get("notes", [])]
        body += ["", "evidence:", evidence, "", f"remediation: {f['remediation']}"]
        return attrs, [("failure", {"type": f["severity"], "message": _clean(f"[{f['severity']}] {f['message']}")},
                        _clean("\n".join(body)))]
    if f["status"] == "unknown":
        return attrs, [("skipped", {"message": _clean(f"unknown: {f['message']}")}, None),
                       ("system-out", {}, _clean(f"finding id: {f['id']}\nevidence:\n{evidence}"))]
    if f["status"] == "waived":
        w = f.get("waiver") or {}
        return attrs, [("skipped", {"message": _clean(f"waived until {w.get('expires', '?')} by "
                                                      f"{w.get('approved_by', '?')}: {w.get('reason', '')}")}, None),
                       ("system-out", {}, _clean(f"{f['message']}\nfinding id: {f['id']}\nevidence:\n{evidence}"))]
    return attrs, [("system-out", {}, _clean(f"{f['message']}\nfinding id: {f['id']}"))]


def _case(suite: ET.Element, f: dict[str, Any]) -> None:
    attrs, children = _case_parts(f)
    case = ET.SubElement(suite, "testcase", attrs)
    for tag, child_attrs, text in children:
        ET.SubElement(case, tag, child_attrs).text = text


def _case_xml(f: dict[str, Any]) -> str:
    """:func:`_case` as ``ET.tostring`` writes it in a suite indented by ``ET.indent(space="  ", level=1)``:
    the same text made directly (ElementTree's serialiser is pure Python: most of the writer's time at
    100,000 resources, issue 17). A test compares the two on arbitrary text."""
    attrs, children = _case_parts(f)
    if not children:
        return _start_tag("testcase", attrs) + " />"
    inner = "\n      ".join(_start_tag(tag, child_attrs) + (f">{_cdata(text)}</{tag}>" if text else " />")
                              for tag, child_attrs, text in children)
    return f"{_start_tag('testcase', attrs)}>\n      {inner}\n    </testcase>"


def _start_tag(tag: str, attrs: dict[str, str]) -> str:
    """An element's start tag without its closing ``>`` or `` />``."""
    return f"<{tag}" + "".join(f' {key}="{_attribute(value)}"' for key, value in attrs.items())


#: what ElementTree writes for these characters in an attribute value (besides markup, :func:`_cdata`)
_ATTRIBUTE_ESCAPES = (('"', "&quot;"), ("\r", "&#13;"), ("\n", "&#10;"), ("\t", "&#09;"))


def _attribute(text: str) -> str:
    """An attribute value escaped as ElementTree escapes it (line breaks and tabs as character references)."""
    text = _cdata(text)
    for char, escape in _ATTRIBUTE_ESCAPES:
        if char in text:
            text = text.replace(char, escape)
    return text


def _cdata(text: str) -> str:
    """Element text escaped as ElementTree escapes it."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def build(result: ScanResult) -> ET.Element:
    """The whole document (for a reader that wants the tree; :func:`write` streams it a suite at a time)."""
    root = _root(result)
    for suite in _suites(result):
        root.append(suite)
    return root


def _by_rule(result: ScanResult) -> dict[str, list[Finding]]:
    by_rule: dict[str, list[Finding]] = {}
    for f in sorted(in_report_order(result), key=attrgetter("rule")):  # stable: in report order within a rule
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
    for rule_id, findings in sorted(_by_rule(result).items()):
        suite = _suite(result.scan, rule_id, findings)
        for f in findings:
            _case(suite, f.to_dict())
        yield suite


def _suite(scan: dict[str, Any], rule_id: str, findings: list[Finding]) -> ET.Element:
    """A rule's ``<testsuite>`` with its properties, before its test cases."""
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
    return suite


#: stands for the suites while the root element is serialised
_CONTENT = "\ue000suites\ue000"
#: stands for a suite's test cases while the suite is serialised (a name no escaped text can hold)
_CASES = "resilience-test-cases"
#: test cases written at once
_CASES_PER_WRITE = 1000


def write(result: ScanResult, outdir: Path) -> Path:
    """What ``ElementTree.write`` gives for :func:`build` indented by two spaces, written a suite at a time,
    its test cases a thousand at a time (:func:`_case_xml`)."""
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
        for rule_id, findings in sorted(_by_rule(result).items()):
            suite = _suite(result.scan, rule_id, findings)
            ET.SubElement(suite, _CASES)
            ET.indent(suite, space="  ", level=1)
            head, cases, tail = ET.tostring(suite, encoding="unicode").partition(f"<{_CASES} />")
            if not cases:
                raise ValueError(f"suite {rule_id}: no place for its test cases in {head[:200]!r}")
            fh.write("\n  " + head)
            for at in range(0, len(findings), _CASES_PER_WRITE):
                fh.write(("\n    " if at else "") + "\n    ".join(
                    _case_xml(f.to_dict()) for f in findings[at:at + _CASES_PER_WRITE]))
            fh.write(tail)
        fh.write("\n" + end)
    return path
