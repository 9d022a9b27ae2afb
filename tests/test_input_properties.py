"""Property-based: whatever bytes a user hands the CLI as a policy, an inventory or a baseline, the
answer is exit 0, 1 or 2 with no traceback (exit 1 means "a failing finding" to CI, so a crash must not
look like one), and an input error leaves no partial output folder."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from resilience.cli import main
from resilience.model import Coverage, Inventory
from tests.conftest import res

EXAMPLES = settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
ROOT = Path(__file__).resolve().parents[1]
POLICY_EXAMPLE = (ROOT / "examples" / "resilience.yaml").read_bytes()

INVENTORY = Inventory(
    resources=[res("arn:aws:rds:me-central-1:123456789012:db:pay", "database", zones=("mec1-az1",),
                   tags={"app": "payments"})],
    coverage=[Coverage("aws", "123456789012", "me-central-1", "rds", "ok")],
    meta={"started_at": "2026-11-20T06:00:00+00:00", "accounts": ["123456789012"],
          "regions_scanned": ["me-central-1"], "providers": ["aws"]},
)
INVENTORY_BYTES = INVENTORY.to_json().encode()

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)


def _mutations(valid: bytes):
    """A valid file with a slice cut out, replaced, or bytes inserted: near-misses find more than noise."""
    return st.tuples(st.integers(0, len(valid)), st.integers(0, 40), st.binary(max_size=12)).map(
        lambda t: valid[:t[0]] + t[2] + valid[t[0] + t[1]:])


def _json_with(valid: dict, key_paths: list[tuple[str, ...]]):
    """The valid document with one value (at a known path) replaced by an arbitrary JSON value."""
    def replace(args):
        path, value = args
        doc = json.loads(json.dumps(valid))
        node = doc
        for key in path[:-1]:
            node = node[key] if not isinstance(node, list) else node[0]
        if isinstance(node, list):
            node[0] = value
        else:
            node[path[-1]] = value
        return json.dumps(doc).encode()
    return st.tuples(st.sampled_from(key_paths), json_values).map(replace)


any_bytes = st.binary(max_size=400)
encoded_text = st.tuples(st.text(max_size=200), st.sampled_from(["utf-8", "utf-16", "utf-32", "latin-1"])).map(
    lambda t: t[0].encode(t[1], errors="replace"))

policy_bytes = st.one_of(
    any_bytes, encoded_text, _mutations(POLICY_EXAMPLE),
    json_values.map(lambda v: yaml.safe_dump(v).encode()),
    st.dictionaries(st.sampled_from(["workloads", "tiers", "failover_tests", "test_max_age", "failure_domains",
                                     "waivers", "recovery_model", "version"]), json_values, max_size=3)
    .map(lambda d: yaml.safe_dump({"version": 1, **d}).encode()),
)
inventory_bytes = st.one_of(
    any_bytes, encoded_text, _mutations(INVENTORY_BYTES), json_values.map(lambda v: json.dumps(v).encode()),
    _json_with(json.loads(INVENTORY_BYTES), [("schema",), ("meta",), ("resources",), ("edges",), ("coverage",),
                                             ("resources", "0"), ("resources", "0", "zones"),
                                             ("resources", "0", "tags"), ("resources", "0", "attrs"),
                                             ("resources", "0", "region"), ("resources", "0", "kind"),
                                             ("coverage", "0", "status"), ("meta", "started_at"),
                                             ("meta", "regions_scanned")]),
)


def _findings_doc() -> dict:
    return {"schema": "resilience.findings/v1", "scan": {"id": "x", "started_at": "2026-11-19T06:00:00+00:00"},
            "findings": [{"id": "abc", "status": "fail", "severity": "high", "rule": "RES-DATA-001",
                          "resource": "r"}],
            "baseline": {"history": [{"scan_id": "w", "failing": 1, "started_at": "2026-11-18"}]}}


baseline_bytes = st.one_of(
    any_bytes, encoded_text, json_values.map(lambda v: json.dumps(v).encode()),
    _mutations(json.dumps(_findings_doc()).encode()),
    _json_with(_findings_doc(), [("scan",), ("findings",), ("findings", "0"), ("findings", "0", "id"),
                                 ("findings", "0", "status"), ("findings", "0", "severity"), ("scan", "started_at"),
                                 ("scan", "id"), ("baseline",), ("baseline", "history"),
                                 ("baseline", "history", "0"), ("baseline", "history", "0", "scan_id")]),
)


def _scan(work: Path, *, policy: bytes | None = None, inventory: bytes = INVENTORY_BYTES,
          baseline: bytes | None = None):
    (work / "inventory.json").write_bytes(inventory)
    args = ["scan", "--inventory", str(work / "inventory.json"), "--output", str(work / "out"), "--format", "json,md"]
    if policy is not None:
        (work / "policy.yaml").write_bytes(policy)
        args += ["--policy", str(work / "policy.yaml")]
    if baseline is not None:
        (work / "baseline.json").write_bytes(baseline)
        args += ["--baseline", str(work / "baseline.json")]
    result = CliRunner().invoke(main, args)
    crash = result.exception if not isinstance(result.exception, SystemExit) else None
    assert crash is None, f"traceback: {crash!r}\n{result.output}"
    assert result.exit_code in (0, 1, 2), result.output
    if result.exit_code == 2:
        lines = [line for line in result.output.strip().splitlines() if not line.startswith("note: ")]
        assert len(lines) == 1 and lines[0].startswith("error: "), result.output
        assert not (work / "out").exists(), "an input error left a partial output folder"
    else:
        assert (work / "out" / "findings.json").is_file()
    return result


@EXAMPLES
@given(policy_bytes)
def test_any_policy_bytes(data):
    with tempfile.TemporaryDirectory() as work:
        _scan(Path(work), policy=data)


@EXAMPLES
@given(inventory_bytes)
def test_any_inventory_bytes(data):
    with tempfile.TemporaryDirectory() as work:
        _scan(Path(work), inventory=data)


@EXAMPLES
@given(baseline_bytes)
# found by this test: a history that is not a list crashed the trend line ("'int' object is not iterable")
@example(b'{"schema":"resilience.findings/v1","scan":{"":""},"findings":[{"id":"","status":""}],'
         b'"baseline":{"history":1}}')
def test_any_baseline_bytes(data):
    with tempfile.TemporaryDirectory() as work:
        _scan(Path(work), baseline=data)


@pytest.mark.parametrize(("policy", "message"), [
    (b"\xff\xfe bad", ""),
    (b"version: 1\n\xff\n", "not UTF-8 text"),
])
def test_policy_that_is_not_utf8_is_an_input_error(tmp_path, policy, message):
    result = _scan(tmp_path, policy=policy)
    assert result.exit_code == 2 and message in result.output


def test_policy_saved_as_utf16_with_a_byte_order_mark_is_read(tmp_path):
    result = _scan(tmp_path, policy="version: 1\nworkloads:\n  pay: {match: {tags: {app: payments}}}\n"
                   .encode("utf-16"))
    assert result.exit_code in (0, 1), result.output
    doc = json.loads((tmp_path / "out" / "findings.json").read_text())
    assert [w["name"] for w in doc["workloads"]] == ["pay"]


@pytest.mark.parametrize("inventory", [b"[]", b"null", b'"x"', b'{"schema": "resilience.inventory/v1"}',
                                       b'{"schema": "resilience.inventory/v1", "resources": [1], "edges": [], '
                                       b'"coverage": []}'])
def test_inventory_that_is_not_an_object_is_an_input_error(tmp_path, inventory):
    result = _scan(tmp_path, inventory=inventory)
    assert result.exit_code == 2 and "inventory" in result.output
