"""Azure regions: names, geography, region pairs, availability-zone support, failure domains.

Plain data, importable without the Azure SDK (``resilience.regions`` validates ``--region`` with it).

Sources: Microsoft's documented cross-region replication pairs ("Azure cross-region replication
pairing for all geographies") and the list of regions with availability zones, as of 2026. The live
``Subscriptions - List Locations`` answer (``metadata.pairedRegion``, ``availabilityZoneMappings``)
wins over this table during a scan; the table is the fallback and the offline reference.

``zones_available: False`` means the region offers no availability zones at all (UAE Central,
West US, ...): a resource there cannot be zone-redundant, so the rules must not report "no zones"
as a zonal weakness there, only the single-region exposure. ``pair: None`` means the region has no
paired region (the newer "no pair" regions such as Qatar Central or Israel Central): geo-redundant
storage (GRS/GZRS) is not offered there, and a second region must be chosen by the customer.
"""

from __future__ import annotations

from dataclasses import dataclass

from resilience.catalogues.shared import failure_domain_entries as shared_entries


@dataclass(frozen=True)
class AzureRegion:
    name: str  # programmatic name: uaenorth
    display: str  # UAE North
    geography: str
    location: str  # city / country of the datacentres
    pair: str | None
    zones_available: bool
    restricted: bool = False  # access on request only (UAE Central, Jio India, ...)


def _r(name, display, geography, location, pair, zones, restricted=False) -> tuple[str, AzureRegion]:
    return name, AzureRegion(name, display, geography, location, pair, zones, restricted)


AZURE_REGIONS: dict[str, AzureRegion] = dict([
    # Americas
    _r("eastus", "East US", "United States", "Virginia", "westus", True),
    _r("eastus2", "East US 2", "United States", "Virginia", "centralus", True),
    _r("centralus", "Central US", "United States", "Iowa", "eastus2", True),
    _r("northcentralus", "North Central US", "United States", "Illinois", "southcentralus", False),
    _r("southcentralus", "South Central US", "United States", "Texas", "northcentralus", True),
    _r("westcentralus", "West Central US", "United States", "Wyoming", "westus2", False),
    _r("westus", "West US", "United States", "California", "eastus", False),
    _r("westus2", "West US 2", "United States", "Washington", "westcentralus", True),
    _r("westus3", "West US 3", "United States", "Arizona", "eastus", True),
    _r("canadacentral", "Canada Central", "Canada", "Toronto", "canadaeast", True),
    _r("canadaeast", "Canada East", "Canada", "Quebec City", "canadacentral", False),
    _r("brazilsouth", "Brazil South", "Brazil", "Sao Paulo State", "southcentralus", True),
    _r("brazilsoutheast", "Brazil Southeast", "Brazil", "Rio de Janeiro", "brazilsouth", False, True),
    _r("mexicocentral", "Mexico Central", "Mexico", "Queretaro State", None, True),
    _r("chilecentral", "Chile Central", "Chile", "Santiago", None, True),
    # Europe
    _r("northeurope", "North Europe", "Europe", "Ireland", "westeurope", True),
    _r("westeurope", "West Europe", "Europe", "Netherlands", "northeurope", True),
    _r("uksouth", "UK South", "United Kingdom", "London", "ukwest", True),
    _r("ukwest", "UK West", "United Kingdom", "Cardiff", "uksouth", False),
    _r("francecentral", "France Central", "France", "Paris", "francesouth", True),
    _r("francesouth", "France South", "France", "Marseille", "francecentral", False, True),
    _r("germanywestcentral", "Germany West Central", "Germany", "Frankfurt", "germanynorth", True),
    _r("germanynorth", "Germany North", "Germany", "Berlin", "germanywestcentral", False, True),
    _r("switzerlandnorth", "Switzerland North", "Switzerland", "Zurich", "switzerlandwest", True),
    _r("switzerlandwest", "Switzerland West", "Switzerland", "Geneva", "switzerlandnorth", False, True),
    _r("norwayeast", "Norway East", "Norway", "Oslo", "norwaywest", True),
    _r("norwaywest", "Norway West", "Norway", "Stavanger", "norwayeast", False, True),
    _r("swedencentral", "Sweden Central", "Sweden", "Gavle", "swedensouth", True),
    _r("swedensouth", "Sweden South", "Sweden", "Staffanstorp", "swedencentral", False, True),
    _r("polandcentral", "Poland Central", "Poland", "Warsaw", None, True),
    _r("italynorth", "Italy North", "Italy", "Milan", None, True),
    _r("spaincentral", "Spain Central", "Spain", "Madrid", None, True),
    _r("austriaeast", "Austria East", "Austria", "Vienna", None, True),
    _r("belgiumcentral", "Belgium Central", "Belgium", "Brussels", None, True),
    _r("denmarkeast", "Denmark East", "Denmark", "Copenhagen", None, True),
    # Middle East and Africa
    _r("uaenorth", "UAE North", "UAE", "Dubai", "uaecentral", True),
    _r("uaecentral", "UAE Central", "UAE", "Abu Dhabi", "uaenorth", False, True),
    _r("qatarcentral", "Qatar Central", "Qatar", "Doha", None, True),
    _r("israelcentral", "Israel Central", "Israel", "Israel", None, True),
    _r("southafricanorth", "South Africa North", "South Africa", "Johannesburg", "southafricawest", True),
    _r("southafricawest", "South Africa West", "South Africa", "Cape Town", "southafricanorth", False, True),
    # Asia Pacific
    _r("eastasia", "East Asia", "Asia Pacific", "Hong Kong", "southeastasia", True),
    _r("southeastasia", "Southeast Asia", "Asia Pacific", "Singapore", "eastasia", True),
    _r("japaneast", "Japan East", "Japan", "Tokyo, Saitama", "japanwest", True),
    _r("japanwest", "Japan West", "Japan", "Osaka", "japaneast", True),
    _r("koreacentral", "Korea Central", "Korea", "Seoul", "koreasouth", True),
    _r("koreasouth", "Korea South", "Korea", "Busan", "koreacentral", False),
    _r("centralindia", "Central India", "India", "Pune", "southindia", True),
    _r("southindia", "South India", "India", "Chennai", "centralindia", False),
    _r("westindia", "West India", "India", "Mumbai", "southindia", False),
    _r("jioindiawest", "Jio India West", "India", "Jamnagar", "jioindiacentral", False, True),
    _r("jioindiacentral", "Jio India Central", "India", "Nagpur", "jioindiawest", False, True),
    _r("australiaeast", "Australia East", "Australia", "New South Wales", "australiasoutheast", True),
    _r("australiasoutheast", "Australia Southeast", "Australia", "Victoria", "australiaeast", False),
    _r("australiacentral", "Australia Central", "Australia", "Canberra", "australiacentral2", False, True),
    _r("australiacentral2", "Australia Central 2", "Australia", "Canberra", "australiacentral", False, True),
    _r("newzealandnorth", "New Zealand North", "New Zealand", "Auckland", None, True),
    _r("indonesiacentral", "Indonesia Central", "Indonesia", "Jakarta", None, True),
    _r("malaysiawest", "Malaysia West", "Malaysia", "Kuala Lumpur", None, True),
])

