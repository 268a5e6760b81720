"""The leader's pages: goal attainment by group as stacked bars with the table under them,
the mean change per factor, and the data quality beside them; each table as CSV."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from markupsafe import Markup
from starlette.responses import HTMLResponse, Response

from service.api.deps import SessionDep
from service.api.reports import csv_response
from service.api.unit_of_work import UnitOfWorkRoute
from service.charts.bars import Bar, BarTexts, stacked_bars
from service.schemas.common import Key
from service.schemas.reports import OutcomesReport
from service.usecases.reports import change, outcomes
from service.usecases.reports.groups import GroupBy, PeriodLength
from service.web.i18n import Translator, request_language
from service.web.staff.pages import PageActor, page

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)

GroupQuery = Annotated[GroupBy, Query()]
PeriodQuery = Annotated[PeriodLength, Query()]
FactorQuery = Annotated[Key | None, Query()]
DayQuery = Annotated[date | None, Query()]


def _label(t: Translator, group_by: GroupBy, key: str, label: str) -> str:
    if group_by is GroupBy.MEASURE_CATEGORY and key:
        return t(f"reports.category.{key}")
    if group_by is GroupBy.MEASURE_TYPE and key:
        return t(f"measuretype.{key}")
    if group_by is GroupBy.PROCEDURE and key:
        return t(f"reports.procedure.{key}")
    return label or t("reports.unknown_group")


def chart(t: Translator, report: OutcomesReport) -> Markup:
    bars = [
        Bar(_label(t, report.group_by, row.key, row.label), row.cells, row.total)
        for row in report.table.rows
    ]
    svg = stacked_bars(
        "outcomes",
        bars,
        BarTexts(
            title=t("reports.outcomes.chart", group=t(f"reports.group.{report.group_by.value}")),
            categories=[t(f"outcome.{c}") for c in report.table.columns],
            hidden=t("reports.suppressed_part"),
            too_small=t("reports.too_small", k=report.table.min_group_size),
        ),
    )
    return Markup(svg)  # noqa: S704 - built by service.charts, every text escaped there


@router.get("/reports", response_class=HTMLResponse)
def reportspage(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    group_by: GroupQuery = GroupBy.MEASURE_CATEGORY,
    period: PeriodQuery = PeriodLength.HALF_YEAR,
    factor: FactorQuery = None,
    start: DayQuery = None,
    end: DayQuery = None,
) -> Response:
    t = Translator(request_language(request))
    report = outcomes.outcomes_report(
        session, actor, outcomes.OutcomeFilter(group_by, period, factor, start, end)
    )
    changes = change.change_report(session, actor, start, end)
    return page(
        request,
        "reports.html",
        {
            "nav": "reports",
            "report": report,
            "changes": changes,
            "chart": chart(t, report),
            "labels": [_label(t, group_by, r.key, r.label) for r in report.table.rows],
            "groups": list(GroupBy),
            "periods": list(PeriodLength),
            "query": request.url.query,
        },
    )


@router.get("/reports/outcomes.csv")
def reports_csv(
    actor: PageActor,
    session: SessionDep,
    group_by: GroupQuery = GroupBy.MEASURE_CATEGORY,
    period: PeriodQuery = PeriodLength.HALF_YEAR,
    factor: FactorQuery = None,
    start: DayQuery = None,
    end: DayQuery = None,
) -> Response:
    report = outcomes.outcomes_report(
        session, actor, outcomes.OutcomeFilter(group_by, period, factor, start, end)
    )
    return csv_response(report.table, f"outcomes-{group_by.value}.csv")
