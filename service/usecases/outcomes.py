"""Goal attainment (målopfyldelse) of a completed round against the case's previous one, and
when the next round is due."""

from __future__ import annotations

from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from sqlalchemy import func
from sqlmodel import Session, col, select

from service.db import insert_rows
from service.models.instrument import Instrument, InstrumentFactor
from service.models.municipality import Municipality
from service.models.round import FactorOutcome, OfficialScore, ScoringRound
from service.usecases.instruments import PublishedForm, published_form
from service.workflow import comparison
from service.workflow.outcomes import NoOutcome, attainment
from service.workflow.states import RoundState


def previous_round(session: Session, rnd: ScoringRound, form: PublishedForm) -> ScoringRound | None:
    """The round `rnd` is measured against (which is completing now, or completed earlier and
    is being measured again): `comparison.compared_with` decides, among the case's completed
    rounds."""
    assert rnd.completed_at is not None
    rows = session.exec(
        select(ScoringRound, Instrument)
        .join(Instrument, col(Instrument.id) == col(ScoringRound.instrument_id))
        .where(
            ScoringRound.case_id == rnd.case_id,
            ScoringRound.state == RoundState.COMPLETED,
            ScoringRound.id != rnd.id,
            col(ScoringRound.completed_at) <= rnd.completed_at,
        )
    ).all()
    rounds = {r.id: r for r, _ in rows}
    current = comparison.RoundRef(rnd.id or 0, rnd.completed_at, form_ref(form))
    found = comparison.compared_with(
        current,
        [
            comparison.RoundRef(r.id or 0, r.completed_at or rnd.completed_at, instrument_ref(i))
            for r, i in rows
        ],
    )
    return rounds[found.round_id] if found else None


def form_ref(form: PublishedForm) -> comparison.FormRef:
    return comparison.FormRef(form.instrument_id, form.key, form.form.version, form.scale)


def instrument_ref(instrument: Instrument) -> comparison.FormRef:
    return comparison.FormRef(
        instrument.id or 0, instrument.key, instrument.version, instrument.scale
    )


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
