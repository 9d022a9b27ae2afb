"""Plain helpers for the AWS collector tests (fixtures live in conftest.py)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import boto3
from resilience.rules import REGISTRY

from resilience.collectors.aws import collect
from resilience.collectors.aws.common import Scope
from resilience.policy import parse_policy
from resilience.scan import analyse

DATA = Path(__file__).parent / "data"
ACCOUNT = "123456789012"
REGION = "me-central-1"
OBSERVED_AT = "2026-03-01T00:00:00Z"
ZONE_IDS = {"me-central-1a": "mec1-az1", "me-central-1b": "mec1-az2", "me-central-1c": "mec1-az3"}


def load(name: str) -> dict[str, Any]:
    """A recorded response body: ``data/<service>/<operation>.json``."""
    return json.loads((DATA / f"{name}.json").read_text())


def scope(region: str = REGION) -> Scope:
    return Scope(account=ACCOUNT, partition="aws", region=region, observed_at=OBSERVED_AT)


def new_session(region: str = REGION) -> boto3.Session:
    return boto3.Session(region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing")


def by_id(inventory: Any) -> dict[str, Any]:
    return {r.id: r for r in inventory.resources}


def edges_of(inventory: Any, kind: str | None = None) -> set[tuple[str, str, str]]:
    return {(e.src, e.dst, e.kind) for e in inventory.edges if kind is None or e.kind == kind}


def coverage_of(inventory: Any) -> dict[tuple[str, str], Any]:
    return {(c.region, c.service): c for c in inventory.coverage}


IDENTITY = {"UserId": "AIDATEST", "Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/auditor"}


def stub(factory: Any, service: str, region: str, calls: list[tuple[str, Any]]) -> Any:
    """A botocore Stubber on the factory's (service, region) client, replaying ``calls`` in order.

    A call is ``(operation, response body)`` or ``(operation, ("error", code, http status))``.
    Stubber checks every response body against botocore's output shape.
    """
    from botocore.stub import Stubber

    stubber = Stubber(factory.client(service, region))
    for operation, response in calls:
        if isinstance(response, tuple) and response[0] == "error":
            stubber.add_client_error(operation, service_error_code=response[1], http_status_code=response[2])
        else:
            stubber.add_response(operation, response)
    stubber.activate()
    return stubber


def zones(region: str) -> dict[str, Any]:
    """A DescribeAvailabilityZones answer for a region (``me-central-1a`` -> ``mec1-az1``...)."""
    prefix = {"me-central-1": "mec1", "me-south-1": "mes1", "eu-west-1": "euw1"}[region]
    return {
        "AvailabilityZones": [
            {"ZoneName": f"{region}{letter}", "ZoneId": f"{prefix}-az{i}", "RegionName": region, "State": "available"}
            for i, letter in enumerate("abc", start=1)
        ]
    }


# --- blind-estate soundness tests: an estate collected from in-process moto and run through chosen rules -----
BLIND_PRIMARY, BLIND_DR = "me-central-1", "eu-central-1"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def tagged_policy(workload: str, objectives: str) -> Any:
    """A policy with one workload, matched by the tag ``workload=NAME``, and its objectives."""
    return parse_policy(f"version: 1\nworkloads:\n  {workload}:\n    match: {{tags: {{workload: {workload}}}}}\n"
                        f"    objectives: {objectives}\n", "test.yaml")


def collect_and_judge(session: Any, policy: Any, services: list[str], rules: Any,
                      regions: tuple[str, ...] = (BLIND_PRIMARY, BLIND_DR)) -> tuple[Any, list[Any]]:
    """``(inventory, findings)``: ``services`` collected in ``regions``, judged by the rules whose ids are given."""
    inv = collect(session, list(regions), observed_at=utc_now().isoformat(), max_workers=2, services=services)
    return inv, analyse(inv, policy, scan_time=utc_now(), rules=tuple(r for r in REGISTRY if r.id in rules)).findings


def finding_of(findings: list[Any], rule: str, disruption: str | None = None, resource: str | None = None) -> Any:
    """The first finding of ``rule`` (for ``disruption`` and ``resource`` when given)."""
    return next(f for f in findings if f.rule == rule
                and (disruption is None or f.evidence.get("observed", {}).get("disruption") == disruption)
                and (resource is None or f.resource == resource))

