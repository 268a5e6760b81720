"""One error base class carrying its HTTP status and a stable machine-readable code,
rendered as RFC 9457 problem+json by one set of handlers."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE_BASE = "https://konsensus.dk/problems/"


class FieldError(BaseModel):
    """One refused field: where it is, what is wrong, and a stable type."""

    loc: list[str | int] = Field(
        description='Where: "body", "query", "path" or "header", then the field\'s path'
    )
    msg: str = Field(max_length=2000, description="What is wrong, for a person")
    type: str = Field(max_length=64, description="Stable machine-readable kind of error")
    factor_key: str | None = Field(
        default=None, max_length=64, description="The factor it concerns, for scores"
    )


class Problem(BaseModel):
    """RFC 9457 problem details, with a stable `code` for machines and, where they apply,
    extension members that say what to do next."""

    type: str = Field(max_length=200)
    title: str = Field(max_length=200)
    status: int = Field(ge=400, le=599)
    code: str = Field(max_length=64, description="Stable machine-readable error code")
    detail: str | None = Field(default=None, max_length=4000)
    instance: str | None = Field(default=None, max_length=500)
    errors: list[FieldError] | None = Field(
        default=None,
        description="The refused fields (`validation_failed`, and a submission's scores)",
    )
    missing: list[str] | None = Field(
        default=None, description="Factors a submission has not scored or marked 'cannot assess'"
    )
    state: str | None = Field(
        default=None, description="The round's state, when a step is refused (409)"
    )
    allowed_events: list[str] | None = Field(
        default=None, description="The events the round's state allows now"
    )
    unmet: list[str] | None = Field(
        default=None, description="The conditions the event still needs (`transition_not_ready`)"
    )
    allowed: list[str] | None = Field(
        default=None, description="The values that would be accepted (e.g. a measure's categories)"
    )
    adopted: str | None = Field(
        default=None, description="The municipality's adopted procedure, when another is named"
    )
    step: str | None = Field(default=None, description="The informant's step in the procedure")
    required_roles: list[str] | None = Field(
        default=None, description="The staff roles the action is reserved for"
    )
    key: str | None = Field(default=None, description="The instrument key that was not found")
    factor_key: str | None = Field(default=None, description="The factor that was not found")
    measure_ids: list[int] | None = Field(
        default=None, description="The measures that are not the case's"
    )
    error: str | None = Field(
        default=None, description="The OAuth 2.0 error code (RFC 6749 §5.2), at the token endpoint"
    )
    error_description: str | None = Field(
        default=None, description="The OAuth 2.0 error, for a person"
    )


class ServiceError(Exception):
    """Base of every error the service raises on purpose."""

    status: int = 400
    code: str = "bad_request"
    title: str = "Bad request"

    def __init__(self, detail: str | None = None, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        if code is not None:
            self.code = code
        self.extra = extra

    def headers(self) -> Mapping[str, str] | None:
        return None


class NotFound(ServiceError):
    status = 404
    code = "not_found"
    title = "Not found"


class Unauthorized(ServiceError):
    status = 401
    code = "unauthorized"
    title = "Authentication required"

    def headers(self) -> Mapping[str, str] | None:
        return {"WWW-Authenticate": 'Bearer realm="konsensus"'}


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"
    title = "Not allowed"


class Conflict(ServiceError):
    status = 409
    code = "conflict"
    title = "Conflict"


class Unprocessable(ServiceError):
    status = 422
    code = "unprocessable"
    title = "The request cannot be processed"


class TooManyRequests(ServiceError):
    status = 429
    code = "too_many_requests"
    title = "Too many requests"

    def __init__(self, detail: str | None = None, *, retry_after: int = 60, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.retry_after = retry_after

    def headers(self) -> Mapping[str, str] | None:
        return {"Retry-After": str(self.retry_after)}


def problem_response(
    status: int,
    code: str,
    title: str,
    detail: str | None = None,
    *,
    instance: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code.replace("_", "-"),
        "title": title,
        "status": status,
        "code": code,
    }
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def problem_responses(*errors: type[ServiceError]) -> dict[int | str, dict[str, Any]]:
    """The `responses=` declaration of a route that can raise `errors` (plus 422)."""
    declared: dict[int | str, dict[str, Any]] = {}
    all_errors: tuple[type[ServiceError], ...] = (*errors, Unprocessable)
    for err in all_errors:
        declared[err.status] = {"model": Problem, "description": HTTPStatus(err.status).phrase}
    return declared


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at the request's path: a 405 names them all in `Allow`,
    not only those of the first route that matched the path."""
    allowed = []
    for method in METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return allowed


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def _service_error(request: Request, exc: ServiceError) -> JSONResponse:
        headers = dict(exc.headers() or {})
        if exc.status == 401:
            # Every 401 says how to authenticate (RFC 9110 §11.6.1): the token endpoint by
            # the client's Basic credentials (RFC 6749 §5.2), everything else by a bearer token.
            scheme = "Basic" if request.url.path.endswith("/auth/token") else "Bearer"
            headers.setdefault("WWW-Authenticate", f'{scheme} realm="konsensus"')
        return problem_response(
            exc.status,
            exc.code,
            exc.title,
            exc.detail,
            instance=request.url.path,
            headers=headers or None,
            **exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "loc": list(err.get("loc", ())),
                "msg": str(err.get("msg", "")),
                "type": str(err.get("type", "")),
            }
            for err in exc.errors()
        ]
        return problem_response(
            422,
            "validation_failed",
            "Invalid request",
            "One or more fields are invalid; see `errors`.",
            instance=request.url.path,
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        phrase = HTTPStatus(exc.status_code).phrase
        code = phrase.lower().replace(" ", "_").replace("-", "_")
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail != phrase else None
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request))
        return problem_response(
            exc.status_code,
            code,
            phrase,
            detail,
            instance=request.url.path,
            headers=headers or None,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        return problem_response(
            500,
            "internal_error",
            "Internal server error",
            "The error has been logged. Nothing was changed by this request.",
            instance=request.url.path,
        )
