"""The short session forms in the reader's words: the service's own outcome and alliance
forms, item by item, from the message catalogues."""

from __future__ import annotations

from service.rendering.language import Translator
from service.schemas.sessions import FormItemPublic, SessionFormPublic, SessionLinkFormPublic
from service.workflow.sessions import (
    HIGHEST,
    ITEMS,
    LOWEST,
    USUAL_TIMING,
    LinkHolder,
    SessionForm,
)


def form_public(t: Translator, form: SessionForm) -> SessionFormPublic:
    return SessionFormPublic(
        form=form,
        timing=USUAL_TIMING[form],
        title=t(f"sessions.{form.value}.title"),
        items=[
            FormItemPublic(item=item, text=t(f"sessions.{form.value}.{item}"))
            for item in ITEMS[form]
        ],
        lowest=LOWEST,
        highest=HIGHEST,
        lowest_text=t(f"sessions.{form.value}.lowest"),
        highest_text=t(f"sessions.{form.value}.highest"),
    )


def link_form(t: Translator, child: str, holder: LinkHolder) -> SessionLinkFormPublic:
    return SessionLinkFormPublic(
        child=child,
        holder=holder,
        who_sees=t("sessions.who_sees", child=child),
        forms=[form_public(t, form) for form in SessionForm],
    )
