"""Invitations through the outbox to a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from sqlalchemy import Engine
from sqlmodel import Session, select

from service.auth.keys import Keyring
from service.clock import FrozenClock
from service.config import Settings
from service.db import new_session
from service.models.outbox import DeliveryAttempt, DeliveryStatus, MessageKind, OutboxMessage
from service.notifications.dispatcher import Dispatcher, Policy, claim, senders_for
from service.schemas.rounds import LinkRequest
from service.usecases.collection import informants
from tests.factories import CW_A
from tests.notifications.conftest import Inbox, free_port
from tests.rounds_helpers import new_case, open_round
from tests.world import World


def _dispatcher(settings: Settings, engine: Engine, clock: FrozenClock, port: int) -> Dispatcher:
    mail = settings.model_copy(
        update={
            "email_backend": "smtp",
            "smtp_port": port,
            "smtp_timeout_seconds": 3,
            "delivery_max_attempts": 3,
            "delivery_backoff_seconds": 60,
        }
    )
    return Dispatcher(engine, clock, Policy.of(mail), senders_for(mail, engine, clock))


async def _invited(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, ref: str = "DUBU-R1"
) -> tuple[int, int, str]:
    rnd = await open_round(client, world, clock, await new_case(client, world, ref=ref))
    r = await client.post(
        f"/api/v1/rounds/{rnd['id']}/informants",
        json={"role": "school", "name": "Lærer Ane", "email": "ane@skole.example.dk"},
        headers=world.headers(CW_A),
    )
    iid = r.json()["id"]
    link = await client.post(
        f"/api/v1/rounds/{rnd['id']}/informants/{iid}/link", headers=world.headers(CW_A)
    )
    assert link.status_code == 201
    return rnd["id"], iid, link.json()["url"]


async def _invitation(client: httpx.AsyncClient, world: World, rid: int, iid: int) -> str:
    rows = (
        await client.get(f"/api/v1/rounds/{rid}/informants", headers=world.headers(CW_A))
    ).json()["items"]
    return str(next(i for i in rows if i["id"] == iid)["invitation"])


async def test_invitation_is_delivered_after_commit(
    client: httpx.AsyncClient,
    world: World,
    clock: FrozenClock,
    settings: Settings,
    engine: Engine,
    smtp: tuple[Controller, Inbox],
) -> None:
    controller, inbox = smtp
    rid, iid, url = await _invited(client, world, clock)
    assert inbox.messages == []  # written to the outbox, not sent from the request
    assert await _invitation(client, world, rid, iid) == "pending"
    assert await _dispatcher(settings, engine, clock, controller.port).run_once() == 1
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "ane@skole.example.dk"
    assert "Emma" in message["Subject"] and message["From"]
    assert message.is_multipart()
    parts = {}
    for part in message.walk():
        if not part.is_multipart():
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            parts[part.get_content_type()] = payload.decode()
    assert set(parts) == {"text/plain", "text/html"}
    for body in parts.values():
        assert url in body
        assert "Datatilsynet" in body  # the rights text
    # No score, no case detail: the display name and the link only.
    assert "DUBU" not in parts["text/plain"]
    path = url.removeprefix("http://testserver")
    assert (await client.get(path)).status_code == 200  # the link works when followed
    assert await _invitation(client, world, rid, iid) == "sent"
    assert await _dispatcher(settings, engine, clock, controller.port).run_once() == 0  # once


async def test_a_rolled_back_change_sends_nothing(
    client: httpx.AsyncClient,
    world: World,
    clock: FrozenClock,
    engine: Engine,
) -> None:
    rid, iid, _ = await _invited(client, world, clock)
    actor = world.staff[CW_A]
    from service.auth.actor import ROLE_SCOPES, Actor
    from service.models.audit import ActorKind

    who = Actor(
        ActorKind.STAFF,
        actor.id or 0,
        actor.municipality_id,
        "cw",
        actor.role,
        actor.team_id,
        ROLE_SCOPES[actor.role],
    )
    with Session(engine) as session:
        before = [(m.id, m.status) for m in session.exec(select(OutboxMessage)).all()]
    assert len(before) == 3  # the invitation, and its two reminders written ahead
    with new_session(engine, municipality_id=actor.municipality_id, write=True) as session:
        informants.issue_link(
            session,
            who,
            rid,
            iid,
            LinkRequest(),
            Keyring("s" * 40),
            clock.now(),
            base_url="http://x",
        )
        session.flush()
        assert len(session.exec(select(OutboxMessage)).all()) == 6
        session.rollback()
    with Session(engine) as session:
        assert [(m.id, m.status) for m in session.exec(select(OutboxMessage)).all()] == before


async def test_failures_are_retried_with_backoff_then_shown_as_not_delivered(
    client: httpx.AsyncClient,
    world: World,
    clock: FrozenClock,
    settings: Settings,
    engine: Engine,
) -> None:
    rid, iid, _ = await _invited(client, world, clock)
    dead_port = free_port()  # nothing listens there
    dispatcher = _dispatcher(settings, engine, clock, dead_port)
    assert await dispatcher.run_once() == 1
    assert await dispatcher.run_once() == 0  # not due again before the backoff
    clock.advance(timedelta(seconds=61))
    assert await dispatcher.run_once() == 1
    assert await _invitation(client, world, rid, iid) == "pending"
    clock.advance(timedelta(seconds=121))  # 60 s, then 120 s: exponential
    assert await dispatcher.run_once() == 1
    with Session(engine) as session:
        message = session.exec(
            select(OutboxMessage).where(OutboxMessage.kind == MessageKind.INVITATION)
        ).one()
        assert (message.status, message.attempts) == (DeliveryStatus.FAILED, 3)
        attempts = session.exec(select(DeliveryAttempt)).all()
        assert [a.ok for a in attempts] == [False, False, False]
        assert all("SMTP" in (a.error or "") for a in attempts)
    assert await _invitation(client, world, rid, iid) == "failed"  # never silently dropped


async def test_a_dispatcher_killed_mid_delivery_is_made_good(
    client: httpx.AsyncClient,
    world: World,
    clock: FrozenClock,
    settings: Settings,
    engine: Engine,
    smtp: tuple[Controller, Inbox],
) -> None:
    controller, inbox = smtp
    await _invited(client, world, clock)
    # A dispatcher claims the message and dies before it sends or records anything.
    policy = Policy.of(settings)
    assert len(claim(engine, clock.now(), policy, 10)) == 1
    restarted = _dispatcher(settings, engine, clock, controller.port)
    assert await restarted.run_once() == 0  # still under the dead one's lease
    clock.advance(timedelta(seconds=policy.lease + 1))
    assert await restarted.run_once() == 1
    assert len(inbox.messages) == 1


class SlowInbox(Inbox):
    """Holds each message a while before accepting it: a delivery in flight to kill."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(1.0)
        return await super().handle_DATA(server, session, envelope)


