"""Use cases of the consensus: what the meeting sees, the caseworker's official scores, the
disagreement notes kept beside them, goal attainment, and amendments of a completed round.

Every read here is a fixed number of queries, whatever the number of informants or factors.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from sqlalchemy import and_, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.db import insert_rows
from service.errors import Conflict, Unprocessable
from service.models.instrument import Instrument, InstrumentFactor
from service.models.municipality import Municipality
from service.models.round import (
    DisagreementNote,
    FactorOutcome,
    Informant,
    OfficialScore,
    OfficialScoreAmendment,
    ScoringRound,
    Submission,
    SubmissionScore,
    SubmissionStatus,
)
from service.notifications import outbox
from service.schemas.rounds import (
    AmendmentCreate,
    AmendmentPublic,
    ConsensusView,
    DisagreementPublic,
    FactorConsensus,
    FactorResult,
    InformantScorePublic,
    OfficialPublic,
    OfficialScoresWrite,
    OfficialScoreWrite,
    OutcomePublic,
    RoundResult,
)
from service.usecases import audit
from service.usecases.instruments import FactorInfo, PublishedForm, published_form
from service.workflow import consensus as rules
from service.workflow.machine import RoundFacts
from service.workflow.outcomes import NoOutcome, attainment
from service.workflow.procedures import InformantStep
from service.workflow.scale import Scale
from service.workflow.states import RoundEvent, RoundState

#: States in which the independent scores may be seen (the independent step is closed).
SCORES_VISIBLE = frozenset(
    {
        RoundState.CONSENSUS,
        RoundState.FAMILY_DIALOGUE,
        RoundState.PROVIDER_INFORMATION,
        RoundState.COMPLETED,
    }
)


# --- facts for the guards ---------------------------------------------------------------


def gather_facts(session: Session, rnd: ScoringRound) -> RoundFacts:
    """What the state machine's guards need, in two queries."""
    submitted = session.exec(
        select(Informant.step, func.count())
        .select_from(Submission)
        .join(Informant, col(Informant.id) == col(Submission.informant_id))
        .where(Submission.round_id == rnd.id, Submission.status == SubmissionStatus.SUBMITTED)
        .group_by(col(Informant.step))
    ).all()
    by_step = {InformantStep(step): n for step, n in submitted}
    factors = len(published_form(session, rnd.instrument_id).factors)
    settled = session.exec(
        select(func.count()).select_from(OfficialScore).where(OfficialScore.round_id == rnd.id)
    ).one()
    return RoundFacts(
        state=rnd.state.value,
        independent_submissions=by_step.get(InformantStep.INDEPENDENT, 0),
        family_submissions=by_step.get(InformantStep.FAMILY, 0),
        unsettled_factors=factors - settled,
    )


# --- loading a round's data -------------------------------------------------------------


@dataclass
class RoundData:
    form: PublishedForm
    informants: dict[int, Informant]
    #: factor id -> the submitted informant scores on it
    scores: dict[int, list[rules.InformantScore]]
    on_behalf: set[int]
    officials: dict[int, OfficialScore]

    @property
    def scale(self) -> Scale:
        return self.form.scale

    @property
    def factors(self) -> tuple[FactorInfo, ...]:
        return self.form.factors

    def factor_by_key(self, key: str) -> FactorInfo:
        factor = self.form.factor(key)
        if factor is not None:
            return factor
        raise Unprocessable(
            f"The instrument has no factor {key!r}.", code="unknown_factor", factor_key=key
        )


def load_round_data(session: Session, rnd: ScoringRound, steps: set[InformantStep]) -> RoundData:
    form = published_form(session, rnd.instrument_id)
    informants = {
        i.id or 0: i
        for i in session.exec(
            select(Informant).where(Informant.round_id == rnd.id).order_by(col(Informant.id))
        ).all()
    }
    scores: dict[int, list[rules.InformantScore]] = defaultdict(list)
    on_behalf: set[int] = set()
    # Plain rows, not ORM objects: a meeting has informants x factors of them.
    rows = session.execute(
        sa_select(
            col(SubmissionScore.factor_id),
            col(SubmissionScore.score),
            col(SubmissionScore.goal),
            col(SubmissionScore.comment),
            col(Submission.informant_id),
            col(Submission.entered_by_id),
        )
        .join(Submission, col(Submission.id) == col(SubmissionScore.submission_id))
        .where(
            col(Submission.round_id) == rnd.id,
            col(Submission.status) == SubmissionStatus.SUBMITTED,
        )
        .order_by(col(Submission.informant_id), col(SubmissionScore.factor_id))
    ).all()
    for factor_id, score, goal, comment, informant_id, entered_by in rows:
        informant = informants[informant_id]
        if informant.step not in steps:
            continue
        if entered_by is not None and entered_by != informant.staff_user_id:
            on_behalf.add(informant_id)
        scores[factor_id].append(
            rules.InformantScore(
                informant_id=informant_id,
                role=informant.role,
                name=informant.name,
                score=score,
                goal=goal,
                comment=comment,
            )
        )
    officials = {
        o.factor_id: o
        for o in session.exec(select(OfficialScore).where(OfficialScore.round_id == rnd.id)).all()
    }
    return RoundData(form, informants, scores, on_behalf, officials)


