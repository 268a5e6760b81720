"""A legal hold (a complaint, an inquiry by the Ombudsman or the Appeals Board, a court
case) keeps a case whatever retention says, until it is lifted."""

from __future__ import annotations

from sqlmodel import Session

from service.auth.actor import Actor
from service.errors import Unprocessable
from service.models.case import Case
from service.models.staff import StaffRole
from service.schemas.cases import LegalHold
from service.usecases.child.cases import load_case
from service.usecases.data_rights import audit


def set_legal_hold(session: Session, actor: Actor, case_id: int, body: LegalHold) -> Case:
    actor.require_role(StaffRole.ADMINISTRATOR)
    if body.hold and not body.reason:
        raise Unprocessable("A legal hold needs its reason.", code="legal_hold_reason_required")
    case = load_case(session, actor, case_id, for_update=True)
    case.legal_hold = body.hold
    case.legal_hold_reason = body.reason if body.hold else None
    session.add(case)
    audit.record(
        session,
        actor,
        "case.legal_hold" if body.hold else "case.legal_hold_lifted",
        "case",
        case_id,
        case_id=case_id,
    )
    return case
