"""The policy file (``resilience.yaml``, version 1): workloads, objectives, tests, waivers.

Loading is all-or-nothing: any problem raises :class:`PolicyError` whose message names the
file and line, so a bad file never produces a partial scan. Expired waivers are not errors
(a nightly job must not break because the calendar moved): they are kept, flagged, and the
engine turns the waived finding back into a failure with its own note.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .durations import parse_duration
from .recovery_model import RecoveryModelError, validate_recovery_model
from .vendor_register import ProviderAssurance, read_providers

DISRUPTIONS = ("az", "region")
TEST_RESULTS = ("pass", "fail")
DEFAULT_TEST_MAX_AGE = 365 * 86400
#: severities a ``remediation_sla:`` may name (the same list as ``resilience.controls.SEVERITIES``;
#: repeated here because the policy layer sits below the controls)
SLA_SEVERITIES = ("critical", "high", "medium", "low", "info")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class PolicyError(ValueError):
    """A problem in the policy file; the message is one line naming file and line."""


@dataclass(frozen=True)
class Objective:
    rto: int | None = None  # seconds
    rpo: int | None = None


@dataclass(frozen=True)
class Match:
    tags: dict[str, str] = field(default_factory=dict)
    resources: tuple[str, ...] = ()
    resource_groups: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return not (self.tags or self.resources or self.resource_groups)


@dataclass(frozen=True)
class WorkloadSpec:
    name: str
    match: Match = field(default_factory=Match)
    tier: str | None = None
    objectives: dict[str, Objective] = field(default_factory=dict)  # declared on the workload itself
    owner: str | None = None
    description: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Tier:
    name: str
    objectives: dict[str, Objective] = field(default_factory=dict)
    test_max_age: int | None = None
    line: int = 0


@dataclass(frozen=True)
class FailoverTest:
    workload: str
    scenario: str
    date: dt.date
    result: str
    measured_rto: int | None = None
    measured_rpo: int | None = None
    evidence: str | None = None
    notes: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Waiver:
    reason: str
    approved_by: str
    expires: dt.date
    category: str | None = None
    rule: str | None = None
    resource: str | None = None
    workload: str | None = None
    line: int = 0

    def matches(self, *, rule: str, category: str, resource: str, workload: str | None) -> bool:
        return (
            (self.rule is None or self.rule == rule)
            and (self.category is None or self.category == category)
            and (self.resource is None or self.resource == resource)
            and (self.workload is None or self.workload == workload)
        )

    def expired_on(self, day: dt.date) -> bool:
        return day > self.expires


@dataclass(frozen=True)
class Policy:
    workloads: dict[str, WorkloadSpec] = field(default_factory=dict)
    tiers: dict[str, Tier] = field(default_factory=dict)
    failover_tests: tuple[FailoverTest, ...] = ()
    test_max_age: int = DEFAULT_TEST_MAX_AGE
    failure_domains: dict[str, tuple[str, ...]] = field(default_factory=dict)
    waivers: tuple[Waiver, ...] = ()
    recovery_model: dict[str, Any] = field(default_factory=dict)
    providers: dict[str, ProviderAssurance] = field(default_factory=dict)  # the vendor register
    remediation_sla: dict[str, int] = field(default_factory=dict)  # severity -> seconds (history report)
    path: str | None = None
    sha256: str | None = None
    text: str | None = None

    def objectives_for(self, workload: str) -> dict[str, Objective]:
        """Objectives per disruption: the workload's own, else its tier's (per field)."""
        spec = self.workloads.get(workload)
        if spec is None:
            return {}
        tier = self.tiers.get(spec.tier) if spec.tier else None
        merged: dict[str, Objective] = {}
        for disruption in sorted(set(spec.objectives) | set(tier.objectives if tier else {})):
            own = spec.objectives.get(disruption, Objective())
            inherited = tier.objectives.get(disruption, Objective()) if tier else Objective()
            rto = own.rto if own.rto is not None else inherited.rto
            rpo = own.rpo if own.rpo is not None else inherited.rpo
            if rto is not None or rpo is not None:
                merged[disruption] = Objective(rto=rto, rpo=rpo)
        return merged

    def test_max_age_for(self, workload: str) -> int:
        spec = self.workloads.get(workload)
        tier = self.tiers.get(spec.tier) if spec and spec.tier else None
        if tier and tier.test_max_age is not None:
            return tier.test_max_age
        return self.test_max_age

    def location(self, line: int) -> str:
        return f"{self.path or '<policy>'}:{line}"


# --- loading ------------------------------------------------------------------------------


class _Node:
    """A YAML value with the line it came from (1-based)."""

    __slots__ = ("value", "line")

    def __init__(self, value: Any, line: int) -> None:
        self.value = value
        self.line = line


def _compose(node: yaml.Node, loader: yaml.SafeLoader | None = None) -> _Node:
    loader = loader or yaml.SafeLoader("")  # one constructor for the whole document
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, _Node] = {}
        for key_node, value_node in node.value:
            key = loader.construct_scalar(key_node)
            out[str(key)] = _compose(value_node, loader)
            out[str(key)].line = value_node.start_mark.line + 1
            out.setdefault(f"__line__{key}", _Node(None, key_node.start_mark.line + 1))
        return _Node(out, line)
    if isinstance(node, yaml.SequenceNode):
        return _Node([_compose(n, loader) for n in node.value], line)
    try:
        return _Node(loader.construct_object(node, deep=True), line)
    except ValueError as exc:  # a scalar YAML reads as a date or time that does not exist (2025-13-30)
        raise _BadScalar(line, f"{node.value!r} is not a valid value ({exc})") from None


class _BadScalar(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, line: int, message: str) -> PolicyError:
        return PolicyError(f"{self.path}:{line}: {message}")

    def mapping(self, node: _Node, where: str, allowed: set[str] | None = None) -> dict[str, _Node]:
        if not isinstance(node.value, dict):
            raise self.fail(node.line, f"{where} must be a mapping")
        items = {k: v for k, v in node.value.items() if not k.startswith("__line__")}
        if allowed is not None:
            for key in items:
                if key not in allowed:
                    line = node.value[f"__line__{key}"].line
                    raise self.fail(line, f"unknown key '{key}' in {where} (allowed: {', '.join(sorted(allowed))})")
        return items

    def seq(self, node: _Node, where: str) -> list[_Node]:
        if not isinstance(node.value, list):
            raise self.fail(node.line, f"{where} must be a list")
        return node.value

    def string(self, node: _Node, where: str) -> str:
        if not isinstance(node.value, str) or not node.value.strip():
            raise self.fail(node.line, f"{where} must be a non-empty string")
        return node.value

    def duration(self, node: _Node, where: str) -> int:
        try:
            return parse_duration(node.value)
        except ValueError as exc:
            raise self.fail(node.line, f"{where}: {exc}") from None

    def date(self, node: _Node, where: str) -> dt.date:
        value = node.value
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise self.fail(node.line, f"{where} must be a date (YYYY-MM-DD), got {value!r}")

    def choice(self, node: _Node, where: str, choices: tuple[str, ...]) -> str:
        if node.value not in choices:
            raise self.fail(node.line, f"{where} must be one of {', '.join(choices)}, got {node.value!r}")
        return node.value

    def name(self, node: _Node, key: str, where: str) -> str:
        if not _NAME.match(key):
            raise self.fail(node.line, f"bad {where} name '{key}': use letters, digits, '-', '_' or '.'")
        return key


def load_policy(path: str | Path, *, known_categories: frozenset[str] | None = None,
                known_rules: frozenset[str] | None = None) -> Policy:
    """Load and validate a policy file; raise :class:`PolicyError` (file:line: problem)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read policy file: {exc.strerror or exc}") from None
    return parse_policy(_decode(data, path), str(path), known_categories=known_categories, known_rules=known_rules)


