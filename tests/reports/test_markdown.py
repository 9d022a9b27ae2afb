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
