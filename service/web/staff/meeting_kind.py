"""Choosing how the round's consensus meeting is held (mødeform) from the round's page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from service.api.deps import ClockDep, SessionDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.errors import ServiceError
from service.schemas.common import Id
from service.schemas.meetings import MeetingKindWrite
from service.usecases.consensus import meeting_kind
from service.web.staff.pages import PageActor, Posted, csrf_failed, problem

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)


@router.post("/rounds/{round_id}/meeting-kind")
def set_meeting_kind(
    request: Request,
    round_id: Id,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    data: Posted,
) -> Response:
    failed = csrf_failed(request, data)
    if failed:
        return failed
    try:
        body = MeetingKindWrite.model_validate({"kind": data.get("kind", "")}, strict=False)
        meeting_kind.set_meeting_kind(session, actor, round_id, body, clock.now())
    except (ServiceError, ValueError) as error:
        session.rollback()
        return problem(request, error)
    return RedirectResponse(f"/rounds/{round_id}#meeting-kind", 303)