def _decode(data: bytes, path: Path) -> str:
    """UTF-8 (with or without a byte-order mark), or UTF-16/32 when a byte-order mark says so
    (editors on Windows save that way); anything else is an error naming the file."""
    encoding = "utf-8-sig"
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        encoding = "utf-32"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PolicyError(f"{path}:{line}: not UTF-8 text (byte {exc.start}: {data[exc.start:exc.start + 1]!r}); "
                          "save the policy file as UTF-8") from None


def _compose_fast(text: str) -> yaml.Node | None:
    """The YAML node tree, through libyaml when PyYAML has it (an organisation's policy of thousands of
    workloads parses many times faster); a document it rejects is parsed again by the pure-Python
    loader, so that errors read the same on every install."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.compose(text, Loader=fast)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


def parse_policy(text: str, path: str = "<policy>", *, known_categories: frozenset[str] | None = None,
                 known_rules: frozenset[str] | None = None) -> Policy:
    r = _Reader(path)
    try:
        root_yaml = _compose_fast(text)
        tree = _compose(root_yaml) if root_yaml is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        problem = getattr(exc, "problem", None) or (str(exc).splitlines() or ["unreadable"])[0]
        raise r.fail(line, f"not valid YAML: {problem}") from None
    except RecursionError:
        raise r.fail(1, "not valid YAML: nested too deeply") from None
    except _BadScalar as exc:
        raise r.fail(exc.line, str(exc)) from None
    if tree is None:
        raise r.fail(1, "empty policy file (expected at least 'version: 1')")
    root = r.mapping(
        tree,
        "the policy file",
        {"version", "workloads", "tiers", "failover_tests", "test_max_age", "failure_domains", "waivers",
         "recovery_model", "providers", "remediation_sla"},
    )
    if "version" not in root:
        raise r.fail(1, "missing 'version: 1'")
    if root["version"].value != 1:
        raise r.fail(root["version"].line, f"unsupported policy version {root['version'].value!r} (expected 1)")

    tiers = {}
    for name, node in r.mapping(root["tiers"], "tiers").items() if "tiers" in root else ():
        r.name(node, name, "tier")
        body = r.mapping(node, f"tier '{name}'", {*DISRUPTIONS, "test_max_age"})
        tiers[name] = Tier(
            name=name,
            objectives=_objectives(r, {k: v for k, v in body.items() if k in DISRUPTIONS}, f"tier '{name}'"),
            test_max_age=r.duration(body["test_max_age"], f"tier '{name}' test_max_age")
            if "test_max_age" in body else None,
            line=node.line,
        )

    workloads = {}
    for name, node in r.mapping(root["workloads"], "workloads").items() if "workloads" in root else ():
        r.name(node, name, "workload")
        body = r.mapping(node, f"workload '{name}'", {"match", "tier", "objectives", "owner", "description"})
        tier = None
        if "tier" in body:
            tier = r.string(body["tier"], f"workload '{name}' tier")
            if tier not in tiers:
                raise r.fail(body["tier"].line, f"workload '{name}' names unknown tier '{tier}'")
        workloads[name] = WorkloadSpec(
            name=name,
            match=_match(r, body["match"], name) if "match" in body else Match(),
            tier=tier,
            objectives=_objectives(r, r.mapping(body["objectives"], f"workload '{name}' objectives",
                                                set(DISRUPTIONS)), f"workload '{name}'")
            if "objectives" in body else {},
            owner=r.string(body["owner"], "owner") if "owner" in body else None,
            description=r.string(body["description"], "description") if "description" in body else None,
            line=node.line,
        )

    tests = []
    for node in r.seq(root["failover_tests"], "failover_tests") if "failover_tests" in root else ():
        body = r.mapping(node, "a failover test", {"workload", "scenario", "date", "result", "measured_rto",
                                                    "measured_rpo", "evidence", "notes"})
        for required in ("workload", "scenario", "date", "result"):
            if required not in body:
                raise r.fail(node.line, f"failover test is missing '{required}'")
        workload = r.string(body["workload"], "failover test workload")
        if workload not in workloads:
            raise r.fail(body["workload"].line, f"failover test names unknown workload '{workload}'")
        tests.append(FailoverTest(
            workload=workload,
            scenario=r.choice(body["scenario"], "failover test scenario", DISRUPTIONS),
            date=r.date(body["date"], "failover test date"),
            result=r.choice(body["result"], "failover test result", TEST_RESULTS),
            measured_rto=r.duration(body["measured_rto"], "measured_rto") if "measured_rto" in body else None,
            measured_rpo=r.duration(body["measured_rpo"], "measured_rpo") if "measured_rpo" in body else None,
            evidence=r.string(body["evidence"], "evidence") if "evidence" in body else None,
            notes=r.string(body["notes"], "notes") if "notes" in body else None,
            line=node.line,
        ))

    domains = {}
    for name, node in r.mapping(root["failure_domains"], "failure_domains").items() \
            if "failure_domains" in root else ():
        regions = [r.string(n, f"failure domain '{name}' region") for n in r.seq(node, f"failure domain '{name}'")]
        if len(regions) < 2:
            raise r.fail(node.line, f"failure domain '{name}' needs at least two regions")
        domains[name] = tuple(regions)

    waivers = []
    for node in r.seq(root["waivers"], "waivers") if "waivers" in root else ():
        body = r.mapping(node, "a waiver", {"category", "rule", "resource", "workload", "reason", "approved_by",
                                            "expires"})
        for required in ("reason", "approved_by", "expires"):
            if required not in body:
                raise r.fail(node.line, f"waiver is missing '{required}'")
        if not any(k in body for k in ("category", "rule", "resource", "workload")):
            raise r.fail(node.line, "waiver must name at least one of category, rule, resource, workload")
        category = r.string(body["category"], "waiver category") if "category" in body else None
        if category and known_categories is not None and category not in known_categories:
            raise r.fail(body["category"].line, f"waiver names unknown category '{category}'")
        rule = r.string(body["rule"], "waiver rule") if "rule" in body else None
        if rule and known_rules is not None and rule not in known_rules:
            raise r.fail(body["rule"].line, f"waiver names unknown rule '{rule}'")
        workload = r.string(body["workload"], "waiver workload") if "workload" in body else None
        if workload and workload not in workloads:
            raise r.fail(body["workload"].line, f"waiver names unknown workload '{workload}'")
        waivers.append(Waiver(
            category=category, rule=rule, workload=workload,
            resource=r.string(body["resource"], "waiver resource") if "resource" in body else None,
            reason=r.string(body["reason"], "waiver reason"),
            approved_by=r.string(body["approved_by"], "waiver approved_by"),
            expires=r.date(body["expires"], "waiver expires"),
            line=node.line,
        ))

    recovery_model = {}
    if "recovery_model" in root:
        recovery_model = _plain(root["recovery_model"])
        if not isinstance(recovery_model, dict):
            raise r.fail(root["recovery_model"].line, "recovery_model must be a mapping")
        _check_recovery_model(r, root["recovery_model"], recovery_model)

    providers = read_providers(r, root["providers"]) if "providers" in root else {}
    remediation_sla = {}
    if "remediation_sla" in root:
        for severity, node in r.mapping(root["remediation_sla"], "remediation_sla", set(SLA_SEVERITIES)).items():
            remediation_sla[severity] = r.duration(node, f"remediation_sla {severity}")

    return Policy(
        workloads=workloads,
        tiers=tiers,
        failover_tests=tuple(tests),
        test_max_age=r.duration(root["test_max_age"], "test_max_age") if "test_max_age" in root
        else DEFAULT_TEST_MAX_AGE,
        failure_domains=domains,
        waivers=tuple(waivers),
        recovery_model=recovery_model,
        providers=providers,
        remediation_sla=remediation_sla,
        path=path,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        text=text,
    )


def _objectives(r: _Reader, body: dict[str, _Node], where: str) -> dict[str, Objective]:
    out = {}
    for disruption, node in body.items():
        values = r.mapping(node, f"{where} objectives.{disruption}", {"rto", "rpo"})
        if not values:
            raise r.fail(node.line, f"{where} objectives.{disruption} needs rto and/or rpo")
        out[disruption] = Objective(
            rto=r.duration(values["rto"], f"{where} {disruption} rto") if "rto" in values else None,
            rpo=r.duration(values["rpo"], f"{where} {disruption} rpo") if "rpo" in values else None,
        )
    return out


def _match(r: _Reader, node: _Node, workload: str) -> Match:
    body = r.mapping(node, f"workload '{workload}' match", {"tags", "resources", "resource_groups"})
    tags = {}
    if "tags" in body:
        for key, value in r.mapping(body["tags"], f"workload '{workload}' match.tags").items():
            if not isinstance(value.value, str | int | float) or isinstance(value.value, bool):
                raise r.fail(value.line, f"tag value for '{key}' must be a string")
            tags[key] = str(value.value)
    resources = tuple(r.string(n, "resource id") for n in r.seq(body["resources"], "match.resources")) \
        if "resources" in body else ()
    groups = tuple(r.string(n, "resource group") for n in r.seq(body["resource_groups"], "match.resource_groups")) \
        if "resource_groups" in body else ()
    return Match(tags=tags, resources=resources, resource_groups=groups)


def _check_recovery_model(r: _Reader, node: _Node, raw: dict[str, Any]) -> None:
    """Keys and values of ``recovery_model`` checked against the recovery model table (file:line)."""
    try:
        validate_recovery_model(raw)
    except RecoveryModelError as exc:
        line, current = node.line, node
        for key in exc.path:
            if not isinstance(current.value, dict) or key not in current.value:
                break
            line = current.value.get(f"__line__{key}", current.value[key]).line
            current = current.value[key]
        raise r.fail(line, f"recovery_model: {exc}") from None


def _plain(node: _Node) -> Any:
    if isinstance(node.value, dict):
        return {k: _plain(v) for k, v in node.value.items() if not k.startswith("__line__")}
    if isinstance(node.value, list):
        return [_plain(v) for v in node.value]
    return node.value


def empty_policy() -> Policy:
    return Policy()
