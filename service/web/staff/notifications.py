"""A case's notification (underretning) and its deadlines, the baseline round opened from it,
and the collaboration level and degree of concern, on the case page and the work list."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from service.api.deps import ClockDep, SessionDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.auth.actor import Actor
from service.errors import ServiceError, Unprocessable
from service.models.case_level import LEVELS, LevelKind
from service.schemas.common import Id
from service.schemas.notifications import (
    BaselineRoundCreate,
    CaseLevelCreate,
    NotificationCreate,
    NotificationUpdate,
)
from service.usecases.child import levels, notifications
from service.web.staff.pages import ALL, PageActor, Posted, csrf_failed, problem
from service.workflow.notification import NotificationSource

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)
#: How many notifications with open deadlines the work list shows.
WORK_LIST = 20


def case_context(session: Session, actor: Actor, case_id: int, now: datetime) -> dict[str, Any]:
    """What the case page shows of the notification and the levels."""
    history = levels.history(session, actor, case_id)
    return {
        "notifications": [
            notifications.public(n, now)
            for n in notifications.list_for_case(session, actor, case_id)
        ],
        "sources": list(NotificationSource),
        "level_kinds": [(k, list(LEVELS[k])) for k in LevelKind],
        "levels_now": {k: levels.current(history, k) for k in LevelKind},
        "level_history": history,
        "today": notifications.today(now),
    }


def work_list(session: Session, actor: Actor, now: datetime) -> dict[str, Any]:
    """The notifications of the caller's cases whose deadlines are not yet met, most urgent
    first, and their children's names."""
    rows, _ = notifications.open_deadlines(
        session, actor, now, ALL.model_copy(update={"limit": WORK_LIST})
    )
    return {
        "deadlines": [notifications.public(n, now) for n, _ in rows],
        "deadline_names": {n.case_id: name for n, name in rows},
    }


def _refused(request: Request, error: ServiceError | ValidationError | ValueError) -> Response:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        error = Unprocessable(f"{field}: {first['msg']}", code="validation_failed")
    return problem(request, error)


def _back(case_id: int, anchor: str) -> Response:
    return RedirectResponse(f"/cases/{case_id}#{anchor}", 303)


@router.post("/cases/{case_id}/notifications")
def record_notification(
    request: Request,
    case_id: Id,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    data: Posted,
) -> Response:
    failed = csrf_failed(request, data)
    if failed:
        return failed
    try:
        body = NotificationCreate.model_validate(
            {
                "received_on": data.get("received_on", ""),
                "source": data.get("source", ""),
                "note": data.get("note", ""),
            }
        )
        notifications.create(session, actor, case_id, body, clock.now())
    except (ServiceError, ValidationError, ValueError) as error:
        return _refused(request, error)
    return _back(case_id, "notification")


@router.post("/cases/{case_id}/notifications/{notification_id}")
def record_deadline_met(
    request: Request,
    case_id: Id,
    notification_id: Id,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    data: Posted,
) -> Response:
    """The plan made, or the outcome checkpoint held, on the day given."""
    failed = csrf_failed(request, data)
    if failed:
        return failed
    field = data.get("field", "")
    try:
        if field not in ("plan_made_on", "checkpoint_held_on"):
            raise ValueError("field: choose the plan or the checkpoint")
        body = NotificationUpdate.model_validate({field: data.get("day", "")})
        notifications.update(session, actor, case_id, notification_id, body, clock.now())
    except (ServiceError, ValidationError, ValueError) as error:
        return _refused(request, error)
    return _back(case_id, "notification")


@router.post("/cases/{case_id}/notifications/{notification_id}/baseline-round")
def open_baseline_round(
    request: Request,
    case_id: Id,
    notification_id: Id,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    data: Posted,
) -> Response:
    failed = csrf_failed(request, data)
    if failed:
        return failed
    try:
        body = BaselineRoundCreate(instrument_id=int(data.get("instrument_id") or 0), draft=True)
        rnd = notifications.open_baseline_round(
            session, actor, case_id, notification_id, body, clock.now()
        )
    except (ServiceError, ValidationError, ValueError) as error:
        return _refused(request, error)
    return RedirectResponse(f"/rounds/{rnd.id}", 303)


@router.post("/cases/{case_id}/levels")
def set_level(
    request: Request,
    case_id: Id,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    data: Posted,
) -> Response:
    failed = csrf_failed(request, data)
    if failed:
        return failed
    try:
        body = CaseLevelCreate.model_validate(
            {
                "kind": data.get("kind", ""),
                "value": int(data.get("value") or 0),
                "note": data.get("note", ""),
            }
        )
        levels.set_level(session, actor, case_id, body, clock.now())
    except (ServiceError, ValidationError, ValueError) as error:
        return _refused(request, error)
    return _back(case_id, "levels")
