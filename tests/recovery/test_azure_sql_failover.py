"""Azure SQL geo-failover is priced as Azure runs it (a blind estate found it priced as an RDS replica
promotion: 10 minutes for a Manual failover group, and for an Automatic one whose grace period is an hour).

The demo subscription's ``payments`` database is in a failover group (Automatic, 60-minute grace period)
from UAE North to West Europe; ``wallet`` declares a region objective."""

from __future__ import annotations

import pytest

from resilience import recovery
from resilience.collectors.azure.demo import demo_inventory
from resilience.demo import DEMO_CLOCK
from resilience.graph import build_graph
from resilience.model import FAILS_OVER_TO
from resilience.policy import parse_policy

POLICY = "version: 1\nworkloads:\n  wallet:\n    match: {tags: {app: wallet}}\n    objectives:\n      region: {%s}\n"


@pytest.fixture(scope="module")
def inventory():
    return demo_inventory(DEMO_CLOCK.isoformat())


def _payments_step(inventory, objective: str, *, automatic: bool = True, grace: int | None = 60):
    policy = parse_policy(POLICY % objective, "<test>")
    graph = build_graph(inventory, policy)
    [(db, partner)] = [(a, b) for a, b, k in graph.edges(keys=True) if k == FAILS_OVER_TO
                       and "/databases/payments" in a]
    graph.edges[db, partner, FAILS_OVER_TO]["attrs"].update(automatic=automatic, grace_period_minutes=grace)
    estimate = recovery.estimate_for_scenario(graph, "wallet", recovery.make_scenario(regions=["uaenorth"]),
                                              policy=policy, coverage=inventory.coverage, as_of=DEMO_CLOCK)
    [step] = [s for s in estimate.steps if s.resource == db]
    return step


def test_an_automatic_group_waits_its_grace_period_unless_someone_forces_the_failover_first(inventory):
    step = _payments_step(inventory, "rto: 1h, rpo: 15m")
    assert (step.model_key, step.rto, step.rpo) == ("azure-sql-customer-failover", 31 * 60, 5)
    assert "a person forcing failover after the 30m decision time is assumed: 30m to decide + 1m failover" \
        in step.reasoning and "= 31m" in step.reasoning
    assert "automatic failover (Microsoft managed) after the 1h grace period: 1h + 1m listener switch = 1h1m" \
        in step.reasoning


def test_an_eight_hour_grace_period_is_stated_beside_the_forced_failover(inventory):
    """Blind test azure8: Automatic with 480 minutes of grace was evidenced as '30m to decide + 1m', like Manual."""
    step = _payments_step(inventory, "rto: 2h, rpo: 15m", grace=480)
    assert (step.model_key, step.rto) == ("azure-sql-customer-failover", 31 * 60)
    assert "automatic failover (Microsoft managed) after the 8h grace period" in step.reasoning
    assert "a person forcing failover after the 30m decision time is assumed" in step.reasoning
    assert "a person must start it" not in step.reasoning


def test_the_microsoft_managed_failover_counts_when_it_comes_first(inventory):
    step = _payments_step(inventory, "rto: 1h, rpo: 15m", grace=1)  # below the service minimum: as recorded
    assert (step.model_key, step.rto) == ("azure-sql-failover-group-automatic", 2 * 60)


def test_a_manual_group_waits_for_a_decision_and_misses_a_15_minute_objective(inventory):
    step = _payments_step(inventory, "rto: 15m, rpo: 15m", automatic=False, grace=None)
    # nothing meets both: the forced failover (31m, 5 s) stands; the restore's 30m is the fixed part of a
    # restore of unknown size (a lower bound), which never beats a known time
    assert (step.model_key, step.rto, step.rpo) == ("azure-sql-customer-failover", 31 * 60, 5)
    assert "failover is manual (customer-managed, the failover group's policy is Manual): a person must start it" \
        in step.reasoning and "grace period" not in step.reasoning
    [restore] = [a for a in step.alternatives if a.startswith("restore-cross-region-copy")]
    assert "RTO 30m, RPO 1d" in restore and "a lower bound" in restore


@pytest.mark.parametrize("objective", ["rto: 1h, rpo: 15m", "rto: 1h", "rto: 30m, rpo: 5m"])
def test_a_restore_of_unknown_size_never_beats_a_known_failover(inventory, objective):
    """Blind test azure6 #6: an Automatic group with a 1-hour grace period against an RTO of 30m. The restore's
    30m fixed part (size unknown) was chosen over the failover group: a false RTO pass, and with it the
    restore's assumed day of data loss, a false RPO fail. One mechanism is chosen, with its own RTO and RPO."""
    step = _payments_step(inventory, objective)
    assert (step.model_key, step.rto, step.rpo) == ("azure-sql-customer-failover", 31 * 60, 5)
    assert "chosen over" not in step.reasoning
    assert any(a.startswith("restore-cross-region-copy: RTO 30m, RPO 1d") for a in step.alternatives)


def test_runbook_steps_for_azure_never_carry_an_aws_call(inventory):
    """The runbook read the model key alone: an Azure database's restore became an AWS Backup restore job and
    its replica an rds:PromoteReadReplica."""
    from resilience.runbook_actions import data_actions

    graph = build_graph(inventory, parse_policy(POLICY % "rto: 1h, rpo: 15m", "<test>"))
    [(db, partner)] = [(a, b) for a, b, k in graph.edges(keys=True) if k == FAILS_OVER_TO
                       and "/databases/payments" in a]
    for key in ("rds-read-replica-promotion", "restore-cross-region-copy", "azure-sql-customer-failover",
                "azure-sql-failover-group-automatic"):
        step = {"model_key": key, "resource": db, "to": partner, "rto": 1860, "reasoning": "r", "mechanism": "m"}
        [action] = data_actions(graph, step, {"uaenorth"})
        assert action.call is None, key
        if key.startswith("azure-sql"):
            assert action.command.startswith("az sql failover-group set-primary")
    [automatic] = data_actions(graph, {"model_key": "azure-sql-failover-group-automatic", "resource": db,
                                       "to": partner, "rto": 3660, "reasoning": "r", "mechanism": "m"}, {"uaenorth"})
    assert automatic.automatic and automatic.action.startswith("verify the failover group moved")
