"""Vendor assurance: the cloud provider as a subservice organisation (SOC 2 CC9.2, A1.2).

Under SOC 2 the provider is a subservice organisation, usually carved out: the company relies on the
provider's own SOC 2 report for the controls it operates (the data centres, power, the zones). An auditor
checks that the report relied on is current, of the right type, unqualified, covers the services and
regions actually used, and that the complementary user-entity controls (CUECs) it lists are owned. The
register is the policy's ``providers:`` block; the estate is the inventory; AWS Artifact, where it could be
read, is the provider's own list of reports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from resilience.mappings import controls_for
from resilience.rule import Result, Rule, RuleContext
from resilience.vendor_assurance import (
    REPORT_VALID_DAYS,
    REVIEW_EVERY_DAYS,
    days_since,
    letter_covers,
    published_reports,
    uncovered_gap,
    usage,
)
from resilience.vendor_register import ProviderAssurance

CATEGORY = "vendor-assurance"
CONTROLS = controls_for(CATEGORY)
REFERENCES = (
    "AICPA TSC 2017 (rev. 2022) CC9.2: the entity assesses and manages risks associated with vendors",
    "AICPA SOC 2 guide: carve-out method and complementary user entity controls",
    "ISO/IEC 27001:2022 A.5.19-A.5.22: supplier relationships and monitoring of supplier services",
    "EU DORA (Regulation 2022/2554) Art. 28: ICT third-party risk",
)
_GAP_TOLERATED_DAYS = 90  # an uncovered gap shorter than this is usual while the next letter is issued


def _today(ctx: RuleContext) -> dt.date:
    return ctx.scan_time.date()


def _register_source(ctx: RuleContext, entry: ProviderAssurance | None, key: str | None = None) -> str:
    line = entry.fields.get(key, entry.line) if entry and key else (entry.line if entry else 0)
    where = f"{ctx.policy.path or '<policy>'}:{line}" if line else (ctx.policy.path or "<policy>")
    return f"policy providers register ({where})"


def _result(ctx: RuleContext, provider: str, status: str, message: str, *, entry: ProviderAssurance | None,
            field: str | None = None, key: str = "", **kw: Any) -> Result:
    kw.setdefault("source", _register_source(ctx, entry, field))
    kw.setdefault("observed_at", ctx.scan_time.isoformat())
    # about the provider, not a place: the register covers the whole estate whatever --region audits
    kw.setdefault("region", None)
    return Result(status=status, resource=f"provider:{provider}", message=message, resource_type="vendor-register",
                  key=key, **kw)


def _entries(ctx: RuleContext) -> Iterator[tuple[str, ProviderAssurance]]:
    """Register entries of the providers the estate uses (an unused provider's entry is not in scope)."""
    for provider in usage(ctx.graph):
        entry = ctx.policy.providers.get(provider)
        if entry is not None:
            yield provider, entry


def _registered(ctx: RuleContext) -> Iterator[Result]:
    """Every provider the inventory holds resources of must have an entry in the vendor register
    (``providers:`` in the policy): without one, nobody has checked the report the company relies on for the
    provider's own controls. ``pass`` when the entry exists."""
    for provider, use in usage(ctx.graph).items():
        entry = ctx.policy.providers.get(provider)
        observed = {"provider": provider, "resources_used": use.resources, "regions_used": sorted(use.regions),
                    "register_entry": entry is not None}
        if entry is None:
            yield _result(ctx, provider, "fail",
                          f"{provider} is used ({use.resources} resources in {len(use.regions)} regions) but has no "
                          f"entry in the vendor register", entry=None, observed=observed,
                          expected={"register_entry": True})
        else:
            yield _result(ctx, provider, "pass", f"{provider} has an entry in the vendor register", entry=entry,
                          observed=observed, expected={"register_entry": True})


def _current(ctx: RuleContext) -> Iterator[Result]:
    """The report relied on must be current: its period ended at most twelve months ago, or a bridge
    (continued-operations) letter covers today. ``unknown`` when the register does not record the period end."""
    today = _today(ctx)
    for provider, entry in _entries(ctx):
        expected = {"max_age_days": REPORT_VALID_DAYS, "or": "a bridge letter covering today"}
        if entry.period_end is None:
            yield _result(ctx, provider, "unknown", f"the register does not record when {provider}'s report period "
                          f"ended", entry=entry, observed={"period_end": None}, expected=expected)
            continue
        age = days_since(entry.period_end, today)
        observed = {"period_end": entry.period_end.isoformat(), "age_days": age, "today": today.isoformat(),
                    "bridge_letter_covers_to": entry.bridge_letter.covers_to.isoformat() if entry.bridge_letter else None}
        if age > REPORT_VALID_DAYS and not letter_covers(entry, today):
            yield _result(ctx, provider, "fail",
                          f"{provider}'s SOC 2 report period ended {entry.period_end} ({age} days ago) and no bridge "
                          f"letter covers {today}", entry=entry, field="period_end", observed=observed,
                          expected=expected)
        else:
            yield _result(ctx, provider, "pass", f"{provider}'s SOC 2 report is current (period ended "
                          f"{entry.period_end}, {age} days ago)", entry=entry, field="period_end",
                          observed=observed, expected=expected)


def _bridged(ctx: RuleContext) -> Iterator[Result]:
    """The days between the end of the report period and today must be covered by a bridge (continued-
    operations) letter. Reported while the report is within its twelve months (after that the report is out of
    date, RES-VENDOR-002); a gap up to 90 days is low severity (the next letter is usually being issued),
    longer is medium."""
    today = _today(ctx)
    for provider, entry in _entries(ctx):
        if entry.period_end is None or days_since(entry.period_end, today) > REPORT_VALID_DAYS:
            continue
        gap = uncovered_gap(entry, today) or 0
        observed = {"period_end": entry.period_end.isoformat(), "today": today.isoformat(), "uncovered_days": gap,
                    "bridge_letter": entry.to_dict()["bridge_letter"]}
        expected = {"uncovered_days": 0}
        if gap == 0:
            yield _result(ctx, provider, "pass", f"{provider}'s report and bridge letter cover up to today",
                          entry=entry, field="bridge_letter", observed=observed, expected=expected)
        else:
            since = entry.bridge_letter.covers_to if entry.bridge_letter else entry.period_end
            yield _result(ctx, provider, "fail",
                          f"{gap} days since {since} are covered by neither {provider}'s report nor a bridge letter",
                          entry=entry, field="bridge_letter", observed=observed, expected=expected,
                          severity="medium" if gap > _GAP_TOLERATED_DAYS else "low")


def _type2(ctx: RuleContext) -> Iterator[Result]:
    """A Type II report (controls operating over a period) is what a Type II engagement can rely on; a Type I
    report only says the controls were designed at one date."""
    for provider, entry in _entries(ctx):
        observed, expected = {"type": entry.type}, {"type": "type2"}
        if entry.type is None:
            yield _result(ctx, provider, "unknown", f"the register does not record the type of {provider}'s report",
                          entry=entry, observed=observed, expected=expected)
        elif entry.type != "type2":
            yield _result(ctx, provider, "fail", f"{provider}'s report relied on is a Type I report", entry=entry,
                          field="type", observed=observed, expected=expected)
        else:
            yield _result(ctx, provider, "pass", f"{provider}'s report is a Type II report", entry=entry,
                          field="type", observed=observed, expected=expected)


def _unqualified(ctx: RuleContext) -> Iterator[Result]:
    """The service auditor's opinion must be unqualified. A qualified opinion names controls that did not
    operate (high: read the exceptions and decide what they mean for you); an adverse opinion or a disclaimer
    means the report cannot be relied on (critical)."""
    for provider, entry in _entries(ctx):
        observed, expected = {"opinion": entry.opinion}, {"opinion": "unqualified"}
        if entry.opinion is None:
            yield _result(ctx, provider, "unknown", f"the register does not record the opinion on {provider}'s "
                          f"report", entry=entry, observed=observed, expected=expected)
        elif entry.opinion != "unqualified":
            yield _result(ctx, provider, "fail", f"the opinion on {provider}'s report is {entry.opinion}",
                          entry=entry, field="opinion", observed=observed, expected=expected,
                          severity="high" if entry.opinion == "qualified" else "critical")
        else:
            yield _result(ctx, provider, "pass", f"the opinion on {provider}'s report is unqualified", entry=entry,
                          field="opinion", observed=observed, expected=expected)


def _scope(ctx: RuleContext, what: str) -> Iterator[Result]:
    for provider, entry in _entries(ctx):
        found = getattr(usage(ctx.graph)[provider], what)
        noun = what[:-1]
        for value, ids in sorted(found.items()):
            inside = entry.in_scope(what, value)
            observed = {noun: value, "resources": len(ids), "examples": ids[:5],
                        "scope_listed": list(getattr(entry, what)) if getattr(entry, what) is not None else None,
                        "scope_reference": entry.scope_reference}
            expected = {f"{noun}_in_scope": True}
            key = f"{noun}:{value}"
            if inside is None:
                yield _result(ctx, provider, "unknown",
                              f"{provider}'s register entry lists no {what}: confirm {value} is in the report's scope"
                              + (f" ({entry.scope_reference})" if entry.scope_reference else ""),
                              entry=entry, field="scope", key=key, observed=observed, expected=expected)
            elif not inside:
                yield _result(ctx, provider, "fail",
                              f"{value} is used ({len(ids)} resources, e.g. {ids[0]}) but is not in the scope of "
                              f"{provider}'s SOC 2 report", entry=entry, field="scope", key=key, observed=observed,
                              expected=expected)
            else:
                yield _result(ctx, provider, "pass", f"{value} is in the scope of {provider}'s report", entry=entry,
                              field="scope", key=key, observed=observed, expected=expected)


def _regions_in_scope(ctx: RuleContext) -> Iterator[Result]:
    """Every region the estate uses must be in the scope of the provider's report: a region outside it is
    not covered by the controls the company relies on (after March 2026: is me-central-1 in scope, and for
    which period?). One result per (provider, region), naming the resources."""
    yield from _scope(ctx, "regions")


def _services_in_scope(ctx: RuleContext) -> Iterator[Result]:
    """Every service the estate uses must be in the scope of the provider's report. One result per
    (provider, service), naming the resources."""
    yield from _scope(ctx, "services")


def _cuecs_owned(ctx: RuleContext) -> Iterator[Result]:
    """Each complementary user-entity control the provider's report lists must have an owner: the report
    holds only if the company operates them. ``unknown`` when the register lists none (the report has them)."""
    for provider, entry in _entries(ctx):
        if not entry.cuecs:
            yield _result(ctx, provider, "unknown", f"the register lists none of the complementary user-entity "
                          f"controls of {provider}'s report", entry=entry, key="cuecs",
                          observed={"cuecs": 0}, expected={"cuecs": "listed, each with an owner"})
            continue
        for index, cuec in enumerate(entry.cuecs, start=1):
            observed, expected = {"control": cuec.control, "owner": cuec.owner}, {"owner": "named"}
            source = f"policy providers register ({ctx.policy.path or '<policy>'}:{cuec.line})"
            if cuec.owner:
                yield _result(ctx, provider, "pass", f"CUEC {index} is owned by {cuec.owner}", entry=entry,
                              key=f"cuec:{index}", observed=observed, expected=expected, source=source)
            else:
                yield _result(ctx, provider, "fail", f"CUEC {index} of {provider}'s report has no owner: "
                              f"{cuec.control}", entry=entry, key=f"cuec:{index}", observed=observed,
                              expected=expected, source=source)


def _reviewed(ctx: RuleContext) -> Iterator[Result]:
    """The register entry (the provider's report, its exceptions and CUECs) is reviewed at least annually,
    by a named person."""
    today = _today(ctx)
    for provider, entry in _entries(ctx):
        expected = {"reviewed_within_days": REVIEW_EVERY_DAYS}
        if entry.reviewed is None:
            yield _result(ctx, provider, "fail", f"no review of {provider}'s report is recorded", entry=entry,
                          observed={"reviewed": None}, expected=expected)
            continue
        age = days_since(entry.reviewed.date, today)
        observed = {"reviewed": entry.reviewed.date.isoformat(), "by": entry.reviewed.by, "age_days": age}
        if age > REVIEW_EVERY_DAYS:
            yield _result(ctx, provider, "fail", f"{provider}'s report was last reviewed {entry.reviewed.date} "
                          f"({age} days ago)", entry=entry, field="reviewed", observed=observed, expected=expected)
        else:
            yield _result(ctx, provider, "pass", f"{provider}'s report was reviewed {entry.reviewed.date} by "
                          f"{entry.reviewed.by}", entry=entry, field="reviewed", observed=observed, expected=expected)


def _matches_catalogue(ctx: RuleContext) -> Iterator[Result]:
    """Where the provider publishes its reports through an API (AWS Artifact), the register must transcribe
    the newest SOC 2 report: same period, and no newer report left unread. ``unknown`` when the catalogue
    could not be read (denied, unreachable); no result when it was not part of the scan (Artifact is read when
    the policy has a ``providers.aws`` entry)."""
    for provider, entry in _entries(ctx):
        if provider != "aws":
            continue
        reports = published_reports(ctx.graph, provider)
        gaps = ctx.gaps(services=("artifact",), provider=provider)
        attempted = [c for c in ctx.coverage if c.provider == provider and c.service == "artifact"]
        read = any(c.ok for c in attempted)
        expected = {"register_matches": "the newest SOC 2 report in AWS Artifact"}
        if not reports and not attempted:
            continue  # Artifact is read only when asked (collectors/aws/artifact.py OPT_IN): nothing to compare
        if not reports:
            why = (f"AWS Artifact could not be read ({gaps[0].status}: {gaps[0].detail})" if gaps and not read
                   else "AWS Artifact lists no SOC 2 report")
            yield _result(ctx, provider, "unknown", why + ": the register cannot be compared with it", entry=entry,
                          observed={"artifact_reports": 0}, expected=expected, source="artifact:ListReports")
            continue
        _, newest = reports[0]
        attrs = newest.get("attrs") or {}
        chosen = next(((n, d) for n, d in reports if (d.get("attrs") or {}).get("report_id") == entry.artifact_report),
                      None) if entry.artifact_report else None
        chosen = chosen or next(((n, d) for n, d in reports if (d.get("attrs") or {}).get("period_end")
                                 == (entry.period_end.isoformat() if entry.period_end else None)), None)
        observed = {
            "register": {"period_start": _iso(entry.period_start), "period_end": _iso(entry.period_end),
                         "artifact_report": entry.artifact_report},
            "artifact_newest": {"id": attrs.get("report_id"), "name": newest.get("name"),
                                "period_start": attrs.get("period_start"), "period_end": attrs.get("period_end")},
        }
        kw = {"entry": entry, "observed": observed, "expected": expected, "source": newest.get("source", ""),
              "observed_at": newest.get("observed_at", "")}
        problems = []
        if chosen is None:
            problems.append("no SOC 2 report in AWS Artifact has the register's period")
        else:
            got = chosen[1].get("attrs") or {}
            if got.get("period_start") and entry.period_start and got["period_start"] != entry.period_start.isoformat():
                problems.append(f"the register's period starts {entry.period_start}, Artifact's {got['period_start']}")
            if got.get("period_end") and entry.period_end and got["period_end"] != entry.period_end.isoformat():
                problems.append(f"the register's period ends {entry.period_end}, Artifact's {got['period_end']}")
        if attrs.get("period_end") and entry.period_end and attrs["period_end"] > entry.period_end.isoformat():
            problems.append(f"a newer report is in AWS Artifact: {newest.get('name')} (period ending "
                            f"{attrs['period_end']})")
        if problems:
            yield _result(ctx, provider, "fail", "; ".join(problems), **kw)
        else:
            yield _result(ctx, provider, "pass", f"the register transcribes {newest.get('name')}, the newest SOC 2 "
                          f"report in AWS Artifact", **kw)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _rule(number: int, title: str, severity: str, check, rationale: str, remediation: str, *,
          requires: tuple[str, ...] = ()) -> Rule:
    return Rule(id=f"RES-VENDOR-{number:03d}", title=title, category=CATEGORY, severity=severity,
                controls=CONTROLS, rationale=rationale, remediation=remediation, check=check,
                requires=requires, references=REFERENCES)


_REVIEW = ("Read the provider's current SOC 2 report (AWS Artifact, the Azure Service Trust Portal, Google's "
           "Compliance Reports Manager), record it in the policy's providers: block, and review it yearly.")

RULES = (
    _rule(1, "Provider used with no entry in the vendor register", "high", _registered,
          "The provider runs the data centres, power and zones the estate depends on; under SOC 2 it is a "
          "subservice organisation whose report the company must obtain and assess (CC9.2).",
          "Add the provider to the policy's providers: block with the SOC 2 report relied on. " + _REVIEW),
    _rule(2, "The provider's SOC 2 report is out of date", "high", _current,
          "A report whose period ended more than twelve months ago, with no bridge letter, says nothing about the "
          "provider's controls during the period the company is audited for.",
          "Obtain the provider's newest SOC 2 report (or its bridge / continued-operations letter) and update the "
          "register."),
    _rule(3, "The time since the report period is not covered by a bridge letter", "medium", _bridged,
          "Between the end of the provider's report period and today the company relies on the provider's "
          "assertion in a bridge (continued-operations) letter; without one that time is not covered.",
          "Obtain the provider's bridge / continued-operations letter covering today and record its covers_to date."),
    _rule(4, "The provider's report is a Type I report", "high", _type2,
          "A Type II engagement needs evidence that the subservice organisation's controls operated over the "
          "period; a Type I report only covers their design at one date.",
          "Rely on the provider's Type II report and record it (type: type2)."),
    _rule(5, "The opinion on the provider's report is not unqualified", "high", _unqualified,
          "A qualified, adverse or disclaimed opinion means some of the provider's controls cannot be relied on "
          "as described.",
          "Read the exceptions in the report, record which affect availability, and document compensating "
          "controls (or an accepted risk) before relying on the report."),
    _rule(6, "A region the estate uses is not in the scope of the provider's report", "high", _regions_in_scope,
          "A region outside the report's scope is not covered by the provider controls the company relies on; "
          "since the March 2026 Gulf outage an auditor asks for it by name.",
          "Move the resources to an in-scope region, or obtain assurance for the region (a newer report, a bridge "
          "letter) and record it in scope.regions."),
    _rule(7, "A service the estate uses is not in the scope of the provider's report", "medium", _services_in_scope,
          "A service outside the report's scope is not covered by the provider controls the company relies on.",
          "Confirm the service in the report's scope section and list it in scope.services, or replace it."),
    _rule(8, "A complementary user-entity control has no owner", "medium", _cuecs_owned,
          "The provider's report holds only if the user entity operates the complementary controls it lists; an "
          "unowned CUEC is a control nobody operates.",
          "Name an owner for every CUEC in the register (cuecs: [{control, owner}])."),
    _rule(9, "The annual review of the provider's report is overdue", "medium", _reviewed,
          "Vendor risk management (CC9.2) expects the subservice organisation's report to be reviewed at least "
          "yearly, by a named reviewer.",
          "Review the report, its exceptions and CUECs, and record reviewed: {date, by}."),
    _rule(10, "The vendor register does not match the provider's published reports", "medium", _matches_catalogue,
          "The register is transcribed by hand; AWS Artifact lists the reports AWS actually published. A "
          "register that names another period, or misses a newer report, is evidence nobody re-read it.",
          "Update the register from the newest SOC 2 report in AWS Artifact (period, artifact_report id) and "
          "review it.", requires=("artifact",)),
)
