"""What the estate relies on each provider for, beside what the vendor register says it relies on.

The rules in ``rules/vendors.py`` and the "Subservice organisations" report section both read this
module, so the register check is computed one way. Only inventoried resources count as "used" (a stub,
a resource referenced but never read, is not evidence of use), and a provider's own audit reports are
not usage.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from .model import ASSURANCE_REPORT, GLOBAL_REGION
from .policy import Policy
from .survival import is_stub, per_graph, service_of
from .vendor_register import ProviderAssurance

REPORT_VALID_DAYS = 365  # a SOC 2 report is relied on for twelve months after its period ends
REVIEW_EVERY_DAYS = 365  # the register entry is reviewed at least annually
_NOT_A_REGION = ("", GLOBAL_REGION, "unknown", None)
#: the resources named first as examples of a region or service in use: data and serving ones, not plumbing
_EXAMPLE_RANK = {"database": 0, "object_store": 0, "global_database": 0, "compute_group": 1, "function": 1,
                 "instance": 2, "load_balancer": 2, "volume": 3}


@dataclass
class Usage:
    """One provider's footprint: region -> resource ids, service -> resource ids."""

    provider: str
    regions: dict[str, list[str]] = field(default_factory=dict)
    services: dict[str, list[str]] = field(default_factory=dict)

    @property
    def resources(self) -> int:
        return sum(len(ids) for ids in self.services.values())


def service_key(data: dict[str, Any]) -> str | None:
    """The service a resource belongs to, as the register's ``scope.services`` names it.

    AWS: the coverage service (``ec2``, ``rds``, ``s3``, ``dynamodb``, ``elbv2``...); Azure: the resource
    provider namespace (``microsoft.storage``, ``microsoft.sql``); GCP: the API (``sqladmin.googleapis.com``).
    """
    provider = data.get("provider")
    if provider == "aws":
        return service_of(data)
    node_id = str(data.get("id") or "")
    if provider == "azure":
        lowered = node_id.lower()
        if "/providers/" in lowered:
            return lowered.rsplit("/providers/", 1)[1].split("/", 1)[0]
        native = str(data.get("type") or "")
        return native.split("/", 1)[0].lower() if "/" in native else None
    if provider == "gcp":
        native = str(data.get("type") or "")
        return native.split("/", 1)[0].lower() if "/" in native else None
    return None


def usage(graph: nx.MultiDiGraph) -> dict[str, Usage]:
    """Every provider the inventory holds resources of, with the regions and services used (one walk of the
    graph, shared by every vendor rule and the report section)."""
    memo = per_graph(graph, "vendor-usage")
    if "usage" not in memo:
        memo["usage"] = _usage(graph)
    return memo["usage"]


def _usage(graph: nx.MultiDiGraph) -> dict[str, Usage]:
    out: dict[str, Usage] = {}
    for node, data in graph.nodes(data=True):
        provider = data.get("provider")
        if not provider or is_stub(data) or data.get("kind") == ASSURANCE_REPORT:
            continue
        use = out.setdefault(provider, Usage(provider))
        region = data.get("region")
        if region not in _NOT_A_REGION:
            use.regions.setdefault(region, []).append(node)
        service = service_key({**data, "id": node})
        if service:
            use.services.setdefault(service, []).append(node)
    for use in out.values():
        for ids in (*use.regions.values(), *use.services.values()):
            ids.sort(key=lambda n: (_EXAMPLE_RANK.get(graph._node[n].get("kind"), 9), n))
    return dict(sorted(out.items()))


def published_reports(graph: nx.MultiDiGraph, provider: str) -> list[tuple[str, dict[str, Any]]]:
    """The provider's SOC 2 reports as its own catalogue lists them (AWS Artifact), newest period first."""
    reports = [(n, d) for n, d in graph.nodes(data=True)
               if d.get("kind") == ASSURANCE_REPORT and (d.get("attrs") or {}).get("provider_of_report") == provider]
    return sorted(reports, key=lambda item: ((item[1].get("attrs") or {}).get("period_end") or "", item[0]),
                  reverse=True)


def days_since(day: dt.date, today: dt.date) -> int:
    return (today - day).days


def letter_covers(entry: ProviderAssurance, today: dt.date) -> bool:
    return entry.bridge_letter is not None and entry.bridge_letter.covers_to >= today


def uncovered_gap(entry: ProviderAssurance, today: dt.date) -> int | None:
    """Days between the end of what the report and its letter cover and today (0 when covered)."""
    if entry.period_end is None:
        return None
    covered_to = entry.bridge_letter.covers_to if entry.bridge_letter else entry.period_end
    return max(0, (today - max(covered_to, entry.period_end)).days)


def register_view(graph: nx.MultiDiGraph, policy: Policy, today: dt.date) -> dict[str, Any]:
    """The report section "Subservice organisations": register, catalogue comparison, scope per region."""
    used = usage(graph)
    providers = []
    for name in sorted(set(used) | set(policy.providers)):
        entry = policy.providers.get(name)
        use = used.get(name, Usage(name))
        published = [
            {"id": d.get("attrs", {}).get("report_id") or n, "name": d.get("name"),
             "period_start": d.get("attrs", {}).get("period_start"), "period_end": d.get("attrs", {}).get("period_end"),
             "version": d.get("attrs", {}).get("version"), "source": d.get("source"), "observed_at": d.get("observed_at")}
            for n, d in published_reports(graph, name)
        ]
        providers.append({
            "provider": name,
            "register": entry.to_dict() if entry else None,
            "register_line": entry.line if entry else None,
            "resources_used": use.resources,
            "regions": [
                {"region": region, "resources": len(ids),
                 "in_scope": entry.in_scope("regions", region) if entry else None}
                for region, ids in sorted(use.regions.items())
            ],
            "services": [
                {"service": service, "resources": len(ids),
                 "in_scope": entry.in_scope("services", service) if entry else None}
                for service, ids in sorted(use.services.items())
            ],
            "report_age_days": days_since(entry.period_end, today) if entry and entry.period_end else None,
            "uncovered_gap_days": uncovered_gap(entry, today) if entry else None,
            "published_reports": published,
        })
    return {"as_of": today.isoformat(), "providers": providers}
