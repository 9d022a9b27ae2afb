"""GCP collector: Cloud Asset Inventory into the shared graph vocabulary.

Importing this package does not import the Google SDK (``regions`` is plain data); the SDK is
loaded when a collection starts, and its absence is reported as an input error naming the extra.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from resilience.model import Inventory


def _require_sdk() -> None:
    try:
        import google.auth  # noqa: F401
        import google.cloud.asset_v1  # noqa: F401
    except ImportError as exc:
        from resilience.errors import InputError

        raise InputError("the gcp collector needs its SDK: pip install 'resilience-audit[gcp]' "
                         f"({exc.name or exc})") from None


def collect_for_cli(options: Any, *, started: dt.datetime,
                    progress: Callable[[str], None] | None = None) -> tuple[Inventory, dict]:
    """``resilience scan --provider gcp --project ID... | --organization ID``."""
    _require_sdk()
    from google.auth import exceptions as auth_exc

    from resilience.errors import InputError

    from .clients import GcpSettings, make_credentials
    from .collector import collect, identity_of

    settings = GcpSettings.from_env()
    try:
        credentials, default_project = make_credentials(settings)
    except auth_exc.DefaultCredentialsError as exc:
        raise InputError("no usable Google Cloud credentials: run `gcloud auth application-default login`, set "
                         f"GOOGLE_APPLICATION_CREDENTIALS, or set GOOGLE_OAUTH_ACCESS_TOKEN ({exc})") from None
    projects = tuple(options.gcp_projects)
    organization = options.gcp_organization
    folder = (getattr(options, "extra", None) or {}).get("gcp_folder")
    if not projects and not organization and not folder:
        if not default_project:
            raise InputError("gcp: name the scope with --project ID (repeatable), --folder ID or --organization ID")
        projects = (default_project,)
    inventory = collect(settings, projects=projects, organization=organization, observed_at=started.isoformat(),
                        scan_regions=tuple(options.scan_regions), credentials=credentials, progress=progress,
                        folder=folder)
    return inventory, {"arn": identity_of(settings, credentials), "accounts": list(inventory.meta.get("accounts", []))}


def demo_inventory(observed_at: str) -> Inventory:
    """The bundled demo project, collected through the real SDK from recorded responses."""
    _require_sdk()
    from .demo import demo_inventory as _demo

    return _demo(observed_at)


__all__ = ["collect_for_cli", "demo_inventory"]
