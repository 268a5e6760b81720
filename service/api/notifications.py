"""A case's notifications (underretninger) and the deadlines that run from them, the baseline
round opened from one, and the case's collaboration level and degree of concern."""

from __future__ import annotations

from fastapi import APIRouter, status

from service.api.deps import ClockDep, CurrentActor, PageDep, SessionDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.errors import Conflict, Forbidden, NotFound, Unprocessable, problem_responses
from service.models.case_level import CaseLevel, LevelKind
from service.schemas.common import Id
from service.schemas.notifications import (
    BaselineRoundCreate,
    CaseLevelCreate,
    CaseLevelPublic,
    CaseLevelsPublic,
    NotificationCreate,
    NotificationPublic,
    NotificationsPublic,
    NotificationUpdate,
)
from service.schemas.rounds import RoundPublic
from service.usecases.child import levels, notifications
from service.usecases.procedure import rounds

router = APIRouter(route_class=UnitOfWorkRoute)


def _level(entry: CaseLevel) -> CaseLevelPublic:
    return CaseLevelPublic.model_validate(entry, from_attributes=True)


@router.get(
    "/notifications",
    tags=["notifications"],
    operation_id="list_open_notification_deadlines",
    summary="List notifications with deadlines not yet met",
    response_model=NotificationsPublic,
    responses=problem_responses(Forbidden),
)
def list_open_notification_deadlines(
    actor: CurrentActor, session: SessionDep, clock: ClockDep, page: PageDep
) -> NotificationsPublic:
    """The work list: the caller's active cases' notifications whose plan or outcome
    checkpoint is not yet met, overdue first, then at risk, then by date."""
    now = clock.now()
    rows, total = notifications.open_deadlines(session, actor, now, page)
    return NotificationsPublic(
        items=[notifications.public(n, now) for n, _ in rows], total=total, **page.model_dump()
    )


@router.get(
    "/cases/{case_id}/notifications",
    tags=["notifications"],
    operation_id="list_case_notifications",
    summary="List a case's notifications",
    response_model=list[NotificationPublic],
    responses=problem_responses(Forbidden, NotFound),
)
def list_case_notifications(
    actor: CurrentActor, session: SessionDep, clock: ClockDep, case_id: Id
) -> list[NotificationPublic]:
    """The notifications received about the child, newest first, with their deadlines."""
    now = clock.now()
    return [
        notifications.public(n, now) for n in notifications.list_for_case(session, actor, case_id)
    ]


@router.post(
    "/cases/{case_id}/notifications",
    tags=["notifications"],
    operation_id="create_notification",
    summary="Record a notification",
    status_code=status.HTTP_201_CREATED,
    response_model=NotificationPublic,
    responses=problem_responses(Forbidden, NotFound, Unprocessable),
)
def create_notification(
    actor: CurrentActor, session: SessionDep, clock: ClockDep, case_id: Id, body: NotificationCreate
) -> NotificationPublic:
    """A notification (underretning); its day starts the plan's 14 days and the outcome
    checkpoint's two months."""
    now = clock.now()
    return notifications.public(notifications.create(session, actor, case_id, body, now), now)


@router.get(
    "/cases/{case_id}/notifications/{notification_id}",
    tags=["notifications"],
    operation_id="get_notification",
    summary="Get a notification",
    response_model=NotificationPublic,
    responses=problem_responses(Forbidden, NotFound),
)
def get_notification(
    actor: CurrentActor, session: SessionDep, clock: ClockDep, case_id: Id, notification_id: Id
) -> NotificationPublic:
    """One notification with its deadlines as they stand today."""
    return notifications.public(
        notifications.get(session, actor, case_id, notification_id), clock.now()
    )


@router.patch(
    "/cases/{case_id}/notifications/{notification_id}",
    tags=["notifications"],
    operation_id="update_notification",
    summary="Record the plan or the outcome checkpoint",
    response_model=NotificationPublic,
    responses=problem_responses(Forbidden, NotFound, Unprocessable),
)
def update_notification(
    actor: CurrentActor,
    session: SessionDep,
    clock: ClockDep,
    case_id: Id,
    notification_id: Id,
    body: NotificationUpdate,
) -> NotificationPublic:
    """The day the plan (or the decision on what happens next) was made, the day the outcome
    checkpoint was held, or a new note."""
    now = clock.now()
    item = notifications.update(session, actor, case_id, notification_id, body, now)
    return notifications.public(item, now)


@router.post(
    "/cases/{case_id}/notifications/{notification_id}/baseline-round",
    tags=["notifications"],
    operation_id="open_baseline_round",
    summary="Open the baseline round from a notification",
    status_code=status.HTTP_201_CREATED,
    response_model=RoundPublic,
    responses=problem_responses(Forbidden, NotFound, Conflict, Unprocessable),
)
def open_baseline_round(
    actor: CurrentActor,
    session: SessionDep,
    clock: ClockDep,
    case_id: Id,
    notification_id: Id,
    body: BaselineRoundCreate,
) -> RoundPublic:
    """The first multi-informant round, on a shipped or the municipality's own instrument;
    its answers are due on the plan's day, so the plan is made from them."""
    rnd = notifications.open_baseline_round(
        session, actor, case_id, notification_id, body, clock.now()
    )
    return rounds.public(session, rnd)


@router.get(
    "/cases/{case_id}/levels",
    tags=["cases"],
    operation_id="get_case_levels",
    summary="Get a case's collaboration level and degree of concern",
    response_model=CaseLevelsPublic,
    responses=problem_responses(Forbidden, NotFound),
)
def get_case_levels(actor: CurrentActor, session: SessionDep, case_id: Id) -> CaseLevelsPublic:
    """The current collaboration level (samarbejdsniveau) and degree of concern
    (bekymringsgrad), and every earlier setting."""
    rows = levels.history(session, actor, case_id)
    collaboration = levels.current(rows, LevelKind.COLLABORATION)
    concern = levels.current(rows, LevelKind.CONCERN)
    return CaseLevelsPublic(
        collaboration=_level(collaboration) if collaboration else None,
        concern=_level(concern) if concern else None,
        history=[_level(r) for r in rows],
    )


@router.post(
    "/cases/{case_id}/levels",
    tags=["cases"],
    operation_id="set_case_level",
    summary="Set a case's collaboration level or degree of concern",
    status_code=status.HTTP_201_CREATED,
    response_model=CaseLevelPublic,
    responses=problem_responses(Forbidden, NotFound, Unprocessable),
)
def set_case_level(
    actor: CurrentActor, session: SessionDep, clock: ClockDep, case_id: Id, body: CaseLevelCreate
) -> CaseLevelPublic:
    """A new setting (1-3) with what set it; the earlier ones stay in the history."""
    return _level(levels.set_level(session, actor, case_id, body, clock.now()))
