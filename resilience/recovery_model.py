"""The recovery model table (``resilience/data/recovery_model.yaml``) and the policy's overrides of it.

Per mechanism and disruption, an RTO and RPO with the document each number comes from. The policy
loader validates a policy file's ``recovery_model:`` mapping against it
(:func:`validate_recovery_model`) and :mod:`resilience.recovery` prices estimates with it
(:func:`model_for`), so it sits below both: plain data and validation, no graph.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any

import yaml

from .durations import parse_duration

UNBOUNDED = math.inf
DISRUPTIONS = ("az", "region")
BASES = ("documented", "typical", "sla", "assumption")


class RecoveryModelError(ValueError):
    """A problem in the recovery model (the packaged table or a policy override).

    ``path`` is the key path inside ``recovery_model`` (``("restore-cross-region-copy", "fixed")``)
    so that the policy loader can point at the file line.
    """

    def __init__(self, message: str, path: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.path = path


@dataclass(frozen=True)
class ModelEntry:
    """One row of the recovery model. ``rto``/``rpo``: seconds, :data:`UNBOUNDED`, or ``None``
    when computed from graph facts and ``params`` (``formula`` says how)."""

    key: str
    applies_to: str
    disruption: tuple[str, ...]
    mechanism: str
    rto: float | None
    rpo: float | None
    basis: str
    document: str
    url: str
    note: str = ""
    formula: str = ""
    params: Mapping[str, float] = field(default_factory=dict)
    overridden: tuple[str, ...] = ()  # fields set by the policy file's recovery_model
    #: provider -> (document, url): the same mechanism in that provider's own documentation, for an entry that
    #: is not one service's (a rebuild, a restore, a manual DNS change); ``document``/``url`` stand for the rest
    provider_sources: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def source(self) -> str:
        return self.source_for(None)

    def source_for(self, provider: str | None) -> str:
        """The source of this entry's numbers for a resource of ``provider`` (the table's default document when
        the entry names none for it; the policy's, when the policy overrides the entry)."""
        document, url = self.provider_sources.get(provider or "", (self.document, self.url))
        if "source" in self.overridden:
            document, url = self.document, self.url
        text = f"{document} <{url}>"
        if self.overridden:
            text = f"policy recovery_model.{self.key} ({', '.join(self.overridden)}); table: {text}"
        return text

    def param(self, name: str) -> float:
        return self.params[name]


NUMBER_PARAMS = frozenset({"throughput_mib_s", "failure_threshold"})
_ENTRY_FIELDS = {"key", "applies_to", "disruption", "mechanism", "rto", "rpo", "basis", "source", "note",
                 "formula", "params", "provider_sources"}
PROVIDERS = ("aws", "azure", "gcp")


def _model_value(value: Any, where: str, *, computed_ok: bool) -> float | None:
    if isinstance(value, str) and value.strip() == "unbounded":
        return UNBOUNDED
    if computed_ok and isinstance(value, str) and value.strip() == "computed":
        return None
    try:
        return float(parse_duration(value))
    except ValueError as exc:
        raise RecoveryModelError(f"{where}: {exc} (or 'unbounded')") from None


def _param_value(name: str, value: Any, where: str) -> float:
    if name in NUMBER_PARAMS:
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise RecoveryModelError(f"{where}: expected a positive number, got {value!r}")
        return float(value)
    try:
        return float(parse_duration(value))
    except ValueError as exc:
        raise RecoveryModelError(f"{where}: {exc}") from None


@cache
def load_table() -> dict[str, ModelEntry]:
    """The packaged table, validated (a malformed table fails here, at first use)."""
    text = resources.files("resilience").joinpath("data/recovery_model.yaml").read_text(encoding="utf-8")
    return parse_table(yaml.safe_load(text))


