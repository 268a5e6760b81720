"""The session forms on the case page: the standing links (issue, show once, revoke with
confirmation) and the child's series as a chart and a table."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import HTMLResponse, RedirectResponse, Response

from service.api.deps import ClockDep, SessionDep, SettingsDep
from service.api.sessions import session_link_url
from service.api.unit_of_work import UnitOfWorkRoute
from service.auth.actor import Actor
from service.clock import Clock
from service.errors import ServiceError
from service.models.case import Measure
from service.rendering.session_forms import SeriesView, series_view
from service.schemas.common import Id
from service.schemas.sessions import SessionLinkCreate, SessionLinkPublic
from service.usecases.child import cases
from service.usecases.sessions import answers, links
from service.web.staff.pages import ALL, PageActor, Posted, csrf_failed, page, page_t, problem

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)


@dataclass(frozen=True, slots=True)
class CaseSessions:
    """What the case page shows of the session forms."""

    links: list[SessionLinkPublic]
    measures: list[Measure]  # those running today: a standing link is issued for one of them
    view: SeriesView | None


def case_sessions(
    request: Request, session: Session, actor: Actor, case_id: int, clock: Clock
) -> CaseSessions:
    now = clock.now()
    issued, _ = links.list_links(session, actor, case_id, ALL, now)
    measures, _ = cases.list_measures(session, actor, case_id, ALL)
    running = [m for m in measures if links.measure_running(m, links.today(now))]
    series = answers.case_series(session, actor, case_id)
    return CaseSessions(issued, running, series_view(page_t(request), series))


@router.post("/cases/{case_id}/session-links", response_class=HTMLResponse)
def issue_session_link(
    request: Request,
    case_id: Id,
    actor: PageActor,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: Posted,
) -> Response:
    failed = csrf_failed(request, data)
    if failed:
        return failed
    try:
        body = SessionLinkCreate(
            measure_id=int(data.get("measure_id") or 0),
            holder=data.get("holder", "young_person"),  # type: ignore[arg-type]
            label=data.get("label", ""),
        )
        link, _, case, token = links.issue(
            session, actor, case_id, body, settings.keyring(), clock.now()
        )
    except (ServiceError, ValueError) as error:
        return problem(request, error)
    return page(
        request,
        "session_link_issued.html",
        {
            "case": case,
            "link": link,
            "url": session_link_url(settings.public_base_url, token),
        },
    )


@router.get("/cases/{case_id}/session-links/{link_id}/revoke", response_class=HTMLResponse)
def confirm_revoke(
    request: Request,
    case_id: Id,
    link_id: Id,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
) -> Response:
    """Closing a link ends it: the page asks first."""
    try:
        issued, _ = links.list_links(session, actor, case_id, ALL, clock.now())
    except ServiceError as error:
        return problem(request, error)
    link = next((item for item in issued if item.id == link_id), None)
    if link is None or not link.active:
        return RedirectResponse(f"/cases/{case_id}#sessions", 303)
    t = page_t(request)
    return page(
        request,
        "confirm.html",
        {
            "title": t("sessions.revoke"),
            "texts": [t("sessions.revoke_question", label=link.label)],
            "action": f"/cases/{case_id}/session-links/{link_id}/revoke",
            "fields": {},
            "button": t("sessions.revoke"),
            "danger": True,
            "back": f"/cases/{case_id}#sessions",
        },
    )


@router.post("/cases/{case_id}/session-links/{link_id}/revoke")
def revoke_session_link(
    request: Request,
    case_id: Id,
    link_id: Id,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    data: Posted,
) -> Response:
    failed = csrf_failed(request, data)
    if failed:
        return failed
    try:
        links.revoke(session, actor, case_id, link_id, clock.now())
    except ServiceError as error:
        return problem(request, error)
    return RedirectResponse(f"/cases/{case_id}#sessions", 303)
