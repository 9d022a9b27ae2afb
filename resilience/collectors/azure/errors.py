"""Turn a failed Azure read into a coverage status (``denied`` / ``error`` / ``unreachable``)."""

from __future__ import annotations

from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ServiceRequestError,
    ServiceResponseError,
)

from resilience.collectors.multicloud import clip

DENIED = "denied"
ERROR = "error"
UNREACHABLE = "unreachable"

DENIED_CODES = frozenset({
    "AuthorizationFailed", "AuthenticationFailed", "InvalidAuthenticationToken",
    "InvalidAuthenticationTokenTenant", "ExpiredAuthenticationToken", "LinkedAuthorizationFailed",
    "Forbidden", "SubscriptionNotFound", "DisallowedByAzure", "RequestDisallowedByPolicy",
    "AuthorizationFailure",
})
THROTTLING_CODES = frozenset({"TooManyRequests", "RateLimiting", "ThrottledRequest", "Throttled",
                              "SubscriptionRequestsThrottled", "TenantRequestsThrottled"})


def error_code(exc: BaseException) -> str:
    error = getattr(exc, "error", None)
    code = getattr(error, "code", None) if error is not None else None
    return str(code or "")


def classify(exc: BaseException) -> tuple[str, str]:
    if isinstance(exc, ClientAuthenticationError):
        return DENIED, _detail(exc)
    if isinstance(exc, ServiceRequestError | ServiceResponseError):
        return UNREACHABLE, _detail(exc)
    if isinstance(exc, HttpResponseError):
        status = exc.status_code
        code = error_code(exc)
        if status in (401, 403) or code in DENIED_CODES:
            return DENIED, _detail(exc)
        if status == 429 or code in THROTTLING_CODES:
            return ERROR, clip(_detail(exc) + " (throttled; gave up after the retries)")
        return ERROR, _detail(exc)
    if type(exc).__name__ in ("ConnectionError", "Timeout", "ReadTimeout", "ConnectTimeout"):
        return UNREACHABLE, _detail(exc)
    return ERROR, _detail(exc)


def _detail(exc: BaseException) -> str:
    code = error_code(exc)
    error = getattr(exc, "error", None)
    message = (getattr(error, "message", None) if error is not None else None) or getattr(exc, "message", None) \
        or str(exc) or type(exc).__name__
    message = " ".join(str(message).split())
    status = getattr(exc, "status_code", None)
    prefix = f"{status} {code}: " if status and code else (f"{code}: " if code else f"{type(exc).__name__}: ")
    if code and message.startswith(f"({code})"):
        message = message[len(code) + 2:].strip()
    return clip(prefix + message)
