"""The informant's own reason for disagreeing, recorded by the caseworker beside a disagreement
note (typically in the dialogue with the family): the informant's words, apart from the
meeting's official rationale, which stays with the official score."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.errors import NotFound
from service.models.round import DisagreementNote
from service.schemas.rounds import DisagreementPublic
from service.usecases.consensus.notes import note_public
from service.usecases.data_rights import audit
from service.usecases.procedure.rounds import load_round, require_authority


def record_reason(
    session: Session, actor: Actor, round_id: int, note_id: int, reason: str, now: datetime
) -> DisagreementPublic:
    """The case's caseworker writes down why the informant sees it differently; an empty
    reason clears it. The note's scores and comment are the informant's and stay as they
    were."""
    rnd, case, _ = load_round(session, actor, round_id, lock=True)
    require_authority(actor, case)
    note = session.exec(
        select(DisagreementNote).where(
            DisagreementNote.round_id == rnd.id,
            DisagreementNote.id == note_id,
            col(DisagreementNote.superseded_at).is_(None),
        )
    ).first()
    if note is None:
        raise NotFound(
            f"Round {round_id} has no current disagreement note {note_id}.",
            code="note_not_found",
        )
    note.note = reason
    session.add(note)
    rnd.updated_at = now
    session.add(rnd)
    audit.record(
        session,
        actor,
        "round.note.reason",
        "round",
        round_id,
        case_id=case.id,
        detail={"note_id": note_id, "informant_id": note.informant_id},
    )
    return note_public(note)
