"""The channels a message leaves by. Each sender delivers one message or raises."""

from __future__ import annotations

import asyncio
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

import aiosmtplib
import httpx

from service.config import Settings
from service.models.outbox import OutboxMessage


class DeliveryError(Exception):
    """The message did not get through this time."""


class Sender(Protocol):
    async def send(self, message: OutboxMessage) -> None: ...


def message_id(message: OutboxMessage) -> str:
    """The same Message-ID at every attempt: a receiver drops a copy sent again after a
    dispatcher died mid-delivery."""
    created = int(message.created_at.timestamp() * 1_000_000)
    return f"<outbox.{message.id}.{created}@konsensus>"


def email_message(message: OutboxMessage, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Message-ID"] = message_id(message)
    email["X-Konsensus-Message"] = str(message.id)
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    return email


class SmtpSender:
    """Email over SMTP with aiosmtplib: STARTTLS whenever the relay offers it (the relay's
    certificate verified), and required where configured and always in production, so that
    a relay that does not offer it gets nothing; authentication as configured."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def send(self, message: OutboxMessage) -> None:
        s = self.settings
        try:
            await aiosmtplib.send(
                email_message(message, s.smtp_from),
                hostname=s.smtp_host,
                port=s.smtp_port,
                # None: upgrade if the relay offers STARTTLS; True: refuse one that does not.
                start_tls=True if s.smtp_requires_tls else None,
                cert_bundle=s.smtp_ca_file,
                username=s.smtp_username,
                password=s.smtp_password.get_secret_value() if s.smtp_password else None,
                timeout=s.smtp_timeout_seconds,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP: {exc}") from exc


class FileMailbox:
    """Development mailbox: each email is written as an .eml file to open in a mail reader."""

    def __init__(self, settings: Settings) -> None:
        self.folder = Path(settings.mailbox_dir)

    async def send(self, message: OutboxMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        email = email_message(message, "Konsensus <noreply@konsensus.invalid>")
        (self.folder / f"{message.id:06d}-{message.kind.value}.eml").write_bytes(bytes(email))


class HttpClients:
    """One HTTP client per event loop, kept: a new client per message costs more than the POST."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._clients: dict[int, httpx.AsyncClient] = {}

    def get(self) -> httpx.AsyncClient:
        loop = id(asyncio.get_running_loop())
        client = self._clients.get(loop)
        if client is None or client.is_closed:
            if len(self._clients) > 8:  # loops come and go (asyncio.run per round in a worker)
                self._clients.clear()
            client = httpx.AsyncClient(timeout=self.timeout)
            self._clients[loop] = client
        return client
