"""The control mapping: complete, known controls, and the rules agree with it."""

from __future__ import annotations

from resilience.rules import REGISTRY

from resilience.controls import CATEGORIES, CONTROLS
from resilience.mappings import CATEGORY_CONTROLS, NOT_AUTOMATED, categories_for, controls_for

REQUIRED_CONTROLS = {
    "SOC2:A1.2", "SOC2:A1.3", "SOC2:CC7.5", "SOC2:CC9.1",
    "ISO27001:2022:A.5.29", "ISO27001:2022:A.5.30", "ISO27001:2022:A.8.13", "ISO27001:2022:A.8.14",
    "NIST800-53:CP-2", "NIST800-53:CP-4", "NIST800-53:CP-6", "NIST800-53:CP-7", "NIST800-53:CP-9",
    "NIST800-53:CP-10", "DORA:Art.11", "DORA:Art.12",
}


def test_every_category_is_mapped_to_known_controls():
    assert set(CATEGORY_CONTROLS) == set(CATEGORIES)
    for category, controls in CATEGORY_CONTROLS.items():
        assert controls, category
        assert len(set(controls)) == len(controls), category
        assert set(controls) <= set(CONTROLS), category


def test_every_framework_control_of_the_issue_is_reached():
    reached = {c for controls in CATEGORY_CONTROLS.values() for c in controls}
    assert reached >= REQUIRED_CONTROLS
    assert all(categories_for(c) for c in REQUIRED_CONTROLS)


def test_objectives_and_tests_map_to_a12_and_a13():
    for category in ("objective-missing", "rto-mismatch", "rpo-mismatch"):
        assert {"SOC2:A1.2", "ISO27001:2022:A.5.30", "NIST800-53:CP-2", "NIST800-53:CP-10",
                "DORA:Art.11"} <= set(controls_for(category))
    for category in ("failover-untested", "failover-test-stale", "failover-test-failed"):
        assert {"SOC2:A1.3", "NIST800-53:CP-4", "ISO27001:2022:A.5.30", "DORA:Art.11",
                "DORA:Art.12"} <= set(controls_for(category))


def test_every_registered_rule_agrees_with_the_mapping():
    disagreements = {rule.id: sorted(set(rule.controls) - set(controls_for(rule.category)))
                     for rule in REGISTRY if set(rule.controls) - set(controls_for(rule.category))}
    assert disagreements == {}, "rule controls outside resilience/mappings.py: " + repr(disagreements)


def test_the_honest_list_covers_every_control():
    assert set(NOT_AUTOMATED) == set(CONTROLS)
    assert all(len(text) > 40 for text in NOT_AUTOMATED.values())