#: Regions that fail together, by the rules of ``resilience/failure_domains.py``: a demonstrated
#: shared event (``gulf``: the March 2026 strikes and power loss hit the whole Gulf geography, for
#: every provider in it) or one country with several regions (one grid operator, one regulator, one
#: set of national emergency powers). The United States is deliberately not grouped (a continent on
#: three grid interconnections), as for AWS. Domain names are shared with the AWS and GCP tables.
FAILURE_DOMAINS: dict[str, tuple[str, ...]] = {
    "gulf": ("uaenorth", "uaecentral", "qatarcentral"),  # Israel Central: a neighbour, left to the policy
    "uae": ("uaenorth", "uaecentral"),
    "japan": ("japaneast", "japanwest"),
    "india": ("centralindia", "southindia", "westindia", "jioindiawest", "jioindiacentral"),
    "australia": ("australiaeast", "australiasoutheast", "australiacentral", "australiacentral2"),
    "canada": ("canadacentral", "canadaeast"),
    "korea": ("koreacentral", "koreasouth"),
    "uk": ("uksouth", "ukwest"),
    "france": ("francecentral", "francesouth"),
    "germany": ("germanywestcentral", "germanynorth"),
    "switzerland": ("switzerlandnorth", "switzerlandwest"),
    "norway": ("norwayeast", "norwaywest"),
    "sweden": ("swedencentral", "swedensouth"),
    "south-africa": ("southafricanorth", "southafricawest"),
    "brazil": ("brazilsouth", "brazilsoutheast"),
}
GULF_REASON = ("March 2026: strikes and power loss took out cloud facilities in the UAE and Bahrain at the same "
               "time; Dubai, Abu Dhabi and Doha share that regional conflict and neighbouring power and "
               "telecom systems: a geography fails for every provider in it")


def failure_domain_entries() -> list[dict]:
    """The table as :class:`resilience.failure_domains.FailureDomain` keyword arguments."""
    return shared_entries("azure", FAILURE_DOMAINS, gulf_reason=GULF_REASON,
                          country_of=lambda r: AZURE_REGIONS[r].geography, place_of=lambda r: r,
                          source="https://learn.microsoft.com/azure/reliability/cross-region-replication-azure")


def normalise_location(value: str | None) -> str:
    """``UAE North`` / ``uaenorth`` / ``UAENorth`` -> ``uaenorth``; empty -> ``global``."""
    if not value:
        return "global"
    name = value.replace(" ", "").lower()
    if name in AZURE_REGIONS or name == "global":
        return name
    for region in AZURE_REGIONS.values():
        if region.display.replace(" ", "").lower() == name:
            return region.name
    return name


def paired_region(name: str) -> str | None:
    region = AZURE_REGIONS.get(name)
    return region.pair if region else None


def zones_available(name: str) -> bool | None:
    """``True``/``False`` for known regions, ``None`` when the region is not in the table."""
    region = AZURE_REGIONS.get(name)
    return region.zones_available if region else None


def failure_domains_of(name: str) -> tuple[str, ...]:
    return tuple(sorted(d for d, members in FAILURE_DOMAINS.items() if name in members))


def region_table() -> list[dict]:
    """The table as rows (for docs, reports and rules that want the static facts)."""
    return [
        {"provider": "azure", "region": r.name, "display": r.display, "geography": r.geography,
         "location": r.location, "pair": r.pair, "zones_available": r.zones_available,
         "restricted": r.restricted, "failure_domains": list(failure_domains_of(r.name))}
        for r in AZURE_REGIONS.values()
    ]
