"""Coverage: what the scan could not read is a finding of its own."""

from __future__ import annotations

from collections.abc import Iterator

from resilience.rule import Result, Rule, RuleContext


def _coverage_gaps(ctx: RuleContext) -> Iterator[Result]:
    """One result per (provider, account, region, service) read: ``pass`` when it succeeded,
    ``fail`` when it was denied, errored or unreachable. ``skipped`` scopes are reported as
    ``unknown``: nobody looked, so nobody can say."""
    for c in sorted(ctx.coverage, key=lambda c: (c.provider, c.account, c.region, c.service)):
        resource = f"coverage:{c.provider}/{c.account or '-'}/{c.region}/{c.service}"
        status = "pass" if c.ok else ("unknown" if c.status == "skipped" else "fail")
        message = (
            f"{c.provider} {c.service} in {c.region} was read"
            if c.ok
            else f"{c.provider} {c.service} in {c.region} could not be assessed ({c.status}): {c.detail}"
        )
        yield Result(
            status=status,
            resource=resource,
            message=message,
            observed={"status": c.status, "detail": c.detail, "account": c.account, "provider": c.provider},
            expected={"status": "ok"},
            source=f"{c.service} (collector)",
            resource_type="coverage",
            region=c.region,
            severity="high" if c.status == "denied" else None,
        )


COVERAGE_GAP = Rule(
    id="RES-COVERAGE-001",
    title="Part of the scope could not be assessed",
    category="coverage-gap",
    severity="medium",
    escalations=(("high", "the read was denied (a permission the scan lacks, not an outage)"),),
    controls=("SOC2:A1.2",),
    rationale=(
        "A region or service the scan could not read is not a clean region. Every rule that needs it "
        "answers 'unknown' rather than 'pass', and this finding names the gap so that an auditor sees "
        "what was not assessed (SOC 2 A1.2 evidence must state its population)."
    ),
    remediation=(
        "Grant the read-only permissions in examples/iam/ to the scanning role (an AccessDenied), check "
        "the region is enabled and reachable (a timeout), or narrow --scan-regions on purpose."
    ),
    provider_remediation=(
        ("azure", "Grant the read-only role in examples/azure/ (Reader, or the custom role there) to the scanning "
                  "identity (an AuthorizationFailed / 403), check the subscription and endpoint are reachable (a "
                  "timeout), or narrow --subscription / --scan-regions on purpose."),
        ("gcp", "Grant the read-only roles or the custom role in examples/gcp/ to the scanning identity on the "
                "project, folder or organization (a PERMISSION_DENIED / 403), enable the API the read calls and "
                "check its endpoint is reachable (GOOGLE_CLOUD_*_ENDPOINT; a timeout), or narrow --project / "
                "--scan-regions on purpose."),
    ),
    check=_coverage_gaps,
)

RULES = (COVERAGE_GAP,)
