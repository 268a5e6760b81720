"""Who does what in the child's plan, as every participant of the case sees it through a
personal link (Kolding: "synligt for alle", L612-616). Kept apart from `plan` so that the link's
form reads it without the staff's use cases."""

from __future__ import annotations

from sqlmodel import Session, col, select

from service.models.plan import PlanRow
from service.schemas.plan import PlanCommitment


def who_does_what(session: Session, case_id: int) -> list[PlanCommitment]:
    """The rows in force: what is to be reached, how, and by whom; without the situation (the
    family's details, which stay with the staff and the printed plan) or the caseworker's
    notes and statuses."""
    return [
        PlanCommitment(
            desired_solution=row.desired_solution,
            means=row.means,
            actor_role=row.actor_role,
            actor_name=row.actor_name,
        )
        for row in session.exec(
            select(PlanRow)
            .where(PlanRow.case_id == case_id, col(PlanRow.ended_at).is_(None))
            .order_by(col(PlanRow.id))
        ).all()
    ]
