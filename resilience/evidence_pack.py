"""The auditor's evidence pack: one zip with everything SOC 2 A1.2/A1.3 testing asks for.

Built from a scan's output folder alone (``findings.json``, ``inventory.json`` and the
``policy.yaml`` copy the scan writes), so ``resilience evidence --from DIR`` can pack an earlier
scan, and ``scan --evidence`` packs the one it just ran. Contents::

    README.md                  how to read and re-check the pack
    scan.json                  who (caller identity), when, tool and rule versions, scope, coverage,
                               what was not assessed, counts
    findings.json              the scan's results as written (contract 3)
    inventory.json             the snapshot the results were computed from (re-analysable offline)
    population/inventory.csv   the population: one row per resource
    population/coverage.csv    every read of the scope and its status
    controls/<ID>.csv|.md      per control: every passing and failing result with its evidence
    failover-tests/records.csv the failover/restore tests declared in the policy (A1.3)
    failover-tests/all-sources.csv  evidence from every source: policy, FIS, Backup restore jobs, Resilience Hub
    failover-tests/findings.csv results of the failover-* rules with their evidence
    failover-tests/README.md   both, for a person
    waivers.csv                accepted risks that matched a result (active and expired)
    policy/policy.yaml         the policy file the scan used (when it used one)
    manifest.json              SHA-256 and size of every other file

Deterministic: entries sorted, timestamps fixed to the scan's start, fixed permissions and
compression, no build time or host path inside; the same inputs give a byte-identical zip.
``verify_pack`` re-hashes every entry and reports missing, extra and altered files.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .errors import InputError
from .findings_table import (
    COVERAGE_COLUMNS,
    INVENTORY_COLUMNS,
    finding_rows,
    inventory_rows,
    rule_catalogue,
    sort_key,
    spreadsheet_safe,
)

MANIFEST = "manifest.json"
MANIFEST_SCHEMA = "resilience.evidence-manifest/v1"
PACK_SCHEMA = "resilience.evidence-pack/v1"
POLICY_COPY = "policy.yaml"
FAILOVER_CATEGORIES = ("failover-untested", "failover-test-stale", "failover-test-failed")
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


# --- reading a scan's output folder -----------------------------------------------------------------


def _read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: missing ({what}); is this a scan's --output folder?") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not readable {what}: {exc}") from None
    if not isinstance(doc, dict):
        raise InputError(f"{path}: not {what}")
    return doc


def load_scan_output(folder: Path) -> tuple[dict[str, Any], dict[str, Any], str | None, bytes, bytes]:
    """``(findings, inventory, policy_text, findings_bytes, inventory_bytes)`` from an output folder.

    The policy copy is used only when its SHA-256 is the one the scan recorded: a stale
    ``policy.yaml`` from another run must not be presented as the policy this scan used.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"--from {folder}: not a folder")
    findings_bytes = (folder / "findings.json").read_bytes() if (folder / "findings.json").is_file() else b""
    findings = _read_json(folder / "findings.json", "findings.json")
    if findings.get("schema") != "resilience.findings/v1":
        raise InputError(f"{folder / 'findings.json'}: not a findings.json (schema {findings.get('schema')!r})")
    inventory = _read_json(folder / "inventory.json", "inventory.json")
    inventory_bytes = (folder / "inventory.json").read_bytes()
    expected = str(findings.get("scan", {}).get("policy_sha256") or "")
    policy_text = None
    copy = folder / POLICY_COPY
    if expected:
        if not copy.is_file():
            raise InputError(f"{copy}: missing; the scan used a policy file (sha256 {expected[:12]}) "
                             "and its copy is needed for the pack")
        data = copy.read_bytes()
        if hashlib.sha256(data).hexdigest() != expected:
            raise InputError(f"{copy}: does not match the policy the scan used "
                             f"(sha256 {hashlib.sha256(data).hexdigest()[:12]}, scan recorded {expected[:12]})")
        policy_text = data.decode("utf-8")
    return findings, inventory, policy_text, findings_bytes, inventory_bytes


# --- building --------------------------------------------------------------------------------------


