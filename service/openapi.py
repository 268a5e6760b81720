"""The OpenAPI document: every status an operation can answer, every error as RFC 9457
problem+json, both OAuth 2.0 flows, and the headers of idempotent requests.

The committed copy (`openapi/openapi.json`) is the API contract; `make openapi` rewrites it
through `service.main.write_openapi`, since the document needs the whole app and the app
installs this module.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from service.models.staff import Scope

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
TOKEN_URL = "/api/v1/auth/token"
LINKS = "/api/v1/links/"
SECURITY_SCHEME = "OAuth2"

#: What the request can say about itself in these headers.
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "Any unique text (e.g. a UUID) per intended change. The same key with the same body "
        "within 24 hours gets the first response again, with `Idempotent-Replayed: true`, and "
        "changes nothing; with another body 422 `idempotency_key_reused`; while the first "
        "request still runs 409 `idempotency_in_progress`. Keys are the caller's own."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[!-~]+$"},
}
REPLAYED = {
    "description": "`true` when this is the stored answer to an earlier request with the key",
    "schema": {"type": "string", "enum": ["true"]},
}
RETRY_AFTER = {
    "description": "Seconds to wait before trying again",
    "schema": {"type": "integer", "minimum": 0},
}
WWW_AUTHENTICATE = {
    "description": "The scheme to authenticate with: `Bearer` (RFC 6750)",
    "schema": {"type": "string"},
}

#: What each scope of an integrator client allows.
SCOPES = {
    Scope.CASES_READ.value: "Read cases, measures and providers",
    Scope.CASES_WRITE.value: "Create and change cases, measures and providers",
    Scope.ROUNDS_READ.value: "Read rounds, their informants, results and reports",
    Scope.ROUNDS_WRITE.value: "Open rounds, add informants, issue links, move rounds on",
    Scope.INSTRUMENTS_READ.value: "Read the instrument catalogue",
    Scope.REPORTS_READ.value: "Management reports: aggregates, never a child",
}

#: Why an operation may answer a status, when the route does not declare it itself.
WHY = {
    400: "The body cannot be read (not JSON, or not text)",
    401: "No valid access token",
    403: "The caller's role or scopes do not allow it",
    404: "Not found, or not the caller's municipality's",
    409: "The current state does not allow it",
    413: "The body is larger than the service takes",
    422: "A field is invalid, or the request breaks a rule; see `code` and `errors`",
    429: "Too many attempts; wait `Retry-After` seconds",
    503: "The database is unavailable for a moment; nothing changed",
}


def _problem(status: int, description: str | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description or WHY.get(status) or HTTPStatus(status).phrase,
        "content": {"application/problem+json": {"schema": PROBLEM_REF}},
    }
    headers: dict[str, Any] = {}
    if status == 401:
        headers["WWW-Authenticate"] = WWW_AUTHENTICATE
    if status in (429, 503):
        headers["Retry-After"] = RETRY_AFTER
    if headers:
        response["headers"] = headers
    return response


def _statuses(path: str, method: str, op: dict[str, Any]) -> set[int]:
    """Every error status the operation can answer, besides those its route declares."""
    statuses = {422, 503}
    secured = bool(op.get("security"))
    if secured:
        statuses |= {401, 403}
    if any(p.get("in") == "path" for p in op.get("parameters", [])):
        statuses.add(404)
    if "requestBody" in op:
        statuses |= {400, 413}
    if path == TOKEN_URL:
        statuses |= {400, 401, 429}
    if path.startswith(LINKS):
        statuses |= {403, 404, 410, 429}
    if _idempotent(path, method, op):
        statuses |= {409, 422}
    return statuses


def _idempotent(path: str, method: str, op: dict[str, Any]) -> bool:
    """The POSTs that take an `Idempotency-Key`: every authenticated one but the links'."""
    return method == "post" and bool(op.get("security")) and not path.startswith(LINKS)


def _complete(document: dict[str, Any]) -> dict[str, Any]:
    """Every error response problem+json, every status an operation can answer declared, the
    idempotency headers where they apply, and both OAuth 2.0 flows."""
    for path, operations in document.get("paths", {}).items():
        for method, op in operations.items():
            responses: dict[str, Any] = op.setdefault("responses", {})
            for status in _statuses(path, method, op):
                responses.setdefault(str(status), {})
            for code in list(responses):
                if code.isdigit() and int(code) >= 400:
                    said = responses[code].get("description")
                    plain = said in (None, HTTPStatus(int(code)).phrase)
                    responses[code] = _problem(int(code), None if plain else said)
            if op.get("security"):
                op["security"] = [{SECURITY_SCHEME: []}]
            if _idempotent(path, method, op):
                op.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
                for code, response in responses.items():
                    if code.isdigit() and int(code) < 500:
                        response.setdefault("headers", {})["Idempotent-Replayed"] = REPLAYED
    components = document.setdefault("components", {})
    schemas = components.get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    components["securitySchemes"] = {
        SECURITY_SCHEME: {
            "type": "oauth2",
            "description": (
                "Staff log in with the password grant; case systems (integrator clients) use "
                "client credentials, with HTTP Basic or client_id and client_secret in the form. "
                "Send the token as `Authorization: Bearer <token>`."
            ),
            "flows": {
                "password": {"tokenUrl": TOKEN_URL, "scopes": {}},
                "clientCredentials": {"tokenUrl": TOKEN_URL, "scopes": SCOPES},
            },
        }
    }
    return document


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
            )
            app.openapi_schema = _complete(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
