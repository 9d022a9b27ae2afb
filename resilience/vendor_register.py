"""The vendor register: the policy's ``providers:`` block (the cloud provider as a subservice organisation).

Per provider, the SOC 2 report the company relies on, as the GRC team recorded it::

    providers:
      aws:
        report: AWS SOC 2 Type 2 Report (Spring 2026)   # optional: the report's title
        type: type2                       # type1 | type2
        period_start: 2025-04-01
        period_end: 2026-03-31
        opinion: unqualified              # unqualified | qualified | adverse | disclaimer
        bridge_letter: {date: 2026-07-15, covers_to: 2026-06-30}   # bridge / continued-operations letter
        scope:
          services: [ec2, rds, s3]        # as the scan names them (see `resilience` report "services used")
          regions: [me-central-1, eu-central-1]
          reference: "Section 3, In-scope services and locations"  # where the report states its scope
        cuecs:                            # complementary user-entity controls, each with an owner
          - {control: "Customers restrict logical access to their accounts", owner: security@example.com}
        reviewed: {date: 2026-05-02, by: grc@example.com}
        artifact_report: report-abc123    # optional: the AWS Artifact report id the entry transcribes

How this refines the sketch in DESIGN.md: ``report`` (title) and ``artifact_report`` (which Artifact report
the entry was read from) are new and optional; ``scope`` may give ``reference`` instead of, or beside,
explicit lists (a scope given only by reference cannot be checked automatically: the in-scope results are
``unknown`` until the regions and services are listed); a service or region list may hold ``"*"`` for
"everything the provider offers" when the report says so. Parsing takes the policy loader's reader, so
every problem is reported with file and line like the rest of the file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

PROVIDERS = ("aws", "azure", "gcp")
REPORT_TYPES = ("type1", "type2")
OPINIONS = ("unqualified", "qualified", "adverse", "disclaimer")
ALL = "*"


@dataclass(frozen=True)
class BridgeLetter:
    date: dt.date
    covers_to: dt.date


@dataclass(frozen=True)
class UserEntityControl:
    control: str
    owner: str | None
    line: int = 0


@dataclass(frozen=True)
class Review:
    date: dt.date
    by: str


@dataclass(frozen=True)
class ProviderAssurance:
    """One provider's entry in the vendor register."""

    provider: str
    type: str | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    opinion: str | None = None
    report: str | None = None
    bridge_letter: BridgeLetter | None = None
    services: tuple[str, ...] | None = None  # None: not listed
    regions: tuple[str, ...] | None = None
    scope_reference: str | None = None
    cuecs: tuple[UserEntityControl, ...] = ()
    reviewed: Review | None = None
    artifact_report: str | None = None
    line: int = 0
    fields: dict[str, int] = field(default_factory=dict)  # key -> line, for evidence

    def in_scope(self, what: str, value: str) -> bool | None:
        """Whether a service or region is listed in the report's scope; ``None`` when no list was given."""
        listed = self.services if what == "services" else self.regions
        if listed is None:
            return None
        return ALL in listed or value.lower() in {v.lower() for v in listed}

    def to_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider, "report": self.report, "type": self.type,
            "period_start": _iso(self.period_start), "period_end": _iso(self.period_end), "opinion": self.opinion,
            "bridge_letter": {"date": _iso(self.bridge_letter.date), "covers_to": _iso(self.bridge_letter.covers_to)}
            if self.bridge_letter else None,
            "scope": {"services": list(self.services) if self.services is not None else None,
                      "regions": list(self.regions) if self.regions is not None else None,
                      "reference": self.scope_reference},
            "cuecs": [{"control": c.control, "owner": c.owner} for c in self.cuecs],
            "reviewed": {"date": _iso(self.reviewed.date), "by": self.reviewed.by} if self.reviewed else None,
            "artifact_report": self.artifact_report,
        }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


_KEYS = {"report", "type", "period_start", "period_end", "opinion", "bridge_letter", "scope", "cuecs", "reviewed",
         "artifact_report"}


