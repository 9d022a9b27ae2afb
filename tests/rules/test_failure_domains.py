"""The failure-domain table: built-in groups, policy extensions, lookups."""

from __future__ import annotations

import pytest

from resilience.failure_domains import BUILTIN, FailureDomain, correlated, describe, domains, domains_of
from resilience.policy import Policy


def test_gulf_pair_of_the_march_2026_event_is_built_in():
    assert correlated("me-central-1", "me-south-1") == "gulf"
    assert correlated("me-south-1", "me-central-1") == "gulf"
    assert "2026" in describe("gulf")


@pytest.mark.parametrize(("a", "b", "domain"), [
    ("ap-northeast-1", "ap-northeast-3", "japan"),
    ("ap-south-1", "ap-south-2", "india"),
    ("ap-southeast-2", "ap-southeast-4", "australia"),
    ("ca-central-1", "ca-west-1", "canada"),
    ("cn-north-1", "cn-northwest-1", "china"),
])
def test_same_country_groups(a, b, domain):
    assert correlated(a, b) == domain


@pytest.mark.parametrize(("a", "b"), [
    ("me-central-1", "eu-central-1"),  # the usual Gulf -> Frankfurt DR pair
    ("us-east-1", "us-west-2"),  # one country, a continent apart: deliberately not built in
    ("eu-west-1", "eu-west-2"),  # neighbouring countries: the policy's call
    ("me-central-1", "me-central-1"),  # the same region is co-located, not correlated
])
def test_independent_pairs(a, b):
    assert correlated(a, b) is None


def test_policy_extends_builtin_domains():
    policy = Policy(failure_domains={"us": ("us-east-1", "us-east-2"), "gulf": ("me-central-1", "me-south-1",
                                                                                "il-central-1")})
    assert correlated("us-east-1", "us-east-2", policy) == "us"
    assert correlated("il-central-1", "me-south-1", policy) == "gulf"
    assert "policy" in describe("us", policy)
    assert {"ap-northeast-1", "ap-northeast-3"} <= domains(policy)["japan"]
    assert domains_of("me-south-1", policy) == ["gulf"]
    # a policy entry named like a built-in one adds to it, never drops what is built in
    narrowed = Policy(failure_domains={"gulf": ("me-central-1", "me-south-1")})
    assert {"qatarcentral", "me-central2"} <= domains(narrowed)["gulf"]
    assert correlated("us-east-1", "us-east-2", {"us": ["us-east-1", "us-east-2"]}) == "us"


def test_table_is_documented_and_provider_keyed():
    assert all(d.provider and d.reason and d.basis for d in BUILTIN)
    names = [d.name for d in BUILTIN if d.provider == "aws"]
    assert len(names) == len(set(names))
    with pytest.raises(ValueError):
        FailureDomain(name="x", provider="aws", regions=frozenset({"us-east-1"}), basis="policy", reason="r")


def test_entries_of_several_providers_merge_into_one_domain(monkeypatch):
    import resilience.failure_domains as fd

    extra = FailureDomain(name="gulf", provider="example-cloud", regions=frozenset({"uae-a", "bahrain-b"}),
                          basis="same-country", reason="test")
    monkeypatch.setattr(fd, "BUILTIN", (*fd.BUILTIN, extra))
    assert fd.correlated("me-central-1", "uae-a") == "gulf"
    assert fd.builtin_domains("example-cloud") == (extra,)
    assert {"me-central-1", "me-south-1", "uae-a", "bahrain-b"} <= fd.domains()["gulf"]
