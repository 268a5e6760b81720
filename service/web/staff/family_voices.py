"""The family's voices on the round's page: per person, why the child or a parent does not
score, recorded by the caseworker before the family's step can end."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from service.api.deps import ClockDep, SessionDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.auth.actor import Actor
from service.clock import Clock
from service.errors import ServiceError
from service.schemas.common import Id
from service.schemas.rounds import NotHeardWrite
from service.usecases.collection import family_step
from service.web.staff.pages import PageActor, Posted, csrf_failed, problem
from service.web.staff.rounds import round_page

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)


@router.post("/rounds/{round_id}/family-voices")
def record_not_heard(
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
    voice = data.get("voice", "")
    role, _, informant = voice.partition(":")
    # The round page's error summary links each field as "#informant-<name>".
    field = f"voice-{voice.replace(':', '-')}"
    typed = {f"{field}-reason": data.get("reason", ""), f"{field}-note": data.get("note", "")}
    try:
        body = NotHeardWrite.model_validate(
            {
                "role": role,
                "informant_id": int(informant) if informant else None,
                "reason": data.get("reason", ""),
                "note": data.get("note", ""),
            }
        )
        family_step.record_not_heard(session, actor, round_id, body, clock.now())
    except ValueError:
        return _again(
            request, session, actor, round_id, clock, typed, fields={field: "voices.missing"}
        )
    except ServiceError as error:
        return _again(request, session, actor, round_id, clock, typed, refusal=error)
    return RedirectResponse(f"/rounds/{round_id}#family-voices", 303)


def _again(
    request: Request,
    session: Session,
    actor: Actor,
    round_id: int,
    clock: Clock,
    typed: dict[str, str],
    *,
    refusal: ServiceError | None = None,
    fields: dict[str, str] | None = None,
) -> Response:
    """The round's page again, with what was typed and what needs correcting."""
    session.rollback()
    try:
        return round_page(
            request,
            session,
            actor,
            round_id,
            clock,
            refusal=refusal,
            typed=typed,
            fields=fields,
            status=refusal.status if refusal else 422,
        )
    except ServiceError as error:
        return problem(request, error)
