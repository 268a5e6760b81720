"""The result of a round: official scores and goals, disagreement notes, outcomes and
amendments."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.models.instrument import Instrument
from service.models.outbox import MessageKind, OutboxMessage
from service.models.round import (
    FactorOutcome,
    Informant,
    OfficialScoreAmendment,
    ScoringRound,
    Submission,
    SubmissionStatus,
)
from service.schemas.agreement import AgreementPublic
from service.schemas.rounds import (
    AmendmentPublic,
    CollectionPublic,
    ComparisonPublic,
    FactorResult,
    FamilyVoicePublic,
    OutcomePublic,
    ParticipantPublic,
    ProviderInformedPublic,
    ProviderMessagePublic,
    RoundResult,
)
from service.usecases.collection import family_voices
from service.usecases.consensus import attendance
from service.usecases.consensus.notes import note_public, stored_notes
from service.usecases.consensus.round_agreement import stored_agreement
from service.usecases.data_rights import audit
from service.usecases.procedure.round_data import gather_facts, load_round_data, official_public
from service.usecases.procedure.rounds import load_round
from service.workflow import comparison
from service.workflow.agreement import factor_agreement
from service.workflow.comparison import Crossing
from service.workflow.procedures import PROCEDURES, Gathering, InformantStep, gatherings
from service.workflow.roles import InformantRole
from service.workflow.scale import Scale
from service.workflow.states import RoundState


def round_result(session: Session, actor: Actor, round_id: int) -> RoundResult:
    rnd, case, _ = load_round(session, actor, round_id)
    audit.record(session, actor, "round.result.read", "round", round_id, case_id=case.id)
    return result(session, rnd)


def _scales(session: Session, rnd: ScoringRound) -> tuple[Scale, Scale] | None:
    """This round's scale and the previous round's, where it crossed a mapping between two
    different scales."""
    if rnd.previous_crossing is not Crossing.MAPPING or rnd.previous_round_id is None:
        return None
    previous = session.get(ScoringRound, rnd.previous_round_id)
    current = session.get(Instrument, rnd.instrument_id)
    earlier = session.get(Instrument, previous.instrument_id) if previous else None
    if current is None or earlier is None or current.scale == earlier.scale:
        return None
    return current.scale, earlier.scale


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
    scales = _scales(session, rnd)
    agreement = stored_agreement(session, rnd, data.scale)
    completed = rnd.state is RoundState.COMPLETED
    none_scored = AgreementPublic.of(factor_agreement([], data.scale))

    def as_scored(value: int | None) -> int | None:
        """A previous value on the previous round's own scale, where that differs."""
        return None if scales is None else comparison.translate(value, *scales)

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
                    previous_score_as_scored=as_scored(outcome.previous_score),
                    previous_goal_as_scored=as_scored(outcome.previous_goal),
                    score=outcome.score,
                    outcome=outcome.outcome,
                    no_outcome=outcome.no_outcome,
                )
                if outcome
                else None,
                agreement=agreement.get(fid, none_scored if completed else None),
            )
        )
    spec = PROCEDURES[rnd.procedure]
    voices = family_voices.voices(session, rnd).items
    took_part = participants(session, rnd, list(data.informants.values()), voices)
    return RoundResult(
        round_id=rnd.id or 0,
        state=rnd.state,
        procedure=rnd.procedure,
        variant=rnd.variant,
        collection=_collection(session, rnd),
        participants=took_part,
        family_voices=voices,
        gatherings=list(gatherings(spec)),
        provider_informed=_provider_informed(session, rnd) if spec.informs_provider else None,
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
        skipped_due_on=[date.fromisoformat(d) for d in rnd.skipped_due_dates],
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
                substitute_reason=a.substitute_reason,
                amended_at=a.amended_at,
            )
            for a in amendments
        ],
        network_involved=sum(
            1
            for p in took_part
            if p.role is InformantRole.NETWORK and (p.scored or p.meeting or p.family_dialogue)
        ),
    )


def participants(
    session: Session,
    rnd: ScoringRound,
    informants: list[Informant],
    voices: list[FamilyVoicePublic],
) -> list[ParticipantPublic]:
    """Who took part and how: who scored, who was at the meeting and in the family dialogue,
    and why a child or parent did not score."""
    submitted = {
        informant_id: entered_by
        for informant_id, entered_by in session.exec(
            select(Submission.informant_id, Submission.entered_by_id).where(
                Submission.round_id == rnd.id, Submission.status == SubmissionStatus.SUBMITTED
            )
        ).all()
    }
    present = attendance.presence(session, rnd, informants)
    family_done = rnd.state in (RoundState.PROVIDER_INFORMATION, RoundState.COMPLETED)
    why_not = {v.informant_id: v for v in voices if v.informant_id is not None and v.reason}
    found = []
    for i in informants:
        iid = i.id or 0
        scored = iid in submitted
        entered_by = submitted.get(iid)
        found.append(
            ParticipantPublic(
                informant_id=iid,
                name=i.name,
                role=i.role,
                step=i.step,
                scored=scored,
                entered_on_behalf=entered_by is not None and entered_by != i.staff_user_id,
                meeting=present.get((iid, Gathering.MEETING)),
                family_dialogue=present.get((iid, Gathering.FAMILY_DIALOGUE)),
                not_scored_reason=why_not[iid].note
                if iid in why_not
                # Rounds from before the reason was kept per person: the family's one note.
                else rnd.family_note
                if i.step is InformantStep.FAMILY and not scored and family_done
                else None,
                not_heard=why_not[iid].reason if iid in why_not else None,
            )
        )
    return found


def _collection(session: Session, rnd: ScoringRound) -> CollectionPublic | None:
    if rnd.collection_closed_at is None:
        return None
    facts = gather_facts(session, rnd)
    return CollectionPublic(
        closed_at=rnd.collection_closed_at,
        independent_scores=facts.independent_submissions,
        caseworker_scored=facts.caseworker_submitted,
        short=not facts.enough_voices,
        reason=rnd.collection_close_reason,
    )


def _provider_informed(session: Session, rnd: ScoringRound) -> ProviderInformedPublic:
    messages = session.exec(
        select(OutboxMessage, Informant.name)
        .outerjoin(Informant, col(Informant.id) == col(OutboxMessage.informant_id))
        .where(OutboxMessage.round_id == rnd.id, OutboxMessage.kind == MessageKind.PROVIDER_RESULT)
        .order_by(col(OutboxMessage.id))
    ).all()
    return ProviderInformedPublic(
        informed_at=rnd.provider_informed_at,
        messages=[
            ProviderMessagePublic(
                name=name or m.recipient,
                channel=m.channel.value,
                status=m.status.value,
                sent_at=m.sent_at,
            )
            for m, name in messages
        ],
        reason=rnd.provider_note,
    )
