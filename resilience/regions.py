"""Region names the tool knows, per provider, for validating user input."""

from __future__ import annotations

from functools import cache

import botocore.loaders
import botocore.regions

from .catalogues import azure, gcp
from .errors import InputError


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
    if provider == "azure":
        return frozenset(azure.AZURE_REGIONS)
    if provider == "gcp":
        return frozenset(gcp.GCP_REGIONS)
    return frozenset()


def validate_regions(regions: list[str] | tuple[str, ...], providers: tuple[str, ...] = ("aws",)) -> None:
    known: set[str] = set()
    for provider in providers:
        try:
            known |= known_regions(provider)
        except ImportError:
            continue
    for region in regions:
        if region not in known:
            raise InputError(unknown_region_message(region, providers))


def unknown_region_message(region: str, providers: tuple[str, ...] | list[str]) -> str:
    """``unknown region 'me-centrl-1' for provider aws (did you mean 'me-central-1'?)``; a region of a provider
    not in the list says which provider it belongs to."""
    import difflib

    message = f"unknown region '{region}' for provider {', '.join(providers)}"
    tables: dict[str, frozenset[str]] = {}
    for provider in ("aws", "azure", "gcp"):
        try:
            tables[provider] = known_regions(provider)
        except ImportError:
            continue
    elsewhere = [p for p, names in tables.items() if region in names and p not in providers]
    if elsewhere:
        return f"{message} (it is {'a' if elsewhere[0] == 'gcp' else 'an'} {elsewhere[0]} region: " \
               f"add --provider {elsewhere[0]})"
    mine = sorted({name for p, names in tables.items() if p in providers for name in names})
    close = difflib.get_close_matches(region, mine, n=1, cutoff=0.75) or \
        difflib.get_close_matches(region, sorted({n for names in tables.values() for n in names}), n=1, cutoff=0.75)
    return f"{message} (did you mean '{close[0]}'?)" if close else message
