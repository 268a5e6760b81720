"""The procedure compliance page (procedurefølgning): per team and period, the shares of the
completed rounds that kept the adopted procedure, from the same use case as the API."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import HTMLResponse, Response

from service.api.downloads import csv_download
from service.api.unit_of_work import UnitOfWorkRoute
from service.exports.compliance_csv import compliance_csv
from service.usecases.reports import compliance
from service.web.staff.pages import PageActor, PageReportsSession, page
from service.workflow.breakdowns import PeriodLength

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)

PeriodQuery = Annotated[PeriodLength, Query()]
DayQuery = Annotated[date | None, Query()]


@router.get("/reports/compliance", response_class=HTMLResponse)
def compliancepage(
    request: Request,
    actor: PageActor,
    session: PageReportsSession,
    period: PeriodQuery = PeriodLength.HALF_YEAR,
    start: DayQuery = None,
    end: DayQuery = None,
) -> Response:
    report = compliance.compliance_report(
        session, actor, compliance.ComplianceFilter(period, start, end)
    )
    return page(
        request,
        "reports_compliance.html",
        {
            "nav": "reports",
            "section": "compliance",
            "report": report,
            "criteria": [*compliance.CRITERIA, "all_met"],
            "periods": [p.value for p in PeriodLength],
            "query": request.url.query,
        },
    )


@router.get("/reports/compliance.csv")
def compliance_csv_page(
    actor: PageActor,
    session: PageReportsSession,
    period: PeriodQuery = PeriodLength.HALF_YEAR,
    start: DayQuery = None,
    end: DayQuery = None,
) -> Response:
    report = compliance.compliance_report(
        session, actor, compliance.ComplianceFilter(period, start, end)
    )
    return csv_download(compliance_csv(report), "compliance.csv", report.as_of)
