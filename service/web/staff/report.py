"""A completed round's report from its page: the same document the API gives, as HTML to read
or print and as PDF to file."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from service.api.deps import ClockDep, SessionDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.errors import ServiceError
from service.rendering.language import request_language
from service.reports import document
from service.schemas.common import Id
from service.usecases.child import report
from service.web.staff.pages import PageActor, problem

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)


@router.get("/rounds/{round_id}/report", response_class=HTMLResponse)
def report_page(
    request: Request, round_id: Id, actor: PageActor, session: SessionDep, clock: ClockDep
) -> Response:
    try:
        found = report.round_report(session, actor, round_id, clock.now())
    except ServiceError as error:
        return problem(request, error)
    session.commit()  # the read is recorded; drawing the document needs no database
    return HTMLResponse(
        document.report_html(found, request_language(request)),
        headers={"Content-Security-Policy": document.REPORT_CSP},
    )


@router.get("/rounds/{round_id}/report.pdf")
def report_pdf(
    request: Request, round_id: Id, actor: PageActor, session: SessionDep, clock: ClockDep
) -> Response:
    try:
        found = report.round_report(session, actor, round_id, clock.now())
        session.commit()
        pdf = document.report_pdf(found, request_language(request))
    except ServiceError as error:
        return problem(request, error)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{document.filename(found, "pdf")}"'
        },
    )
