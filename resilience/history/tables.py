"""The history schema, as SQLAlchemy Core tables (the migrations in ``migrations/`` create it).

``scans`` is the chain: one row per ingested scan, in append order (``seq``), each carrying the hash
of the row before it (``prev_hash``) and its own (``row_hash``). The original findings file is kept
byte for byte (zlib) in ``documents``; ``scan_controls`` (per control tallies) and ``results`` (the
results that were not passing) are indexes derived from it for the period report, and their digest
(``derived_sha256``) is part of the chained row, so altering them is detected too.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Integer, LargeBinary, MetaData, String, Table, Text

metadata = MetaData()

scans = Table(
    "scans", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("scan_id", String(200), nullable=False, unique=True),
    Column("started_at", String(40), nullable=False),
    Column("day", String(10), nullable=False, index=True),
    Column("finished_at", String(40), nullable=False),
    Column("tool_version", String(100), nullable=False),
    Column("command_line", Text, nullable=False),
    Column("ingested_by", Text, nullable=False),
    Column("identity", Text, nullable=False),
    Column("providers", Text, nullable=False),
    Column("accounts", Text, nullable=False),
    Column("regions", Text, nullable=False),
    Column("coverage", Text, nullable=False),
    Column("complete", Boolean, nullable=False),
    Column("policy_sha256", String(64), nullable=False),
    Column("findings_sha256", String(64), nullable=False),
    Column("derived_sha256", String(64), nullable=False),
    Column("results_total", Integer, nullable=False),
    Column("ingested_at", String(40), nullable=False),
    Column("prev_scan_id", String(200), nullable=False),
    Column("prev_hash", String(64), nullable=False, unique=True),
    Column("row_hash", String(64), nullable=False, unique=True),
)

documents = Table(
    "documents", metadata,
    Column("seq", Integer, ForeignKey("scans.seq"), primary_key=True, autoincrement=False),
    Column("body", LargeBinary, nullable=False),
)

scan_controls = Table(
    "scan_controls", metadata,
    Column("seq", Integer, ForeignKey("scans.seq"), primary_key=True, autoincrement=False),
    Column("control", String(100), primary_key=True),
    Column("total", Integer, nullable=False),
    Column("passed", Integer, nullable=False),
    Column("waived", Integer, nullable=False),
    Column("failed", Integer, nullable=False),
    Column("unknown", Integer, nullable=False),
)

results = Table(
    "results", metadata,
    Column("seq", Integer, ForeignKey("scans.seq"), primary_key=True, autoincrement=False),
    Column("finding_id", String(200), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("rule", String(100), nullable=False),
    Column("category", String(100), nullable=False),
    Column("resource", Text, nullable=False),
    Column("workload", Text, nullable=False),
    Column("account", Text, nullable=False),
    Column("controls", Text, nullable=False),
)

#: tables whose rows must never change once written (the append-only triggers guard them)
APPEND_ONLY = ("scans", "documents", "scan_controls", "results")
