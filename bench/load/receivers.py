"""The other ends of the outbox on loopback: an SMTP server and a webhook receiver that count
every message they get by its id (the outbox row's), so that a message sent twice, by two
dispatchers or by one after a lost lease, shows."""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from typing import Any

import uvicorn
from aiosmtpd.controller import Controller

from bench.drill_kill import free_port

_MESSAGE = re.compile(rb"^X-Konsensus-Message: (\d+)\r?$", re.MULTILINE)
_WEBHOOK = re.compile(r"^msg_(\d+)$")


class Received:
    """Outbox ids as they arrived, thread-safe."""

    def __init__(self) -> None:
        self._ids: Counter[int] = Counter()
        self._unknown = 0
        self._lock = threading.Lock()

    def add(self, outbox_id: int | None) -> None:
        with self._lock:
            if outbox_id is None:
                self._unknown += 1
            else:
                self._ids[outbox_id] += 1

    def reset(self) -> None:
        with self._lock:
            self._ids.clear()
            self._unknown = 0

    def counts(self) -> Counter[int]:
        with self._lock:
            return Counter(self._ids)

    @property
    def unknown(self) -> int:
        return self._unknown


class _SmtpHandler:
    def __init__(self, received: Received) -> None:
        self.received = received

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        found = _MESSAGE.search(bytes(envelope.content))
        self.received.add(int(found.group(1)) if found else None)
        return "250 OK"


class Receivers:
    """Both receivers, started on free loopback ports."""

    def __init__(self) -> None:
        self.mail = Received()
        self.hooks = Received()
        self.smtp_port = free_port()
        self._smtp = Controller(_SmtpHandler(self.mail), hostname="127.0.0.1", port=self.smtp_port)
        self.hook_port = free_port()
        self._server = uvicorn.Server(
            uvicorn.Config(
                self._app,
                host="127.0.0.1",
                port=self.hook_port,
                log_level="warning",
                interface="asgi3",
            )
        )

    @property
    def hook_url(self) -> str:
        return f"http://127.0.0.1:{self.hook_port}/konsensus"

    async def _app(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        more = True
        while more:
            more = (await receive()).get("more_body", False)
        headers = dict(scope["headers"])
        found = _WEBHOOK.match(headers.get(b"webhook-id", b"").decode())
        self.hooks.add(int(found.group(1)) if found else None)
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    def start(self) -> None:
        self._smtp.start()
        threading.Thread(target=self._server.run, daemon=True).start()
        while not self._server.started:
            time.sleep(0.05)

    def stop(self) -> None:
        self._smtp.stop()
        self._server.should_exit = True
