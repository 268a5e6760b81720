"""Procedure compliance (procedurefølgning) per team and period, as JSON and CSV."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from service.api.deps import CurrentActor, ReportsSessionDep
from service.api.downloads import csv_download
from service.api.unit_of_work import UnitOfWorkRoute
from service.errors import Forbidden, problem_responses
from service.exports.compliance_csv import compliance_csv
from service.schemas.common import Day
from service.schemas.compliance import ComplianceReport
from service.usecases.reports import compliance
from service.workflow.breakdowns import PeriodLength

router = APIRouter(prefix="/reports", tags=["reports"], route_class=UnitOfWorkRoute)

Period = Annotated[PeriodLength, Query(description="quarter, half_year or year")]
Start = Annotated[Day | None, Query(description="Rounds completed on or after this day")]
End = Annotated[Day | None, Query(description="Rounds completed before this day")]


@router.get(
    "/compliance",
    operation_id="report_compliance",
    summary="Procedure compliance per team and period",
    response_model=ComplianceReport,
    responses=problem_responses(Forbidden),
)
def report_compliance(
    actor: CurrentActor,
    session: ReportsSessionDep,
    period: Period = PeriodLength.HALF_YEAR,
    start: Start = None,
    end: End = None,
) -> ComplianceReport:
    """Per team and period, the share of completed rounds that followed the adopted
    procedure, heard every voice it owes (or recorded why not), were held within the
    municipality's `on_time_days` of the due date, had their attendance recorded and sent the
    family its result; a row under `min_group_size` rounds is null."""
    return compliance.compliance_report(
        session, actor, compliance.ComplianceFilter(period, start, end)
    )


@router.get(
    "/compliance.csv",
    operation_id="report_compliance_csv",
    summary="Procedure compliance per team and period, as CSV",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, **problem_responses(Forbidden)},
)
def report_compliance_csv(
    actor: CurrentActor,
    session: ReportsSessionDep,
    period: Period = PeriodLength.HALF_YEAR,
    start: Start = None,
    end: End = None,
) -> Response:
    """The compliance report as CSV: codes as headers, a hidden figure an empty field."""
    report = compliance.compliance_report(
        session, actor, compliance.ComplianceFilter(period, start, end)
    )
    return csv_download(compliance_csv(report), "compliance.csv", report.as_of)
