"""A message is sent once, however slow the relay and however many dispatchers share the
outbox; a copy sent again after a crash carries the same Message-ID; a failing database is
met with growing waits; a stopping dispatcher stops in bounded time."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from service.clock import FrozenClock, SystemClock
from service.config import Settings
from service.db import make_engine
from service.models.outbox import DeliveryStatus, MessageKind, OutboxMessage
from service.notifications.dispatcher import Dispatcher, Policy, claim, senders_for
from service.notifications.senders import SmtpSender
from tests.factories import CW_A
from tests.notifications.conftest import Inbox, free_port
from tests.ops.test_health import unreachable_url
from tests.rounds_helpers import new_case, open_round
from tests.world import World


class SlowRelay(Inbox):
    """A relay that takes its time over each message."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.seconds)
        return await super().handle_DATA(server, session, envelope)


async def _invite_many(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, count: int
) -> int:
    rnd = await open_round(client, world, clock, await new_case(client, world))
    for n in range(count):
        r = await client.post(
            f"/api/v1/rounds/{rnd['id']}/informants",
            json={"role": "other_professional", "name": f"Fagperson {n}", "email": f"p{n}@x.dk"},
            headers=world.headers(CW_A),
        )
        assert r.status_code == 201, r.text
        link = await client.post(
            f"/api/v1/rounds/{rnd['id']}/informants/{r.json()['id']}/link",
            headers=world.headers(CW_A),
        )
        assert link.status_code == 201, link.text
    return int(rnd["id"])


def _all_sent(engine: Engine) -> bool:
    with Session(engine) as session:
        return not session.exec(
            select(OutboxMessage.id).where(
                OutboxMessage.kind == MessageKind.INVITATION,
                OutboxMessage.status == DeliveryStatus.PENDING,
            )
        ).first()


def _smtp(settings: Settings, port: int) -> Settings:
    return settings.model_copy(
        update={"email_backend": "smtp", "smtp_port": port, "smtp_timeout_seconds": 5}
    )


async def test_two_dispatchers_and_a_slow_relay_send_each_invitation_once(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, settings: Settings, engine: Engine
) -> None:
    relay = SlowRelay(0.5)
    controller = Controller(relay, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        await _invite_many(client, world, clock, 60)
        mail = _smtp(settings, controller.port)
        # A lease much shorter than a batch takes (50 messages, 8 at a time, 0.5 s each: 3.5 s),
        # though long enough for any one message.
        policy = Policy(max_attempts=3, backoff=0.1, ceiling=1, lease=2.0)
        real = SystemClock()
        workers = [
            Dispatcher(engine, real, policy, senders_for(mail, engine, real)) for _ in range(2)
        ]
        done = asyncio.Event()

        async def work(worker: Dispatcher) -> None:
            # Each worker on its own, as two `konsensus worker` processes would be.
            deadline = time.monotonic() + 60
            while not done.is_set() and time.monotonic() < deadline:
                if await worker.run_once() == 0:
                    done.set() if _all_sent(engine) else await asyncio.sleep(0.05)

        await asyncio.gather(*(work(w) for w in workers))
        received = Counter(str(m["To"]) for m in relay.messages)
        duplicates = sum(n - 1 for n in received.values())
        print(
            f"\nslow relay, two dispatchers: {len(received)} invitations, {duplicates} sent twice"
        )
        assert len(received) == 60 and duplicates == 0
        with Session(engine) as session:
            attempts = session.exec(
                select(OutboxMessage.attempts).where(OutboxMessage.kind == MessageKind.INVITATION)
            ).all()
        assert set(attempts) == {1}
    finally:
        controller.stop()


async def test_a_message_keeps_its_message_id_when_sent_again(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, settings: Settings, engine: Engine
) -> None:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        await _invite_many(client, world, clock, 1)
        with Session(engine) as session:
            message = session.exec(
                select(OutboxMessage).where(OutboxMessage.kind == MessageKind.INVITATION)
            ).one()
        sender = SmtpSender(_smtp(settings, controller.port))
        await sender.send(message)  # sent, then the dispatcher died before recording it ...
        await sender.send(message)  # ... so it is sent again after the lease ran out
        ids = [m["Message-ID"] for m in inbox.messages]
        assert len(ids) == 2 and ids[0] == ids[1], ids
    finally:
        controller.stop()


async def test_a_message_taken_over_by_another_dispatcher_is_not_sent(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, settings: Settings, engine: Engine
) -> None:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        await _invite_many(client, world, clock, 1)
        mail = _smtp(settings, controller.port)
        policy = Policy.of(mail)
        slow, fast = (
            Dispatcher(engine, clock, policy, senders_for(mail, engine, clock)) for _ in range(2)
        )
        [message] = claim(engine, clock.now(), policy, 10, slow.owner)
        clock.advance(timedelta(seconds=policy.lease + 1))  # the slow one's lease runs out
        assert await fast.run_once() == 1
        await slow._deliver(message, asyncio.Semaphore(1), set())  # it comes round at last
        assert len(inbox.messages) == 1
    finally:
        controller.stop()


def test_a_lease_that_cannot_hold_a_delivery_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="cannot hold a delivery"):
        Settings(delivery_lease_seconds=20, smtp_timeout_seconds=15, _env_file=None)
    Settings(delivery_lease_seconds=120, smtp_timeout_seconds=15, _env_file=None)


