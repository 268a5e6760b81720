"""Security for pages: response headers, and CSRF tokens bound to a session or a link."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.datastructures import MutableHeaders
from starlette.responses import Response
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
                if path.startswith(("/l/", "/s/")):
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


class BodyLimit:
    """Refuses a request body larger than `limit` bytes with 413 before anything parses it
    (JSON and forms alike): by its Content-Length at once, and a body sent without one
    (chunked) is read up to the limit, no further, and then handed on.

    The API and anything but a form answer problem+json; a form posted from a page gets a
    page that says so in the visitor's language."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                too_large = int(declared) > self.limit
            except ValueError:
                too_large = False  # the server refuses a malformed length itself
            if too_large:
                await self._refuse(scope, send)
                return
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay(chunks, message), send)
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.limit:
                await self._refuse(scope, send)
                return
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(chunks, None, receive), send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        response = _too_large_response(scope, self.limit)
        await response(scope, _nothing, send)


async def _nothing() -> Message:
    return {"type": "http.disconnect"}


def _replay(chunks: list[bytes], last: Message | None, receive: Receive | None = None) -> Receive:
    """The body read so far as one message, then whatever the client sends next."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            if last is not None and not chunks:
                return last
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        if last is not None:
            return last
        assert receive is not None
        return await receive()

    return again


def _too_large_response(scope: Scope, limit: int) -> Response:
    from starlette.requests import Request

    from service.errors import problem_response
    from service.web.templating import render

    path = str(scope.get("path", ""))
    content_type = dict(scope["headers"]).get(b"content-type", b"").decode("latin-1").lower()
    is_form = content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))
    if is_form and not path.startswith("/api/"):
        return render(
            Request(scope),
            "message.html",
            {"title": "too_large.title", "text": "too_large.text"},
            status=413,
        )
    return problem_response(
        413,
        "payload_too_large",
        "Request body too large",
        f"The request body is larger than the {limit} bytes accepted.",
        limit=limit,
    )
