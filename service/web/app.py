"""Mounting the pages on the app: routes, static files, session cookie, security headers."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import RedirectResponse, Response
from starlette.types import Receive, Scope, Send

from service.config import Environment, Settings
from service.web import informant, staff
from service.web.security import SecurityHeaders

SESSION_HOURS = 8


class PageSessions(SessionMiddleware):
    """Sessions for the pages only: the API is spared the cookie handling, except the
    personal links', which refuse a browser that is logged in as staff."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if (
            scope["type"] == "http"
            and path.startswith("/api/")
            and not path.startswith("/api/v1/links/")
        ):
            await self.app(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


def install_pages(app: FastAPI, settings: Settings) -> None:
    app.include_router(informant.router)
    app.include_router(staff.router)
    app.mount(
        "/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static"
    )
    app.add_middleware(SecurityHeaders)
    # Signed, HttpOnly; Secure in production (plain http on a laptop would drop it).
    app.add_middleware(
        PageSessions,
        secret_key="konsensus/session/" + settings.secret_key.get_secret_value(),
        session_cookie="konsensus_session",
        max_age=SESSION_HOURS * 3600,
        same_site="lax",
        https_only=settings.environment is Environment.PRODUCTION,
    )

    @app.exception_handler(staff.LoginRequired)
    async def _login(request: Request, exc: staff.LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={exc.next_path}", status_code=303)
