"""Azure credentials, endpoints and SDK clients (ARM, Resource Graph, Subscriptions).

Environment (see ``examples/azure/README.md``):

- ``AZURE_RESOURCE_MANAGER_ENDPOINT``: ARM base URL (default ``https://management.azure.com``);
  sovereign clouds, private endpoints, and the local recorded-response server of the tests and demo.
  Every Azure API this collector calls (Subscriptions, Resources, Resource Graph, SQL) goes to ARM.
- ``AZURE_ACCESS_TOKEN``: a pre-issued ARM bearer token, used instead of ``DefaultAzureCredential``.
- ``AZURE_RESOURCE_MANAGER_SCOPE``: the token scope (default: ``<public ARM>/.default`` for the public
  and local endpoints, ``<endpoint>/.default`` otherwise).

azure-core refuses to send a bearer token over plain ``http://`` (``enforce_https``). The ARM
authentication policy here lifts that for loopback hosts only (127.0.0.0/8, ``localhost``, ``::1``),
which is what a local test server needs; any other ``http://`` endpoint is still refused.
"""

from __future__ import annotations

import ipaddress
import os
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from azure.core.credentials import AccessToken, AccessTokenInfo
from azure.core.pipeline.policies import RetryPolicy
from azure.core.pipeline.transport import RequestsTransport
from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy

PUBLIC_ARM = "https://management.azure.com"
ENV_ENDPOINT = "AZURE_RESOURCE_MANAGER_ENDPOINT"
ENV_TOKEN = "AZURE_ACCESS_TOKEN"
ENV_SCOPE = "AZURE_RESOURCE_MANAGER_SCOPE"
USER_AGENT = "resilience-audit"


class StaticTokenCredential:
    """A ``TokenCredential`` for a pre-issued bearer token (``AZURE_ACCESS_TOKEN``).

    The token is not refreshed: its expiry is reported one hour ahead (the real expiry is
    unknown to the client); ARM answers 401 when it has expired, which becomes ``denied``.
    """

    def __init__(self, token: str, *, lifetime_s: int = 3600) -> None:
        self._token = token
        self._expires_on = int(time.time()) + lifetime_s

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(self._token, self._expires_on)

    def get_token_info(self, *scopes: str, options: Any = None) -> AccessTokenInfo:
        return AccessTokenInfo(self._token, self._expires_on)

    def close(self) -> None:
        return None


def is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class LoopbackAwareAuthPolicy(ARMChallengeAuthenticationPolicy):
    """ARM bearer-token policy that permits plain http to loopback hosts only."""

    def on_request(self, request: Any) -> None:
        if is_loopback(request.http_request.url):
            request.context["enforce_https"] = False
        super().on_request(request)


class CappedRetryPolicy(RetryPolicy):
    """azure-core's retry policy (honours ``Retry-After`` on 429/503), with the wait capped."""

    def __init__(self, *, max_retry_after_s: float = 30.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_retry_after_s = max_retry_after_s

    def get_retry_after(self, response: Any) -> float | None:
        value = super().get_retry_after(response)
        return None if value is None else min(value, self.max_retry_after_s)


@dataclass(frozen=True)
class AzureSettings:
    """Endpoint, credential and transport limits of one collection."""

    endpoint: str = PUBLIC_ARM
    token: str | None = None
    scope: str | None = None
    retry_total: int = 4
    retry_backoff_s: float = 0.8
    max_retry_after_s: float = 30.0
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 30.0
    page_size: int = 1000

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: Any) -> AzureSettings:
        env = os.environ if env is None else env
        values: dict[str, Any] = {
            "endpoint": (env.get(ENV_ENDPOINT) or PUBLIC_ARM).rstrip("/"),
            "token": env.get(ENV_TOKEN) or None,
            "scope": env.get(ENV_SCOPE) or None,
        }
        values.update(overrides)
        return cls(**values)

    @property
    def credential_scope(self) -> str:
        if self.scope:
            return self.scope
        if self.endpoint.rstrip("/") == PUBLIC_ARM or is_loopback(self.endpoint):
            return f"{PUBLIC_ARM}/.default"
        return f"{self.endpoint.rstrip('/')}/.default"


def make_credential(settings: AzureSettings) -> Any:
    if settings.token:
        return StaticTokenCredential(settings.token)
    from azure.identity import DefaultAzureCredential

    return DefaultAzureCredential(exclude_interactive_browser_credential=True)


def _client_kwargs(settings: AzureSettings, credential: Any) -> dict[str, Any]:
    return {
        "base_url": settings.endpoint,
        "credential_scopes": [settings.credential_scope],
        "authentication_policy": LoopbackAwareAuthPolicy(credential, settings.credential_scope),
        "retry_policy": CappedRetryPolicy(
            retry_total=settings.retry_total, retry_connect=1, retry_read=1, retry_status=settings.retry_total,
            retry_backoff_factor=settings.retry_backoff_s, retry_backoff_max=30,
            max_retry_after_s=settings.max_retry_after_s,
        ),
        "transport": RequestsTransport(connection_timeout=settings.connect_timeout_s,
                                       read_timeout=settings.read_timeout_s),
        "user_agent": USER_AGENT,
    }


class AzureClients:
    """The three SDK clients of one collection, created once per subscription, nothing global."""

    def __init__(self, settings: AzureSettings, credential: Any) -> None:
        self.settings = settings
        self.credential = credential
        self._resource: dict[str, Any] = {}
        self._subscriptions: Any = None
        self._graph: Any = None
        self._lock = threading.RLock()  # subscriptions are collected several at a time

    def subscriptions(self) -> Any:
        with self._lock:
            return self._subscriptions_client()

    def _subscriptions_client(self) -> Any:
        if self._subscriptions is None:
            from azure.mgmt.resource.subscriptions import SubscriptionClient

            self._subscriptions = SubscriptionClient(self.credential, **_client_kwargs(self.settings, self.credential))
        return self._subscriptions

    def resources(self, subscription_id: str) -> Any:
        with self._lock:
            return self._resources_client(subscription_id)

    def _resources_client(self, subscription_id: str) -> Any:
        if subscription_id not in self._resource:
            from azure.mgmt.resource.resources import ResourceManagementClient

            self._resource[subscription_id] = ResourceManagementClient(
                self.credential, subscription_id, **_client_kwargs(self.settings, self.credential))
        return self._resource[subscription_id]

    def graph(self) -> Any:
        with self._lock:
            return self._graph_client()

    def _graph_client(self) -> Any:
        if self._graph is None:
            from azure.mgmt.resourcegraph import ResourceGraphClient

            self._graph = ResourceGraphClient(self.credential, **_client_kwargs(self.settings, self.credential))
        return self._graph

    def close(self) -> None:
        for client in [*self._resource.values(), self._subscriptions, self._graph]:
            if client is not None:
                client.close()
