"""The period report as an OSCAL assessment-results document, built with compliance-trestle's
models (so it is validated against the OSCAL schema as it is built, and again when read back).

One ``result`` covers the period (or the single scan): the controls reviewed, one ``finding`` per
control (satisfied only when the control operated on every day of the period), one ``observation``
per scan (its findings file SHA-256 and chain hash as relevant evidence) and one per exception.
UUIDs are derived from the content (uuid5), so the same period gives the same document.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from pathlib import Path
from typing import Any

NAMESPACE = uuid.UUID("1b0f3c3e-6f2a-5c1e-9d0e-7a6b5c4d3e2f")
PROP_NS = "https://github.com/resilience-audit/resilience/ns/oscal"
FILE_NAME = "history-report.oscal.json"


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(parts)))


def control_token(control: str) -> str:
    """An OSCAL token for a control id (``SOC2:A1.2`` -> ``SOC2_A1.2``)."""
    token = re.sub(r"[^A-Za-z0-9._-]", "_", control)
    return token if re.match(r"[A-Za-z_]", token) else f"_{token}"


def _when(text: str) -> dt.datetime:
    when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _day_start(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(0, 0), tzinfo=dt.UTC)


def assessment_results(report: dict[str, Any], tool_version: str):
    """The trestle ``AssessmentResults`` model of a contract-5 report."""
    from trestle.oscal import OSCAL_VERSION
    from trestle.oscal import assessment_results as ar
    from trestle.oscal import common as c

    period = report["period"]
    start, end = _day_start(period["from"]), _day_start(period["to"]) + dt.timedelta(days=1, seconds=-1)
    key = f"{period['from']}..{period['to']}|{report['history']['head']}|{report['history'].get('scan', '')}"

    def prop(name: str, value: Any) -> c.Property:
        return c.Property(name=name, value=str(value), ns=PROP_NS)

    observations = []
    for scan in report["scans"]:
        observations.append(c.Observation(
            uuid=_uuid(key, "scan", scan["id"]), title=f"Scan {scan['id']} on {scan['date']}",
            description=(f"resilience scan {scan['id']} started {scan['started_at']}; coverage "
                         f"{'complete' if scan['complete'] else 'incomplete (a monitoring gap)'}."),
            methods=["TEST"], types=["historic"], collected=_when(scan["started_at"]),
            props=[prop("scan-id", scan["id"]), prop("complete", str(scan["complete"]).lower())],
            relevant_evidence=[c.RelevantEvidence(
                href=f"urn:sha256:{scan['findings_sha256']}",
                description=f"findings.json of scan {scan['id']} (SHA-256 {scan['findings_sha256']}); "
                            f"history chain hash {scan['chain_hash']}")]))
    findings = []
    for control in report["controls"]:
        token = control_token(control["control"])
        related = []
        for e in control["exceptions"]:
            obs_id = _uuid(key, "exception", control["control"], e["finding_id"], e["first_seen"])
            observations.append(c.Observation(
                uuid=obs_id, title=f"{e['rule']} on {e['resource']}",
                description=(f"{e['severity']} result {e['finding_id']} ({e['status']}) first seen {e['first_seen']}, "
                             f"last seen {e['last_seen']}, "
                             f"{'resolved ' + e['resolved'] if e['resolved'] else 'still open'}; open "
                             f"{e['days_open']} days"
                             + ("" if e["sla_days"] is None else
                                f" against an SLA of {e['sla_days']} days "
                                f"({'within' if e['within_sla'] else 'outside'} SLA)") + "."),
                methods=["TEST"], types=["finding"], collected=_day_start(e["first_seen"]),
                props=[prop("finding-id", e["finding_id"]), prop("rule", e["rule"]), prop("severity", e["severity"])]))
            related.append(c.RelatedObservation(observation_uuid=obs_id))
        operated_all = control["days_operated"] == control["days_in_period"]
        findings.append(c.Finding(
            uuid=_uuid(key, "finding", control["control"]),
            title=f"{control['control']}: operated on {control['days_operated']} of {control['days_in_period']} days",
            description=(f"Complete scans on {control['days_scanned']} of {control['days_in_period']} days; the "
                         f"control operated on {control['days_operated']}; {control['days_with_exceptions']} days "
                         f"with exceptions; monitoring gaps: {', '.join(control['monitoring_gaps']) or 'none'}."),
            props=[prop("control", control["control"]), prop("days-in-period", control["days_in_period"]),
                   prop("days-scanned", control["days_scanned"]), prop("days-operated", control["days_operated"]),
                   prop("monitoring-gaps", len(control["monitoring_gaps"])),
                   prop("exceptions", len(control["exceptions"]))],
            target=c.FindingTarget(
                type="objective-id", target_id=token,
                status=c.ObjectiveStatus(state="satisfied" if operated_all else "not-satisfied")),
            related_observations=related or None))
    selections = [c.ControlSelections(include_controls=[
        c.SelectControlById(control_id=control_token(ctl["control"])) for ctl in report["controls"]])] \
        if report["controls"] else [c.ControlSelectionsAll(include_all=c.IncludeAll())]
    last = max((_when(s["started_at"]) for s in report["scans"]), default=end)
    single = report["history"].get("scan")
    result = ar.Result(
        uuid=_uuid(key, "result"),
        title=f"Scan {single}" if single else f"Control operation {period['from']} to {period['to']}",
        description=("Nightly resilience scans read from a hash-chained history: per control, the days on which "
                     "a complete scan showed every mapped result passing or waived."),
        start=start, end=end, reviewed_controls=c.ReviewedControls(control_selections=selections),
        observations=observations or None, findings=findings or None,
        props=[prop("history-head", report["history"]["head"]), prop("days", period["days"])])
    return ar.AssessmentResults(
        uuid=_uuid(key, "document"),
        metadata=c.Metadata(title=result.title, last_modified=last, version=tool_version or "0",
                            oscal_version=c.OscalVersion(OSCAL_VERSION)),
        import_ap=ar.ImportAp(href="urn:resilience-audit:assessment-plan:nightly-scan",
                              remarks="No separate assessment plan: the plan is the nightly scan and its rules."),
        results=[result])


def write(report: dict[str, Any], outdir: Path, tool_version: str) -> Path:
    """Write ``history-report.oscal.json`` and read it back through the model (validation)."""
    from trestle.oscal.assessment_results import AssessmentResults

    outdir.mkdir(parents=True, exist_ok=True)
    path = outdir / FILE_NAME
    document = assessment_results(report, tool_version)
    path.write_bytes(document.oscal_serialize_json_bytes(pretty=True) + b"\n")
    AssessmentResults.oscal_read(path)
    return path
