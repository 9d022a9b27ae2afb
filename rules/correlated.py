"""Correlated regions: a recovery site in the same failure domain as the site it recovers.

The failure domains are :mod:`resilience.failure_domains`' built-in table (the Gulf pair of the
March 2026 event; regions of one country) plus the policy's ``failure_domains``.
"""

from __future__ import annotations

from collections.abc import Iterator

from resilience.failure_domains import correlated, describe, domains
from resilience.recovery import domain_scenarios
from resilience.rule import Result, Rule, RuleContext
from resilience.survival import (
    Scenario,
    assess,
    backup_gap,
    backups_of,
    data_copies,
    describe_gap,
    dns_targets,
    is_public_record,
    is_stub,
    real_region,
    record_groups,
    regions_of,
    service_of,
    store_gap,
)

from ._common import (
    LOSS_OF_SERVICE_AND_DATA,
    SOC2_A1_2,
    WA_REL10_BP02,
    WA_REL13_BP02,
    data_stores,
    failed_reads,
    name,
    per_estate,
    result,
    scenario_result,
    verdict,
)


def _sites(ctx: RuleContext, node: str) -> list[dict]:
    """Where a data store's data also lives outside its region: live copies and backups (its
    global-table peers' backups included)."""
    own = ctx.graph._node[node].get("region")
    out: dict[str, dict] = {}
    copies = [c for c in data_copies(ctx.graph, node) if c.relation in ("replica", "peer")]
    owners = [node] + [c.id for c in copies if c.relation == "peer" and c.id in ctx.graph
                       and not is_stub(ctx.graph._node[c.id])]
    for c in copies + [b for o in owners for b in backups_of(ctx.graph, o)]:
        if real_region(c.region) and c.region != own:
            out.setdefault(c.id.rsplit("#", 1)[0], {"id": c.id.rsplit("#", 1)[0], "region": c.region,
                                                    "relation": c.relation, "mechanism": c.mechanism})
    return list(out.values())


