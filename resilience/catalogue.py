"""The rule catalogue, generated from the registry: `resilience rules`, `resilience explain`,
and the committed ``rules/CATALOGUE.md`` (a test fails when it drifts)."""

from __future__ import annotations

import inspect
import json

import click

from .controls import CONTROLS


def _registry():
    from resilience.rules import REGISTRY

    return REGISTRY


PROVIDER_NAMES = {"aws": "AWS", "azure": "Azure", "gcp": "Google Cloud"}


def rule_dict(rule) -> dict:
    return {
        "id": rule.id, "title": rule.title, "category": rule.category, "severity": rule.severity,
        "controls": list(rule.controls), "rationale": rule.rationale, "remediation": rule.remediation,
        "requires": list(rule.requires), "references": list(rule.references),
        "how": inspect.getdoc(rule.check) or "",
        "escalations": [{"severity": sev, "when": when} for sev, when in rule.escalations],
    }


def severity_text(rule) -> str:
    """The rule's severity and the raises its findings apply: ``high (critical when ...)``."""
    if not rule.escalations:
        return rule.severity
    return rule.severity + " (" + "; ".join(f"{sev} when {when}" for sev, when in rule.escalations) + ")"


def _severity_short(rule) -> str:
    return rule.severity + "".join(f" → {sev}" for sev, _ in rule.escalations)


def print_rules(fmt: str = "table") -> None:
    rules = _registry()
    if fmt == "json":
        click.echo(json.dumps([rule_dict(r) for r in rules], indent=2))
        return
    if fmt == "md":
        click.echo(catalogue_markdown(), nl=False)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(show_edge=False)
    for col in ("id", "category", "severity", "controls", "title"):
        table.add_column(col, overflow="fold")
    for r in rules:
        table.add_row(r.id, r.category, _severity_short(r), ", ".join(r.controls), r.title)
    Console(highlight=False).print(table)


def explain_rule(rule_id: str) -> str:
    from resilience.rules import get_rule

    rule = get_rule(rule_id.upper())
    d = rule_dict(rule)
    lines = [
        f"{rule.id}: {rule.title}",
        f"category: {rule.category}    severity: {severity_text(rule)}",
        "controls: " + ", ".join(f"{c} ({CONTROLS[c]})" for c in rule.controls),
        "",
        "Why:",
        _indent(rule.rationale),
        "",
        "How it is decided:",
        _indent(d["how"] or "(no description)"),
        "",
        "Remediation:",
        _indent(rule.remediation),
    ]
    for provider, text in rule.provider_remediation:
        lines += ["", f"Remediation on {PROVIDER_NAMES[provider]}:", _indent(text)]
    if rule.requires:
        lines += ["", "Needs coverage of: " + ", ".join(rule.requires) + " (answers 'unknown' without it)"]
    if rule.references:
        lines += ["", "References:"] + [f"  - {ref}" for ref in rule.references]
    return "\n".join(lines)


def _indent(text: str) -> str:
    return "\n".join("  " + line if line else "" for line in text.splitlines())


def catalogue_markdown() -> str:
    rules = _registry()
    out = [
        "# Rule catalogue",
        "",
        "Generated from the rule registry by `resilience rules --format md > rules/CATALOGUE.md`;",
        "`tests/test_catalogue.py` fails when this file drifts from the code.",
        "",
        "| id | category | severity | controls | title |",
        "|---|---|---|---|---|",
    ]
    for r in rules:
        out.append(f"| {r.id} | {r.category} | {_severity_short(r)} | {', '.join(r.controls)} | {r.title} |")
    for r in rules:
        d = rule_dict(r)
        out += ["", f"## {r.id}: {r.title}", "",
                f"*{r.category}* · *{severity_text(r)}* · {', '.join(r.controls)}", "",
                f"**Why.** {r.rationale}", "", f"**How it is decided.** {d['how'] or '-'}", "",
                f"**Remediation.** {r.remediation}"]
        out += [f"\n**Remediation on {PROVIDER_NAMES[p]}.** {text}" for p, text in r.provider_remediation]
        if r.requires:
            out += ["", f"**Needs coverage of:** {', '.join(r.requires)}"]
        if r.references:
            out += ["", "**References:** " + "; ".join(r.references)]
    return "\n".join(out) + "\n"
