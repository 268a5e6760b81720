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
