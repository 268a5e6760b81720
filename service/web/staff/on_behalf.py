"""Scores entered by the caseworker on an informant's behalf."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from service.api.deps import ClockDep, SessionDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.errors import ServiceError, Unprocessable
from service.schemas.common import Id
from service.usecases.collection import submissions
from service.web import forms
from service.web.staff.pages import PageActor, page, problem
from service.web.staff.rounds import InformantPosted

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)


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
        informant, form = submissions.on_behalf_form(
            session, actor, round_id, informant_id, clock.now()
        )
    except ServiceError as error:
        return problem(request, error)
    return page(
        request,
        "on_behalf.html",
        {
            "form": form,
            "round_id": round_id,
            "informant": informant,
            "values": forms.values_of(form.submission),
            "errors": {},
            "cannot": forms.CANNOT_ASSESS,
        },
    )


@router.post("/rounds/{round_id}/informants/{informant_id}/scores", response_class=HTMLResponse)
def on_behalf_save(post: InformantPosted, session: SessionDep) -> Response:
    if post.refused:
        return post.refused
    request, round_id, informant_id = post.request, post.round_id, post.informant_id
    actor, clock, data = post.actor, post.clock, post.data
    try:
        informant, form = submissions.on_behalf_form(
            session, actor, round_id, informant_id, clock.now()
        )
    except ServiceError as error:
        return problem(request, error)
    posted = forms.read(data, form.instrument)
    if not posted.errors:
        try:
            submissions.save_on_behalf(
                session,
                actor,
                round_id,
                informant_id,
                posted.entries,
                submit=data.get("action") == "submit",
                now=clock.now(),
                base_url=post.settings.public_base_url,
            )
            return RedirectResponse(f"/rounds/{round_id}", 303)
        except Unprocessable as error:
            session.rollback()
            forms.absorb(posted, error)
        except ServiceError as error:
            return problem(request, error)
    return page(
        request,
        "on_behalf.html",
        {
            "form": form,
            "round_id": round_id,
            "informant": informant,
            "values": posted.values,
            "errors": posted.errors,
            "cannot": forms.CANNOT_ASSESS,
        },
        status=422,
    )
