"""Drift: a caseworker's own official scores beside the informants' median, for her alone,
and the team's spread of those figures, without names, for the leader."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from service.api.deps import ClockDep, CurrentActor, ReportsSessionDep, SessionDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.errors import Forbidden, NotFound, problem_responses
from service.schemas.common import Day, Id
from service.schemas.drift import DriftReport, DriftSpreadReport
from service.usecases.reports import drift
from service.workflow.breakdowns import PeriodLength

router = APIRouter(tags=["reports"], route_class=UnitOfWorkRoute)

Period = Annotated[PeriodLength, Query(description="quarter, half_year or year")]
Start = Annotated[Day | None, Query(description="Rounds completed on or after this day")]
End = Annotated[Day | None, Query(description="Rounds completed before this day")]


@router.get(
    "/staff/{staff_id}/drift",
    operation_id="staff_own_drift",
    summary="A caseworker's own scoring over time, for her alone",
    response_model=DriftReport,
    responses=problem_responses(NotFound),
)
def staff_own_drift(
    actor: CurrentActor,
    session: SessionDep,
    clock: ClockDep,
    staff_id: Id,
    period: Period = PeriodLength.HALF_YEAR,
    start: Start = None,
    end: End = None,
) -> DriftReport:
    """Per factor and period, how far the official scores the asking person set lie from the
    median of the other informants' scores of the same rounds (negative: more hopeful), and
    her own distances from the reference in the calibration exercises she answered.
    Answers only for the person asking: any other id is not found."""
    return drift.own_drift(session, actor, staff_id, _filter(period, start, end), clock.now())


@router.get(
    "/reports/drift-spread",
    operation_id="report_drift_spread",
    summary="The team's spread of the caseworkers' drift, without names",
    response_model=DriftSpreadReport,
    responses=problem_responses(Forbidden),
)
def report_drift_spread(
    actor: CurrentActor,
    session: ReportsSessionDep,
    start: Start = None,
    end: End = None,
) -> DriftSpreadReport:
    """Per factor, the quartiles of the caseworkers' mean drift in the cases in scope; null
    where fewer than `min_group_size` caseworkers have figures. No names, no extremes."""
    return drift.drift_spread(session, actor, _filter(PeriodLength.HALF_YEAR, start, end))


def _filter(period: PeriodLength, start: date | None, end: date | None) -> drift.DriftFilter:
    return drift.DriftFilter(period, start, end)