def _visible_steps(rnd: ScoringRound) -> set[InformantStep]:
    """The family's scores join the view from the family dialogue on."""
    steps = {InformantStep.INDEPENDENT}
    if rnd.state in (
        RoundState.FAMILY_DIALOGUE,
        RoundState.PROVIDER_INFORMATION,
        RoundState.COMPLETED,
    ):
        steps.add(InformantStep.FAMILY)
    return steps


def _decision(official: OfficialScore) -> rules.OfficialDecision:
    return rules.OfficialDecision(
        official.score, official.goal, official.rationale, official.not_assessed_reason
    )


def _official_public(factor: FactorInfo, official: OfficialScore) -> OfficialPublic:
    return OfficialPublic(
        factor_key=factor.key,
        score=official.score,
        goal=official.goal,
        rationale=official.rationale,
        not_assessed=official.score is None,
        not_assessed_reason=official.not_assessed_reason,
        set_by_id=official.set_by_id,
        set_at=official.set_at,
    )


def _note_public(note: DisagreementNote) -> DisagreementPublic:
    return DisagreementPublic.model_validate(note, from_attributes=True)


def _preview_notes(
    data: RoundData, factor: FactorInfo, official: OfficialScore
) -> list[DisagreementPublic]:
    return [
        DisagreementPublic(
            informant_id=d.informant.informant_id,
            informant_role=d.informant.role,
            informant_name=d.informant.name,
            step=data.informants[d.informant.informant_id].step,
            informant_score=d.informant.score or 0,
            informant_goal=d.informant.goal,
            informant_comment=d.informant.comment,
            official_score=d.official_score,
            official_goal=d.official_goal,
            note=official.rationale,
        )
        for d in rules.disagreements(data.scores.get(factor.id or 0, []), _decision(official))
    ]


def _stored_notes(session: Session, rnd: ScoringRound) -> dict[int, list[DisagreementNote]]:
    notes: dict[int, list[DisagreementNote]] = defaultdict(list)
    for note in session.exec(
        select(DisagreementNote)
        .where(DisagreementNote.round_id == rnd.id, col(DisagreementNote.superseded_at).is_(None))
        .order_by(col(DisagreementNote.id))
    ).all():
        notes[note.factor_id].append(note)
    return notes


# --- the meeting view -------------------------------------------------------------------


def _require_visible(rnd: ScoringRound) -> None:
    if rnd.state not in SCORES_VISIBLE:
        raise Conflict(
            "The informants' scores stay hidden until the independent step closes.",
            code="scores_hidden",
            state=rnd.state.value,
        )


def meeting_view(session: Session, rnd: ScoringRound, municipality: Municipality) -> ConsensusView:
    """Per factor, every informant's score, goal and comment side by side, the most divergent
    first; hidden until the independent step closes."""
    _require_visible(rnd)
    return _cached_view(session, rnd, municipality.divergence_threshold)[0]


def meeting_view_json(session: Session, rnd: ScoringRound, municipality: Municipality) -> bytes:
    """The meeting view, serialized once per revision of the round."""
    _require_visible(rnd)
    return _cached_view(session, rnd, municipality.divergence_threshold)[1]


# Meeting views by (database, round, revision, threshold): a meeting page is read again and
# again while nothing changes; any change bumps the round's revision.
_views: dict[tuple[str, int, int, int], tuple[ConsensusView, bytes]] = {}
_views_lock = threading.Lock()


def _cached_view(
    session: Session, rnd: ScoringRound, threshold: int
) -> tuple[ConsensusView, bytes]:
    key = (str(session.get_bind().engine.url), rnd.id or 0, rnd.revision, threshold)
    cached = _views.get(key)
    if cached is None:
        view = _meeting_view(session, rnd, threshold)
        cached = (view, view.model_dump_json().encode())
        with _views_lock:
            if len(_views) > 2000:
                _views.clear()
            _views[key] = cached
    return cached


