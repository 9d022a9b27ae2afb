"""Categories, severities and the compliance controls findings map to.

Control ids are written ``FRAMEWORK:ID`` (``SOC2:A1.2``, ``ISO27001:2022:A.8.14``,
``NIST800-53:CP-9``, ``DORA:Art.11``). A rule naming a control that is not listed here fails
at import (see :mod:`resilience.rule`).
"""

from __future__ import annotations

SEVERITIES = ("critical", "high", "medium", "low", "info")
SEVERITY_RANK = {s: i for i, s in enumerate(reversed(SEVERITIES))}  # info=0 ... critical=4

STATUSES = ("fail", "pass", "unknown", "waived")

CATEGORIES: dict[str, str] = {
    "regional-spof": "the workload (or resource) stops if one region is lost: no surviving alternative elsewhere",
    "zonal-spof": "stops, or loses data, if one availability zone is lost",
    "no-backup": "a data store has no backup or point-in-time recovery at all",
    "backup-colocated": "backups/snapshots exist only in the region of the data they protect",
    "no-cross-region-replica": "a data store has no copy in another region",
    "dns-no-failover": "an entry point has no health-checked failover to another region",
    "cross-region-dependency": "a component in one region depends on a resource pinned in another",
    "correlated-region": "the secondary/replica/backup region shares a failure domain with the primary",
    "objective-missing": "a workload has no declared RTO/RPO",
    "rto-mismatch": "the achievable RTO for a disruption exceeds the objective",
    "rpo-mismatch": "the achievable RPO for a disruption exceeds the objective",
    "failover-untested": "no recorded failover/restore test for a workload with objectives",
    "failover-test-stale": "the latest test is older than test_max_age",
    "failover-test-failed": "the latest test failed or measured worse than the objective",
    "coverage-gap": "part of the scope could not be assessed",
    "vendor-assurance": "the provider's SOC 2 report relied on is missing, stale, qualified or does not cover what is used",
    "backup-same-account": "backups exist only in the account of the data they protect",
}

CONTROLS: dict[str, str] = {
    # AICPA Trust Services Criteria (2017, revised points of focus 2022)
    "SOC2:A1.2": "Environmental protections, software, data back-up processes, and recovery infrastructure",
    "SOC2:A1.3": "Recovery plan procedures supporting system recovery are tested",
    "SOC2:CC7.5": "Activities to recover from identified security incidents",
    "SOC2:CC9.1": "Risk mitigation activities for risks arising from potential business disruptions",
    "SOC2:CC9.2": "Assesses and manages risks associated with vendors and business partners",
    # ISO/IEC 27001:2022 Annex A
    "ISO27001:2022:A.5.19": "Information security in supplier relationships",
    "ISO27001:2022:A.5.20": "Addressing information security within supplier agreements",
    "ISO27001:2022:A.5.21": "Managing information security in the ICT supply chain",
    "ISO27001:2022:A.5.22": "Monitoring, review and change management of supplier services",
    "ISO27001:2022:A.5.29": "Information security during disruption",
    "ISO27001:2022:A.5.30": "ICT readiness for business continuity",
    "ISO27001:2022:A.8.13": "Information backup",
    "ISO27001:2022:A.8.14": "Redundancy of information processing facilities",
    # NIST SP 800-53 Rev. 5, Contingency Planning family
    "NIST800-53:CP-2": "Contingency Plan",
    "NIST800-53:CP-4": "Contingency Plan Testing",
    "NIST800-53:CP-6": "Alternate Storage Site",
    "NIST800-53:CP-7": "Alternate Processing Site",
    "NIST800-53:CP-9": "System Backup",
    "NIST800-53:CP-10": "System Recovery and Reconstitution",
    # EU Digital Operational Resilience Act (Regulation (EU) 2022/2554)
    "DORA:Art.11": "Response and recovery",
    "DORA:Art.12": "Backup policies and procedures, restoration and recovery procedures and methods",
    "DORA:Art.28": "General principles of the management of ICT third-party risk",
}


def severity_at_least(severity: str, threshold: str) -> bool:
    return SEVERITY_RANK[severity] >= SEVERITY_RANK[threshold]
