"""Secrets kept at rest, sealed: AES-256-GCM under the seal key derived from the service
secret (`service.auth.keys`). A sealed value names the key it was sealed under, so that it
still opens after a rotation while the previous secret is listed; the database alone (or a
backup of it) gives nothing usable.

One format for text (a webhook's secret, a personal link) and bytes (an idempotent response):
`s1.<key id>.<nonce and ciphertext, base64url>`, with the value's place as associated data."""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from service.auth.keys import Keyring, Purpose

_VERSION = "s1"


class Unsealable(Exception):
    """Sealed under a key no longer accepted, or not a sealed value at all."""


def seal_bytes(keyring: Keyring, value: bytes, associated_data: bytes) -> str:
    """`associated_data` binds the value to its place (a column, a record): a sealed value
    copied to another place does not open there."""
    key = keyring.current(Purpose.SEAL)
    nonce = os.urandom(12)
    sealed = AESGCM(key.material).encrypt(nonce, value, associated_data)
    return f"{_VERSION}.{key.id}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def unseal_bytes(keyring: Keyring, sealed: str, associated_data: bytes) -> bytes:
    """The value sealed by `seal_bytes` for the same place. An idempotency record sealed
    before the layer used this module (`<key id>.<data>`, the same sealing without the
    version; key ids begin with `k`) opens too."""
    if not is_sealed(sealed):
        sealed = f"{_VERSION}.{sealed}"
    _, _, rest = sealed.partition(".")
    kid, _, data = rest.partition(".")
    key = keyring.find(Purpose.SEAL, kid)
    if key is None or not data:
        raise Unsealable("sealed under a key that is not accepted")
    try:
        raw = base64.urlsafe_b64decode(data)
        return AESGCM(key.material).decrypt(raw[:12], raw[12:], associated_data)
    except (InvalidTag, ValueError) as exc:
        raise Unsealable("the sealed value does not open") from exc


def seal(keyring: Keyring, value: str, context: str) -> str:
    """`context` binds the value to its place (a column): a sealed value copied to another
    place does not open there."""
    return seal_bytes(keyring, value.encode(), context.encode())


def unseal(keyring: Keyring, sealed: str, context: str) -> str:
    if not is_sealed(sealed):
        raise Unsealable("not a sealed value")
    try:
        return unseal_bytes(keyring, sealed, context.encode()).decode()
    except UnicodeDecodeError as exc:
        raise Unsealable("the sealed value is no text") from exc


def is_sealed(value: str) -> bool:
    return value.startswith(_VERSION + ".")