def _meeting_view(session: Session, rnd: ScoringRound, threshold: int) -> ConsensusView:
    data = load_round_data(session, rnd, _visible_steps(rnd))
    stored = _stored_notes(session, rnd)
    spreads = {f.key: rules.spread(data.scores.get(f.id or 0, [])) for f in data.factors}
    positions = {f.key: f.position for f in data.factors}
    by_key = {f.key: f for f in data.factors}
    submitted = {s.informant_id for scores in data.scores.values() for s in scores}
    factors = []
    for key in rules.order_by_divergence(spreads, positions):
        factor = by_key[key]
        fid = factor.id or 0
        official = data.officials.get(fid)
        spread = spreads[key]
        if fid in stored:
            notes = [_note_public(n) for n in stored[fid]]
        elif official is not None:
            notes = _preview_notes(data, factor, official)
        else:
            notes = []
        factors.append(
            FactorConsensus(
                factor_key=key,
                position=factor.position,
                name_da=factor.name_da,
                name_en=factor.name_en,
                scores=[
                    InformantScorePublic(
                        informant_id=s.informant_id,
                        role=s.role,
                        name=s.name,
                        step=data.informants[s.informant_id].step,
                        score=s.score,
                        cannot_assess=s.score is None,
                        goal=s.goal,
                        comment=s.comment,
                        entered_on_behalf=s.informant_id in data.on_behalf,
                    )
                    for s in data.scores.get(fid, [])
                ],
                spread_min=spread.minimum,
                spread_max=spread.maximum,
                spread=spread.width,
                diverges=spread.diverges(threshold),
                official=_official_public(factor, official) if official else None,
                disagreements=notes,
            )
        )
    missing = [
        f"{i.name} ({i.role.value})"
        for i in data.informants.values()
        if i.step in _visible_steps(rnd) and (i.id or 0) not in submitted
    ]
    return ConsensusView(
        round_id=rnd.id or 0,
        state=rnd.state,
        divergence_threshold=threshold,
        not_submitted=missing,
        factors=factors,
    )


# --- official scores --------------------------------------------------------------------


def _check(
    data: RoundData, factor: FactorInfo, entry: OfficialScoreWrite, threshold: int
) -> rules.OfficialDecision:
    decision = rules.OfficialDecision(
        entry.score, entry.goal, entry.rationale, entry.not_assessed_reason
    )
    try:
        rules.check_decision(
            data.scale, decision, rules.spread(data.scores.get(factor.id or 0, [])), threshold
        )
    except rules.DecisionRefused as exc:
        raise Unprocessable(
            str(exc), code=exc.code, factor_key=factor.key, field=exc.field
        ) from exc
    return decision


def set_official_scores(
    session: Session,
    actor: Actor,
    rnd: ScoringRound,
    municipality: Municipality,
    body: OfficialScoresWrite,
    now: datetime,
) -> None:
    """Record the official score and goal per factor (trin 2); the caller holds the lock."""
    if rnd.state is not RoundState.CONSENSUS:
        raise Conflict(
            "Official scores are set in the consensus step"
            + (
                " ; a completed round is changed by an amendment."
                if rnd.state is RoundState.COMPLETED
                else "."
            ),
            code="not_in_consensus",
            state=rnd.state.value,
        )
    data = load_round_data(session, rnd, {InformantStep.INDEPENDENT})
    new: list[OfficialScore] = []
    for entry in body.scores:
        factor = data.factor_by_key(entry.factor_key)
        decision = _check(data, factor, entry, municipality.divergence_threshold)
        official = data.officials.get(factor.id or 0)
        if official is None:
            official = OfficialScore(
                municipality_id=rnd.municipality_id,
                round_id=rnd.id or 0,
                factor_id=factor.id or 0,
                set_by_id=actor.id,
            )
            new.append(official)
        else:
            session.add(official)  # the ORM batches the UPDATEs of changed rows
        official.score, official.goal = decision.score, decision.goal
        official.rationale = decision.rationale
        official.not_assessed_reason = (
            decision.not_assessed_reason if decision.score is None else ""
        )
        official.set_by_id, official.set_at = actor.id, now
    insert_rows(session, new)
    audit.record(
        session,
        actor,
        "round.official_scores",
        "round",
        rnd.id or 0,
        case_id=rnd.case_id,
        detail={"factors": [e.factor_key for e in body.scores]},
    )


# --- effects of transitions -------------------------------------------------------------


