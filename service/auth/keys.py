"""One key per purpose, derived from the service secret with HKDF (RFC 5869).

The secret is never used as a key itself: access tokens, staff sessions, link hashes, link
forms' CSRF tokens and what is sealed at rest each get a key of their own, so that a key
that leaks or is misused for one purpose says nothing about the others.

Rotation: `KONSENSUS_SECRET_KEY` is the current secret, `KONSENSUS_PREVIOUS_SECRET_KEYS` the
ones before it. New tokens, hashes and seals use the current secret; what was made under a
previous one is still accepted (access tokens by their `kid`, links by their hash under each
key, sealed values by their key id) until the previous secret is dropped from the setting.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

#: Fixed, public salt: it separates this service's derivations from any other use of the
#: same secret (RFC 5869 §3.1: a salt need not be secret).
_SALT = b"konsensus/hkdf/v1"


class Purpose(StrEnum):
    ACCESS_TOKEN = "access-token"  # signs the API's JWTs (HS256)
    STAFF_SESSION = "staff-session"  # signs the pages' session cookie
    LINK_HASH = "link-hash"  # keys the HMAC under which personal links are stored
    LINK_CSRF = "link-csrf"  # derives the CSRF token of a link's form
    SEAL = "seal"  # encrypts secrets kept at rest (AES-GCM)


@dataclass(frozen=True, slots=True)
class Key:
    id: str = field(repr=True)
    material: bytes = field(repr=False)


@cache
def _derive(secret: str, purpose: Purpose) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=_SALT, info=f"konsensus/{purpose}".encode()
    ).derive(secret.encode())


@cache
def key_id(secret: str) -> str:
    """A short public name for a secret (the JWT `kid`): it identifies, it reveals nothing."""
    return "k" + hashlib.sha256(_derive(secret, Purpose.SEAL) + b"/id").hexdigest()[:8]


class Keyring:
    """The current secret and the previous ones, turned into keys per purpose."""

    def __init__(self, current: str, previous: Iterable[str] = ()) -> None:
        if not current:
            raise ValueError("the service secret is empty")
        self._secrets = [current, *[p for p in previous if p and p != current]]

    def current(self, purpose: Purpose) -> Key:
        return Key(key_id(self._secrets[0]), _derive(self._secrets[0], purpose))

    def all(self, purpose: Purpose) -> list[Key]:
        """Every accepted key, the current one first."""
        return [Key(key_id(s), _derive(s, purpose)) for s in self._secrets]

    def find(self, purpose: Purpose, kid: str) -> Key | None:
        return next((k for k in self.all(purpose) if k.id == kid), None)
