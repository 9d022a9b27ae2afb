"""Open a history database by SQLAlchemy URL (contract 1: ``--db``), bring its schema up to date with
the packaged Alembic migrations, and hand out connections. One code path for SQLite and PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import as_file, files
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from resilience.errors import InputError

ENV_VAR = "RESILIENCE_HISTORY_DB"
DEFAULT_URL = "sqlite:///resilience-history.sqlite"


def resolve_url(url: str | None) -> str:
    """``--db`` as given, else ``$RESILIENCE_HISTORY_DB``, else a SQLite file in the working directory."""
    return url or os.environ.get(ENV_VAR) or DEFAULT_URL


def _engine_url(url: str):
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InputError(f"--db {redact(url)}: not a database URL (sqlite:///file.sqlite or "
                         "postgresql://user@host/db)") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3 is the driver we ship
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise InputError(f"--db {redact(url)}: only sqlite:/// and postgresql:// histories are supported")
    return parsed


def redact(url: str) -> str:
    """The URL without its password, for messages and reports."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


class HistoryStore:
    """An open history database. Use as a context manager, or call :meth:`close`."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_store(url: str | None = None, *, create: bool = True) -> HistoryStore:
    """Open (and migrate) the history at ``url``. ``create=False`` refuses a SQLite file that does
    not exist yet, so ``verify``/``report`` on a mistyped path say so instead of reporting an empty history."""
    url = resolve_url(url)
    parsed = _engine_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:"):
            raise InputError("--db: an in-memory SQLite history would be lost at exit; give a file path")
        if not create and not Path(database).is_file():
            raise InputError(f"--db {url}: no history database at {database}")
        engine = create_engine(parsed, poolclass=NullPool)
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(parsed, poolclass=NullPool)
    try:
        migrate(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise InputError(f"--db {redact(url)}: cannot open the history: {_first_line(exc)}") from None
    return HistoryStore(engine, url)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")  # a second appender waits rather than failing at once
    cursor.close()


def migrate(engine: Engine) -> None:
    """Apply the packaged migrations up to head (a no-op when the schema is current)."""
    from alembic import command
    from alembic.config import Config

    with as_file(files("resilience.history").joinpath("migrations")) as location, engine.begin() as conn:
        config = Config()
        config.set_main_option("script_location", str(location))
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def schema_version(store: HistoryStore) -> str | None:
    with store.begin() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def _first_line(exc: Exception) -> str:
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
