"""Every HTTP request gets a request id (the caller's `X-Request-ID` if it is sane, else a
new one), is counted and timed by its route template, and, with JSON logs, leaves one
access line."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.ops import metrics
from service.ops.logs import REQUEST_ID

access_log = logging.getLogger("konsensus.access")

_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_LINK_ROUTES = ("/l/", "/api/v1/links/")
_LOGIN_ROUTES = ("/login", "/api/v1/auth/token")


def route_of(scope: Scope) -> str:
    """The matched route's template; never the raw path, which may hold a personal link.

    A route included from a router knows its own part of the path only; the router's
    prefix (literal segments) is read off the front of the path."""
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    if not isinstance(template, str) or not template:
        return "unmatched"
    if isinstance(route, Mount):
        return template.rstrip("/") + "/{path}"
    parts = str(scope.get("path", "")).split("/")
    own = template.count("/")
    prefix = "/".join(parts[: len(parts) - own]) if own < len(parts) else ""
    return prefix + template


def _throttle_kind(route: str) -> str | None:
    if route.startswith(_LINK_ROUTES):
        return "link_guess"
    if route.startswith(_LOGIN_ROUTES):
        return "login"
    return None


class Observe:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _SANE_ID.match(given) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        status = 500
        started = time.perf_counter()

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            elapsed = time.perf_counter() - started
            route, method = route_of(scope), str(scope["method"])
            metrics.REQUESTS.labels(method, route, str(status)).inc()
            metrics.LATENCY.labels(method, route).observe(elapsed)
            if status == 429 and (kind := _throttle_kind(route)):
                metrics.THROTTLED.labels(kind).inc()
            elif status == 503 and route not in ("/readyz", "/healthz"):
                metrics.DATABASE_UNAVAILABLE.inc()
            access_log.info(
                "%s %s %s",
                method,
                route,
                status,
                extra={
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 1),
                },
            )
            REQUEST_ID.reset(token)
