"""Entry points: a public DNS name should move its traffic out of a lost region by itself.

Route 53 answers queries and evaluates health checks on its data plane, which is designed for
100% availability; changing records is a control-plane call served from us-east-1. Failover that
needs a person to edit a record during an outage is not failover.
"""

from __future__ import annotations

from collections.abc import Iterator

from resilience.model import DNS_ZONE
from resilience.rule import Result, Rule, RuleContext
from resilience.survival import (
    Scenario,
    dns_outcome,
    dns_targets,
    is_public_record,
    is_stub,
    out_edges,
    real_region,
    record_groups,
    record_health_checked,
)

from ._common import SOC2_A1_2, WA_REL10_BP01, WA_REL11_BP02, WA_REL11_BP04, name, verdict


def _dns_failover(ctx: RuleContext) -> Iterator[Result]:
    """Every public DNS name (records grouped by name and type; private-zone records and records
    that route nowhere known are skipped) with what it routes or fails over to, through alias
    chains. For each region it reaches, that region is failed and the name's own routing is
    replayed on the graph (targets count as up unless in the failed region): a failover pair
    fails over only if its primary is health-checked (a health check, or evaluate-target-health on
    an alias); latency/weighted/geolocation/multivalue records withdraw a dead member only if it
    is health-checked. A disabled record or route (a disabled Traffic Manager endpoint) or a disabled
    front door (a CloudFront distribution or Global Accelerator with ``enabled: false``) takes no
    traffic and is no failover target. ``pass``: the name keeps answering with a live target whichever region is
    lost (or routes only to global services that are enabled). ``fail``: it routes to one region, only to
    disabled targets, or a region's loss leaves it answering with dead targets. ``unknown``: Route 53 could not be fully read, or
    (Azure names) an Azure DNS zone's record sets could not be read; such a zone is itself reported
    ``unknown``: its names are unseen."""
    groups = record_groups(ctx.graph)
    route53_gaps = [f"{c.provider} {c.service} in {c.region} could not be read ({c.status})"
                    for c in ctx.gaps(services=("route53",)) if not c.service.endswith(":tags")]
    # Azure DNS: a zone whose record sets could not be read hides its names (and any alias chain
    # through them): the Azure names' verdicts are uncertain, and the zone itself is reported unknown
    azure_gap_records = [(f"{c.provider} {c.service} in {c.region} could not be read ({c.status})", c)
                         for c in ctx.gaps(services=("dns:recordsets",), provider="azure")]
    azure_gaps = [text for text, _ in azure_gap_records]
    yield from _unread_zones(ctx, azure_gaps)
    for (dns_name, record_type, _zone), members in sorted(groups.items()):
        members = [m for m in members if not is_stub(ctx.graph._node[m]) and is_public_record(ctx.graph, m)]
        if not members or not any(
            True for m in members for k in ("routes_to", "fails_over_to") for _ in out_edges(ctx.graph, m, k)
        ):
            continue
        gaps = route53_gaps + [text for text, c in azure_gap_records
                               if any(ctx.graph._node[m].get("provider") == "azure"
                                      and c.applies_to(str((ctx.graph._node[m].get("attrs") or {}).get("zone_id")
                                                           or m)) for m in members)]
        targets = dns_targets(ctx.graph, members)
        regions = sorted({ctx.graph._node[t].get("region") for t in targets
                          if real_region(ctx.graph._node[t].get("region"))})
        # reached only through a disabled record or route (a disabled Traffic Manager endpoint): no failover
        disabled = [t for t in dns_targets(ctx.graph, members, live=False) if t not in targets]
        primary = _primary(ctx, members)
        primary_regions = sorted({ctx.graph._node[t].get("region") for t in dns_targets(ctx.graph, [primary], failover=False)
                                  if real_region(ctx.graph._node[t].get("region"))})
        region = (primary_regions or regions or ["global"])[0]
        observed = {
            "name": dns_name, "record_type": record_type, "records": members, "regions": regions,
            "targets": targets,
            "health_checked": {m: record_health_checked(ctx.graph, m) for m in members},
            "disabled_targets": disabled,
            "routing": sorted({str((ctx.graph._node[m].get("attrs") or {}).get("routing") or "simple")
                               for m in members}),
        }
        expected = {"regions": ">= 2", "failover": "health-checked failover (or health-checked latency/weighted "
                                                   "records) to another region"}
        label = dns_name or name(ctx, primary)
        if not targets and disabled:  # a disabled record, endpoint or front door serves nothing
            status, message = "fail", (f"{label} routes only to {_and_names(ctx, disabled)}, reached through a "
                                       "disabled record, route or front door: the name serves nothing")
        elif not regions:
            # DNS alone is judged here; what the global service routes to is the serving path's question
            status, message = "pass", (f"{label} routes to global services only ({len(targets)} target(s)): no "
                                       "region holds the name itself; whether what they route to survives a "
                                       "region's loss is RES-REGIONAL-001's verdict")
        elif len(regions) == 1:
            status, message = "fail", f"{label} routes to {regions[0]} only: losing it leaves the name unanswered"
        else:
            broken = []
            failovers = []
            for r in regions:
                outcome = dns_outcome(ctx.graph, members, Scenario.regions(r))
                if outcome.ok:
                    failovers += outcome.failovers
                else:
                    broken.append((r, outcome))
            observed["failovers"] = [{"from": a, "to": b, "mechanism": m} for a, b, m in failovers]
            if not broken:
                status = "pass"
                message = f"{label} fails over between {', '.join(regions)} on health checks"
            else:
                r, outcome = broken[0]
                status = "fail"
                message = (f"{label} reaches {', '.join(regions)} but losing {r} leaves it answering with "
                           f"{name(ctx, outcome.chain[-1])} ({outcome.cause or 'no health-checked failover'})")
                observed["broken"] = {lost: o.chain for lost, o in broken}
        if disabled and targets and status == "fail":
            message += (f"; {_and_names(ctx, disabled)} is reached only through a disabled endpoint or route, "
                        "which takes no traffic")
        if gaps:  # unseen records or health checks could turn either verdict
            observed["unknown"] = gaps
            status = verdict(status == "pass", gaps)
            message += f" — uncertain: {gaps[0]}"
        yield ctx.result(primary, status, message, observed=observed, expected=expected, region=region,
                         key=f"{dns_name}/{record_type}", extra={"chain": [primary, *targets[:1]]})


