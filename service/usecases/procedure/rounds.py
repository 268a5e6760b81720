"""Use cases for scoring rounds: open one on the municipality's procedure, move it through its
steps under a row lock, and read it and its history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from functools import cache
from typing import NamedTuple

from sqlalchemy import BindParameter, and_, bindparam, func, or_
from sqlalchemy import case as sql_case
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from service.auth.actor import Actor
from service.auth.keys import Keyring
from service.errors import Conflict, Forbidden, NotFound, Unprocessable
from service.models.case import Case, CaseStatus
from service.models.instrument import Instrument, InstrumentStatus
from service.models.municipality import InstrumentSelection, Municipality
from service.models.round import (
    Informant,
    RoundTransition,
    ScoringRound,
    Submission,
    SubmissionStatus,
)
from service.models.staff import Scope, StaffRole, StaffUser
from service.models.tenancy import bound_to
from service.models.webhook import EventType
from service.notifications import webhooks
from service.schemas.common import PageParams
from service.schemas.rounds import (
    RoundCreate,
    RoundMeasurePublic,
    RoundPublic,
    StepPublic,
    TransitionRequest,
)
from service.usecases.child.cases import CaseVisibility, case_visibility, load_case, visible_cases
from service.usecases.data_rights import audit
from service.usecases.procedure import round_data, round_effects, round_measures
from service.workflow import machine
from service.workflow.machine import RoundFacts
from service.workflow.procedures import PROCEDURES, informant_step
from service.workflow.roles import InformantRole
from service.workflow.states import FINAL_STATES, RoundEvent, RoundState, Variant

SYSTEM_ACTOR_LABEL = "Konsensus (automatic)"
#: The events that case systems may subscribe to, by the round event that causes them.
_WEBHOOK_EVENTS = {
    RoundEvent.OPEN: EventType.ROUND_OPENED,
    RoundEvent.CLOSE_COLLECTION: EventType.COLLECTION_CLOSED,
    RoundEvent.CANCEL: EventType.ROUND_CANCELLED,
}


def require_round_writer(actor: Actor, case: Case) -> None:
    """Who may run a round: the case's caseworker, the team's leader, or an integrator."""
    if actor.is_client:
        actor.require_scope(Scope.ROUNDS_WRITE)
        return
    require_authority(actor, case)


def has_authority(actor: Actor, case: Case) -> bool:
    """The case's caseworker, or the team's leader (who stands in for the caseworker)."""
    return actor.is_staff and (
        (actor.role is StaffRole.CASEWORKER and case.caseworker_id == actor.id)
        or (actor.role is StaffRole.TEAM_LEADER and case.team_id == actor.team_id)
    )


def require_authority(actor: Actor, case: Case) -> None:
    """The caseworker's final say: only the case's caseworker or the team's leader."""
    if has_authority(actor, case):
        return
    raise Forbidden(
        "Only the case's caseworker or the team leader may do this.", code="not_case_authority"
    )


def _require_reader(actor: Actor) -> None:
    if actor.is_client:
        actor.require_scope(Scope.ROUNDS_READ)


class LoadedRound(NamedTuple):
    round: ScoringRound
    case: Case
    municipality: Municipality


def load_round(session: Session, actor: Actor, round_id: int, *, lock: bool = False) -> LoadedRound:
    """The round, if its case is visible to `actor`.

    With `lock`, the round is locked for the rest of the transaction (SELECT ... FOR UPDATE;
    SQLite's write lock is already held) and its revision is bumped, since the caller is
    about to change it or what belongs to it: cached views of it are renewed."""
    _require_reader(actor)
    visibility, viewer = case_visibility(actor)
    row = session.exec(
        _round_query(visibility, lock), params={"round_id": round_id, "viewer": viewer}
    ).first()
    if row is None:
        raise NotFound(f"Round {round_id} not found.", code="round_not_found")
    if lock:
        bump(row[0])
    return LoadedRound(*row)


