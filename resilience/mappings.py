"""Compliance mapping: finding categories -> the controls a failing finding is evidence against.

One table (:data:`CATEGORY_CONTROLS`), read through :func:`controls_for`, so that a rule's
``controls`` can be written ``controls=controls_for("rto-mismatch")`` and never drift from it.
``tests/recovery/test_mappings.py`` checks that every category is mapped, that every control id
is known to :mod:`resilience.controls`, and that every registered rule's controls agree with its
category's row.

:data:`NOT_AUTOMATED` is the honest half: what each control asks that no scan of an inventory can
show. An auditor reading a clean report must not take it for more than it is.
"""

from __future__ import annotations

from .controls import CATEGORIES, CONTROLS

# Frameworks: SOC 2 Trust Services Criteria (2017, rev. 2022), ISO/IEC 27001:2022 Annex A,
# NIST SP 800-53 Rev. 5 (CP family), EU DORA (Regulation (EU) 2022/2554).
_OBJECTIVES = ("SOC2:A1.2", "SOC2:CC9.1", "ISO27001:2022:A.5.30", "NIST800-53:CP-2", "NIST800-53:CP-10",
               "DORA:Art.11")
_TESTS = ("SOC2:A1.3", "ISO27001:2022:A.5.30", "NIST800-53:CP-4", "DORA:Art.11", "DORA:Art.12")

CATEGORY_CONTROLS: dict[str, tuple[str, ...]] = {
    # architecture: can the workload keep running / be recovered elsewhere?
    "regional-spof": ("SOC2:A1.2", "SOC2:CC9.1", "ISO27001:2022:A.5.30", "ISO27001:2022:A.8.14",
                      "NIST800-53:CP-2", "NIST800-53:CP-6", "NIST800-53:CP-7", "DORA:Art.11", "DORA:Art.12"),
    # a zone is a separate facility; zonal data loss is a backup question too
    "zonal-spof": ("SOC2:A1.2", "ISO27001:2022:A.8.13", "ISO27001:2022:A.8.14", "NIST800-53:CP-2",
                   "NIST800-53:CP-7", "NIST800-53:CP-9", "DORA:Art.12"),
    "dns-no-failover": ("SOC2:A1.2", "ISO27001:2022:A.8.14", "NIST800-53:CP-7", "DORA:Art.11"),
    "cross-region-dependency": ("SOC2:A1.2", "SOC2:CC9.1", "ISO27001:2022:A.5.29", "ISO27001:2022:A.5.30",
                                "ISO27001:2022:A.8.14", "NIST800-53:CP-2", "NIST800-53:CP-7", "DORA:Art.11"),
    "correlated-region": ("SOC2:A1.2", "SOC2:CC9.1", "ISO27001:2022:A.5.30", "ISO27001:2022:A.8.13",
                          "ISO27001:2022:A.8.14", "NIST800-53:CP-6", "NIST800-53:CP-7", "DORA:Art.11",
                          "DORA:Art.12"),
    # data: is there a copy, and is it somewhere else?
    "no-backup": ("SOC2:A1.2", "SOC2:CC7.5", "ISO27001:2022:A.8.13", "NIST800-53:CP-9", "DORA:Art.12"),
    "backup-colocated": ("SOC2:A1.2", "SOC2:CC7.5", "ISO27001:2022:A.8.13", "NIST800-53:CP-6",
                         "NIST800-53:CP-9", "DORA:Art.12"),
    "no-cross-region-replica": ("SOC2:A1.2", "ISO27001:2022:A.8.13", "ISO27001:2022:A.8.14", "NIST800-53:CP-6",
                                "NIST800-53:CP-9", "DORA:Art.12"),
    # an account compromise, lock-out or closure loses the data and every backup held beside it
    "backup-same-account": ("SOC2:A1.2", "SOC2:CC7.5", "ISO27001:2022:A.8.13", "NIST800-53:CP-6",
                            "NIST800-53:CP-9", "DORA:Art.12"),
    # objectives: declared, and achievable by the architecture?
    "objective-missing": _OBJECTIVES,
    "rto-mismatch": _OBJECTIVES,
    "rpo-mismatch": (*_OBJECTIVES, "ISO27001:2022:A.8.13", "NIST800-53:CP-9", "DORA:Art.12"),
    # testing: has recovery been exercised, recently, successfully?
    "failover-untested": _TESTS,
    "failover-test-stale": _TESTS,
    "failover-test-failed": (*_TESTS, "NIST800-53:CP-10"),
    # scope: what was not assessed is stated, so the evidence states its population
    "coverage-gap": ("SOC2:A1.2",),
    # the provider as a subservice organisation: its own report relied on, current and covering what is used
    "vendor-assurance": ("SOC2:CC9.2", "SOC2:A1.2", "ISO27001:2022:A.5.19", "ISO27001:2022:A.5.20",
                         "ISO27001:2022:A.5.21", "ISO27001:2022:A.5.22", "DORA:Art.28"),
}


