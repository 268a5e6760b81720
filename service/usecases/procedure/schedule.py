"""What happens with time: the due date closes the independent step (where the policy says
so), overdue rounds are reported, and the next round is opened as a draft ahead of its due
date (where the municipality wants it). A system task: it runs unscoped, and writes each
row with its own municipality."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from service.clock import LOCAL_TIME
from service.db import session_scope
from service.models.case import Case, CaseStatus
from service.models.instrument import Instrument, InstrumentStatus
from service.models.municipality import InstrumentSelection, Municipality
from service.models.round import ScoringRound
from service.models.tenancy import bound_to, joined_within
from service.models.webhook import EventType
from service.notifications import outbox, webhooks
from service.usecases.data_rights.retention import Periods, RetentionResult, apply_retention
from service.usecases.procedure import round_measures
from service.usecases.procedure.rounds import _add_caseworker_informant, close_due_rounds
from service.workflow.states import FINAL_STATES, RoundState, Variant


@dataclass(frozen=True, slots=True)
class TickResult:
    closed: int
    overdue: int
    opened: int
    retention: RetentionResult | None = None


def tick(session: Session, now: datetime, base_url: str | None = None) -> TickResult:
    """`base_url`, the service's public address, lets the notices link to the rounds."""
    closed = close_due_rounds(session, now)
    overdue = report_overdue(session, now, base_url)
    opened = open_drafts(session, now)
    return TickResult(closed, overdue, opened)


def report_overdue(session: Session, now: datetime, base_url: str | None = None) -> int:
    """Rounds still collecting past their due date: the caseworker, the team leader and the
    case system hear of it, once."""
    rounds = session.exec(
        select(ScoringRound, Case)
        .join(Case, joined_within(Case, ScoringRound, col(Case.id) == col(ScoringRound.case_id)))
        .where(
            ScoringRound.state == RoundState.COLLECTING,
            col(ScoringRound.due_at) < now,
            col(ScoringRound.overdue_notified_at).is_(None),
        )
        .with_for_update(of=ScoringRound)
    ).all()
    for rnd, case in rounds:
        with bound_to(session, rnd.municipality_id):
            _notify_overdue(session, rnd, case, now, base_url)
    return len(rounds)


def _notify_overdue(
    session: Session, rnd: ScoringRound, case: Case, now: datetime, base_url: str | None
) -> None:
    rnd.overdue_notified_at = now
    session.add(rnd)
    outbox.notify_staff(
        session,
        rnd,
        case,
        f"Runde {rnd.id} for {case.display_name} ({case.external_ref}) er overskredet: "
        f"fristen var {rnd.due_at.astimezone(LOCAL_TIME):%d.%m.%Y}.",
        now,
        base_url,
    )
    webhooks.emit(
        session,
        rnd.municipality_id,
        EventType.ROUND_OVERDUE,
        {"round_id": rnd.id, "case_id": rnd.case_id, "state": rnd.state.value},
        now,
    )


def open_drafts(session: Session, now: datetime) -> int:
    """Where a municipality wants it, the next round is opened as a draft `auto_open_days`
    before it is due, on the newest published version of the form last used."""
    opened = 0
    for municipality in session.exec(
        select(Municipality).where(col(Municipality.auto_open_days).is_not(None))
    ).all():
        with bound_to(session, municipality.id or 0):
            opened += _open_drafts_of(session, municipality, now)
    return opened


def _open_drafts_of(session: Session, municipality: Municipality, now: datetime) -> int:
    opened = 0
    horizon = (now + timedelta(days=municipality.auto_open_days or 0)).date()
    candidates = session.exec(
        select(ScoringRound, Case)
        .join(Case, joined_within(Case, ScoringRound, col(Case.id) == col(ScoringRound.case_id)))
        .where(
            ScoringRound.municipality_id == municipality.id,
            ScoringRound.state == RoundState.COMPLETED,
            col(ScoringRound.next_due_on) <= horizon,
            Case.status == CaseStatus.ACTIVE,
        )
        .order_by(col(ScoringRound.completed_at).desc())
    ).all()
    seen: set[int] = set()
    for previous, case in candidates:
        if case.id in seen:
            continue
        seen.add(case.id or 0)
        states = session.exec(
            select(ScoringRound.state).where(ScoringRound.case_id == case.id)
        ).all()
        newest_completed = max(
            (r for r, c in candidates if c.id == case.id), key=lambda r: r.completed_at or now
        )
        if previous is not newest_completed or any(s not in FINAL_STATES for s in states):
            continue
        instrument = _newest_in_use(session, municipality, previous.instrument_id)
        if instrument is None or previous.next_due_on is None:
            continue
        due = datetime.combine(previous.next_due_on, time(16, 0), LOCAL_TIME)
        rnd = ScoringRound(
            municipality_id=municipality.id or 0,
            case_id=case.id or 0,
            instrument_id=instrument.id or 0,
            procedure=municipality.procedure,
            variant=Variant.FOLLOW_UP,
            state=RoundState.DRAFT,
            due_at=due,
            created_at=now,
            updated_at=now,
        )
        session.add(rnd)
        session.flush()
        _add_caseworker_informant(session, rnd, case)
        round_measures.record_at_opening(session, rnd, None, now)
        opened += 1
    return opened


def _newest_in_use(
    session: Session, municipality: Municipality, instrument_id: int
) -> Instrument | None:
    used = session.get(Instrument, instrument_id)
    if used is None:
        return None
    in_use = session.exec(
        select(InstrumentSelection.id).where(
            InstrumentSelection.municipality_id == municipality.id,
            InstrumentSelection.instrument_key == used.key,
        )
    ).first()
    if in_use is None:
        return None
    return session.exec(
        select(Instrument)
        .where(
            Instrument.key == used.key,
            Instrument.municipality_id == used.municipality_id,
            Instrument.status == InstrumentStatus.PUBLISHED,
        )
        .order_by(col(Instrument.version).desc())
    ).first()


def run_tick(
    engine: Engine, now: datetime, base_url: str | None = None, periods: Periods | None = None
) -> TickResult:
    """The tick, then (with `periods`) retention in a transaction of its own: a failure of
    one does not hold up the other's next turn."""
    with session_scope(engine) as session:
        result = tick(session, now, base_url)
    if periods is not None:
        with session_scope(engine) as session:
            result = replace(result, retention=apply_retention(session, now, periods))
    return result
