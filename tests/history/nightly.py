"""A generated year of nightly scans: one real findings.json of the demo estate, transformed.

The baseline night is the demo's findings with every failing/unknown result turned to pass (so the
planted exceptions are the only ones). Planted, by day number (day 1 = ``START``):

- ``PLANTED`` (one result mapped to SOC2:A1.2, severity high) fails from day 40 and is fixed on day 52;
- no scan on days 100 and 200;
- the scan of day 300 has a denied read (incomplete coverage).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

START = dt.date(2026, 1, 1)
DAYS = 365
OPEN_DAY, FIXED_DAY = 40, 52
MISSING_DAYS = (100, 200)
GAP_DAY = 300
CONTROL = "SOC2:A1.2"


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n - 1)


def baseline(demo: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(demo)
    for f in doc["findings"]:
        if f["status"] in ("fail", "unknown"):
            f["status"] = "pass"
    doc.pop("baseline", None)
    return doc


def planted(doc: dict[str, Any]) -> dict[str, Any]:
    """The result planted as the exception: the first high-severity result mapped to CONTROL."""
    return next(f for f in doc["findings"] if CONTROL in f["controls"] and f["severity"] == "high"
                and f["status"] == "pass")


def night(base: dict[str, Any], n: int) -> bytes:
    """The findings.json bytes of night ``n`` (a shallow transform of ``base``)."""
    when = dt.datetime.combine(day(n), dt.time(2, 0), tzinfo=dt.UTC)
    doc = dict(base)
    doc["scan"] = {**base["scan"], "id": f"nightly-{n:03d}", "started_at": when.isoformat(),
                   "finished_at": (when + dt.timedelta(minutes=7)).isoformat()}
    target = planted(base)["id"]
    if OPEN_DAY <= n < FIXED_DAY:
        doc["findings"] = [{**f, "status": "fail"} if f["id"] == target else f for f in base["findings"]]
    if n == GAP_DAY:
        doc["coverage"] = [*base["coverage"], {"provider": "aws", "account": "123456789012",
                                               "region": "me-south-1", "service": "rds", "status": "denied",
                                               "detail": "AccessDenied: rds:DescribeDBInstances"}]
    return (json.dumps(doc, separators=(",", ":")) + "\n").encode()


def nights(base: dict[str, Any], upto: int = DAYS):
    for n in range(1, upto + 1):
        if n not in MISSING_DAYS:
            yield n, night(base, n)
