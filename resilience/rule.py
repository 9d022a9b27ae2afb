"""What a rule is, what it returns, and what it may read.

A rule is a pure function of a :class:`RuleContext` (graph, policy, scan time, coverage) that
yields :class:`Result` objects: ``pass``, ``fail`` or ``unknown`` for one resource or workload.
Rules do no I/O and read no clock. Definitions validate themselves when constructed, so a rule
with a bad id, no remediation, an unknown control or category fails at import, before any scan.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from .controls import CATEGORIES, CONTROLS, SEVERITIES
from .coverage_index import coverage_index
from .graph import workload_names
from .model import Coverage
from .policy import Policy

#: the providers a rule may give its own remediation for (``Rule.provider_remediation``)
PROVIDERS = ("aws", "azure", "gcp")

RULE_ID = re.compile(r"^RES-[A-Z]+-\d{3}$")
RESULT_STATUSES = ("pass", "fail", "unknown")


@dataclass(slots=True)  # millions at a million resources: no per-object __dict__
class Result:
    """One rule's verdict on one resource or workload. Not changed once made (the engine reads it into a
    finding); not frozen, because a frozen dataclass sets each field through ``object.__setattr__``, which
    tripled the cost of making one (a million-resource scan makes millions, issue 17)."""

    status: str
    resource: str  # resource id, or "workload:NAME"
    message: str
    observed: dict[str, Any] = field(default_factory=dict)
    expected: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    observed_at: str = ""
    resource_type: str = ""
    region: str | None = None
    workload: str | None = None
    workloads: tuple[str, ...] = ()
    key: str = ""  # further identity when one rule reports one resource several times (e.g. per region)
    severity: str | None = None  # overrides the rule's default severity for this result
    extra: dict[str, Any] = field(default_factory=dict)  # further evidence fields (arithmetic, chains)

    def __post_init__(self) -> None:
        if self.status not in RESULT_STATUSES:
            raise ValueError(f"bad result status {self.status!r}")
        if self.severity is not None and self.severity not in SEVERITIES:
            raise ValueError(f"bad severity {self.severity!r}")


@dataclass
class RuleContext:
    graph: nx.MultiDiGraph
    policy: Policy
    scan_time: dt.datetime
    coverage: list[Coverage] = field(default_factory=list)
    audited_regions: tuple[str, ...] = ()
    #: when the estate was read (the inventory's ``finished_at``): the age of a copy is measured then, so a
    #: saved inventory analysed again later gives the same RPOs. ``None``: the scan time.
    observed_at: dt.datetime | None = None

    @property
    def as_of(self) -> dt.datetime:
        """The time the estate's facts hold for: :attr:`observed_at`, else the scan time."""
        return self.observed_at or self.scan_time

    def node(self, node_id: str) -> dict[str, Any]:
        return self.graph._node[node_id]

    def gaps(self, *, region: str | None = None, services: Iterable[str] = (), account: str | None = None,
             provider: str | None = None) -> list[Coverage]:
        """Coverage records that are not ``ok`` for the given scope.

        ``services`` matches a record's service exactly or as a prefix (``rds`` covers
        ``rds:snapshots``). A record for region ``global`` applies to every region.
        """
        wanted = tuple(services)
        index = coverage_index(self.coverage)
        out = []
        for c in index.failed_in([region]) if region else index.failed:
            if provider and c.provider != provider:
                continue
            if account and c.account and c.account != account:
                continue
            if region and c.region not in (region, "global", "*"):
                continue
            if wanted and not any(c.service == s or c.service.startswith(s + ":") for s in wanted):
                continue
            out.append(c)
        return out

    def result(self, node_id: str, status: str, message: str, **kw: Any) -> Result:
        """A result about one graph node, with its type, region, source and workloads filled in."""
        data = self.graph._node[node_id]
        workloads = tuple(data.get("workloads", ()))
        kw.setdefault("source", data.get("source", ""))
        kw.setdefault("observed_at", data.get("observed_at", ""))
        kw.setdefault("resource_type", data.get("type", ""))
        kw.setdefault("region", data.get("region"))
        kw.setdefault("workload", workloads[0] if workloads else None)
        kw.setdefault("workloads", workloads)
        return Result(status=status, resource=node_id, message=message, **kw)


Check = Callable[[RuleContext], Iterable[Result]]
#: one workload's results: ``(ctx, workload name) -> results``
PerWorkload = Callable[[RuleContext, str], Iterable[Result]]


