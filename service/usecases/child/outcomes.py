"""Goal attainment (målopfyldelse) of a completed round against the round it is measured
against."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from service.db import insert_rows
from service.models.instrument import Instrument, InstrumentFactor
from service.models.round import FactorOutcome, OfficialScore, ScoringRound
from service.usecases.administration.instruments import PublishedForm, published_form
from service.usecases.administration.mappings import mappings_in_force
from service.workflow import comparison
from service.workflow.outcomes import NoOutcome, attainment
from service.workflow.states import RoundState

#: Why a factor split out of an earlier one, or combined from several, has no outcome.
NEW_BASELINE = {
    comparison.Lineage.SPLIT: NoOutcome.SPLIT_AFTER_FORM_CHANGE,
    comparison.Lineage.MERGED: NoOutcome.MERGED_AFTER_FORM_CHANGE,
}


@dataclass(frozen=True, slots=True)
class MeasuredAgainst:
    """The earlier round a round is measured against, and how each of its factors maps onto
    that round's: the one rule for goal attainment and for the child's series."""

    round: ScoringRound
    basis: comparison.Basis

    @property
    def crossed_mapping(self) -> bool:
        return self.basis.crossing is comparison.Crossing.MAPPING


def measured_against(
    session: Session,
    rnd: ScoringRound,
    form: PublishedForm | None = None,
    *,
    before: datetime | None = None,
) -> MeasuredAgainst | None:
    """The round `rnd` is measured against (it is completing now, or completed earlier and is
    measured again; or, with `before`, one not completed yet, as if it completed then): the
    case's latest round completed before it on the same form, another version of it, or an
    instrument a declared mapping leads from (`comparison.compared_with`)."""
    cutoff = rnd.completed_at or before
    assert cutoff is not None
    form = form or published_form(session, rnd.instrument_id)
    rows = session.exec(
        select(ScoringRound, Instrument)
        .join(Instrument, col(Instrument.id) == col(ScoringRound.instrument_id))
        .where(
            ScoringRound.case_id == rnd.case_id,
            ScoringRound.state == RoundState.COMPLETED,
            ScoringRound.id != rnd.id,
            col(ScoringRound.completed_at) <= cutoff,
        )
    ).all()
    mappings = mappings_in_force(session)
    rounds = {r.id: r for r, _ in rows}
    current = comparison.RoundRef(rnd.id or 0, cutoff, form_ref(form))
    found = comparison.compared_with(
        current,
        [
            comparison.RoundRef(r.id or 0, r.completed_at or cutoff, instrument_ref(i))
            for r, i in rows
        ],
        mappings,
    )
    if found is None:
        return None
    earlier = form_ref(published_form(session, found.form.instrument_id))
    basis = comparison.basis(current.form, earlier, mappings)
    assert basis is not None
    return MeasuredAgainst(rounds[found.round_id], basis)


def previous_round(
    session: Session, rnd: ScoringRound, form: PublishedForm, *, before: datetime | None = None
) -> ScoringRound | None:
    """The round `rnd` is measured against (see `measured_against`)."""
    found = measured_against(session, rnd, form, before=before)
    return found.round if found else None


def form_ref(form: PublishedForm) -> comparison.FormRef:
    return comparison.FormRef(
        form.instrument_id,
        form.key,
        form.form.version,
        form.scale,
        tuple(f.key for f in form.factors),
    )


def instrument_ref(instrument: Instrument) -> comparison.FormRef:
    return comparison.FormRef(
        instrument.id or 0, instrument.key, instrument.version, instrument.scale
    )


def store_outcomes(session: Session, rnd: ScoringRound, factor_ids: set[int] | None = None) -> None:
    """Goal attainment of every factor (or of `factor_ids`) against the round measured
    against, its statuses and goals translated onto this round's scale where it crossed a
    mapping. A factor split out of an earlier one, or combined from several, starts a new
    baseline: no outcome, no earlier status, and the reason why."""
    form = published_form(session, rnd.instrument_id)
    found = measured_against(session, rnd, form)
    before = found.round if found else None
    rnd.previous_round_id = before.id if before else None
    rnd.previous_crossing = found.basis.crossing if found else None
    mapping = found.basis.mapping if found else None
    rnd.previous_mapping_id = mapping.id if mapping else None
    officials = {
        o.factor_id: o
        for o in session.exec(select(OfficialScore).where(OfficialScore.round_id == rnd.id)).all()
    }
    earlier: dict[str, comparison.Official] = {}
    if before is not None:
        for official, key in session.exec(
            select(OfficialScore, InstrumentFactor.key)
            .join(InstrumentFactor, col(InstrumentFactor.id) == col(OfficialScore.factor_id))
            .where(OfficialScore.round_id == before.id)
        ).all():
            earlier[key] = (official.score, official.goal)
    outcomes = []
    for factor in form.factors:
        fid = factor.id or 0
        if factor_ids is not None and fid not in factor_ids:
            continue
        current = officials.get(fid)
        prior = found.basis.earlier_official(factor.key, earlier) if found else None
        sources = [k for k in found.basis.sources(factor.key) if k in earlier] if found else []
        baseline = NEW_BASELINE.get(found.basis.lineage(factor.key)) if found else None
        if found is None:
            result = None
            why: NoOutcome | None = NoOutcome.NO_PREVIOUS_ROUND
        elif prior is None:
            result, why = None, NoOutcome.NOT_IN_PREVIOUS_ROUND
        elif baseline is not None:
            # No goal was set for this factor: its first round on the new form is a new
            # baseline, and no earlier status stands in for its own (nor counts in a report).
            result, why, prior = None, baseline, None
        else:
            got = attainment(form.scale, prior[0], prior[1], current.score if current else None)
            result, why = got.outcome, got.no_outcome
        outcomes.append(
            FactorOutcome(
                municipality_id=rnd.municipality_id,
                round_id=rnd.id or 0,
                factor_id=fid,
                previous_round_id=before.id if before else None,
                previous_factor_keys=sources,
                previous_score=prior[0] if prior else None,
                previous_goal=prior[1] if prior else None,
                score=current.score if current else None,
                outcome=result,
                no_outcome=why,
            )
        )
    insert_rows(session, outcomes)


def renew_outcomes(session: Session, rnd: ScoringRound, factor_ids: set[int]) -> None:
    for outcome in session.exec(
        select(FactorOutcome).where(
            FactorOutcome.round_id == rnd.id, col(FactorOutcome.factor_id).in_(factor_ids)
        )
    ).all():
        session.delete(outcome)
    session.flush()
    store_outcomes(session, rnd, factor_ids=factor_ids)
