"""Benchmark: how many messages a second the dispatcher delivers to an SMTP server and to a
webhook receiver, both on loopback.

    .venv/bin/python -m bench.bench_delivery [--messages N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import tempfile
import threading
import time
from datetime import UTC, datetime
from typing import Any

import uvicorn
from aiosmtpd.controller import Controller
from sqlmodel import Session

from service.auth.seal import seal
from service.clock import SystemClock
from service.config import Environment, Settings
from service.db import make_engine, session_scope
from service.migrations import migrate
from service.models.outbox import Channel, MessageKind, OutboxMessage
from service.models.staff import Scope
from service.models.webhook import WebhookSubscription
from service.notifications.dispatcher import Dispatcher, Policy, senders_for
from service.notifications.webhooks import SECRET_SEAL_CONTEXT, new_secret
from service.schemas.municipality import ClientCreate
from service.usecases.administration.municipality import create_client, create_municipality
from service.workflow.procedures import Procedure


class Counter:
    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    def add(self) -> None:
        with self.lock:
            self.count += 1


class SmtpSink:
    def __init__(self, counter: Counter) -> None:
        self.counter = counter

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.counter.add()
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def receiver(counter: Counter) -> tuple[uvicorn.Server, int]:
    """A webhook receiver on loopback: a bare ASGI app that counts and answers 204."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        more = True
        while more:
            more = (await receive()).get("more_body", False)
        counter.add()
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=500, help="per channel")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/delivery.db"
        engine = make_engine(url)
        migrate(engine)
        smtp_count, hook_count = Counter(), Counter()
        smtp_port = free_port()
        smtp = Controller(SmtpSink(smtp_count), hostname="127.0.0.1", port=smtp_port)
        smtp.start()
        hooks, hook_port = receiver(hook_count)
        settings = Settings(
            environment=Environment.TEST,
            database_url=url,
            email_backend="smtp",
            smtp_host="127.0.0.1",
            smtp_port=smtp_port,
            webhook_allow_loopback=True,
        )
        now = datetime.now(UTC)
        with session_scope(engine) as session:
            mun = create_municipality(session, name="Bench", code="997", procedure=Procedure.KL1)
            client, _ = create_client(
                session,
                None,
                ClientCreate(name="bench", scopes=[Scope.ROUNDS_READ]),
                municipality_id=mun.id or 0,
            )
            subscription = WebhookSubscription(
                municipality_id=mun.id or 0,
                client_id=client.id or 0,
                url=f"http://127.0.0.1:{hook_port}/hook",
                secret=seal(settings.keyring(), new_secret(), SECRET_SEAL_CONTEXT),
                events="round.opened",
            )
            session.add(subscription)
            session.flush()
        dispatcher = Dispatcher(
            engine,
            SystemClock(),
            Policy.of(settings),
            senders_for(settings, engine, SystemClock()),
            batch=100,
            concurrency=16,
        )
        for channel, counter in ((Channel.EMAIL, smtp_count), (Channel.WEBHOOK, hook_count)):
            with Session(engine) as session:
                session.add_all(
                    OutboxMessage(
                        municipality_id=mun.id or 0,
                        channel=channel,
                        kind=MessageKind.EVENT,
                        recipient="bench@example.dk"
                        if channel is Channel.EMAIL
                        else subscription.url,
                        subject="Bench",
                        body_text='{"type":"round.opened","data":{"round_id":1}}',
                        subscription_id=subscription.id if channel is Channel.WEBHOOK else None,
                        created_at=now,
                        next_attempt_at=now,
                    )
                    for _ in range(args.messages)
                )
                session.commit()
            start = time.perf_counter()
            deadline = start + 120
            while counter.count < args.messages and time.perf_counter() < deadline:
                asyncio.run(dispatcher.run_once())
            seconds = time.perf_counter() - start
            rate = counter.count / seconds
            print(f"{channel.value:<8} {counter.count} in {seconds:.2f} s: {rate:.0f} messages/s")
        smtp.stop()
        hooks.should_exit = True
        engine.dispose()


if __name__ == "__main__":
    main()
