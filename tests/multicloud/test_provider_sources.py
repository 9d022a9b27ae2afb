"""Every recovery step cites the documentation of the provider its resource runs on: an Azure or Google
Cloud resource is never priced on an AWS document, and a Cloud DNS failover waits for the Compute Engine
health check's own interval and threshold (recovery model ``cloud-dns-failover``)."""

from __future__ import annotations

import pytest

from resilience import recovery
from resilience.collectors.azure import demo_inventory as azure_demo
from resilience.collectors.gcp import demo_inventory as gcp_demo
from resilience.graph import build_graph, workload_names
from resilience.model import Inventory
from resilience.policy import Policy
from resilience.recovery_model import load_table
from resilience.survival import Scenario

from .helpers import OBSERVED


@pytest.fixture(scope="module")
def graph():
    inventory = Inventory()
    inventory.extend(azure_demo(OBSERVED))
    inventory.extend(gcp_demo(OBSERVED))
    return build_graph(inventory, Policy())


def _region_loss_steps(graph):
    regions = sorted({d["region"] for _, d in graph.nodes(data=True) if d.get("region") not in (None, "global")})
    for workload in workload_names(graph):
        for region in regions:
            estimate = recovery.estimate_for_scenario(graph, workload, Scenario(failed_regions=frozenset({region})))
            yield from estimate.steps


def test_steps_about_azure_and_gcp_resources_cite_their_provider(graph):
    cited = {}
    for step in _region_loss_steps(graph):
        provider = graph.nodes[step.resource].get("provider")
        if provider in ("azure", "gcp"):
            cited.setdefault((provider, step.model_key), step.source)
    assert {"standby-compute-running", "compute-redeploy"} <= {key for _, key in cited}
    wrong = {key: source for key, source in cited.items() if "docs.aws.amazon.com" in source}
    assert not wrong, wrong
    entry = load_table()["standby-compute-running"]
    assert cited[("gcp", "standby-compute-running")] == entry.source_for("gcp") != entry.source


def test_a_cloud_dns_failover_waits_for_the_health_checks_own_interval(graph):
    steps = [s for s in _region_loss_steps(graph) if s.model_key == "cloud-dns-failover"]
    assert steps, "the GCP demo's health-checked failover record was not priced as a Cloud DNS failover"
    # the recorded health check probes every 10 s and fails after 3 (the entry's defaults are 5 s x 2)
    assert all("10s x 3 + TTL" in s.reasoning and "cloud.google.com/dns" in s.source for s in steps)


def test_a_provider_source_gives_way_to_a_policy_source():
    from dataclasses import replace

    entry = load_table()["compute-redeploy"]
    overridden = replace(entry, document="runbook RB-17", overridden=("rto", "source"))
    assert "runbook RB-17" in overridden.source_for("azure") and "learn.microsoft.com" not in overridden.source_for("azure")


def test_findings_about_azure_and_gcp_resources_give_that_providers_remediation(graph):
    import datetime as dt

    from resilience.rules import REGISTRY

    from resilience.scan import analyse

    inventory = Inventory()
    inventory.extend(azure_demo(OBSERVED))
    inventory.extend(gcp_demo(OBSERVED))
    findings = analyse(inventory, Policy(), scan_time=dt.datetime(2026, 9, 1, 6, tzinfo=dt.UTC)).findings
    rules = {r.id: r for r in REGISTRY}
    checked = set()
    for f in findings:
        rule = rules[f.rule]
        if f.status != "fail" or not rule.provider_remediation or f.resource not in graph:
            continue
        provider = graph.nodes[f.resource]["provider"]
        assert f.remediation == dict(rule.provider_remediation)[provider] != rule.remediation, (f.rule, f.resource)
        checked.add((f.rule, provider))
    assert {p for _, p in checked} == {"azure", "gcp"} and len(checked) >= 6, checked


def test_a_workload_on_several_providers_gets_the_rules_own_remediation():
    from resilience.rules import REGISTRY

    rule = next(r for r in REGISTRY if r.id == "RES-REGIONAL-001")
    assert rule.remediation_for(["aws", "gcp"]) == rule.remediation
    assert rule.remediation_for(["gcp", None]) == dict(rule.provider_remediation)["gcp"]
    assert rule.remediation_for(["aws"]) == rule.remediation


def test_a_rule_with_remediation_for_an_unknown_provider_is_refused():
    from dataclasses import replace

    from resilience.rules import REGISTRY

    with pytest.raises(ValueError, match="unknown provider"):
        replace(REGISTRY[0], provider_remediation=(("oracle", "use two regions"),))