async def test_a_failing_database_is_met_with_growing_waits(
    settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = make_engine(unreachable_url(tmp_path))
    clock = SystemClock()
    dispatcher = Dispatcher(
        engine, clock, Policy.of(settings), senders_for(settings, engine, clock)
    )
    stop = asyncio.Event()
    caplog.set_level(logging.WARNING, logger="konsensus.dispatcher")
    task = asyncio.create_task(dispatcher.run(stop, interval=0.05))
    await asyncio.sleep(1.6)
    stop.set()
    await asyncio.wait_for(task, timeout=5)
    engine.dispose()
    records = [r for r in caplog.records if r.name == "konsensus.dispatcher"]
    # Without backoff: a try every 0.05 s (some 30); with it: 0.05, 0.1, 0.2, 0.4, 0.8 s.
    assert 2 <= len(records) <= 7, [r.getMessage() for r in records]
    assert all(r.exc_info is None for r in records)  # one line each, no traceback
    assert all("database unavailable" in r.getMessage() for r in records)


async def test_a_stopping_dispatcher_hands_back_what_it_has_not_begun(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, settings: Settings, engine: Engine
) -> None:
    relay = SlowRelay(3.0)
    controller = Controller(relay, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        await _invite_many(client, world, clock, 12)
        mail = _smtp(settings, controller.port)
        dispatcher = Dispatcher(
            engine,
            clock,
            Policy.of(mail),
            senders_for(mail, engine, clock),
            concurrency=2,
            stop_grace=0.5,
        )
        stop = asyncio.Event()
        task = asyncio.create_task(dispatcher.run_once(stop))
        await asyncio.sleep(0.5)
        stop.set()
        started = time.monotonic()
        assert await asyncio.wait_for(task, timeout=10) == 12
        stopped_in = time.monotonic() - started
        print(f"\nstopped in {stopped_in:.2f} s with 2 messages on their way, 10 waiting")
        assert stopped_in < 2.5  # the grace, not the 3 s x 12 / 2 of the batch
        with Session(engine) as session:
            free = session.exec(
                select(OutboxMessage.id).where(
                    OutboxMessage.kind == MessageKind.INVITATION,
                    col(OutboxMessage.claimed_by).is_(None),
                )
            ).all()
        assert len(free) == 10  # handed back; the two cut off are left to their lease
        other = Dispatcher(engine, clock, Policy.of(mail), senders_for(mail, engine, clock))
        assert len(claim(engine, clock.now(), Policy.of(mail), 50, other.owner)) == 10
    finally:
        controller.stop()