def _correlated_copies(ctx: RuleContext) -> Iterator[Result]:
    """Two populations. (1) Every original data store with copies outside its region (replicas,
    global-table peers, cross-region backups): ``fail`` when every such copy is in a region that
    shares a failure domain with the store's region, ``pass`` when at least one is outside it,
    ``unknown`` when the answer is fail but a backup read failed in a region outside the domain (a
    copy could be there unseen). (2) Every public DNS name reaching several regions: ``fail`` when
    every region it can fail over to shares a domain with its primary region, ``pass`` otherwise.
    Stores and names with nothing outside their region are judged by the other families."""
    all_domains = domains(ctx.policy)
    failed = failed_reads(ctx)
    pair_domain: dict[tuple[str, str], str | None] = {}  # correlated() per region pair, once
    doubts_for: dict[tuple[str, str | None], list] = {}  # per (domain, service): backup_gap reads only that

    def domain_of(a: str, b: str) -> str | None:
        if (a, b) not in pair_domain:
            pair_domain[(a, b)] = correlated(a, b, ctx.policy)
        return pair_domain[(a, b)]

    for node in data_stores(ctx):
        own = ctx.graph._node[node].get("region")
        sites = _sites(ctx, node)
        if not sites:
            continue
        for s in sites:
            s["failure_domain"] = domain_of(own, s["region"])
        outside = [s for s in sites if not s["failure_domain"]]
        observed = {"region": own, "copies": sites, "outside_domain": outside}
        if outside:
            regions = sorted({s["region"] for s in outside})
            yield result(ctx, node, "pass", f"{name(ctx, node)} has copies outside {own}'s failure domain "
                             f"({', '.join(regions)})", observed=observed, expected=_EXPECTED)
            continue
        domain = sites[0]["failure_domain"]
        members = all_domains.get(domain, frozenset())
        data = ctx.graph._node[node]
        key = (domain, service_of(data))
        if key not in doubts_for:
            doubts_for[key] = [c for c in failed if c.region not in members and backup_gap(data, c)]
        # a read made for particular resources reaches only the stores it is about
        doubts = [describe_gap(c) for c in doubts_for[key] if not c.resources or store_gap(ctx.graph, node, c)]
        status = verdict(False, doubts)
        regions = sorted({s["region"] for s in sites})
        message = (f"every copy of {name(ctx, node)} outside {own} is in {', '.join(regions)}, in the same failure "
                   f"domain ({domain}): one event can take both")
        observed["failure_domain"] = {"name": domain, "regions": sorted(members),
                                      "why": describe(domain, ctx.policy, [own, *regions])}
        if status == "unknown":
            observed["unknown"] = doubts
            message += f" — uncertain: {doubts[0]}"
        yield result(ctx, node, status, message, observed=observed, expected=_EXPECTED)

    for (dns_name, record_type, _zone), members in sorted(record_groups(ctx.graph).items()):
        members = [m for m in members if not is_stub(ctx.graph._node[m]) and is_public_record(ctx.graph, m)]
        if not members:
            continue
        primary = next((m for m in members if str((ctx.graph._node[m].get("attrs") or {}).get("failover_role", ""))
                        .upper() == "PRIMARY"), sorted(members)[0])
        home = sorted({ctx.graph._node[t].get("region") for t in dns_targets(ctx.graph, [primary], failover=False)
                       if real_region(ctx.graph._node[t].get("region"))})
        reached = sorted({ctx.graph._node[t].get("region") for t in dns_targets(ctx.graph, members)
                          if real_region(ctx.graph._node[t].get("region"))})
        if len(home) != 1 or len(reached) < 2:
            continue
        own = home[0]
        others = [r for r in reached if r != own]
        pairs = {r: domain_of(own, r) for r in others}
        observed = {"name": dns_name, "record_type": record_type, "primary_region": own,
                    "other_regions": [{"region": r, "failure_domain": d} for r, d in pairs.items()]}
        label = dns_name or name(ctx, primary)
        if all(pairs.values()):
            domain = next(iter(pairs.values()))
            observed["failure_domain"] = {"name": domain, "why": describe(domain, ctx.policy, [own, *others])}
            yield result(ctx, primary, "fail", f"{label} fails over from {own} only to {', '.join(others)}, in the "
                             f"same failure domain ({domain})", observed=observed, expected=_EXPECTED,
                             region=own, key=f"{dns_name}/{record_type}")
        else:
            yield result(ctx, primary, "pass", f"{label} can fail over from {own} outside its failure domain",
                             observed=observed, expected=_EXPECTED, region=own, key=f"{dns_name}/{record_type}")


_EXPECTED = {"copy_or_failover_region": "at least one outside the primary region's failure domain"}


def _workload_domain_loss(ctx: RuleContext, workload: str) -> Iterator[Result]:
    """For every failure domain the recovery model prices the workload's loss of
    (:func:`resilience.recovery.domain_scenarios`: a domain holding one of its regions and at least one
    other region it touches, through its resources, dependencies or copies of its data; domains that come
    to the same regions are one scenario, named by the first), the survival engine fails those regions
    at once (the March 2026 scenario: several regions lost together). ``pass``: the workload keeps
    serving and keeps its data from outside the domain. ``fail``: it does not; the broken chain is the
    evidence. ``unknown``: the verdict relies on something the scan could not read. With ``--region``,
    only domains holding an audited region of the workload are judged; the result is reported under the
    audited region (else the first of the workload's regions in the domain)."""
    all_domains = per_estate(ctx, "rules.failure_domains", lambda: domains(ctx.policy))
    regions = set(regions_of(ctx.graph, workload))
    for domain, failed in domain_scenarios(ctx.graph, workload, policy=ctx.policy,
                                           regions=ctx.audited_regions or None):
        members = all_domains.get(domain, failed)
        inside = sorted(regions & members) or sorted(failed)
        audited = sorted(set(ctx.audited_regions) & members)
        impact = assess(ctx.graph, workload, Scenario.regions(*sorted(failed)), coverage=ctx.coverage)
        found = scenario_result(ctx, impact, key=f"domain:{domain}", region=(audited or inside)[0],
                                label=f"[{domain}] ",
                                outside=f"a serving path and a copy of the data outside failure domain {domain} "
                                        f"({', '.join(sorted(members))})")
        found.observed["failure_domain"] = {"name": domain, "regions": sorted(members),
                                             "workload_regions_inside": sorted(regions & members),
                                             "why": describe(domain, ctx.policy, inside)}
        yield found


