"""Turn a failed read into a coverage status. A failure is never an empty result."""

from __future__ import annotations

from botocore.exceptions import (
    ClientError,
    HTTPClientError,
    NoCredentialsError,
    UnknownEndpointError,
)
from botocore.exceptions import (
    ConnectionError as BotoConnectionError,
)

from resilience.coverage_detail import readable

DENIED = "denied"
ERROR = "error"
UNREACHABLE = "unreachable"

DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "AccessDeniedFault",
        "AuthFailure",
        "AuthorizationError",
        "AuthorizationErrorException",
        "Forbidden",
        "InvalidClientTokenId",
        "OptInRequired",
        "UnauthorizedAccess",
        "UnauthorizedException",
        "UnauthorizedOperation",
        "UnrecognizedClientException",
    }
)

THROTTLING_CODES = frozenset(
    {
        "BandwidthLimitExceeded",
        "EC2ThrottledException",
        "PriorRequestNotComplete",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "RequestThrottledException",
        "SlowDown",
        "ThrottledException",
        "Throttling",
        "ThrottlingException",
        "TooManyRequestsException",
    }
)

class DeadlineExceeded(Exception):
    """The per-region deadline passed before the read finished."""


def error_code(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""


def classify(exc: BaseException) -> tuple[str, str]:
    """``(status, detail)`` for a failed read: ``denied``, ``error`` or ``unreachable``."""
    detail = _detail(exc)
    if isinstance(exc, ClientError):
        code = error_code(exc)
        status_code = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in DENIED_CODES or status_code == 403:
            return DENIED, detail
        if code in THROTTLING_CODES:
            attempts = exc.response.get("ResponseMetadata", {}).get("RetryAttempts")
            suffix = f" (throttled; gave up after {attempts + 1} attempts)" if attempts is not None else " (throttled)"
            return ERROR, readable(detail + suffix)
        return ERROR, detail
    if isinstance(exc, HTTPClientError | BotoConnectionError | DeadlineExceeded):
        return UNREACHABLE, detail
    if isinstance(exc, UnknownEndpointError):
        return ERROR, detail
    if isinstance(exc, NoCredentialsError):
        return DENIED, detail
    return ERROR, detail


def _detail(exc: BaseException) -> str:
    """The message, readable (an HTML error page reduced to its title, the length capped): done here for
    each failed read, before several are joined into one record (which is made readable again)."""
    text = str(exc) or type(exc).__name__
    if not isinstance(exc, ClientError | HTTPClientError | BotoConnectionError | DeadlineExceeded):
        text = f"{type(exc).__name__}: {text}"
    return readable(text)
