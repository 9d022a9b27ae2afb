"""The README's commands work as written from a fresh clone."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```sh\n(.*?)```", README, flags=re.S)


def test_the_first_screen_sets_up_with_make_demo_and_make_test_only():
    first = BLOCKS[0]
    commands = [line.split("#")[0].strip() for line in first.splitlines() if line.split("#")[0].strip()]
    assert commands == ["make demo", "make test"]


def test_every_policy_file_a_command_names_exists_or_is_copied_first():
    for block in BLOCKS:
        made: set[str] = set()
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            if words[:1] == ["cp"] and len(words) == 3:
                assert (ROOT / words[1]).is_file(), f"README copies a file that is not there: {words[1]}"
                made.add(words[2])
            for flag, value in zip(words, words[1:], strict=False):
                if flag == "--policy":
                    assert value in made or (ROOT / value).is_file(), f"README: --policy {value} is not there"


def test_the_demo_options_the_readme_shows_exist():
    from click.testing import CliRunner

    from resilience.cli import main

    help_text = CliRunner().invoke(main, ["demo", "--help"]).output
    for option in re.findall(r"--[a-z-]+", next(line for line in README.splitlines()
                                                  if line.startswith("resilience demo"))):
        assert option in help_text, option


def test_every_gcp_endpoint_variable_the_collector_reads_is_documented():
    """Blind gcp10: the scan also calls Spanner and Firestore, but the READMEs named only the Cloud Asset and
    Cloud SQL Admin variables (and said no other Google API was called): those reads went to Google."""
    from resilience.collectors.gcp import clients

    names = [v for k, v in vars(clients).items() if k.startswith("ENV_") and v.endswith("_ENDPOINT")]
    assert len(names) >= 4
    gcp_readme = (ROOT / "examples" / "gcp" / "README.md").read_text(encoding="utf-8")
    for name in names:
        assert f"`{name}`" in README, f"README.md does not name {name}"
        assert f"`{name}`" in gcp_readme, f"examples/gcp/README.md does not name {name}"
