"""Test databases, built by running the migrations once per run into a template, then
copied per test (SQLite: a file copy; PostgreSQL: CREATE DATABASE ... TEMPLATE)."""

from __future__ import annotations

import itertools
import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
from sqlalchemy import Engine

from service.db import make_engine

ENGINE_ENV = "KONSENSUS_TEST_DATABASE"
PG_ADMIN_URL_ENV = "KONSENSUS_TEST_PG_URL"
DEFAULT_PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def engine_name() -> str:
    name = os.environ.get(ENGINE_ENV, "sqlite")
    if name not in ("sqlite", "postgresql"):
        raise RuntimeError(f"{ENGINE_ENV} must be sqlite or postgresql, not {name!r}")
    return name


def pg_admin_url() -> str:
    return os.environ.get(PG_ADMIN_URL_ENV, DEFAULT_PG_ADMIN_URL)


def postgres_reachable() -> str | None:
    """None if PostgreSQL answers, else why not."""
    try:
        with psycopg.connect(pg_admin_url(), connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _pg_url(database: str) -> str:
    base, _, _ = pg_admin_url().rpartition("/")
    return f"{base}/{database}"


class DatabaseFactory:
    """Creates a fresh, migrated database per test from a template built once."""

    def __init__(self, workdir: Path, prepare: Callable[[Engine], None]) -> None:
        self.kind = engine_name()
        self.workdir = workdir
        self._counter = itertools.count(1)
        self._run = uuid.uuid4().hex[:8]
        self._template = self._build_template(prepare)

    def _build_template(self, prepare: Callable[[Engine], None]) -> str:
        if self.kind == "sqlite":
            path = self.workdir / "template.db"
            engine = make_engine(f"sqlite:///{path}")
            prepare(engine)
            engine.dispose()
            return str(path)
        name = f"konsensus_tpl_{self._run}"
        self._admin(f'CREATE DATABASE "{name}"')
        engine = make_engine(_pg_url(name))
        prepare(engine)
        engine.dispose()
        return name

    def _admin(self, sql: str) -> None:
        with psycopg.connect(pg_admin_url(), autocommit=True) as conn:
            conn.execute(sql)

    def create(self) -> str:
        """A new database URL, with the template's content."""
        n = next(self._counter)
        if self.kind == "sqlite":
            path = self.workdir / f"test_{n}.db"
            shutil.copyfile(self._template, path)
            return f"sqlite:///{path}"
        name = f"konsensus_t_{self._run}_{n}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"')
        return _pg_url(name)

    def empty(self) -> str:
        """A new database URL with nothing in it (for migration tests)."""
        n = next(self._counter)
        if self.kind == "sqlite":
            return f"sqlite:///{self.workdir / f'empty_{n}.db'}"
        name = f"konsensus_e_{self._run}_{n}"
        self._admin(f'CREATE DATABASE "{name}"')
        return _pg_url(name)

    def drop(self, url: str) -> None:
        if self.kind == "sqlite":
            path = Path(url.removeprefix("sqlite:///"))
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
            return
        name = url.rpartition("/")[2]
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        if self.kind == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self._template}" WITH (FORCE)')


def make_test_engine(url: str) -> Engine:
    return make_engine(url)
