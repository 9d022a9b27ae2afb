"""AWS Artifact: the metadata of AWS's own SOC 2 reports (never their content).

The vendor register (policy ``providers.aws``) says which SOC 2 report the company relies on; this
module reads what AWS Artifact lists — title, period start and end, version, series — so the register
can be compared with it every night. ``artifact:GetReport`` (which returns a download link to the
report itself) is deliberately not called: the report is confidential and not needed for the check.
Type (I/II) and opinion are not in the API; they stay register fields.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from resilience.model import ASSURANCE_REPORT, GLOBAL_REGION, Inventory

from .common import PARTITION_DEFAULT_REGION, Scope, inventory, iso
from .context import TaskContext
from .pagination import paginate

NAME = "artifact"
CLIENT = "artifact"
GLOBAL = True  # one catalogue per partition
OPT_IN = True  # read when the policy has a providers.aws register entry to compare with (see collect.py)
PERMISSIONS = ["artifact:GetReportMetadata", "artifact:ListReports"]
COVERAGE = {"artifact": "ListReports + GetReportMetadata (SOC 2 report metadata only)"}

_SOC2 = re.compile(r"\bSOC\s*-?\s*2\b", re.IGNORECASE)


# --- get -------------------------------------------------------------------------------------
def get_soc2_reports(client: Any) -> list[dict[str, Any]]:
    """Metadata of every SOC 2 report Artifact lists (the newest version of each)."""
    listed = paginate(client, "list_reports", "reports")
    return [
        client.get_report_metadata(reportId=r["id"], reportVersion=r["version"])["reportDetails"]
        for r in listed if is_soc2(r)
    ]


# --- transform -------------------------------------------------------------------------------
def is_soc2(report: Mapping[str, Any]) -> bool:
    return bool(_SOC2.search(" ".join(str(report.get(k) or "") for k in ("name", "series"))))


def transform_reports(reports: list[Mapping[str, Any]], scope: Scope) -> Inventory:
    out = inventory()
    for report in reports:
        if not is_soc2(report):
            continue
        out.resources.append(scope.resource(
            id=report.get("arn") or scope.arn("artifact", f"report/{report['id']}", region=""),
            kind=ASSURANCE_REPORT,
            type="AWS::Artifact::Report",
            name=report.get("name") or report["id"],
            source="artifact:GetReportMetadata",
            region=GLOBAL_REGION,
            attrs={
                "provider_of_report": "aws",
                "report_id": report["id"],
                "framework": "SOC 2",
                "series": report.get("series"),
                "category": report.get("category"),
                "version": report.get("version"),
                "period_start": _day(report.get("periodStart")),
                "period_end": _day(report.get("periodEnd")),
                "state": report.get("state"),
                "published_at": iso(report.get("createdAt")),
            },
        ))
    return out


def _day(value: Any) -> str | None:
    stamp = iso(value)
    return stamp[:10] if stamp else None


# --- collect ---------------------------------------------------------------------------------
def collect(ctx: TaskContext) -> Inventory:
    # the Artifact API is served from the partition's first region (us-east-1), whatever the home region
    client = ctx.client(CLIENT, PARTITION_DEFAULT_REGION.get(ctx.scope.partition, "us-east-1"))
    return transform_reports(get_soc2_reports(client), ctx.scope)