def parse_table(data: Any) -> dict[str, ModelEntry]:
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise RecoveryModelError("recovery model table: expected a mapping with an 'entries' list")
    out: dict[str, ModelEntry] = {}
    for raw in data["entries"]:
        key = raw.get("key") if isinstance(raw, dict) else None
        if not isinstance(key, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", key):
            raise RecoveryModelError(f"recovery model table: bad or missing key in {raw!r}")
        unknown = set(raw) - _ENTRY_FIELDS
        if unknown:
            raise RecoveryModelError(f"recovery model table: {key}: unknown fields {sorted(unknown)}")
        if key in out:
            raise RecoveryModelError(f"recovery model table: duplicate key {key}")
        disruption = tuple(d.strip() for d in str(raw.get("disruption", "")).split(",") if d.strip())
        if not disruption or any(d not in DISRUPTIONS for d in disruption):
            raise RecoveryModelError(f"recovery model table: {key}: disruption must list az and/or region")
        if raw.get("basis") not in BASES:
            raise RecoveryModelError(f"recovery model table: {key}: basis must be one of {', '.join(BASES)}")
        source = raw.get("source") or {}
        if not _is_source(source):
            raise RecoveryModelError(f"recovery model table: {key}: source needs a document and an https url")
        provider_sources = raw.get("provider_sources") or {}
        if not isinstance(provider_sources, dict) or any(
                p not in PROVIDERS or not _is_source(s) for p, s in provider_sources.items()):
            raise RecoveryModelError(f"recovery model table: {key}: provider_sources maps {', '.join(PROVIDERS)} "
                                     f"to a document and an https url")
        for name in ("applies_to", "mechanism"):
            if not str(raw.get(name, "")).strip():
                raise RecoveryModelError(f"recovery model table: {key}: empty {name}")
        rto = _model_value(raw.get("rto"), f"{key}.rto", computed_ok=True)
        rpo = _model_value(raw.get("rpo"), f"{key}.rpo", computed_ok=True)
        if (rto is None or rpo is None) and not raw.get("formula"):
            raise RecoveryModelError(f"recovery model table: {key}: a computed value needs a formula")
        params = {name: _param_value(name, value, f"{key}.params.{name}")
                  for name, value in (raw.get("params") or {}).items()}
        out[key] = ModelEntry(
            key=key, applies_to=str(raw["applies_to"]).strip(), disruption=disruption,
            mechanism=str(raw["mechanism"]).strip(), rto=rto, rpo=rpo, basis=raw["basis"],
            document=str(source["document"]), url=str(source["url"]), note=str(raw.get("note", "")).strip(),
            formula=str(raw.get("formula", "")).strip(), params=params,
            provider_sources={p: (str(s["document"]), str(s["url"])) for p, s in provider_sources.items()},
        )
    return out


def _is_source(source: Any) -> bool:
    return (isinstance(source, dict) and bool(source.get("document"))
            and str(source.get("url", "")).startswith("https://"))


def validate_recovery_model(raw: Any) -> dict[str, dict[str, Any]]:
    """Check a policy file's ``recovery_model:`` mapping; return it normalised (seconds, floats).

    Shape: ``{ENTRY_KEY: {rto: DURATION|unbounded, rpo: ..., PARAM: value, note: str, source: str}}``.
    Raises :class:`RecoveryModelError` naming the key path (``recovery_model.KEY.FIELD``).
    """
    table = load_table()
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise RecoveryModelError("must be a mapping of model keys to overrides")
    out: dict[str, dict[str, Any]] = {}
    for key, body in raw.items():
        if key not in table:
            raise RecoveryModelError(
                f"unknown recovery model key '{key}' (known: {', '.join(sorted(table))})", (str(key),))
        if not isinstance(body, Mapping) or not body:
            raise RecoveryModelError(f"'{key}' must be a mapping such as {{rto: 5m}}", (key,))
        entry = table[key]
        allowed = {"rto", "rpo", "note", "source", *entry.params}
        norm: dict[str, Any] = {}
        for name, value in body.items():
            path = (key, str(name))
            if name not in allowed:
                raise RecoveryModelError(
                    f"unknown field '{name}' for '{key}' (allowed: {', '.join(sorted(allowed))})", path)
            if name in ("rto", "rpo"):
                try:
                    norm[name] = _model_value(value, f"{key}.{name}", computed_ok=False)
                except RecoveryModelError as exc:
                    raise RecoveryModelError(str(exc), path) from None
            elif name in ("note", "source"):
                if not isinstance(value, str) or not value.strip():
                    raise RecoveryModelError(f"{key}.{name} must be a non-empty string", path)
                norm[name] = value.strip()
            else:
                try:
                    norm[name] = _param_value(name, value, f"{key}.{name}")
                except RecoveryModelError as exc:
                    raise RecoveryModelError(str(exc), path) from None
        out[str(key)] = norm
    return out


@dataclass(frozen=True)
class RecoveryModel:
    """The table with the policy's overrides applied (the policy wins over table and formula)."""

    entries: Mapping[str, ModelEntry]

    def __getitem__(self, key: str) -> ModelEntry:
        return self.entries[key]


def model_for(policy: Any = None) -> RecoveryModel:
    table = load_table()
    overrides = validate_recovery_model(getattr(policy, "recovery_model", None) or {})
    if not overrides:
        return RecoveryModel(table)
    entries = dict(table)
    for key, body in overrides.items():
        entry = entries[key]
        params = dict(entry.params)
        params.update({k: v for k, v in body.items() if k in entry.params})
        note = entry.note
        if body.get("note"):
            note = f"{body['note']} (policy override). Table note: {entry.note}"
        document, url = entry.document, entry.url
        entries[key] = replace(
            entry,
            rto=body.get("rto", entry.rto), rpo=body.get("rpo", entry.rpo), params=params, note=note,
            document=body.get("source", document), url=url,
            overridden=tuple(sorted(k for k in body if k not in ("note",))),
        )
    return RecoveryModel(entries)
