"""The result of a round: official scores and goals, disagreement notes, outcomes and
amendments."""

from __future__ import annotations

from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.models.round import FactorOutcome, OfficialScoreAmendment, ScoringRound
from service.schemas.rounds import (
    AmendmentPublic,
    ComparisonPublic,
    FactorResult,
    OutcomePublic,
    RoundResult,
)
from service.usecases import audit
from service.usecases.notes import note_public, stored_notes
from service.usecases.round_data import load_round_data, official_public
from service.usecases.rounds import load_round
from service.workflow.comparison import Crossing


def round_result(session: Session, actor: Actor, round_id: int) -> RoundResult:
    rnd, case, _ = load_round(session, actor, round_id)
    audit.record(session, actor, "round.result.read", "round", round_id, case_id=case.id)
    return result(session, rnd)


def result(session: Session, rnd: ScoringRound) -> RoundResult:
    data = load_round_data(session, rnd, set())
    stored = stored_notes(session, rnd)
    outcomes = {
        o.factor_id: o
        for o in session.exec(select(FactorOutcome).where(FactorOutcome.round_id == rnd.id)).all()
    }
    keys = {f.id or 0: f.key for f in data.factors}
    amendments = session.exec(
        select(OfficialScoreAmendment)
        .where(OfficialScoreAmendment.round_id == rnd.id)
        .order_by(col(OfficialScoreAmendment.amended_at), col(OfficialScoreAmendment.id))
    ).all()
    factors = []
    for factor in data.factors:
        fid = factor.id or 0
        official = data.officials.get(fid)
        outcome = outcomes.get(fid)
        factors.append(
            FactorResult(
                factor_key=factor.key,
                position=factor.position,
                name_da=factor.name_da,
                name_en=factor.name_en,
                official=official_public(factor, official) if official else None,
                disagreements=[note_public(n) for n in stored.get(fid, [])],
                outcome=OutcomePublic(
                    factor_key=factor.key,
                    previous_factor_keys=outcome.previous_factor_keys,
                    previous_score=outcome.previous_score,
                    previous_goal=outcome.previous_goal,
                    score=outcome.score,
                    outcome=outcome.outcome,
                    no_outcome=outcome.no_outcome,
                )
                if outcome
                else None,
            )
        )
    return RoundResult(
        round_id=rnd.id or 0,
        state=rnd.state,
        previous_round_id=rnd.previous_round_id,
        comparison=ComparisonPublic(
            previous_round_id=rnd.previous_round_id,
            crossing=rnd.previous_crossing,
            crossed_mapping=rnd.previous_crossing is Crossing.MAPPING,
            mapping_id=rnd.previous_mapping_id,
        )
        if rnd.previous_round_id is not None and rnd.previous_crossing is not None
        else None,
        next_due_on=rnd.next_due_on,
        factors=factors,
        amendments=[
            AmendmentPublic(
                factor_key=keys[a.factor_id],
                previous_score=a.previous_score,
                previous_goal=a.previous_goal,
                previous_rationale=a.previous_rationale,
                score=a.score,
                goal=a.goal,
                rationale=a.rationale,
                reason=a.reason,
                amended_by_id=a.amended_by_id,
                amended_at=a.amended_at,
            )
            for a in amendments
        ],
    )
