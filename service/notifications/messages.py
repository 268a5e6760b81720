"""Messages to informants, rendered from templates in Danish or English. They name the child
by display name only and carry no score."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from service import wording

_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    keep_trailing_newline=True,
)
SUBJECTS = {
    ("invitation", "da"): "Vurdering af {child_s} trivsel: dit personlige link",
    ("invitation", "en"): "How is {child} doing? Your personal link",
    ("reminder", "da"): "Påmindelse: vurdering af {child_s} trivsel",
    ("reminder", "en"): "Reminder: how is {child} doing?",
    ("receipt", "da"): "Tak for din vurdering af {child}",
    ("receipt", "en"): "Thank you for your assessment of {child}",
    ("result", "da"): "Nu kan du se resultatet for {child}",
    ("result", "en"): "You can now see the result for {child}",
    ("notice", "da"): "Opfølgning på {child_s} trivsel: hvem ser hvad, og dine rettigheder",
    ("notice", "en"): "Following up on how {child} is doing: who sees what, and your rights",
    ("result_child", "da"): "Se, hvad I blev enige om",
    ("result_child", "en"): "See what you agreed on",
    ("caseworker", "da"): "Konsensus: {child}",
    ("provider_result", "da"): "Resultatet af vurderingen af {child_s} trivsel",
    ("provider_result", "en"): "The result of the assessment of how {child} is doing",
    ("caseworker", "en"): "Konsensus: {child}",
    ("follow_up_answer", "da"): "Svar på jeres ønske om en opfølgning for {child}",
    ("follow_up_answer", "en"): "The answer to your request for a follow-up for {child}",
}


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str
    sms: str


def render(kind: str, language: str, **values: object) -> Rendered:
    language = language if language in ("da", "en") else "da"
    due = values.get("due")
    if isinstance(due, datetime):
        values["due"] = wording.when(due, language)  # "tirsdag den 15. december 2026 kl. 16.00"
    until = values.get("until")
    if isinstance(until, datetime):
        values["until"] = wording.when(until, language)
    child = str(values.get("child", ""))
    return Rendered(
        subject=SUBJECTS[(kind, language)].format(
            child=child, child_s=wording.genitive(child, language)
        ),
        text=_env.get_template(f"{kind}.{language}.txt").render(**values),
        html=_env.get_template(f"{kind}.{language}.html").render(**values),
        sms=_env.get_template(f"{kind}.{language}.sms").render(**values).strip(),
    )
