"""Durations as the policy file writes them (``30s``, ``15m``, ``4h``, ``2d``, ``0``) and as people read them."""

from __future__ import annotations

import math
import re

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")


def parse_duration(value: object) -> int:
    """Seconds for ``value``; raises ``ValueError`` with a message naming the problem."""
    if isinstance(value, bool):
        raise ValueError(f"bad duration {value!r}: expected e.g. 30s, 15m, 4h, 2d or 0")
    if isinstance(value, int | float):
        if value == 0:
            return 0
        raise ValueError(f"ambiguous duration {value!r}: add a unit (s, m, h, d), e.g. {value}m")
    if isinstance(value, str):
        if value.strip() == "0":
            return 0
        m = _PATTERN.match(value)
        if m:
            return int(round(float(m.group(1)) * _UNITS[m.group(2)]))
    raise ValueError(f"bad duration {value!r}: expected e.g. 30s, 15m, 4h, 2d or 0")


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