def controls_for(category: str) -> tuple[str, ...]:
    """The controls a finding of ``category`` maps to (KeyError for an unknown category)."""
    try:
        return CATEGORY_CONTROLS[category]
    except KeyError:
        raise KeyError(f"no control mapping for category '{category}'") from None


def categories_for(control: str) -> list[str]:
    """The categories giving evidence for ``control`` (for an auditor's per-control view)."""
    return sorted(c for c, controls in CATEGORY_CONTROLS.items() if control in controls)


NOT_AUTOMATED: dict[str, str] = {
    "SOC2:A1.2": "Environmental protections (power, cooling, fire suppression) of the provider's facilities "
                 "are inherited: rely on the provider's SOC 2 report. Backup encryption and retention "
                 "approval, and whether recovery infrastructure is sized for the load, are not visible.",
    "SOC2:A1.3": "Whether tests follow a documented recovery plan, involve the right people, record lessons "
                 "learned and track remediation to closure. The tool only sees that a test happened, when, "
                 "its result and measurements.",
    "SOC2:CC7.5": "Incident recovery activities: communication, root-cause analysis, restoring from a "
                  "known-good state after a security incident. Only the existence and placement of backups "
                  "is checked, not that they are immutable or clean.",
    "SOC2:CC9.1": "The risk assessment process itself (identifying business disruptions, insurance, risk "
                  "acceptance by management). Findings are inputs to it, not the process.",
    "SOC2:CC9.2": "Vendor due diligence beyond the cloud provider (other subservice organisations and vendors), "
                  "contracts and their security commitments, and the decision to carve out or include. The tool "
                  "checks the cloud providers' register entries against the estate and AWS Artifact.",
    "ISO27001:2022:A.5.19": "The supplier-relationship policy and the risk assessment behind the choice of supplier.",
    "ISO27001:2022:A.5.20": "The supplier agreements themselves (security requirements, right to audit); only "
                            "the report relied on and its scope are checked.",
    "ISO27001:2022:A.5.21": "The ICT supply chain below the cloud provider (its own subservice organisations).",
    "ISO27001:2022:A.5.22": "Change management of supplier services; monitoring is the yearly review and the "
                            "nightly register check.",
    "ISO27001:2022:A.5.29": "Keeping information security at the right level during a disruption (access "
                            "control, logging, key management in the failover region) is only partly "
                            "visible: a key or secret pinned to the lost region appears as a "
                            "cross-region dependency; the processes are not visible.",
    "ISO27001:2022:A.5.30": "The business impact analysis behind the objectives, ICT continuity plans and "
                            "their approval. The tool checks objectives exist, are achievable and are "
                            "tested.",
    "ISO27001:2022:A.8.13": "A topic-specific backup policy, backup encryption, and restore testing of "
                            "sampled data for integrity (restore jobs are read, not what was verified).",
    "ISO27001:2022:A.8.14": "Redundancy outside the cloud estate (network carriers, on-premises sites, "
                            "people) and whether redundant capacity is tested under load.",
    "NIST800-53:CP-2": "Plan content (roles, responsibilities, contact information), review and approval, "
                       "distribution and coordination with related plans.",
    "NIST800-53:CP-4": "A test plan, test types chosen for the system's impact level, review of results by "
                       "the organisation and corrective actions.",
    "NIST800-53:CP-6": "Agreements for the alternate storage site and its accessibility during an area-wide "
                       "disruption beyond what the provider's region data shows.",
    "NIST800-53:CP-7": "Alternate processing site agreements, priority-of-service provisions and whether the "
                       "site can be made operational within the time the plan states.",
    "NIST800-53:CP-9": "Backup of user- and system-level documentation, cryptographic protection of "
                       "backups (CP-9(8)) and testing for reliability and integrity (CP-9(1)).",
    "NIST800-53:CP-10": "Reconstitution to a known state after recovery, transaction recovery for "
                        "transaction-based systems, and restoring security functions.",
    "DORA:Art.11": "The ICT business continuity policy, crisis communication plans and reporting of "
                   "estimated costs and losses to the management body.",
    "DORA:Art.12": "The scope and frequency of backups decided by criticality, segregation of backup "
                   "systems (logical as well as physical), and the restoration procedures themselves.",
    "DORA:Art.28": "The register of information on all ICT third-party contractual arrangements, exit "
                   "strategies and concentration-risk assessment; only the cloud providers' assurance is checked.",
}


def markdown_section() -> list[str]:
    """The mapping and what it does not cover, for ``docs/recovery-model.md``."""
    out = ["## Control mapping", "",
           "From `resilience/mappings.py` (`CATEGORY_CONTROLS`); rules take their controls from it with",
           "`controls_for(category)`, and a test fails when a rule disagrees.", "",
           "| category | controls |", "|---|---|"]
    for category in CATEGORIES:
        out.append(f"| `{category}` | {', '.join(CATEGORY_CONTROLS.get(category, ()))} |")
    out += ["", "### What these controls ask that a scan cannot show", "",
            "| control | not checked automatically |", "|---|---|"]
    for control in CONTROLS:
        out.append(f"| {control} ({CONTROLS[control]}) | {NOT_AUTOMATED.get(control, '-')} |")
    out.append("")
    return out
