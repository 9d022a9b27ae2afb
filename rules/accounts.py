"""Account isolation: a backup held in the same account as its data is lost with that account.

An account compromise (ransomware with admin rights deletes vaults and snapshots), a lock-out (lost
root credentials, a suspended payment method) or a closure takes the data and every backup held
beside it. AWS's own guidance is a dedicated backup account in the organisation, with vault lock.
"""

from __future__ import annotations

from collections.abc import Iterator

from resilience.coverage_index import coverage_index
from resilience.mappings import controls_for
from resilience.model import Coverage
from resilience.rule import Result, Rule, RuleContext
from resilience.survival import Copy, backup_gap, backups_of, data_copies, is_stub

from ._common import SOC2_A1_2, WA_REL09_BP01, data_stores, failed_reads, name, result, verdict

ACCOUNT_SERVICE = "account"  # coverage records about an account as a whole (collectors.aws.organization)


def _owner(ctx: RuleContext, node_id: str) -> str:
    """The account that owns a node: the graph's, else the one its ARN names."""
    if node_id in ctx.graph and ctx.graph._node[node_id].get("account"):
        return ctx.graph._node[node_id]["account"]
    parts = node_id.split(":", 5)
    return parts[4] if len(parts) == 6 and parts[0] == "arn" else ""


def _backups(ctx: RuleContext, node: str) -> list[Copy]:
    """The store's backups and its global-table / global-database peers' (the same data), each once;
    in-place automated backups and point-in-time recovery are the store's own and left out."""
    seen: dict[str, Copy] = {}
    peers = [c.id for c in data_copies(ctx.graph, node) if c.relation == "peer"]
    for owner in [node, *peers]:
        if owner in ctx.graph and not is_stub(ctx.graph._node[owner]):
            for b in backups_of(ctx.graph, owner):
                if b.relation != "automated":
                    seen.setdefault(b.id, b)
    return list(seen.values())


def _unread(ctx: RuleContext, account: str) -> str:
    """Why an account's resources are not in the graph: its account-level coverage record, if any."""
    first = coverage_index(ctx.coverage).answers("accounts.unread")
    if not first:
        first[None] = None  # built (the scan may have no account-level record at all)
        for c in failed_reads(ctx):
            if c.service == ACCOUNT_SERVICE:
                first.setdefault(c.account, f"{c.status}: {c.detail}")
    return first.get(account) or "not in the scan's scope"


def _failed_by_scope(ctx: RuleContext) -> dict[tuple[str, str], list[tuple[int, Coverage]]]:
    """The failed reads by (account, region), each with its position among them (their order is kept)."""
    scopes = coverage_index(ctx.coverage).answers("accounts.failed_by_scope")
    if not scopes:
        for i, c in enumerate(failed_reads(ctx)):
            scopes.setdefault((c.account, c.region), []).append((i, c))
    return scopes


def _backup_gaps(ctx: RuleContext, data: dict, account: str) -> list[Coverage]:
    """The failed reads of ``account`` in the store's region (or every region) that could hide a backup,
    in record order: looked up by account and region, not by scanning every failed read per store."""
    scopes = _failed_by_scope(ctx)
    found = [pair for region in dict.fromkeys((data.get("region"), "global", "*"))
             for pair in scopes.get((account, region), ())]
    return [c for _, c in sorted(found, key=lambda pair: pair[0]) if backup_gap(data, c)]


def _backup_same_account(ctx: RuleContext) -> Iterator[Result]:
    """Every original AWS data store that has backups beyond its own automated backups (snapshots,
    AWS Backup recovery points, plans and vaults, their copies, a global-table peer's backups).
    ``pass``: a backup location in another account was read there (a vault a plan copies to, a
    copied recovery point or snapshot). ``fail``: every backup location is in the store's own
    account. ``unknown``: the only locations in another account were not read (that account was
    out of scope, or could not be assessed: role not assumable, timed out), or a backup read in
    the store's own account and region failed (it could hide a copy action). Copies that another
    account *pulls* (a shared snapshot copied by the receiving account) are seen only when that
    account is scanned too (``--all-accounts``)."""
    for node in data_stores(ctx):
        data = ctx.graph._node[node]
        own = data.get("account") or ""
        if data.get("provider") != "aws" or not own:
            continue
        backups = _backups(ctx, node)
        if not backups:
            continue
        located = [{"id": b.id, "account": _owner(ctx, b.id), "region": b.region} for b in backups]
        elsewhere = [b for b in located if b["account"] and b["account"] != own]
        verified = [b for b in elsewhere if b["id"] in ctx.graph and not is_stub(ctx.graph._node[b["id"]])]
        observed = {"account": own, "backups": located, "other_accounts": sorted({b["account"] for b in verified})}
        expected = {"other_account": f"at least one backup copy in an account other than {own}"}
        if verified:
            accounts = ", ".join(observed["other_accounts"])
            yield result(ctx, node, "pass", f"{name(ctx, node)} has backup copies in account {accounts}",
                         observed=observed, expected=expected)
            continue
        doubts = [f"backup location {b['id']} is in account {b['account']}, which was not read "
                  f"({_unread(ctx, b['account'])})" for b in elsewhere]
        doubts += [f"{c.provider} {c.service} in {c.region} could not be read ({c.status})"
                   for c in _backup_gaps(ctx, data, own)]
        status = verdict(False, doubts)
        message = (f"every backup of {name(ctx, node)} is in account {own}: a compromise, "
                   "lock-out or closure of that account loses the data and its backups together")
        if status == "unknown":
            observed["unknown"] = doubts
            message = f"no backup of {name(ctx, node)} outside account {own} was verified: {doubts[0]}"
        yield result(ctx, node, status, message, observed=observed, expected=expected)


BACKUP_SAME_ACCOUNT = Rule(
    id="RES-ACCOUNT-001",
    title="Backups exist only in the account of the data they protect",
    category="backup-same-account",
    severity="medium",
    controls=controls_for("backup-same-account"),
    rationale=(
        "A backup in the same AWS account as its data shares the data's fate when the account does: a "
        "compromise with administrative rights deletes the vaults and snapshots with the data (the usual "
        "ransomware playbook), a lost root credential or suspended payment locks both out, a closed account "
        f"takes both. {WA_REL09_BP01}; AWS's multi-account backup guidance keeps copies in a dedicated backup "
        "account, with AWS Backup Vault Lock. NIST SP 800-53 CP-9 and DORA Art. 12 ask for backups logically "
        f"segregated from the systems they protect. Evidence for {SOC2_A1_2} (data back-up processes)."
    ),
    remediation=(
        "Create a dedicated backup account in the organisation and add a copy action to each AWS Backup plan "
        "rule targeting a vault there (cross-account backup enabled in the management account); lock that "
        "vault (AWS Backup Vault Lock, compliance mode) and keep its administrators separate from the "
        "workload accounts'. For RDS/EBS snapshots outside AWS Backup, share them with the backup account and "
        "copy them there on a schedule."
    ),
    check=_backup_same_account,
    requires=("backup", "rds", "dynamodb", "ec2"),
    references=(
        "https://docs.aws.amazon.com/aws-backup/latest/devguide/create-cross-account-backup.html",
        "https://docs.aws.amazon.com/aws-backup/latest/devguide/vault-lock.html",
        "https://docs.aws.amazon.com/prescriptive-guidance/latest/backup-recovery/cross-account-backups.html",
        "AICPA Trust Services Criteria A1.2",
    ),
)

RULES = (BACKUP_SAME_ACCOUNT,)
