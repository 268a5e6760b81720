"""Request bodies have a size limit, checked before anything parses them: JSON and forms,
with a Content-Length or sent in chunks without one; 413 as problem+json, or as a page for a
form posted from a page."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from service.clock import FrozenClock
from service.config import Settings
from service.main import create_app
from tests.factories import CW_A
from tests.world import World

LIMIT = 4096


@pytest.fixture
async def small(
    settings: Settings, engine: Engine, clock: FrozenClock
) -> AsyncIterator[httpx.AsyncClient]:
    app: FastAPI = create_app(
        settings.model_copy(update={"max_body_bytes": LIMIT}), engine=engine, clock=clock
    )
    transport = httpx.ASGITransport(app=app, client=("192.0.2.40", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def _chunks(total: int) -> AsyncIterator[bytes]:
    sent = 0
    while sent < total:
        yield b'{"x": "' + b"a" * 1000 + b'"}'
        sent += 1010


async def test_json_too_large_is_413_before_it_is_parsed(
    small: httpx.AsyncClient, world: World
) -> None:
    big = {"external_ref": "X", "display_name": "a" * (LIMIT * 2), "birth_year": 2015}
    r = await small.post("/api/v1/cases", json=big, headers=world.headers(CW_A))
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "payload_too_large"
    # Refused before authentication and before the body is read as JSON.
    unauthenticated = await small.post("/api/v1/cases", content=b"{" * (LIMIT + 1))
    assert unauthenticated.status_code == 413
    # Without a Content-Length (chunked), read up to the limit and no further.
    chunked = await small.post(
        "/api/v1/cases",
        content=_chunks(LIMIT * 4),
        headers={**world.headers(CW_A), "content-type": "application/json"},
    )
    assert chunked.status_code == 413
    # Under the limit, a body goes on as before (here to validation).
    small_body = await small.post("/api/v1/cases", json={"x": 1}, headers=world.headers(CW_A))
    assert small_body.status_code == 422


async def test_forms_too_large(small: httpx.AsyncClient) -> None:
    token = await small.post(
        "/api/v1/auth/token", data={"grant_type": "password", "username": "a" * LIMIT}
    )
    assert token.status_code == 413 and token.json()["code"] == "payload_too_large"
    login = await small.post("/login", data={"username": "x", "password": "p" * (LIMIT * 2)})
    assert login.status_code == 413
    assert login.headers["content-type"].startswith("text/html")
    assert "For meget på én gang" in login.text
    chunked = await small.post(
        "/l/" + "t" * 43,
        content=_chunks(LIMIT * 4),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert chunked.status_code == 413 and "For meget" in chunked.text
