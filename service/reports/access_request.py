"""The access request as a readable PDF: the same record as the JSON, laid out for the
person who asked (Danish headings, dates as people write them), drawn as the reports are
(`service/reports/pdf.py`: the shipped fonts, nothing fetched)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from service.clock import LOCAL_TIME
from service.rendering.language import catalogue
from service.reports.pdf import FONT_FAMILY, render_pdf

_TEMPLATES = Environment(
    loader=FileSystemLoader(str(Path(__file__).resolve().parent / "templates")),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _when(value: str | None) -> str:
    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        return moment.strftime("%d.%m.%Y")
    return moment.astimezone(LOCAL_TIME).strftime("%d.%m.%Y %H:%M")


_TEMPLATES.filters["when"] = _when
_DANISH = {
    **catalogue("da"),
    # Why a factor has no outcome (the pages do not show these codes).
    "no_outcome.no_previous_round": "første måling",
    "no_outcome.factor_not_in_previous_round": "faktoren var ikke med i sidste runde",
    "no_outcome.no_previous_status": "ingen score i sidste runde",
    "no_outcome.no_previous_goal": "intet mål i sidste runde",
    "no_outcome.no_status": "ingen score i denne runde",
}


def _word(code: str | None, kind: str) -> str:
    """A stored code in the catalogue's Danish words (`school` -> `Skole`), else as it is."""
    if not code:
        return ""
    return _DANISH.get(f"{kind}.{code}", code)


_TEMPLATES.filters["word"] = _word


def html(record: dict[str, Any], generated_at: datetime) -> str:
    template = _TEMPLATES.get_template("access_request.html")
    return template.render(record=record, generated_at=generated_at.isoformat(), font=FONT_FAMILY)


def pdf(record: dict[str, Any], generated_at: datetime) -> bytes:
    return render_pdf(html(record, generated_at))
