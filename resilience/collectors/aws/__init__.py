"""AWS collectors: read-only reads of an AWS account into an :class:`~resilience.model.Inventory`.

Public API::

    identity = caller_identity(session)              # {"account", "arn", "partition"}
    regions = resolve_regions(session, requested)    # validated, all in the caller's partition
    inventory = collect(session, regions, observed_at="2026-03-01T00:00:00Z")
    inventory = collect_accounts(session, AccountScope(all_accounts=True), observed_at=...)  # organisation
    policy = iam_policy()                            # least-privilege policy from PERMISSIONS
    inventory = collect(session, regions, observed_at=..., cluster=ClusterCollection(dask_client))  # on Dask

Every service module (``ec2``, ``rds``, ...) splits thin ``get_*`` API calls from pure
``transform_*`` functions, declares the IAM actions it calls in ``PERMISSIONS`` and the coverage
service names it reports in ``COVERAGE``; :data:`SERVICES` is the explicit registry.
"""

from .clients import ClientFactory
from .cluster import ClusterCollection, WorkerCredentials
from .organization import DEFAULT_ROLE_NAME, AccountScope, assumed_session
from .permissions import iam_policy
from .scan import RegionDiscoveryError, caller_identity, collect, collect_accounts, resolve_regions
from .services import SERVICES

__all__ = [
    "DEFAULT_ROLE_NAME",
    "SERVICES",
    "AccountScope",
    "ClientFactory",
    "ClusterCollection",
    "WorkerCredentials",
    "assumed_session",
    "RegionDiscoveryError",
    "caller_identity",
    "collect",
    "collect_accounts",
    "iam_policy",
    "resolve_regions",
]