@cache
def _round_query(
    visibility: CaseVisibility, lock: bool
) -> Select[ScoringRound, Case, Municipality]:
    """One query for the round, its case (which must be visible to the actor) and the
    municipality, whose policy the callers read without asking again. Built once per kind of
    viewer: nearly every call about a round runs it."""
    query = (
        select(ScoringRound, Case, Municipality)
        .join(Case, col(Case.id) == col(ScoringRound.case_id))
        .join(Municipality, col(Municipality.id) == col(ScoringRound.municipality_id))
        .where(col(ScoringRound.id) == bindparam("round_id"), visibility.parameterized())
    )
    return query.with_for_update(of=ScoringRound) if lock else query


def bump(rnd: ScoringRound) -> None:
    rnd.revision += 1


def open_round(
    session: Session, actor: Actor, case_id: int, data: RoundCreate, now: datetime
) -> ScoringRound:
    case = load_case(session, actor, case_id, for_update=True)
    require_round_writer(actor, case)
    municipality = session.get(Municipality, actor.municipality_id)
    assert municipality is not None
    if data.procedure is not None and data.procedure is not municipality.procedure:
        raise Conflict(
            f"The municipality has adopted procedure {municipality.procedure.value}, "
            f"not {data.procedure.value}; every case follows the adopted procedure.",
            code="procedure_not_adopted",
            adopted=municipality.procedure.value,
        )
    if case.status is not CaseStatus.ACTIVE:
        raise Conflict("The case is closed.", code="case_closed")
    if data.due_at <= now:
        raise Unprocessable("due_at must be in the future.", code="due_in_past")
    instrument = session.get(Instrument, data.instrument_id)
    if instrument is None:
        raise Unprocessable(
            f"Instrument {data.instrument_id} not found.", code="instrument_not_found"
        )
    # The instrument exists, but the municipality's state does not allow it (as with a
    # procedure it has not adopted): a conflict, not a malformed request.
    if instrument.status is not InstrumentStatus.PUBLISHED:
        raise Conflict(
            "Only a published instrument can be scored.", code="instrument_not_published"
        )
    in_use = session.exec(
        select(InstrumentSelection.id).where(InstrumentSelection.instrument_key == instrument.key)
    ).first()
    if in_use is None:
        raise Conflict(
            f"The municipality does not have {instrument.key!r} in use.",
            code="instrument_not_in_use",
        )
    rounds = session.exec(select(ScoringRound.state).where(ScoringRound.case_id == case_id)).all()
    if any(state not in FINAL_STATES for state in rounds):
        raise Conflict("The case already has a round in progress.", code="round_in_progress")
    variant = Variant.FOLLOW_UP if RoundState.COMPLETED in rounds else Variant.FIRST_TIME
    rnd = ScoringRound(
        municipality_id=actor.municipality_id,
        case_id=case_id,
        instrument_id=instrument.id or 0,
        procedure=municipality.procedure,
        variant=variant,
        state=RoundState.DRAFT,
        due_at=data.due_at,
        meeting_at=data.meeting_at,
        opened_by_id=actor.id if actor.is_staff else None,
        created_at=now,
        updated_at=now,
    )
    session.add(rnd)
    session.flush()
    _add_caseworker_informant(session, rnd, case)
    round_measures.record_at_opening(session, rnd, data.measure_ids, now)
    audit.record(session, actor, "round.create", "round", rnd.id or 0, case_id=case_id)
    if not data.draft:
        _fire(session, actor, rnd, RoundEvent.OPEN, None, now)
    return rnd


def _add_caseworker_informant(session: Session, rnd: ScoringRound, case: Case) -> None:
    """The caseworker scores independently in every procedure: they are an informant too."""
    caseworker = session.get(StaffUser, case.caseworker_id)
    assert caseworker is not None
    session.add(
        Informant(
            municipality_id=rnd.municipality_id,
            round_id=rnd.id or 0,
            role=InformantRole.CASEWORKER,
            step=informant_step(PROCEDURES[rnd.procedure], rnd.variant, InformantRole.CASEWORKER),
            name=caseworker.full_name,
            email=caseworker.email,
            staff_user_id=caseworker.id,
            created_at=rnd.created_at,
        )
    )


