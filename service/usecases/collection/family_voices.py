"""The family's voices in a round (barnets og forældrenes stemme): who is owed one, who has
scored, and, per person, the caseworker's record of why someone did not. The family's step
ends only when none is missing (the `family_heard` guard)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.errors import Conflict, NotFound, Unprocessable
from service.models.round import (
    Informant,
    NotHeard,
    ScoringRound,
    Submission,
    SubmissionStatus,
)
from service.schemas.rounds import FamilyVoicePublic, FamilyVoicesPublic, NotHeardWrite
from service.usecases.data_rights import audit
from service.workflow import family_voices as rules
from service.workflow.procedures import PROCEDURES, family_step_states
from service.workflow.roles import FAMILY, InformantRole


class NoSuchVoice(NotFound):
    """The member of the family named is not one the round owes a voice."""

    code = "no_such_voice"


def members(session: Session, rnd: ScoringRound) -> list[rules.FamilyMember]:
    """The family informants of the round and whether each has submitted, in one query."""
    rows = session.exec(
        select(Informant.id, Informant.role, Informant.name, Submission.id)
        .outerjoin(
            Submission,
            (col(Submission.informant_id) == col(Informant.id))
            & (col(Submission.status) == SubmissionStatus.SUBMITTED.value),
        )
        .where(
            Informant.round_id == rnd.id,
            col(Informant.role).in_([r.value for r in FAMILY]),
        )
        .order_by(col(Informant.id))
    ).all()
    return [
        rules.FamilyMember(informant_id or 0, InformantRole(role), name, submitted is not None)
        for informant_id, role, name, submitted in rows
    ]


def _records(
    session: Session, rnd: ScoringRound
) -> dict[tuple[InformantRole, int | None], NotHeard]:
    return {
        (r.role, r.informant_id): r
        for r in session.exec(
            select(NotHeard).where(NotHeard.round_id == rnd.id).order_by(col(NotHeard.id))
        ).all()
    }


def unheard_count(session: Session, rnd: ScoringRound) -> int:
    """How many of the voices the family's step owes are neither scored nor reasoned for."""
    return len(rules.unheard(members(session, rnd), _records(session, rnd)))


def voices(session: Session, rnd: ScoringRound) -> FamilyVoicesPublic:
    records = _records(session, rnd)
    items = []
    for voice in rules.owed(members(session, rnd)):
        record = None if voice.scored else records.get(voice.key)
        items.append(
            FamilyVoicePublic(
                role=voice.role,
                informant_id=voice.informant_id,
                name=voice.name,
                scored=voice.scored,
                reason=record.reason if record else None,
                note=record.note if record else None,
                recorded_at=record.recorded_at if record else None,
            )
        )
    missing = sum(1 for i in items if not i.scored and i.reason is None)
    return FamilyVoicesPublic(items=items, missing=missing)


def record(
    session: Session, actor: Actor, rnd: ScoringRound, body: NotHeardWrite, now: datetime
) -> FamilyVoicesPublic:
    """Record, or change, why one member of the family does not score. The caller has loaded
    the round under its lock and checked the caseworker's authority."""
    if rnd.state not in family_step_states(PROCEDURES[rnd.procedure]):
        raise Conflict(
            "Why the child or a parent did not score is recorded before the family's step ends.",
            code="family_step_over",
            state=rnd.state.value,
        )
    if body.role not in FAMILY:
        raise Unprocessable(
            "Only the child and the parents are owed a voice in the family's step.",
            code="not_family",
            role=body.role.value,
        )
    if body.reason not in rules.REASONS[body.role]:
        raise Unprocessable(
            f"'{body.reason.value}' is a reason for the child alone.",
            code="reason_for_child_only",
            reason=body.reason.value,
        )
    owed = {v.key: v for v in rules.owed(members(session, rnd))}
    voice = owed.get((body.role, body.informant_id))
    if voice is None:
        raise NoSuchVoice(
            "No such member of the family in the round: name a family informant of the round "
            "with its role, or the child without an informant id when it is not one.",
            role=body.role.value,
            informant_id=body.informant_id,
        )
    if voice.scored:
        raise Conflict(
            f"{voice.name} has scored; nothing to explain.",
            code="already_scored",
            informant_id=body.informant_id,
        )
    row = _records(session, rnd).get(voice.key) or NotHeard(
        municipality_id=rnd.municipality_id,
        round_id=rnd.id or 0,
        role=body.role,
        informant_id=body.informant_id,
        reason=body.reason,
        note=body.note,
    )
    row.reason, row.note = body.reason, body.note
    row.recorded_by_id, row.recorded_at = actor.id, now
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "round.family_voice",
        "round",
        rnd.id or 0,
        case_id=rnd.case_id,
        detail={
            "role": body.role.value,
            "informant_id": body.informant_id,
            "reason": body.reason.value,
        },
    )
    return voices(session, rnd)
