"""References found in configuration, turned into the id of what they name (pure, no AWS calls).

A container image URI names its ECR repository and region; a secret reference in a task definition
is an ARN (or, for SSM parameters, a name in the task's own region); an AMI id is regional. The
references are kept, never the values behind them.
"""

from __future__ import annotations

import re
from collections import defaultdict
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


#: a managed data store's endpoint host in a configuration value (a host variable, a DSN, a URL): RDS and
#: Aurora (``ID.HASH.REGION.rds.amazonaws.com``, ``ID.cluster[-ro]-HASH.REGION...``), DocumentDB, ElastiCache
#: (``master.GROUP.HASH.use1.cache.amazonaws.com``, node and configuration endpoints) and MemoryDB
_ENDPOINT_HOST = re.compile(
    r"(?<![a-z0-9.-])([a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:rds|docdb|cache)\.amazonaws\.com(?:\.cn)?"
    r"|[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.memorydb\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?)(?![a-z0-9-])",
    re.IGNORECASE)
#: the DNS-name target prefix the post-pass matches to the resource answering to that name (shared with CloudFront)
ENDPOINT_PREFIX = "dns:"


def endpoint_hosts(value: str) -> list[str]:
    """``dns:HOST`` for every managed data store endpoint host in ``value``, in order, once each. Only the host
    is kept: the rest of the value (a password in a DSN) never is."""
    return list(dict.fromkeys(ENDPOINT_PREFIX + m.lower().rstrip(".") for m in _ENDPOINT_HOST.findall(value or "")))


#: an SQS queue URL (``https://sqs.REGION.amazonaws.com/ACCOUNT/NAME``, or the legacy
#: ``https://REGION.queue.amazonaws.com/ACCOUNT/NAME``) in a configuration value
_QUEUE_URL = re.compile(
    r"https://(?:sqs\.(?P<region>[a-z]{2}(?:-[a-z]+)+-\d)|(?P<legacy>[a-z]{2}(?:-[a-z]+)+-\d)\.queue)"
    r"\.amazonaws\.com(?P<cn>\.cn)?/(?P<account>\d{12})/(?P<name>[A-Za-z0-9_-]{1,80}(?:\.fifo)?)(?![A-Za-z0-9_.-])")


def queue_urls(value: str) -> list[str]:
    """The ARN of every SQS queue whose URL is in ``value``, in order, once each (nothing else of the value)."""
    return list(dict.fromkeys(
        f"arn:{'aws-cn' if m['cn'] else 'aws'}:sqs:{m['region'] or m['legacy']}:{m['account']}:{m['name']}"
        for m in _QUEUE_URL.finditer(value or "")))


def value_references(value: str) -> list[str]:
    """What a configuration value names that the graph links to: data store endpoint hosts (``dns:HOST``) and
    SQS queue URLs (as queue ARNs). ARNs are found by the caller (:func:`arn_references`)."""
    return endpoint_hosts(value) + queue_urls(value)


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
    """An AMI reference names an image in the referencing region, and resolves there whenever that
    region has an image of that id. Only when it has none, and exactly one other region does, is the
    reference moved to that image, with ``missing_in`` naming the region that lacks it: a DR launch
    template whose AMI exists only in the primary region then depends on that region. Real AMI ids
    are unique, but ids are only guaranteed per region (moto reuses its stock AMI ids everywhere): an
    id held by several other regions names none of them, and the reference stays where it was."""
    present: set[str] = set()
    elsewhere: dict[str, list[str]] = defaultdict(list)
    for r in resources:
        if r.kind == MACHINE_IMAGE:
            present.add(r.id)
            elsewhere[r.id.rsplit("/", 1)[-1]].append(r.id)
    out = []
    for e in edges:
        image_id = e.dst.rsplit("/", 1)[-1] if ":image/" in e.dst else ""
        found = elsewhere.get(image_id, [])
        if e.kind == DEPENDS_ON and image_id and e.dst not in present and len(found) == 1:
            missing_in = e.dst.split(":")[3]
            e = Edge(src=e.src, dst=found[0], kind=e.kind, source=e.source, attrs={**e.attrs, "missing_in": missing_in})
        out.append(e)
    return out
