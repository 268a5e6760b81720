"""Security for pages: response headers, and CSRF tokens bound to a session or a link."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.auth.keys import Keyring, Purpose

#: No inline scripts or styles; nothing framed; forms post only here.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'none'; object-src 'none'"
)


class SecurityHeaders:
    """Adds the headers to every response (a plain ASGI middleware: it costs next to nothing)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope["path"])

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if not path.startswith("/api/docs"):
                    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("X-Content-Type-Options", "nosniff")
                # The token of a personal link is in the URL: never send it on as a referrer.
                headers.setdefault("Referrer-Policy", "no-referrer")
                if path.startswith("/l/"):
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, with_headers)


def session_csrf(session: dict[str, object]) -> str:
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        session["csrf"] = token
    return token


def _link_csrf(key: bytes, link_token: str) -> str:
    return hmac.new(key, link_token.encode(), hashlib.sha256).hexdigest()


def link_csrf(keyring: Keyring, link_token: str) -> str:
    """The form behind a link carries a token derived from the link itself."""
    return _link_csrf(keyring.current(Purpose.LINK_CSRF).material, link_token)


def link_csrf_ok(keyring: Keyring, link_token: str, given: str | None) -> bool:
    """A form rendered before the secret was rotated is still accepted."""
    return any(
        same(_link_csrf(key.material, link_token), given) for key in keyring.all(Purpose.LINK_CSRF)
    )


def same(expected: str, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(expected, given)
