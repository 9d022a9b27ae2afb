"""References found in configuration, turned into the id of what they name (pure, no AWS calls).

A container image URI names its ECR repository and region; a secret reference in a task definition
is an ARN (or, for SSM parameters, a name in the task's own region); an AMI id is regional. The
references are kept, never the values behind them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from resilience.model import DEPENDS_ON, MACHINE_IMAGE, Edge, Resource

from .common import Scope, is_arn

_ECR_URI = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr(?:-fips)?\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/(?P<repo>[^:@]+)")


def ecr_repository(image: str, partition: str = "aws") -> str | None:
    """``arn:aws:ecr:REGION:ACCOUNT:repository/NAME`` for an ECR image URI; ``None`` for any other registry."""
    match = _ECR_URI.match(image or "")
    if not match:
        return None
    return f"arn:{partition}:ecr:{match['region']}:{match['account']}:repository/{match['repo']}"


def secret_or_parameter(value_from: str, scope: Scope) -> str | None:
    """The secret / parameter a ``valueFrom`` (ECS) names: a Secrets Manager ARN (a JSON-key suffix
    dropped), an SSM parameter ARN, or a bare parameter name (in the task's own region)."""
    value_from = (value_from or "").strip()
    if not value_from:
        return None
    if value_from.startswith("arn:"):
        parts = value_from.split(":")
        if len(parts) >= 7 and parts[2] == "secretsmanager":
            return ":".join(parts[:7])  # arn:aws:secretsmanager:r:a:secret:name-AbCdEf[:key:stage:id]
        return value_from if is_arn(value_from) else None
    return parameter_arn(scope, value_from)


def parameter_arn(scope: Scope, name: str, region: str | None = None) -> str:
    return scope.arn("ssm", f"parameter/{name.lstrip('/')}", region=region)


def image_arn(scope: Scope, image_id: str, region: str | None = None) -> str:
    return scope.arn("ec2", f"image/{image_id}", region=region, account="")


def resolve_images(resources: Iterable[Resource], edges: list[Edge]) -> list[Edge]:
    """An AMI reference names an image in the referencing region. When no image of that id was
    inventoried there but one was in another region (AMI ids are unique), the reference is moved to
    the image where it actually lives, with ``missing_in`` naming the region that lacks it: a DR
    launch template whose AMI exists only in the primary region then depends on that region."""
    images: dict[str, str] = {}
    for r in resources:
        if r.kind == MACHINE_IMAGE:
            images.setdefault(r.id.rsplit("/", 1)[-1], r.id)
    present = set(images.values())
    out = []
    for e in edges:
        image_id = e.dst.rsplit("/", 1)[-1] if ":image/" in e.dst else ""
        found = images.get(image_id)
        if e.kind == DEPENDS_ON and image_id and e.dst not in present and found and found != e.dst:
            missing_in = e.dst.split(":")[3]
            e = Edge(src=e.src, dst=found, kind=e.kind, source=e.source, attrs={**e.attrs, "missing_in": missing_in})
        out.append(e)
    return out
