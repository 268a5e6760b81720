"""The measures a round evaluates (foranstaltninger): recorded when it opens, from the case's
measures in force in the round's period or the ones it was opened for, and read back for many
rounds at once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import UTC, date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from service.db import insert_rows
from service.errors import Unprocessable
from service.models.case import Measure, Provider
from service.models.round import ScoringRound
from service.models.round_measure import RoundMeasure, RoundMeasureOrigin
from service.schemas.rounds import RoundMeasurePublic
from service.workflow.measures import Period, in_force, round_period
from service.workflow.states import RoundState


def period(session: Session, rnd: ScoringRound) -> Period:
    """From the case's previous completed round (or the opening) to the due date."""
    last = session.exec(
        select(func.max(ScoringRound.completed_at)).where(
            ScoringRound.case_id == rnd.case_id,
            ScoringRound.state == RoundState.COMPLETED,
            ScoringRound.id != rnd.id,
        )
    ).one()
    return round_period(_day(rnd.created_at), _day(rnd.due_at), _day(last) if last else None)


def _day(value: datetime) -> date:
    return value.astimezone(UTC).date()


def case_measures(session: Session, case_id: int, measure_ids: Collection[int]) -> list[Measure]:
    """The case's measures with these ids; 422 naming any that are not the case's."""
    found = list(
        session.exec(
            select(Measure).where(Measure.case_id == case_id, col(Measure.id).in_(measure_ids))
        ).all()
    )
    missing = sorted(set(measure_ids) - {m.id for m in found})
    if missing:
        raise Unprocessable(
            f"Not measures of this case: {', '.join(map(str, missing))}.",
            code="measure_not_in_case",
            measure_ids=missing,
        )
    return found


def record_at_opening(
    session: Session, rnd: ScoringRound, measure_ids: Collection[int] | None, now: datetime
) -> None:
    """The measures the round was opened for, or else every one in force in its period."""
    if measure_ids is not None:
        requested = case_measures(session, rnd.case_id, measure_ids)
        add(session, rnd, requested, RoundMeasureOrigin.REQUESTED, now)
        return
    span = period(session, rnd)
    measures = [
        m
        for m in session.exec(select(Measure).where(Measure.case_id == rnd.case_id)).all()
        if in_force(m.start_date, m.end_date, span)
    ]
    add(session, rnd, measures, RoundMeasureOrigin.OPENING, now)


def add(
    session: Session,
    rnd: ScoringRound,
    measures: Iterable[Measure],
    origin: RoundMeasureOrigin,
    now: datetime,
) -> None:
    insert_rows(
        session,
        [
            RoundMeasure(
                municipality_id=rnd.municipality_id,
                round_id=rnd.id or 0,
                measure_id=m.id or 0,
                provider_id=m.provider_id,
                origin=origin,
                recorded_at=now,
            )
            for m in measures
        ],
    )


def measures_of(
    session: Session, round_ids: Collection[int]
) -> dict[int, list[RoundMeasurePublic]]:
    """The measures of each of these rounds, in one query."""
    found: dict[int, list[RoundMeasurePublic]] = defaultdict(list)
    if not round_ids:
        return found
    rows = session.exec(
        select(RoundMeasure, Measure, Provider.name)
        .join(Measure, col(Measure.id) == col(RoundMeasure.measure_id))
        .outerjoin(Provider, col(Provider.id) == col(RoundMeasure.provider_id))
        .where(col(RoundMeasure.round_id).in_(round_ids))
        .order_by(col(Measure.start_date), col(Measure.id))
    ).all()
    for recorded, measure, provider_name in rows:
        found[recorded.round_id].append(
            RoundMeasurePublic(
                measure_id=measure.id or 0,
                type=measure.type,
                category=measure.category,
                paragraph=measure.paragraph,
                provider_id=recorded.provider_id,
                provider_name=provider_name,
                description=measure.description,
                start_date=measure.start_date,
                end_date=measure.end_date,
                origin=recorded.origin,
            )
        )
    return found
