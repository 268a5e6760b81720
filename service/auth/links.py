"""Personal links: an opaque random token per informant; only its keyed hash is stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import lru_cache

TOKEN_BYTES = 32  # 256 bits of randomness


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


@lru_cache(maxsize=8)
def _key(secret: str) -> bytes:
    return hashlib.sha256(b"konsensus/personal-link/" + secret.encode()).digest()


def token_hash(secret: str, token: str) -> str:
    """HMAC-SHA256 of the token under a key derived from the service secret."""
    return hmac.new(_key(secret), token.encode(), hashlib.sha256).hexdigest()


def looks_like_token(token: str) -> bool:
    return 20 <= len(token) <= 64 and all(c.isalnum() or c in "-_" for c in token)


def link_url(base: str, token: str) -> str:
    """Where the informant opens the form behind the personal link."""
    return f"{base.rstrip('/')}/l/{token}"
