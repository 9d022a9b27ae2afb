"""What the provider catalogues share: a failure-domain table in the form :mod:`resilience.failure_domains` merges."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def failure_domain_entries(provider: str, table: Mapping[str, tuple[str, ...]], *, gulf_reason: str,
                           country_of: Callable[[str], str], place_of: Callable[[str], str],
                           source: str) -> list[dict[str, Any]]:
    """``{name: regions}`` as :class:`resilience.failure_domains.FailureDomain` keyword arguments:
    ``gulf`` is the shared March 2026 event; every other entry is one country with several regions."""
    out = []
    for name, regions in table.items():
        if name == "gulf":
            basis, reason = "shared-event", gulf_reason
        else:
            places = ", ".join(place_of(r) for r in regions)
            basis, reason = "same-country", f"{country_of(regions[0])}: one country, one grid operator and " \
                                            f"regulator: {places}"
        out.append({"name": name, "provider": provider, "regions": frozenset(regions), "basis": basis,
                    "reason": reason, "sources": (source,)})
    return out
