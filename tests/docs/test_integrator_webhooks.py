"""The guide's signature checks, in Python and in JavaScript, accept a webhook the service
really sent, and refuse it with one byte changed."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from service.clock import SystemClock
from service.config import Settings
from service.notifications.dispatcher import Dispatcher, Policy, senders_for
from tests.factories import CW_A
from tests.notifications.test_webhooks import Receiver
from tests.world import World

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "integrators" / "examples"
NODE = shutil.which("node")
VERIFIERS = {
    "python": [sys.executable, str(EXAMPLES / "verify_signature.py")],
    "javascript": [NODE or "node", str(EXAMPLES / "verify_signature.mjs")],
}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    thread = threading.Thread(target=r.server.serve_forever, daemon=True)
    thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


async def received_webhook(
    live_server: str, world: World, settings: Settings, engine: Engine, receiver: Receiver
) -> tuple[str, dict[str, str], bytes]:
    """Subscribe as the case system, open a round, and let the service deliver the event."""
    async with httpx.AsyncClient(base_url=live_server, timeout=30) as http:
        hook = await http.post(
            "/api/v1/webhooks",
            json={"url": receiver.url, "events": ["round.opened"]},
            headers=world.headers("client-a"),
        )
        assert hook.status_code == 201, hook.text
        staff = world.headers(CW_A)
        case = await http.post(
            "/api/v1/cases",
            json={"external_ref": "HOOK-1", "display_name": "Emma", "birth_year": 2016},
            headers=staff,
        )
        assert case.status_code == 201, case.text
        listed = await http.get("/api/v1/instruments", params={"limit": 200}, headers=staff)
        in_use = max(i["id"] for i in listed.json()["items"] if i["key"] == "kl-boern-familie")
        due = datetime.now(UTC) + timedelta(days=14)
        opened = await http.post(
            f"/api/v1/cases/{case.json()['id']}/rounds",
            json={"instrument_id": in_use, "due_at": due.isoformat()},
            headers=staff,
        )
        assert opened.status_code == 201, opened.text
    # The service's own dispatcher, on the real clock: the signature's timestamp is now.
    clock = SystemClock()
    policy = Policy(max_attempts=1, backoff=10, ceiling=60, lease=30)
    dispatcher = Dispatcher(engine, clock, policy, senders_for(settings, engine, clock))
    assert await dispatcher.run_once() == 1
    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    return str(hook.json()["secret"]), headers, body


def verdict(language: str, secret: str, headers: dict[str, str], body: bytes, tmp: Path) -> str:
    """What the snippet says: the event's type, or "refused: ..."."""
    (tmp / "headers.json").write_text(json.dumps(headers), encoding="utf-8")
    (tmp / "body").write_bytes(body)
    done = subprocess.run(
        [*VERIFIERS[language], str(tmp / "headers.json"), str(tmp / "body")],
        env={"PATH": "/usr/bin:/bin", "KONSENSUS_WEBHOOK_SECRET": secret},
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode == 0:
        return done.stdout.strip()
    assert done.returncode == 1, done.stderr  # refused, not crashed
    return done.stderr.strip()


@pytest.mark.one_leg
async def test_both_snippets_accept_a_real_webhook_and_refuse_a_changed_one(
    live_server: str,
    world: World,
    settings: Settings,
    engine: Engine,
    receiver: Receiver,
    tmp_path: Path,
) -> None:
    assert NODE is not None, "the JavaScript snippet runs on Node 20"
    secret, headers, body = await received_webhook(live_server, world, settings, engine, receiver)
    assert set(headers) >= {"webhook-id", "webhook-timestamp", "webhook-signature"}
    changed_body = body.replace(b'"round.opened"', b'"round.openee"')
    signature = headers["webhook-signature"]
    # A character in the middle: all six of its bits are the signature's (near the end of
    # the base64, some are padding, which a lenient decoder ignores).
    middle = len(signature) // 2
    flipped = (
        signature[:middle] + ("A" if signature[middle] != "A" else "B") + signature[middle + 1 :]
    )
    for language in VERIFIERS:
        assert verdict(language, secret, headers, body, tmp_path) == "round.opened", language
        refusals = [
            verdict(language, secret, headers, changed_body, tmp_path),
            verdict(language, secret, {**headers, "webhook-signature": flipped}, body, tmp_path),
            verdict(language, "whsec_" + "A" * 44, headers, body, tmp_path),
        ]
        assert all(r == "refused: no signature matches" for r in refusals), (language, refusals)
        stale = str(int(headers["webhook-timestamp"]) - 3600)
        assert verdict(
            language, secret, {**headers, "webhook-timestamp": stale}, body, tmp_path
        ).startswith("refused: the timestamp"), language
