"""Drift pages: "Min scoring over tid", a caseworker's own official scores beside the
informants' median, for her alone; and the team's spread of those figures, without names,
for the leader. The figures come from the same use cases as the API."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import HTMLResponse, Response

from service.api.deps import ClockDep, SessionDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.usecases.reports import drift
from service.web.staff.pages import PageActor, PageReportsSession, page
from service.workflow.breakdowns import PeriodLength

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)

PeriodQuery = Annotated[PeriodLength, Query()]
DayQuery = Annotated[date | None, Query()]


@router.get("/my-scoring", response_class=HTMLResponse)
def myscoringpage(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    period: PeriodQuery = PeriodLength.HALF_YEAR,
    start: DayQuery = None,
    end: DayQuery = None,
) -> Response:
    report = drift.own_drift(
        session, actor, actor.id, drift.DriftFilter(period, start, end), clock.now()
    )
    return page(
        request,
        "my_scoring.html",
        {"nav": "my_scoring", "report": report, "periods": [p.value for p in PeriodLength]},
    )


@router.get("/reports/drift-spread", response_class=HTMLResponse)
def driftspreadpage(
    request: Request,
    actor: PageActor,
    session: PageReportsSession,
    start: DayQuery = None,
    end: DayQuery = None,
) -> Response:
    report = drift.drift_spread(session, actor, drift.DriftFilter(start=start, end=end))
    return page(
        request,
        "reports_drift_spread.html",
        {"nav": "reports", "section": "drift_spread", "report": report},
    )
