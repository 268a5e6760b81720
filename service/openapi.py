"""The committed OpenAPI document (`openapi/openapi.json`) is the API contract."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def current_document() -> dict[str, Any]:
    from service.main import create_app

    return create_app().openapi()


def write_openapi(path: str | Path) -> None:
    Path(path).write_text(render(current_document()), encoding="utf-8")
