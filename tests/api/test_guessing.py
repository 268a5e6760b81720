"""Guessing is bounded: failed logins (token endpoint and login page) per account and per
address with growing delays, unknown personal links per address, both counted in a store
that every instance shares (the database, or Redis) and pruned; and Argon2 checks bounded
in number at once."""

from __future__ import annotations

import re
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from service.auth import passwords
from service.clock import FrozenClock
from service.config import Settings
from service.main import create_app
from service.models.throttle import ThrottleCounter
from tests.factories import CW2_A, CW_A
from tests.rounds_helpers import add_informant, issue_link, new_case, open_round
from tests.world import PASSWORD, World


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


STORES = [
    "database",
    pytest.param(
        "redis",
        marks=pytest.mark.skipif(not _redis_up(), reason="no Redis at 127.0.0.1:6379"),
    ),
]


def _instances(settings: Settings, engine: Engine, clock: FrozenClock, store: str) -> list[FastAPI]:
    """Two instances of the service on one database (and one Redis), as behind a proxy."""
    shared = settings.model_copy(
        update={"throttle_store": store, "redis_prefix": f"test:{uuid.uuid4().hex}:"}
    )
    return [create_app(shared, engine=engine, clock=clock) for _ in range(2)]


@asynccontextmanager
async def _client(app: FastAPI, address: str = "192.0.2.50") -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def _token(http: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await http.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": username, "password": password},
    )


@pytest.mark.parametrize("store", STORES)
async def test_failed_logins_per_account_wait_longer_each_time_on_every_instance(
    settings: Settings, engine: Engine, clock: FrozenClock, store: str
) -> None:
    first, second = _instances(settings, engine, clock, store)
    async with _client(first) as one, _client(second, "192.0.2.51") as other:
        for _ in range(settings.login_free_failures_per_account):
            assert (await _token(one, CW_A, "wrong password!")).status_code == 400
        # The other instance, from another address: the account waits there too, and not
        # even the right password is checked meanwhile.
        refused = await _token(other, CW_A, PASSWORD)
        assert refused.status_code == 429, refused.text
        assert refused.json()["code"] == "login_throttled"
        assert refused.headers["retry-after"] == "2"
        clock.advance(timedelta(seconds=2))
        assert (await _token(other, CW_A, "wrong again!")).status_code == 400
        again = await _token(one, CW_A, PASSWORD)
        assert again.status_code == 429 and again.headers["retry-after"] == "4"  # doubled
        # Another account is not held up by this one.
        assert (await _token(one, CW2_A, PASSWORD)).status_code == 200
        clock.advance(timedelta(seconds=4))
        assert (await _token(one, CW_A, PASSWORD)).status_code == 200
        # A success forgets the account's failures.
        assert (await _token(other, CW_A, "wrong password!")).status_code == 400
        assert (await _token(other, CW_A, PASSWORD)).status_code == 200


async def test_failed_logins_per_address_and_for_clients(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings
) -> None:
    for n in range(settings.login_free_failures_per_address):
        r = await _token(client, f"nobody{n}@aarhus.example.dk", "guess")
        assert r.status_code == 400
    assert (await _token(client, CW_A, PASSWORD)).status_code == 429
    async with _client(app, "192.0.2.99") as elsewhere:
        assert (await _token(elsewhere, CW_A, PASSWORD)).status_code == 200
        for _ in range(settings.login_free_failures_per_account):
            bad = await elsewhere.post(
                "/api/v1/auth/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": "client-a",
                    "client_secret": "guessed",
                },
            )
            assert bad.status_code == 401
        held = await elsewhere.post(
            "/api/v1/auth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "client-a",
                "client_secret": "x",
            },
        )
        assert held.status_code == 429


async def test_the_login_page_is_limited_too(
    client: httpx.AsyncClient, settings: Settings, db: Session
) -> None:
    async def attempt(password: str) -> httpx.Response:
        page = await client.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf
        return await client.post(
            "/login", data={"csrf": csrf.group(1), "username": CW_A, "password": password}
        )

    for _ in range(settings.login_free_failures_per_account):
        assert (await attempt("wrong password!")).status_code == 400
    held = await attempt(PASSWORD)
    assert held.status_code == 429
    assert held.headers["retry-after"] == "2"
    assert "Vent 2 sekunder" in held.text
    # What is counted names no one: the keys are hashes.
    keys = db.exec(select(ThrottleCounter.key)).all()
    assert keys and not any("aarhus" in k or "192.0.2" in k for k in keys)


@pytest.mark.parametrize("store", STORES)
async def test_link_guesses_are_counted_across_instances_and_forgotten(
    client: httpx.AsyncClient,
    world: World,
    settings: Settings,
    engine: Engine,
    clock: FrozenClock,
    db: Session,
    store: str,
) -> None:
    rnd = await open_round(client, world, clock, await new_case(client, world))
    informant = await add_informant(client, world, rnd["id"], "school", "Lærer Ane")
    token = await issue_link(client, world, rnd["id"], informant["id"])
    first, second = _instances(settings, engine, clock, store)
    limit = settings.link_guess_limit_per_minute
    async with _client(first, "198.51.100.7") as one, _client(second, "198.51.100.7") as other:
        for n in range(limit):
            http = one if n % 2 else other
            assert (await http.get(f"/api/v1/links/{'x' * 30}{n:03d}")).status_code == 404
        assert (await one.get(f"/api/v1/links/{token}")).status_code == 429
        assert (await other.get(f"/l/{token}")).status_code == 429
        clock.advance(timedelta(seconds=61))
        assert (await other.get(f"/api/v1/links/{token}")).status_code == 200
        if store == "database":
            # The minute's counter is gone once it is out: the next failure prunes it.
            assert (await one.get(f"/api/v1/links/{'y' * 33}")).status_code == 404
            rows = db.exec(select(func.count()).select_from(ThrottleCounter)).one()
            assert rows == 1


def test_argon2_checks_at_once_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """A burst of logins takes no more Argon2 memory than the bound allows: the checks
    beyond it wait their turn."""
    running, most = 0, 0
    lock = threading.Lock()
    real = passwords._hasher

    class Watched:
        def verify(self, hash_: str, secret: str) -> bool:
            nonlocal running, most
            with lock:
                running += 1
                most = max(most, running)
            try:
                time.sleep(0.05)
                return real.verify(hash_, secret)
            finally:
                with lock:
                    running -= 1

    monkeypatch.setattr(passwords, "_hasher", Watched())
    passwords.limit_checks(2)
    good = real.hash("right")
    try:
        with ThreadPoolExecutor(max_workers=12) as pool:
            results = list(
                pool.map(
                    lambda n: passwords.verify_secret(good, "right" if n else "wrong"), range(12)
                )
            )
    finally:
        passwords.limit_checks(Settings().password_checks_at_once)
    assert results == [False] + [True] * 11
    assert most == 2


async def test_an_unreachable_redis_lets_nothing_through_unchecked(
    settings: Settings, engine: Engine, clock: FrozenClock
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    app = create_app(
        settings.model_copy(
            update={"throttle_store": "redis", "redis_url": f"redis://127.0.0.1:{closed}/0"}
        ),
        engine=engine,
        clock=clock,
    )
    async with _client(app) as http:
        r = await _token(http, CW_A, PASSWORD)
        assert r.status_code == 503 and r.json()["code"] == "throttle_unavailable"
        assert r.headers["retry-after"] == "30"
        assert (await http.get(f"/api/v1/links/{'z' * 40}")).status_code == 503
