"""Mounting the pages on the app: routes, static files, session cookie, security headers."""

from __future__ import annotations

import inspect
from pathlib import Path

import itsdangerous
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from service.auth.keys import Keyring, Purpose
from service.config import Environment, Settings
from service.rendering.templates import render
from service.web import informant, link_follow_up, problems, session_form, staff
from service.web.security import SecurityHeaders


class PageSessions(SessionMiddleware):
    """Sessions for the pages only: the API is spared the cookie handling, except the
    personal links', which refuse a browser that is logged in as staff.

    The cookie is signed with the staff-session key derived from the service secret; a
    cookie signed under a previous secret is still read while that secret is listed."""

    def __init__(self, app: ASGIApp, keyring: Keyring, max_age: int, https_only: bool) -> None:
        super().__init__(
            app,
            secret_key="replaced-below",
            session_cookie="konsensus_session",
            max_age=max_age,
            same_site="lax",
            https_only=https_only,
        )
        # itsdangerous signs with the last key and accepts any of them.
        keys = [key.material for key in reversed(keyring.all(Purpose.STAFF_SESSION))]
        self.signer = itsdangerous.TimestampSigner(keys)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if (
            scope["type"] == "http"
            and path.startswith("/api/")
            and not path.startswith(("/api/v1/links/", "/api/v1/session-forms/"))
        ):
            await self.app(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


def install_pages(app: FastAPI, settings: Settings) -> None:
    app.include_router(informant.router)
    app.include_router(session_form.router)
    app.include_router(link_follow_up.router)
    app.include_router(problems.router)
    app.include_router(staff.router)
    app.mount(
        "/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static"
    )
    app.add_middleware(SecurityHeaders)
    # Signed, HttpOnly; Secure in production (plain http on a laptop would drop it). The
    # cookie lives no longer than a session may.
    app.add_middleware(
        PageSessions,
        keyring=settings.keyring(),
        max_age=settings.staff_session_hours * 3600,
        https_only=settings.environment is Environment.PRODUCTION,
    )

    @app.exception_handler(staff.LoginRequired)
    async def _login(request: Request, exc: staff.LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={exc.next_path}", status_code=303)

    api_refusal = app.exception_handlers[RequestValidationError]

    @app.exception_handler(RequestValidationError)
    async def _address_refused(request: Request, exc: RequestValidationError) -> Response:
        """A page's address with a value the page does not know (an old bookmark, a filter
        edited by hand): a page that says so in the reader's language, not the API's
        problem document. The API keeps its own answer."""
        if request.url.path.startswith("/api/") or "text/html" not in request.headers.get(
            "accept", ""
        ):
            answer = api_refusal(request, exc)
            return await answer if inspect.isawaitable(answer) else answer
        return render(
            request,
            "message.html",
            {"title": "error.title", "text": "page.address_invalid"},
            status=422,
        )
