"""Invitations by SMS through the HTTP gateway implementation, against a gateway on loopback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import Engine

from service.clock import FrozenClock
from service.config import Settings
from service.notifications.dispatcher import Dispatcher, Policy, senders_for
from service.notifications.sms import msisdn
from tests.factories import CW_A
from tests.rounds_helpers import new_case, open_round, set_procedure
from tests.world import World


class Gateway:
    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], dict[str, Any]]] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                gateway.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ids": [1]}')

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/rest/mtsms"


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    g = Gateway()
    thread = threading.Thread(target=g.server.serve_forever, daemon=True)
    thread.start()
    yield g
    g.server.shutdown()
    g.server.server_close()


def test_msisdn() -> None:
    assert msisdn("+45 12 34 56 78") == 4512345678
    assert msisdn("12345678") == 4512345678


async def test_invitation_by_sms(
    client: httpx.AsyncClient,
    world: World,
    clock: FrozenClock,
    settings: Settings,
    engine: Engine,
    gateway: Gateway,
) -> None:
    sms = settings.model_copy(
        update={
            "sms_backend": "http",
            "sms_gateway_url": gateway.url,
            "sms_token": SecretStr("gw-token"),
        }
    )
    # KL 3: the mother scores independently, so her invitation goes out at once (in KL 1 and
    # 2 it waits for the family step).
    await set_procedure(client, world, "kl3")
    rnd = await open_round(client, world, clock, await new_case(client, world))
    r = await client.post(
        f"/api/v1/rounds/{rnd['id']}/informants",
        json={"role": "mother", "name": "Mette Holm", "phone": "+45 20 30 40 50"},
        headers=world.headers(CW_A),
    )
    iid = r.json()["id"]
    link = await client.post(
        f"/api/v1/rounds/{rnd['id']}/informants/{iid}/link", headers=world.headers(CW_A)
    )
    dispatcher = Dispatcher(engine, clock, Policy.of(sms), senders_for(sms, engine, clock))
    assert await dispatcher.run_once() == 1
    headers, body = gateway.received[0]
    assert headers["authorization"] == "Bearer gw-token"
    assert body["recipients"] == [{"msisdn": 4520304050}]
    assert body["sender"] == "Konsensus"
    assert link.json()["url"] in body["message"] and "Emma" in body["message"]
    rows = (
        await client.get(f"/api/v1/rounds/{rnd['id']}/informants", headers=world.headers(CW_A))
    ).json()["items"]
    assert next(i for i in rows if i["id"] == iid)["invitation"] == "sent"


async def test_the_development_log_shows_no_text_outside_development(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    from datetime import UTC, datetime

    from service.config import Environment
    from service.models.outbox import Channel, MessageKind, OutboxMessage

    now = datetime.now(UTC)
    message = OutboxMessage(
        id=7,
        municipality_id=1,
        channel=Channel.SMS,
        kind=MessageKind.INVITATION,
        recipient="+45 12 34 56 78",
        body_text="Svar her: http://testserver/l/SECRETLINKTOKEN0123456789",
        created_at=now,
        next_attempt_at=now,
    )
    for environment, shown in ((Environment.TEST, False), (Environment.DEVELOPMENT, True)):
        caplog.clear()
        configured = settings.model_copy(update={"environment": environment})
        sms = senders_for(configured, None, FrozenClock(now))[Channel.SMS]  # type: ignore[arg-type]
        with caplog.at_level("INFO", logger="konsensus.sms"):
            await sms.send(message)
        assert ("Svar her" in caplog.text) is shown, environment
        if not shown:
            assert "SECRETLINKTOKEN" not in caplog.text
        assert caplog.records, environment
    # Production does not start with the logging backend at all.
    with pytest.raises(ValueError, match="SMS_BACKEND"):
        Settings(
            environment=Environment.PRODUCTION,
            secret_key="p" * 40,
            sms_backend="log",
            email_backend="smtp",
        )
