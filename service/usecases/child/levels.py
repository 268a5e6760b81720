"""Use cases for a case's collaboration level (samarbejdsniveau) and degree of concern
(bekymringsgrad): each setting is kept, the newest of a kind is the current one."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.models.case_level import CaseLevel, LevelKind
from service.schemas.notifications import CaseLevelCreate
from service.usecases.child.cases import load_case
from service.usecases.child.notifications import require_writer
from service.usecases.data_rights import audit


def history(session: Session, actor: Actor, case_id: int) -> list[CaseLevel]:
    """Every setting of the case, newest first."""
    load_case(session, actor, case_id)
    rows = session.exec(
        select(CaseLevel)
        .where(CaseLevel.case_id == case_id)
        .order_by(col(CaseLevel.set_at).desc(), col(CaseLevel.id).desc())
    ).all()
    audit.record(session, actor, "case_level.read", "case", case_id, case_id=case_id)
    return list(rows)


def current(rows: list[CaseLevel], kind: LevelKind) -> CaseLevel | None:
    """The newest setting of `kind` in a history listed newest first."""
    return next((r for r in rows if r.kind is kind), None)


def set_level(
    session: Session, actor: Actor, case_id: int, data: CaseLevelCreate, now: datetime
) -> CaseLevel:
    case = load_case(session, actor, case_id, for_update=True)
    require_writer(actor, case)
    entry = CaseLevel(
        municipality_id=actor.municipality_id,
        case_id=case_id,
        kind=data.kind,
        value=data.value,
        note=data.note,
        set_by_id=actor.id if actor.is_staff else None,
        set_at=now,
    )
    session.add(entry)
    session.flush()
    audit.record(
        session,
        actor,
        "case_level.set",
        "case",
        case_id,
        case_id=case_id,
        detail={"kind": data.kind.value, "value": data.value},
    )
    return entry
