"""A local HTTP server that serves recorded cloud API responses (Azure ARM, Google Cloud Asset).

Used by the multi-cloud tests and by the bundled demo: the *real* SDK clients are pointed at it
through the documented endpoint variables (``AZURE_RESOURCE_MANAGER_ENDPOINT``,
``GOOGLE_CLOUD_ASSET_ENDPOINT``), so paging, retries, authentication headers and error mapping
all run through the SDKs' own code. It listens on 127.0.0.1 only and records every call it
answers (method, path, query), which the least-privilege test compares with the documented
permissions.

A recording is plain JSON::

    {"routes": [
      {"method": "GET", "path": "/subscriptions",            # exact path, compared case-insensitively
       "query": {"$skiptoken": "p2"},                       # optional: these query values must be present
       "body": {"options.$skipToken": null},                # optional: JSON body fields (dotted); null = absent
       "body_contains": ["microsoft.storage"],              # optional: substrings of the body (case-insensitive)
       "operation": "Microsoft.Resources/subscriptions/read",  # optional: the permission the call needs
       "response": {"status": 200, "headers": {}, "body": {...}}},   # or "responses": [...] served in turn
    ]}

The most specific matching route wins (most query/body criteria), ties go to the first listed;
routes added with :meth:`RecordedServer.add` (fault injection) win over the recording.
``"responses"`` are served in order and the last one repeats. A response with ``"hang": true``
accepts the request and never answers (a dead endpoint). The string ``{base}`` anywhere in a body
or header is replaced with the server's base URL (``http://127.0.0.1:PORT``), so ``nextLink``
values point back at the server; ``{now-26h}`` (or ``{now-3d}``, ``{now}``) with the UTC time of the
response (the server's ``clock``: the wall clock, or the demo's scan time; RFC 3339 as Google APIs write it),
so a recorded copy has the same age whenever it is served.
No request leaves the machine.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass
class Call:
    """One request the server answered."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    authorization: str
    status: int
    operation: str
    at: float


@dataclass
class Route:
    method: str
    path: str
    responses: list[dict[str, Any]]
    query: dict[str, Any] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)
    body_contains: list[str] = field(default_factory=list)
    operation: str = ""
    served: int = 0
    override: bool = False  # added with ``add``: wins over every recorded route it matches

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Route:
        responses = list(data.get("responses") or [data.get("response") or {"status": 200, "body": {}}])
        contains = data.get("body_contains") or []
        if isinstance(contains, str):
            contains = [contains]
        return cls(
            method=str(data.get("method", "GET")).upper(),
            path=str(data["path"]),
            responses=responses,
            query=dict(data.get("query") or {}),
            body=dict(data.get("body") or {}),
            body_contains=[c.lower() for c in contains],
            operation=str(data.get("operation", "")),
        )

    @property
    def specificity(self) -> int:
        return len(self.query) + len(self.body) + len(self.body_contains)

    def matches(self, method: str, path: str, query: dict[str, list[str]], raw_body: str, body: Any) -> bool:
        if method != self.method or path.rstrip("/").lower() != self.path.rstrip("/").lower():
            return False
        lowered_query = {k.lower(): v for k, v in query.items()}
        for key, want in self.query.items():
            got = lowered_query.get(key.lower())
            if want is None:
                if got:
                    return False
                continue
            if not got or str(want) not in got:
                return False
        for dotted, want in self.body.items():
            if _dig(body, dotted) != want:
                return False
        lowered_body = raw_body.lower()
        return all(c in lowered_body for c in self.body_contains)

    def next_response(self) -> dict[str, Any]:
        response = self.responses[min(self.served, len(self.responses) - 1)]
        self.served += 1
        return response


