"""Staff sessions end: logging out, a password change and deactivation end every session of
the person at once (and their access tokens); a session lasts no longer than its absolute
lifetime, and ends after idling."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fastapi import FastAPI

from service.clock import FrozenClock
from tests.factories import ADMIN_A, CW_A
from tests.staff_browser import form_csrf, staff_browser
from tests.world import PASSWORD, World


async def _token(client: httpx.AsyncClient) -> dict[str, str]:
    r = await client.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": CW_A, "password": PASSWORD},
    )
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _logged_out(r: httpx.Response) -> bool:
    return r.status_code == 303 and r.headers["location"].startswith("/login")


async def test_logout_ends_every_session_of_the_person(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    headers = await _token(client)
    async with (
        staff_browser(app, CW_A) as laptop,
        staff_browser(app, CW_A, address="192.0.2.21") as phone,
    ):
        assert (await phone.get("/cases")).status_code == 200
        csrf = form_csrf((await laptop.get("/cases")).text)
        assert _logged_out(await laptop.post("/logout", data={"csrf": csrf}))
        assert _logged_out(await phone.get("/cases"))
        assert (await client.get("/api/v1/me", headers=headers)).status_code == 401
    async with staff_browser(app, CW_A) as again:
        assert (await again.get("/cases")).status_code == 200


async def test_a_password_change_or_deactivation_ends_the_sessions(
    app: FastAPI, client: httpx.AsyncClient, world: World
) -> None:
    user_id = world.user(CW_A).id
    for change in ({"password": "a new password, long enough"}, {"is_active": False}):
        headers = await _token(client) if "password" in change else None
        async with staff_browser(
            app, CW_A, password=PASSWORD if "password" in change else "a new password, long enough"
        ) as browser:
            assert (await browser.get("/cases")).status_code == 200
            r = await client.patch(
                f"/api/v1/staff/{user_id}", json=change, headers=world.headers(ADMIN_A)
            )
            assert r.status_code == 200, r.text
            assert _logged_out(await browser.get("/cases")), change
        if headers:
            assert (await client.get("/api/v1/me", headers=headers)).status_code == 401


async def test_idle_sessions_end_and_none_outlives_its_lifetime(
    app: FastAPI, clock: FrozenClock
) -> None:
    async with staff_browser(app, CW_A) as browser:
        clock.advance(timedelta(minutes=29))
        assert (await browser.get("/cases")).status_code == 200
        clock.advance(timedelta(minutes=31))
        assert _logged_out(await browser.get("/cases")), "idle for 31 minutes"
    async with staff_browser(app, CW_A) as browser:
        for _ in range(8 * 3):  # busy all day: a page every 20 minutes
            clock.advance(timedelta(minutes=20))
            r = await browser.get("/cases")
            if r.status_code != 200:
                break
        assert _logged_out(r)
        assert _ == 8 * 3 - 1, "the session ended at its absolute lifetime of 8 hours"
