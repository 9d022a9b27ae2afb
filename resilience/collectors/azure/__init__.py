"""Azure collector: subscriptions, resources and Resource Graph into the shared graph vocabulary.

Importing this package does not import the Azure SDK (``regions`` is plain data); the SDK is
loaded when a collection starts, and its absence is reported as an input error naming the extra.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from resilience.model import Inventory


def _require_sdk() -> None:
    try:
        import azure.mgmt.resource.resources  # noqa: F401
        import azure.mgmt.resource.subscriptions  # noqa: F401
        import azure.mgmt.resourcegraph  # noqa: F401
    except ImportError as exc:
        from resilience.errors import InputError

        raise InputError("the azure collector needs its SDK: pip install 'resilience-audit[azure]' "
                         f"({exc.name or exc})") from None


def collect_for_cli(options: Any, *, started: dt.datetime,
                    progress: Callable[[str], None] | None = None) -> tuple[Inventory, dict]:
    """``resilience scan --provider azure``: environment credentials, ``--subscription`` or
    ``--management-group`` scope."""
    _require_sdk()
    from .clients import AzureSettings, make_credential
    from .collector import collect, identity_of

    settings = AzureSettings.from_env()
    credential = make_credential(settings)
    identity = identity_of(settings, credential) if settings.token else _checked_identity(settings, credential)
    inventory = collect(settings, subscriptions=tuple(options.azure_subscriptions), observed_at=started.isoformat(),
                        scan_regions=tuple(options.scan_regions), credential=credential, progress=progress,
                        management_group=(getattr(options, "extra", None) or {}).get("azure_management_group"))
    return inventory, {"arn": identity, "accounts": list(inventory.meta.get("accounts", []))}


def _checked_identity(settings: Any, credential: Any) -> str:
    from azure.core.exceptions import ClientAuthenticationError

    from resilience.errors import InputError

    from .collector import identity_of

    try:
        credential.get_token(settings.credential_scope)
    except ClientAuthenticationError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError("no usable Azure credentials: sign in with `az login`, set the AZURE_CLIENT_* "
                         f"variables or a managed identity, or set AZURE_ACCESS_TOKEN ({first})") from None
    return identity_of(settings, credential)


def demo_inventory(observed_at: str) -> Inventory:
    """The bundled demo subscription, collected through the real SDK from recorded responses."""
    _require_sdk()
    from .demo import demo_inventory as _demo

    return _demo(observed_at)


__all__ = ["collect_for_cli", "demo_inventory"]
