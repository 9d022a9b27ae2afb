"""Schedule expressions (AWS's ``rate(...)`` and ``cron(...)``, which other providers' schedules are
written in by their collectors) read as the time between runs: what a copy's RPO is bounded by."""

from __future__ import annotations

import re

_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$", re.I)


_CRON = re.compile(r"^cron\((.+)\)$", re.I)


def schedule_interval(expression: str | None) -> float | None:
    """Seconds between runs of an AWS schedule expression (``rate(...)``, ``cron(...)``); ``None``
    when it cannot be read. Cron: the smallest period its fields allow (a conservative reading for
    lists: 24h divided by the number of hours listed, ignoring uneven spacing)."""
    if not expression:
        return None
    text = expression.strip()
    m = _RATE.match(text)
    if m:
        count, unit = int(m.group(1)), m.group(2).lower().rstrip("s")
        return float(count * {"minute": 60, "hour": 3600, "day": 86400}[unit])
    m = _CRON.match(text)
    if not m:
        return None
    fields = m.group(1).split()
    if len(fields) < 5:
        return None
    minute, hour, dom, _month, dow = fields[:5]
    for number, day in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), start=1):
        dow = dow.upper().replace(day, str(number))

    def count(field: str, size: int) -> int | None:
        if field in ("*", "?"):
            return size
        if field.startswith("*/") and field[2:].isdigit():
            return max(1, size // int(field[2:]))
        if "/" in field:
            start, step = field.split("/", 1)
            return max(1, size // int(step)) if step.isdigit() else None
        parts = field.split(",")
        if all(p.isdigit() for p in parts):
            return len(parts)
        if all(re.fullmatch(r"\d+-\d+", p) for p in parts):
            return sum(int(p.split("-")[1]) - int(p.split("-")[0]) + 1 for p in parts)
        return None

    per_hour = count(minute, 60)
    per_day = count(hour, 24)
    if per_hour is None or per_day is None:
        return None
    runs_per_day = per_day * (per_hour if minute in ("*",) or minute.startswith("*/") or "/" in minute
                              or "," in minute else 1)
    if dom not in ("*", "?") or dow not in ("*", "?"):
        days = count(dow, 7) if dow not in ("*", "?") else None
        if days:
            return 7 * 86400 / (days * runs_per_day)
        days = count(dom, 30) if dom not in ("*", "?") else None
        if days:
            return 30 * 86400 / (days * runs_per_day)
    return 86400 / runs_per_day
