"""The explicit registry of AWS service modules, validated at import.

Each module declares ``NAME`` (its coverage service name), ``CLIENT`` (boto3 service name),
``GLOBAL`` (read once, not per region), ``PERMISSIONS`` (every IAM action it calls, all
read-only), ``COVERAGE`` (the coverage service names it reports, with what each covers) and
``collect(ctx) -> Inventory``. Optional: ``AVAILABILITY_CHECK`` (skip regions botocore's endpoint
data says the service is not offered in).
"""

from __future__ import annotations

import re
from types import ModuleType

from . import (
    artifact,
    autoscaling,
    awslambda,
    backup,
    dynamodb,
    ec2,
    elb,
    elbv2,
    fis,
    rds,
    resiliencehub,
    route53,
    s3,
)

SERVICES: tuple[ModuleType, ...] = (
    ec2,
    autoscaling,
    elbv2,
    elb,
    rds,
    dynamodb,
    s3,
    backup,
    route53,
    awslambda,
    fis,
    resiliencehub,
    artifact,
)

#: the only verbs a collector may call
READ_ONLY_ACTION = re.compile(r"^[a-z0-9-]+:(Describe|List|Get|Search|BatchGet|Lookup)[A-Za-z0-9]*$")


def by_name(names: list[str] | tuple[str, ...] | None = None) -> tuple[ModuleType, ...]:
    """The registered modules, the default set or the named ones (unknown names raise ``ValueError``).

    A module with ``OPT_IN = True`` (AWS Artifact: reading it needs the account to have accepted Artifact's
    terms, and it only serves the vendor-register comparison) is read only when named."""
    if names is None:
        return tuple(m for m in SERVICES if not getattr(m, "OPT_IN", False))
    known = {m.NAME: m for m in SERVICES}
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise ValueError(f"unknown AWS service(s) {', '.join(unknown)}; known: {', '.join(known)}")
    return tuple(m for m in SERVICES if m.NAME in names)


def _validate(modules: tuple[ModuleType, ...]) -> None:
    names = [m.NAME for m in modules]
    if len(names) != len(set(names)):
        raise ValueError(f"duplicate service names in {names}")
    for module in modules:
        for attr in ("NAME", "CLIENT", "GLOBAL", "PERMISSIONS", "COVERAGE", "collect"):
            if not hasattr(module, attr):
                raise ValueError(f"{module.__name__} lacks {attr}")
        bad = [p for p in module.PERMISSIONS if not READ_ONLY_ACTION.match(p)]
        if bad:
            raise ValueError(f"{module.__name__} declares non-read-only actions {bad}")
        if module.NAME not in module.COVERAGE:
            raise ValueError(f"{module.__name__}: COVERAGE must describe its own name {module.NAME!r}")
        foreign = [c for c in module.COVERAGE if c.split(":")[0] not in (module.NAME, "ec2")]
        if foreign:
            raise ValueError(f"{module.__name__}: coverage names {foreign} must start with {module.NAME!r}")


_validate(SERVICES)
