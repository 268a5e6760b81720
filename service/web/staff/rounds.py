"""A round's page: its progress, informants, links, reminders and the events its state allows."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from service.api.deps import ClockDep, SessionDep, SettingsDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.auth.links import link_url
from service.errors import ServiceError
from service.schemas.rounds import (
    InformantCreate,
    LinkRequest,
    RoundMeasuresWrite,
    TransitionRequest,
)
from service.usecases import cases, informants, results, round_measure_edits, rounds
from service.web.staff.pages import ALL, PageActor, Posted, csrf_failed, page, problem
from service.workflow.roles import InformantRole
from service.workflow.states import RoundEvent, RoundState

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)


@router.get("/rounds/{round_id}", response_class=HTMLResponse)
def roundpage(
    request: Request, round_id: int, actor: PageActor, session: SessionDep, clock: ClockDep
) -> Response:
    try:
        rnd = rounds.get_round(session, actor, round_id)
    except ServiceError as error:
        return problem(request, error)
    case = cases.load_case(session, actor, rnd.case_id)
    context: dict[str, Any] = {
        "round": rounds.public(session, rnd),
        "case": case,
        "informants": informants.list_informants(session, actor, round_id, clock.now()),
        "roles": list(InformantRole),
        "new_link": request.session.pop("new_link", None),
        "own_id": actor.id,
        "case_measures": cases.list_measures(session, actor, rnd.case_id, ALL)[0],
        "providers": {p.id: p.name for p in cases.list_providers(session, actor, ALL)[0]},
    }
    if rnd.state is RoundState.COMPLETED:
        context["result"] = results.round_result(session, actor, round_id)
    return page(request, "round.html", context)


async def _checked_measures(request: Request) -> list[str]:
    form = await request.form()
    return [v for v in form.getlist("measure") if isinstance(v, str)]


CheckedMeasures = Annotated[list[str], Depends(_checked_measures)]


@router.post("/rounds/{round_id}/measures")
def set_measures(
    request: Request,
    round_id: int,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    data: Posted,
    checked: CheckedMeasures,
) -> Response:
    failed = csrf_failed(request, data)
    if failed:
        return failed
    try:
        chosen = RoundMeasuresWrite(measure_ids=[int(v) for v in checked])
        round_measure_edits.set_round_measures(session, actor, round_id, chosen, clock.now())
    except (ServiceError, ValueError) as error:
        return problem(request, error)
    return RedirectResponse(f"/rounds/{round_id}", 303)


@router.post("/rounds/{round_id}/informants")
def add_informant(
    request: Request, round_id: int, actor: PageActor, session: SessionDep, data: Posted
) -> Response:
    failed = csrf_failed(request, data)
    if failed:
        return failed
    try:
        informants.add_informant(
            session,
            actor,
            round_id,
            InformantCreate(
                role=InformantRole(data.get("role", "")),
                name=data.get("name", ""),
                email=data.get("email") or None,
            ),
        )
    except (ServiceError, ValueError) as error:
        return problem(request, error)
    return RedirectResponse(f"/rounds/{round_id}", 303)


@router.post("/rounds/{round_id}/informants/{informant_id}/link")
def issue_link(
    request: Request,
    round_id: int,
    informant_id: int,
    actor: PageActor,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: Posted,
) -> Response:
    failed = csrf_failed(request, data)
    if failed:
        return failed
    try:
        informant, token = informants.issue_link(
            session,
            actor,
            round_id,
            informant_id,
            LinkRequest(),
            settings.keyring(),
            clock.now(),
            base_url=settings.public_base_url,
        )
    except ServiceError as error:
        return problem(request, error)
    # Shown once, on the next page: only a hash of it is kept.
    request.session["new_link"] = {
        "name": informant.name,
        "url": link_url(settings.public_base_url, token),
    }
    return RedirectResponse(f"/rounds/{round_id}", 303)


@router.post("/rounds/{round_id}/informants/{informant_id}/reminder")
def remind(
    request: Request,
    round_id: int,
    informant_id: int,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    data: Posted,
) -> Response:
    failed = csrf_failed(request, data)
    if failed:
        return failed
    try:
        informants.remind(session, actor, round_id, informant_id, clock.now())
    except ServiceError as error:
        return problem(request, error)
    return RedirectResponse(f"/rounds/{round_id}", 303)


@router.post("/rounds/{round_id}/events")
def round_event(
    request: Request,
    round_id: int,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    data: Posted,
) -> Response:
    failed = csrf_failed(request, data)
    if failed:
        return failed
    try:
        rounds.transition(
            session,
            actor,
            round_id,
            TransitionRequest(
                event=RoundEvent(data.get("event", "")), reason=data.get("reason") or None
            ),
            clock.now(),
        )
    except (ServiceError, ValueError) as error:
        return problem(request, error)
    return RedirectResponse(f"/rounds/{round_id}", 303)
