"""Who takes part in calibration: administrators and team leaders organise, caseworkers and
team leaders score, and a case system has no part in it."""

from __future__ import annotations

from service.auth.actor import Actor
from service.errors import Forbidden
from service.models.staff import StaffRole

#: Who writes vignettes and opens exercises.
ORGANISERS = (StaffRole.ADMINISTRATOR, StaffRole.TEAM_LEADER)
#: Who can be invited to score.
SCORERS = (StaffRole.CASEWORKER, StaffRole.TEAM_LEADER)


def require_staff(actor: Actor) -> None:
    """Calibration is the staff's own practice: a case system has no part in it."""
    if not actor.is_staff:
        raise Forbidden("Calibration is for the municipality's staff.")


def require_organiser(actor: Actor) -> None:
    actor.require_role(*ORGANISERS)


def is_organiser(actor: Actor) -> bool:
    return actor.is_staff and actor.has_role(*ORGANISERS)
