"""report.html: self-contained, complete, readable graph, and rendered by a real headless Chromium
without console errors (skipped, with the reason, when no Chromium is installed)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from resilience.reports import html, svg
from resilience.reports.common import SEVERITY_COLOURS

from resilience.model import (
    BACKED_UP_TO,
    DEPENDS_ON,
    REPLICATES_TO,
    ROUTES_TO,
    Coverage,
    Edge,
    Inventory,
    Resource,
)

from . import estate

CHROMIUM = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)
#: CI (.ci/run) sets RESILIENCE_REQUIRE_BROWSER=1: there a missing browser is a failure, never a skip
BROWSER_REQUIRED = os.environ.get("RESILIENCE_REQUIRE_BROWSER") == "1"
needs_chromium = pytest.mark.skipif(CHROMIUM is None and not BROWSER_REQUIRED,
                                    reason="no Chromium on this machine (Debian: apt-get install chromium; "
                                           ".ci/run installs it)")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(page)
    return parser.tags


def test_self_contained_no_script_no_external_asset(outdir):
    page = (outdir / "report.html").read_text(encoding="utf-8")
    tags = _tags(page)
    assert not [t for t, _ in tags if t in ("script", "link", "iframe", "object", "embed", "img")]
    assert not [a for _, a in tags if str(a.get("src") or "").startswith(("http:", "https:", "//"))]
    csp = next(a["content"] for t, a in tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp
    ids = [a["id"] for _, a in tags if a.get("id")]
    assert len(ids) == len(set(ids))
    assert len(page) < 200_000


def test_every_result_has_a_collapsible_with_its_evidence(outdir, result):
    page = (outdir / "report.html").read_text(encoding="utf-8")
    for f in result.findings:
        block = page[page.index(f'id="f-{f.id}"'):]
        block = block[: block.index("</details>")]
        assert f.evidence["source"] in block or not f.evidence["source"]
        if f.status == "pass":  # compact: the evidence as one JSON block
            assert '"observed"' in block and '"expected"' in block
        else:
            assert "Observed" in block and "Expected" in block and "Remediation" in block
    assert 'href="#f-' in page  # the workload view links to the findings


def test_summary_by_severity_control_workload_region(outdir):
    page = (outdir / "report.html").read_text(encoding="utf-8")
    for text in ("Failing results by severity", "Results by control", "SOC2:A1.2", "SOC2:A1.3", "Workloads",
                 "payments", "ledger", "Regions", "me-south-1", "AUDITED".lower(), "Not assessed",
                 "AccessDenied: backup:ListRecoveryPointsByResource", 'class="graph"'):
        assert text in page, text


def _big_estate(n_per_region: int = 16) -> Inventory:
    """~50 resources in three regions: a chain per workload and cross-region replicas."""
    resources, edges = [], []
    kinds = [("load_balancer", "AWS::ElasticLoadBalancingV2::LoadBalancer"), ("compute_group", "AWS::AutoScaling::AutoScalingGroup"),
             ("database", "AWS::RDS::DBInstance"), ("object_store", "AWS::S3::Bucket"),
             ("recovery_point", "AWS::RDS::DBSnapshot"), ("function", "AWS::Lambda::Function")]
    for region in ("me-central-1", "me-south-1", "eu-west-1"):
        previous = None
        for i in range(n_per_region):
            kind, type_ = kinds[i % len(kinds)]
            rid = f"arn:aws:test:{region}:111122223333:{kind}/w{i % 4}-{kind}-{i}"
            resources.append(Resource(id=rid, provider="aws", account="111122223333", region=region, kind=kind,
                                      type=type_, name=f"w{i % 4}-{kind.replace('_', '-')}-{i}", source="test",
                                      observed_at="", tags={"resilience:workload": f"w{i % 4}"},
                                      attrs={"role": "replica"} if region == "eu-west-1" else {}))
            if previous is not None:
                edges.append(Edge(previous, rid, [ROUTES_TO, DEPENDS_ON, BACKED_UP_TO][i % 3], "test"))
            previous = rid
    for a, b in zip(resources[:16], resources[32:48], strict=True):
        if a.kind == "database":
            edges.append(Edge(a.id, b.id, REPLICATES_TO, "test"))
    coverage = [Coverage("aws", "111122223333", r, "rds", "ok") for r in ("me-central-1", "me-south-1", "eu-west-1")]
    return Inventory(resources=resources, edges=edges, coverage=coverage,
                     meta={"started_at": estate.SCAN_TIME.isoformat(), "accounts": ["111122223333"]})


def _rects(svg_text: str) -> list[tuple[float, float, float, float]]:
    return [tuple(float(v) for v in m.groups()) for m in re.finditer(
        r'<g class="node"><title>.*?</title><rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"',
        svg_text, re.S)]


def test_graph_of_fifty_nodes_is_laid_out_without_overlap():
    result = estate.scan(_big_estate())
    findings = [f.to_dict() for f in result.findings]
    nodes, total = html.graph_nodes(result, findings)
    assert total == len(nodes) == 48
    picture = str(svg.dependency_graph(result.graph, nodes, html.node_states(findings, result.graph),
                                       audited=estate.AUDITED, severity_colours=SEVERITY_COLOURS))
    width, height = (float(v) for v in re.search(r'width="([\d.]+)" height="([\d.]+)"', picture).groups())
    rects = _rects(picture)
    assert len(rects) == 48
    for i, (x, y, w, h) in enumerate(rects):
        assert x >= 0 and x + w <= width and y >= 0 and y + h <= height
        for x2, y2, w2, h2 in rects[i + 1:]:
            assert x + w <= x2 or x2 + w2 <= x or y + h <= y2 or y2 + h2 <= y, "overlapping boxes"
    assert width < 2400 and height < 1400  # readable: about a screen or two, not a poster


def test_overfull_cells_fold_quiet_nodes():
    inv = _big_estate(n_per_region=60)
    result = estate.scan(inv)
    findings = [f.to_dict() for f in result.findings]
    nodes, _ = html.graph_nodes(result, findings)
    picture = str(svg.dependency_graph(result.graph, nodes, {}, audited=estate.AUDITED,
                                       severity_colours=SEVERITY_COLOURS))
    assert "more (all passing)" in picture
    assert len(_rects(picture)) < len(nodes)


# --- in a real browser --------------------------------------------------------------------------------


def _chromium(tmp_path: Path, url: str, *args: str) -> subprocess.CompletedProcess:
    assert CHROMIUM is not None, "RESILIENCE_REQUIRE_BROWSER=1 and no Chromium installed"
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'chromium-profile'}",
               "--enable-logging=stderr", "--v=0", *args, url]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def _console(stderr: str) -> list[str]:
    """Chromium logs every console message (errors, CSP violations, failed loads) as INFO:CONSOLE."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


