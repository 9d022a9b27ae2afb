"""Azure and GCP region tables: pairs, zone support, failure domains, CLI validation."""

from __future__ import annotations

import pytest

from resilience import failure_domains
from resilience.catalogues.azure import (
    AZURE_REGIONS,
    normalise_location,
    paired_region,
    zones_available,
)
from resilience.catalogues.gcp import DUAL_REGIONS, GCP_REGIONS
from resilience.errors import InputError
from resilience.regions import known_regions, validate_regions


def test_azure_pairs_point_at_known_regions():
    for region in AZURE_REGIONS.values():
        if region.pair:
            assert region.pair in AZURE_REGIONS, region.name
            partner = AZURE_REGIONS[region.pair]
            # pairs are mutual, except the documented one-way pairs
            one_way = ("westindia", "westus3", "brazilsouth", "brazilsoutheast")
            assert partner.pair == region.name or region.name in one_way, region.name


def test_gulf_regions_are_flagged_as_documented():
    assert paired_region("uaenorth") == "uaecentral"
    assert zones_available("uaecentral") is False  # UAE Central offers no availability zones
    assert zones_available("uaenorth") is True
    assert paired_region("qatarcentral") is None and zones_available("qatarcentral") is True
    assert paired_region("israelcentral") is None
    assert zones_available("nowhere") is None
    assert normalise_location("UAE North") == "uaenorth" and normalise_location(None) == "global"


def test_gcp_tables():
    assert GCP_REGIONS["me-central1"].location == "Doha"
    assert GCP_REGIONS["me-central2"].location == "Dammam"
    assert GCP_REGIONS["me-west1"].location == "Tel Aviv"
    assert all(r.zones_available and len(r.zones) >= 3 for r in GCP_REGIONS.values())
    assert all(a in GCP_REGIONS and b in GCP_REGIONS for a, b in DUAL_REGIONS.values())


@pytest.mark.parametrize(("a", "b", "domain"), [
    ("uaenorth", "uaecentral", "gulf"), ("uaenorth", "qatarcentral", "gulf"), ("me-central1", "me-central2", "gulf"),
    ("me-central-1", "me-central1", "gulf"),  # one geography for every provider
    ("japaneast", "japanwest", "japan"),
    ("israelcentral", "uaenorth", None), ("me-west1", "me-central1", None),  # neighbours: the policy's call
    ("uaenorth", "westeurope", None), ("me-central1", "europe-west3", None), ("eastus", "westus", None),
])
def test_failure_domains_cover_azure_and_gcp(a, b, domain):
    assert failure_domains.correlated(a, b) == domain


def test_builtin_domains_carry_provider_and_reason():
    azure = failure_domains.builtin_domains("azure")
    gcp = failure_domains.builtin_domains("gcp")
    assert {d.name for d in azure} >= {"gulf", "uae"} and {d.name for d in gcp} >= {"gulf"}
    assert all(d.reason and d.basis in ("shared-event", "same-country") for d in (*azure, *gcp))


def test_cli_region_validation_knows_azure_and_gcp():
    assert "uaecentral" in known_regions("azure") and "me-central2" in known_regions("gcp")
    validate_regions(("uaenorth", "me-central1"), ("azure", "gcp"))
    with pytest.raises(InputError):
        validate_regions(("me-central-1",), ("azure",))
