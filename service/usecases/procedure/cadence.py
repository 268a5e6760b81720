"""When a completed round's case is due its next round: from the date the round was planned
for, by the interval of the measures it evaluated, the municipality's written standard for
its measures (anchored on their start), or the municipality's or the procedure's interval."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_
from sqlmodel import Session, col, select

from service.clock import LOCAL_TIME
from service.models.case import Measure
from service.models.municipality import Municipality
from service.models.round import ScoringRound
from service.models.round_measure import RoundMeasure
from service.usecases.procedure.cadence_standards import standard_dates
from service.workflow import cadence
from service.workflow.states import RoundState


def interval_for(
    session: Session, rnd: ScoringRound, municipality: Municipality, *, first: bool
) -> cadence.Interval:
    """The measures' own rhythm (the most frequent of those the round evaluated), else the
    municipality's: its first follow-up after intake, then its interval."""
    own = [
        cadence.Interval(months=m or 0, weeks=w or 0)
        for m, w in session.exec(
            select(Measure.follow_up_months, Measure.follow_up_weeks)
            .join(RoundMeasure, col(RoundMeasure.measure_id) == col(Measure.id))
            .where(RoundMeasure.round_id == rnd.id)
        ).all()
        if m or w
    ]
    found = cadence.shortest(own)
    if found is not None:
        return found
    return cadence.Interval(
        months=municipality.first_follow_up_months if first else municipality.interval_months
    )


def next_due(session: Session, rnd: ScoringRound, completed: date | None = None) -> date:
    """From the date `rnd` was planned for (the previous round's next due date, or its own due
    date at intake), one interval on, and on along the rhythm past `completed` (the day the
    round was, or will be, completed): a late round does not push the later ones, and the
    next one is never due in the past."""
    return schedule(session, rnd, completed)[-1]


def schedule(session: Session, rnd: ScoringRound, completed: date | None = None) -> list[date]:
    """The rhythm's dates after the one `rnd` was planned for, up to the next due date: those
    before it were skipped while the round was late."""
    municipality = session.get(Municipality, rnd.municipality_id)
    assert municipality is not None
    # The case's latest other completed round: it said when this one was planned for.
    previous = session.exec(
        select(ScoringRound)
        .where(
            ScoringRound.case_id == rnd.case_id,
            ScoringRound.state == RoundState.COMPLETED,
            ScoringRound.id != rnd.id,
        )
        .order_by(col(ScoringRound.completed_at).desc(), col(ScoringRound.id).desc())
    ).first()
    planned = cadence.planned_for(
        previous.next_due_on if previous else None, rnd.due_at.astimezone(LOCAL_TIME).date()
    )
    if not _own_rhythm(session, rnd):
        # The municipality's written standard, where it has one for the case's measures.
        by_standard = standard_dates(
            session, rnd.municipality_id, _measures(session, rnd, planned), planned, completed
        )
        if by_standard:
            return by_standard
    interval = interval_for(session, rnd, municipality, first=previous is None)
    return cadence.rhythm(planned, interval, completed)


def _own_rhythm(session: Session, rnd: ScoringRound) -> bool:
    """Whether a measure the round evaluated has its own rhythm, which goes first."""
    return (
        session.exec(
            select(Measure.id)
            .join(RoundMeasure, col(RoundMeasure.measure_id) == col(Measure.id))
            .where(
                RoundMeasure.round_id == rnd.id,
                or_(
                    col(Measure.follow_up_months).is_not(None),
                    col(Measure.follow_up_weeks).is_not(None),
                ),
            )
        ).first()
        is not None
    )


def _measures(session: Session, rnd: ScoringRound, planned: date) -> list[Measure]:
    """The measures the round evaluated, or else the case's measures not ended by the date
    it was planned for."""
    evaluated = list(
        session.exec(
            select(Measure)
            .join(RoundMeasure, col(RoundMeasure.measure_id) == col(Measure.id))
            .where(RoundMeasure.round_id == rnd.id)
        ).all()
    )
    if evaluated:
        return evaluated
    return list(
        session.exec(
            select(Measure).where(
                Measure.case_id == rnd.case_id,
                or_(col(Measure.end_date).is_(None), col(Measure.end_date) >= planned),
            )
        ).all()
    )
