"""Management reports (ledelsesinformation): aggregates for team leaders and administrators,
a caseworker's own cases' figures, and integrator clients with `reports:read`."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response

from service.api.deps import CurrentActor, SessionDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.errors import Forbidden, problem_responses
from service.schemas.common import Day, Key
from service.schemas.reports import ChangeReport, OutcomesReport, ReportTable
from service.usecases.reports import change, outcomes
from service.usecases.reports.groups import GroupBy, PeriodLength

router = APIRouter(prefix="/reports", tags=["reports"], route_class=UnitOfWorkRoute)

Start = Annotated[Day | None, Query(description="Rounds completed on or after this day")]
End = Annotated[Day | None, Query(description="Rounds completed before this day")]


def _filter(
    group_by: GroupBy,
    period: PeriodLength,
    factor: str | None,
    start: date | None,
    end: date | None,
) -> outcomes.OutcomeFilter:
    return outcomes.OutcomeFilter(group_by, period, factor, start, end)


@router.get(
    "/outcomes",
    operation_id="report_outcomes",
    summary="Goal attainment by group",
    response_model=OutcomesReport,
    responses=problem_responses(Forbidden),
)
def report_outcomes(
    actor: CurrentActor,
    session: SessionDep,
    group_by: Annotated[GroupBy, Query()] = GroupBy.MEASURE_CATEGORY,
    period: Annotated[PeriodLength, Query(description="With group_by=period")] = (
        PeriodLength.HALF_YEAR
    ),
    factor: Annotated[Key | None, Query(description="One factor's key; all if absent")] = None,
    start: Start = None,
    end: End = None,
) -> OutcomesReport:
    """The six outcomes of the official scores by measure kind, provider, team, age band,
    procedure or period; counts under the municipality's `min_group_size`, and those that
    would reveal them, are null. Data quality beside it."""
    return outcomes.outcomes_report(session, actor, _filter(group_by, period, factor, start, end))


@router.get(
    "/outcomes.csv",
    operation_id="report_outcomes_csv",
    summary="Goal attainment by group, as CSV",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, **problem_responses(Forbidden)},
)
def report_outcomes_csv(
    actor: CurrentActor,
    session: SessionDep,
    group_by: Annotated[GroupBy, Query()] = GroupBy.MEASURE_CATEGORY,
    period: Annotated[PeriodLength, Query()] = PeriodLength.HALF_YEAR,
    factor: Annotated[Key | None, Query()] = None,
    start: Start = None,
    end: End = None,
) -> Response:
    """The same table as CSV, suppressed alike (a suppressed count is an empty field)."""
    report = outcomes.outcomes_report(session, actor, _filter(group_by, period, factor, start, end))
    return csv_response(report.table, "outcomes.csv")


def table_csv(table: ReportTable) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["group", "label", *table.columns, "total"])
    for row in table.rows:
        writer.writerow([row.key, row.label, *_fields(row.cells), *_fields([row.total])])
    writer.writerow(["total", "", *_fields(table.column_totals), *_fields([table.total])])
    return out.getvalue()


def _fields(values: list[int | None]) -> list[str]:
    return ["" if v is None else str(v) for v in values]


def csv_response(table: ReportTable, filename: str) -> Response:
    return Response(
        table_csv(table),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/change",
    operation_id="report_change",
    summary="Mean change of the official status per factor",
    response_model=ChangeReport,
    responses=problem_responses(Forbidden),
)
def report_change(
    actor: CurrentActor, session: SessionDep, start: Start = None, end: End = None
) -> ChangeReport:
    """Per factor, the mean change between a child's consecutive rounds (negative: fewer
    problems) and the number of children behind it; null where they are too few."""
    return change.change_report(session, actor, start, end)
