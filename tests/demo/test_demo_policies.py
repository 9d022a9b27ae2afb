"""The bundled demo policy and the example policy load, and the demo's dates mean what they say."""

from pathlib import Path

from resilience.rules import BY_ID

from resilience.controls import CATEGORIES
from resilience.demo import DEMO_CLOCK, demo_policy_text, load_demo_policy
from resilience.policy import load_policy

ROOT = Path(__file__).resolve().parents[2]
KNOWN = {"known_categories": frozenset(CATEGORIES), "known_rules": frozenset(BY_ID)}


def test_example_policy_loads():
    policy = load_policy(ROOT / "examples" / "resilience.yaml", **KNOWN)
    assert {"payments", "checkout", "reporting", "legacy-batch"} <= set(policy.workloads)
    assert policy.objectives_for("checkout")["region"].rto == 4 * 3600  # from its tier
    assert policy.objectives_for("legacy-batch") == {}


def test_demo_policy_file_loads_with_load_policy(tmp_path):
    path = tmp_path / "resilience.yaml"
    path.write_text(demo_policy_text())
    policy = load_policy(path, **KNOWN)
    assert set(policy.workloads) == {"payments", "checkout", "reconciliation", "mobile-api", "fx-rates", "ledger",
                                     "wallet", "storefront"}


def test_demo_policy_dates_are_relative_to_the_demo_clock():
    policy = load_demo_policy()
    today = DEMO_CLOCK.date()
    tests = {(t.workload, t.scenario): t for t in policy.failover_tests}

    # payments: both tests recent and passing, within its objectives
    for scenario in ("region", "az"):
        t = tests[("payments", scenario)]
        assert t.result == "pass"
        assert (today - t.date).days * 86400 <= policy.test_max_age_for("payments")
        assert t.measured_rto <= policy.objectives_for("payments")[scenario].rto
    # checkout: stale
    stale = tests[("checkout", "region")]
    assert (today - stale.date).days * 86400 > policy.test_max_age_for("checkout")
    assert policy.objectives_for("checkout")["region"].rto == 4 * 3600
    # mobile-api: failed, and over its objective
    failed = tests[("mobile-api", "region")]
    assert failed.result == "fail" and failed.measured_rto > policy.objectives_for("mobile-api")["region"].rto
    # fx-rates: objectives, no test; reconciliation: no objectives
    assert policy.objectives_for("fx-rates") and not any(t.workload == "fx-rates" for t in policy.failover_tests)
    assert policy.objectives_for("reconciliation") == {}
    # two active waivers (one accepting payments' single-account backups) and one expired
    expired = [w.expired_on(today) for w in policy.waivers]
    assert sorted(expired) == [False, False, True]
    assert policy.failure_domains["gulf"] == ("me-central-1", "me-south-1")
