"""Personal links: an opaque random token per informant; only its keyed hash is stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from service.auth.keys import Key, Keyring, Purpose

TOKEN_BYTES = 32  # 256 bits of randomness


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(key: Key, token: str) -> str:
    """HMAC-SHA256 of the token under the link-hash key."""
    return hmac.new(key.material, token.encode(), hashlib.sha256).hexdigest()


def current_hash(keyring: Keyring, token: str) -> tuple[str, str]:
    """(hash under the current key, that key's id): how a new link is stored."""
    key = keyring.current(Purpose.LINK_HASH)
    return token_hash(key, token), key.id


def candidate_hashes(keyring: Keyring, token: str) -> list[str]:
    """The token's hash under every accepted key, the current one first: a link issued
    before the secret was rotated keeps working until it expires."""
    return [token_hash(key, token) for key in keyring.all(Purpose.LINK_HASH)]


def looks_like_token(token: str) -> bool:
    return 20 <= len(token) <= 64 and all(c.isalnum() or c in "-_" for c in token)


def link_url(base: str, token: str) -> str:
    """Where the informant opens the form behind the personal link."""
    return f"{base.rstrip('/')}/l/{token}"
