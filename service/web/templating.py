"""Jinja2 rendering with the message catalogue and a few display helpers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse

from service.web.forms import error_items, factor_words
from service.web.i18n import COOKIE, Translator, request_language

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True
templates.env.globals["error_items"] = error_items
templates.env.globals["factor_words"] = factor_words
templates.env.globals["scale_position"] = lambda scale, value: scale.to_scale().severity(value)


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    language: str | None = None,
) -> HTMLResponse:
    """Render a page in the visitor's language (?lang= sticks through a cookie)."""
    t = Translator(request_language(request, language))
    response = templates.TemplateResponse(
        request, template, {"t": t, "lang": t.language, **context}, status_code=status
    )
    if request.query_params.get("lang") == t.language:
        response.set_cookie(COOKIE, t.language, max_age=365 * 24 * 3600, samesite="lax")
    return response
