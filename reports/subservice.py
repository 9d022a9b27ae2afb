"""The "Subservice organisations" section of report.md / report.html: the vendor register beside the estate.

Reads ``result.extra["subservice_organisations"]`` (:func:`resilience.vendor_assurance.register_view`, put there
by the scan) so the section, ``findings.json`` and the evidence pack show the same thing.
"""

from __future__ import annotations

from importlib.resources import files

from jinja2 import Environment, StrictUndefined, select_autoescape

from resilience.results import ScanResult

KEY = "subservice_organisations"


def section(result: ScanResult, fmt: str) -> str:
    """The rendered section (``fmt``: ``md`` or ``html``), or "" when the estate uses no provider."""
    view = result.extra.get(KEY)
    if not view or not view.get("providers"):
        return ""
    env = Environment(autoescape=select_autoescape(default=fmt == "html", default_for_string=fmt == "html"),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["scope"] = _scope_word
    if fmt == "md":
        env.filters["cell"] = lambda v: str(v).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
    template = env.from_string(files("resilience.reports").joinpath(f"templates/subservice.{fmt}.j2")
                               .read_text(encoding="utf-8"))
    findings = [f for f in result.findings if f.category == "vendor-assurance" and f.status in ("fail", "unknown")]
    return template.render(view=view, findings=findings)


def _scope_word(in_scope: bool | None) -> str:
    return {True: "in scope", False: "NOT in scope", None: "not listed in the register"}[in_scope]
