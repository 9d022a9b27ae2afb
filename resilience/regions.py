"""Region names the tool knows, per provider, for validating user input."""

from __future__ import annotations

from functools import cache

import botocore.loaders
import botocore.regions


@cache
def aws_regions() -> frozenset[str]:
    """Every region botocore's endpoint data knows, in every partition (no profile or credentials read)."""
    resolver = botocore.regions.EndpointResolver(botocore.loaders.create_loader().load_data("endpoints"))
    names: set[str] = set()
    for partition in resolver.get_available_partitions():
        names.update(resolver.get_available_endpoints("ec2", partition))
    return frozenset(names)


def known_regions(provider: str) -> frozenset[str]:
    if provider == "aws":
        return aws_regions()
    # Azure and GCP region tables live with their collectors (plain data, no SDK import).
    if provider == "azure":
        from resilience.collectors.azure.regions import AZURE_REGIONS

        return frozenset(AZURE_REGIONS)
    if provider == "gcp":
        from resilience.collectors.gcp.regions import GCP_REGIONS

        return frozenset(GCP_REGIONS)
    return frozenset()


def validate_regions(regions: list[str] | tuple[str, ...], providers: tuple[str, ...] = ("aws",)) -> None:
    from .errors import InputError

    known: set[str] = set()
    for provider in providers:
        try:
            known |= known_regions(provider)
        except ImportError:
            continue
    for region in regions:
        if region not in known:
            raise InputError(f"unknown region '{region}' for provider {', '.join(providers)}")
