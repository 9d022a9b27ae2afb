"""Tampering the way someone with write access to the database would: around the append-only
triggers (dropped on SQLite; bypassed with ``session_replication_role`` on PostgreSQL, which also
suspends foreign keys), straight SQL on the stored rows."""

from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from resilience.history.store import _engine_url
from resilience.history.tables import APPEND_ONLY


def tamper(url: str, *statements: str, **params) -> None:
    engine = create_engine(_engine_url(url), poolclass=NullPool)
    try:
        with engine.begin() as conn:
            if engine.dialect.name == "sqlite":
                for table in APPEND_ONLY:
                    for event in ("update", "delete"):
                        conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_{event}"))
            else:
                conn.execute(text("SET LOCAL session_replication_role = replica"))
            for statement in statements:
                conn.execute(text(statement), params)
    finally:
        engine.dispose()


def remove_scan(seq: int) -> tuple[str, ...]:
    return tuple(f"DELETE FROM {table} WHERE seq = {seq}" for table in ("results", "scan_controls", "documents",
                                                                         "scans"))


def swap_scans(a: int, b: int) -> tuple[str, ...]:
    """Exchange the positions of two scans in the chain, consistently in every table."""
    out = []
    for table in ("scans", "documents", "scan_controls", "results"):
        out += [f"UPDATE {table} SET seq = -1 WHERE seq = {a}", f"UPDATE {table} SET seq = {a} WHERE seq = {b}",
                f"UPDATE {table} SET seq = {b} WHERE seq = -1"]
    return tuple(out)
