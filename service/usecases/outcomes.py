"""Goal attainment (målopfyldelse) of a completed round against the case's previous one, and
when the next round is due."""

from __future__ import annotations

from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from service.db import insert_rows
from service.models.instrument import Instrument, InstrumentFactor
from service.models.municipality import Municipality
from service.models.round import FactorOutcome, OfficialScore, ScoringRound
from service.usecases.instruments import PublishedForm, published_form
from service.workflow.outcomes import NoOutcome, attainment
from service.workflow.states import RoundState


def previous_round(session: Session, rnd: ScoringRound, form: PublishedForm) -> ScoringRound | None:
    """The case's latest round on the same instrument family and scale completed before `rnd`
    (which is completing now, or completed earlier and is being measured again).

    Versions of one family are declared comparable factor by factor through the factor key."""
    assert rnd.completed_at is not None
    return session.exec(
        select(ScoringRound)
        .join(Instrument, col(Instrument.id) == col(ScoringRound.instrument_id))
        .where(
            ScoringRound.case_id == rnd.case_id,
            ScoringRound.state == RoundState.COMPLETED,
            ScoringRound.id != rnd.id,
            or_(
                col(ScoringRound.completed_at) < rnd.completed_at,
                and_(
                    col(ScoringRound.completed_at) == rnd.completed_at,
                    col(ScoringRound.id) < rnd.id,
                ),
            ),
            Instrument.key == form.key,
            Instrument.scale_min == form.scale.minimum,
            Instrument.scale_max == form.scale.maximum,
            Instrument.best_end == form.scale.best_end,
        )
        .order_by(col(ScoringRound.completed_at).desc(), col(ScoringRound.id).desc())
    ).first()


def store_outcomes(session: Session, rnd: ScoringRound, factor_ids: set[int] | None = None) -> None:
    form = published_form(session, rnd.instrument_id)
    before = previous_round(session, rnd, form)
    rnd.previous_round_id = before.id if before else None
    factors = form.factors
    officials = {
        o.factor_id: o
        for o in session.exec(select(OfficialScore).where(OfficialScore.round_id == rnd.id)).all()
    }
    earlier: dict[str, OfficialScore] = {}
    if before is not None:
        for official, key in session.exec(
            select(OfficialScore, InstrumentFactor.key)
            .join(InstrumentFactor, col(InstrumentFactor.id) == col(OfficialScore.factor_id))
            .where(OfficialScore.round_id == before.id)
        ).all():
            earlier[key] = official
    outcomes = []
    for factor in factors:
        fid = factor.id or 0
        if factor_ids is not None and fid not in factor_ids:
            continue
        current = officials.get(fid)
        prior = earlier.get(factor.key)
        if before is None:
            result = None
            why: NoOutcome | None = NoOutcome.NO_PREVIOUS_ROUND
        elif prior is None:
            result, why = None, NoOutcome.NOT_IN_PREVIOUS_ROUND
        else:
            found = attainment(
                form.scale, prior.score, prior.goal, current.score if current else None
            )
            result, why = found.outcome, found.no_outcome
        outcomes.append(
            FactorOutcome(
                municipality_id=rnd.municipality_id,
                round_id=rnd.id or 0,
                factor_id=fid,
                previous_round_id=before.id if before else None,
                previous_score=prior.score if prior else None,
                previous_goal=prior.goal if prior else None,
                score=current.score if current else None,
                outcome=result,
                no_outcome=why,
            )
        )
    insert_rows(session, outcomes)


def next_due(session: Session, rnd: ScoringRound, now: datetime) -> date:
    """From the municipality's cadence: intake, + first follow-up, then every interval."""
    municipality = session.get(Municipality, rnd.municipality_id)
    assert municipality is not None
    earlier_completed = session.exec(
        select(func.count())
        .select_from(ScoringRound)
        .where(
            ScoringRound.case_id == rnd.case_id,
            ScoringRound.state == RoundState.COMPLETED,
            ScoringRound.id != rnd.id,
        )
    ).one()
    months = (
        municipality.first_follow_up_months
        if earlier_completed == 0
        else municipality.interval_months
    )
    return (now + relativedelta(months=months)).date()


def renew_outcomes(session: Session, rnd: ScoringRound, factor_ids: set[int]) -> None:
    for outcome in session.exec(
        select(FactorOutcome).where(
            FactorOutcome.round_id == rnd.id, col(FactorOutcome.factor_id).in_(factor_ids)
        )
    ).all():
        session.delete(outcome)
    session.flush()
    store_outcomes(session, rnd, factor_ids=factor_ids)
