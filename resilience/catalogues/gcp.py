"""Google Cloud locations: regions (with their zones), multi-regions, dual-regions, failure domains.

Plain data, importable without the Google SDK (``resilience.regions`` validates ``--region`` with it).
Every GCP region has three or more zones (``zones_available`` is always true); zone names
(``me-central1-a``) are stable identities, there is no per-project logical mapping as on AWS/Azure.
Source: the Google Cloud "Regions and zones" and Cloud Storage "Bucket locations" pages, as of 2026.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from resilience.catalogues.shared import failure_domain_entries as shared_entries


@dataclass(frozen=True)
class GcpRegion:
    name: str
    location: str
    country: str
    zones: tuple[str, ...]  # zone suffixes: ("a", "b", "c")
    zones_available: bool = True


def _r(name: str, location: str, country: str, zones: str = "abc") -> tuple[str, GcpRegion]:
    return name, GcpRegion(name, location, country, tuple(zones))


GCP_REGIONS: dict[str, GcpRegion] = dict([
    _r("africa-south1", "Johannesburg", "South Africa"),
    _r("asia-east1", "Changhua County", "Taiwan"),
    _r("asia-east2", "Hong Kong", "Hong Kong"),
    _r("asia-northeast1", "Tokyo", "Japan"),
    _r("asia-northeast2", "Osaka", "Japan"),
    _r("asia-northeast3", "Seoul", "South Korea"),
    _r("asia-south1", "Mumbai", "India"),
    _r("asia-south2", "Delhi", "India"),
    _r("asia-southeast1", "Jurong West", "Singapore"),
    _r("asia-southeast2", "Jakarta", "Indonesia"),
    _r("asia-southeast3", "Bangkok", "Thailand"),
    _r("australia-southeast1", "Sydney", "Australia"),
    _r("australia-southeast2", "Melbourne", "Australia"),
    _r("europe-central2", "Warsaw", "Poland"),
    _r("europe-north1", "Hamina", "Finland"),
    _r("europe-north2", "Stockholm", "Sweden"),
    _r("europe-southwest1", "Madrid", "Spain"),
    _r("europe-west1", "St. Ghislain", "Belgium", "bcd"),
    _r("europe-west2", "London", "United Kingdom"),
    _r("europe-west3", "Frankfurt", "Germany"),
    _r("europe-west4", "Eemshaven", "Netherlands"),
    _r("europe-west6", "Zurich", "Switzerland"),
    _r("europe-west8", "Milan", "Italy"),
    _r("europe-west9", "Paris", "France"),
    _r("europe-west10", "Berlin", "Germany"),
    _r("europe-west12", "Turin", "Italy"),
    _r("me-central1", "Doha", "Qatar"),
    _r("me-central2", "Dammam", "Saudi Arabia"),
    _r("me-west1", "Tel Aviv", "Israel"),
    _r("northamerica-northeast1", "Montreal", "Canada"),
    _r("northamerica-northeast2", "Toronto", "Canada"),
    _r("northamerica-south1", "Queretaro", "Mexico"),
    _r("southamerica-east1", "Osasco", "Brazil"),
    _r("southamerica-west1", "Santiago", "Chile"),
    _r("us-central1", "Council Bluffs", "United States", "abcf"),
    _r("us-east1", "Moncks Corner", "United States", "bcd"),
    _r("us-east4", "Ashburn", "United States"),
    _r("us-east5", "Columbus", "United States"),
    _r("us-south1", "Dallas", "United States"),
    _r("us-west1", "The Dalles", "United States"),
    _r("us-west2", "Los Angeles", "United States"),
    _r("us-west3", "Salt Lake City", "United States"),
    _r("us-west4", "Las Vegas", "United States"),
])

#: Cloud Storage multi-regions: data in two or more regions of the area, >= 160 km apart.
MULTI_REGIONS: dict[str, str] = {"us": "United States", "eu": "European Union", "asia": "Asia"}

#: Predefined Cloud Storage dual-regions -> their two regions (custom dual-regions name theirs in
#: ``customPlacementConfig.dataLocations``).
DUAL_REGIONS: dict[str, tuple[str, str]] = {
    "asia1": ("asia-northeast1", "asia-northeast2"),
    "eur4": ("europe-north1", "europe-west4"),
    "eur5": ("europe-west1", "europe-west2"),
    "eur7": ("europe-west2", "europe-west3"),
    "eur8": ("europe-west3", "europe-west6"),
    "nam4": ("us-central1", "us-east1"),
}

#: Regions that fail together, by the rules of ``resilience/failure_domains.py`` (a shared event, or
#: one country with several regions; the United States deliberately not grouped). Domain names are
#: shared with the AWS and Azure tables, so ``gulf`` groups Doha and Dammam with the AWS and Azure
#: regions of the Gulf. Tel Aviv (me-west1) is a neighbour, not a Gulf region: like AWS il-central-1
#: it is left to the policy (see resilience/failure_domains.py, "Neighbouring countries").
FAILURE_DOMAINS: dict[str, tuple[str, ...]] = {
    "gulf": ("me-central1", "me-central2"),
    "japan": ("asia-northeast1", "asia-northeast2"),
    "india": ("asia-south1", "asia-south2"),
    "australia": ("australia-southeast1", "australia-southeast2"),
    "canada": ("northamerica-northeast1", "northamerica-northeast2"),
    "germany": ("europe-west3", "europe-west10"),
    "italy": ("europe-west8", "europe-west12"),
}
GULF_REASON = ("March 2026: strikes and power loss took out cloud facilities in the UAE and Bahrain at the same "
               "time; Doha and Dammam share that regional conflict and neighbouring power and telecom "
               "systems: a geography fails for every provider in it")


def failure_domain_entries() -> list[dict]:
    """The table as :class:`resilience.failure_domains.FailureDomain` keyword arguments."""
    return shared_entries("gcp", FAILURE_DOMAINS, gulf_reason=GULF_REASON,
                          country_of=lambda r: GCP_REGIONS[r].country,
                          place_of=lambda r: f"{GCP_REGIONS[r].location} ({r})",
                          source="https://cloud.google.com/about/locations")


_ZONE_RE = re.compile(r"^([a-z]+-[a-z]+\d+)-([a-z])$")


def region_of_location(location: str | None) -> str:
    """``me-central1-a`` -> ``me-central1``; ``ME-CENTRAL1`` -> ``me-central1``; ``EU`` -> ``eu``;
    empty or ``global`` -> ``global``. Zones map to their region, other names are lower-cased."""
    if not location:
        return "global"
    name = location.strip().lower().rsplit("/", 1)[-1]
    match = _ZONE_RE.match(name)
    if match:
        return match.group(1)
    return name


def is_zone(location: str | None) -> bool:
    return bool(location) and _ZONE_RE.match(location.strip().lower().rsplit("/", 1)[-1]) is not None


def location_type(location: str | None) -> str:
    """``global`` / ``multi-region`` / ``dual-region`` / ``region`` / ``zone`` / ``unknown``."""
    if not location or location.lower() == "global":
        return "global"
    name = location.strip().lower()
    if is_zone(name):
        return "zone"
    if name in MULTI_REGIONS:
        return "multi-region"
    if name in DUAL_REGIONS:
        return "dual-region"
    if name in GCP_REGIONS:
        return "region"
    return "unknown"


def zones_available(name: str) -> bool | None:
    region = GCP_REGIONS.get(name)
    return region.zones_available if region else None


def failure_domains_of(name: str) -> tuple[str, ...]:
    return tuple(sorted(d for d, members in FAILURE_DOMAINS.items() if name in members))


def region_table() -> list[dict]:
    return [
        {"provider": "gcp", "region": r.name, "location": r.location, "country": r.country,
         "zones": [f"{r.name}-{z}" for z in r.zones], "zones_available": r.zones_available,
         "failure_domains": list(failure_domains_of(r.name))}
        for r in GCP_REGIONS.values()
    ]
