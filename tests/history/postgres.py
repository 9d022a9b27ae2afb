"""A throwaway PostgreSQL server for the history tests, started with pytest-postgresql's executor
from the Debian binaries (``/usr/lib/postgresql/<v>/bin``, or ``pg_ctl`` on the PATH).

PostgreSQL refuses to run as root; when the tests run as root (CI containers) the server runs as the
``postgres`` system user through a small ``runuser`` wrapper around ``pg_ctl``. With ``CI=true`` a
missing server is a failure, never a skip.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import stat
import tempfile
from pathlib import Path


def find_pg_ctl() -> str | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                        key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    return candidates[-1] if candidates else shutil.which("pg_ctl")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server():
    """Start a server; return ``(executor, base_url, workdir)``. Raises ``RuntimeError`` when impossible."""
    from pytest_postgresql.executors import PostgreSQLExecutor

    pg_ctl = find_pg_ctl()
    if not pg_ctl:
        raise RuntimeError("no PostgreSQL server binaries (pg_ctl) found: install Debian's postgresql")
    workdir = Path(tempfile.mkdtemp(prefix="resilience-pg-"))
    executable = pg_ctl
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            raise RuntimeError("running as root and there is no 'postgres' user to run the server as") from None
        os.chown(workdir, account.pw_uid, account.pw_gid)
        wrapper = workdir / "pg_ctl-as-postgres"
        wrapper.write_text(f'#!/bin/sh\nexec runuser -u postgres -- "{pg_ctl}" "$@"\n', encoding="utf-8")
        wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        executable = str(wrapper)
    port = free_port()
    executor = PostgreSQLExecutor(
        executable=executable, host="127.0.0.1", port=port, datadir=str(workdir / "data"),
        unixsocketdir=str(workdir), logfile=str(workdir / "server.log"), startparams="-w",
        dbname="postgres", user="postgres", timeout=180,
        # a throwaway server: durability is not needed, and fsync per commit dominates the tests' time
        postgres_options="-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
    executor.start()
    executor.wait_for_postgres()
    return executor, f"postgresql+psycopg://postgres@127.0.0.1:{port}", workdir


def create_database(base_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(base_url.replace("postgresql+psycopg", "postgresql") + "/postgres",
                         autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base_url}/{name}"


def drop_database(base_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(base_url.replace("postgresql+psycopg", "postgresql") + "/postgres",
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
