"""Regional single points of failure: what stops, or loses data, when a whole region is lost.

Judged on the dependency graph by the survival engine (:mod:`resilience.survival`), not per
resource: multi-AZ is not a regional control, and a service running in two regions that still
reads one table pinned in the first is a single-region workload.
"""

from __future__ import annotations

from collections.abc import Iterator

from resilience.graph import edges_of_kind, workload_nodes
from resilience.model import DEPENDS_ON
from resilience.rule import Result, Rule, RuleContext
from resilience.survival import (
    Scenario,
    assess,
    data_copies,
    dependency_outcome,
    is_stub,
    real_region,
    regions_of,
    unseen_reasons,
)

from ._common import (
    LOSS_OF_SERVICE_AND_DATA,
    SOC2_A1_2,
    WA_REL10_BP01,
    WA_REL10_BP03,
    WA_REL11_BP02,
    WA_REL11_BP04,
    WA_REL13_BP02,
    failed_reads,
    name,
    result,
    scenario_result,
    verdict,
)


def _workload_region_loss(ctx: RuleContext, workload: str) -> Iterator[Result]:
    """For every workload and every region it has resources in (copies and failover targets
    included), the survival engine fails that region and follows every entry point through
    ``routes_to`` and ``depends_on`` edges. Entry points are the workload's public DNS names; a
    workload without any is judged by its load balancers (else its compute) per region, and keeps
    serving while one region's set does. Only alternatives that survive count: health-checked DNS
    failover, promotable replicas, global-table peers, replicated buckets. Restorable cross-region backups keep the *data* but
    do not serve. A failover that needs the control plane of the failed region is not counted.

    ``pass``: every entry point keeps a serving path and every data store keeps a copy.
    ``fail``: one does not; the broken chain (entry -> ... -> first dead component) is the
    evidence. ``unknown``: a region or service the verdict relies on could not be read, a failover
    target was not inventoried, or a copy could hide in an unreadable region. A workload declared
    in the policy with no resources found is ``unknown``."""
    regions = regions_of(ctx.graph, workload)
    if not regions:
        if not workload_nodes(ctx.graph, workload):
            yield Result(
                status="unknown", resource=f"workload:{workload}", resource_type="workload",
                message=f"no resource of workload {workload} was found: its regional resilience cannot "
                        "be judged (check the policy's match and the scan's coverage)",
                observed={"resources": 0}, expected={"resources": ">= 1"}, source="policy",
                workload=workload, workloads=(workload,),
            )
        return
    for region in regions:
        impact = assess(ctx.graph, workload, Scenario.regions(region), coverage=ctx.coverage)
        yield scenario_result(ctx, impact, key=region, region=region,
                              outside=f"every entry point keeps a serving path, and every data store a copy, "
                                      f"outside {region}")


