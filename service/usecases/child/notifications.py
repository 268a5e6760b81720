"""Use cases for a case's notifications (underretninger): recording one, the deadlines that
run from it (the plan in 14 days, the outcome checkpoint in about two months), the work list
of deadlines not yet met, and the baseline round opened from it.

Who sees them: whoever sees the case. Who records them: the case's caseworker, the team's
leader, or an integrator with `cases:write`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.clock import LOCAL_TIME
from service.errors import Conflict, NotFound, Unprocessable
from service.models.case import Case, CaseStatus
from service.models.notification import Notification
from service.models.round import ScoringRound
from service.models.staff import Scope
from service.schemas.common import PageParams
from service.schemas.notifications import (
    BaselineRoundCreate,
    DeadlinePublic,
    NotificationCreate,
    NotificationPublic,
    NotificationUpdate,
)
from service.schemas.rounds import RoundCreate
from service.usecases.child.cases import load_case, visible_cases
from service.usecases.data_rights import audit
from service.usecases.procedure import rounds
from service.workflow import notification as rules


def today(now: datetime) -> date:
    """The service's today, in Danish time."""
    return now.astimezone(LOCAL_TIME).date()


def require_writer(actor: Actor, case: Case) -> None:
    """The case's caseworker, the team's leader, or an integrator allowed to write cases."""
    if actor.is_client:
        actor.require_scope(Scope.CASES_WRITE)
        return
    rounds.require_authority(actor, case)


def public(item: Notification, now: datetime) -> NotificationPublic:
    plan, checkpoint = rules.deadlines(
        item.received_on,
        today=today(now),
        plan_made_on=item.plan_made_on,
        checkpoint_held_on=item.checkpoint_held_on,
    )
    first = rules.most_urgent((plan, checkpoint))

    def shown(d: rules.Deadline) -> DeadlinePublic:
        return DeadlinePublic(
            kind=d.kind,
            due_on=d.due_on,
            state=d.state,
            days_left=d.days_left,
            met_on=d.met_on,
            late=d.late,
        )

    return NotificationPublic(
        id=item.id or 0,
        case_id=item.case_id,
        received_on=item.received_on,
        source=item.source,
        note=item.note,
        plan_made_on=item.plan_made_on,
        checkpoint_held_on=item.checkpoint_held_on,
        round_id=item.round_id,
        created_at=item.created_at,
        deadlines=[shown(plan), shown(checkpoint)],
        next_deadline=shown(first) if first else None,
    )


def _field_error(field: str, message: str, kind: str) -> Unprocessable:
    return Unprocessable(
        message,
        code="validation_failed",
        errors=[{"loc": ["body", field], "msg": message, "type": kind}],
    )


def _check_day(field: str, day: date | None, received_on: date, now: datetime) -> None:
    if day is None:
        return
    if day > today(now):
        raise _field_error(field, f"{field} cannot be after today", "day_in_future")
    if day < received_on:
        raise _field_error(field, f"{field} cannot be before received_on", "before_received")


def create(
    session: Session, actor: Actor, case_id: int, data: NotificationCreate, now: datetime
) -> Notification:
    case = load_case(session, actor, case_id, for_update=True)
    require_writer(actor, case)
    try:
        rules.check_received(data.received_on, today=today(now))
    except ValueError as error:
        raise _field_error("received_on", str(error), "day_in_future") from None
    item = Notification(
        municipality_id=actor.municipality_id,
        case_id=case_id,
        received_on=data.received_on,
        source=data.source,
        note=data.note,
        created_by_id=actor.id if actor.is_staff else None,
    )
    session.add(item)
    session.flush()
    audit.record(
        session, actor, "notification.create", "notification", item.id or 0, case_id=case_id
    )
    return item


def list_for_case(session: Session, actor: Actor, case_id: int) -> list[Notification]:
    load_case(session, actor, case_id)
    rows = session.exec(
        select(Notification)
        .where(Notification.case_id == case_id)
        .order_by(col(Notification.received_on).desc(), col(Notification.id).desc())
    ).all()
    audit.record(session, actor, "notification.list", "case", case_id, case_id=case_id)
    return list(rows)


def load(
    session: Session, actor: Actor, case_id: int, notification_id: int, *, for_update: bool = False
) -> tuple[Case, Notification]:
    case = load_case(session, actor, case_id, for_update=for_update)
    item = session.exec(
        select(Notification).where(
            Notification.id == notification_id, Notification.case_id == case_id
        )
    ).first()
    if item is None:
        raise NotFound(f"Notification {notification_id} not found.", code="notification_not_found")
    return case, item


