"""Rotating the service secret: what was made under the previous one (personal links, staff
sessions, access tokens) keeps working while it is listed as previous, and ends when it is
dropped."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import Engine

from service.clock import FrozenClock
from service.config import Settings
from service.main import create_app
from tests.conftest import TEST_SECRET
from tests.factories import CW_A
from tests.rounds_helpers import add_informant, issue_link, new_case, open_round, staff_login
from tests.world import World

NEW_SECRET = "the-next-secret-after-rotation-0123456789abcdef"


@asynccontextmanager
async def _browser(
    app: FastAPI, cookies: httpx.Cookies | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("192.0.2.30", 50000))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", cookies=cookies
    ) as http:
        yield http


async def test_links_and_sessions_survive_a_rotation_until_the_old_secret_is_dropped(
    client: httpx.AsyncClient,
    app: FastAPI,
    world: World,
    clock: FrozenClock,
    settings: Settings,
    engine: Engine,
) -> None:
    rnd = await open_round(client, world, clock, await new_case(client, world))
    informant = await add_informant(client, world, rnd["id"], "school", "Lærer Ane")
    token = await issue_link(client, world, rnd["id"], informant["id"])
    async with _browser(app) as staff:
        await staff_login(staff, CW_A)
        cookies = staff.cookies
    rotated = create_app(
        settings.model_copy(
            update={
                "secret_key": SecretStr(NEW_SECRET),
                "previous_secret_keys": SecretStr(TEST_SECRET),
            }
        ),
        engine=engine,
        clock=clock,
    )
    dropped = create_app(
        settings.model_copy(update={"secret_key": SecretStr(NEW_SECRET)}),
        engine=engine,
        clock=clock,
    )
    async with _browser(rotated) as informant_browser:
        assert (await informant_browser.get(f"/api/v1/links/{token}")).status_code == 200
    async with _browser(dropped) as informant_browser:
        assert (await informant_browser.get(f"/api/v1/links/{token}")).status_code == 404
    async with _browser(rotated, cookies) as browser:
        cases = await browser.get("/cases")
        assert cases.status_code == 200, "the session from before the rotation goes on"
    async with _browser(dropped, cookies) as browser:
        cases = await browser.get("/cases")
        assert cases.status_code == 303 and cases.headers["location"].startswith("/login")
