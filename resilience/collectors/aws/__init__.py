"""AWS collectors: read-only reads of an AWS account into an :class:`~resilience.model.Inventory`.

Public API::

    identity = caller_identity(session)              # {"account", "arn", "partition"}
    regions = resolve_regions(session, requested)    # validated, all in the caller's partition
    inventory = collect(session, regions, observed_at="2026-03-01T00:00:00Z")
    policy = iam_policy()                            # least-privilege policy from PERMISSIONS

Every service module (``ec2``, ``rds``, ...) splits thin ``get_*`` API calls from pure
``transform_*`` functions, declares the IAM actions it calls in ``PERMISSIONS`` and the coverage
service names it reports in ``COVERAGE``; :data:`SERVICES` is the explicit registry.
"""

from .clients import ClientFactory
from .permissions import iam_policy
from .scan import RegionDiscoveryError, caller_identity, collect, resolve_regions
from .services import SERVICES

__all__ = [
    "SERVICES",
    "ClientFactory",
    "RegionDiscoveryError",
    "caller_identity",
    "collect",
    "iam_policy",
    "resolve_regions",
]
