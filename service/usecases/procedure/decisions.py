"""The decision a completed round leads to: recorded (and amended) by the case's caseworker or
team leader, or the case system; read with the round; counted for management."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.clock import LOCAL_TIME
from service.errors import Conflict, NotFound, Unprocessable
from service.models.case import Case, Measure, MeasureType
from service.models.round import ScoringRound
from service.models.round_decision import RoundDecision
from service.models.webhook import EventType
from service.notifications import webhooks
from service.schemas.decisions import (
    DecisionCell,
    DecisionsReport,
    DecisionTotal,
    DecisionWrite,
)
from service.usecases.data_rights import audit
from service.usecases.procedure.rounds import load_round, require_round_writer
from service.usecases.reports.scope import data_use, record_read, report_scope
from service.workflow.decisions import DecisionOutcome
from service.workflow.states import RoundState
from service.workflow.suppression import Table, suppress


def record_decision(
    session: Session, actor: Actor, round_id: int, data: DecisionWrite, now: datetime
) -> RoundDecision:
    """Record what the round led to; a decision recorded before is kept as history."""
    loaded = load_round(session, actor, round_id, lock=True)
    rnd, case = loaded.round, loaded.case
    require_round_writer(actor, case)
    if rnd.state is not RoundState.COMPLETED or rnd.completed_at is None:
        raise Conflict("A decision follows a completed round.", code="round_not_completed")
    if data.decided_on < rnd.completed_at.astimezone(LOCAL_TIME).date() or (
        data.decided_on > now.astimezone(LOCAL_TIME).date()
    ):
        raise Unprocessable(
            "decided_on lies between the round's completion and today.", code="validation_failed"
        )
    if data.measure_id is not None:
        measure = session.get(Measure, data.measure_id)
        if measure is None or measure.case_id != case.id:
            raise NotFound(
                f"Measure {data.measure_id} not found in the case.", code="measure_not_found"
            )
    for earlier in session.exec(
        select(RoundDecision).where(
            RoundDecision.round_id == round_id, col(RoundDecision.superseded_at).is_(None)
        )
    ):
        earlier.superseded_at = now
        session.add(earlier)
    decision = RoundDecision(
        municipality_id=rnd.municipality_id,
        round_id=round_id,
        case_id=case.id or 0,
        outcome=data.outcome,
        decided_by=data.decided_by,
        measure_id=data.measure_id,
        reason=data.reason,
        decided_on=data.decided_on,
        recorded_by_id=actor.id if actor.is_staff else None,
        recorded_at=now,
    )
    session.add(decision)
    session.flush()
    audit.record(
        session,
        actor,
        "round.decision",
        "round",
        round_id,
        case_id=case.id,
        detail={"outcome": data.outcome.value},
    )
    webhooks.emit(
        session,
        rnd.municipality_id,
        EventType.DECISION_RECORDED,
        {
            "round_id": round_id,
            "case_id": case.id,
            "decision_id": decision.id,
            "outcome": data.outcome.value,
        },
        now,
    )
    return decision


def list_decisions(
    session: Session, actor: Actor, round_id: int
) -> tuple[RoundDecision | None, list[RoundDecision]]:
    """The round's current decision, and those it amended, newest first."""
    loaded = load_round(session, actor, round_id)
    audit.record(session, actor, "round.decisions.read", "round", round_id, case_id=loaded.case.id)
    return of_round(session, loaded.round)


def of_round(
    session: Session, rnd: ScoringRound
) -> tuple[RoundDecision | None, list[RoundDecision]]:
    """The round's current decision and those it amended, newest first (the caller has
    checked access)."""
    rows = list(
        session.exec(
            select(RoundDecision)
            .where(RoundDecision.round_id == rnd.id)
            .order_by(col(RoundDecision.recorded_at).desc(), col(RoundDecision.id).desc())
        )
    )
    current = next((d for d in rows if d.superseded_at is None), None)
    return current, [d for d in rows if d.superseded_at is not None]


#: The columns of the management figure: the kinds of measure, then "no measure named".
MEASURE_COLUMNS: tuple[MeasureType | None, ...] = (*MeasureType, None)
OUTCOME_ROWS = tuple(DecisionOutcome)


def latest_per_child(scope_clause: ColumnElement[bool]) -> Any:
    """Each visible child's latest current decision, with the kind of its measure: how many
    children per outcome and kind, and the earliest of those decisions' dates."""
    ranked = (
        sql_select(
            col(RoundDecision.outcome),
            col(Measure.type),
            col(RoundDecision.decided_on),
            func.row_number()
            .over(
                partition_by=col(RoundDecision.case_id),
                order_by=(col(RoundDecision.decided_on).desc(), col(RoundDecision.id).desc()),
            )
            .label("n"),
        )
        .join(Case, col(Case.id) == col(RoundDecision.case_id))
        .outerjoin(Measure, col(Measure.id) == col(RoundDecision.measure_id))
        .where(col(RoundDecision.superseded_at).is_(None), scope_clause)
        .subquery()
    )
    return (
        sql_select(ranked.c.outcome, ranked.c.type, func.count(), func.min(ranked.c.decided_on))
        .where(ranked.c.n == 1)
        .group_by(ranked.c.outcome, ranked.c.type)
    )


def decisions_report(session: Session, actor: Actor) -> DecisionsReport:
    """Decisions by outcome and by measure kind, for management, small groups hidden."""
    scope = report_scope(session, actor)
    counts: dict[tuple[DecisionOutcome, MeasureType | None], int] = {}
    earliest: date | None = None
    for outcome, kind, n, first in session.execute(latest_per_child(scope.cases())):
        counts[(DecisionOutcome(outcome), MeasureType(kind) if kind else None)] = int(n)
        earliest = first if earliest is None else min(earliest, first)
    table = Table.of([[counts.get((o, m), 0) for m in MEASURE_COLUMNS] for o in OUTCOME_ROWS])
    shown = suppress(table, scope.min_group_size)
    record_read(session, actor, "decisions", {})
    return DecisionsReport(
        scope=scope.label,
        as_of=scope.as_of,
        min_group_size=scope.min_group_size,
        cells=[
            DecisionCell(outcome=o, measure_type=m, children=shown.shown(("cell", r, c)))
            for r, o in enumerate(OUTCOME_ROWS)
            for c, m in enumerate(MEASURE_COLUMNS)
        ],
        by_outcome=[
            DecisionTotal(key=o.value, children=shown.shown(("row", r)))
            for r, o in enumerate(OUTCOME_ROWS)
        ],
        by_measure_type=[
            DecisionTotal(key=m.value if m else "none", children=shown.shown(("column", c)))
            for c, m in enumerate(MEASURE_COLUMNS)
        ],
        total=shown.total,
        # From the implementation period where any child's latest decision is from before it.
        data_use=data_use(scope, earliest or scope.management_from),
    )