def _cross_region_dependencies(ctx: RuleContext) -> Iterator[Result]:
    """Every ``depends_on`` edge whose two ends sit in different regions (a reference in the
    component's configuration: an ARN in an environment variable, an event source). The
    dependency is judged with its region failed: ``pass`` when a promotable replica, global-table
    peer or replicated bucket outside that region takes over; ``fail`` when it is pinned there
    (the component, though elsewhere, stops with that region); ``unknown`` when the dependency's
    region could not be read for its service, or the copy relied on is unverified.

    The result is about the component, reported under the *dependency's* region: that is the
    region whose loss it exposes (``--region`` filters on it); ``key`` is the dependency's id."""
    failed = failed_reads(ctx)  # once, not per edge: the survival engine consults only failed reads
    for src, dst, _, edge in edges_of_kind(ctx.graph, (DEPENDS_ON,)):
        s, d = ctx.graph._node[src], ctx.graph._node[dst]
        if is_stub(s):
            continue
        rs, rd = s.get("region"), d.get("region")
        if real_region(rs) and rd == "unknown":  # it may be in another region: say so, never skip it
            yield _unplaced_dependency(ctx, src, dst, rs, edge)
            continue
        if not (real_region(rs) and real_region(rd)) or rs == rd:
            continue
        outcome = dependency_outcome(ctx.graph, dst, Scenario.regions(rd), coverage=failed)
        copies = [{"id": c.id, "region": c.region, "mechanism": c.mechanism} for c in data_copies(ctx.graph, dst)
                  if c.relation != "source"]
        observed = {
            "component": src, "component_region": rs, "dependency": dst, "dependency_region": rd,
            "via": (edge.get("attrs") or {}).get("via", ""), "copies": copies,
        }
        if outcome.ok:
            takeover = outcome.failovers[0] if outcome.failovers else (dst, dst, "")
            message = (f"{name(ctx, src)} ({rs}) depends on {name(ctx, dst)} in {rd}; if {rd} is lost, "
                       f"{name(ctx, takeover[1])} takes over ({takeover[2]})")
            observed["takes_over"] = {"id": takeover[1], "mechanism": takeover[2]}
        else:
            message = (f"{name(ctx, src)} in {rs} depends on {name(ctx, dst)}, pinned in {rd}"
                       f"{' (not inventoried)' if is_stub(d) else ''}: losing {rd} stops it, "
                       f"whatever runs in {rs}")
        if outcome.control_plane:
            observed["control_plane"] = outcome.control_plane
        status = verdict(outcome.ok, outcome.unknown)
        if status == "unknown":
            observed["unknown"] = outcome.unknown
            message += f" — uncertain: {outcome.unknown[0]}"
        yield result(ctx,
            src, status, message, region=rd, key=dst, observed=observed,
            expected={"dependency": f"replicated outside {rd} (promotable replica, global table, replicated "
                                    f"bucket) or located in {rs}"},
            extra={"chain": [src, dst]},
        )


def _unplaced_dependency(ctx: RuleContext, src: str, dst: str, rs: str, edge: dict) -> Result:
    """A dependency whose region is unknown (not inventoried, or its location read failed): it may sit
    in another region, and whether it survives that region's loss is not known."""
    reasons = unseen_reasons(ctx.graph, dst)
    observed = {"component": src, "component_region": rs, "dependency": dst, "dependency_region": "unknown",
                "via": (edge.get("attrs") or {}).get("via", ""), "unknown": reasons}
    return result(ctx,
        src, "unknown", f"{name(ctx, src)} ({rs}) depends on {name(ctx, dst)}, whose region is unknown — "
                        f"uncertain: {reasons[0]}",
        region="unknown", key=dst, observed=observed,
        expected={"dependency": f"in a known region: replicated outside it, or located in {rs}"},
        extra={"chain": [src, dst]},
    )


