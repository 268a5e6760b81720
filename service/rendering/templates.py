"""The Jinja2 environment over the templates, with the message catalogue, and the page in the
reader's language: one environment for the pages and the round's report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import HTMLResponse

from service.rendering.language import COOKIE, Translator, request_language

#: Where the templates live: with the pages, whose package data ships them.
TEMPLATES = Path(__file__).resolve().parent.parent / "web" / "templates"

templates = Jinja2Templates(directory=str(TEMPLATES))
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True


def compile_all() -> int:
    """Compile every page's template now: each takes some 15 ms the first time, which the
    first request to render it after a start would otherwise wait for (1 s for all of them,
    once per process: they are kept compiled). Returns how many there are."""
    names = templates.env.list_templates(extensions=["html"])
    for name in names:
        templates.env.get_template(name)
    return len(names)


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