async def test_killed_while_sending_it_is_sent_after_restart(
    client: httpx.AsyncClient,
    world: World,
    clock: FrozenClock,
    settings: Settings,
    engine: Engine,
) -> None:
    inbox = SlowInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        await _invited(client, world, clock)
        first = _dispatcher(settings, engine, clock, controller.port)
        task = asyncio.create_task(first.run_once())
        await asyncio.sleep(0.3)  # the SMTP conversation is under way
        task.cancel()  # the dispatcher dies mid-delivery
        with contextlib.suppress(asyncio.CancelledError):
            await task
        with Session(engine) as session:
            message = session.exec(
                select(OutboxMessage).where(OutboxMessage.kind == MessageKind.INVITATION)
            ).one()
            assert message.status is DeliveryStatus.PENDING and message.attempts == 0
        clock.advance(timedelta(seconds=Policy.of(settings).lease + 1))
        restarted = _dispatcher(settings, engine, clock, controller.port)
        assert await restarted.run_once() == 1
        assert len(inbox.messages) >= 1  # at least once
        with Session(engine) as session:
            message = session.exec(
                select(OutboxMessage).where(OutboxMessage.kind == MessageKind.INVITATION)
            ).one()
            assert message.status is DeliveryStatus.SENT
    finally:
        controller.stop()


async def test_two_dispatchers_never_claim_the_same_message(
    client: httpx.AsyncClient,
    world: World,
    clock: FrozenClock,
    settings: Settings,
    engine: Engine,
) -> None:
    for n in range(6):
        await _invited(client, world, clock, ref=f"MANY-{n}")
    policy = Policy.of(settings)
    results = await asyncio.gather(
        *(asyncio.to_thread(claim, engine, clock.now(), policy, 4) for _ in range(3))
    )
    claimed = [m.id for batch in results for m in batch]
    assert len(claimed) == len(set(claimed)) == 6  # all of them, each by one dispatcher only
