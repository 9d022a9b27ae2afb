"""Google Cloud credentials, the Cloud Asset endpoint, retries honouring ``Retry-After``.

Environment (see ``examples/gcp/README.md``):

- ``GOOGLE_CLOUD_ASSET_ENDPOINT``: Cloud Asset API endpoint (default ``cloudasset.googleapis.com``,
  https). A value with a scheme (``http://127.0.0.1:8080``) is used as given: the REST transport
  accepts plain http, which the local recorded-response server of the tests and demo needs.
- ``GOOGLE_CLOUD_SQLADMIN_ENDPOINT``: Cloud SQL Admin API endpoint for backup runs (default
  ``https://sqladmin.googleapis.com``; a scheme is required).
- ``GOOGLE_CLOUD_SPANNER_ENDPOINT`` / ``GOOGLE_CLOUD_FIRESTORE_ENDPOINT``: the Spanner and Firestore Admin
  REST endpoints for backups and backup schedules (defaults ``https://spanner.googleapis.com``,
  ``https://firestore.googleapis.com``; a scheme is required).
- ``GOOGLE_OAUTH_ACCESS_TOKEN``: a pre-issued OAuth bearer token, used instead of Application
  Default Credentials (as other Google tooling reads it).

The collector calls the Cloud Asset API (``ListAssets`` with content type ``RESOURCE``) over REST
(``transport="rest"``), and the service APIs for what Cloud Asset does not hold: when each Cloud SQL
instance's backups last succeeded (``backupRuns.list``), and the backups and backup schedules of Spanner
instances and Firestore databases.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

ENV_ENDPOINT = "GOOGLE_CLOUD_ASSET_ENDPOINT"
ENV_TOKEN = "GOOGLE_OAUTH_ACCESS_TOKEN"
ENV_SQLADMIN_ENDPOINT = "GOOGLE_CLOUD_SQLADMIN_ENDPOINT"
ENV_SPANNER_ENDPOINT = "GOOGLE_CLOUD_SPANNER_ENDPOINT"
ENV_FIRESTORE_ENDPOINT = "GOOGLE_CLOUD_FIRESTORE_ENDPOINT"
DEFAULT_ENDPOINT = "cloudasset.googleapis.com"
DEFAULT_SQLADMIN_ENDPOINT = "https://sqladmin.googleapis.com"
DEFAULT_SPANNER_ENDPOINT = "https://spanner.googleapis.com"
DEFAULT_FIRESTORE_ENDPOINT = "https://firestore.googleapis.com"
SCOPES = ("https://www.googleapis.com/auth/cloud-platform",)


@dataclass(frozen=True)
class GcpSettings:
    endpoint: str = DEFAULT_ENDPOINT
    token: str | None = None
    max_attempts: int = 5
    backoff_s: float = 1.0
    max_retry_after_s: float = 30.0
    timeout_s: float = 30.0
    page_size: int = 500
    sqladmin_endpoint: str = DEFAULT_SQLADMIN_ENDPOINT
    spanner_endpoint: str = DEFAULT_SPANNER_ENDPOINT
    firestore_endpoint: str = DEFAULT_FIRESTORE_ENDPOINT

    def with_rest_endpoint(self, base: str) -> GcpSettings:
        """Every REST service API at ``base`` (the local recorded-response server of the tests and demo)."""
        return replace(self, sqladmin_endpoint=base, spanner_endpoint=base, firestore_endpoint=base)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: Any) -> GcpSettings:
        env = os.environ if env is None else env
        values: dict[str, Any] = {"endpoint": env.get(ENV_ENDPOINT) or DEFAULT_ENDPOINT,
                                  "token": env.get(ENV_TOKEN) or None,
                                  "sqladmin_endpoint": (env.get(ENV_SQLADMIN_ENDPOINT)
                                                        or DEFAULT_SQLADMIN_ENDPOINT).rstrip("/"),
                                  "spanner_endpoint": (env.get(ENV_SPANNER_ENDPOINT)
                                                       or DEFAULT_SPANNER_ENDPOINT).rstrip("/"),
                                  "firestore_endpoint": (env.get(ENV_FIRESTORE_ENDPOINT)
                                                         or DEFAULT_FIRESTORE_ENDPOINT).rstrip("/")}
        values.update(overrides)
        return cls(**values)


def make_credentials(settings: GcpSettings) -> tuple[Any, str | None]:
    """``(credentials, default project)``: the static token, or Application Default Credentials."""
    if settings.token:
        from google.oauth2.credentials import Credentials

        return Credentials(token=settings.token), None
    import google.auth

    credentials, project = google.auth.default(scopes=list(SCOPES))
    return credentials, project


def asset_client(settings: GcpSettings, credentials: Any) -> Any:
    from google.api_core.client_options import ClientOptions
    from google.cloud import asset_v1

    return asset_v1.AssetServiceClient(credentials=credentials, transport="rest",
                                       client_options=ClientOptions(api_endpoint=settings.endpoint))


def rest_session(credentials: Any) -> Any:
    """An authorised ``requests`` session for the REST APIs without a GAPIC client here (Cloud SQL Admin,
    Spanner and Firestore Admin)."""
    from google.auth.transport.requests import AuthorizedSession

    return AuthorizedSession(credentials)


class RetryAfter:
    """A GAPIC ``retry`` that retries 429/503/500 with the server's ``Retry-After`` (capped), else
    exponential backoff with jitter; ``max_attempts`` in all. The pager reuses it for every page."""

    def __init__(self, *, max_attempts: int = 5, backoff_s: float = 1.0, max_retry_after_s: float = 30.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.max_attempts = max_attempts
        self.backoff_s = backoff_s
        self.max_retry_after_s = max_retry_after_s
        self._sleep = sleep
        self.attempts = 0  # of the last call, for error messages

    def __call__(self, func: Callable[..., Any]) -> Callable[..., Any]:
        from google.api_core import exceptions

        retryable = (exceptions.TooManyRequests, exceptions.ResourceExhausted, exceptions.ServiceUnavailable,
                     exceptions.InternalServerError, exceptions.BadGateway, exceptions.GatewayTimeout)

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            for attempt in range(1, self.max_attempts + 1):
                self.attempts = attempt
                try:
                    return func(*args, **kwargs)
                except retryable as exc:
                    if attempt >= self.max_attempts:
                        exc.attempts = attempt  # type: ignore[attr-defined]
                        raise
                    self._sleep(self._delay(exc, attempt))
            raise AssertionError("unreachable")  # pragma: no cover

        return wrapped

    def _delay(self, exc: Any, attempt: int) -> float:
        response = getattr(exc, "response", None)
        header = None
        if response is not None and getattr(response, "headers", None) is not None:
            header = response.headers.get("Retry-After")
        if header:
            try:
                return min(max(float(header), 0.0), self.max_retry_after_s)
            except ValueError:
                pass
        return min(self.backoff_s * (2 ** (attempt - 1)) * (0.5 + random.random() / 2), self.max_retry_after_s)