@needs_chromium
def test_console_capture_catches_a_broken_page(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text('<!doctype html><meta http-equiv="Content-Security-Policy" content="default-src \'none\'">'
                    '<img src="https://example.invalid/x.png"><p>x</p>', encoding="utf-8")
    proc = _chromium(tmp_path, page.as_uri(), "--dump-dom")
    assert any("Content Security Policy" in line for line in _console(proc.stderr)), proc.stderr[-2000:]


@needs_chromium
def test_renders_in_headless_chromium_without_console_errors(outdir, tmp_path, result):
    url = (outdir / "report.html").as_uri()
    dom = _chromium(tmp_path, url, "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert _console(dom.stderr) == []
    assert "Regional resilience scan" in dom.stdout
    assert dom.stdout.count('<details class="f') == len(result.findings)
    shot = tmp_path / "report.png"
    proc = _chromium(tmp_path, url, f"--screenshot={shot}", "--window-size=1400,2000", "--hide-scrollbars")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert _console(proc.stderr) == []
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000  # a page, not a blank
    keep = os.environ.get("RESILIENCE_SCREENSHOTS")
    if keep:  # for a person to look at: RESILIENCE_SCREENSHOTS=/tmp/shots pytest tests/reports -k chromium
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / "report.png")
        shutil.copy(outdir / "report.html", Path(keep) / "report.html")
