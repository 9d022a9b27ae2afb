"""Turn a failed Google Cloud read into a coverage status (``denied`` / ``error`` / ``unreachable``)."""

from __future__ import annotations

import re

from google.api_core import exceptions as gexc

from resilience.collectors.multicloud import clip

DENIED = "denied"
ERROR = "error"
UNREACHABLE = "unreachable"

_THROTTLED = (gexc.TooManyRequests, gexc.ResourceExhausted)


def classify(exc: BaseException) -> tuple[str, str]:
    import requests
    from google.auth import exceptions as auth_exc

    if isinstance(exc, gexc.PermissionDenied | gexc.Unauthenticated | gexc.Forbidden | gexc.Unauthorized):
        return DENIED, _detail(exc)
    if isinstance(exc, auth_exc.RefreshError | auth_exc.DefaultCredentialsError):
        return DENIED, _detail(exc)
    if isinstance(exc, _THROTTLED):
        attempts = getattr(exc, "attempts", None)
        suffix = f" (throttled; gave up after {attempts} attempts)" if attempts else " (throttled)"
        return ERROR, clip(_detail(exc) + suffix)
    if isinstance(exc, requests.exceptions.Timeout | requests.exceptions.ConnectionError
                  | auth_exc.TransportError | gexc.DeadlineExceeded):
        return UNREACHABLE, _detail(exc)
    if isinstance(exc, gexc.RetryError):
        cause = exc.cause
        if cause is not None:
            return classify(cause)
        return UNREACHABLE, _detail(exc)
    return ERROR, _detail(exc)


def _detail(exc: BaseException) -> str:
    if isinstance(exc, gexc.GoogleAPICallError):
        status = getattr(exc, "code", None)
        reason = getattr(exc, "reason", None) or ""
        message = re.sub(r"^[A-Z]+ \S+: ", "", str(exc.message))  # drop "GET <url>: "
        text = f"{int(status) if status else ''} {type(exc).__name__}: {message}".strip()
        if reason:
            text += f" [{reason}]"
        return clip(" ".join(text.split()))
    return clip(f"{type(exc).__name__}: {' '.join(str(exc).split())}")
