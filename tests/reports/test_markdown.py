"""report.md: sections for a person, headings on their own lines, the baseline and waivers."""

from __future__ import annotations

import datetime as dt
import json
import re

from resilience.reports import json_report, markdown

from resilience.baseline import apply_baselines

from . import estate


def test_headings_stand_alone_and_sections_are_there(outdir):
    md = (outdir / "report.md").read_text(encoding="utf-8")
    for heading in re.findall(r"^#+ .*$", md, re.M):
        assert "`" not in heading, heading  # the rule line did not run into the heading
    for section in ("## Not assessed", "## Workloads", "## Failing findings", "## Unknown", "## Waived",
                    "## Expired waivers", "| SOC2:A1.3 |"):
        assert section in md, section
    assert "### MEDIUM · Data store has no backup · WAIVER EXPIRED\n" in md


def test_new_failures_are_marked(tmp_path):
    previous = tmp_path / "previous.json"
    previous.write_text(json.dumps(json_report.document(estate.scan()), default=str), encoding="utf-8")
    result = estate.scan(estate.fixed_and_broken(estate.inventory()), when=estate.SCAN_TIME + dt.timedelta(days=1))
    apply_baselines(result, [previous])
    md = markdown.render(result)
    assert "## Since the baseline" in md and "**1 new**" in md and "**1 resolved**" in md
    assert "### CRITICAL · Entry point has no DNS failover · NEW\n" in md


def test_raw_html_from_resource_names_and_tags_is_escaped(tmp_path):
    """A resource named <script>… and a tag value with <img onerror> reach report.md as text, never as HTML."""
    import copy

    from resilience.reports import markdown as md_report

    from . import estate

    inv = estate.inventory()
    evil = copy.deepcopy(inv)
    for r in evil.resources:
        r.name = "<script>alert(1)</script>"
        r.tags = {**r.tags, "note": '<img src=x onerror="alert(2)">'}
    result = estate.scan(evil)
    for f in result.findings:
        f.message = f.message + " <b onmouseover=alert(3)>x</b>"
    text = md_report.render(result)
    assert "<script>" not in text and "<img" not in text and "<b " not in text
    assert "&lt;b onmouseover=alert(3)>x&lt;/b>" in text  # reads as the characters themselves


def test_code_spans_are_fenced_around_backticks():
    from resilience.reports.markdown_escape import code, text

    assert code("arn:aws:s3:::x") == "`arn:aws:s3:::x`"
    assert code("a`b") == "``a`b``"
    assert code("`x") == "`` `x ``"
    assert text("<i>&") == "&lt;i>&" and text("a -> b") == "a -> b" and text("&lt;") == "&amp;lt;"


def test_tabletop_markdown_escapes_raw_html_too(tmp_path):
    import copy

    from click.testing import CliRunner

    from resilience.cli import main

    from . import estate

    evil = copy.deepcopy(estate.inventory())
    for r in evil.resources:
        r.name = "<script>alert(1)</script>"
    path = tmp_path / "inventory.json"
    path.write_text(evil.to_json())
    (tmp_path / "policy.yaml").write_text(estate.POLICY)
    out = tmp_path / "sim"
    result = CliRunner().invoke(main, ["simulate", "--inventory", str(path), "--policy", str(tmp_path / "policy.yaml"),
                                       "--fail-region", "me-central-1", "--output", str(out), "--format", "json,md,html"])
    assert result.exit_code == 0, result.output
    text = (out / "tabletop.md").read_text(encoding="utf-8")
    assert "alert(1)" in text and "<script>" not in text
    assert "<script>" not in (out / "tabletop.html").read_text(encoding="utf-8")


def _many_results(result, failing_n: int, passing_n: int):
    """``result`` with ``failing_n`` failing results of mixed severities and ``passing_n`` passing ones, in
    the engine's order (the most severe first)."""
    import copy
    import dataclasses

    from resilience.controls import SEVERITY_RANK

    big = copy.copy(result)
    failing = [f for f in result.findings if f.status == "fail"]
    passing = next(f for f in result.findings if f.status == "pass")
    made = [dataclasses.replace(f, id=f"{i:024x}", resource=f"{f.resource}-{i}")
            for i, f in ((i, failing[i % len(failing)]) for i in range(failing_n))]
    made += [dataclasses.replace(passing, id=f"p{i:023x}") for i in range(passing_n)]
    big.findings = sorted(made, key=lambda f: (-SEVERITY_RANK[f.severity], f.status != "fail", f.rule, f.resource, f.id))
    return big


def test_report_stays_bounded_the_worst_first_and_the_csv_keeps_every_result(result, tmp_path):
    from resilience.reports import tabular
    from resilience.reports.common import MAX_LISTED

    big = _many_results(result, 3 * MAX_LISTED, 400)
    md = markdown.render(big)
    assert f"This report lists at most {MAX_LISTED} results per section, the worst first" in md
    assert f"_Showing the first {MAX_LISTED} of {3 * MAX_LISTED} failing results (the most severe)" in md
    listed = re.findall(r"^### (\w+) · ", md, re.M)
    assert len(listed) == MAX_LISTED
    ranks = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO"]
    failing = sorted((f.severity.upper() for f in big.findings if f.status == "fail"), key=ranks.index)
    assert listed == failing[:MAX_LISTED]  # the most severe, in order
    assert len(md) < 1_000_000
    import csv

    with tabular.write_csv(big, tmp_path).open(encoding="utf-8", newline="") as fh:
        assert sum(1 for _ in csv.reader(fh)) - 1 == len(big.findings)  # every result


def test_small_reports_say_nothing_about_a_bound(result):
    md = markdown.render(result)
    assert "_Showing the first" not in md and "This report lists at most" not in md
