"""Liveness, readiness, and a database that has gone away: 503 with Retry-After, never 500."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, text

from service.config import Settings
from service.db import make_engine
from service.main import create_app
from service.migrations import downgrade
from tests.databases import engine_name, pg_admin_url
from tests.factories import ADMIN_A, CW_A
from tests.world import PASSWORD


def unreachable_url(tmp_path: Path) -> str:
    """The test's engine, where nothing answers: a SQLite file in a folder that is not
    there, or a PostgreSQL port with no server."""
    if engine_name() == "sqlite":
        return f"sqlite:///{tmp_path / 'gone' / 'konsensus.db'}"
    base = pg_admin_url().rpartition("@")[0]
    return f"{base}@127.0.0.1:1/konsensus"


@pytest.fixture
async def gone(settings: Settings, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    url = unreachable_url(tmp_path)
    engine = make_engine(url)
    app = create_app(settings.model_copy(update={"database_url": url}), engine=engine)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
    engine.dispose()


async def test_ready_when_the_database_answers_at_head(client: httpx.AsyncClient) -> None:
    assert (await client.get("/livez")).status_code == 200
    r = await client.get("/readyz")
    assert r.status_code == 200, r.text
    assert r.json() == {"status": "ready", "checks": {"database": "ok", "schema": "ok"}}


async def test_database_gone_answers_503_with_retry_after(gone: httpx.AsyncClient) -> None:
    assert (await gone.get("/livez")).status_code == 200  # the process itself is fine
    for probe in ("/readyz", "/healthz"):
        r = await gone.get(probe)
        assert r.status_code == 503, (probe, r.text)
        assert r.json()["checks"]["database"].startswith("unavailable")
    r = await gone.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": CW_A, "password": PASSWORD},
    )
    assert r.status_code == 503, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["retry-after"].isdigit()
    assert r.json()["code"] == "database_unavailable"
    page = await gone.get("/l/" + "x" * 43)
    assert page.status_code == 503 and "text/html" in page.headers["content-type"]
    assert "database" in page.text.lower()


async def test_an_unmigrated_database_is_not_ready(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    downgrade(engine, "0007")
    r = await client.get("/readyz")
    assert r.status_code == 503 and r.json()["checks"]["schema"] == "behind"


async def test_a_newer_schema_is_ready_for_a_rolling_upgrade(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    # The upgrade runs the new release's migrations first; old instances keep serving.
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'zz_newer_release'"))
    assert (await client.get("/readyz")).status_code == 200


async def test_readiness_asks_after_the_in_process_dispatcher(
    settings: Settings, engine: Engine
) -> None:
    app = create_app(settings.model_copy(update={"dispatcher": "inprocess"}), engine=engine)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        r = await http.get("/readyz")  # no lifespan here: the dispatcher never started
        assert r.status_code == 503 and r.json()["checks"]["dispatcher"] == "not started"
        app.state.dispatcher_heartbeat.beat()
        assert (await http.get("/readyz")).status_code == 200
        app.state.dispatcher_heartbeat.last -= app.state.dispatcher_heartbeat.stale_after + 1
        r = await http.get("/readyz")
        assert r.status_code == 503 and r.json()["checks"]["dispatcher"].startswith("stale")


@pytest.mark.skipif(engine_name() != "postgresql", reason="a replica is a PostgreSQL matter")
async def test_a_replica_gone_leaves_the_instance_ready_and_says_so(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    """Without the reports' replica every other request is served: readiness stays ready
    and says why the replica cannot be read; the reports answer 503 with Retry-After."""
    gone = unreachable_url(tmp_path)
    app = create_app(settings.model_copy(update={"reports_database_url": gone}), engine=engine)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
        base_url="http://testserver",
    ) as http:
        r = await http.get("/readyz")
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "ready"
        assert r.json()["reports_replica"].startswith("unavailable"), r.text
        token = await http.post(
            "/api/v1/auth/token",
            data={"grant_type": "password", "username": ADMIN_A, "password": PASSWORD},
        )
        assert token.status_code == 200, token.text
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        cases = await http.get("/api/v1/cases", headers=headers)
        assert cases.status_code == 200, cases.text
        report = await http.get("/api/v1/reports/decisions", headers=headers)
        assert report.status_code == 503, report.text
        assert report.headers["retry-after"].isdigit()
    app.state.reports_engine.dispose()