def transition(
    session: Session,
    actor: Actor,
    round_id: int,
    request: TransitionRequest,
    now: datetime,
    *,
    keyring: Keyring | None = None,
    base_url: str | None = None,
) -> ScoringRound:
    """Fire the event. With `keyring` and `base_url` (the service's public address), a round
    that completes sends the family its new links to the result."""
    rnd, case, _ = load_round(session, actor, round_id, lock=True)
    require_round_writer(actor, case)
    _fire(
        session,
        actor,
        rnd,
        request.event,
        request.reason,
        now,
        by_caseworker=has_authority(actor, case),
    )
    if rnd.state is RoundState.COMPLETED and keyring is not None and base_url:
        round_effects.send_result_links(session, actor, rnd, keyring, base_url, now)
    return rnd


def _fire(
    session: Session,
    actor: Actor | None,
    rnd: ScoringRound,
    event: RoundEvent,
    reason: str | None,
    now: datetime,
    *,
    by_caseworker: bool = False,
) -> None:
    """Apply `event` under the caller's row lock; its effects join the same transaction.
    `by_caseworker`: the actor has the caseworker's say, and may confirm a step short."""
    facts = round_data.gather_facts(session, rnd)
    before = rnd.state
    try:
        after = machine.fire(
            rnd.procedure, facts, event, reason=reason, by_caseworker=by_caseworker
        )
    except machine.IllegalEvent as exc:
        raise Conflict(
            str(exc).capitalize() + ".",
            code="illegal_transition",
            state=exc.state.value,
            allowed_events=exc.allowed,
        ) from exc
    except machine.GuardFailed as exc:
        raise Conflict(
            str(exc).capitalize() + ".",
            code="transition_not_ready",
            state=exc.state.value,
            allowed_events=exc.allowed,
            unmet=exc.unmet,
        ) from exc
    rnd.state = after
    rnd.updated_at = now
    bump(rnd)
    round_effects.after_transition(session, rnd, event, reason, facts, now)
    session.add(rnd)
    session.add(
        RoundTransition(
            municipality_id=rnd.municipality_id,
            round_id=rnd.id or 0,
            event=event.value,
            from_state=before,
            to_state=after,
            actor_id=actor.audit_id if actor else "system",
            actor_label=actor.label if actor else SYSTEM_ACTOR_LABEL,
            reason=reason,
            occurred_at=now,
        )
    )
    event_type = _WEBHOOK_EVENTS.get(event)
    if after is RoundState.COMPLETED:
        event_type = EventType.ROUND_COMPLETED
    if event_type is not None:
        webhooks.emit(
            session,
            rnd.municipality_id,
            event_type,
            {"round_id": rnd.id, "case_id": rnd.case_id, "state": after.value},
            now,
        )
    if after is RoundState.COMPLETED:
        report_ready(session, rnd, now)
    if actor is not None:
        audit.record(
            session,
            actor,
            f"round.{event.value}",
            "round",
            rnd.id or 0,
            case_id=rnd.case_id,
            detail={"from": before.value, "to": after.value},
        )
    else:
        audit.record_system(
            session, rnd.municipality_id, f"round.{event.value}", "round", rnd.id or 0
        )


def report_ready(session: Session, rnd: ScoringRound, now: datetime) -> None:
    """Case systems that file the report in their journal fetch it on this event."""
    webhooks.emit(
        session,
        rnd.municipality_id,
        EventType.REPORT_READY,
        {"round_id": rnd.id, "case_id": rnd.case_id, "report": f"/api/v1/rounds/{rnd.id}/report"},
        now,
    )


def fire_as_system(session: Session, rnd: ScoringRound, event: RoundEvent, now: datetime) -> None:
    _fire(session, None, rnd, event, None, now)


def public(session: Session, rnd: ScoringRound) -> RoundPublic:
    return public_many(session, [rnd])[0]


