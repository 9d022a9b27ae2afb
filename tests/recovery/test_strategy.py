"""classify_strategy: one estate per DR strategy class, and the weakest data store decides."""

from __future__ import annotations

from resilience.policy import parse_policy
from resilience.recovery import STRATEGIES, classify_strategy

from .builders import AWAY, HOME, Estate, policy_with


def classify(e: Estate) -> tuple[str, list[str]]:
    return classify_strategy(e.graph(parse_policy(policy_with(), "t.yaml")), "shop")


def test_single_region_is_none():
    e = Estate()
    e.web_tier()
    db = e.rds("shop-db")
    e.backup_plan([db], copy_to_region=None)
    strategy, reasons = classify(e)
    assert strategy == "none"
    assert reasons[0] == "home region me-central-1 (where its writable data lives)"
    assert any("shop-db: no copy outside me-central-1" in r for r in reasons)


def test_backup_copies_in_another_region_is_backup_and_restore():
    e = Estate()
    e.web_tier()
    db = e.rds("shop-db")
    e.backup_plan([db])
    strategy, reasons = classify(e)
    assert strategy == "backup-restore"
    assert any("backups copied to eu-central-1" in r for r in reasons)


def test_replica_without_compute_is_pilot_light():
    e = Estate()
    e.web_tier()
    e.rds_replica(e.rds("shop-db"))
    strategy, reasons = classify(e)
    assert strategy == "pilot-light"
    assert any("no compute in eu-central-1" in r for r in reasons)


def test_replica_with_idle_compute_is_pilot_light():
    e = Estate()
    e.web_tier()
    e.web_tier(AWAY, name="web-euc1", desired=0)
    e.rds_replica(e.rds("shop-db"))
    strategy, reasons = classify(e)
    assert strategy == "pilot-light" and any("scaled to zero" in r for r in reasons)


def test_running_compute_behind_failover_dns_is_warm_standby():
    e = Estate()
    home, away = e.web_tier(), e.web_tier(AWAY, name="web-euc1", desired=1)
    e.failover_dns("api.shop.example", home["lb"], away["lb"])
    e.rds_replica(e.rds("shop-db"))
    assert classify(e)[0] == "warm-standby"


def test_traffic_to_both_regions_with_live_data_is_active_active():
    e = Estate()
    home_table, away_table = e.global_table()
    fn_home = e.function("api-mec1", HOME, uses=home_table)
    fn_away = e.function("api-euc1", AWAY, uses=away_table)
    e.record("api.shop.example", fn_home, routing="latency", set_id="mec1", health_check="h1")
    e.record("api.shop.example", fn_away, routing="latency", set_id="euc1", health_check="h2")
    strategy, reasons = classify(e)
    assert strategy == "multi-site-active-active"
    assert any("latency routing" in r for r in reasons)


def test_compute_in_two_regions_with_data_in_one_is_none():
    """mobile-api in the demo: the second region's functions read a table pinned in the first."""
    e = Estate()
    table = e.table("sessions")
    e.function("api-uae", HOME, uses=table)
    e.function("api-bah", "me-south-1", uses=table)
    strategy, reasons = classify(e)
    assert strategy == "none"
    assert any("cannot take over" in r for r in reasons)


def test_one_unreplicated_store_downgrades_the_strategy():
    e = Estate()
    home, away = e.web_tier(), e.web_tier(AWAY, name="web-euc1")
    e.failover_dns("api.shop.example", home["lb"], away["lb"])
    e.rds_replica(e.rds("shop-db"))
    e.backup_plan([e.table("carts")])
    strategy, reasons = classify(e)
    assert strategy == "backup-restore"
    assert any("carts has no live replica" in r for r in reasons)


def test_every_class_has_a_label():
    assert set(STRATEGIES) == {"multi-site-active-active", "warm-standby", "pilot-light", "backup-restore", "none"}


def test_unknown_workload():
    assert classify_strategy(Estate().graph(), "nobody")[0] == "none"


def test_a_workload_with_no_data_store_claims_no_replicated_data():
    """Blind aws13: two functions (one per region) and nothing else read 'warm-standby: data replicated
    continuously to eu-west-1', though there was no data store to replicate."""
    e = Estate()
    e.function("runner")
    e.function("runner-dr", region=AWAY)
    strategy, reasons = classify(e)
    assert strategy == "warm-standby"
    assert not any("replicated" in r for r in reasons)
    assert any(r.startswith("no data store of its own") for r in reasons), reasons
