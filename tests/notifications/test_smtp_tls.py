"""STARTTLS to an SMTP relay that requires it (aiosmtpd on loopback with a certificate made
for the test): the message goes over TLS, and only to a server whose certificate verifies."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from service.config import Environment, Settings
from service.models.outbox import Channel, MessageKind, OutboxMessage
from service.notifications.senders import DeliveryError, SmtpSender
from tests.notifications.conftest import Inbox, free_port


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "smtp.test")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp.pem", folder / "smtp.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class TlsInbox(Inbox):
    """Keeps, with each message, whether the conversation was under TLS when it came."""

    def __init__(self) -> None:
        super().__init__()
        self.over_tls: list[bool] = []

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Any) -> str:
        self.over_tls.append(session.ssl is not None)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[tuple[int, Path, TlsInbox]]:
    cert_path, key_path = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    inbox = TlsInbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=context,
        require_starttls=True,
    )
    controller.start()
    yield controller.port, cert_path, inbox
    controller.stop()


def _message() -> OutboxMessage:
    now = datetime.now(UTC)
    return OutboxMessage(
        id=1,
        municipality_id=1,
        channel=Channel.EMAIL,
        kind=MessageKind.CASEWORKER,
        recipient="cw@kommune.example.dk",
        subject="Konsensus: test",
        body_text="Alle har svaret.",
        body_html="<p>Alle har svaret.</p>",
        created_at=now,
        next_attempt_at=now,
    )


def _sender(settings: Settings, port: int, **smtp: Any) -> SmtpSender:
    return SmtpSender(
        settings.model_copy(
            update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_timeout_seconds": 3, **smtp}
        )
    )


async def test_starttls_to_a_relay_whose_certificate_verifies(
    settings: Settings, relay: tuple[int, Path, TlsInbox]
) -> None:
    port, ca_file, inbox = relay
    await _sender(settings, port, smtp_starttls=True, smtp_ca_file=str(ca_file)).send(_message())
    assert [m["Subject"] for m in inbox.messages] == ["Konsensus: test"]
    assert inbox.over_tls == [True]


async def test_no_message_to_an_unverified_relay_or_in_the_clear(
    settings: Settings, relay: tuple[int, Path, TlsInbox]
) -> None:
    port, _ca_file, inbox = relay
    with pytest.raises(DeliveryError, match=r"(?i)certificate"):
        # The system's trust store does not know the relay's certificate.
        await _sender(settings, port, smtp_starttls=True).send(_message())
    with pytest.raises(DeliveryError):
        # The relay requires STARTTLS; a sender configured without it is refused.
        await _sender(settings, port, smtp_starttls=False).send(_message())
    assert inbox.messages == []


async def test_starttls_whenever_the_relay_offers_it(
    settings: Settings, relay: tuple[int, Path, TlsInbox]
) -> None:
    port, ca_file, inbox = relay
    # Not configured to require it: the relay offers STARTTLS, so it is used.
    await _sender(settings, port, smtp_starttls=False, smtp_ca_file=str(ca_file)).send(_message())
    assert inbox.over_tls == [True]


async def test_production_sends_nothing_to_a_relay_without_starttls(
    settings: Settings, smtp: tuple[Controller, Inbox]
) -> None:
    controller, inbox = smtp  # a relay that offers no STARTTLS
    production = {"environment": Environment.PRODUCTION, "smtp_starttls": False}
    with pytest.raises(DeliveryError):
        await _sender(settings, controller.port, **production).send(_message())
    assert inbox.messages == []
    # Elsewhere the same relay gets the message (no TLS offered, none to use).
    await _sender(settings, controller.port).send(_message())
    assert len(inbox.messages) == 1
