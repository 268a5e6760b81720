"""Test databases, built by running the migrations once per run into a template, then
copied per test (SQLite: a file copy; PostgreSQL: CREATE DATABASE ... TEMPLATE)."""

from __future__ import annotations

import itertools
import os
import queue
import shutil
import threading
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
    """Creates a fresh, migrated database per test from a template built once.

    On PostgreSQL, creating and dropping a database is the server's work, not this process's:
    a thread keeps the next databases made before a test asks (`AHEAD`), and drops what a
    test has done with, while the tests run.
    """

    AHEAD = 2

    def __init__(self, workdir: Path, prepare: Callable[[Engine], None]) -> None:
        self.kind = engine_name()
        self.workdir = workdir
        self._counter = itertools.count(1)
        self._run = uuid.uuid4().hex[:8]
        self._template = self._build_template(prepare)
        self._ready: queue.Queue[str | Exception] = queue.Queue()
        self._chores: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._helper: threading.Thread | None = None
        self._failed_chores: list[Exception] = []
        if self.kind == "postgresql":
            self._helper = threading.Thread(target=self._do_chores, daemon=True)
            self._helper.start()
            for _ in range(self.AHEAD):
                self._chores.put(self._make_ahead)

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

    def _do_chores(self) -> None:
        while (chore := self._chores.get()) is not None:
            try:
                chore()
            except Exception as exc:  # a failed drop is said at the end of the run
                self._failed_chores.append(exc)

    def _make_ahead(self) -> None:
        name = f"konsensus_t_{self._run}_{next(self._counter)}"
        try:
            self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"')
        except Exception as exc:  # handed to the test that asks next
            self._ready.put(exc)
        else:
            self._ready.put(_pg_url(name))

    def create(self) -> str:
        """A new database URL, with the template's content."""
        if self.kind == "sqlite":
            path = self.workdir / f"test_{next(self._counter)}.db"
            shutil.copyfile(self._template, path)
            return f"sqlite:///{path}"
        self._chores.put(self._make_ahead)
        made = self._ready.get(timeout=300)
        if isinstance(made, Exception):
            raise made
        return made

    def empty(self) -> str:
        """A new database URL with nothing in it (for migration tests)."""
        n = next(self._counter)
        if self.kind == "sqlite":
            return f"sqlite:///{self.workdir / f'empty_{n}.db'}"
        name = f"konsensus_e_{self._run}_{n}"
        self._admin(f'CREATE DATABASE "{name}"')
        return _pg_url(name)

    def drop(self, url: str) -> None:
        """Drop the database now (a test that makes it again under the same name waits)."""
        if self.kind == "sqlite":
            path = Path(url.removeprefix("sqlite:///"))
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
            return
        self._admin(f'DROP DATABASE IF EXISTS "{url.rpartition("/")[2]}" WITH (FORCE)')

    def release(self, url: str) -> None:
        """Drop the database when the helper gets to it: no test will use it again."""
        if self._helper is None:
            self.drop(url)
            return
        self._chores.put(lambda: self.drop(url))

    def close(self) -> None:
        if self._helper is None:
            return
        self._chores.put(None)
        self._helper.join(timeout=300)
        while not self._ready.empty():
            made = self._ready.get_nowait()
            if isinstance(made, str):
                self.drop(made)
        self._admin(f'DROP DATABASE IF EXISTS "{self._template}" WITH (FORCE)')
        if self._failed_chores:
            raise RuntimeError(f"dropping a test database failed: {self._failed_chores[0]!r}")


def make_test_engine(url: str) -> Engine:
    return make_engine(url)
