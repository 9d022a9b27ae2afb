"""CLI wiring that needs no cloud: input errors, offline analysis of a saved inventory, catalogue."""

import json

import pytest
from click.testing import CliRunner

from resilience.cli import main
from resilience.model import Coverage, Inventory, Resource
from tests.conftest import res


@pytest.fixture
def snapshot(tmp_path):
    inv = Inventory(
        resources=[res("arn:aws:rds:me-central-1:123456789012:db:pay", "database", zones=("mec1-az1",))],
        coverage=[Coverage("aws", "123456789012", "me-central-1", "rds", "ok"),
                  Coverage("aws", "123456789012", "me-south-1", "rds", "denied", "AccessDenied")],
        meta={"started_at": "2026-11-20T06:00:00+00:00", "accounts": ["123456789012"],
              "regions_scanned": ["me-central-1", "me-south-1"], "identity": "arn:aws:sts::123456789012:x",
              "providers": ["aws"]},
    )
    path = tmp_path / "inventory.json"
    path.write_text(inv.to_json())
    return path


def _run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scan", "--format", "json,pdf"], "error: unknown format 'pdf'"),
        (["scan", "--region", "me-central-9"], "error: unknown region 'me-central-9'"),
        (["scan", "--scan-regions", "me-central-1,mars-1"], "error: unknown region 'mars-1'"),
        (["scan", "--region-deadline", "soon"], "error: --region-deadline: bad duration"),
        (["explain", "RES-NOPE-999"], "error: unknown rule 'RES-NOPE-999'"),
    ],
)
def test_input_errors_are_one_line_exit_2(args, message):
    result = _run(*args)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), result.output


def test_bad_policy_file_names_file_and_line(tmp_path, snapshot):
    policy = tmp_path / "resilience.yaml"
    policy.write_text("version: 1\nworkloads:\n  pay:\n    tier: gold\n")
    result = _run("scan", "--inventory", str(snapshot), "--policy", str(policy))
    assert result.exit_code == 2
    assert result.output.strip() == f"error: {policy}:4: workload 'pay' names unknown tier 'gold'"


def test_offline_scan_of_saved_inventory_writes_findings_and_exit_codes(tmp_path, snapshot):
    out = tmp_path / "out"
    result = _run("scan", "--inventory", str(snapshot), "--output", str(out), "--fail-on", "high")
    # the denied region is a high-severity coverage gap
    assert result.exit_code == 1, result.output
    doc = json.loads((out / "findings.json").read_text())
    assert doc["schema"] == "resilience.findings/v1"
    assert {"scan", "coverage", "workloads", "findings"} <= set(doc)
    assert doc["scan"]["regions_scanned"] == ["me-central-1", "me-south-1"]
    gap = next(f for f in doc["findings"] if f["status"] == "fail")
    assert gap["category"] == "coverage-gap" and gap["region"] == "me-south-1"
    assert (out / "report.md").exists() and (out / "inventory.json").exists()
    assert _run("scan", "--inventory", str(snapshot), "--output", str(out), "--fail-on", "none").exit_code == 0
    assert _run("scan", "--inventory", str(snapshot), "--output", str(out), "--fail-on", "critical").exit_code == 0
    strict = _run("scan", "--inventory", str(snapshot), "--output", str(out), "--fail-on", "none", "--strict")
    assert strict.exit_code == 3


def test_audited_region_scopes_resource_findings(tmp_path, snapshot):
    out = tmp_path / "out"
    _run("scan", "--inventory", str(snapshot), "--output", str(out), "--region", "me-central-1", "--fail-on", "none")
    doc = json.loads((out / "findings.json").read_text())
    assert doc["scan"]["regions_audited"] == ["me-central-1"]
    assert {f["region"] for f in doc["findings"] if f["resource_type"] != "vendor-register"} == {"me-central-1"}
    # the vendor register is about the provider, not a place: every region's scope check is kept
    vendor = [f for f in doc["findings"] if f["resource_type"] == "vendor-register"]
    assert {f["region"] for f in vendor} == {None}


def test_rules_and_explain():
    listing = _run("rules", "--format", "json")
    rules = json.loads(listing.output)
    assert any(r["id"] == "RES-COVERAGE-001" for r in rules)
    assert "Remediation:" in _run("explain", "res-coverage-001").output


