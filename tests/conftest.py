"""Fixtures: a fresh migrated database per test, the app over real ASGI, the seeded world.

The suite runs once per engine: KONSENSUS_TEST_DATABASE=sqlite (default) or postgresql.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine
from sqlmodel import Session

from service.clock import FrozenClock, SystemClock
from service.config import Environment, Settings
from service.db import make_engine
from service.main import create_app
from service.migrations import migrate
from tests.databases import DatabaseFactory, engine_name, pg_admin_url, postgres_reachable
from tests.world import World, build_world, load_world, token_config_for_tests

TEST_SECRET = "test-secret-that-is-long-enough-0123456789"


#: Hypothesis draws the same examples on every machine and every run: a red run is a finding
#: that the next run, or another machine, reproduces. No example database in the work tree, and
#: nothing timed (the deadline per example and the too_slow check fail a loaded machine only).
hypothesis_settings.register_profile(
    "konsensus",
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
hypothesis_settings.load_profile("konsensus")

#: The fixture every test that touches the database asks for, directly or through another.
DATABASE_FIXTURE = "database_url"


def pytest_report_header(config: pytest.Config) -> str:
    return f"konsensus test database engine: {engine_name()}"


def runs_on_every_engine(item: pytest.Item) -> bool:
    """A test runs in both engines' legs when it touches the database; the rest (the rules,
    the documents, the layering) and the pages seen in Chromium (layout, words, keyboard:
    the same on either engine, whose storage the HTTP page tests cover) run in the SQLite
    leg alone."""
    if item.get_closest_marker("every_engine"):
        return True
    if item.get_closest_marker("one_leg"):
        return False
    names = getattr(item, "fixturenames", ())
    return DATABASE_FIXTURE in names and "browser" not in names


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if engine_name() == "postgresql":
        once = [item for item in items if not runs_on_every_engine(item)]
        if once:
            config.hook.pytest_deselected(items=once)
            items[:] = [item for item in items if runs_on_every_engine(item)]
    # The longest tests start first, so that parallel workers do not wait on one at the end.
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_sessionstart(session: pytest.Session) -> None:
    if engine_name() != "postgresql":
        return
    why = postgres_reachable()
    if why is None:
        return
    message = f"PostgreSQL at {pg_admin_url()} does not answer ({why})"
    if os.environ.get("CI") == "true":
        pytest.exit(f"{message}: the PostgreSQL leg is required under CI=true.", returncode=1)
    pytest.exit(f"{message}: PostgreSQL leg SKIPPED.", returncode=0)


def _prepare_template(engine: Engine) -> None:
    migrate(engine)
    build_world(engine)


@pytest.fixture(scope="session")
def db_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(tmp_path_factory.mktemp("db"), _prepare_template)
    yield factory
    factory.close()


@pytest.fixture
def database_url(db_factory: DatabaseFactory) -> Iterator[str]:
    url = db_factory.create()
    yield url
    db_factory.release(url)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        environment=Environment.TEST,
        database_url=database_url,
        secret_key=TEST_SECRET,
        public_base_url="http://testserver",
        dispatcher="off",  # the tests run the dispatcher themselves
        webhook_allow_loopback=True,  # the receivers in the tests listen on loopback
        mailbox_dir=str(tmp_path / "mailbox"),
    )


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def app(settings: Settings, engine: Engine, clock: FrozenClock) -> FastAPI:
    return create_app(settings, engine=engine, clock=clock)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("192.0.2.10", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def world(engine: Engine) -> World:
    return load_world(engine, token_config_for_tests(TEST_SECRET))


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """An unscoped session for looking at what the service stored."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live_server(settings: Settings, engine: Engine) -> Iterator[str]:
    """The app served by uvicorn on loopback, with the test's database."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app(
        settings.model_copy(update={"public_base_url": base}), engine=engine, clock=SystemClock()
    )
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    yield base
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
async def live_client(live_server: str) -> AsyncIterator[httpx.AsyncClient]:
    """Real HTTP over loopback to the live server."""
    async with httpx.AsyncClient(base_url=live_server, timeout=30) as http:
        yield http


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
