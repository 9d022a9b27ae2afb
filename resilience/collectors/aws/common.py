"""Small pure helpers shared by the AWS service modules: ARNs, tags, timestamps, zones.

Nothing here calls AWS. :class:`Scope` carries what a transform needs to stamp a resource
(account, partition, the region being read, the scan time), so ``transform_*`` functions stay pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from resilience.model import GLOBAL_REGION, Edge, Inventory, Resource

PROVIDER = "aws"

PARTITION_DEFAULT_REGION = {"aws": "us-east-1", "aws-cn": "cn-northwest-1", "aws-us-gov": "us-gov-west-1"}

_ARN_RE = re.compile(
    r"arn:(?:aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):[a-z0-9][a-z0-9-]*:[a-z0-9-]*:(?:\d{12})?:[A-Za-z0-9/_.:+=@,*$-]+"
)


def is_arn(value: Any) -> bool:
    """True when ``value`` is exactly one ARN (no surrounding text)."""
    return isinstance(value, str) and _ARN_RE.fullmatch(value) is not None


def arn_parts(arn: str) -> tuple[str, str, str, str, str]:
    """``(partition, service, region, account, resource)`` of an ARN."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        raise ValueError(f"not an ARN: {arn!r}")
    return parts[1], parts[2], parts[3], parts[4], parts[5]


def arn_region(arn: str) -> str:
    """The region an ARN names; :data:`GLOBAL_REGION` when it names none (S3, Route 53, IAM)."""
    return arn_parts(arn)[2] or GLOBAL_REGION


def partition_of_arn(arn: str) -> str:
    return arn_parts(arn)[0]


def iso(value: Any) -> str | None:
    """ISO 8601 UTC (``2026-03-01T10:00:00Z``) from a datetime or an API timestamp string."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if isinstance(value, int | float):
        value = datetime.fromtimestamp(value, UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def seconds_between(start: Any, end: Any) -> int | None:
    a, b = iso(start), iso(end)
    if not a or not b:
        return None
    try:
        delta = datetime.fromisoformat(b.replace("Z", "+00:00")) - datetime.fromisoformat(a.replace("Z", "+00:00"))
    except ValueError:
        return None
    return int(delta.total_seconds())


def tags_from_list(items: Iterable[Mapping[str, Any]] | None) -> dict[str, str]:
    """``[{"Key": k, "Value": v}]`` (any key case) to a flat dict."""
    out: dict[str, str] = {}
    for item in items or ():
        key = item.get("Key", item.get("key"))
        if key is not None:
            out[str(key)] = str(item.get("Value", item.get("value", "")) or "")
    return out


def name_from_tags(tags: Mapping[str, str], default: str) -> str:
    return tags.get("Name") or default


def zone_ids_for(names: Iterable[str], zone_ids: Mapping[str, str]) -> tuple[str, ...]:
    """Zone names to zone ids (``me-central-1a`` -> ``mec1-az1``); unknown names stay names."""
    out: list[str] = []
    for name in names:
        if name:
            zid = zone_ids.get(name, name)
            if zid not in out:
                out.append(zid)
    return tuple(out)


def compact(attrs: Mapping[str, Any]) -> dict[str, Any]:
    """Drop ``None`` values: an attribute that was not observed is absent, never ``None``."""
    return {k: v for k, v in attrs.items() if v is not None}


@dataclass(frozen=True, kw_only=True)
class Scope:
    """What a transform needs to stamp its output: who, where it read, when."""

    account: str
    partition: str
    region: str
    observed_at: str

    def arn(self, service: str, resource: str, *, region: str | None = None, account: str | None = None) -> str:
        region = self.region if region is None else region
        if region == GLOBAL_REGION:
            region = ""
        account = self.account if account is None else account
        return f"arn:{self.partition}:{service}:{region}:{account}:{resource}"

    def resource(
        self,
        *,
        id: str,
        kind: str,
        type: str,
        name: str,
        source: str,
        region: str | None = None,
        zones: Iterable[str] = (),
        tags: Mapping[str, str] | None = None,
        attrs: Mapping[str, Any] | None = None,
    ) -> Resource:
        """A :class:`Resource` whose region comes from its ARN unless given explicitly."""
        if region is None:
            region = arn_region(id) if is_arn(id) else self.region
        return Resource(
            id=id,
            provider=PROVIDER,
            account=self.account,
            region=region,
            kind=kind,
            type=type,
            name=name,
            source=source,
            observed_at=self.observed_at,
            zones=tuple(zones),
            tags=dict(tags or {}),
            attrs=compact(attrs or {}),
        )


def edge(src: str, dst: str, kind: str, source: str, **attrs: Any) -> Edge:
    return Edge(src=src, dst=dst, kind=kind, source=source, attrs=compact(attrs))


def inventory(resources: Iterable[Resource] = (), edges: Iterable[Edge] = ()) -> Inventory:
    return Inventory(resources=list(resources), edges=list(edges))


def endpoint_addresses(*hosts: object) -> list[str] | None:
    """The endpoint host names given (lower case, once each), or ``None`` when there are none."""
    out = list(dict.fromkeys(h.lower().rstrip(".") for h in hosts if isinstance(h, str) and h))
    return out or None
