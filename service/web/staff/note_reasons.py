"""The informant's own reason for disagreeing, written beside its note on the round's page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from service.api.deps import ClockDep, SessionDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.errors import ServiceError, Unprocessable
from service.schemas.common import Id
from service.usecases.consensus import note_reasons
from service.web.staff.pages import PageActor, Posted, csrf_failed, problem
from service.web.staff.rounds import round_page

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)


@router.post("/rounds/{round_id}/notes/{note_id}")
def record_note_reason(
    request: Request,
    round_id: Id,
    note_id: Id,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    data: Posted,
) -> Response:
    failed = csrf_failed(request, data)
    if failed:
        return failed
    reason = data.get("reason", "").strip()
    try:
        if len(reason) > 4000:
            raise Unprocessable(
                "The reason is longer than 4000 characters.", code="validation_failed"
            )
        note_reasons.record_reason(session, actor, round_id, note_id, reason, clock.now())
    except ServiceError as error:
        session.rollback()
        try:
            return round_page(
                request, session, actor, round_id, clock, refusal=error, status=error.status
            )
        except ServiceError as other:
            return problem(request, other)
    return RedirectResponse(f"/rounds/{round_id}#note-{note_id}", 303)
