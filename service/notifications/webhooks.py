"""Webhooks as the Standard Webhooks specification has them: `webhook-id`,
`webhook-timestamp` and `webhook-signature` (v1, HMAC-SHA256 over "id.timestamp.body" with the
base64 key of a `whsec_` secret). The body carries ids and the event type, no personal data:
the receiver fetches what it may see through the API."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from datetime import datetime

import httpx
from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session

from service.config import WEBHOOK_TIMEOUT_SECONDS
from service.models.outbox import Channel, MessageKind, OutboxMessage
from service.models.webhook import EventType, WebhookSubscription
from service.notifications.senders import DeliveryError, HttpClients

SECRET_PREFIX = "whsec_"
TIMEOUT_SECONDS = WEBHOOK_TIMEOUT_SECONDS


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature(secret: str, message_id: str, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.{body}".encode()
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


_SUBSCRIPTIONS = WebhookSubscription.__table__  # type: ignore[attr-defined]
# Built once: asked at every event.
_ACTIVE = sa_select(_SUBSCRIPTIONS.c.id, _SUBSCRIPTIONS.c.url, _SUBSCRIPTIONS.c.events).where(
    _SUBSCRIPTIONS.c.municipality_id == bindparam("municipality"),
    _SUBSCRIPTIONS.c.is_active.is_(True),
)


def emit(
    session: Session, municipality_id: int, event: EventType, data: dict[str, object], now: datetime
) -> None:
    """Write the event to the outbox for every active subscription to it."""
    subscribed = [
        (subscription_id, url)
        for subscription_id, url, events in session.execute(
            _ACTIVE, {"municipality": municipality_id}
        )
        if event.value in events.split()
    ]
    if not subscribed:
        return
    body = json.dumps(
        {"type": event.value, "timestamp": now.isoformat(), "data": data}, separators=(",", ":")
    )
    round_id = data.get("round_id")
    for subscription_id, url in subscribed:
        session.add(
            OutboxMessage(
                municipality_id=municipality_id,
                channel=Channel.WEBHOOK,
                kind=MessageKind.EVENT,
                recipient=url,
                subject=event.value,
                body_text=body,
                payload=data,
                subscription_id=subscription_id,
                round_id=round_id if isinstance(round_id, int) else None,
                created_at=now,
                next_attempt_at=now,
            )
        )


class WebhookSender:
    """POSTs the event, signed; any answer but 2xx is a failed attempt."""

    def __init__(
        self, secret_for: Callable[[int], str | None], clock: Callable[[], datetime]
    ) -> None:
        self.secret_for = secret_for
        self.clock = clock
        self.clients = HttpClients(TIMEOUT_SECONDS)

    async def send(self, message: OutboxMessage) -> None:
        secret = self.secret_for(message.subscription_id or 0)
        if secret is None:
            raise DeliveryError("the subscription is gone")
        message_id = f"msg_{message.id}"
        timestamp = int(self.clock().timestamp())
        headers = {
            "content-type": "application/json",
            "webhook-id": message_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature(secret, message_id, timestamp, message.body_text),
        }
        try:
            response = await self.clients.get().post(
                message.recipient, content=message.body_text, headers=headers
            )
        except httpx.HTTPError as exc:
            raise DeliveryError(f"webhook: {type(exc).__name__}: {exc}") from exc
        if not 200 <= response.status_code < 300:
            raise DeliveryError(f"webhook: HTTP {response.status_code}")
