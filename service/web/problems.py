"""The pages that problem answers' `type` points at: one per stable error code, read from
the registry in `service/errors.py`, so that a `type` always resolves to what it means."""

from __future__ import annotations

import re
from http import HTTPStatus

from fastapi import APIRouter, Request
from markupsafe import Markup, escape
from starlette.responses import HTMLResponse

from service.errors import PROBLEM_TYPES, NotFound, ProblemType
from service.web.templating import templates

router = APIRouter(include_in_schema=False)

#: The registry by the slug its `type` URL ends in.
_BY_SLUG: dict[str, ProblemType] = {p.slug: p for p in PROBLEM_TYPES.values()}


_CODE = re.compile(r"`([^`]+)`")


def status_line(status: int) -> str:
    return f"{status} {HTTPStatus(status).phrase}"


def with_code(text: str) -> Markup:
    """The registry's `names` (Markdown, as the docs show them) as <code> in the page."""
    parts = _CODE.split(text)  # text, code, text, code, ..., text
    return Markup("").join(
        Markup("<code>%s</code>") % part if odd else escape(part)
        for odd, part in zip([False, True] * len(parts), parts, strict=False)
    )


@router.get("/problems/", response_class=HTMLResponse)
async def problem_types(request: Request) -> HTMLResponse:
    """Every problem type, by code."""
    listed = sorted(PROBLEM_TYPES.values(), key=lambda p: p.code)
    return templates.TemplateResponse(
        request, "problem_type.html", {"problem": None, "listed": listed}
    )


@router.get("/problems/{slug}", response_class=HTMLResponse)
async def problem_type(request: Request, slug: str) -> HTMLResponse:
    """What one problem type means and what the caller can do."""
    problem = _BY_SLUG.get(slug)
    if problem is None:
        raise NotFound(f"No problem type {slug!r}.")
    statuses = [status_line(status) for status in problem.statuses]
    return templates.TemplateResponse(
        request,
        "problem_type.html",
        {
            "problem": problem,
            "statuses": statuses,
            "meaning": with_code(problem.meaning),
            "remedy": with_code(problem.remedy),
        },
    )
