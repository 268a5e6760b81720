"""The decisions page for management: each child's latest decision by outcome and by the kind
of measure it concerned, small groups hidden, from the same use case as the API."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from service.api.downloads import csv_download
from service.api.unit_of_work import UnitOfWorkRoute
from service.exports.decisions_csv import decisions_csv
from service.usecases.procedure import decisions
from service.web.staff.pages import PageActor, PageReportsSession, page

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)


@router.get("/reports/decisions", response_class=HTMLResponse)
def decisionspage(request: Request, actor: PageActor, session: PageReportsSession) -> Response:
    report = decisions.decisions_report(session, actor)
    return page(
        request,
        "reports_decisions.html",
        {"nav": "reports", "section": "decisions", "report": report},
    )


@router.get("/reports/decisions.csv")
def decisions_csv_page(actor: PageActor, session: PageReportsSession) -> Response:
    report = decisions.decisions_report(session, actor)
    return csv_download(decisions_csv(report), "decisions.csv", report.as_of)
