"""A database that cannot be reached is a temporary condition, not a bug: the API answers
503 with `Retry-After`, and the `konsensus` command says so in one line."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy import exc as sa_exc

from service.errors import ServiceError, problem_response

log = logging.getLogger("konsensus.database")

RETRY_AFTER_SECONDS = 5

#: What SQLAlchemy raises when the database does not answer: a refused or dropped
#: connection, an unopenable SQLite file, a pool with no connection to give.
UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)


class DatabaseUnavailable(ServiceError):
    status = 503
    code = "database_unavailable"
    title = "The database is unavailable"

    def headers(self) -> Mapping[str, str] | None:
        return {"Retry-After": str(RETRY_AFTER_SECONDS)}


def first_line(error: BaseException) -> str:
    """The driver's own message, without SQLAlchemy's statement dump and background link."""
    original = getattr(error, "orig", None) or error
    text = str(original).strip().splitlines()
    return text[0] if text else type(original).__name__


def install(app: FastAPI) -> None:
    async def _unavailable(request: Request, exc: Exception) -> Response:
        log.warning("database unavailable: %s", first_line(exc))
        if not request.url.path.startswith("/api/"):
            # A person on a page gets a page, in their language (drawn on first need: the
            # command line, which reads UNAVAILABLE from here, never draws one).
            from service.rendering.templates import render

            page = render(
                request,
                "message.html",
                {"title": "unavailable.title", "text": "unavailable.text"},
                status=503,
            )
            page.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return page
        return problem_response(
            DatabaseUnavailable.status,
            DatabaseUnavailable.code,
            DatabaseUnavailable.title,
            "The service cannot reach its database just now; nothing was changed. "
            "Try again shortly.",
            instance=request.url.path,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    for kind in UNAVAILABLE:
        app.add_exception_handler(kind, _unavailable)
    # Raised outside the routes (a middleware's own query), it reaches the catch-all.
    catch_all = app.exception_handlers.get(Exception)

    async def _any(request: Request, exc: Exception) -> Response:
        if isinstance(exc, UNAVAILABLE):
            return await _unavailable(request, exc)
        assert catch_all is not None
        response = catch_all(request, exc)
        return await response if inspect.isawaitable(response) else response

    if catch_all is not None:
        app.add_exception_handler(Exception, _any)
