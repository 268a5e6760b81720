"""The kind of a round's consensus meeting (mødeform): the caseworker chooses an ordinary
consensus meeting, a family council (familierådslagning) or a cross-disciplinary network
meeting before or during it. The kind changes who is expected there, and so whose attendance
the caseworker records; never who decides, and never the procedure's steps."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from service.auth.actor import Actor
from service.errors import Conflict
from service.models.meeting import RoundMeetingKind
from service.models.round import ScoringRound
from service.schemas.meetings import MeetingKindPublic, MeetingKindWrite
from service.usecases.data_rights import audit
from service.usecases.procedure.rounds import load_round, require_authority
from service.workflow.meetings import (
    DECIDES,
    MeetingKind,
    expected_at_meeting,
    holds_meeting,
)
from service.workflow.procedures import PROCEDURES
from service.workflow.roles import InformantRole
from service.workflow.states import RoundState

#: Until the meeting ends, its kind can be chosen.
OPEN = (RoundState.DRAFT, RoundState.COLLECTING, RoundState.CONSENSUS)


def _row(session: Session, rnd: ScoringRound) -> RoundMeetingKind | None:
    return session.exec(select(RoundMeetingKind).where(RoundMeetingKind.round_id == rnd.id)).first()


def _public(rnd: ScoringRound, row: RoundMeetingKind | None) -> MeetingKindPublic:
    kind = row.kind if row else MeetingKind.CONSENSUS
    roles = expected_at_meeting(PROCEDURES[rnd.procedure], rnd.variant, kind)
    return MeetingKindPublic(
        round_id=rnd.id or 0,
        kind=kind,
        expected=[r for r in InformantRole if r in roles],
        decides=next(iter(DECIDES)),
        set_at=row.set_at if row else None,
    )


def _check(rnd: ScoringRound) -> None:
    if not holds_meeting(PROCEDURES[rnd.procedure]):
        raise Conflict(
            f"Procedure {rnd.procedure.value} has no meeting.",
            code="no_such_gathering",
            gathering="meeting",
        )


def get_meeting_kind(session: Session, actor: Actor, round_id: int) -> MeetingKindPublic:
    rnd, case, _ = load_round(session, actor, round_id)
    _check(rnd)
    audit.record(session, actor, "round.meeting_kind.read", "round", round_id, case_id=case.id)
    return _public(rnd, _row(session, rnd))


def kind_of(session: Session, rnd: ScoringRound) -> MeetingKindPublic | None:
    """The kind of the round's meeting, for its page and report; None: no meeting."""
    if not holds_meeting(PROCEDURES[rnd.procedure]):
        return None
    return _public(rnd, _row(session, rnd))


def set_meeting_kind(
    session: Session, actor: Actor, round_id: int, body: MeetingKindWrite, now: datetime
) -> MeetingKindPublic:
    """The caseworker chooses how the meeting is held, until it ends."""
    rnd, case, _ = load_round(session, actor, round_id, lock=True)
    require_authority(actor, case)
    _check(rnd)
    if rnd.state not in OPEN:
        raise Conflict(
            "The meeting is over: its kind stays as it was held.",
            code="not_at_gathering",
            state=rnd.state.value,
        )
    row = _row(session, rnd)
    if row is None:
        row = RoundMeetingKind(
            municipality_id=rnd.municipality_id, round_id=rnd.id or 0, kind=body.kind
        )
    session.add(row)
    row.kind = body.kind
    row.set_by_id = actor.id if actor.is_staff else None
    row.set_at = now
    session.flush()
    audit.record(
        session,
        actor,
        "round.meeting_kind.set",
        "round",
        round_id,
        case_id=case.id,
        detail={"kind": body.kind.value},
    )
    return _public(rnd, row)
