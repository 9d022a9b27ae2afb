"""The results of a scan, as reporters render them: :class:`Finding`, :class:`ScanResult` and the
``findings.json`` document (contract 3).

Plain data with no rule or analysis behind it, so reporters, the baseline and the evidence pack
read it without importing the scan orchestration (``resilience/scan.py``) that produces it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only: the policy layer sits above this one
    import networkx as nx

    from .model import Inventory
    from .policy import Policy


@dataclass(slots=True)  # a million-resource scan holds millions: no per-object __dict__
class Finding:
    id: str
    rule: str
    category: str
    status: str
    severity: str
    title: str
    message: str
    resource: str
    resource_type: str
    region: str | None
    workload: str | None
    controls: list[str]
    evidence: dict[str, Any]
    remediation: str
    workloads: list[str] = field(default_factory=list)
    waiver: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    baseline: str | None = None  # new | unchanged (set when a baseline is given)
    account: str | None = None  # the account / subscription / project owning ``resource``
    accounts: list[str] = field(default_factory=list)  # workload-level results: every account involved

    def to_dict(self) -> dict[str, Any]:
        d = {
            "id": self.id, "rule": self.rule, "category": self.category, "status": self.status,
            "severity": self.severity, "title": self.title, "message": self.message,
            "resource": self.resource, "resource_type": self.resource_type, "region": self.region,
            "workload": self.workload, "controls": list(self.controls), "evidence": self.evidence,
            "remediation": self.remediation, "account": self.account,
        }
        if self.resource.startswith("workload:"):
            d["accounts"] = list(self.accounts)
        if len(self.workloads) > 1:
            d["workloads"] = list(self.workloads)
        if self.waiver is not None:
            d["waiver"] = self.waiver
        if self.notes:
            d["notes"] = list(self.notes)
        if self.baseline is not None:
            d["baseline"] = self.baseline
        return d

    @property
    def failing(self) -> bool:
        return self.status == "fail"


FINDINGS_SCHEMA = "resilience.findings/v1"


@dataclass
class ScanResult:
    scan: dict[str, Any]
    inventory: Inventory
    graph: nx.MultiDiGraph
    policy: Policy
    findings: list[Finding]
    workloads: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # further sections reporters may add (baseline, ...)

    @property
    def coverage(self):
        return self.inventory.coverage


class FindingDicts(Sequence[dict[str, Any]]):
    """Findings as ``findings.json`` dicts, each made when it is read: a million-resource scan's millions
    of dicts at once took gigabytes (issue 17). A read-only sequence (len, index, slice, iteration)."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        self._findings = findings

    def __len__(self) -> int:
        return len(self._findings)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [f.to_dict() for f in self._findings[index]]
        return self._findings[index].to_dict()


def finding_facts(findings: Iterable[Finding]) -> Iterator[dict[str, Any]]:
    """What the rule catalogue and the account view read of each finding (:meth:`Finding.to_dict`'s keys
    without the evidence): a whole dict per finding, three times over, was a fifth of writing findings.json
    at 100,000 resources."""
    for f in findings:
        facts = {"rule": f.rule, "status": f.status, "severity": f.severity, "title": f.title,
                 "category": f.category, "controls": f.controls, "remediation": f.remediation,
                 "workload": f.workload, "account": f.account}
        if f.resource.startswith("workload:"):
            facts["accounts"] = f.accounts
        if len(f.workloads) > 1:
            facts["workloads"] = f.workloads
        yield facts


def findings_document(result: ScanResult, *, lazy: bool = False) -> dict[str, Any]:
    """``findings.json`` (contract 3). Every result is listed, passes included: the population.
    ``lazy``: ``findings`` is a :class:`FindingDicts` (for a writer that streams), not a list."""
    doc = {
        "schema": FINDINGS_SCHEMA,
        "scan": result.scan,
        "coverage": [
            c.to_dict()
            for c in sorted(result.coverage, key=lambda c: (c.provider, c.account, c.region, c.service))
        ],
        "workloads": result.workloads,
        "findings": FindingDicts(result.findings) if lazy else [f.to_dict() for f in result.findings],
        "summary": summarise(result.findings),
    }
    for key, value in result.extra.items():
        doc.setdefault(key, value)
    return doc


def summarise(findings: list[Finding]) -> dict[str, Any]:
    by_status: dict[str, int] = {}
    failing_by_severity: dict[str, int] = {}
    for f in findings:
        by_status[f.status] = by_status.get(f.status, 0) + 1
        if f.status == "fail":
            failing_by_severity[f.severity] = failing_by_severity.get(f.severity, 0) + 1
    return {"results": len(findings), "by_status": by_status, "failing_by_severity": failing_by_severity}