def get(session: Session, actor: Actor, case_id: int, notification_id: int) -> Notification:
    _, item = load(session, actor, case_id, notification_id)
    audit.record(
        session, actor, "notification.read", "notification", notification_id, case_id=case_id
    )
    return item


def update(
    session: Session,
    actor: Actor,
    case_id: int,
    notification_id: int,
    data: NotificationUpdate,
    now: datetime,
) -> Notification:
    case, item = load(session, actor, case_id, notification_id, for_update=True)
    require_writer(actor, case)
    changes = data.model_dump(exclude_unset=True)
    if "note" in changes and changes["note"] is None:
        del changes["note"]  # null leaves the note as it is
    for field in ("plan_made_on", "checkpoint_held_on"):
        if field in changes:
            _check_day(field, changes[field], item.received_on, now)
    for key, value in changes.items():
        setattr(item, key, value)
    session.add(item)
    audit.record(
        session,
        actor,
        "notification.update",
        "notification",
        notification_id,
        case_id=case_id,
        detail={"fields": sorted(changes)},
    )
    return item


def mark_plan_made(session: Session, case_id: int, now: datetime) -> None:
    """The plan got its first row: the notifications still waiting for a plan have one."""
    for item in session.exec(
        select(Notification).where(
            Notification.case_id == case_id, col(Notification.plan_made_on).is_(None)
        )
    ).all():
        item.plan_made_on = max(item.received_on, today(now))
        session.add(item)


def open_deadlines(
    session: Session, actor: Actor, now: datetime, page: PageParams
) -> tuple[list[tuple[Notification, str]], int]:
    """The notifications of the caller's active cases with a deadline not yet met, the most
    urgent first (overdue, at risk, upcoming; then by date), each with its child's name."""
    query = (
        select(Notification, Case.display_name)
        .join(Case, col(Case.id) == col(Notification.case_id))
        .where(
            visible_cases(actor),
            Case.status == CaseStatus.ACTIVE,
            or_(
                col(Notification.plan_made_on).is_(None),
                col(Notification.checkpoint_held_on).is_(None),
            ),
        )
    )
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = [(n, name) for n, name in session.exec(query).all()]
    day = today(now)

    def urgency(row: tuple[Notification, str]) -> tuple[int, date, int]:
        item = row[0]
        first = rules.most_urgent(
            rules.deadlines(
                item.received_on,
                today=day,
                plan_made_on=item.plan_made_on,
                checkpoint_held_on=item.checkpoint_held_on,
            )
        )
        assert first is not None
        order = (rules.DeadlineState.OVERDUE, rules.DeadlineState.AT_RISK)
        rank = order.index(first.state) if first.state in order else len(order)
        return rank, first.due_on, item.id or 0

    rows.sort(key=urgency)
    shown = rows[page.offset : page.offset + page.limit]
    audit.record(
        session,
        actor,
        "notification.list",
        "notification",
        "*",
        detail={"case_ids": sorted({n.case_id for n, _ in shown})},
    )
    return shown, total


def open_baseline_round(
    session: Session,
    actor: Actor,
    case_id: int,
    notification_id: int,
    data: BaselineRoundCreate,
    now: datetime,
) -> ScoringRound:
    """The baseline multi-informant round, its answers due on the plan's day (16:00, Danish
    time), or tomorrow when that day has passed; one per notification."""
    _, item = load(session, actor, case_id, notification_id, for_update=True)
    if item.round_id is not None:
        raise Conflict(
            f"Notification {notification_id} already has its baseline round {item.round_id}.",
            code="baseline_round_exists",
            round_id=item.round_id,
        )
    day = rules.baseline_round_due(item.received_on)
    due_at = datetime.combine(day, time(16), tzinfo=LOCAL_TIME).astimezone(UTC)
    if due_at <= now:
        tomorrow = today(now) + timedelta(days=1)
        due_at = datetime.combine(tomorrow, time(16), tzinfo=LOCAL_TIME).astimezone(UTC)
    rnd = rounds.open_round(
        session,
        actor,
        case_id,
        RoundCreate(instrument_id=data.instrument_id, due_at=due_at, draft=data.draft),
        now,
    )
    item.round_id = rnd.id
    session.add(item)
    audit.record(
        session,
        actor,
        "notification.baseline_round",
        "notification",
        notification_id,
        case_id=case_id,
        detail={"round_id": rnd.id},
    )
    return rnd
