"""The vendor register (policy ``providers:``): good entries load, bad ones fail with file:line."""

from __future__ import annotations

import datetime as dt

import pytest

from resilience.policy import PolicyError, parse_policy

GOOD = """\
version: 1
providers:
  aws:
    report: AWS SOC 2 Type 2 (Spring 2026)
    type: type2
    period_start: 2025-04-01
    period_end: 2026-03-31
    opinion: unqualified
    bridge_letter: {date: 2026-07-15, covers_to: 2026-06-30}
    scope:
      services: [ec2, rds, s3]
      regions: [me-central-1, eu-central-1]
      reference: Section 3
    cuecs:
      - {control: Customers restrict access to their accounts, owner: security@example.com}
      - {control: Customers configure backups}
    reviewed: {date: 2026-05-02, by: grc@example.com}
    artifact_report: report-abc
  gcp:
    type: type1
    scope: {reference: "Appendix A"}
"""


def test_a_full_register_loads():
    policy = parse_policy(GOOD, "p.yaml")
    aws = policy.providers["aws"]
    assert aws.type == "type2" and aws.opinion == "unqualified"
    assert (aws.period_start, aws.period_end) == (dt.date(2025, 4, 1), dt.date(2026, 3, 31))
    assert aws.bridge_letter.covers_to == dt.date(2026, 6, 30)
    assert aws.in_scope("regions", "ME-CENTRAL-1") is True and aws.in_scope("regions", "me-south-1") is False
    assert [c.owner for c in aws.cuecs] == ["security@example.com", None]
    assert aws.reviewed.by == "grc@example.com" and aws.artifact_report == "report-abc"
    assert aws.fields["period_end"] == 7
    gcp = policy.providers["gcp"]
    assert gcp.in_scope("regions", "me-central2") is None and gcp.scope_reference == "Appendix A"


@pytest.mark.parametrize(("snippet", "line", "message"), [
    ("  oracle: {type: type2}", 3, "unknown provider 'oracle'"),
    ("  aws: {type: type3}", 3, "providers.aws.type must be one of type1, type2"),
    ("  aws: {opinion: clean}", 3, "providers.aws.opinion must be one of unqualified"),
    ("  aws: {period_start: 2026-04-01, period_end: 2025-03-31}", 3, "is before period_start"),
    ("  aws:\n    period_end: 2026-03-31\n    bridge_letter: {date: 2026-05-01, covers_to: 2026-02-01}", 5,
     "must be after period_end"),
    ("  aws:\n    bridge_letter: {date: 2026-05-01}", 4, "bridge_letter is missing 'covers_to'"),
    ("  aws:\n    scope: {zones: [a]}", 4, "unknown key 'zones' in providers.aws.scope"),
    ("  aws:\n    cuecs:\n      - {owner: x@example.com}", 5, "cuecs entry is missing 'control'"),
    ("  aws:\n    reviewed: {date: yesterday, by: me}", 4, "providers.aws.reviewed.date must be a date"),
    ("  aws:\n    auditor: EY", 4, "unknown key 'auditor' in providers.aws"),
])
def test_bad_entries_name_file_and_line(snippet, line, message):
    text = "version: 1\nproviders:\n" + snippet + "\n"
    with pytest.raises(PolicyError) as err:
        parse_policy(text, "p.yaml")
    assert str(err.value).startswith(f"p.yaml:{line}: "), str(err.value)
    assert message in str(err.value)
