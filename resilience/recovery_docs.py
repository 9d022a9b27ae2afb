"""``docs/recovery-model.md``: the recovery model table, how estimates and strategies are derived, the
evidence sources and the control mapping, in one page (``python -m resilience.recovery_docs``).

A document over three layers (the table, the recovery analysis, the evidence sources and mappings),
so it sits above them, with the other generated documents, not inside :mod:`resilience.recovery`.
"""

from __future__ import annotations

from . import evidence_sources, mappings
from .durations import format_duration
from .recovery import classify_strategy, is_unbounded
from .recovery_model import NUMBER_PARAMS, ModelEntry, load_table


def _cell(value: float | None) -> str:
    if value is None:
        return "computed"
    return format_duration(value) if not is_unbounded(value) else "unbounded"


def model_markdown() -> str:
    """``docs/recovery-model.md``: the table, how estimates and strategies are derived, the
    evidence sources and the control mapping. Generated; a test keeps the committed copy in step."""
    table = load_table()
    out = [
        "# Recovery model",
        "",
        "Generated from `resilience/data/recovery_model.yaml` by `python -m resilience.recovery_docs > "
        "docs/recovery-model.md`;",
        "`tests/recovery/test_docs.py` fails when this file drifts from the code.",
        "",
        "The rules `rto-mismatch` and `rpo-mismatch` compare a workload's objectives with what its",
        "architecture can achieve. This page lists every number used, where it comes from, and how the",
        "numbers are combined. Values marked *assumption* are ours: override them in the policy file with",
        "your own measurements (see *Overrides*).",
        "",
        "## The table",
        "",
        "| key | disruption | applies to | mechanism | RTO | RPO | basis | source |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for e in table.values():
        out.append(f"| `{e.key}` | {', '.join(e.disruption)} | {e.applies_to} | {e.mechanism} | "
                   f"{_cell(e.rto)} | {_cell(e.rpo)} | {e.basis} | "
                   f"{_sources(e)} |")
    out += ["", "A step about an Azure or Google Cloud resource cites that provider's document where the entry names "
            "one (the links after the first in *source*).", "", "### Notes, formulas and parameters", ""]
    for e in table.values():
        line = f"- **`{e.key}`**: {e.note}"
        if e.formula:
            line += f" *Formula:* {e.formula}."
        if e.params:
            params = ", ".join(f"`{k}` = {v:g}" if k in NUMBER_PARAMS else f"`{k}` = {format_duration(v)}"
                               for k, v in e.params.items())
            line += f" *Parameters:* {params}."
        out.append(line)
    out += [
        "",
        "## How an estimate is made",
        "",
        "- **Scenarios.** `az`: each zone the workload uses fails in turn; `region`: each region it runs in",
        "  fails in turn (only the audited regions with `--region`). The workload's achievable RTO/RPO for",
        "  the disruption is the worst scenario.",
        "- **Failure domains.** Regions that fail together (`resilience/failure_domains.py`: built in, such as",
        "  `gulf` = me-central-1 + me-south-1, or the policy's `failure_domains`) are one more scenario: for",
        "  each domain that holds a priced region and another region the workload, its dependencies or its",
        "  copies and backups use, every region of the domain fails at once. The rules report it as a separate",
        "  result keyed `region:domain:NAME` (`observed.failure_domain`), so a DR copy inside the domain meets",
        "  the objective for the loss of one region and fails it for the loss of the domain, as",
        "  RES-CORRELATED-002 says.",
        "- **Serving path.** The workload's resources plus everything they depend on (`depends_on`) or route",
        "  to (`routes_to`), including resources of other workloads. Recovery points, vaults, plans, health",
        "  checks, subnets and evidence records are not on it.",
        "- **Per component**, in a scenario: unaffected components add nothing. What is lost, which copies",
        "  a data store has, which of them survive, which failover can run and which volumes are disposable",
        "  are the survival engine's answers (`resilience/survival.py` and `copies.py`: `node_down`, `data_copies`,",
        "  `backups_of`, `copy_down`, `copy_blocked`, `data_outcome`, `is_disposable`), so the estimate and",
        "  the simulator's verdicts agree.",
        "  A multi-zone resource that lost a zone uses its own HA mechanism (Multi-AZ failover, Aurora",
        "  failover, ASG rebalancing; which zone holds the primary is not always known, so losing either zone",
        "  costs the failover time). A lost data store takes the fastest surviving option among its live",
        "  copies (replicas, standbys, global-table and global-database peers), backups in its region (only if",
        "  the region survives), point-in-time recovery and copies in other regions; a failover whose API is",
        "  in a failed region (`needs_control_plane_in`) is `control-plane-blocked` (the copy keeps the data,",
        "  the RTO is unbounded); with no surviving copy, `no-copy` (unbounded). When the workload declares an",
        "  objective for the disruption, the fastest option that meets both its RTO and its RPO is taken instead",
        "  (a 30-minute restore that loses a day does not beat a 31-minute failover that loses seconds against",
        "  an RPO of 15 minutes), and the step says which faster option it passed over. Volumes of Auto Scaling",
        "  instances are replaced with them and are not data. Lost compute uses running compute of the same",
        "  kind elsewhere, else scaled-to-zero compute (pilot light), else `compute-redeploy` (unbounded unless",
        "  declared). An entry point whose targets are lost fails over through Route 53 when health-checked",
        "  (`interval x threshold + TTL`), else needs a manual switch.",
        "- **RPO of a restore** is what the copy that exists allows: the age at scan time (an input, no clock)",
        "  of the newest *usable* copy in the surviving location, or the interval of the schedule that makes",
        "  the next one, whichever is worse: a daily copy whose newest copy is 40 days old has an RPO of 40",
        "  days. Usable means completed (`COMPLETED`, `completed`, `available`; a copy whose provider reports no",
        "  state counts): `creating`, `pending`, `partial`, `expired` copies do not. The reasoning shows both",
        "  figures and the `max(...)`. Without a scan time or observed copies, the schedule alone; without a",
        "  schedule, the age alone; without either, the table's assumed interval. Copies made by hand (an RDS",
        "  manual snapshot or its cross-region copy, a DynamoDB on-demand backup) with no schedule or rule making",
        "  another give no RPO at all (unbounded), however fresh the latest one is.",
        "- **Combination.** Components recover in parallel: the workload's RTO is the largest component RTO,",
        "  its RPO the largest component RPO. Each finding lists every step with its model key and source.",
        "- **Unbounded** is reported as `null` with `\"<field>_unbounded\": true` in JSON, never as Infinity.",
        "- **Unknown.** When a read of a region the workload runs in was denied, errored or timed out, a",
        "  component may be missing, so the verdict is `unknown`; when the estimate is unbounded somewhere, a",
        "  gap in any region may hide the copy that would bound it, so it is `unknown` too. Only a gap that",
        "  could change the verdict counts: a listing that may hide a data store (RTO and RPO) or a way in (RTO),",
        "  any other read only when the workload's path holds a resource of its service; reads no estimate uses",
        "  (fault experiments, restore jobs, Resilience Hub, Artifact, ARC, Organizations) never. A miss stands",
        "  unless something unseen could lower *every* component that sets it (a hidden copy of a lost database",
        "  cannot lower the unbounded rebuild of a lost compute group beside it); a pass stands unless something",
        "  unseen could raise a component (a doubt about one copy, only for the component relying on it).",
        "- **Duration** (`estimate_for_scenario(..., duration=)`, used by the simulator): when the failed",
        "  locations return after a known time, waiting for them (data intact) bounds every step.",
        "",
        "## DR strategy",
        "",
        "Reported in the evidence of `rto-mismatch`/`rpo-mismatch` (`strategy`, `strategy_reasons`), from",
        "`classify_strategy(graph, workload)`:",
        "",
    ]
    bullets = (classify_strategy.__doc__ or "").split("\n\n")[1]
    out += [bullets.replace("\n    ", "\n").replace("``", "`").replace("* `", "- `").strip(), ""]
    out += ["## Overrides", "",
            "Any entry's `rto`, `rpo`, `note`, `source` and parameters can be set in the policy file. The",
            "policy's value wins over both the table and the formula; findings name it as the source.", "",
            "```yaml", "recovery_model:", "  rds-read-replica-promotion: {rto: 4m, note: measured in DR-2231}",
            "  restore-cross-region-copy: {fixed: 45m, throughput_mib_s: 150}",
            "  compute-redeploy: {rto: 2h, source: \"runbook RB-17, measured 2026-05-02\"}", "```", "",
            "Unknown keys or fields and malformed durations are rejected with the file and line.", ""]
    out += evidence_sources.markdown_section()
    out += mappings.markdown_section()
    return "\n".join(out).rstrip() + "\n"


def _sources(entry: ModelEntry) -> str:
    links = [f"[{entry.document}]({entry.url})"]
    links += [f"{provider}: [{document}]({url})" for provider, (document, url) in entry.provider_sources.items()]
    return "<br>".join(links)


if __name__ == "__main__":  # pragma: no cover - exercised by tests/recovery/test_docs.py
    import sys

    sys.stdout.write(model_markdown())

