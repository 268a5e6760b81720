"""Security for pages: response headers, and CSRF tokens bound to a session or a link."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response

#: No inline scripts or styles; nothing framed; forms post only here.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'none'; object-src 'none'"
)


class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        path = request.url.path
        if not path.startswith("/api/docs"):
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        # The token of a personal link is in the URL: never send it on as a referrer.
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if path.startswith("/l/"):
            response.headers["Cache-Control"] = "no-store"
        return response


def session_csrf(session: dict[str, object]) -> str:
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        session["csrf"] = token
    return token


def link_csrf(secret: str, link_token: str) -> str:
    """The form behind a link carries a token derived from the link itself."""
    return hmac.new(secret.encode(), b"csrf/" + link_token.encode(), hashlib.sha256).hexdigest()


def same(expected: str, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(expected, given)