def test_not_an_inventory(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text('{"schema": "something-else"}')
    result = _run("scan", "--inventory", str(bad))
    assert result.exit_code == 2 and "not a readable inventory snapshot" in result.output


def test_graph_exports(tmp_path, snapshot):
    import networkx as nx

    out = tmp_path / "out"
    result = _run("scan", "--inventory", str(snapshot), "--output", str(out), "--format", "graphml,graph",
                  "--fail-on", "none")
    assert result.exit_code == 0, result.output
    db = "arn:aws:rds:me-central-1:123456789012:db:pay"
    graphml = nx.read_graphml(out / "graph.graphml")
    assert graphml.nodes[db]["kind"] == "database" and graphml.nodes[db]["region"] == "me-central-1"
    linked = json.loads((out / "graph.json").read_text())
    assert [n["id"] for n in linked["nodes"]] == [db]
    assert (out / "findings.json").exists()  # always written


def test_azure_without_credentials_is_one_line_not_the_sdk_log(tmp_path, monkeypatch):
    """azure-identity logs a dozen WARNING lines per failed credential chain; without --verbose only the
    tool's own one-line error reaches the terminal."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "MSI_", "IDENTITY_"))}
    env.update(HOME=str(tmp_path), PATH=os.path.dirname(sys.executable), AZURE_CONFIG_DIR=str(tmp_path / "az"))
    command = [sys.executable, "-m", "resilience", "scan", "--provider", "azure", "--output", str(tmp_path / "o")]
    quiet = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert quiet.returncode == 2, quiet.stderr
    assert quiet.stderr.strip().splitlines() == [next(line for line in quiet.stderr.splitlines()
                                                      if line.startswith("error: no usable Azure credentials"))]
    loud = subprocess.run([sys.executable, "-m", "resilience", "--verbose", *command[3:]], env=env,
                          capture_output=True, text=True, timeout=120)
    assert loud.returncode == 2 and len(loud.stderr.strip().splitlines()) > 1, loud.stderr


def test_sdk_loggers_are_quiet_unless_verbose(capsys):
    import logging

    from resilience.console import SDK_LOGGERS, configure_logging

    saved = {name: logging.getLogger(name).level for name in SDK_LOGGERS}
    root = logging.getLogger()
    root_state = (root.level, list(root.handlers))
    try:
        configure_logging(verbose=False)
        logging.getLogger("azure.identity._credentials.chained").warning("DefaultAzureCredential failed")
        assert capsys.readouterr().err == ""
        configure_logging(verbose=True)
        assert logging.getLogger("azure.identity").isEnabledFor(logging.WARNING)
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)
        root.setLevel(root_state[0])
        root.handlers[:] = root_state[1]


@pytest.mark.parametrize(("args", "message"), [
    (["--region", "me-centrl-1"], "error: unknown region 'me-centrl-1' for provider aws (did you mean 'me-central-1'?)"),
    (["--region", "uaenorth"], "error: unknown region 'uaenorth' for provider aws (it is an azure region: "
                               "add --provider azure)"),
    (["--provider", "gcp", "--project", "p", "--region", "me-central-1"],
     "error: unknown region 'me-central-1' for provider gcp (it is an aws region: add --provider aws)"),
])
def test_unknown_region_suggests_the_nearest_name_or_the_provider(args, message):
    result = _run("scan", *args)
    assert result.exit_code == 2 and result.output.strip() == message


def test_offline_region_is_checked_against_the_inventorys_providers(tmp_path):
    """A three-cloud inventory: --region uaenorth needs no --provider (the inventory says which clouds)."""
    inv = Inventory(
        resources=[res("arn:aws:rds:me-central-1:123456789012:db:pay", "database"),
                   Resource(id="/subscriptions/s/resourceGroups/g/providers/Microsoft.Sql/servers/x", provider="azure",
                            account="s", region="uaenorth", kind="database", type="Microsoft.Sql/servers", name="x",
                            source="arm:list", observed_at="2026-11-20T06:00:00+00:00")],
        meta={"started_at": "2026-11-20T06:00:00+00:00", "providers": ["aws", "azure", "gcp"]},
    )
    path = tmp_path / "inventory.json"
    path.write_text(inv.to_json())
    out = tmp_path / "out"
    result = _run("scan", "--inventory", str(path), "--region", "uaenorth", "--output", str(out), "--fail-on", "none")
    assert result.exit_code == 0, result.output
    assert json.loads((out / "findings.json").read_text())["scan"]["regions_audited"] == ["uaenorth"]
    typo = _run("scan", "--inventory", str(path), "--region", "uaenorht", "--output", str(tmp_path / "o2"))
    assert typo.exit_code == 2 and "did you mean 'uaenorth'?" in typo.output


PAY_POLICY = """version: 1
workloads:
  pay:
    match: {resources: ["arn:aws:rds:me-central-1:123456789012:db:pay"]}
    objectives: {region: {rto: 1h, rpo: 15m}}
"""


@pytest.fixture
def scanned(tmp_path, snapshot):
    """A scan's output folder: inventory.json, policy.yaml and findings.json side by side."""
    policy = tmp_path / "resilience.yaml"
    policy.write_text(PAY_POLICY)
    out = tmp_path / "scan"
    result = _run("scan", "--inventory", str(snapshot), "--policy", str(policy), "--output", str(out),
                  "--fail-on", "none")
    assert result.exit_code == 0, result.output
    return out


def _simulate(inventory, out):
    result = CliRunner().invoke(main, ["simulate", "--inventory", str(inventory), "--fail-region", "me-central-1",
                                       "--output", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result, json.loads((out / "simulation.json").read_text())


def test_offline_simulate_uses_the_policy_recorded_with_the_inventory(tmp_path, scanned):
    result, doc = _simulate(scanned / "inventory.json", tmp_path / "sim")
    (pay,) = [w for w in doc["workloads"] if w["name"] == "pay"]
    assert pay["objectives"] == {"rto": 3600, "rpo": 900}
    assert f"using the policy recorded with the inventory, {scanned / 'policy.yaml'}" in result.output


def test_offline_simulate_without_a_policy_names_the_workloads_it_cannot_see(tmp_path, scanned):
    (scanned / "policy.yaml").unlink()
    result, doc = _simulate(scanned / "inventory.json", tmp_path / "sim")
    assert [w["name"] for w in doc["workloads"]] == []
    notes = [line for line in result.output.splitlines() if line.startswith("note: no --policy")]
    assert notes == ["note: no --policy given and none recorded beside the inventory: 1 workload of the scan "
                     "cannot be seen (pay): the policy defines them; pass --policy"]


def test_offline_scan_ignores_a_recorded_policy_the_scan_did_not_use(tmp_path, scanned):
    (scanned / "policy.yaml").write_text(PAY_POLICY.replace("rto: 1h", "rto: 2h"))
    out = tmp_path / "again"
    result = _run("scan", "--inventory", str(scanned / "inventory.json"), "--output", str(out), "--fail-on", "none")
    assert result.exit_code == 0
    assert "is not the policy the scan used" in result.output and "(pay)" in result.output
    assert json.loads((out / "findings.json").read_text())["workloads"] == []


def test_an_offline_scan_keeps_the_snapshot_it_read_byte_for_byte(tmp_path, snapshot):
    """The report folder's inventory.json is the file the analysis ran on, as given (its digest is the one an
    offline simulation reports): not encoded again, even when written otherwise (compact, keys in another order)."""
    given = tmp_path / "given.json"
    document = json.loads(snapshot.read_text())
    document["resources"][0] = dict(reversed(list(document["resources"][0].items())))
    given.write_bytes(json.dumps(document, separators=(",", ":")).encode())
    out = tmp_path / "out"
    assert _run("scan", "--inventory", str(given), "--output", str(out), "--fail-on", "none").exit_code == 0
    assert (out / "inventory.json").read_bytes() == given.read_bytes()
    again = tmp_path / "again"  # and the copy is analysed as the original was
    assert _run("scan", "--inventory", str(out / "inventory.json"), "--output", str(again), "--fail-on",
                "none").exit_code == 0
    findings = [[(f["id"], f["status"], f["message"]) for f in json.loads((folder / "findings.json").read_text())
                 ["findings"]] for folder in (out, again)]
    assert findings[0] == findings[1]


def test_a_snapshot_whose_details_were_cleaned_is_written_anew(tmp_path, snapshot):
    """A coverage detail holding a credential is redacted when read: the report folder gets the cleaned snapshot,
    never the file's text."""
    document = json.loads(snapshot.read_text())
    document["coverage"][0]["detail"] = "denied: https://x.example/?X-Amz-Signature=abc123def&a=1"
    given = tmp_path / "given.json"
    given.write_text(json.dumps(document))
    out = tmp_path / "out"
    assert _run("scan", "--inventory", str(given), "--output", str(out), "--fail-on", "none").exit_code == 0
    written = (out / "inventory.json").read_text()
    assert "abc123def" not in written and written == Inventory.read(given).to_json() + "\n"


def test_a_snapshot_changed_since_it_was_read_is_written_from_what_was_read(tmp_path, snapshot):
    inventory = Inventory.read(snapshot)
    snapshot.write_text(snapshot.read_text().replace("me-south-1", "eu-west-1"))  # changed after reading
    inventory.write_json(tmp_path / "inventory.json")
    assert (tmp_path / "inventory.json").read_text() == inventory.to_json() + "\n"
    extended = Inventory.read(snapshot)
    extended.extend(Inventory(resources=[res("arn:aws:s3:::more", "object_store")]))
    extended.write_json(tmp_path / "extended.json")
    assert "arn:aws:s3:::more" in (tmp_path / "extended.json").read_text()
    same, text = Inventory.read(snapshot), snapshot.read_bytes()
    same.write_json(snapshot)  # onto itself: left as it is
    assert snapshot.read_bytes() == text and Inventory.read(snapshot) == same


def test_the_policy_is_read_with_the_cyclic_collector_paused_and_then_resumed(monkeypatch):
    """An organisation's policy (15 MB of YAML at 1,000,000 resources) lives until the command ends: the
    collector walking its YAML nodes again and again cost 7.6 s against 4.4 s paused (issue 17)."""
    import gc

    from resilience import cli
    from resilience.policy import Policy

    enabled_while_reading = []
    monkeypatch.setattr(cli, "load_policy", lambda *a, **k: enabled_while_reading.append(gc.isenabled()) or Policy())
    gc.enable()
    assert isinstance(cli._load_policy("policy.yaml"), Policy)
    assert enabled_while_reading == [False] and gc.isenabled()