def _unread_zones(ctx: RuleContext, gaps: list[str]) -> Iterator[Result]:
    """``unknown`` for each public Azure DNS zone whose record sets could not be read
    (``records_read: false``): its names exist, but whether they fail over is unseen."""
    for node, data in ctx.graph.nodes(data=True):
        attrs = data.get("attrs") or {}
        if data.get("kind") != DNS_ZONE or attrs.get("records_read") is not False or attrs.get("private"):
            continue
        zone = attrs.get("dns_name") or data.get("name") or node
        reasons = gaps or [f"the record sets of {zone} could not be read"]
        yield ctx.result(node, "unknown", f"{zone}: its record sets could not be read, so whether its names "
                         f"fail over to another region is unknown — {reasons[0]}",
                         observed={"zone": zone, "records_read": False, "unknown": reasons},
                         expected={"failover": "health-checked failover to another region for every public name"},
                         region="global", key=f"{zone}/zone")


def _and_names(ctx: RuleContext, nodes: list[str]) -> str:
    named = [f"{name(ctx, n)} ({ctx.graph._node[n].get('region')})" for n in nodes[:3]]
    return ", ".join(named) + (f" and {len(nodes) - 3} more" if len(nodes) > 3 else "")


def _primary(ctx: RuleContext, members: list[str]) -> str:
    for m in members:
        if str((ctx.graph._node[m].get("attrs") or {}).get("failover_role", "")).upper() == "PRIMARY":
            return m
    return sorted(members)[0]


DNS_NO_FAILOVER = Rule(
    id="RES-DNS-001",
    title="Public DNS name has no health-checked failover to another region",
    category="dns-no-failover",
    severity="high",
    controls=("SOC2:A1.2", "ISO27001:2022:A.8.14", "NIST800-53:CP-7"),
    rationale=(
        "A second region only helps if clients are sent to it. Route 53 health checks and failover (or "
        "health-checked latency/weighted) routing move traffic on the data plane without anyone editing records; "
        f"{WA_REL11_BP02} (fail over to healthy resources), {WA_REL11_BP04} (rely on the data plane, not the control "
        f"plane: record changes are served from us-east-1), {WA_REL10_BP01}. A name routed to one region, or to "
        f"several without health checks, keeps answering with the dead region. Evidence for {SOC2_A1_2}."
    ),
    provider_remediation=(
        ("azure", (
            "Put a Traffic Manager profile (priority or performance routing) with endpoint monitoring over "
            "enabled endpoints in two regions, or Front Door with a health-probed origin group spanning two "
            "regions."
        )),
        ("gcp", (
            "Use a Cloud DNS failover (or weighted) routing policy with health-checked targets in two "
            "regions, or a global external Application Load Balancer with backends in two regions and health "
            "checks."
        )),
    ),
    remediation=(
        "Create failover records (PRIMARY with a health check or evaluate-target-health on the alias, SECONDARY in "
        "another region), or latency/weighted records in two regions each with a health check; consider Route 53 "
        "Application Recovery Controller routing controls for operator-initiated failover on the data plane."
    ),
    check=_dns_failover,
    requires=("route53", "dns:recordsets"),
    references=(
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-configuring.html",
        "https://docs.aws.amazon.com/wellarchitected/latest/reliability-pillar/rel_withstand_component_failures_avoid_control_plane.html",
        "https://docs.aws.amazon.com/wellarchitected/latest/reliability-pillar/rel_withstand_component_failures_failover2good.html",
        "AICPA Trust Services Criteria A1.2",
    ),
)

RULES = (DNS_NO_FAILOVER,)