_RATIONALE_COMMON = (
    "Two regions are only independent if nothing takes both at once. In March 2026 strikes and power loss took out "
    "AWS facilities in the UAE (me-central-1) and Bahrain (me-south-1) together: designs that had put their second "
    f"region across the Gulf lost both. {WA_REL10_BP02} asks that locations be chosen so that one event cannot affect "
    f"them all; {WA_REL13_BP02} that the recovery strategy fit the disruptions it must survive. The built-in failure "
    "domains (resilience/failure_domains.py) group regions of one geography or one country; the policy's "
    f"failure_domains extends them. Evidence for {SOC2_A1_2} (recovery infrastructure) and ISO/IEC 27001:2022 A.8.14."
)

CORRELATED_COPY = Rule(
    id="RES-CORRELATED-001",
    title="Replica, backup copy or failover region in the same failure domain as its primary",
    category="correlated-region",
    severity="high",
    controls=("SOC2:A1.2", "ISO27001:2022:A.8.14", "ISO27001:2022:A.8.13", "NIST800-53:CP-6", "NIST800-53:CP-7",
              "DORA:Art.12"),
    rationale=_RATIONALE_COMMON,
    provider_remediation=(
        ("azure", (
            "Keep at least one replica, backup copy (a geo-redundant vault, object replication) and DNS "
            "failover target in a region outside the primary's failure domain (a region pair is not enough "
            "when both regions share it), or declare a waiver with the reason the risk is accepted."
        )),
        ("gcp", (
            "Keep at least one replica, backup copy and DNS failover target in a region outside the primary's "
            "failure domain (e.g. a European region for me-central1), or declare a waiver with the reason the "
            "risk is accepted."
        )),
    ),
    remediation=(
        "Keep at least one replica, backup copy (AWS Backup copy rule, snapshot copy) and DNS failover target in a "
        "region outside the primary's failure domain (e.g. eu-central-1 or eu-west-1 for me-central-1), or declare a "
        "waiver with the reason the risk is accepted."
    ),
    check=_correlated_copies,
    requires=("rds", "dynamodb", "s3", "ec2", "backup", "route53"),
    references=(
        "https://docs.aws.amazon.com/wellarchitected/latest/reliability-pillar/rel_fault_isolation_select_location.html",
        "resilience/failure_domains.py (built-in failure domains and their sources)",
        "AICPA Trust Services Criteria A1.2",
    ),
)

CORRELATED_WORKLOAD = Rule(
    id="RES-CORRELATED-002",
    title="Workload does not survive the loss of a whole failure domain it relies on",
    category="correlated-region",
    severity="high",
    escalations=LOSS_OF_SERVICE_AND_DATA,
    controls=("SOC2:A1.2", "ISO27001:2022:A.8.14", "ISO27001:2022:A.5.30", "NIST800-53:CP-7", "DORA:Art.11"),
    rationale=_RATIONALE_COMMON,
    remediation=(
        "Move the secondary stack and the data copies it needs to a region outside the failure domain (or add a third "
        "region outside it), and put it behind health-checked DNS failover; the broken chain names the first "
        "component that does not survive."
    ),
    per_workload=_workload_domain_loss,
    requires=("route53", "elbv2", "autoscaling", "ec2", "lambda", "rds", "dynamodb", "s3", "backup"),
    references=(
        "https://docs.aws.amazon.com/wellarchitected/latest/reliability-pillar/rel_fault_isolation_select_location.html",
        "resilience/failure_domains.py (built-in failure domains and their sources)",
        "AICPA Trust Services Criteria A1.2",
    ),
)

RULES = (CORRELATED_COPY, CORRELATED_WORKLOAD)
