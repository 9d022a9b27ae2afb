"""Which days an auditor samples: named dates, or N days drawn reproducibly (seeded) from the days
on which the history holds a scan (optionally within a period)."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select

from resilience.errors import InputError

from . import tables as t
from .store import HistoryStore


def scanned_days(store: HistoryStore, start: dt.date | None = None, end: dt.date | None = None) -> list[str]:
    query = select(t.scans.c.day).distinct()
    if start:
        query = query.where(t.scans.c.day >= start.isoformat())
    if end:
        query = query.where(t.scans.c.day <= end.isoformat())
    with store.begin() as conn:
        return sorted(r[0] for r in conn.execute(query))


def random_days(population: list[str], count: int, seed: int) -> list[str]:
    """``count`` days drawn without replacement; the same seed and population give the same days."""
    if count < 1:
        raise InputError("--random: the sample size must be at least 1")
    if count > len(population):
        raise InputError(f"--random {count}: only {len(population)} days with a scan to sample from")
    return sorted(random.Random(seed).sample(sorted(population), count))


def named_days(values: tuple[str, ...]) -> list[str]:
    days = []
    for value in values:
        try:
            days.append(dt.date.fromisoformat(value).isoformat())
        except ValueError:
            raise InputError(f"--dates: not a date (YYYY-MM-DD): {value!r}") from None
    return sorted(set(days))