def public_many(session: Session, rows: Sequence[ScoringRound]) -> list[RoundPublic]:
    """The rounds as the API shows them. What every round needs (its counts, measures,
    number and, while it is open, the facts that say which steps need a reason) is read for
    all of them at once, so a page of rounds costs the same few statements as one (a round at
    its meeting or informing its provider reads its attendance or recipients alone)."""
    ids = [r.id or 0 for r in rows]
    if not ids:
        return []
    counts = {
        round_id: (informants, submitted)
        for round_id, informants, submitted in session.exec(
            select(
                col(Informant.round_id),
                func.count(col(Informant.id)),
                func.count(
                    sql_case((col(Submission.status) == SubmissionStatus.SUBMITTED.value, 1))
                ),
            )
            .select_from(Informant)
            .outerjoin(Submission, col(Submission.informant_id) == col(Informant.id))
            .where(col(Informant.round_id).in_(ids))
            .group_by(col(Informant.round_id))
        ).all()
    }
    measures = round_measures.measures_of(session, ids)
    numbers = round_numbers(session, rows)
    facts = round_data.gather_facts_many(session, [r for r in rows if _open(r)])
    return [
        _public(
            rnd,
            counts.get(rnd.id or 0, (0, 0)),
            measures.get(rnd.id or 0, []),
            numbers.get(rnd.id or 0),
            facts.get(rnd.id or 0),
        )
        for rnd in rows
    ]


def _open(rnd: ScoringRound) -> bool:
    """Whether the round is under way: a step may then need a reason to be taken."""
    return rnd.state not in FINAL_STATES and rnd.state is not RoundState.DRAFT


def _public(
    rnd: ScoringRound,
    counts: tuple[int, int],
    measures: list[RoundMeasurePublic],
    number: int | None,
    facts: RoundFacts | None,
) -> RoundPublic:
    spec = PROCEDURES[rnd.procedure]
    needed = machine.needs_reason(rnd.procedure, facts) if facts is not None else []
    return RoundPublic(
        id=rnd.id or 0,
        case_id=rnd.case_id,
        instrument_id=rnd.instrument_id,
        procedure=rnd.procedure,
        variant=rnd.variant,
        consensus=spec.consensus,
        state=rnd.state,
        allowed_events=[RoundEvent(e) for e in machine.allowed_events(rnd.procedure, rnd.state)],
        reason_needed=[RoundEvent(e) for e in needed],
        steps=_steps(spec.steps, rnd.state),
        due_at=rnd.due_at,
        meeting_at=rnd.meeting_at,
        created_at=rnd.created_at,
        collection_closed_at=rnd.collection_closed_at,
        completed_at=rnd.completed_at,
        cancelled_at=rnd.cancelled_at,
        cancel_reason=rnd.cancel_reason,
        collection_close_reason=rnd.collection_close_reason,
        family_note=rnd.family_note,
        provider_note=rnd.provider_note,
        provider_informed_at=rnd.provider_informed_at,
        previous_round_id=rnd.previous_round_id,
        next_due_on=rnd.next_due_on,
        skipped_due_on=[date.fromisoformat(d) for d in rnd.skipped_due_dates],
        informants=counts[0],
        submitted=counts[1],
        measures=measures,
        number=number,
    )


def round_numbers(session: Session, rows: Sequence[ScoringRound]) -> dict[int, int]:
    """Each round's number among its child's rounds (`round_number`), for many rounds in one
    statement: the children's rounds that were held, in the order they were opened."""
    held = [r for r in rows if r.state is not RoundState.CANCELLED]
    if not held:
        return {}
    if len(held) == 1:
        number = round_number(session, held[0])
        return {held[0].id or 0: number} if number is not None else {}
    opened = session.exec(
        select(col(ScoringRound.case_id), col(ScoringRound.id))
        .where(
            col(ScoringRound.case_id).in_(sorted({r.case_id for r in held})),
            ScoringRound.state != RoundState.CANCELLED,
        )
        .order_by(col(ScoringRound.case_id), col(ScoringRound.created_at), col(ScoringRound.id))
    ).all()
    numbers: dict[int, int] = {}
    count: dict[int, int] = {}
    for case_id, round_id in opened:
        count[case_id] = count.get(case_id, 0) + 1
        numbers[round_id or 0] = count[case_id]
    wanted = {r.id for r in held}
    return {k: v for k, v in numbers.items() if k in wanted}


@cache
def _rounds_before() -> SelectOfScalar[int]:
    """The child's rounds opened up to and including one (by date, then id), cancelled
    ones aside: the statement is built once, with the round as its parameters."""
    at: BindParameter[datetime] = bindparam("created_at")
    rid: BindParameter[int] = bindparam("round_id")
    return select(func.count(col(ScoringRound.id))).where(
        ScoringRound.case_id == bindparam("case_id"),
        ScoringRound.state != RoundState.CANCELLED,
        or_(
            col(ScoringRound.created_at) < at,
            and_(col(ScoringRound.created_at) == at, col(ScoringRound.id) <= rid),
        ),
    )


