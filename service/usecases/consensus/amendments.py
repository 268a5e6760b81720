"""Amendments: a correction of a completed round's official score keeps the values it
replaces, renews the notes and the outcomes measured against it."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.errors import Conflict
from service.models.case import Case
from service.models.municipality import Municipality
from service.models.round import DisagreementNote, OfficialScoreAmendment, ScoringRound
from service.schemas.rounds import AmendmentCreate, RoundResult
from service.usecases.administration.instruments import published_form
from service.usecases.child.outcomes import measured_against, renew_outcomes
from service.usecases.child.results import result
from service.usecases.consensus.notes import store_notes
from service.usecases.consensus.official_scores import check_entry, deciding_as, record_substitution
from service.usecases.consensus.round_disagreement import store_disagreement
from service.usecases.data_rights import audit
from service.usecases.procedure.round_data import DECIDING_STEPS, load_round_data
from service.usecases.procedure.rounds import load_round, report_ready
from service.workflow.procedures import InformantStep
from service.workflow.states import RoundState


def amend_round(
    session: Session, actor: Actor, round_id: int, body: AmendmentCreate, now: datetime
) -> RoundResult:
    rnd, case, municipality = load_round(session, actor, round_id, lock=True)
    amend(session, actor, rnd, case, municipality, body, now)
    report_ready(session, rnd, now)
    session.flush()
    return result(session, rnd)


def amend(
    session: Session,
    actor: Actor,
    rnd: ScoringRound,
    case: Case,
    municipality: Municipality,
    body: AmendmentCreate,
    now: datetime,
) -> None:
    """Correct a completed round's official score: the replaced values are kept."""
    substitute = deciding_as(actor, case, body.substitute_reason)
    if rnd.state is not RoundState.COMPLETED:
        raise Conflict(
            "Only a completed round is amended; before that, set the official score.",
            code="not_completed",
            state=rnd.state.value,
        )
    # Weighed against the same informants as the first decision.
    data = load_round_data(session, rnd, DECIDING_STEPS)
    factor = data.factor_by_key(body.factor_key)
    decision = check_entry(data, factor, body, municipality.divergence_threshold)
    fid = factor.id or 0
    official = data.officials[fid]
    session.add(
        OfficialScoreAmendment(
            municipality_id=rnd.municipality_id,
            round_id=rnd.id or 0,
            official_score_id=official.id or 0,
            factor_id=fid,
            previous_score=official.score,
            previous_goal=official.goal,
            previous_rationale=official.rationale,
            previous_not_assessed_reason=official.not_assessed_reason,
            score=decision.score,
            goal=decision.goal,
            rationale=decision.rationale,
            not_assessed_reason=decision.not_assessed_reason,
            reason=body.reason,
            amended_by_id=actor.id,
            substitute_reason=substitute,
            amended_at=now,
        )
    )
    official.score, official.goal, official.rationale = (
        decision.score,
        decision.goal,
        decision.rationale,
    )
    official.not_assessed_reason = decision.not_assessed_reason if decision.score is None else ""
    official.set_by_id, official.set_at = actor.id, now
    official.substitute_reason = substitute
    session.add(official)
    if substitute:
        record_substitution(session, actor, rnd, substitute, [factor.key], now)
    # The notes of this factor are kept, marked superseded, and made anew against the new score.
    for note in session.exec(
        select(DisagreementNote).where(
            DisagreementNote.round_id == rnd.id,
            DisagreementNote.factor_id == fid,
            col(DisagreementNote.superseded_at).is_(None),
        )
    ).all():
        note.superseded_at = now
        session.add(note)
    session.flush()
    for step in (InformantStep.INDEPENDENT, InformantStep.FAMILY):
        store_notes(session, rnd, step, now, factor_ids={fid})
    renew_outcomes(session, rnd, {fid})
    store_disagreement(session, [rnd])  # the report's sums follow the amended score
    # A later round measured its goal attainment against this one: its outcomes for the
    # factors measured against this factor (by key, or through a mapping) are measured again.
    renewed = []
    for later in session.exec(
        select(ScoringRound).where(
            ScoringRound.previous_round_id == rnd.id, ScoringRound.state == RoundState.COMPLETED
        )
    ).all():
        found = measured_against(session, later)
        if found is None or found.round.id != rnd.id:
            continue
        later_form = published_form(session, later.instrument_id)
        ids = {f.id for f in later_form.factors if f.key in found.basis.dependents(factor.key)}
        if ids:
            renew_outcomes(session, later, ids)
            later.revision += 1  # its cached views are renewed
            renewed.append(later.id)
    audit.record(
        session,
        actor,
        "round.amend",
        "round",
        rnd.id or 0,
        case_id=rnd.case_id,
        detail={"factor": factor.key, "reason": body.reason, "outcomes_renewed_in": renewed},
    )
