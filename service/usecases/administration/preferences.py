"""A staff member's own choices, remembered between sessions: the meeting page's projector
mode (mødevisning)."""

from __future__ import annotations

from sqlmodel import Session

from service.auth.actor import Actor
from service.errors import Forbidden
from service.models.staff import StaffUser
from service.usecases.data_rights import audit


def _own(session: Session, actor: Actor) -> StaffUser:
    user = session.get(StaffUser, actor.id) if actor.is_staff else None
    if user is None:
        raise Forbidden("Only a staff member has preferences.")
    return user


def meeting_projector(session: Session, actor: Actor) -> bool:
    """Whether the person shows the meeting page in its projector mode."""
    return _own(session, actor).meeting_projector


def set_meeting_projector(session: Session, actor: Actor, on: bool) -> None:
    """Switch the projector mode on or off for the person, on every meeting from now on."""
    user = _own(session, actor)
    user.meeting_projector = on
    session.add(user)
    audit.record(
        session, actor, "staff.preferences", "staff_user", actor.id, detail={"projector": on}
    )
