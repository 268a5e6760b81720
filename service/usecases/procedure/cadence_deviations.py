"""A case's next follow-up planned away from the cadence standard (fagligt begrundet
afvigelse): fewer follow-ups (a later date) wait for a team leader's approval, and the next
due date stays the standard's until then; more (an earlier date) are the caseworker's own
call, in force at once. Both are kept, with their reasons, in the case's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.clock import LOCAL_TIME
from service.errors import Conflict, Forbidden, NotFound, Unprocessable
from service.models.cadence import (
    CadenceDeviation,
    CadenceStandard,
    DeviationState,
    FollowUpRequest,
)
from service.models.case import Case
from service.models.round import ScoringRound
from service.models.staff import StaffRole
from service.models.webhook import EventType
from service.notifications import webhooks
from service.schemas.cadence import DeviationCreate, DeviationDecision, DeviationPublic
from service.usecases.child.cases import load_case, visible_cases
from service.usecases.data_rights import audit
from service.usecases.procedure.cadence import schedule
from service.usecases.procedure.rounds import has_authority, require_round_writer
from service.workflow import cadence_standards as cs
from service.workflow.cadence_standards import DeviationReason
from service.workflow.states import FINAL_STATES, RoundState


def public(deviation: CadenceDeviation) -> DeviationPublic:
    return DeviationPublic.model_validate(deviation, from_attributes=True)


def latest_completed(session: Session, case_id: int) -> ScoringRound:
    """The case's latest completed round, whose next due date a deviation moves; refused
    while a round is under way (its own due date applies) or before the first is done."""
    rounds = session.exec(
        select(ScoringRound)
        .where(ScoringRound.case_id == case_id)
        .order_by(col(ScoringRound.created_at).desc(), col(ScoringRound.id).desc())
    ).all()
    if any(r.state not in FINAL_STATES for r in rounds):
        raise Conflict("A round is under way: its own due date applies.", code="no_completed_round")
    completed = [r for r in rounds if r.state is RoundState.COMPLETED]
    if not completed:
        raise Conflict("The case has no completed round yet.", code="no_completed_round")
    return max(completed, key=lambda r: (r.completed_at or r.created_at, r.id or 0))


def standard_due(session: Session, rnd: ScoringRound) -> date:
    """The date the cadence gives the round's next follow-up, whatever was planned since."""
    completed = (rnd.completed_at or rnd.created_at).astimezone(LOCAL_TIME).date()
    return schedule(session, rnd, completed)[-1]


def plan(
    session: Session,
    actor: Actor,
    case: Case,
    planned_on: date,
    reason_code: DeviationReason,
    reason: str,
    now: datetime,
) -> CadenceDeviation:
    """Plan the case's next follow-up on `planned_on`: more follow-ups are in force at once,
    fewer wait for a team leader (a team leader's own plan is approved as made)."""
    if planned_on <= now.astimezone(LOCAL_TIME).date():
        raise Unprocessable("planned_on must be in the future.", code="due_in_past")
    rnd = latest_completed(session, case.id or 0)
    due = standard_due(session, rnd)
    kind = cs.deviation(due, planned_on)
    if kind is None:
        raise Unprocessable(
            f"{planned_on.isoformat()} is the standard's date.", code="no_deviation"
        )
    leader = actor.is_staff and actor.role is StaffRole.TEAM_LEADER
    in_force = not cs.needs_approval(kind) or leader
    # A newer plan replaces one still waiting.
    for waiting in session.exec(
        select(CadenceDeviation).where(
            CadenceDeviation.case_id == case.id,
            CadenceDeviation.state == DeviationState.PENDING,
        )
    ).all():
        waiting.state, waiting.decided_at = DeviationState.REJECTED, now
        waiting.decision_note = "replaced"
        session.add(waiting)
    deviation = CadenceDeviation(
        municipality_id=case.municipality_id,
        case_id=case.id or 0,
        round_id=rnd.id or 0,
        kind=kind,
        reason_code=reason_code,
        reason=reason,
        standard_due_on=due,
        planned_on=planned_on,
        state=DeviationState.APPROVED if in_force else DeviationState.PENDING,
        requested_by_id=actor.id if actor.is_staff else None,
        requested_at=now,
        decided_by_id=actor.id if in_force and actor.is_staff else None,
        decided_at=now if in_force else None,
    )
    session.add(deviation)
    rnd.next_due_on = planned_on if in_force else due
    session.add(rnd)
    session.flush()
    audit.record(
        session,
        actor,
        "cadence_deviation.create",
        "cadence_deviation",
        deviation.id or 0,
        case_id=case.id,
        detail={
            "kind": kind.value,
            "reason_code": reason_code.value,
            "standard_due_on": due.isoformat(),
            "planned_on": planned_on.isoformat(),
            "state": deviation.state.value,
        },
    )
    if in_force:
        _announce(session, deviation, now)
    return deviation


