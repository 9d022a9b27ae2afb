"""One botocore client per (service, region), created once and shared by the worker threads."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

USER_AGENT = "resilience-audit"


def client_config(*, max_attempts: int, connect_timeout: float, read_timeout: float) -> Config:
    """Adaptive retries (client-side rate limiting on throttles); ``max_attempts`` counts every
    attempt including the first (botocore's ``total_max_attempts``; its ``max_attempts`` key
    would count retries only)."""
    return Config(
        retries={"mode": "adaptive", "total_max_attempts": max_attempts},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        user_agent_extra=USER_AGENT,
    )


@dataclass(frozen=True)
class ClientOptions:
    """How a :class:`ClientFactory` makes its clients, without the session: what a Dask worker is sent to make
    its own (:mod:`.cluster`)."""

    max_attempts: int = 5
    connect_timeout: float = 5
    read_timeout: float = 20
    endpoint_overrides: tuple[tuple[str, str], ...] = ()


class ClientFactory:
    """Creates and caches clients from one :class:`boto3.Session`.

    boto3 sessions are not thread-safe, so creation is serialised; the clients themselves are.
    ``AWS_ENDPOINT_URL`` / ``AWS_ENDPOINT_URL_<SERVICE>`` are honoured by boto3 itself.
    ``endpoint_overrides`` maps ``"service:region"`` or ``"region"`` to an endpoint URL
    (a proxy, a VPC endpoint, a test server) and wins over the environment.
    """

    def __init__(
        self,
        session: boto3.Session,
        *,
        max_attempts: int = 5,
        connect_timeout: float = 5,
        read_timeout: float = 20,
        endpoint_overrides: Mapping[str, str] | None = None,
    ) -> None:
        self.session = session
        self.options = ClientOptions(max_attempts, connect_timeout, read_timeout,
                                     tuple(sorted((endpoint_overrides or {}).items())))
        self.config = client_config(
            max_attempts=max_attempts, connect_timeout=connect_timeout, read_timeout=read_timeout
        )
        self._overrides = dict(endpoint_overrides or {})
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_options(cls, session: boto3.Session, options: ClientOptions) -> ClientFactory:
        return cls(session, max_attempts=options.max_attempts, connect_timeout=options.connect_timeout,
                   read_timeout=options.read_timeout, endpoint_overrides=dict(options.endpoint_overrides))

    def endpoint_url(self, service: str, region: str) -> str | None:
        return self._overrides.get(f"{service}:{region}") or self._overrides.get(region)

    def client(self, service: str, region: str) -> Any:
        key = (service, region)
        with self._lock:
            if key not in self._clients:
                kwargs: dict[str, Any] = {"region_name": region, "config": self.config}
                url = self.endpoint_url(service, region)
                if url:
                    kwargs["endpoint_url"] = url
                self._clients[key] = self.session.client(service, **kwargs)
            return self._clients[key]
