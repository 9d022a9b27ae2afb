"""Runbooks read from the survival decision: order, blocked steps, nothing-to-fail-over-to, the RTO the scan
estimates, and every AWS step checked against botocore's service model."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import botocore.session
import pytest
from botocore.validate import ParamValidator
from click.testing import CliRunner

from resilience import runbook, simulate
from resilience.cli import main
from resilience.graph import build_graph
from resilience.model import FAILS_OVER_TO, REPLICATES_TO, Edge
from tests.simulate import estates

NOW = dt.datetime(2026, 10, 1, 12, 0, tzinfo=dt.UTC)
GOLDEN = Path(__file__).parent / "golden"
_BOTO = botocore.session.get_session()


def book(estate, workload: str, scenario: str):
    inventory, policy = estate
    graph = build_graph(inventory, policy)
    spec = runbook.parse_scenario(scenario, policy)
    return runbook.build(graph, policy, spec, workload, coverage=inventory.coverage, generated_at=NOW), graph, policy


def blocked_active_passive():
    inventory, policy = estates.active_passive()
    db, replica = next((e.src, e.dst) for e in inventory.edges if e.kind == REPLICATES_TO)
    inventory.edges.append(Edge(db, replica, FAILS_OVER_TO, "test", {"needs_control_plane_in": "me-central-1"}))
    return inventory, policy


def validate_call(api: str, params: dict) -> None:
    """``api`` (IAM form) and ``params`` are a valid request of the botocore operation: names and types."""
    prefix, operation = api.split(":")
    client = {"elasticloadbalancing": "elbv2"}.get(prefix, prefix)
    model = _BOTO.get_service_model(client)
    assert operation in model.operation_names, api
    report = ParamValidator().validate(params, model.operation_model(operation).input_shape)
    assert not report.has_errors(), f"{api}: {report.generate_report()}"


def test_warm_standby_runs_data_then_compute_then_traffic_with_the_scans_rto():
    got, graph, policy = book(estates.active_passive(), "payments", "region:me-central-1")
    assert got.recoverable and not any(s.blocked for s in got.steps)
    phases = [s.phase for s in got.steps]
    assert phases[0] == "evidence" and "declare the start" in got.steps[0].action
    recovery = [p for p in phases if p in ("data", "compute", "traffic")]
    assert recovery == sorted(recovery, key=("data", "compute", "traffic").index)
    assert phases.index("verify") > max(i for i, p in enumerate(phases) if p in ("data", "compute", "traffic"))
    promote = next(s for s in got.steps if s.api == "rds:PromoteReadReplica")
    assert promote.resource.endswith("db:payments-db-replica") and promote.region == "eu-central-1"
    assert "aws rds promote-read-replica --db-instance-identifier" in promote.command
    spec = runbook.parse_scenario("region:me-central-1", policy)
    outcome = simulate.evaluate(graph, policy, spec, "payments")
    assert got.estimated_rto == outcome.estimated_rto
    assert max(s.expected_duration or 0 for s in got.steps if s.phase in ("data", "compute", "traffic")) \
        == got.estimated_rto  # the timeline's slowest step is the estimate
    assert got.phase("failback") and got.steps[-1].phase == "failback"


def test_a_promotion_needing_the_failed_regions_control_plane_is_blocked_with_its_alternative():
    got, _, _ = book(blocked_active_passive(), "payments", "region:me-central-1")
    assert got.recoverable
    blocked = [s for s in got.steps if s.blocked]
    assert len(blocked) == 1 and blocked[0].phase == "data"
    assert "me-central-1" in blocked[0].why and blocked[0].alternative
    assert blocked[0].api is None  # no command is offered for a step that cannot run
    assert got.estimated_rto is None  # unbounded, as the scan says


def test_a_single_region_workload_says_there_is_nothing_to_fail_over_to():
    got, _, _ = book(estates.multi_az_single_region(), "checkout", "region:me-central-1")
    assert not got.recoverable and got.steps == []
    assert got.why.startswith("nothing to fail over to: checkout-db exists only in me-central-1")
    assert got.to_dict()["recoverable"] is False and got.to_dict()["steps"] == []


def test_an_untouched_workload_has_nothing_to_do():
    got, _, _ = book(estates.active_passive(), "payments", "region:ap-south-1")
    assert got.recoverable and got.steps == [] and "not touched" in got.why


def test_every_aws_step_is_a_valid_botocore_request():
    for estate, workload, scenario in ((estates.active_passive(), "payments", "region:me-central-1"),
                                       (estates.active_passive(), "payments", "az:mec1-az1"),
                                       (blocked_active_passive(), "payments", "region:me-central-1")):
        got, _, _ = book(estate, workload, scenario)
        calls = [s for s in got.steps if s.api]
        assert calls, scenario
        for step in calls:
            validate_call(step.api, step.params)


def test_exports_are_valid_create_plan_and_create_document_requests():
    got, _, _ = book(blocked_active_passive(), "payments", "region:me-central-1")
    from resilience import runbook_exports

    plan = runbook_exports.arc_plan(got)
    arc = _BOTO.get_service_model("arc-region-switch")
    report = ParamValidator().validate(plan, arc.operation_model("CreatePlan").input_shape)
    assert not report.has_errors(), report.generate_report()
    assert "DRAFT" in plan["description"]
    types = [s["executionBlockType"] for s in plan["workflows"][0]["steps"]]
    assert "ManualApproval" in types  # the blocked promotion is a manual decision, not an automated block
    document = runbook_exports.ssm_document(got)
    ssm = _BOTO.get_service_model("ssm")
    report = ParamValidator().validate(document, ssm.operation_model("CreateDocument").input_shape)
    assert not report.has_errors(), report.generate_report()
    content = json.loads(document["Content"])
    assert content["schemaVersion"] == "0.3" and "DRAFT" in content["description"]
    for step in content["mainSteps"]:
        if step["action"] == "aws:executeAwsApi":
            inputs = dict(step["inputs"])
            service, api = inputs.pop("Service"), inputs.pop("Api")
            model = _BOTO.get_service_model(service)
            report = ParamValidator().validate(inputs, model.operation_model(api).input_shape)
            assert not report.has_errors(), report.generate_report()
        else:
            assert step["action"] == "aws:pause"
    assert any("BLOCKED" in s.get("description", "") for s in content["mainSteps"])


def test_golden_runbook_json():
    """The JSON form of the warm-standby runbook, byte for byte (regenerate with RESILIENCE_GOLDEN=1)."""
    import os

    got, _, _ = book(estates.active_passive(), "payments", "region:me-central-1")
    text = json.dumps(got.to_dict(), indent=2, sort_keys=True) + "\n"
    path = GOLDEN / "payments-region-me-central-1.json"
    if os.environ.get("RESILIENCE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    assert text == path.read_text()


def test_cli_writes_contract_6_and_the_drafts(tmp_path):
    inventory, policy = estates.active_passive()
    snapshot = tmp_path / "inventory.json"
    snapshot.write_text(inventory.to_json())
    policy_file = tmp_path / "resilience.yaml"
    policy_file.write_text(policy.text)
    out = tmp_path / "rb"
    result = CliRunner().invoke(main, ["runbook", "--workload", "payments", "--scenario", "region:me-central-1",
                                       "--inventory", str(snapshot), "--policy", str(policy_file),
                                       "--output", str(out), "--format", "json,md,html"])
    assert result.exit_code == 0, result.output
    doc = json.loads((out / "runbook.json").read_text())
    assert doc["schema"] == "resilience.runbook/v1" and doc["workload"] == "payments"
    assert {"n", "phase", "action", "resource", "region", "command", "api", "expected_duration", "blocked",
            "why"} <= set(doc["steps"][0])
    assert all(s["phase"] in runbook.PHASES for s in doc["steps"])
    assert (out / "runbook.md").read_text().startswith("# Failover runbook: payments")
    assert "<script" not in (out / "runbook.html").read_text()
    assert (out / "runbook-exports" / "arc-region-switch-plan.json").exists()


@pytest.mark.parametrize("bad", ["region:", "nowhere-2026", "az:"])
def test_bad_scenarios_are_input_errors(tmp_path, bad):
    inventory, policy = estates.active_passive()
    snapshot = tmp_path / "inventory.json"
    snapshot.write_text(inventory.to_json())
    result = CliRunner().invoke(main, ["runbook", "--workload", "payments", "--scenario", bad,
                                       "--inventory", str(snapshot), "--output", str(tmp_path / "o")])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_unknown_workload_is_an_input_error(tmp_path):
    inventory, policy = estates.active_passive()
    snapshot = tmp_path / "inventory.json"
    snapshot.write_text(inventory.to_json())
    result = CliRunner().invoke(main, ["runbook", "--workload", "nope", "--scenario", "region:me-central-1",
                                       "--inventory", str(snapshot), "--output", str(tmp_path / "o")])
    assert result.exit_code == 2 and "unknown workload 'nope'" in result.output


def test_names_from_the_estate_are_escaped_in_markdown():
    inventory, policy = estates.active_passive()
    inventory.resources = [r if r.kind != "database" or "dr" in r.id else
                           __import__("dataclasses").replace(r, name="<script>alert(1)</script>")
                           for r in inventory.resources]
    got, _, _ = book((inventory, policy), "payments", "region:me-central-1")
    import re

    markdown = runbook.render(got, "md")
    assert "'<script>alert(1)</script>'" in markdown  # shell-quoted inside a fenced code block: shown, not run
    prose = re.sub(r"```.*?```", "", markdown, flags=re.S)
    assert "<script>" not in prose and "&lt;script>" in prose
    assert "<script>" not in runbook.render(got, "html")


def test_a_workload_with_nothing_inventoried_is_not_called_untouched():
    inventory, policy = estates.active_passive()
    policy = __import__("resilience.policy", fromlist=["parse_policy"]).parse_policy(
        policy.text + "  sessions:\n    match: {tags: {app: sessions}}\n", "p.yaml")
    got, _, _ = book((inventory, policy), "sessions", "region:me-central-1")
    assert not got.recoverable and got.outcome == "unknown" and got.steps == []
    assert "no resource of workload 'sessions'" in got.why and got.unknown
    assert "not touched" not in runbook.render(got, "md")


def test_unrecoverable_runbook_says_it_once_and_offers_no_drafts():
    got, _, _ = book(estates.multi_az_single_region(), "checkout", "region:me-central-1")
    text = runbook.render(got, "md")
    assert text.count("nothing to fail over to") == 1
    assert "runbook-exports" not in text


def test_arc_plan_carries_the_objective_and_whole_words():
    from resilience import runbook_exports

    got, _, policy = book(estates.active_passive(rto="1h"), "payments", "region:me-central-1")
    plan = runbook_exports.arc_plan(got)
    assert plan["recoveryTimeObjectiveMinutes"] == 60  # the objective, not the estimate
    for step in plan["workflows"][0]["steps"]:
        words = step["name"].split("-")
        assert all(w and (w in step["description"] or w.isdigit()) for w in words), step["name"]


def test_the_tabletop_pack_links_each_workloads_runbook_with_a_command_that_runs(tmp_path):
    from resilience import tabletop

    inventory, policy = estates.active_passive()
    spec = simulate.build_scenario(regions=["me-central-1"], policy=policy)
    text = tabletop.render_markdown(tabletop.build(simulate.run(inventory, policy, spec, NOW)))
    line = next(line for line in text.splitlines() if line.startswith("Runbook for this scenario"))
    command = line.split("`")[1]
    assert command.startswith("resilience runbook --workload payments --scenario region:me-central-1")
    (tmp_path / "inventory.json").write_text(inventory.to_json())
    (tmp_path / "policy.yaml").write_text(policy.text)
    args = command.split()[1:]
    args = [str(tmp_path / a) if a in ("inventory.json", "policy.yaml") else a for a in args]
    args[args.index("--output") + 1] = str(tmp_path / "rb")
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "rb" / "runbook.json").read_text())["workload"] == "payments"
