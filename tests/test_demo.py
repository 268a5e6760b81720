"""The run command's demo municipality: its credentials work in development, not in production."""

from __future__ import annotations

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, select

from service.clock import SystemClock
from service.config import Environment, Settings
from service.demo import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, demo_logins, load_demo
from service.main import create_app
from service.models.case import Case, Measure


def test_demo_loads_once_with_children_and_measures(engine: Engine) -> None:
    assert load_demo(engine) is True
    assert load_demo(engine) is False
    with Session(engine) as session:
        cases = session.exec(select(Case)).all()
        assert len(cases) >= 3
        assert len(session.exec(select(Measure)).all()) == len(cases)


async def _token_status(settings: Settings, engine: Engine, data: dict[str, str]) -> int:
    app = create_app(settings, engine=engine, clock=SystemClock())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        r = await http.post("/api/v1/auth/token", data=data)
        return r.status_code


async def test_demo_credentials_refused_in_production(engine: Engine, settings: Settings) -> None:
    load_demo(engine)
    production = settings.model_copy(update={"environment": Environment.PRODUCTION})
    login = demo_logins()[0]
    password = {"grant_type": "password", "username": login.username, "password": login.password}
    client = {
        "grant_type": "client_credentials",
        "client_id": DEMO_CLIENT_ID,
        "client_secret": DEMO_CLIENT_SECRET,
    }
    assert await _token_status(settings, engine, password) == 200
    assert await _token_status(settings, engine, client) == 200
    assert await _token_status(production, engine, password) == 400
    assert await _token_status(production, engine, client) == 401


def test_production_refuses_the_default_secret() -> None:
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="KONSENSUS_SECRET_KEY"):
        Settings(environment=Environment.PRODUCTION)
