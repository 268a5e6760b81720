"""The caseworker's cases, a case, and opening a round for it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlmodel import Session
from starlette.responses import HTMLResponse, RedirectResponse, Response

from service.api.deps import ClockDep, SessionDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.auth.actor import Actor
from service.clock import Clock
from service.errors import ServiceError, Unprocessable
from service.models.staff import StaffRole
from service.rendering.language import Translator, request_language
from service.rendering.progress import progress_view
from service.schemas.common import Id, PageParams
from service.schemas.flags import FlagSignOff
from service.schemas.rounds import DueCase, RoundCreate
from service.usecases.administration import instruments, municipality
from service.usecases.child import cases, flags, progress
from service.usecases.procedure import cadence_deviations, due, rounds
from service.web.staff.notifications import case_context, work_list
from service.web.staff.pages import (
    ALL,
    PageActor,
    Posted,
    csrf_failed,
    local_datetime,
    page,
    page_t,
    problem,
)
from service.web.staff.sessions import case_sessions

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)
CASES_PER_PAGE = 50
PageNo = Annotated[int, Query(alias="page", ge=1, le=100_000)]
#: The search box: a part of a child's name or of a case number; a longer one is refused on
#: the page itself, not as a bare validation error.
Search = Annotated[str, Query(alias="q")]
SEARCH_MAX = 100
SHOWS: tuple[due.DueShow, ...] = ("all", "overdue", "soon", "meeting")


@router.get("/cases", response_class=HTMLResponse)
def casespage(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    page_no: PageNo = 1,
    search: Search = "",
    show: str = "all",
) -> Response:
    """The caller's active cases, what needs doing first (overdue, due soon, at the meeting),
    a page at a time; the caseworker may narrow them to one kind and search them."""
    shown: due.DueShow = next((s for s in SHOWS if s == show), "all")
    search = search.strip()
    too_long = len(search) > SEARCH_MAX
    if too_long:
        search = ""
    window = PageParams(limit=CASES_PER_PAGE, offset=(page_no - 1) * CASES_PER_PAGE)
    items, total = due.due_list(
        session,
        actor,
        clock.now(),
        window,
        include_later=True,
        order="needs",
        show=shown,
        search=search,
    )
    latest = due.latest_rounds(session, [item.case_id for item in items])
    open_flags = flags.open_counts(session, actor, [item.case_id for item in items])
    pages = max(1, -(-total // CASES_PER_PAGE))
    # A team leader sees the team's cases, by caseworker; a caseworker their own.
    groups: list[tuple[str, list[DueCase]]] = [("", items)]
    leader = actor.role is StaffRole.TEAM_LEADER
    if leader:
        names = {u.id: u.full_name for u in municipality.list_staff(session, actor, ALL)[0]}
        by_caseworker: dict[int, list[DueCase]] = {}
        for item in items:
            by_caseworker.setdefault(item.caseworker_id, []).append(item)
        groups = sorted(
            ((names.get(cw, "?"), group) for cw, group in by_caseworker.items()),
            key=lambda g: g[0],
        )
    return page(
        request,
        "cases.html",
        {
            "items": items,
            "groups": groups,
            **work_list(session, actor, clock.now()),
            "nav": "cases",
            "latest": latest,
            "open_flags": open_flags,
            "page_no": page_no,
            "pages": pages,
            "total": total,
            "search": search,
            "show": shown,
            "shows": SHOWS,
            "filtered": shown != "all" or bool(search),
            "approvals": cadence_deviations.pending(session, actor) if leader else [],
            "refusal": [("#cases-q", page_t(request)("cases.search_too_long", n=SEARCH_MAX))]
            if too_long
            else None,
        },
        status=422 if too_long else 200,
    )


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def casepage(
    request: Request, case_id: Id, actor: PageActor, session: SessionDep, clock: ClockDep
) -> Response:
    return case_page(request, session, actor, case_id, clock)


def case_page(
    request: Request,
    session: Session,
    actor: Actor,
    case_id: int,
    clock: Clock,
    *,
    typed: dict[str, str] | None = None,
    fields: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    """The case page; after a refused new round, with what was typed and each field's own
    message beside it, linked from the summary at the top."""
    try:
        case = cases.get_case(session, actor, case_id)
    except ServiceError as error:
        return problem(request, error)
    t = page_t(request)
    refused = [(f"#round-{k}", t(v)) for k, v in (fields or {}).items()] or None
    case_rounds, _ = rounds.list_rounds(session, actor, ALL, case_id=case_id)
    in_use, _ = instruments.list_instruments(session, actor, ALL, in_use=True, status=None)
    series = progress.case_progress(session, actor, case_id)
    view = progress_view(series, Translator(request_language(request)))
    case_flags = flags.list_flags(session, actor, case_id)
    return page(
        request,
        "case.html",
        {
            "case": case,
            "flags": case_flags,
            "flag_factors": flags.factor_names(session, case_flags),
            "may_sign": actor.id == case.caseworker_id,
            "rounds": rounds.public_many(session, case_rounds),
            "instruments": in_use,
            "view": view,
            **case_context(session, actor, case_id, clock.now()),
            "sessions": case_sessions(request, session, actor, case_id, clock),
            "typed": typed or {},
            "fields": fields or {},
            "refusal": refused,
        },
        status=status,
    )


@router.post("/cases/{case_id}/rounds")
def open_round(
    request: Request,
    case_id: Id,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    data: Posted,
) -> Response:
    failed = csrf_failed(request, data)
    if failed:
        return failed
    typed = {k: data.get(k, "") for k in ROUND_FIELDS}
    due, meeting = local_datetime(typed["due_at"]), local_datetime(typed["meeting_at"])
    fields: dict[str, str] = {}
    if due is None:
        fields["due_at"] = "error.round.due_at_missing" if not typed["due_at"] else "error.date"
    if meeting is None and typed["meeting_at"]:
        fields["meeting_at"] = "error.date"
    if due is not None and meeting is not None and meeting < due:
        fields["meeting_at"] = "error.round.meeting_before_due"
    if not fields and due is not None:
        try:
            body = RoundCreate(
                instrument_id=int(typed["instrument_id"] or 0),
                due_at=due,
                meeting_at=meeting,
                # Opened as a draft: the round page guides the caseworker to add its
                # informants before it opens for answers.
                draft=True,
            )
            rnd = rounds.open_round(session, actor, case_id, body, clock.now())
        except Unprocessable as error:
            if error.code != "due_in_past":
                return problem(request, error)
            fields["due_at"] = "error.round.due_in_past"
        except (ServiceError, ValueError) as error:
            return problem(request, error)
        else:
            return RedirectResponse(f"/rounds/{rnd.id}", 303)
    session.rollback()
    return case_page(
        request, session, actor, case_id, clock, typed=typed, fields=fields, status=422
    )


#: The new-round form's fields, in the form's order.
ROUND_FIELDS = ("instrument_id", "due_at", "meeting_at")


@router.post("/cases/{case_id}/flags/{flag_id}/sign-off")
def sign_off_flag(
    request: Request,
    case_id: Id,
    flag_id: Id,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    data: Posted,
) -> Response:
    """The caseworker signs off an advisory flag with a note, from the case page."""
    failed = csrf_failed(request, data)
    if failed:
        return failed
    try:
        body = FlagSignOff(note=data.get("note", ""))
        flags.sign_off(session, actor, case_id, flag_id, body.note, clock.now())
    except (ServiceError, ValueError) as error:
        return problem(request, error)
    return RedirectResponse(f"/cases/{case_id}#flags", 303)
