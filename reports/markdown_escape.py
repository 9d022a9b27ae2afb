"""Markdown that never carries raw HTML from the estate (resource names, tags, messages).

Markdown renderers pass inline HTML through: a bucket named ``<script>…`` would run in a viewer that
renders ``report.md`` or ``tabletop.md``. Every value a Markdown template prints goes through
:func:`text` (Jinja's ``finalize``): ``<`` becomes an entity, which reads as the character
themselves (``>`` alone opens no tag and stays, so "a -> b" reads as written in the raw file; ``&`` is
escaped only where it would start an entity). Inside a code span entities are not decoded, so values meant for one are printed with the
``code`` filter instead (a code span is inert already). Shared by ``report.md`` and the tabletop pack.
"""

from __future__ import annotations

import re
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

_ENTITY_START = re.compile(r"&(?=#?[0-9A-Za-z]+;)")


def text(value: Any) -> Any:
    """A printed value, safe as Markdown text; ``Markup`` (already safe) passes unchanged."""
    if isinstance(value, Markup) or value is None:
        return value
    return _ENTITY_START.sub("&amp;", str(value)).replace("<", "&lt;")


def code(value: Any) -> Markup:
    """``value`` as a code span, fenced with more backticks than it contains (CommonMark)."""
    raw = str(value).replace("\n", " ")
    longest, run = 0, 0
    for ch in raw:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if raw.startswith("`") or raw.endswith("`") else ""
    return Markup(f"{fence}{pad}{raw}{pad}{fence}")


def apply(env: Environment) -> Environment:
    """Make ``env`` (autoescape off: Markdown) escape every printed value; adds the ``code`` filter.
    Call before compiling templates (``finalize`` is read at compile time)."""
    env.finalize = text
    env.filters["code"] = code
    return env
