"""Moved to :mod:`resilience.catalogues.azure` (plain data that the analysis reads too).

Kept as a re-export while branches written against the old path are merged; import the catalogue.
"""

from resilience.catalogues.azure import (  # noqa: F401
    AZURE_REGIONS,
    FAILURE_DOMAINS,
    GULF_REASON,
    AzureRegion,
    failure_domain_entries,
    failure_domains_of,
    normalise_location,
    paired_region,
    region_table,
    zones_available,
)
