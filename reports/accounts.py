"""The account view of a scan: per account, how it was read, result counts, its worst workloads.

Works on plain data (finding dicts, coverage records, the inventory's ``meta.aws.accounts``), so
``findings.json`` (``accounts`` section), ``report.md`` and ``report.html`` all show the same rows.
Shown when the scan covered more than one account, or when an account could not be read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

from resilience.controls import SEVERITIES

STATUSES = ("fail", "unknown", "waived", "pass")
WORST_WORKLOADS = 3


def _rank(severity: str | None) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def account_rows(findings: Iterable[Mapping[str, Any]], coverage: Iterable[Any],
                 scanned: Sequence[Mapping[str, Any]] = ()) -> list[dict[str, Any]]:
    """One row per account: ``account, name, outcome, role, coverage, counts, worst_workloads``.

    A workload spanning accounts counts in each (``accounts`` of its results); a resource result
    in its owner's (``account``). ``scanned`` is ``meta.aws.accounts`` (how each account was read).
    """
    rows: dict[str, dict[str, Any]] = {}

    def row(account: str) -> dict[str, Any]:
        found = rows.get(account)
        if found is None:  # asked once per result: the empty row is built only for a new account
            found = rows[account] = {
                "account": account, "name": "", "outcome": "not scanned",
                "reason": "named by a result (a copy, member or owner there) but not read by this scan", "role": "",
                "coverage": {}, "counts": {s: 0 for s in STATUSES}, "_workloads": {}}
        return found

    for entry in scanned:
        r = row(entry["account"])
        r.update({k: entry.get(k, r[k]) for k in ("name", "outcome", "reason", "role")})
    for c in coverage:
        account, status = (c["account"], c["status"]) if isinstance(c, Mapping) else (c.account, c.status)
        if account:
            r = row(account)
            if r["outcome"] == "not scanned":  # its reads have coverage records: this scan read it
                r["outcome"], r["reason"] = "scanned", ""
            r["coverage"][status] = r["coverage"].get(status, 0) + 1
    for f in findings:  # hundreds of thousands at 100,000 resources: each looked up once
        owners = f.get("accounts") or ((f["account"],) if f.get("account") else ())
        status = f["status"]
        for account in owners:
            r = rows.get(account) or row(account)
            counts = r["counts"]
            counts[status] = counts.get(status, 0) + 1
            if status == "fail":
                severity = f["severity"]
                for w in f.get("workloads") or ([f["workload"]] if f.get("workload") else []):
                    worst = r["_workloads"].get(w)
                    r["_workloads"][w] = min(worst or severity, severity, key=_rank)
    out = []
    for account in sorted(rows):
        r = rows[account]
        worst = sorted(r.pop("_workloads").items(), key=lambda kv: (_rank(kv[1]), kv[0]))
        r["worst_workloads"] = [{"workload": w, "severity": s} for w, s in worst[:WORST_WORKLOADS]]
        r["coverage"] = dict(sorted(r["coverage"].items()))
        out.append(r)
    return out


def worth_showing(rows: Sequence[Mapping[str, Any]]) -> bool:
    # one account (read, or with no coverage recorded, as in a hand-made inventory) needs no account view
    return len(rows) > 1 or any(r["outcome"] not in ("scanned", "not scanned") for r in rows)


def _worst(r: Mapping[str, Any]) -> str:
    return ", ".join(f"{w['workload']} ({w['severity']})" for w in r["worst_workloads"]) or "-"


def _read(r: Mapping[str, Any]) -> str:
    how = r["outcome"] + (f": {r['reason']}" if r["reason"] else "")
    return how + (f" via `{r['role']}`" if r["role"] and r["outcome"] == "scanned" else "")


def _shown(rows: Sequence[Mapping[str, Any]], limit: int | None) -> tuple[Sequence[Mapping[str, Any]], str]:
    """The rows a report lists (at most ``limit``: those with the most failing results) and the note saying so."""
    if limit is None or len(rows) <= limit:
        return rows, ""
    worst = sorted(rows, key=lambda r: (-r["counts"]["fail"], -r["counts"]["unknown"], r["account"]))[:limit]
    return worst, (f"Showing the {limit} accounts with the most failing results, of {len(rows)}; findings.json "
                   f"(by_account) lists every account.")


def markdown(rows: Sequence[Mapping[str, Any]], limit: int | None = None) -> str:
    rows, note = _shown(rows, limit)
    out = ["", "## Accounts", "",
           "| account | name | read | fail | unknown | waived | pass | worst workloads |",
           "|---|---|---|---:|---:|---:|---:|---|"]
    for r in rows:
        c = r["counts"]
        out.append(f"| {r['account']} | {r['name'] or '-'} | {_read(r).replace('|', '/')} | {c['fail']} | "
                   f"{c['unknown']} | {c['waived']} | {c['pass']} | {_worst(r)} |")
    if note:
        out += ["", f"_{note}_"]
    return "\n".join(out) + "\n"


def html(rows: Sequence[Mapping[str, Any]], limit: int | None = None) -> str:
    rows, note = _shown(rows, limit)
    head = "".join(f"<th>{h}</th>" for h in ("account", "name", "read", "fail", "unknown", "waived", "pass",
                                             "worst workloads"))
    body = []
    for r in rows:
        c = r["counts"]
        cells = [r["account"], r["name"] or "-", _read(r).replace("`", ""), c["fail"], c["unknown"], c["waived"],
                 c["pass"], _worst(r)]
        body.append("<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in cells) + "</tr>")
    return (f'<section id="accounts"><h2>Accounts</h2><table class="accounts"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>"
            + (f'<div class="more">{escape(note)}</div>' if note else "") + "</section>")