def round_number(session: Session, rnd: ScoringRound) -> int | None:
    """Which of the child's rounds this is (rundens nummer): 1 is the first, 2 the first
    follow-up, counted by when they were opened. A cancelled round is not counted, and has
    none: the caseworker speaks of the rounds that were held."""
    if rnd.state is RoundState.CANCELLED:
        return None
    params = {"case_id": rnd.case_id, "created_at": rnd.created_at, "round_id": rnd.id}
    return session.exec(_rounds_before(), params=params).one()


def _steps(steps: tuple[RoundState, ...], state: RoundState) -> list[StepPublic]:
    if state is RoundState.DRAFT:
        return [StepPublic(state=s, status="upcoming") for s in steps]
    if state is RoundState.CANCELLED:
        return [StepPublic(state=s, status="cancelled") for s in steps]
    current = steps.index(state)
    return [
        StepPublic(
            state=s,
            status="done"
            if i < current or state is RoundState.COMPLETED
            else ("current" if i == current else "upcoming"),
        )
        for i, s in enumerate(steps)
    ]


def get_round(session: Session, actor: Actor, round_id: int) -> ScoringRound:
    rnd, _, _ = load_round(session, actor, round_id)
    audit.record(session, actor, "round.read", "round", round_id, case_id=rnd.case_id)
    return rnd


def list_rounds(
    session: Session,
    actor: Actor,
    page: PageParams,
    *,
    case_id: int | None = None,
    state: RoundState | None = None,
) -> tuple[list[ScoringRound], int]:
    _require_reader(actor)
    query = (
        select(ScoringRound)
        .join(Case, col(Case.id) == col(ScoringRound.case_id))
        .where(visible_cases(actor))
    )
    if case_id is not None:
        query = query.where(ScoringRound.case_id == case_id)
    if state is not None:
        query = query.where(ScoringRound.state == state)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = list(
        session.exec(
            query.order_by(col(ScoringRound.created_at).desc(), col(ScoringRound.id).desc())
            .offset(page.offset)
            .limit(page.limit)
        ).all()
    )
    audit.record(
        session, actor, "round.list", "round", "*", detail={"round_ids": [r.id for r in rows]}
    )
    return rows, total


def close_due_rounds(session: Session, now: datetime) -> int:
    """Close the independent step of rounds past their due date, where the municipality's
    policy says so. Runs unscoped (a system task), one round at a time under its lock."""
    from service.models.municipality import CollectionClose

    due_policies = (CollectionClose.DUE_DATE, CollectionClose.ALL_SUBMITTED_OR_DUE_DATE)
    candidates = session.exec(
        select(ScoringRound.municipality_id, ScoringRound.id)
        .join(Municipality, col(Municipality.id) == col(ScoringRound.municipality_id))
        .where(
            ScoringRound.state == RoundState.COLLECTING,
            col(ScoringRound.due_at) <= now,
            col(Municipality.collection_close).in_([p.value for p in due_policies]),
        )
    ).all()
    closed = 0
    for municipality_id, round_id in candidates:
        with bound_to(session, municipality_id):
            closed += _close_if_ready(session, round_id or 0, now)
    return closed


def _close_if_ready(session: Session, round_id: int, now: datetime) -> int:
    rnd = session.exec(
        select(ScoringRound).where(ScoringRound.id == round_id).with_for_update()
    ).one()
    bump(rnd)
    if rnd.state is not RoundState.COLLECTING:
        return 0
    facts = round_data.gather_facts(session, rnd)
    if machine.unmet(rnd.procedure, facts, RoundEvent.CLOSE_COLLECTION):
        # Too few to decide on without the caseworker's reasoned word, or (KL 3) a voice
        # of the family missing without a reason: stays open, and shows as overdue.
        return 0
    fire_as_system(session, rnd, RoundEvent.CLOSE_COLLECTION, now)
    return 1
