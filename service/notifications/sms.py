"""SMS through a small provider interface: one real implementation over HTTP, as Danish SMS
gateways take it (a JSON body with sender, message and recipients' MSISDNs, a bearer token),
and a development backend that only logs."""

from __future__ import annotations

import logging
import re

import httpx

from service.config import Settings
from service.models.outbox import OutboxMessage
from service.notifications.senders import DeliveryError, HttpClients

log = logging.getLogger("konsensus.sms")


def msisdn(phone: str) -> int:
    """+45 12 34 56 78 or 12345678 -> 4512345678 (Danish numbers without a country code)."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 8:
        digits = "45" + digits
    if not 8 <= len(digits) <= 15:
        raise DeliveryError(f"SMS: not a phone number: {phone!r}")
    return int(digits)


class HttpSmsGateway:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.clients = HttpClients(15)

    async def send(self, message: OutboxMessage) -> None:
        s = self.settings
        headers = {}
        if s.sms_token is not None:
            headers["Authorization"] = f"Bearer {s.sms_token.get_secret_value()}"
        payload = {
            "sender": s.sms_sender,
            "message": message.body_text,
            "recipients": [{"msisdn": msisdn(message.recipient)}],
            "userref": f"konsensus-{message.id}",
        }
        try:
            response = await self.clients.get().post(
                s.sms_gateway_url, json=payload, headers=headers
            )
        except httpx.HTTPError as exc:
            raise DeliveryError(f"SMS: {type(exc).__name__}: {exc}") from exc
        if not 200 <= response.status_code < 300:
            raise DeliveryError(f"SMS: HTTP {response.status_code}: {response.text[:200]}")


class LoggingSms:
    """Development: the SMS is written to the log instead of sent. Its text (which may hold
    a personal link) only on a developer's machine; elsewhere that it was sent and its
    length. Production refuses this backend altogether (`Settings`)."""

    def __init__(self, show_text: bool = False) -> None:
        self.show_text = show_text

    async def send(self, message: OutboxMessage) -> None:
        if self.show_text:
            log.info("SMS to %s: %s", message.recipient, message.body_text)
        else:
            log.info(
                "SMS %s (%d characters), not sent: development backend",
                message.id,
                len(message.body_text),
            )
