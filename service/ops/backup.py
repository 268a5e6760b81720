"""Backups and restores: `konsensus backup FILE` and `konsensus restore FILE`.

SQLite: the online backup API copies a consistent snapshot while the service keeps
writing (WAL lets writers go on), into a plain database file that is checked before it is
kept. PostgreSQL: `pg_dump` in its custom format (a consistent snapshot too), and
`pg_restore` into a new, empty database in one transaction. A restore never writes over a
database that holds data, and ends by analysing it: a dump holds no planner statistics, and
without them PostgreSQL plans badly until autovacuum gets to the tables, SQLite for good.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why, in one line."""


@dataclass(frozen=True, slots=True)
class Done:
    path: Path
    size: int
    seconds: float


def _sqlite_path(url: str) -> Path:
    path = url.split(":///", 1)[1] if ":///" in url else ""
    if not path or path == ":memory:":
        raise BackupError(f"not a SQLite database file: {url}")
    return Path(path)


def _pg_url(url: str) -> str:
    """The URL as libpq (pg_dump, psycopg) reads it."""
    scheme, rest = url.split("://", 1)
    return "postgresql://" + rest if scheme.startswith("postgresql") else url


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (PostgreSQL's client tools)")
    return found


def _run(args: list[str]) -> None:
    result = subprocess.run(args, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{Path(args[0]).name}: {lines[-1] if lines else 'failed'}")


def backup(url: str, target: Path) -> Done:
    """Write a consistent copy of the database at `url` to `target` (replaced only when the
    copy is complete and checked)."""
    started = time.monotonic()
    target = target.resolve()
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    if url.startswith("sqlite"):
        source_path = _sqlite_path(url)
        if not source_path.exists():
            raise BackupError(f"no database at {source_path}")
        source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)  # all pages in one step: one consistent snapshot
            if copy.execute("PRAGMA integrity_check").fetchone() != ("ok",):
                raise BackupError("the copy failed SQLite's integrity check")
        finally:
            copy.close()
            source.close()
    elif url.startswith("postgresql"):
        _run(
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={partial}",
                _pg_url(url),
            ]
        )
    else:
        raise BackupError(f"cannot back up {url.split(':', 1)[0]} databases")
    os.replace(partial, target)
    return Done(target, target.stat().st_size, time.monotonic() - started)


def _pg_database_exists_empty(url: str) -> bool:
    """True if the database exists and holds no table; creates it if it does not exist."""
    parts = urlsplit(_pg_url(url))
    name = parts.path.lstrip("/")
    if not name:
        raise BackupError("the PostgreSQL URL names no database")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return True
    with psycopg.connect(_pg_url(url), connect_timeout=5) as connection:
        tables = connection.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone()
    return bool(tables and tables[0] == 0)


def restore(source: Path, url: str) -> Done:
    """Restore the backup `source` into the database at `url`, which must be new or empty."""
    started = time.monotonic()
    if not source.is_file():
        raise BackupError(f"no backup at {source}")
    if url.startswith("sqlite"):
        target = _sqlite_path(url)
        if target.exists() and target.stat().st_size > 0:
            raise BackupError(f"{target} exists: restore into a new database file")
        backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            if backup_db.execute("PRAGMA integrity_check").fetchone() != ("ok",):
                raise BackupError(f"{source} is not a sound SQLite database")
            restored = sqlite3.connect(target)
            try:
                backup_db.backup(restored)
                restored.execute("ANALYZE")
                restored.commit()  # SQLite keeps sqlite_stat1 only when committed
            finally:
                restored.close()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source} is not a SQLite backup: {error}") from None
        finally:
            backup_db.close()
        return Done(target, target.stat().st_size, time.monotonic() - started)
    if url.startswith("postgresql"):
        if not _pg_database_exists_empty(url):
            raise BackupError("the target database holds tables: restore into a new database")
        _run(
            [
                _tool("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={_pg_url(url)}",
                str(source),
            ]
        )
        with psycopg.connect(_pg_url(url), autocommit=True, connect_timeout=5) as connection:
            connection.execute("ANALYZE")
        return Done(source, source.stat().st_size, time.monotonic() - started)
    raise BackupError(f"cannot restore into {url.split(':', 1)[0]} databases")
