"""Every list is read to its end: a botocore paginator where one exists, a token loop otherwise."""

from __future__ import annotations

from typing import Any

#: safety stop for token loops against an API that keeps returning the same token
MAX_PAGES = 10_000


def paginate(client: Any, operation: str, result_key: str, **params: Any) -> list[Any]:
    """All items under ``result_key`` across every page of ``operation`` (snake_case name)."""
    if client.can_paginate(operation):
        items: list[Any] = []
        for page in client.get_paginator(operation).paginate(**params):
            items.extend(page.get(result_key) or [])
        return items
    return token_loop(client, operation, result_key, **params)


def token_loop(
    client: Any,
    operation: str,
    result_key: str,
    *,
    token_in: str = "nextToken",
    token_out: str = "nextToken",
    **params: Any,
) -> list[Any]:
    """Manual pagination for operations botocore has no paginator for."""
    call = getattr(client, operation)
    items: list[Any] = []
    token: str | None = None
    for _ in range(MAX_PAGES):
        page = call(**params, **({token_in: token} if token else {}))
        items.extend(page.get(result_key) or [])
        new_token = page.get(token_out)
        if not new_token or new_token == token:
            return items
        token = new_token
    raise RuntimeError(f"{operation}: more than {MAX_PAGES} pages")
