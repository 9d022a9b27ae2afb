"""Constants and small lookups shared by the multi-cloud tests."""

from __future__ import annotations

from resilience.collectors.azure.demo import DEMO_SUBSCRIPTION
from resilience.collectors.gcp.demo import DEMO_PROJECT

OBSERVED = "2026-09-01T06:00:00+00:00"
SUB = DEMO_SUBSCRIPTION
PROJECT = DEMO_PROJECT
ARG_PATH = "/providers/Microsoft.ResourceGraph/resources"
ASSETS_PATH = f"/v1/projects/{PROJECT}/assets"


def by_name(inventory, suffix):
    matches = [r for r in inventory.resources if r.id.endswith(suffix)]
    assert len(matches) == 1, f"{suffix}: {[r.id for r in matches]}"
    return matches[0]


def coverage(inventory, service, account=None):
    found = [c for c in inventory.coverage if c.service == service and (account is None or c.account == account)]
    assert found, f"no coverage record for {service}"
    return found[0]


def edges(inventory, kind, src_suffix=None, dst_suffix=None):
    return [e for e in inventory.edges if e.kind == kind
            and (src_suffix is None or e.src.endswith(src_suffix))
            and (dst_suffix is None or e.dst.endswith(dst_suffix))]


def region_loss_step(transformer, workload, resource, region):
    """The recovery step that prices ``resource`` when ``region`` is lost, for a one-workload estate (the
    transformer's nodes tagged ``app: <workload>``)."""
    from resilience import recovery
    from resilience.graph import build_graph
    from resilience.model import Inventory
    from resilience.policy import parse_policy
    from resilience.survival import Scenario

    policy = parse_policy(f"version: 1\nworkloads:\n  {workload}: {{match: {{tags: {{app: {workload}}}}}}}\n", "<test>")
    graph = build_graph(Inventory(resources=transformer.resources, edges=transformer.edges), policy)
    est = recovery.estimate_for_scenario(graph, workload, Scenario(failed_regions=frozenset({region})), policy=policy)
    [step] = [s for s in est.steps if s.resource == resource]
    return step