def read_providers(r: Any, node: Any) -> dict[str, ProviderAssurance]:
    """The ``providers:`` block, read with the policy loader's reader ``r`` (errors name file:line)."""
    out: dict[str, ProviderAssurance] = {}
    for name, entry in r.mapping(node, "providers").items():
        if name not in PROVIDERS:
            raise r.fail(node.value[f"__line__{name}"].line,
                         f"unknown provider '{name}' in providers (allowed: {', '.join(PROVIDERS)})")
        out[name] = _provider(r, name, entry)
    return out


def _provider(r: Any, name: str, node: Any) -> ProviderAssurance:
    where = f"providers.{name}"
    body = r.mapping(node, where, _KEYS)
    start = r.date(body["period_start"], f"{where}.period_start") if "period_start" in body else None
    end = r.date(body["period_end"], f"{where}.period_end") if "period_end" in body else None
    if start and end and end < start:
        raise r.fail(body["period_end"].line, f"{where}.period_end {end} is before period_start {start}")
    letter = None
    if "bridge_letter" in body:
        b = r.mapping(body["bridge_letter"], f"{where}.bridge_letter", {"date", "covers_to"})
        for required in ("date", "covers_to"):
            if required not in b:
                raise r.fail(body["bridge_letter"].line, f"{where}.bridge_letter is missing '{required}'")
        letter = BridgeLetter(date=r.date(b["date"], f"{where}.bridge_letter.date"),
                              covers_to=r.date(b["covers_to"], f"{where}.bridge_letter.covers_to"))
        if end and letter.covers_to <= end:
            raise r.fail(b["covers_to"].line,
                         f"{where}.bridge_letter.covers_to {letter.covers_to} must be after period_end {end}")
    services = regions = reference = None
    if "scope" in body:
        s = r.mapping(body["scope"], f"{where}.scope", {"services", "regions", "reference"})
        if not s:
            raise r.fail(body["scope"].line, f"{where}.scope needs services, regions or reference")
        services = _names(r, s["services"], f"{where}.scope.services") if "services" in s else None
        regions = _names(r, s["regions"], f"{where}.scope.regions") if "regions" in s else None
        reference = r.string(s["reference"], f"{where}.scope.reference") if "reference" in s else None
    cuecs = []
    for item in r.seq(body["cuecs"], f"{where}.cuecs") if "cuecs" in body else ():
        c = r.mapping(item, f"a {where}.cuecs entry", {"control", "owner"})
        if "control" not in c:
            raise r.fail(item.line, f"{where}.cuecs entry is missing 'control'")
        owner = c["owner"].value if "owner" in c else None
        if owner is not None and not isinstance(owner, str):
            raise r.fail(c["owner"].line, f"{where}.cuecs owner must be a string")
        cuecs.append(UserEntityControl(control=r.string(c["control"], f"{where}.cuecs control"),
                                       owner=owner.strip() if owner and owner.strip() else None, line=item.line))
    reviewed = None
    if "reviewed" in body:
        v = r.mapping(body["reviewed"], f"{where}.reviewed", {"date", "by"})
        for required in ("date", "by"):
            if required not in v:
                raise r.fail(body["reviewed"].line, f"{where}.reviewed is missing '{required}'")
        reviewed = Review(date=r.date(v["date"], f"{where}.reviewed.date"), by=r.string(v["by"], f"{where}.reviewed.by"))
    return ProviderAssurance(
        provider=name,
        report=r.string(body["report"], f"{where}.report") if "report" in body else None,
        type=r.choice(body["type"], f"{where}.type", REPORT_TYPES) if "type" in body else None,
        period_start=start,
        period_end=end,
        opinion=r.choice(body["opinion"], f"{where}.opinion", OPINIONS) if "opinion" in body else None,
        bridge_letter=letter,
        services=services,
        regions=regions,
        scope_reference=reference,
        cuecs=tuple(cuecs),
        reviewed=reviewed,
        artifact_report=r.string(body["artifact_report"], f"{where}.artifact_report")
        if "artifact_report" in body else None,
        line=node.line,
        fields={k: v.line for k, v in body.items()},
    )


def _names(r: Any, node: Any, where: str) -> tuple[str, ...]:
    return tuple(r.string(n, f"{where} entry") for n in r.seq(node, where))