def after_transition(
    session: Session, rnd: ScoringRound, event: RoundEvent, reason: str | None, now: datetime
) -> None:
    if event in (RoundEvent.CLOSE_COLLECTION, RoundEvent.CANCEL):
        outbox.cancel_reminders(session, round_id=rnd.id)
    if event is RoundEvent.CLOSE_COLLECTION:
        rnd.collection_closed_at = now
    elif event is RoundEvent.FINISH_CONSENSUS:
        _store_notes(session, rnd, InformantStep.INDEPENDENT, now)
    elif event is RoundEvent.FINISH_FAMILY_DIALOGUE:
        _store_notes(session, rnd, InformantStep.FAMILY, now)
        rnd.family_note = reason
    elif event is RoundEvent.INFORM_PROVIDER:
        rnd.provider_informed_at = now
    elif event is RoundEvent.CANCEL:
        rnd.cancelled_at, rnd.cancel_reason = now, reason
    if rnd.state is RoundState.COMPLETED:
        rnd.completed_at = now
        _store_outcomes(session, rnd)
        rnd.next_due_on = _next_due(session, rnd, now)


def _store_notes(
    session: Session,
    rnd: ScoringRound,
    step: InformantStep,
    now: datetime,
    factor_ids: set[int] | None = None,
) -> None:
    """Keep every differing informant score of `step` beside the official score (one insert)."""
    data = load_round_data(session, rnd, {step})
    notes = []
    for factor in data.factors:
        fid = factor.id or 0
        official = data.officials.get(fid)
        if official is None or (factor_ids is not None and fid not in factor_ids):
            continue
        for d in rules.disagreements(data.scores.get(fid, []), _decision(official)):
            notes.append(
                DisagreementNote(
                    municipality_id=rnd.municipality_id,
                    round_id=rnd.id or 0,
                    factor_id=fid,
                    informant_id=d.informant.informant_id,
                    informant_role=d.informant.role,
                    informant_name=d.informant.name,
                    step=step,
                    informant_score=d.informant.score or 0,
                    informant_goal=d.informant.goal,
                    informant_comment=d.informant.comment,
                    official_score=d.official_score,
                    official_goal=d.official_goal,
                    note=official.rationale,
                    created_at=now,
                )
            )
    insert_rows(session, notes)


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


def _store_outcomes(
    session: Session, rnd: ScoringRound, factor_ids: set[int] | None = None
) -> None:
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


def _next_due(session: Session, rnd: ScoringRound, now: datetime) -> date:
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


# --- the result and amendments ----------------------------------------------------------


def result(session: Session, rnd: ScoringRound) -> RoundResult:
    data = load_round_data(session, rnd, set())
    stored = _stored_notes(session, rnd)
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
                official=_official_public(factor, official) if official else None,
                disagreements=[_note_public(n) for n in stored.get(fid, [])],
                outcome=OutcomePublic(
                    factor_key=factor.key,
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


def amend(
    session: Session,
    actor: Actor,
    rnd: ScoringRound,
    municipality: Municipality,
    body: AmendmentCreate,
    now: datetime,
) -> None:
    """Correct a completed round's official score: the replaced values are kept."""
    if rnd.state is not RoundState.COMPLETED:
        raise Conflict(
            "Only a completed round is amended; before that, set the official score.",
            code="not_completed",
            state=rnd.state.value,
        )
    data = load_round_data(session, rnd, {InformantStep.INDEPENDENT, InformantStep.FAMILY})
    factor = data.factor_by_key(body.factor_key)
    decision = _check(data, factor, body, municipality.divergence_threshold)
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
    session.add(official)
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
        _store_notes(session, rnd, step, now, factor_ids={fid})
    _renew_outcomes(session, rnd, {fid})
    # A later round measured its goal attainment against this one: its outcome for the same
    # factor (matched by key, as versions are) is measured again against the corrected score.
    renewed = []
    for later in session.exec(
        select(ScoringRound).where(
            ScoringRound.previous_round_id == rnd.id,
            ScoringRound.state == RoundState.COMPLETED,
        )
    ).all():
        same = published_form(session, later.instrument_id).factor(factor.key)
        if same is not None:
            _renew_outcomes(session, later, {same.id})
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


def _renew_outcomes(session: Session, rnd: ScoringRound, factor_ids: set[int]) -> None:
    for outcome in session.exec(
        select(FactorOutcome).where(
            FactorOutcome.round_id == rnd.id, col(FactorOutcome.factor_id).in_(factor_ids)
        )
    ).all():
        session.delete(outcome)
    session.flush()
    _store_outcomes(session, rnd, factor_ids=factor_ids)
