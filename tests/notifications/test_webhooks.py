"""Signed webhooks to a receiver on loopback, verified by an independent implementation of the
Standard Webhooks signature."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from service.clock import FrozenClock
from service.config import Settings
from service.notifications.dispatcher import Dispatcher, Policy, senders_for
from tests.factories import CW_A
from tests.rounds_helpers import (
    add_informant,
    entries,
    issue_link,
    new_case,
    open_round,
    submit_link,
)
from tests.world import World


class Receiver:
    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.fail_next = 0
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/konsensus"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                if receiver.fail_next:
                    receiver.fail_next -= 1
                    self.send_response(503)
                else:
                    receiver.requests.append(
                        ({k.lower(): v for k, v in self.headers.items()}, body)
                    )
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    thread = threading.Thread(target=r.server.serve_forever, daemon=True)
    thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


def verify(secret: str, headers: dict[str, str], body: bytes, now: float) -> dict[str, Any]:
    """The receiver's side, written from the specification alone."""
    msg_id, timestamp = headers["webhook-id"], headers["webhook-timestamp"]
    assert abs(now - int(timestamp)) <= 300, "timestamp outside tolerance"
    key = base64.b64decode(secret.split("_", 1)[1])
    content = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
    offered = [
        s.split(",", 1)[1] for s in headers["webhook-signature"].split() if s.startswith("v1,")
    ]
    assert any(hmac.compare_digest(expected, o) for o in offered), "bad signature"
    parsed: dict[str, Any] = json.loads(body)
    return parsed


def _dispatcher(settings: Settings, engine: Engine, clock: FrozenClock) -> Dispatcher:
    policy = Policy(max_attempts=5, backoff=10, ceiling=60, lease=30)
    return Dispatcher(engine, clock, policy, senders_for(settings, engine, clock))


async def test_events_are_signed_retried_and_listed(
    client: httpx.AsyncClient,
    world: World,
    clock: FrozenClock,
    settings: Settings,
    engine: Engine,
    receiver: Receiver,
) -> None:
    integrator = world.headers("client-a")
    r = await client.post(
        "/api/v1/webhooks",
        json={
            "url": receiver.url,
            "events": ["round.opened", "informant.submitted", "round.collection_closed"],
        },
        headers=integrator,
    )
    assert r.status_code == 201, r.text
    hook = r.json()
    secret = hook["secret"]
    assert secret.startswith("whsec_")
    assert (
        "secret"
        not in (await client.get("/api/v1/webhooks", headers=integrator)).json()["items"][0]
    )
    dispatcher = _dispatcher(settings, engine, clock)

    case_id = await new_case(client, world)
    rnd = await open_round(client, world, clock, case_id)
    receiver.fail_next = 1  # the receiver is briefly down
    assert await dispatcher.run_once() == 1
    assert receiver.requests == []
    clock.advance(timedelta(seconds=11))
    assert await dispatcher.run_once() == 1
    headers, body = receiver.requests[0]
    event = verify(secret, headers, body, clock.now().timestamp())
    assert event["type"] == "round.opened"
    assert event["data"] == {"round_id": rnd["id"], "case_id": case_id, "state": "collecting"}
    assert "Emma" not in body.decode()  # ids only: the receiver asks the API for the rest

    school = await add_informant(client, world, rnd["id"], "school", "Lærer Ane")
    token = await issue_link(client, world, rnd["id"], school["id"])
    assert (await submit_link(client, token, entries([1, 1, 1, 1, 1, 1, 1, 1]))).status_code == 200
    await dispatcher.run_once()
    types = [verify(secret, h, b, clock.now().timestamp())["type"] for h, b in receiver.requests]
    assert types == ["round.opened", "informant.submitted"]

    deliveries = (
        await client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=integrator)
    ).json()
    assert deliveries["total"] == 2
    opened = deliveries["items"][-1]
    assert opened["event"] == "round.opened" and opened["status"] == "sent"
    assert [a["ok"] for a in opened["attempts"]] == [False, True]
    assert "503" in opened["attempts"][0]["error"]
    assert opened["id"] == receiver.requests[0][0]["webhook-id"]

    # Staff have no webhooks; another client cannot see these.
    assert (await client.get("/api/v1/webhooks", headers=world.headers(CW_A))).status_code == 403
    other = await client.get(
        f"/api/v1/webhooks/{hook['id']}/deliveries", headers=world.headers("client-b")
    )
    assert other.status_code == 404

    off = await client.post(f"/api/v1/webhooks/{hook['id']}/deactivate", headers=integrator)
    assert off.json()["is_active"] is False
    assert (
        await client.post(
            f"/api/v1/rounds/{rnd['id']}/transitions",
            json={"event": "close_collection", "reason": "Skolen har svaret; vi går videre."},
            headers=world.headers(CW_A),
        )
    ).status_code == 200
    assert await dispatcher.run_once() == 0