def _announce(session: Session, deviation: CadenceDeviation, now: datetime) -> None:
    """The case system hears that the next follow-up moved, and to when (the reason stays
    here)."""
    webhooks.emit(
        session,
        deviation.municipality_id,
        EventType.FOLLOW_UP_REPLANNED,
        {
            "case_id": deviation.case_id,
            "round_id": deviation.round_id,
            "deviation_id": deviation.id,
            "next_due_on": deviation.planned_on.isoformat(),
        },
        now,
    )


def create(
    session: Session, actor: Actor, case_id: int, data: DeviationCreate, now: datetime
) -> CadenceDeviation:
    case = load_case(session, actor, case_id, for_update=True)
    require_round_writer(actor, case)
    return plan(session, actor, case, data.planned_on, data.reason_code, data.reason, now)


def list_for_case(session: Session, actor: Actor, case_id: int) -> list[CadenceDeviation]:
    load_case(session, actor, case_id)
    rows = list(
        session.exec(
            select(CadenceDeviation)
            .where(CadenceDeviation.case_id == case_id)
            .order_by(col(CadenceDeviation.requested_at).desc(), col(CadenceDeviation.id).desc())
        ).all()
    )
    audit.record(session, actor, "cadence_deviation.list", "case", case_id, case_id=case_id)
    return rows


def pending(session: Session, actor: Actor) -> list[tuple[CadenceDeviation, Case]]:
    """The deviations waiting for approval in the cases the caller sees (a team leader's:
    the team's)."""
    rows = session.exec(
        select(CadenceDeviation, Case)
        .join(Case, col(Case.id) == col(CadenceDeviation.case_id))
        .where(CadenceDeviation.state == DeviationState.PENDING, visible_cases(actor))
        .order_by(col(CadenceDeviation.requested_at), col(CadenceDeviation.id))
    ).all()
    audit.record(
        session,
        actor,
        "cadence_deviation.pending",
        "cadence_deviation",
        "*",
        detail={"ids": [d.id for d, _ in rows]},
    )
    return [(d, c) for d, c in rows]


def decide(
    session: Session, actor: Actor, deviation_id: int, data: DeviationDecision, now: datetime
) -> CadenceDeviation:
    """The team leader approves fewer follow-ups (the next due date moves) or rejects them
    (it stays the standard's)."""
    deviation = session.get(CadenceDeviation, deviation_id)
    if deviation is None:
        raise NotFound(f"Deviation {deviation_id} not found.")
    case = load_case(session, actor, deviation.case_id, for_update=True)
    if not (actor.is_staff and actor.role is StaffRole.TEAM_LEADER):
        raise Forbidden(
            "A team leader approves fewer follow-ups than the standard.",
            required_roles=[StaffRole.TEAM_LEADER.value],
        )
    if deviation.state is not DeviationState.PENDING:
        raise Conflict("The deviation has been decided.", code="already_decided")
    deviation.state = DeviationState.APPROVED if data.approve else DeviationState.REJECTED
    deviation.decided_by_id, deviation.decided_at = actor.id, now
    deviation.decision_note = data.note
    session.add(deviation)
    if data.approve:
        rnd = session.get(ScoringRound, deviation.round_id)
        if rnd is not None:
            rnd.next_due_on = deviation.planned_on
            session.add(rnd)
            _announce(session, deviation, now)
    audit.record(
        session,
        actor,
        "cadence_deviation.approve" if data.approve else "cadence_deviation.reject",
        "cadence_deviation",
        deviation_id,
        case_id=case.id,
    )
    return deviation


@dataclass(frozen=True, slots=True)
class CaseCadence:
    """What the case's cadence page shows: the standard in force, when the next follow-up is
    due and the standard's date for it, the deviations and the providers' requests."""

    case: Case
    standard: str | None
    next_due_on: date | None
    standard_due_on: date | None
    deviations: list[CadenceDeviation]
    requests: list[FollowUpRequest]
    may_plan: bool


def overview(session: Session, actor: Actor, case_id: int) -> CaseCadence:
    case = load_case(session, actor, case_id)
    standard = session.exec(select(CadenceStandard.name)).first()
    rnd: ScoringRound | None
    try:
        rnd = latest_completed(session, case_id)
    except Conflict:
        rnd = None
    requests = list(
        session.exec(
            select(FollowUpRequest)
            .where(FollowUpRequest.case_id == case_id)
            .order_by(col(FollowUpRequest.requested_at).desc(), col(FollowUpRequest.id).desc())
        ).all()
    )
    return CaseCadence(
        case=case,
        standard=standard,
        next_due_on=rnd.next_due_on if rnd else None,
        standard_due_on=standard_due(session, rnd) if rnd else None,
        deviations=list_for_case(session, actor, case_id),
        requests=requests,
        may_plan=rnd is not None and has_authority(actor, case),
    )
