"""Failure domains: groups of cloud regions that can fail together.

A second region is only a recovery site if it does not fail with the first. Provider regions are
built to be independent of each other (separate power, network and control planes), but some
pairs share what no provider controls: a geography, a grid, a jurisdiction, a conflict zone.
The ``correlated-region`` rules use this table to flag a replica, backup copy or failover target
placed in the same domain as the primary (AWS Well-Architected REL10-BP02, "Select the
appropriate locations for your multi-location deployment").

How the built-in table was drawn
================================
A domain groups regions that plausibly fail together for one shared cause. Two kinds of cause
are built in; anything else is the user's call (``failure_domains`` in ``resilience.yaml``).

1. **A demonstrated shared event.** In March 2026 strikes and the resulting power loss took out
   AWS facilities in the UAE (``me-central-1``) and Bahrain (``me-south-1``) at the same time:
   multi-AZ deployments failed with their region, and workloads that had placed their "other
   region" across the Gulf lost both. In September 2026 AWS said data held only in one of the
   damaged zones could not be restored. The two regions are about 500 km apart and share one
   regional conflict and one electricity/telecom neighbourhood. Domain ``gulf``.
2. **One country** where the provider runs several regions. Regions of one country share a
   national grid operator or interconnected grids, national telecom chokepoints and cable
   landings, one regulator and one set of national emergency powers (a government order, a
   sanctions regime or a data-localisation ruling applies to both), and often one seismic or
   weather system. Built in for AWS:

   =============  ==================================================  =================================
   domain         regions                                              notes
   =============  ==================================================  =================================
   ``japan``      ap-northeast-1 (Tokyo), ap-northeast-3 (Osaka)       one seismic system (Nankai
                                                                        Trough / Tokyo Bay), one regulator
   ``india``      ap-south-1 (Mumbai), ap-south-2 (Hyderabad)          one national grid, one regulator
   ``australia``  ap-southeast-2 (Sydney), ap-southeast-4 (Melbourne)  one interconnected eastern grid (NEM)
   ``canada``     ca-central-1 (Montreal), ca-west-1 (Calgary)          one jurisdiction
   ``china``      cn-north-1 (Beijing), cn-northwest-1 (Ningxia)        one jurisdiction, own partition
   =============  ==================================================  =================================

What is deliberately **not** built in, and why:

* **The United States** (us-east-1, us-east-2, us-west-1, us-west-2; GovCloud us-gov-east-1 and
  us-gov-west-1). One country, but a continent: the regions sit on three separate grid
  interconnections and thousands of kilometres apart, and us-east-1 + us-west-2 is the reference
  pair of multi-region designs. Grouping them would flag the most common sound DR design in the
  world. Teams that treat national jurisdiction as the failure domain (sovereignty, sanctions)
  add ``us: [us-east-1, us-east-2, us-west-1, us-west-2]`` to their policy.
* **Neighbouring countries** (eu-west-1 Ireland / eu-west-2 London; eu-central-1 Frankfurt /
  eu-central-2 Zurich; ap-east-1 Hong Kong / cn-*; il-central-1 / me-*). Plausible for some
  threat models, not supported by a shared event; add them in the policy when they matter.
* **Sovereign-cloud partitions** (e.g. the AWS European Sovereign Cloud in Germany next to
  eu-central-1): different partitions, rarely used as each other's DR site; add in the policy.

Other providers
===============
Entries carry a ``provider``; a domain name may have entries for several providers, and
:func:`domains` merges them, so a ``gulf`` domain can hold AWS ``me-central-1`` and an Azure or
GCP region in the UAE: a geography fails for every provider in it. Region names do not collide
across providers (``me-central-1`` on AWS, ``uaenorth`` on Azure, ``me-central1`` on GCP).
Azure and GCP entries are added to :data:`BUILTIN` by their collectors' owners.

The policy
==========
``failure_domains: {name: [region, ...]}`` in ``resilience.yaml`` adds domains; a policy domain
with the name of a built-in one extends it (the policy file extends the built-in table; it never
silently drops a built-in correlation).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .catalogues import azure, gcp

#: a March 2026-style event: several regions of one geography at once
GULF_2026 = (
    "March 2026: strikes and power loss took out AWS facilities in the UAE (me-central-1) and Bahrain "
    "(me-south-1) at the same time; data held only in one damaged zone could not be restored"
)


@dataclass(frozen=True)
class FailureDomain:
    """Regions of one provider that can fail together, and why we think so."""

    name: str
    provider: str
    regions: frozenset[str]
    basis: str  # "shared-event" | "same-country" | "policy"
    reason: str
    sources: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "regions", frozenset(self.regions))
        if len(self.regions) < 2:
            raise ValueError(f"failure domain {self.name!r} needs at least two regions")


BUILTIN: tuple[FailureDomain, ...] = (
    FailureDomain(
        name="gulf", provider="aws", regions=frozenset({"me-central-1", "me-south-1"}), basis="shared-event",
        reason=GULF_2026 + "; ~500 km apart, one regional conflict, neighbouring power and telecom systems",
        sources=("AWS Health Dashboard, me-central-1 / me-south-1 events, March 2026",
                 "AWS statement on unrecoverable single-zone data, September 2026"),
    ),
    FailureDomain(
        name="japan", provider="aws", regions=frozenset({"ap-northeast-1", "ap-northeast-3"}), basis="same-country",
        reason="Tokyo and Osaka: one country, one regulator, one seismic system (Nankai Trough megathrust)",
        sources=("https://aws.amazon.com/about-aws/global-infrastructure/regions_az/",),
    ),
    FailureDomain(
        name="india", provider="aws", regions=frozenset({"ap-south-1", "ap-south-2"}), basis="same-country",
        reason="Mumbai and Hyderabad: one country, one national grid, one regulator",
        sources=("https://aws.amazon.com/about-aws/global-infrastructure/regions_az/",),
    ),
    FailureDomain(
        name="australia", provider="aws", regions=frozenset({"ap-southeast-2", "ap-southeast-4"}),
        basis="same-country",
        reason="Sydney and Melbourne: one country, one interconnected eastern grid (NEM), one regulator",
        sources=("https://aws.amazon.com/about-aws/global-infrastructure/regions_az/",),
    ),
    FailureDomain(
        name="canada", provider="aws", regions=frozenset({"ca-central-1", "ca-west-1"}), basis="same-country",
        reason="Montreal and Calgary: one country, one jurisdiction",
        sources=("https://aws.amazon.com/about-aws/global-infrastructure/regions_az/",),
    ),
    FailureDomain(
        name="china", provider="aws", regions=frozenset({"cn-north-1", "cn-northwest-1"}), basis="same-country",
        reason="Beijing and Ningxia: one country, one jurisdiction, a partition of their own",
        sources=("https://www.amazonaws.cn/en/about-aws/regional-product-services/",),
    ),
)


BUILTIN = (*BUILTIN, *(FailureDomain(**entry) for entry in (*azure.failure_domain_entries(),
                                                              *gcp.failure_domain_entries())))


def builtin_domains(provider: str | None = None) -> tuple[FailureDomain, ...]:
    return tuple(d for d in BUILTIN if provider is None or d.provider == provider)


def _policy_domains(policy: Any) -> dict[str, tuple[str, ...]]:
    if policy is None:
        return {}
    if isinstance(policy, dict):
        return {str(k): tuple(v) for k, v in policy.items()}
    return dict(getattr(policy, "failure_domains", None) or {})


def domains(policy: Any = None) -> dict[str, frozenset[str]]:
    """Every failure domain: name -> regions (all providers merged). ``policy`` is a
    :class:`~resilience.policy.Policy` (or a plain ``{name: [regions]}`` mapping); its domains are
    added, and extend a built-in domain of the same name."""
    global _MERGED_FROM
    if _MERGED_FROM is not BUILTIN:  # the built-in table was replaced (a test extends it): merge afresh
        _MERGED.clear()
        _MERGED_FROM = BUILTIN
    declared = tuple((name, tuple(regions)) for name, regions in _policy_domains(policy).items())
    merged = _MERGED.get(declared)
    if merged is None:
        out: dict[str, set[str]] = {}
        for d in BUILTIN:
            out.setdefault(d.name, set()).update(d.regions)
        for name, regions in declared:
            out.setdefault(name, set()).update(regions)
        merged = {name: frozenset(regions) for name, regions in sorted(out.items())}
        if len(_MERGED) < 64:  # a few policies per process; past that, merged afresh
            _MERGED[declared] = merged
    return dict(merged)  # the caller's own dict (frozensets are shared: immutable)


#: :func:`domains` per policy's declared domains (the analysis asks ~10^4 times per scan)
_MERGED: dict[tuple[tuple[str, tuple[str, ...]], ...], dict[str, frozenset[str]]] = {}
_MERGED_FROM: tuple[FailureDomain, ...] | None = None  # the BUILTIN those were merged from


def domains_of(region: str, policy: Any = None) -> list[str]:
    """Names of the domains ``region`` belongs to, sorted."""
    return [name for name, regions in domains(policy).items() if region in regions]


def correlated(a: str, b: str, policy: Any = None) -> str | None:
    """The name of a failure domain holding both regions (first by name), or ``None``.

    The same region twice is not "correlated": it is co-located, which other rules report."""
    if not a or not b or a == b:
        return None
    for name, regions in domains(policy).items():
        if a in regions and b in regions:
            return name
    return None


def describe(name: str, policy: Any = None, regions: Iterable[str] = ()) -> str:
    """Why a domain exists: the built-in reasons, and that the policy declared (or extended) it. ``regions``:
    the regions the finding is about; the reason given is that of the built-in entries holding them (a GCP
    finding gets the GCP entry's, not another provider's facilities), else of every entry of the name."""
    builtin = [d for d in BUILTIN if d.name == name]
    named = set(regions)
    builtin = [d for d in builtin if d.regions & named] or builtin
    reasons = [f"{builtin[0].reason} (built in for {', '.join(dict.fromkeys(d.provider for d in builtin))})"] \
        if builtin else []
    if name in _policy_domains(policy):
        reasons.append(f"{'extended' if reasons else 'declared'} in the policy (failure_domains.{name})")
    return "; ".join(reasons) if reasons else name
