"""Route 53 (global, read once): hosted zones, record sets, health checks, failover pairs.

Alias targets are kept as DNS names here; matching them to load balancers and other records is
a post-pass over the whole inventory (:mod:`.postpass`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from resilience.model import (
    DEPENDS_ON,
    DNS_RECORD,
    DNS_ZONE,
    FAILS_OVER_TO,
    HEALTH_CHECK,
    MEMBER_OF,
    Inventory,
)

from .common import Scope, edge, inventory, tags_from_list
from .context import TaskContext
from .pagination import paginate

NAME = "route53"
CLIENT = "route53"
GLOBAL = True
PERMISSIONS = [
    "route53:ListHealthChecks",
    "route53:ListHostedZones",
    "route53:ListResourceRecordSets",
    "route53:ListTagsForResources",
]
COVERAGE = {
    "route53": "ListHostedZones (region global)",
    "route53:records": "ListResourceRecordSets",
    "route53:health-checks": "ListHealthChecks",
    "route53:tags": "ListTagsForResources (zones and health checks)",
}
TAG_BATCH = 10
#: record types whose values are kept (endpoints); TXT and the like are not copied
VALUE_TYPES = frozenset({"A", "AAAA", "CNAME"})


# --- get -------------------------------------------------------------------------------------
def get_zones(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "list_hosted_zones", "HostedZones")


def get_records(client: Any, zone_id: str) -> list[dict[str, Any]]:
    return paginate(client, "list_resource_record_sets", "ResourceRecordSets", HostedZoneId=zone_id)


def get_health_checks(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "list_health_checks", "HealthChecks")


def get_tags(client: Any, resource_type: str, ids: list[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i in range(0, len(ids), TAG_BATCH):
        page = client.list_tags_for_resources(ResourceType=resource_type, ResourceIds=ids[i : i + TAG_BATCH])
        out.extend(page["ResourceTagSets"])
    return out


# --- transform -------------------------------------------------------------------------------
def dns_name(name: str) -> str:
    """Lower case, no trailing dot, octal escapes decoded (``\\052`` is ``*``)."""
    name = re.sub(r"\\(\d{3})", lambda m: chr(int(m.group(1), 8)), name)
    return name.rstrip(".").lower()


def zone_short_id(zone_id: str) -> str:
    return zone_id.rsplit("/", 1)[-1]


def zone_arn(scope: Scope, zone_id: str) -> str:
    return f"arn:{scope.partition}:route53:::hostedzone/{zone_short_id(zone_id)}"


def health_check_arn(scope: Scope, check_id: str) -> str:
    return f"arn:{scope.partition}:route53:::healthcheck/{check_id}"


def record_arn(scope: Scope, zone_id: str, record: Mapping[str, Any]) -> str:
    arn = f"{zone_arn(scope, zone_id)}/record/{dns_name(record['Name'])}/{record['Type']}"
    return f"{arn}/{record['SetIdentifier']}" if record.get("SetIdentifier") else arn


def routing_policy(record: Mapping[str, Any]) -> str:
    if record.get("Failover"):
        return "failover"
    if record.get("Region"):
        return "latency"
    if record.get("Weight") is not None:
        return "weighted"
    if record.get("GeoLocation") or record.get("GeoProximityLocation"):
        return "geolocation"
    if record.get("MultiValueAnswer"):
        return "multivalue"
    if record.get("CidrRoutingConfig"):
        return "cidr"
    return "simple"


def _values(record: Mapping[str, Any]) -> list[str] | None:
    """Values of endpoint-type records (A, AAAA, CNAME); ``None`` for aliases and other types."""
    if record["Type"] not in VALUE_TYPES or not record.get("ResourceRecords"):
        return None
    return [r["Value"] for r in record["ResourceRecords"]]


def transform_tags(tag_sets: list[Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """``{resource id: tags}`` (zone ids without the ``/hostedzone/`` prefix)."""
    return {zone_short_id(t["ResourceId"]): tags_from_list(t.get("Tags")) for t in tag_sets}


def transform_zone(zone: Mapping[str, Any], scope: Scope, tags: Mapping[str, str]) -> Inventory:
    return inventory(
        [
            scope.resource(
                id=zone_arn(scope, zone["Id"]),
                kind=DNS_ZONE,
                type="AWS::Route53::HostedZone",
                name=dns_name(zone["Name"]),
                source="route53:ListHostedZones",
                tags=tags,
                attrs={"private": bool(zone.get("Config", {}).get("PrivateZone")), "dns_name": dns_name(zone["Name"])},
            )
        ]
    )


def transform_records(zone: Mapping[str, Any], records: list[Mapping[str, Any]], scope: Scope) -> Inventory:
    """Records of one zone: record -member_of-> zone, -depends_on-> its health check,
    PRIMARY -fails_over_to-> SECONDARY of the same name and type."""
    out = inventory()
    source = "route53:ListResourceRecordSets"
    zone_id = zone_short_id(zone["Id"])
    public = not zone.get("Config", {}).get("PrivateZone")
    failover: dict[tuple[str, str], dict[str, list[Mapping[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for record in records:
        arn = record_arn(scope, zone_id, record)
        alias = record.get("AliasTarget") or {}
        out.resources.append(
            scope.resource(
                id=arn,
                kind=DNS_RECORD,
                type="AWS::Route53::RecordSet",
                name=f"{dns_name(record['Name'])} {record['Type']}" + (f" ({record['SetIdentifier']})" if record.get("SetIdentifier") else ""),
                source=source,
                attrs={
                    "dns_name": dns_name(record["Name"]),
                    "record_type": record["Type"],
                    "routing": routing_policy(record),
                    "failover_role": record.get("Failover"),
                    "set_identifier": record.get("SetIdentifier"),
                    "health_check_id": record.get("HealthCheckId"),
                    "evaluate_target_health": alias.get("EvaluateTargetHealth") if alias else None,
                    "alias_target": dns_name(alias["DNSName"]) if alias.get("DNSName") else None,
                    "values": _values(record),
                    "record_region": record.get("Region"),
                    "weight": record.get("Weight"),
                    "zone_id": zone_id,
                    "public": public,
                    "ttl": record.get("TTL"),
                },
            )
        )
        out.edges.append(edge(arn, zone_arn(scope, zone_id), MEMBER_OF, source))
        if record.get("HealthCheckId"):
            out.edges.append(edge(arn, health_check_arn(scope, record["HealthCheckId"]), DEPENDS_ON, source, via="health_check"))
        if record.get("Failover"):
            failover[(dns_name(record["Name"]), record["Type"])][record["Failover"]].append(record)
    for roles in failover.values():
        for primary in roles.get("PRIMARY", []):
            checked = bool(primary.get("HealthCheckId")) or bool((primary.get("AliasTarget") or {}).get("EvaluateTargetHealth"))
            for secondary in roles.get("SECONDARY", []):
                out.edges.append(
                    edge(
                        record_arn(scope, zone_id, primary),
                        record_arn(scope, zone_id, secondary),
                        FAILS_OVER_TO,
                        source,
                        health_checked=checked,
                        health_check_id=primary.get("HealthCheckId"),
                    )
                )
    return out


def transform_health_checks(checks: list[Mapping[str, Any]], scope: Scope, tags: Mapping[str, Mapping[str, str]]) -> Inventory:
    out = inventory()
    for check in checks:
        config = check.get("HealthCheckConfig", {})
        check_tags = tags.get(check["Id"], {})
        out.resources.append(
            scope.resource(
                id=health_check_arn(scope, check["Id"]),
                kind=HEALTH_CHECK,
                type="AWS::Route53::HealthCheck",
                name=check_tags.get("Name") or check["Id"],
                source="route53:ListHealthChecks",
                tags=check_tags,
                attrs={
                    "check_type": config.get("Type"),
                    "target": config.get("FullyQualifiedDomainName") or config.get("IPAddress"),
                    "resource_path": config.get("ResourcePath"),
                    "request_interval": config.get("RequestInterval"),
                    "failure_threshold": config.get("FailureThreshold"),
                    "routing_control": config.get("RoutingControlArn"),
                },
            )
        )
        if config.get("RoutingControlArn"):  # a RECOVERY_CONTROL check: an ARC routing control flips it
            out.edges.append(edge(health_check_arn(scope, check["Id"]), config["RoutingControlArn"], DEPENDS_ON,
                                  "route53:ListHealthChecks", via="routing_control"))
    return out


# --- collect ---------------------------------------------------------------------------------
def collect(ctx: TaskContext) -> Inventory:
    client = ctx.client(CLIENT)
    zones = get_zones(client)
    checks = ctx.read("route53:health-checks", get_health_checks, client)
    tags: dict[str, dict[str, str]] = {}
    for resource_type, ids in (("hostedzone", [zone_short_id(z["Id"]) for z in zones]), ("healthcheck", [c["Id"] for c in checks or []])):
        if ids:
            tags.update(transform_tags(ctx.read("route53:tags", get_tags, client, resource_type, ids) or []))
    out = inventory()
    for zone in zones:
        out.extend(transform_zone(zone, ctx.scope, tags.get(zone_short_id(zone["Id"]), {})))
        records = ctx.gather(
            "route53:records",
            lambda zone=zone: get_records(client, zone["Id"]),
            lambda items, zone=zone: transform_records(zone, items, ctx.scope),
            about=zone["Name"],
        )
        if records is not None:
            out.extend(records)
    if checks is not None:
        out.extend(transform_health_checks(checks, ctx.scope, tags))
    return out
