"""When each case's next round is due, from the cadence: intake first, then
`first_follow_up_months`, then every `interval_months`.

Computed in the database, a page at a time: per case, the round under way (its due date) or
else the last completed round's `next_due_on`, or else the intake date. A municipality has
thousands of active cases; a page has at most `MAX_PAGE_SIZE`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Date, and_, func, or_, true, type_coerce
from sqlalchemy import case as sql_case
from sqlalchemy import select as sql_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.clock import LOCAL_TIME
from service.models.base import local_date
from service.models.case import Case, CaseStatus
from service.models.round import ScoringRound
from service.schemas.common import PageParams
from service.schemas.rounds import DueCase
from service.usecases.child.cases import visible_cases
from service.usecases.data_rights import audit
from service.workflow.states import FINAL_STATES, RoundState

SOON_DAYS = 14
#: "needs": what needs doing first (overdue, due soon, at the meeting, the rest), by date.
DueOrder = Literal["due", "name", "needs"]
#: The caseworker's filter on the cases list: one kind of work, or every case.
DueShow = Literal["all", "overdue", "soon", "meeting"]
#: The states in which the round waits for the caseworker's meeting (or dialogue) step.
AT_MEETING = (RoundState.CONSENSUS, RoundState.FAMILY_DIALOGUE, RoundState.PROVIDER_INFORMATION)


def _current_round_id() -> Any:
    inner = aliased(ScoringRound)
    return (
        select(inner.id)
        .where(col(inner.case_id) == col(Case.id), col(inner.state).not_in(FINAL_STATES))
        .order_by(col(inner.created_at).desc(), col(inner.id).desc())
        .limit(1)
        .correlate(Case)
        .scalar_subquery()
    )


def _last_next_due() -> Any:
    inner = aliased(ScoringRound)
    return (
        select(col(inner.next_due_on))
        .where(col(inner.case_id) == col(Case.id), inner.state == RoundState.COMPLETED)
        .order_by(col(inner.created_at).desc(), col(inner.id).desc())
        .limit(1)
        .correlate(Case)
        .scalar_subquery()
    )


def due_query(actor: Actor, case_ids: Any = None) -> Any:
    """Per visible active case: the case, the round under way (if any) and the due date.

    The round under way is found per case first, then joined by its id: joined on the
    correlated subquery itself, SQLite would evaluate it for every pair of case and round."""
    cases = (
        sql_select(
            col(Case.id),
            col(Case.display_name),
            col(Case.external_ref),
            col(Case.birth_year),
            col(Case.caseworker_id),
            col(Case.team_id),
            col(Case.created_at),
            _current_round_id().label("current_id"),
            _last_next_due().label("last_next_due"),
        )
        .where(_active_visible(actor))
        .where(col(Case.id).in_(case_ids) if case_ids is not None else true())
        .subquery()
    )
    current = aliased(ScoringRound)
    due_on = type_coerce(
        sql_case(
            (col(current.id).is_not(None), local_date(col(current.due_at))),
            else_=func.coalesce(cases.c.last_next_due, local_date(cases.c.created_at)),
        ),
        Date,
    ).label("due_on")
    return sql_select(
        cases.c.id,
        cases.c.display_name,
        cases.c.external_ref,
        cases.c.birth_year,
        cases.c.caseworker_id,
        cases.c.team_id,
        col(current.id).label("round_id"),
        col(current.state).label("round_state"),
        due_on,
    ).outerjoin(current, col(current.id) == cases.c.current_id)


def _active_visible(actor: Actor) -> Any:
    return and_(visible_cases(actor), col(Case.status) == CaseStatus.ACTIVE)


def status_of(due_on: date, today: date) -> str:
    if due_on < today:
        return "overdue"
    if due_on == today:
        return "due"
    return "soon" if due_on <= today + timedelta(days=SOON_DAYS) else "later"


def _needs_rank(rows: Any, today: date) -> Any:
    """What needs doing first (the cases list's order): overdue or due today, due soon, the
    round at its meeting, then the rest."""
    return sql_case(
        (rows.c.due_on <= today, 0),
        (rows.c.due_on <= today + timedelta(days=SOON_DAYS), 1),
        (rows.c.round_state.in_([s.value for s in AT_MEETING]), 2),
        else_=3,
    )


def _shown(rows: Any, today: date, show: DueShow, search: str) -> list[Any]:
    """The filter and the search as WHERE clauses: the search finds a part of the child's
    name or of the case number, whatever the case of its letters."""
    where: list[Any] = []
    if show == "overdue":
        where.append(rows.c.due_on <= today)
    elif show == "soon":
        where.append(rows.c.due_on.between(today, today + timedelta(days=SOON_DAYS)))
    elif show == "meeting":
        where.append(rows.c.round_state.in_([s.value for s in AT_MEETING]))
    if search:
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        where.append(
            or_(
                rows.c.display_name.ilike(pattern, escape="\\"),
                rows.c.external_ref.ilike(pattern, escape="\\"),
            )
        )
    return where


def due_list(
    session: Session,
    actor: Actor,
    now: datetime,
    page: PageParams,
    *,
    include_later: bool = False,
    order: DueOrder = "due",
    show: DueShow = "all",
    search: str = "",
) -> tuple[list[DueCase], int]:
    """The caller's active cases (a team leader's: the team's) with their due dates, overdue
    first (or by name, or by what needs doing), a page at a time; `include_later` adds those
    not due for a while, `show` and `search` narrow them. The audit event names the cases on
    the page, the ones the caller was shown."""
    today = now.astimezone(LOCAL_TIME).date()
    if order == "name" and include_later and show == "all" and not search:
        # By name, every case: the page is chosen among the cases alone, and only its
        # cases' due dates are worked out.
        by_name = select(Case.id).where(_active_visible(actor))
        total = session.exec(select(func.count()).select_from(by_name.subquery())).one()
        page_ids = by_name.order_by(col(Case.display_name), col(Case.id))
        rows = due_query(actor, page_ids.offset(page.offset).limit(page.limit)).subquery()
        found = session.execute(sql_select(rows).order_by(rows.c.display_name, rows.c.id)).all()
    else:
        rows = due_query(actor).subquery()
        query = sql_select(rows).where(*_shown(rows, today, show, search))
        if not include_later:
            query = query.where(rows.c.due_on <= today + timedelta(days=SOON_DAYS))
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        orderings = {
            "due": (rows.c.due_on, rows.c.id),
            "name": (rows.c.display_name, rows.c.id),
            "needs": (_needs_rank(rows, today), rows.c.due_on, rows.c.display_name, rows.c.id),
        }
        ordering = orderings[order]
        found = session.execute(
            query.order_by(*ordering).offset(page.offset).limit(page.limit)
        ).all()
    items = [
        DueCase(
            case_id=row.id,
            display_name=row.display_name,
            external_ref=row.external_ref,
            birth_year=row.birth_year,
            caseworker_id=row.caseworker_id,
            team_id=row.team_id,
            due_on=row.due_on,
            status=status_of(row.due_on, today),
            round_id=row.round_id,
            round_state=row.round_state,
        )
        for row in found
    ]
    audit.record(
        session,
        actor,
        "case.due_list",
        "case",
        "*",
        detail={"case_ids": [i.case_id for i in items], "total": total},
    )
    return items, total


def latest_rounds(session: Session, case_ids: list[int]) -> dict[int, ScoringRound]:
    """The latest round of each of these cases (a page's worth), whatever its state."""
    latest: dict[int, ScoringRound] = {}
    if not case_ids:
        return latest
    for rnd in session.exec(
        select(ScoringRound)
        .where(col(ScoringRound.case_id).in_(case_ids))
        .order_by(col(ScoringRound.created_at).desc(), col(ScoringRound.id).desc())
    ).all():
        latest.setdefault(rnd.case_id, rnd)
    return latest