def _csv(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return buf.getvalue().encode("utf-8")


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        value = json.dumps(value, sort_keys=True, default=str)
    return spreadsheet_safe(value)


def _control_file(control: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in control)


def _md_cell(value: Any) -> str:
    return str(value if value is not None else "").replace("|", "\\|").replace("\n", " ")


def _scan_time(findings: dict[str, Any]) -> tuple[int, int, int, int, int, int]:
    text = str(findings.get("scan", {}).get("started_at") or "")
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return _ZIP_EPOCH
    if when.tzinfo:
        when = when.astimezone(dt.UTC)
    stamp = (when.year, when.month, when.day, when.hour, when.minute, when.second)
    return max(stamp, _ZIP_EPOCH)


def pack_files(findings: dict[str, Any], inventory: dict[str, Any], policy_text: str | None, *,
               findings_bytes: bytes | None = None, inventory_bytes: bytes | None = None,
               registry: Iterable[Any] = ()) -> dict[str, bytes]:
    """Every file of the pack but the manifest, by path inside the zip. ``registry``: the rules the
    catalogue lists when ``findings.json`` carries none (the caller passes ``resilience.rules.REGISTRY``)."""
    from resilience.controls import CONTROLS

    scan = dict(findings.get("scan", {}))
    results = sorted(findings.get("findings", []), key=sort_key)
    coverage = findings.get("coverage", [])
    gaps = [c for c in coverage if c.get("status") != "ok"]
    rules = findings.get("rules") or [
        {k: v for k, v in r.items() if k not in ("rationale", "remediation", "references")}
        for r in rule_catalogue(results, scan, registry)
    ]
    files: dict[str, bytes] = {}
    files["findings.json"] = findings_bytes if findings_bytes is not None else \
        (json.dumps(findings, indent=2, default=str) + "\n").encode()
    files["inventory.json"] = inventory_bytes if inventory_bytes is not None else \
        (json.dumps(inventory, indent=2, default=str) + "\n").encode()

    by_status: dict[str, int] = {}
    for f in results:
        by_status[f["status"]] = by_status.get(f["status"], 0) + 1
    controls = sorted({c for f in results for c in f.get("controls", [])},
                      key=lambda c: (list(CONTROLS).index(c) if c in CONTROLS else 999, c))
    meta = {
        "schema": PACK_SCHEMA,
        "who": {"identity": scan.get("identity", ""), "accounts": scan.get("accounts", []),
                "providers": scan.get("provider", [])},
        "when": {"started_at": scan.get("started_at", ""), "finished_at": scan.get("finished_at", "")},
        "tool": {"name": "resilience", "version": scan.get("tool_version", ""), "scan_id": scan.get("id", "")},
        "rules": rules,
        "scope": {"regions_audited": scan.get("regions_audited", []),
                  "regions_scanned": scan.get("regions_scanned", []),
                  "resources": len(inventory.get("resources", [])),
                  "workloads": [{"name": w["name"], "resources": len(w.get("resources", [])),
                                 "objectives": w.get("objectives", {})} for w in findings.get("workloads", [])]},
        "coverage": {"reads": len(coverage), "ok": len(coverage) - len(gaps),
                     "not_assessed": [{k: c.get(k, "") for k in COVERAGE_COLUMNS} for c in gaps]},
        "policy": {"file": scan.get("policy_file", ""), "sha256": scan.get("policy_sha256", ""),
                   "included": policy_text is not None},
        "results": {"total": len(results), "by_status": dict(sorted(by_status.items())),
                    "failing_by_severity": (findings.get("summary") or {}).get("failing_by_severity", {})},
        "controls": controls,
        **({"baseline": {k: findings["baseline"].get(k) for k in ("scan_id", "started_at", "counts")}}
           if findings.get("baseline") else {}),
    }
    files["scan.json"] = (json.dumps(meta, indent=2, sort_keys=True, default=str) + "\n").encode()

    files["population/inventory.csv"] = _csv(INVENTORY_COLUMNS,
                                             inventory_rows(inventory, findings.get("workloads", [])))
    read = accounts_read(inventory, coverage)
    if read:  # an organisation scan: every account in scope, the role it was read with, its coverage
        files["population/accounts.csv"] = _csv(ACCOUNT_COLUMNS, read)
    files["population/coverage.csv"] = _csv(COVERAGE_COLUMNS, sorted(
        ({k: c.get(k, "") for k in COVERAGE_COLUMNS} for c in coverage),
        key=lambda c: (c["provider"], c["account"], c["region"], c["service"])))

    for control in controls:
        mine = [f for f in results if control in f.get("controls", [])]
        columns, rows = finding_rows(mine)
        name = _control_file(control)
        files[f"controls/{name}.csv"] = _csv(columns, rows)
        files[f"controls/{name}.md"] = _control_markdown(control, CONTROLS.get(control, ""), mine).encode()

    tests = _policy_tests(policy_text)
    test_columns = ("workload", "scenario", "date", "result", "measured_rto_s", "measured_rpo_s", "evidence",
                    "notes", "policy_line")
    files["failover-tests/records.csv"] = _csv(test_columns, tests)
    sources = _tests_from_every_source(inventory, policy_text)
    files["failover-tests/all-sources.csv"] = _csv(SOURCE_TEST_COLUMNS, sources)
    failover = [f for f in results if f.get("category") in FAILOVER_CATEGORIES]
    columns, rows = finding_rows(failover)
    files["failover-tests/findings.csv"] = _csv(columns, rows)
    files["failover-tests/README.md"] = _failover_markdown(tests, failover, sources).encode()

    waived = [f for f in results if f.get("waiver")]
    files["waivers.csv"] = _csv(
        ("id", "rule", "resource", "workload", "status", "reason", "approved_by", "expires", "expired", "policy_line"),
        ({"id": f["id"], "rule": f["rule"], "resource": f["resource"], "workload": f.get("workload") or "",
          "status": f["status"], **{k: f["waiver"].get(k, "") for k in ("reason", "approved_by", "expires",
                                                                         "policy_line")},
          "expired": "yes" if f["waiver"].get("expired") else "no"} for f in waived))
    files.update(_subservice_files(findings, results))
    if policy_text is not None:
        files[f"policy/{POLICY_COPY}"] = policy_text.encode("utf-8")
    files["README.md"] = _readme(meta, sorted(files)).encode()
    return files


SUBSERVICE_SCOPE_COLUMNS = ("provider", "what", "name", "resources", "in_scope")


def _subservice_files(findings: dict[str, Any], results: list[dict[str, Any]]) -> dict[str, bytes]:
    """``subservice-organisations/``: the vendor register as the scan compared it with the estate
    (``findings.json`` ``subservice_organisations``), the in-scope check per region and service, and the
    results of the vendor-assurance rules."""
    view = findings.get("subservice_organisations")
    if not view:
        return {}
    scope = [{"provider": p["provider"], "what": what[:-1], "name": row[what[:-1]], "resources": row["resources"],
              "in_scope": {True: "yes", False: "no", None: "not listed"}[row["in_scope"]]}
             for p in view["providers"] for what in ("regions", "services") for row in p[what]]
    columns, rows = finding_rows([f for f in results if f.get("category") == "vendor-assurance"])
    return {
        "subservice-organisations/register.json": (json.dumps(view, indent=2, sort_keys=True) + "\n").encode(),
        "subservice-organisations/scope.csv": _csv(SUBSERVICE_SCOPE_COLUMNS, scope),
        "subservice-organisations/findings.csv": _csv(columns, rows),
    }


ACCOUNT_COLUMNS = ("account", "name", "state", "outcome", "role", "identity", "regions", "reads", "ok", "not_ok",
                   "reason")


def accounts_read(inventory: dict[str, Any], coverage: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per account of an organisation scan (``meta.aws_accounts`` of the inventory)."""
    rows = []
    for a in (inventory.get("meta") or {}).get("aws_accounts") or ():
        mine = [c for c in coverage if c.get("account") == a["account"]]
        ok = sum(1 for c in mine if c.get("status") == "ok")
        rows.append({"account": a["account"], "name": a.get("name", ""), "state": a.get("state", ""),
                     "outcome": a.get("outcome", ""), "role": a.get("role", ""), "identity": a.get("identity", ""),
                     "regions": " ".join(a.get("regions") or ()), "reads": len(mine), "ok": ok,
                     "not_ok": len(mine) - ok, "reason": a.get("reason", "")})
    return sorted(rows, key=lambda r: r["account"])


SOURCE_TEST_COLUMNS = ("workload", "scenario", "date", "result", "source", "kind", "record_id", "measured_rto_s",
                       "measured_rpo_s", "link", "detail")


def _tests_from_every_source(inventory: dict[str, Any], policy_text: str | None) -> list[dict[str, Any]]:
    """Failover/restore evidence merged from the policy file, FIS experiments, AWS Backup restore
    jobs and Resilience Hub assessments, exactly as the failover rules read it."""
    from .evidence_sources import failover_tests
    from .graph import build_graph
    from .model import Inventory
    from .policy import Policy, PolicyError, parse_policy

    try:
        policy = parse_policy(policy_text, POLICY_COPY) if policy_text is not None else Policy()
    except PolicyError as exc:
        raise InputError(f"{POLICY_COPY}: {exc}") from None
    graph = build_graph(Inventory.from_dict(inventory), policy)
    return [{"workload": t.workload, "scenario": t.scenario or "", "date": t.date.isoformat(), "result": t.result,
             "source": t.source, "kind": t.kind, "record_id": t.record_id,
             "measured_rto_s": "" if t.measured_rto is None else t.measured_rto,
             "measured_rpo_s": "" if t.measured_rpo is None else t.measured_rpo,
             "link": t.link or "", "detail": t.detail}
            for t in sorted(failover_tests(graph, policy), key=lambda t: (t.workload, *t.sort_key()))]


def _policy_tests(policy_text: str | None) -> list[dict[str, Any]]:
    if policy_text is None:
        return []
    from .policy import PolicyError, parse_policy

    try:
        policy = parse_policy(policy_text, POLICY_COPY)
    except PolicyError as exc:
        raise InputError(f"{POLICY_COPY}: {exc}") from None
    return [{"workload": t.workload, "scenario": t.scenario, "date": t.date.isoformat(), "result": t.result,
             "measured_rto_s": "" if t.measured_rto is None else t.measured_rto,
             "measured_rpo_s": "" if t.measured_rpo is None else t.measured_rpo,
             "evidence": t.evidence or "", "notes": t.notes or "", "policy_line": f"{POLICY_COPY}:{t.line}"}
            for t in sorted(policy.failover_tests, key=lambda t: (t.workload, t.date, t.scenario))]


def _control_markdown(control: str, title: str, results: list[dict[str, Any]]) -> str:
    counts: dict[str, int] = {}
    for f in results:
        counts[f["status"]] = counts.get(f["status"], 0) + 1
    lines = [f"# {control}: {title}" if title else f"# {control}", "",
             f"{len(results)} results: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) + ".", "",
             "Every result of the rules mapped to this control, passing ones included (the population tested). "
             f"The evidence of each is in `{_control_file(control)}.csv` (columns `evidence.*`) and in "
             "`findings.json` under the same id.", "",
             "| Status | Severity | Rule | Resource | Workload | Message | Id |", "|---|---|---|---|---|---|---|"]
    for f in results:
        lines.append("| " + " | ".join(_md_cell(v) for v in (
            f["status"], f["severity"], f["rule"], f["resource"], f.get("workload") or "", f.get("message", ""),
            f["id"])) + " |")
    return "\n".join(lines) + "\n"


def _failover_markdown(tests: list[dict[str, Any]], results: list[dict[str, Any]],
                       sources: list[dict[str, Any]]) -> str:
    lines = ["# Failover and restore tests (SOC 2 A1.3)", "",
             "Recovery plan testing: the tests declared in the policy file (`records.csv`), the evidence found "
             "in every source the scan read (`all-sources.csv`: the policy file, AWS FIS experiments, AWS "
             "Backup restore jobs, Resilience Hub assessments) and what the failover rules concluded from "
             "them (`findings.csv`).", "", "## Evidence from every source", ""]
    if sources:
        lines += ["| Workload | Scenario | Date | Result | Source | Kind | Record |", "|---|---|---|---|---|---|---|"]
        lines += ["| " + " | ".join(_md_cell(t[k]) for k in ("workload", "scenario", "date", "result", "source",
                                                               "kind", "record_id")) + " |" for t in sources]
    else:
        lines.append("No failover or restore evidence was found in any source.")
    lines += ["", "## Declared tests", ""]
    if tests:
        lines += ["| Workload | Scenario | Date | Result | Measured RTO (s) | Measured RPO (s) | Evidence |",
                  "|---|---|---|---|---|---|---|"]
        lines += ["| " + " | ".join(_md_cell(t[k]) for k in ("workload", "scenario", "date", "result",
                                                               "measured_rto_s", "measured_rpo_s", "evidence"))
                  + " |" for t in tests]
    else:
        lines.append("No failover test is declared in the policy file.")
    lines += ["", "## Results of the failover rules", ""]
    if results:
        lines += ["| Status | Severity | Rule | Workload | Message |", "|---|---|---|---|---|"]
        lines += ["| " + " | ".join(_md_cell(v) for v in (f["status"], f["severity"], f["rule"],
                                                           f.get("workload") or "", f.get("message", ""))) + " |"
                  for f in results]
    else:
        lines.append("No result of the failover-untested / -stale / -failed categories in this scan.")
    return "\n".join(lines) + "\n"


def _readme(meta: dict[str, Any], names: list[str]) -> str:
    scan_when = meta["when"]["started_at"] or "an unrecorded time"
    gaps = meta["coverage"]["not_assessed"]
    lines = [
        "# Resilience evidence pack", "",
        f"Scan `{meta['tool']['scan_id']}`, started {scan_when}, by `{meta['who']['identity'] or 'unknown identity'}`, "
        f"with resilience {meta['tool']['version']} ({len(meta['rules'])} rules). Accounts: "
        f"{', '.join(meta['who']['accounts']) or '-'}. Regions audited: "
        f"{', '.join(meta['scope']['regions_audited']) or 'all scanned'}; regions scanned: "
        f"{', '.join(meta['scope']['regions_scanned']) or '-'}.", "",
        "This archive supports testing of SOC 2 Trust Services Criteria A1.2 (recovery infrastructure, "
        "backups) and A1.3 (recovery plan testing). It holds the population that was tested, every result "
        "(passing and failing) with the evidence it was decided on, what could not be assessed, and the "
        "policy that defined the workloads, objectives, tests and accepted risks.", "",
        "## What is where", "",
        "| File | What it is |", "|---|---|",
        "| `scan.json` | Who ran the scan (caller identity), when, tool and rule versions (a fingerprint per rule "
        "definition), scope, coverage and what was not assessed, result counts. |",
        "| `findings.json` | Every result as the scan wrote it (schema `resilience.findings/v1`). |",
        "| `inventory.json` | The inventory snapshot the results were computed from; `resilience scan --inventory` "
        "re-analyses it offline. |",
        "| `population/inventory.csv` | The population: one row per resource, with its workloads. |",
        "| `population/coverage.csv` | Every read (provider × account × region × service) and its status. |",
        "| `population/accounts.csv` | Organisation scans: every account in scope, skipped or read, the role "
        "assumed to read it and its coverage. |",
        "| `controls/<control>.csv`, `.md` | Per control: every passing and failing result with its evidence. |",
        "| `failover-tests/` | The failover/restore tests declared in the policy and the results of the "
        "failover rules (A1.3). |",
        "| `subservice-organisations/` | The cloud providers as subservice organisations: the vendor register "
        "(SOC 2 report relied on, period, opinion, bridge letter, CUEC owners, review), the provider's published "
        "reports (AWS Artifact metadata), whether each region and service used is in the report's scope, and the "
        "vendor-assurance results (CC9.2, A1.2). Present when the scan recorded it. |",
        "| `waivers.csv` | Accepted risks that matched a result: reason, approver, expiry; expired ones are "
        "failures again. |",
        "| `policy/policy.yaml` | The policy file the scan used (its SHA-256 is in `scan.json`). |",
        "| `manifest.json` | SHA-256 and size of every other file. |", "",
        "## Not assessed", "",
    ]
    if gaps:
        lines.append("These reads failed; rules that needed them answered `unknown`, never `pass`:")
        lines.append("")
        lines += [f"- {g['provider']} {g['service']} in {g['region']} (account {g['account'] or '-'}): "
                  f"{g['status']} {g['detail']}".rstrip() for g in gaps]
    else:
        lines.append(f"Nothing: all {meta['coverage']['reads']} reads of the scope succeeded.")
    if not meta["policy"]["included"]:
        lines += ["", "No policy file was used for this scan: no workloads, objectives, tests or waivers "
                      "were declared."]
    lines += [
        "", "## Checking the pack", "",
        "`resilience evidence verify pack.zip` re-computes the SHA-256 of every file and fails, naming the "
        "file, when one is altered, missing or added. Without the tool: `unzip pack.zip -d pack && cd pack && "
        "sha256sum` each file and compare with `manifest.json`.",
        "The manifest protects the content against accidental change; to protect it against deliberate "
        "change, record the SHA-256 of `manifest.json` (printed when the pack is built) or of the zip in "
        "your working papers when you receive it.",
        "The pack is deterministic: building it again from the same scan output gives a byte-identical zip.",
        "", "## Files", "",
    ]
    lines += [f"- `{n}`" for n in sorted({*names, "README.md", MANIFEST})]
    return "\n".join(lines) + "\n"


def manifest(files: dict[str, bytes], scan: dict[str, Any]) -> bytes:
    return manifest_of({name: (hashlib.sha256(data).hexdigest(), len(data)) for name, data in files.items()},
                       scan.get("id", ""))


def manifest_of(digests: dict[str, tuple[str, int]], pack_id: str) -> bytes:
    """The manifest from ``name -> (sha256, size)``: for packs written a file at a time (the history's)."""
    entries = {name: {"sha256": digest, "bytes": size} for name, (digest, size) in sorted(digests.items())}
    doc = {"schema": MANIFEST_SCHEMA, "scan_id": pack_id, "algorithm": "sha256", "files": entries}
    return (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode()


def zip_entry(name: str, date_time: tuple[int, int, int, int, int, int]) -> zipfile.ZipInfo:
    """An entry with the fixed attributes that make a pack byte-identical wherever it is built."""
    info = zipfile.ZipInfo(name, date_time=date_time)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # unix, whatever the host
    info.external_attr = 0o100644 << 16
    return info


def write_zip(files: dict[str, bytes], path: Path, date_time: tuple[int, int, int, int, int, int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as zf:
        for name in sorted(files):
            zf.writestr(zip_entry(name, date_time), files[name], compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    tmp.replace(path)


def build_pack(findings: dict[str, Any], inventory: dict[str, Any], policy_text: str | None, output: Path, *,
               findings_bytes: bytes | None = None, inventory_bytes: bytes | None = None,
               registry: Iterable[Any] = ()) -> str:
    """Write the pack; return the SHA-256 of its manifest (for the auditor's working papers)."""
    files = pack_files(findings, inventory, policy_text, findings_bytes=findings_bytes,
                       inventory_bytes=inventory_bytes, registry=registry)
    files[MANIFEST] = manifest(files, findings.get("scan", {}))
    write_zip(files, Path(output), _scan_time(findings))
    return hashlib.sha256(files[MANIFEST]).hexdigest()


def build_from_dir(folder: Path, output: Path, *, registry: Iterable[Any] = ()) -> tuple[Path, str]:
    """``resilience evidence --from DIR --output pack.zip`` and ``scan --evidence``."""
    findings, inventory, policy_text, fbytes, ibytes = load_scan_output(Path(folder))
    digest = build_pack(findings, inventory, policy_text, Path(output), findings_bytes=fbytes,
                        inventory_bytes=ibytes, registry=registry)
    return Path(output), digest


# --- verifying -------------------------------------------------------------------------------------


def verify_pack(path: Path) -> list[str]:
    """Problems found (empty when the pack is intact): each names the file concerned."""
    path = Path(path)
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        return [f"{path}: not a readable zip: {exc}"]
    with zf:
        names = [i.filename for i in zf.infolist() if not i.is_dir()]
        if len(names) != len(set(names)):
            dupes = sorted({n for n in names if names.count(n) > 1})
            return [f"{n}: appears more than once in the archive" for n in dupes]
        if MANIFEST not in names:
            return [f"{MANIFEST}: missing from the pack"]
        try:
            doc = json.loads(zf.read(MANIFEST))
            listed = doc["files"]
            if doc.get("schema") != MANIFEST_SCHEMA or not isinstance(listed, dict):
                raise ValueError("not an evidence manifest")
        except (ValueError, KeyError, TypeError) as exc:
            return [f"{MANIFEST}: unreadable: {exc}"]
        problems = []
        present = set(names) - {MANIFEST}
        for name in sorted(set(listed) - present):
            problems.append(f"{name}: listed in the manifest but missing from the pack")
        for name in sorted(present - set(listed)):
            problems.append(f"{name}: in the pack but not listed in the manifest")
        for name in sorted(present & set(listed)):
            try:
                data = zf.read(name)
            except (zipfile.BadZipFile, OSError) as exc:  # a CRC error on a tampered entry
                problems.append(f"{name}: unreadable: {exc}")
                continue
            digest = hashlib.sha256(data).hexdigest()
            entry = listed[name] if isinstance(listed[name], dict) else {}
            if digest != entry.get("sha256"):
                problems.append(f"{name}: SHA-256 mismatch (pack {digest[:16]}…, manifest "
                                f"{str(entry.get('sha256'))[:16]}…)")
        return problems


def manifest_digest(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return hashlib.sha256(zf.read(MANIFEST)).hexdigest()
