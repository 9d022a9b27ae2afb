"""Moved to :mod:`resilience.catalogues.gcp` (plain data that the analysis reads too).

Kept as a re-export while branches written against the old path are merged; import the catalogue.
"""

from resilience.catalogues.gcp import (  # noqa: F401
    DUAL_REGIONS,
    FAILURE_DOMAINS,
    GCP_REGIONS,
    GULF_REASON,
    MULTI_REGIONS,
    GcpRegion,
    failure_domain_entries,
    failure_domains_of,
    is_zone,
    location_type,
    region_of_location,
    region_table,
    zones_available,
)
