"""The OpenAPI document: every error response declared as RFC 9457 problem+json.

The committed copy (`openapi/openapi.json`) is the API contract; `make openapi` rewrites it.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def _problem(status: int) -> dict[str, Any]:
    return {
        "description": HTTPStatus(status).phrase,
        "content": {"application/problem+json": {"schema": PROBLEM_REF}},
    }


def _normalise_errors(document: dict[str, Any]) -> dict[str, Any]:
    """Every error response is problem+json; authenticated routes declare 401, all 422."""
    for operations in document.get("paths", {}).values():
        for op in operations.values():
            responses: dict[str, Any] = op.setdefault("responses", {})
            if op.get("security"):
                responses.setdefault("401", _problem(401))
            responses["422"] = _problem(422)
            for code in list(responses):
                if code.isdigit() and int(code) >= 400:
                    responses[code] = _problem(int(code))
    schemas = document.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
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
            app.openapi_schema = _normalise_errors(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def current_document() -> dict[str, Any]:
    from service.main import create_app

    return create_app().openapi()


def write_openapi(path: str | Path) -> None:
    Path(path).write_text(render(current_document()), encoding="utf-8")
