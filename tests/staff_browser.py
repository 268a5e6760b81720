"""A member of staff's browser: an HTTP client of its own, logged in through the login page."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from tests.world import PASSWORD


def form_csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field in the form"
    return found.group(1)


@asynccontextmanager
async def staff_browser(
    app: FastAPI, username: str, *, address: str = "192.0.2.20", password: str = PASSWORD
) -> AsyncIterator[httpx.AsyncClient]:
    """A client with its own cookie jar, logged in as `username`."""
    transport = httpx.ASGITransport(app=app, client=(address, 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        csrf = form_csrf((await browser.get("/login")).text)
        r = await browser.post(
            "/login", data={"csrf": csrf, "username": username, "password": password}
        )
        assert r.status_code == 303, r.text
        yield browser
