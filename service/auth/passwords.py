"""Password and client-secret hashing with Argon2id.

Each check takes some 64 MiB for a moment; a burst of logins would take that many times
over. The checks that run at once in a process are bounded (`limit_checks`); the others wait
their turn."""

from __future__ import annotations

import secrets
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
_gate = threading.BoundedSemaphore(4)

# Verified against when the user is unknown, so that a wrong username costs as much time as a
# wrong password and does not reveal which usernames exist.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def limit_checks(at_once: int) -> None:
    """How many hashes and checks may run at once in this process."""
    global _gate
    _gate = threading.BoundedSemaphore(at_once)


def hash_secret(secret: str) -> str:
    with _gate:
        return _hasher.hash(secret)


def verify_secret(secret_hash: str | None, secret: str) -> bool:
    with _gate:
        try:
            return _hasher.verify(secret_hash or _DUMMY_HASH, secret) and secret_hash is not None
        except (VerificationError, InvalidHashError):
            return False


def new_client_secret() -> str:
    return secrets.token_urlsafe(32)
