"""Scores entered by the caseworker on an informant's behalf (or her own, as an informant):
worded about the informant, not to her; saved as she goes, like the informant's own form;
recording how the answers came (phone, paper, in person)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from service.api.deps import ClockDep, SessionDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.errors import ServiceError, Unprocessable
from service.models.round import AnswerChannel, Informant
from service.schemas.common import Id
from service.schemas.rounds import LinkFormPublic
from service.usecases.collection import submissions
from service.web import forms
from service.web.staff.pages import PageActor, page, page_t, problem
from service.web.staff.rounds import InformantPost, InformantPosted
from service.wording import genitive
from service.workflow.roles import InformantRole

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)


def _context(
    request: Request,
    round_id: int,
    informant: Informant,
    form: LinkFormPublic,
    received_via: str,
    **more: Any,
) -> dict[str, Any]:
    """What the page shows; `person` names the informant where the form would say "you", since
    the caseworker types for someone else (her own scores keep "you")."""
    t = page_t(request)
    person = None
    if informant.role is not InformantRole.CASEWORKER:
        person = {"name": informant.name, "s": genitive(informant.name, t.language)}
    done = forms.answered(forms.values_of(form.submission))
    saved_at = form.submission.saved_at if form.submission else None
    return {
        "form": form,
        "round_id": round_id,
        "informant": informant,
        "person": person,
        "channels": list(AnswerChannel),
        "received_via": received_via,
        "channel_error": None,
        "values": forms.values_of(form.submission),
        "errors": {},
        "cannot": forms.CANNOT_ASSESS,
        "progress": forms.progress_line(t, done, len(form.instrument.factors), saved_at),
        **more,
    }


@router.get("/rounds/{round_id}/informants/{informant_id}/scores", response_class=HTMLResponse)
def on_behalfpage(
    request: Request,
    round_id: Id,
    informant_id: Id,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
) -> Response:
    try:
        informant, form, via = submissions.on_behalf_form(
            session, actor, round_id, informant_id, clock.now()
        )
    except ServiceError as error:
        return problem(request, error)
    context = _context(request, round_id, informant, form, via.value if via else "")
    return page(request, "on_behalf.html", context)


def _channel(value: str) -> AnswerChannel | None:
    try:
        return AnswerChannel(value) if value else None
    except ValueError:
        return None


@router.post("/rounds/{round_id}/informants/{informant_id}/scores", response_class=HTMLResponse)
def on_behalf_save(post: InformantPosted, session: SessionDep) -> Response:
    if post.refused:
        return post.refused
    request, round_id, informant_id = post.request, post.round_id, post.informant_id
    actor, clock, data = post.actor, post.clock, post.data
    action = data.get("action", "draft")
    t = page_t(request)
    try:
        informant, form, _ = submissions.on_behalf_form(
            session, actor, round_id, informant_id, clock.now()
        )
    except ServiceError as error:
        if action == "autosave":
            return JSONResponse({"saved": False, "message": t("form.autosave_failed")}, 409)
        return problem(request, error)
    posted = forms.read(data, form.instrument)
    typed_via = data.get("received_via", "")
    via = _channel(typed_via)
    on_behalf = informant.role is not InformantRole.CASEWORKER
    # How the answers came is asked when they are sent in; a draft may wait for it.
    channel_error = None
    if typed_via and via is None:
        channel_error = "behalf.channel_invalid"
    elif action == "submit" and on_behalf and via is None:
        channel_error = "behalf.channel_missing"

    def save(received_via: AnswerChannel | None) -> None:
        submissions.save_on_behalf(
            session,
            actor,
            round_id,
            informant_id,
            posted.entries,
            submit=action == "submit",
            now=clock.now(),
            base_url=post.settings.public_base_url,
            received_via=received_via,
        )

    if not posted.errors and channel_error is None:
        try:
            save(via)
        except Unprocessable as error:
            session.rollback()
            forms.absorb(posted, error)
        except ServiceError as error:
            if action == "autosave":
                return JSONResponse({"saved": False, "message": t("form.autosave_failed")}, 409)
            return problem(request, error)
        else:
            return _saved(request, session, post, informant, action, via)
    elif action == "submit" and not posted.errors:
        # Sending without saying how the answers came: every other problem is told at the
        # same time, not after the next try. Nothing is kept from the trial.
        try:
            save(AnswerChannel.PHONE)  # any channel: the trial is rolled back
        except Unprocessable as error:
            forms.absorb(posted, error)
        except ServiceError:
            pass  # told when the channel is given
        session.rollback()
    if action == "autosave":
        return JSONResponse({"saved": False, "message": t("form.autosave_failed")}, 422)
    context = _context(request, round_id, informant, form, typed_via)
    context.update(values=posted.values, errors=posted.errors, channel_error=channel_error)
    return page(request, "on_behalf.html", context, status=422)


def _saved(
    request: Request,
    session: Session,
    post: InformantPost,
    informant: Informant,
    action: str,
    via: AnswerChannel | None,
) -> Response:
    """After a save: the script's status line, the form again saying it is saved (a draft), or
    the round's page confirming what was sent in."""
    t = page_t(request)
    _, form, _ = submissions.on_behalf_form(
        session, post.actor, post.round_id, informant.id or 0, post.clock.now()
    )
    total = len(form.instrument.factors)
    done = forms.answered(forms.values_of(form.submission))
    saved_at = form.submission.saved_at if form.submission else None
    if action == "autosave":
        message = forms.progress_line(t, done, total, saved_at, time_only=True)
        return JSONResponse({"saved": True, "message": message, "answered": done})
    if action == "submit":
        key = "behalf.sent_via" if via else "behalf.sent"
        how = t(f"channelhow.{via.value}") if via else ""
        name_s = genitive(informant.name, t.language)
        request.session["on_behalf_saved"] = t(key, name_s=name_s, how=how)
        return RedirectResponse(f"/rounds/{post.round_id}#informants", 303)
    context = _context(request, post.round_id, informant, form, via.value if via else "")
    context["draft_saved"] = True
    return page(request, "on_behalf.html", context)
