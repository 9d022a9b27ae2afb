import datetime as dt
import textwrap

import pytest

from resilience.durations import format_duration, parse_duration
from resilience.policy import PolicyError, load_policy, parse_policy

GOOD = textwrap.dedent(
    """\
    version: 1
    workloads:
      payments:
        match: {tags: {app: payments}}
        tier: critical
        objectives:
          region: {rto: 1h, rpo: 15m}
          az: {rto: 15m, rpo: 5m}
      batch:
        match: {resources: ["arn:aws:ec2:me-central-1:123456789012:instance/i-1"]}
        tier: critical
    tiers:
      critical: {region: {rto: 4h, rpo: 1h}, test_max_age: 90d}
    failover_tests:
      - workload: payments
        scenario: region
        date: 2026-09-14
        result: pass
        measured_rto: 50m
        measured_rpo: 2m
        evidence: https://tickets.example.com/DR-2231
    test_max_age: 365d
    failure_domains:
      gulf: [me-central-1, me-south-1]
    waivers:
      - category: backup-colocated
        resource: arn:aws:s3:::tmp-bucket
        reason: scratch data, rebuilt from source
        approved_by: cto@example.com
        expires: 2027-01-31
    """
)


def test_contract_example_loads_with_tier_inheritance():
    policy = parse_policy(GOOD, "resilience.yaml")
    assert policy.objectives_for("payments")["region"].rto == 3600
    assert policy.objectives_for("payments")["az"].rpo == 300
    # batch declares nothing itself: the tier's objectives apply
    assert policy.objectives_for("batch")["region"].rto == 4 * 3600
    assert "az" not in policy.objectives_for("batch")
    assert policy.test_max_age_for("payments") == 90 * 86400
    assert policy.failover_tests[0].date == dt.date(2026, 9, 14)
    assert policy.failover_tests[0].measured_rto == 3000
    assert policy.failure_domains == {"gulf": ("me-central-1", "me-south-1")}
    assert policy.waivers[0].expires == dt.date(2027, 1, 31)
    assert len(policy.sha256) == 64


@pytest.mark.parametrize(
    ("mutation", "line", "words"),
    [
        (("test_max_age: 365d", "test_max_age: 365"), 22, "ambiguous duration"),
        (("rpo: 15m}", "rpo: 15 minutes}"), 7, "bad duration"),
        (("version: 1", "version: 1\ncolour: blue"), 2, "unknown key 'colour'"),
        (("    scenario: region", "    scenario: moon"), 16, "scenario must be one of"),
        (("  - workload: payments", "  - workload: payrolls"), 15, "unknown workload 'payrolls'"),
        (("tier: critical\n    objectives", "tier: gold\n    objectives"), 5, "unknown tier 'gold'"),
        (("date: 2026-09-14", "date: yesterday"), 17, "must be a date"),
        (("      az: {rto: 15m, rpo: 5m}", "      moon: {rto: 15m, rpo: 5m}"), 8, "unknown key 'moon'"),
    ],
)
def test_errors_name_file_and_line(mutation, line, words):
    text = GOOD.replace(*mutation, 1)
    with pytest.raises(PolicyError) as info:
        parse_policy(text, "resilience.yaml")
    message = str(info.value)
    assert message.startswith(f"resilience.yaml:{line}: "), message
    assert words in message
    assert "\n" not in message


def test_unknown_waiver_category_rejected_when_categories_known():
    text = GOOD.replace("category: backup-colocated", "category: no-such-thing")
    with pytest.raises(PolicyError, match="unknown category 'no-such-thing'"):
        parse_policy(text, "p.yaml", known_categories=frozenset({"backup-colocated"}))


def test_invalid_yaml_and_missing_version(tmp_path):
    with pytest.raises(PolicyError, match=r"p.yaml:3: not valid YAML"):
        parse_policy("version: 1\nworkloads: [\n", "p.yaml")
    with pytest.raises(PolicyError, match="missing 'version: 1'"):
        parse_policy("workloads: {}\n", "p.yaml")
    with pytest.raises(PolicyError, match="cannot read policy file"):
        load_policy(tmp_path / "absent.yaml")


def test_expired_waiver_is_kept_not_rejected():
    policy = parse_policy(GOOD.replace("expires: 2027-01-31", "expires: 2020-01-31"), "p.yaml")
    assert policy.waivers[0].expired_on(dt.date(2026, 11, 26))
    assert policy.location(policy.waivers[0].line) == "p.yaml:26"


@pytest.mark.parametrize(
    ("text", "seconds"), [("30s", 30), ("15m", 900), ("4h", 14400), ("2d", 172800), ("0", 0), (0, 0), ("1.5h", 5400),
                          ("1h10m", 4200), ("1d12h", 129600), ("90m", 5400), ("1d 2h 3m 4s", 93784), ("2w1d", 1296000)]
)
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["", "15", 15, "m", "4 hours", True, None, "-5m",
                                 "10m1h", "1h1h", "1h10", "h10m", "1h-10m", "1h 10 minutes", "1h,10m"])
def test_bad_durations(bad):
    with pytest.raises(ValueError):
        parse_duration(bad)


def test_compound_durations_are_what_format_duration_writes():
    """Blind test azure6: a failover test's measured RTO of ``1h10m`` was rejected; every duration the tool
    prints reads back as itself."""
    for seconds in (4200, 129600, 90, 86400 + 7200, 3 * 86400 + 60):
        assert parse_duration(format_duration(seconds)) == seconds
    with pytest.raises(ValueError, match="1h10m"):  # the message names the compound form
        parse_duration("10m1h")


def test_format_duration():
    assert format_duration(90) == "1m30s"
    assert format_duration(86400 + 3600 * 2 + 5) == "1d2h"
    assert format_duration(None) == "unbounded"
    assert format_duration(0) == "0s"


def test_an_impossible_date_is_a_file_line_error_not_a_traceback():
    text = "version: 1\nwaivers:\n  - category: no-backup\n    reason: x\n    approved_by: y\n    expires: 2025-13-30\n"
    with pytest.raises(PolicyError, match=r"^p\.yaml:6: '2025-13-30' is not a valid value"):
        parse_policy(text, "p.yaml")
