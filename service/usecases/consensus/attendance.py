"""Who was there: the meeting of trin 2 (KL 1 and 3: "alle ovenstående plus leverandør mødes")
and the family dialogue of trin 3 (KL 1: "i dialog med socialrådgiver og leverandør"). The
table's set for the variant is the default; the caseworker ticks off who came, and whatever was
not ticked is kept as the default when the step finishes."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from service.db import insert_rows
from service.models.round import Attendance, Informant, ScoringRound
from service.schemas.rounds import AttendancePublic, AttendancesPublic
from service.workflow.procedures import PROCEDURES, Gathering, expected_at, gatherings

#: (informant id, gathering) -> present
Presence = dict[tuple[int, Gathering], bool]


def expected(rnd: ScoringRound, informant: Informant, gathering: Gathering) -> bool:
    """Whether the procedure's table has this informant at the gathering."""
    return informant.role in expected_at(PROCEDURES[rnd.procedure], rnd.variant, gathering)


def presence(session: Session, rnd: ScoringRound, informants: list[Informant]) -> Presence:
    """Who was (or, before it is recorded, is expected to be) at each gathering."""
    recorded = {
        (a.informant_id, a.gathering): a.present
        for a in session.exec(select(Attendance).where(Attendance.round_id == rnd.id)).all()
    }
    found: Presence = {}
    for gathering in gatherings(PROCEDURES[rnd.procedure]):
        for informant in informants:
            key = (informant.id or 0, gathering)
            if key in recorded:
                found[key] = recorded[key]
            elif expected(rnd, informant, gathering):
                found[key] = True
    return found


def round_informants(session: Session, rnd: ScoringRound) -> list[Informant]:
    return list(
        session.exec(
            select(Informant).where(Informant.round_id == rnd.id).order_by(col(Informant.id))
        ).all()
    )


def attendance_public(
    session: Session, rnd: ScoringRound, gathering: Gathering
) -> AttendancesPublic:
    informants = round_informants(session, rnd)
    recorded = {
        a.informant_id
        for a in session.exec(
            select(Attendance).where(
                Attendance.round_id == rnd.id, Attendance.gathering == gathering
            )
        ).all()
        if a.recorded_by_id is not None
    }
    found = presence(session, rnd, informants)
    return AttendancesPublic(
        gathering=gathering,
        items=[
            AttendancePublic(
                informant_id=i.id or 0,
                name=i.name,
                role=i.role,
                present=found[(i.id or 0, gathering)],
                recorded=(i.id or 0) in recorded,
            )
            for i in informants
            if (i.id or 0, gathering) in found
        ],
    )


def keep_defaults(session: Session, rnd: ScoringRound, gathering: Gathering, now: datetime) -> None:
    """As the step finishes: whoever the caseworker did not tick either way is recorded as
    the table has them (present)."""
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
    insert_rows(
        session,
        [
            Attendance(
                municipality_id=rnd.municipality_id,
                round_id=rnd.id or 0,
                informant_id=i.id or 0,
                gathering=gathering,
                present=True,
                recorded_at=now,
            )
            for i in round_informants(session, rnd)
            if (i.id or 0) not in done and expected(rnd, i, gathering)
        ],
    )
