"""The family's voices in a round (barnets og forældrenes stemme): who is owed one, who has
scored, and, per person, the caseworker's record of why someone did not. The family's step
ends only when none is missing (the `family_heard` guard)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select as sa_select
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
    return _members_of(session, [rnd.id or 0])[rnd.id or 0]


def _members_of(session: Session, round_ids: list[int]) -> dict[int, list[rules.FamilyMember]]:
    found: dict[int, list[rules.FamilyMember]] = {i: [] for i in round_ids}
    rows = session.execute(
        sa_select(
            col(Informant.round_id),
            col(Informant.id),
            col(Informant.role),
            col(Informant.name),
            col(Submission.id),
        )
        .outerjoin(
            Submission,
            (col(Submission.informant_id) == col(Informant.id))
            & (col(Submission.status) == SubmissionStatus.SUBMITTED.value),
        )
        .where(
            col(Informant.round_id).in_(round_ids),
            col(Informant.role).in_([r.value for r in FAMILY]),
        )
        .order_by(col(Informant.id))
    ).all()
    for round_id, informant_id, role, name, submitted in rows:
        found[round_id].append(
            rules.FamilyMember(informant_id or 0, InformantRole(role), name, submitted is not None)
        )
    return found


def _records(
    session: Session, rnd: ScoringRound
) -> dict[tuple[InformantRole, int | None], NotHeard]:
    return _records_of(session, [rnd.id or 0])[rnd.id or 0]


def _records_of(
    session: Session, round_ids: list[int]
) -> dict[int, dict[tuple[InformantRole, int | None], NotHeard]]:
    found: dict[int, dict[tuple[InformantRole, int | None], NotHeard]] = {i: {} for i in round_ids}
    for r in session.exec(
        select(NotHeard).where(col(NotHeard.round_id).in_(round_ids)).order_by(col(NotHeard.id))
    ).all():
        found[r.round_id][(r.role, r.informant_id)] = r
    return found


def unheard_count(session: Session, rnd: ScoringRound) -> int:
    """How many of the voices the family's step owes are neither scored nor reasoned for."""
    return unheard_counts(session, [rnd])[rnd.id or 0]


def unheard_counts(session: Session, rounds: Sequence[ScoringRound]) -> dict[int, int]:
    """`unheard_count` of each round, by id, in two queries for all of them."""
    ids = [r.id or 0 for r in rounds]
    if not ids:
        return {}
    members_of, records_of = _members_of(session, ids), _records_of(session, ids)
    return {i: len(rules.unheard(members_of[i], records_of[i])) for i in ids}


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