def _dig(data: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(data, Mapping) or part not in data:
            return None
        data = data[part]
    return data


_NOW = re.compile(r"\{now(?:-(\d+)([hd]))?\}")


def _template(value: Any, base: str, now: dt.datetime) -> Any:
    if isinstance(value, str):
        value = value.replace("{base}", base)
        if "{now" not in value:
            return value

        def relative(match: re.Match) -> str:
            amount, unit = match.group(1), match.group(2)
            ago = dt.timedelta(**{"hours" if unit == "h" else "days": int(amount)}) if amount else dt.timedelta()
            return (now - ago).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")

        return _NOW.sub(relative, value)
    if isinstance(value, list):
        return [_template(v, base, now) for v in value]
    if isinstance(value, dict):
        return {k: _template(v, base, now) for k, v in value.items()}
    return value


def load_recording(package: str, name: str) -> list[dict[str, Any]]:
    """The routes of a recording shipped as package data (``importlib.resources``)."""
    text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
    return list(json.loads(text)["routes"])


class RecordedServer:
    """``with RecordedServer(routes) as server: ... server.base_url ... server.calls``."""

    def __init__(self, routes: Iterable[Mapping[str, Any]] = (), *, require_auth: bool = True,
                 clock: Callable[[], dt.datetime] | None = None) -> None:
        self._routes = [Route.from_dict(r) for r in routes]
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.require_auth = require_auth
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))  # what ``{now}`` in a response means
        self.calls: list[Call] = []
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- routes -------------------------------------------------------------------------
    def add(self, route: Mapping[str, Any]) -> Route:
        """Add a route that wins over every recorded route it matches (fault injection)."""
        new = Route.from_dict(route)
        new.override = True
        with self._lock:
            self._routes.insert(0, new)
        return new

    def _match(self, method: str, path: str, query: dict[str, list[str]], raw: str, body: Any) -> Route | None:
        with self._lock:
            best: Route | None = None
            for route in self._routes:
                if route.matches(method, path, query, raw, body) and (
                    best is None or (route.override, route.specificity) > (best.override, best.specificity)
                ):
                    best = route
            return best

    # --- lifecycle ----------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "server not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> RecordedServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body are separate writes: avoid the 40 ms ACK stall

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
                return

            def _handle(self) -> None:
                server._serve(self)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="recorded-api", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> RecordedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- serving ------------------------------------------------------------------------
    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        split = urlsplit(handler.path)
        path = unquote(split.path)
        query = parse_qs(split.query, keep_blank_values=True)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length).decode("utf-8", "replace") if length else ""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        auth = handler.headers.get("Authorization", "")
        route = self._match(handler.command, path, query, raw, body)
        if self.require_auth and not auth.startswith("Bearer "):
            response = {"status": 401, "body": {"error": {"code": "AuthenticationFailed",
                                                           "message": "no bearer token"}}}
        elif route is None:
            response = {"status": 404, "body": {"error": {"code": "NotFound", "status": "NOT_FOUND",
                                                           "message": f"no recording for {handler.command} {path}"}}}
        else:
            response = route.next_response()
        status = int(response.get("status", 200))
        with self._lock:
            self.calls.append(Call(method=handler.command, path=path, query=query, body=body, authorization=auth,
                                   status=status, operation=route.operation if route else "", at=time.monotonic()))
        if response.get("hang"):
            self._stop.wait(timeout=float(response.get("hang_s", 30)))
            handler.close_connection = True
            return
        base = self.base_url
        now = self.clock()
        payload = json.dumps(_template(response.get("body", {}), base, now)).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(payload)))
        for key, value in _template(response.get("headers", {}), base, now).items():
            handler.send_header(key, str(value))
        handler.end_headers()
        handler.wfile.write(payload)

    def operations(self) -> set[str]:
        """The permissions (route ``operation``) of every call answered with a success."""
        with self._lock:
            return {c.operation for c in self.calls if c.operation and c.status < 400}


class DeadEndpoint:
    """A socket on 127.0.0.1 that accepts connections and never answers (a black-holed endpoint)."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.2)
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="dead-endpoint", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._sock.getsockname()[:2]
        return f"http://{host}:{port}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            self._held.append(conn)

    def __enter__(self) -> DeadEndpoint:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        for conn in self._held:
            conn.close()
        self._sock.close()
