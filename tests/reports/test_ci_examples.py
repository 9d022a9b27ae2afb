"""examples/ci: the workflow files parse and wire what the nightly job needs."""

from __future__ import annotations

from pathlib import Path

import yaml
from resilience.reports import WRITERS

CI = Path(__file__).resolve().parents[2] / "examples" / "ci"


def _load(name: str) -> dict:
    doc = yaml.safe_load((CI / name).read_text(encoding="utf-8"))
    assert isinstance(doc, dict)
    return doc


def _formats(command: str) -> set[str]:
    return set(command.split("--format", 1)[1].split()[0].split(","))


def test_github_nightly_workflow():
    doc = _load("github-nightly.yml")
    triggers = doc.get("on", doc.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers["schedule"][0]["cron"].count(" ") == 4
    assert doc["permissions"]["id-token"] == "write" and doc["permissions"]["security-events"] == "write"
    steps = doc["jobs"]["scan"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    for action in ("aws-actions/configure-aws-credentials", "actions/cache/restore", "actions/cache/save",
                   "actions/upload-artifact", "github/codeql-action/upload-sarif"):
        assert any(u.startswith(action + "@") for u in uses), action
    creds = next(s for s in steps if s.get("uses", "").startswith("aws-actions/configure-aws-credentials"))
    assert "role-to-assume" in creds["with"]
    scan = next(s for s in steps if s.get("id") == "scan")["run"]
    assert "--baseline baseline/findings.json" in scan and "--evidence" in scan
    assert _formats(scan) <= set(WRITERS) and {"sarif", "junit", "html"} <= _formats(scan)
    sarif = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert sarif["with"]["sarif_file"] == "out/findings.sarif"


def test_gitlab_job():
    job = _load("gitlab-ci.yml")["resilience-nightly"]
    assert job["artifacts"]["reports"]["junit"] == "out/findings.junit.xml"
    assert job["artifacts"]["when"] == "always"
    assert "baseline/" in job["cache"]["paths"]
    assert job["id_tokens"]["AWS_ID_TOKEN"]["aud"] == "sts.amazonaws.com"
    command = next(line for line in job["script"] if "resilience scan" in line)
    assert "--baseline" not in command or "$BASELINE" in command
    assert _formats(command) <= set(WRITERS) and "junit" in _formats(command)
