"""Webhooks as the Standard Webhooks specification has them: `webhook-id`,
`webhook-timestamp` and `webhook-signature` (v1, HMAC-SHA256 over "id.timestamp.body" with the
base64 key of a `whsec_` secret). The body carries ids and the event type, no personal data:
the receiver fetches what it may see through the API."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

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
#: What a subscription's secret is sealed for (`service.auth.seal`).
SECRET_SEAL_CONTEXT = "webhook_subscription.secret"


class AddressRefused(Exception):
    """A receiver the service may not call: not on the public internet."""


def _allowed(address: str, allow_loopback: bool) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return allow_loopback
    # Private, link-local (the cloud metadata service at 169.254.169.254 among them),
    # shared, reserved, multicast and unspecified addresses are all not global.
    return ip.is_global and not ip.is_multicast


def _literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]").split("%", 1)[0]))
    except ValueError:
        return None


def resolve(host: str, port: int) -> list[str]:
    """The addresses a name stands for now (an address stands for itself)."""
    literal = _literal(host)
    if literal is not None:
        return [literal]
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def check_url(url: str, *, production: bool, allow_loopback: bool, resolve_names: bool) -> None:
    """Refuse a receiver URL that is not https in production, or that points at (or whose
    name resolves to) loopback, private, link-local or metadata addresses. A name that does
    not resolve now is left to the check at delivery."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise AddressRefused("the URL must be http(s) with a host")
    if production and parts.scheme != "https":
        raise AddressRefused("receivers must use https")
    host = parts.hostname
    if host.rstrip(".").lower() in ("localhost", "metadata.google.internal") and not (
        allow_loopback and host.rstrip(".").lower() == "localhost"
    ):
        raise AddressRefused("the receiver's address is not on the public internet")
    if _literal(host) is None and not resolve_names:
        return
    try:
        addresses = resolve(host, parts.port or (443 if parts.scheme == "https" else 80))
    except OSError:
        return  # unknown now; checked again, after resolution, at every delivery
    if not addresses or not all(_allowed(a, allow_loopback) for a in addresses):
        raise AddressRefused("the receiver's address is not on the public internet")


def pinned(url: str, allow_loopback: bool) -> tuple[str, dict[str, str], dict[str, object]]:
    """The URL to connect to by a checked address (so that a name cannot resolve to another
    address between the check and the connection), the Host header and, for https, the name
    the certificate is checked against."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = resolve(host, port)
    except OSError as exc:
        raise AddressRefused("the receiver's name does not resolve") from exc
    allowed = [a for a in addresses if _allowed(a, allow_loopback)]
    if not allowed or len(allowed) != len(addresses):
        raise AddressRefused("the receiver's address is not on the public internet")
    address = allowed[0]
    netloc = f"[{address}]" if ":" in address else address
    if parts.port:
        netloc += f":{parts.port}"
    headers = {"host": parts.netloc.rpartition("@")[2]}
    extensions: dict[str, object] = {}
    if parts.scheme == "https" and _literal(host) is None:
        extensions["sni_hostname"] = host
    return urlunsplit(parts._replace(netloc=netloc)), headers, extensions


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
    """POSTs the event, signed, to an address checked after name resolution; any answer but
    2xx is a failed attempt. What an attempt records of a failure is the status code or
    "connection failed", nothing of the receiver's network."""

    def __init__(
        self,
        secret_for: Callable[[int], str | None],
        clock: Callable[[], datetime],
        *,
        allow_loopback: bool = False,
    ) -> None:
        self.secret_for = secret_for
        self.clock = clock
        self.allow_loopback = allow_loopback
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
            url, host, extensions = await asyncio.to_thread(
                pinned, message.recipient, self.allow_loopback
            )
            response = await self.clients.get().post(
                url, content=message.body_text, headers={**headers, **host}, extensions=extensions
            )
        except (AddressRefused, httpx.HTTPError, OSError) as exc:
            raise DeliveryError("webhook: connection failed") from exc
        if not 200 <= response.status_code < 300:
            raise DeliveryError(f"webhook: HTTP {response.status_code}")
