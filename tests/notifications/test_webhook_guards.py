"""Webhook receivers are on the public internet: no loopback, private, link-local or metadata
address, at subscription and again at delivery after name resolution (loopback allowed by a
setting for development and these tests); https in production; a limited number per client;
a scope of their own. Deactivating cancels what is waiting; an attempt's error says no more
than the status code or "connection failed"."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine
from sqlmodel import Session, select

from service.clock import FrozenClock
from service.config import Environment, Settings
from service.main import create_app
from service.models.outbox import DeliveryStatus, OutboxMessage
from service.notifications.dispatcher import Dispatcher, Policy, senders_for
from tests.factories import CW_A
from tests.notifications.conftest import free_port
from tests.notifications.test_webhooks import Receiver, receiver  # noqa: F401 (fixture)
from tests.rounds_helpers import new_case, open_round
from tests.world import World


@pytest.fixture
async def strict(
    settings: Settings, engine: Engine, clock: FrozenClock
) -> AsyncIterator[httpx.AsyncClient]:
    """The service as deployed: loopback receivers refused."""
    app: FastAPI = create_app(
        settings.model_copy(update={"webhook_allow_loopback": False}), engine=engine, clock=clock
    )
    transport = httpx.ASGITransport(app=app, client=("192.0.2.60", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def _subscribe(http: httpx.AsyncClient, world: World, url: str, who: str = "client-a") -> Any:
    return await http.post(
        "/api/v1/webhooks",
        json={"url": url, "events": ["round.opened"]},
        headers=world.headers(who),
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9000/hook",
        "http://localhost/hook",
        "http://[::1]/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://172.16.5.5/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://100.64.0.1/hook",
        "http://0.0.0.0/hook",
        "http://metadata.google.internal/computeMetadata/v1/",
    ],
)
async def test_receivers_off_the_public_internet_are_refused(
    strict: httpx.AsyncClient, world: World, url: str
) -> None:
    r = await _subscribe(strict, world, url)
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "webhook_url_refused"


async def test_https_in_production_a_scope_of_its_own_and_a_limit(
    settings: Settings, engine: Engine, clock: FrozenClock, world: World
) -> None:
    production = settings.model_copy(
        update={
            "environment": Environment.PRODUCTION,
            "webhook_allow_loopback": False,
            "webhooks_per_client": 2,
        }
    )
    app = create_app(production, engine=engine, clock=clock)
    transport = httpx.ASGITransport(app=app, client=("192.0.2.61", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        plain = await _subscribe(http, world, "http://93.184.215.14/hook")
        assert plain.status_code == 422 and plain.json()["code"] == "webhook_url_refused"
        assert (await _subscribe(http, world, "https://93.184.215.14/a")).status_code == 201
        assert (await _subscribe(http, world, "https://93.184.215.14/b")).status_code == 201
        third = await _subscribe(http, world, "https://93.184.215.14/c")
        assert third.status_code == 409 and third.json()["code"] == "webhook_limit"
        # A client without the webhook scope cannot subscribe, nor a person.
        narrow = await _subscribe(http, world, "https://93.184.215.14/d", who="client-a-ro")
        assert narrow.status_code == 403
        assert (
            await _subscribe(http, world, "https://93.184.215.14/e", who=CW_A)
        ).status_code == 403


async def test_delivery_checks_again_and_says_no_more_than_it_must(
    client: httpx.AsyncClient,
    world: World,
    clock: FrozenClock,
    settings: Settings,
    engine: Engine,
    receiver: Receiver,  # noqa: F811
) -> None:
    hook = (await _subscribe(client, world, receiver.url)).json()
    closed = (await _subscribe(client, world, f"http://127.0.0.1:{free_port()}/gone")).json()
    await open_round(client, world, clock, await new_case(client, world))
    policy = Policy(max_attempts=5, backoff=10, ceiling=60, lease=30)
    # Delivered by a dispatcher where loopback is not allowed: checked after resolution.
    strict = settings.model_copy(update={"webhook_allow_loopback": False})
    await Dispatcher(engine, clock, policy, senders_for(strict, engine, clock)).run_once()
    assert receiver.requests == []
    with Session(engine) as session:
        errors = {
            m.subscription_id: m.last_error for m in session.exec(select(OutboxMessage)).all()
        }
    assert errors == {
        hook["id"]: "webhook: connection failed",
        closed["id"]: "webhook: connection failed",
    }
    # Where it is allowed: the answer's status code, or that the connection failed.
    receiver.fail_next = 1
    clock.advance(timedelta(seconds=11))
    await Dispatcher(engine, clock, policy, senders_for(settings, engine, clock)).run_once()
    deliveries = (
        await client.get(
            f"/api/v1/webhooks/{hook['id']}/deliveries", headers=world.headers("client-a")
        )
    ).json()["items"][0]
    assert [a["error"] for a in deliveries["attempts"]] == [
        "webhook: connection failed",
        "webhook: HTTP 503",
    ]
    gone = (
        await client.get(
            f"/api/v1/webhooks/{closed['id']}/deliveries", headers=world.headers("client-a")
        )
    ).json()["items"][0]
    assert {a["error"] for a in gone["attempts"]} == {"webhook: connection failed"}
    # Deactivating the subscription cancels what is still waiting for it.
    off = await client.post(
        f"/api/v1/webhooks/{hook['id']}/deactivate", headers=world.headers("client-a")
    )
    assert off.status_code == 200
    with Session(engine) as session:
        statuses = {m.subscription_id: m.status for m in session.exec(select(OutboxMessage)).all()}
    assert statuses[hook["id"]] is DeliveryStatus.CANCELLED
    assert statuses[closed["id"]] is DeliveryStatus.PENDING