class EachWorkload:
    """The check of a rule whose work is per workload: its ``per_workload`` for every workload of
    :func:`resilience.graph.workload_names`, in that order. It carries the per-workload function's
    docstring, which stays the rule's documentation. A cluster runs ``per_workload`` on batches of
    workloads (:mod:`resilience.engine`) and gets the same results."""

    def __init__(self, per_workload: PerWorkload) -> None:
        self.per_workload = per_workload
        self.__doc__ = per_workload.__doc__
        self.__name__ = getattr(per_workload, "__name__", type(self).__name__)

    def __call__(self, ctx: RuleContext) -> Iterator[Result]:
        for workload in workload_names(ctx.graph, ctx.policy):
            yield from self.per_workload(ctx, workload)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EachWorkload) and other.per_workload == self.per_workload

    def __hash__(self) -> int:
        return hash(self.per_workload)

    def __repr__(self) -> str:
        return f"EachWorkload({self.__name__})"


@dataclass(frozen=True)
class Rule:
    """One rule. ``check``'s docstring, with ``rationale``, is the rule's documentation.

    A rule whose work is per workload gives ``per_workload`` instead of ``check``: the check is then
    derived from it (:class:`EachWorkload`), so there is one source of truth for both."""

    id: str
    title: str
    category: str
    severity: str
    controls: tuple[str, ...]
    rationale: str
    remediation: str
    check: Check = None  # type: ignore[assignment]  # derived from per_workload when that is given
    requires: tuple[str, ...] = ()  # services whose coverage the verdicts depend on
    references: tuple[str, ...] = ()  # Well-Architected best practices, criteria, public reports
    # (severity, when): the raises a result may apply over ``severity`` (Result.severity), stated in the
    # catalogue so that `resilience rules` / `explain` say what findings do
    escalations: tuple[tuple[str, str], ...] = ()
    per_workload: PerWorkload | None = None
    # (provider, text): the remediation in that provider's services, for a finding about its resources
    # (``remediation`` names AWS's; a finding whose resources are on one other provider gets that one's)
    provider_remediation: tuple[tuple[str, str], ...] = ()

    def remediation_for(self, providers: Iterable[str | None]) -> str:
        """The remediation for a finding about resources of ``providers``: that provider's text when they are
        all one provider's and the rule has one for it, else :attr:`remediation`."""
        found = {p for p in providers if p}
        if len(found) == 1:
            return dict(self.provider_remediation).get(found.pop(), self.remediation)
        return self.remediation

    def __post_init__(self) -> None:
        problems = []
        if self.per_workload is not None:
            if self.check is None or isinstance(self.check, EachWorkload):  # (dataclasses.replace passes it)
                object.__setattr__(self, "check", EachWorkload(self.per_workload))  # frozen: set once, here
            else:
                problems.append("give check or per_workload, not both")
        if not RULE_ID.match(self.id):
            problems.append(f"id must look like RES-FAMILY-001, got {self.id!r}")
        if self.category not in CATEGORIES:
            problems.append(f"unknown category {self.category!r}")
        if self.severity not in SEVERITIES:
            problems.append(f"unknown severity {self.severity!r}")
        problems += [f"unknown escalation severity {sev!r}" for sev, _ in self.escalations if sev not in SEVERITIES]
        if not self.controls:
            problems.append("no controls")
        problems += [f"unknown control {c!r}" for c in self.controls if c not in CONTROLS]
        for name in ("title", "rationale", "remediation"):
            if not getattr(self, name).strip():
                problems.append(f"empty {name}")
        problems += [f"provider remediation for {p!r}: unknown provider or empty text"
                     for p, text in self.provider_remediation if p not in PROVIDERS or not text.strip()]
        if not callable(self.check):
            problems.append("check is not callable")
        if problems:
            raise ValueError(f"rule {self.id}: " + "; ".join(problems))


def validate_registry(rules: Iterable[Rule]) -> tuple[Rule, ...]:
    rules = tuple(rules)
    seen: dict[str, Rule] = {}
    for rule in rules:
        if not isinstance(rule, Rule):
            raise TypeError(f"registry entry {rule!r} is not a Rule")
        if rule.id in seen:
            raise ValueError(f"duplicate rule id {rule.id}")
        seen[rule.id] = rule
    return rules