REGIONAL_SPOF = Rule(
    id="RES-REGIONAL-001",
    title="Workload stops or loses data if a region it runs in is lost",
    category="regional-spof",
    severity="high",
    escalations=LOSS_OF_SERVICE_AND_DATA,
    controls=("SOC2:A1.2", "ISO27001:2022:A.8.14", "ISO27001:2022:A.5.30", "NIST800-53:CP-7",
              "NIST800-53:CP-6", "DORA:Art.11"),
    rationale=(
        "Multi-AZ deployments fail with their region: in March 2026 the loss of me-central-1 and me-south-1 "
        "took down every workload that had no serving path and no copy of its data outside them. "
        f"{WA_REL10_BP01} asks for more than one location when the availability objective needs it; "
        f"{WA_REL11_BP02} for failover to healthy resources in that other location; {WA_REL11_BP04} for "
        f"failovers that do not need the failed region's control plane; {WA_REL13_BP02} for a recovery "
        f"strategy (backup/restore, pilot light, warm standby, active/active) that meets the objectives. "
        f"The finding is evidence for {SOC2_A1_2}: recovery infrastructure that does not depend on the region "
        "it recovers."
    ),
    provider_remediation=(
        ("azure", (
            "Give every entry point a path in a second region and every data store a copy there: Front Door "
            "or a Traffic Manager profile with health probes in front of a stack in the second region; SQL "
            "failover groups; Cosmos DB with a second region and automatic failover; geo-redundant storage "
            "(GZRS/RA-GZRS) or object replication; Azure Backup to a geo-redundant vault with Cross Region "
            "Restore for what cannot be replicated. Prefer failovers that need no control-plane call in the "
            "failed region. The broken chain in the evidence names the first component to fix."
        )),
        ("gcp", (
            "Give every entry point a path in a second region and every data store a copy there: a global "
            "external Application Load Balancer, or a Cloud DNS failover routing policy with health checks, "
            "in front of backends in the second region; Cloud SQL cross-region replicas; Spanner or Firestore "
            "multi-region; dual- or multi-region Cloud Storage buckets; backups and snapshots kept in another "
            "region for what cannot be replicated. Prefer failovers that need no control-plane call in the "
            "failed region. The broken chain in the evidence names the first component to fix."
        )),
    ),
    remediation=(
        "Give every entry point a path in a second region and every data store a copy there: Route 53 failover "
        "(or latency) records with health checks in front of a stack in the second region; RDS cross-region read "
        "replicas or Aurora Global Database; DynamoDB global tables; S3 cross-region replication; AWS Backup copy "
        "rules to a vault in the second region for what cannot be replicated. Prefer failovers that need no API "
        "call in the failed region. The broken chain in the evidence names the first component to fix."
    ),
    per_workload=_workload_region_loss,
    requires=("route53", "elbv2", "elb", "autoscaling", "ec2", "lambda", "rds", "dynamodb", "s3", "backup"),
    references=(
        "https://docs.aws.amazon.com/wellarchitected/latest/reliability-pillar/rel_fault_isolation_multiaz_region_system.html",
        "https://docs.aws.amazon.com/wellarchitected/latest/reliability-pillar/rel_withstand_component_failures_failover2good.html",
        "https://docs.aws.amazon.com/wellarchitected/latest/reliability-pillar/rel_withstand_component_failures_avoid_control_plane.html",
        "https://docs.aws.amazon.com/whitepapers/latest/disaster-recovery-workloads-on-aws/disaster-recovery-options-in-the-cloud.html",
        "AICPA Trust Services Criteria A1.2",
    ),
)

CROSS_REGION_DEPENDENCY = Rule(
    id="RES-REGIONAL-002",
    title="Component depends on a resource pinned in another region",
    category="cross-region-dependency",
    severity="high",
    controls=("SOC2:A1.2", "ISO27001:2022:A.8.14", "NIST800-53:CP-7"),
    rationale=(
        "A component in one region that reads a table, queue, bucket or secret pinned in another is coupled "
        "to both: the workload looks multi-region but stops when the dependency's region is lost, and it "
        "doubles its exposure rather than halving it. "
        f"{WA_REL10_BP01} and {WA_REL10_BP03} ask that each location can serve on its own, and {WA_REL11_BP02} "
        "that failover reaches healthy resources; a cross-region reference defeats both unless the resource "
        f"is replicated. Evidence for {SOC2_A1_2}."
    ),
    provider_remediation=(
        ("azure", (
            "Point each regional component at a copy in its own region (a Cosmos DB region, a storage "
            "account's geo-secondary or object-replication destination, a Key Vault and a Service Bus "
            "namespace per region), or replicate the dependency so that a copy in a surviving region can take "
            "over; then configure the component by region."
        )),
        ("gcp", (
            "Point each regional component at a copy in its own region (a Spanner or Firestore multi-region "
            "database, a dual-region bucket, a Secret Manager secret with automatic replication, a Cloud SQL "
            "replica), or replicate the dependency so that a copy in a surviving region can take over; then "
            "configure the component by region."
        )),
    ),
    remediation=(
        "Point each regional component at a copy in its own region (DynamoDB global table replica, S3 "
        "replica bucket, Secrets Manager replica secret, a regional queue), or replicate the dependency so "
        "that a promotable copy survives its region; then configure the component by region."
    ),
    check=_cross_region_dependencies,
    requires=("lambda", "ec2", "rds", "dynamodb", "s3"),
    references=(
        "https://docs.aws.amazon.com/wellarchitected/latest/reliability-pillar/rel_fault_isolation_multiaz_region_system.html",
        "AWS whitepaper: AWS Fault Isolation Boundaries (regional services)",
        "AICPA Trust Services Criteria A1.2",
    ),
)

RULES = (REGIONAL_SPOF, CROSS_REGION_DEPENDENCY)
