"""Durations as the policy file writes them (``30s``, ``15m``, ``4h``, ``2d``, ``0``, and compound:
``1h10m``, ``1d12h``, the form :func:`format_duration` writes) and as people read them."""

from __future__ import annotations

import math
import re

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([smhdw])")
_EXPECTED = "expected e.g. 30s, 15m, 4h, 2d, 1h10m or 0"


def parse_duration(value: object) -> int:
    """Seconds for ``value``; raises ``ValueError`` with a message naming the problem."""
    if isinstance(value, bool):
        raise ValueError(f"bad duration {value!r}: {_EXPECTED}")
    if isinstance(value, int | float):
        if value == 0:
            return 0
        raise ValueError(f"ambiguous duration {value!r}: add a unit (s, m, h, d), e.g. {value}m")
    if isinstance(value, str):
        if value.strip() == "0":
            return 0
        seconds = _compound(value)
        if seconds is not None:
            return seconds
    raise ValueError(f"bad duration {value!r}: {_EXPECTED}")


def _compound(text: str) -> int | None:
    """Seconds for one or more ``<number><unit>`` parts, largest unit first, each unit once
    (``1h10m``, ``1d 12h``, ``90m``); ``None`` when ``text`` is not of that form."""
    total, end, last = 0.0, 0, None
    for m in _PART.finditer(text):
        if m.start() != end:
            return None
        size = _UNITS[m.group(2)]
        if last is not None and size >= last:  # 10m1h, 1h1h: a typo, not a duration
            return None
        total, end, last = total + float(m.group(1)) * size, m.end(), size
    if last is None or text[end:].strip():
        return None
    return int(round(total))


def format_duration(seconds: float | None) -> str:
    """Short human form: ``90`` -> ``1m30s``; ``None`` or infinity -> ``unbounded``."""
    if seconds is None or (isinstance(seconds, float) and math.isinf(seconds)):
        return "unbounded"
    seconds = int(round(seconds))
    if seconds == 0:
        return "0s"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            count, seconds = divmod(seconds, size)
            parts.append(f"{count}{unit}")
    return "".join(parts[:2])
