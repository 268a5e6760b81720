"""When each case's next round is due, from the municipality's cadence: intake first, then
`first_follow_up_months`, then every `interval_months`."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.models.case import Case, CaseStatus
from service.models.round import ScoringRound
from service.schemas.rounds import DueCase
from service.usecases import audit
from service.usecases.cases import visible_cases
from service.web.i18n import LOCAL_TIME
from service.workflow.states import FINAL_STATES, RoundState

SOON_DAYS = 14


def due_list(
    session: Session, actor: Actor, now: datetime, *, include_later: bool = False
) -> list[DueCase]:
    """The caller's cases (a team leader's: the team's), overdue first."""
    today = now.astimezone(LOCAL_TIME).date()
    cases = session.exec(
        select(Case).where(visible_cases(actor), Case.status == CaseStatus.ACTIVE)
    ).all()
    rounds: dict[int, list[ScoringRound]] = {}
    for rnd in session.exec(
        select(ScoringRound)
        .where(col(ScoringRound.case_id).in_([c.id for c in cases]))
        .order_by(col(ScoringRound.created_at).desc())
    ).all():
        rounds.setdefault(rnd.case_id, []).append(rnd)
    items = []
    for case in cases:
        history = rounds.get(case.id or 0, [])
        current = next((r for r in history if r.state not in FINAL_STATES), None)
        completed = next((r for r in history if r.state is RoundState.COMPLETED), None)
        if current is not None:
            due_on: date = current.due_at.astimezone(LOCAL_TIME).date()
        elif completed is not None and completed.next_due_on is not None:
            due_on = completed.next_due_on
        else:
            due_on = case.created_at.astimezone(LOCAL_TIME).date()  # intake: due from the start
        if due_on < today:
            status = "overdue"
        elif due_on == today:
            status = "due"
        else:
            status = "soon" if due_on <= today + timedelta(days=SOON_DAYS) else "later"
        if status == "later" and not include_later:
            continue
        items.append(
            DueCase(
                case_id=case.id or 0,
                display_name=case.display_name,
                external_ref=case.external_ref,
                caseworker_id=case.caseworker_id,
                team_id=case.team_id,
                due_on=due_on,
                status=status,
                round_id=current.id if current else None,
                round_state=current.state if current else None,
            )
        )
    audit.record(
        session,
        actor,
        "case.due_list",
        "case",
        "*",
        detail={"case_ids": [i.case_id for i in items]},
    )
    return sorted(items, key=lambda i: (i.due_on, i.case_id))
