"""Secrets kept at rest, sealed: AES-256-GCM under the seal key derived from the service
secret (`service.auth.keys`). A sealed value names the key it was sealed under, so that it
still opens after a rotation while the previous secret is listed; the database alone (or a
backup of it) gives nothing usable."""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from service.auth.keys import Keyring, Purpose

_VERSION = "s1"


class Unsealable(Exception):
    """Sealed under a key no longer accepted, or not a sealed value at all."""


def seal(keyring: Keyring, value: str, context: str) -> str:
    """`context` binds the value to its place (a column): a sealed value copied to another
    place does not open there."""
    key = keyring.current(Purpose.SEAL)
    nonce = os.urandom(12)
    sealed = AESGCM(key.material).encrypt(nonce, value.encode(), context.encode())
    return f"{_VERSION}.{key.id}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def unseal(keyring: Keyring, sealed: str, context: str) -> str:
    version, _, rest = sealed.partition(".")
    kid, _, data = rest.partition(".")
    key = keyring.find(Purpose.SEAL, kid) if version == _VERSION else None
    if key is None:
        raise Unsealable("sealed under a key that is not accepted")
    try:
        raw = base64.urlsafe_b64decode(data)
        return AESGCM(key.material).decrypt(raw[:12], raw[12:], context.encode()).decode()
    except (InvalidTag, ValueError) as exc:
        raise Unsealable("the sealed value does not open") from exc


def is_sealed(value: str) -> bool:
    return value.startswith(_VERSION + ".")
