"""The history store: chained scans, original findings files, derived tallies and results;
append-only triggers on every table (SQLite and PostgreSQL).

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TABLES = ("scans", "documents", "scan_controls", "results")


def upgrade() -> None:
    op.create_table(
        "scans",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("scan_id", sa.String(200), nullable=False, unique=True),
        sa.Column("started_at", sa.String(40), nullable=False),
        sa.Column("day", sa.String(10), nullable=False, index=True),
        sa.Column("finished_at", sa.String(40), nullable=False),
        sa.Column("tool_version", sa.String(100), nullable=False),
        sa.Column("command_line", sa.Text, nullable=False),
        sa.Column("ingested_by", sa.Text, nullable=False),
        sa.Column("identity", sa.Text, nullable=False),
        sa.Column("providers", sa.Text, nullable=False),
        sa.Column("accounts", sa.Text, nullable=False),
        sa.Column("regions", sa.Text, nullable=False),
        sa.Column("coverage", sa.Text, nullable=False),
        sa.Column("complete", sa.Boolean, nullable=False),
        sa.Column("policy_sha256", sa.String(64), nullable=False),
        sa.Column("findings_sha256", sa.String(64), nullable=False),
        sa.Column("derived_sha256", sa.String(64), nullable=False),
        sa.Column("results_total", sa.Integer, nullable=False),
        sa.Column("ingested_at", sa.String(40), nullable=False),
        sa.Column("prev_scan_id", sa.String(200), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("row_hash", sa.String(64), nullable=False, unique=True),
    )
    op.create_table(
        "documents",
        sa.Column("seq", sa.Integer, sa.ForeignKey("scans.seq"), primary_key=True, autoincrement=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "scan_controls",
        sa.Column("seq", sa.Integer, sa.ForeignKey("scans.seq"), primary_key=True, autoincrement=False),
        sa.Column("control", sa.String(100), primary_key=True),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("passed", sa.Integer, nullable=False),
        sa.Column("waived", sa.Integer, nullable=False),
        sa.Column("failed", sa.Integer, nullable=False),
        sa.Column("unknown", sa.Integer, nullable=False),
    )
    op.create_table(
        "results",
        sa.Column("seq", sa.Integer, sa.ForeignKey("scans.seq"), primary_key=True, autoincrement=False),
        sa.Column("finding_id", sa.String(200), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("rule", sa.String(100), nullable=False),
        sa.Column("category", sa.String(100), nullable=False),
        sa.Column("resource", sa.Text, nullable=False),
        sa.Column("workload", sa.Text, nullable=False),
        sa.Column("account", sa.Text, nullable=False),
        sa.Column("controls", sa.Text, nullable=False),
    )
    _append_only_triggers()


def _append_only_triggers() -> None:
    """Refuse UPDATE and DELETE (and TRUNCATE) in the database itself: the chain detects tampering,
    the triggers stop the accidental kind. Someone who can drop a trigger can still alter rows;
    ``resilience history verify`` is what catches that."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in TABLES:
            for event in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                    "BEGIN SELECT RAISE(ABORT, 'the resilience history is append-only'); END")
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION resilience_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'the resilience history is append-only'; END $$")
        for table in TABLES:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION resilience_history_append_only()")
            op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION resilience_history_append_only()")


def downgrade() -> None:
    raise NotImplementedError("the history is append-only: there is no downgrade that keeps the evidence")
