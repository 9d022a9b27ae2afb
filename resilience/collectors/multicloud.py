"""Helpers shared by the Azure and GCP collectors (no SDK import here).

- :class:`CoverageLog`: one record per (account, region, service) read, worst status wins.
- :func:`guarded`: run one read, turn its failure into a coverage record, never into "nothing there".
- :func:`add_placeholders`: ``external`` nodes, with the region the API reported, for edge targets
  that were not inventoried (a geo-secondary in a subscription outside the scan).
- :func:`limit_to_regions`: keep the resources of the scanned regions and whatever they point to.
- :func:`token_identity`: a display identity from a bearer token (JWT claims, unverified).
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from resilience.coverage_detail import readable
from resilience.model import (
    EXTERNAL,
    GLOBAL_REGION,
    Coverage,
    Edge,
    Inventory,
    Resource,
)

_RANK = {"ok": 0, "skipped": 1, "error": 2, "unreachable": 3, "denied": 4}


def compact(attrs: Mapping[str, Any]) -> dict[str, Any]:
    """Drop ``None``: an attribute that was not observed is absent, never ``None``."""
    return {k: v for k, v in attrs.items() if v is not None}


def clip(text: str) -> str:
    """A failed read's message as a coverage detail (one rule for every provider: :mod:`resilience.coverage_detail`)."""
    return readable(text)


class CoverageLog:
    """Coverage records of one provider: one per (account, region, service), worst status wins. A read
    made for one resource (``resource``) that fails names it: while every failure of the scope was
    such a read, the record lists those resources (:attr:`Coverage.resources`) and only verdicts
    relying on them are in doubt; one scope-wide failure makes the whole scope doubtful."""

    def __init__(self, provider: str) -> None:
        self.provider = provider
        # key -> (status, details, failed resources, a scope-wide read failed)
        self._records: dict[tuple[str, str, str], tuple[str, list[str], list[str], bool]] = {}
        self._lock = threading.Lock()  # subscriptions / projects are read several at a time

    def record(self, account: str, region: str, service: str, status: str, detail: str = "",
               resource: str | Sequence[str] | None = None) -> None:
        """``resource``: the resource (or resources: a read about several, such as one location's backups)
        the read was made for; ``None`` for a scope-wide read."""
        key = (account, region, service)
        names = [resource] if isinstance(resource, str) else list(resource or ())
        with self._lock:
            old, details, resources, wide = self._records.get(key, ("ok", [], [], False))
            if detail and detail not in details:
                details.append(detail)
            if status != "ok":
                if not names:
                    wide = True
                resources.extend(n for n in dict.fromkeys(names) if n not in resources)
            self._records[key] = (status if _RANK[status] >= _RANK[old] else old, details, resources, wide)

    def status(self, account: str, region: str, service: str) -> str | None:
        entry = self._records.get((account, region, service))
        return entry[0] if entry else None

    def records(self) -> list[Coverage]:
        out = []
        for (account, region, service), (status, details, resources, wide) in sorted(self._records.items()):
            text = "; ".join(details[:5]) + (f"; and {len(details) - 5} more" if len(details) > 5 else "")
            out.append(Coverage(provider=self.provider, account=account, region=region, service=service,
                                status=status, detail=clip(text),
                                resources=() if wide or status == "ok" else tuple(sorted(resources))))
        return out


def guarded(log: CoverageLog, classify: Callable[[BaseException], tuple[str, str]], *, account: str, region: str,
            service: str, fn: Callable[..., Any], args: Iterable[Any] = (), about: str = "",
            resource: str | Sequence[str] | None = None) -> Any | None:
    """Run ``fn(*args)``; record ``ok`` or the classified failure (naming ``resource`` when the read was
    made for one resource); ``None`` when it failed."""
    try:
        value = fn(*args)
    except Exception as exc:  # every failed read becomes a coverage record
        status, detail = classify(exc)
        log.record(account, region, service, status, f"{about}: {detail}" if about else detail, resource=resource)
        return None
    log.record(account, region, service, "ok")
    return value


def add_placeholders(inventory: Inventory, *, provider: str, observed_at: str,
                     hints: Mapping[str, Mapping[str, Any]]) -> None:
    """Add an ``external`` node for each edge target nobody inventoried but whose region is known.

    ``hints`` maps a (lower-cased) id to what the API said about it: ``region``, ``account``,
    ``name``, ``type``, ``provider``. Targets without a hint are left to the graph builder's stub.
    """
    known = {r.id.lower() for r in inventory.resources}
    added: set[str] = set()
    for edge in inventory.edges:
        for end in (edge.src, edge.dst):
            key = end.lower()
            if key in known or key in added or key not in hints:
                continue
            hint = hints[key]
            inventory.resources.append(Resource(
                id=end, provider=hint.get("provider", provider), account=str(hint.get("account", "")),
                region=hint.get("region") or "unknown", kind=EXTERNAL, type=hint.get("type", "external"),
                name=hint.get("name") or end.rstrip("/").rsplit("/", 1)[-1], source="reference",
                observed_at=observed_at, attrs={"placeholder": True, "outside_scan": True}))
            added.add(key)


_FOLLOW = ("replicates_to", "fails_over_to", "backed_up_to", "routes_to", "member_of", "depends_on")


def limit_to_regions(inventory: Inventory, regions: Iterable[str]) -> None:
    """Keep resources in ``regions`` (and global ones), plus everything reachable from them.

    Azure and GCP reads are account-wide, so a scan scope is applied after the read; replicas,
    backups and failover targets in other regions stay (the audited region points to them).
    """
    scope = {r.lower() for r in regions}
    if not scope:
        return
    by_id = {r.id: r for r in inventory.resources}
    keep = {r.id for r in inventory.resources if r.region in scope or r.region == GLOBAL_REGION}
    out: dict[str, list[Edge]] = {}
    for edge in inventory.edges:
        out.setdefault(edge.src, []).append(edge)
        out.setdefault(edge.dst, []).append(edge)
    frontier = list(keep)
    while frontier:
        node = frontier.pop()
        for edge in out.get(node, ()):
            if edge.kind not in _FOLLOW:
                continue
            for other in (edge.src, edge.dst):
                if other not in keep and other in by_id:
                    # follow outward from kept nodes; a kept DNS record pulls in what it routes to
                    keep.add(other)
                    frontier.append(other)
    inventory.resources = [r for r in inventory.resources if r.id in keep]
    inventory.edges = [e for e in inventory.edges if e.src in keep or e.dst in keep]


def token_identity(token: str, default: str) -> str:
    """``upn``/``email``/``appid`` claims of a JWT bearer token (display only, not verified)."""
    parts = token.split(".")
    if len(parts) != 3:
        return default
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, json.JSONDecodeError):
        return default
    for claim in ("upn", "unique_name", "email", "preferred_username", "appid", "azp", "oid", "sub"):
        if payload.get(claim):
            return str(payload[claim])
    return default


def edge(src: str, dst: str, kind: str, source: str, **attrs: Any) -> Edge:
    return Edge(src=src, dst=dst, kind=kind, source=source, attrs=compact(attrs))
