"""The rule registry: every rule the engine runs, listed explicitly (no discovery by import).

Add a family by importing its module here and adding its ``RULES`` tuple to ``REGISTRY``.
The registry validates itself at import: duplicate ids or malformed rules fail before any scan.
"""

from __future__ import annotations

from resilience.rule import Rule, validate_registry

from . import accounts, correlated, coverage, data, dns, objectives, regional, testing, vendors, zonal

REGISTRY: tuple[Rule, ...] = validate_registry(
    (
        *coverage.RULES,
        *objectives.RULES,
        *testing.RULES,
        *regional.RULES,
        *zonal.RULES,
        *data.RULES,
        *dns.RULES,
        *correlated.RULES,
        *vendors.RULES,
        *accounts.RULES,
    )
)

BY_ID: dict[str, Rule] = {rule.id: rule for rule in REGISTRY}


def get_rule(rule_id: str) -> Rule:
    try:
        return BY_ID[rule_id]
    except KeyError:
        raise KeyError(f"unknown rule '{rule_id}'") from None
