"""Who was there (fremmøde): the meeting of trin 2 (KL 1 and 3: "alle ovenstående plus
leverandør mødes") and the family dialogue of trin 3 (KL 1: "i dialog med socialrådgiver og
leverandør"). The table's set for the variant says who is expected; each of them is present,
absent or not recorded, and stays not recorded until the caseworker says which: nobody is
taken to have come without the caseworker's word."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlmodel import Session, col, select

from service.db import insert_rows
from service.models.meeting import RoundMeetingKind
from service.models.round import Attendance, Informant, ScoringRound
from service.schemas.rounds import AttendancePublic, AttendancesPublic, AttendanceState
from service.workflow.meetings import INVITED, MeetingKind
from service.workflow.procedures import PROCEDURES, Gathering, expected_at, gatherings
from service.workflow.roles import InformantRole

#: (informant id, gathering) -> present (True), absent (False) or not recorded (None), for
#: everyone expected at a gathering or recorded there.
Presence = dict[tuple[int, Gathering], bool | None]


def expected(
    rnd: ScoringRound,
    informant: Informant,
    gathering: Gathering,
    invited: frozenset[InformantRole] = frozenset(),
) -> bool:
    """Whether the procedure's table has this informant at the gathering, or the meeting's
    kind invites it there (`invited`: the family's network at a family council)."""
    extra = invited if gathering is Gathering.MEETING else frozenset()
    return informant.role in expected_at(PROCEDURES[rnd.procedure], rnd.variant, gathering) | extra


def invited(session: Session, rnd: ScoringRound) -> frozenset[InformantRole]:
    """Whom the kind of the round's meeting invites besides the table's set (mødeform)."""
    kind = session.exec(
        select(RoundMeetingKind.kind).where(RoundMeetingKind.round_id == rnd.id)
    ).first()
    return INVITED[MeetingKind(kind)] if kind is not None else frozenset()


def _recorded(session: Session, rnd: ScoringRound) -> dict[tuple[int, Gathering], bool | None]:
    return {
        (a.informant_id, a.gathering): a.present
        for a in session.exec(select(Attendance).where(Attendance.round_id == rnd.id)).all()
    }


def presence(session: Session, rnd: ScoringRound, informants: list[Informant]) -> Presence:
    """Who was at each gathering, as the caseworker recorded it; None: not recorded."""
    recorded = _recorded(session, rnd)
    extra = invited(session, rnd)
    found: Presence = {}
    for gathering in gatherings(PROCEDURES[rnd.procedure]):
        for informant in informants:
            key = (informant.id or 0, gathering)
            if key in recorded or expected(rnd, informant, gathering, extra):
                found[key] = recorded.get(key)
    return found


def unrecorded(
    session: Session, rnd: ScoringRound, gathering: Gathering, informants: list[Informant]
) -> list[Informant]:
    """The informants expected at the gathering whose presence is not recorded yet: the step
    cannot end before the caseworker has said of each whether they came."""
    found = presence(session, rnd, informants)
    keys = [(i, (i.id or 0, gathering)) for i in informants]
    return [i for i, key in keys if key in found and found[key] is None]


def round_informants(session: Session, rnd: ScoringRound) -> list[Informant]:
    return list(
        session.exec(
            select(Informant).where(Informant.round_id == rnd.id).order_by(col(Informant.id))
        ).all()
    )


_STATE: dict[bool | None, AttendanceState] = {
    True: "present",
    False: "absent",
    None: "not_recorded",
}


def attendance_public(
    session: Session, rnd: ScoringRound, gathering: Gathering
) -> AttendancesPublic:
    """`present` is True only for someone recorded as present; `recorded` tells absent from
    not recorded."""
    informants = round_informants(session, rnd)
    found = presence(session, rnd, informants)
    return AttendancesPublic(
        gathering=gathering,
        items=[
            AttendancePublic(
                informant_id=i.id or 0,
                name=i.name,
                role=i.role,
                present=found[(i.id or 0, gathering)] is True,
                recorded=found[(i.id or 0, gathering)] is not None,
                state=_STATE[found[(i.id or 0, gathering)]],
            )
            for i in informants
            if (i.id or 0, gathering) in found
        ],
    )


def record(
    session: Session,
    rnd: ScoringRound,
    gathering: Gathering,
    states: Mapping[int, bool | None],
    recorded_by_id: int | None,
    now: datetime,
) -> None:
    """Store each informant's state at the gathering; None puts it back to not recorded.
    The caller has checked that the informants are expected there."""
    rows = {
        a.informant_id: a
        for a in session.exec(
            select(Attendance).where(
                Attendance.round_id == rnd.id, Attendance.gathering == gathering
            )
        ).all()
    }
    new = []
    for informant_id, state in sorted(states.items()):
        row = rows.get(informant_id)
        if row is None:
            row = Attendance(
                municipality_id=rnd.municipality_id,
                round_id=rnd.id or 0,
                informant_id=informant_id,
                gathering=gathering,
            )
            new.append(row)
        else:
            session.add(row)
        row.present = state
        row.recorded_by_id = None if state is None else recorded_by_id
        row.recorded_at = now
    insert_rows(session, new)


def keep_defaults(session: Session, rnd: ScoringRound, gathering: Gathering, now: datetime) -> None:
    """As the step finishes: whoever the caseworker did not record either way is kept as not
    recorded, never as present."""
    if gathering not in gatherings(PROCEDURES[rnd.procedure]):
        return
    done = {
        a.informant_id
        for a in session.exec(
            select(Attendance).where(
                Attendance.round_id == rnd.id, Attendance.gathering == gathering
            )
        ).all()
    }
    extra = invited(session, rnd)
    insert_rows(
        session,
        [
            Attendance(
                municipality_id=rnd.municipality_id,
                round_id=rnd.id or 0,
                informant_id=i.id or 0,
                gathering=gathering,
                present=None,
                recorded_at=now,
            )
            for i in round_informants(session, rnd)
            if (i.id or 0) not in done and expected(rnd, i, gathering, extra)
        ],
    )
