"""The decision a completed round leads to, and the management figure of decisions."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from service.api.deps import ClockDep, CurrentActor, ReportsSessionDep, SessionDep
from service.api.downloads import csv_download
from service.api.unit_of_work import UnitOfWorkRoute
from service.errors import Conflict, Forbidden, NotFound, Unprocessable, problem_responses
from service.exports.decisions_csv import decisions_csv
from service.models.round_decision import RoundDecision
from service.schemas.common import Id
from service.schemas.decisions import (
    DecisionPublic,
    DecisionsPublic,
    DecisionsReport,
    DecisionWrite,
)
from service.usecases.procedure import decisions as usecase

router = APIRouter(route_class=UnitOfWorkRoute)


def _decision(decision: RoundDecision) -> DecisionPublic:
    return DecisionPublic.model_validate(decision, from_attributes=True)


@router.post(
    "/rounds/{round_id}/decisions",
    tags=["rounds"],
    operation_id="record_round_decision",
    summary="Record the decision a completed round led to",
    status_code=status.HTTP_201_CREATED,
    response_model=DecisionPublic,
    responses=problem_responses(Forbidden, NotFound, Conflict, Unprocessable),
)
def record_round_decision(
    actor: CurrentActor, session: SessionDep, clock: ClockDep, round_id: Id, body: DecisionWrite
) -> DecisionPublic:
    """Continue, adjust, end or start another measure, with the reason and the day; a
    decision recorded before for the round is amended and kept as history."""
    return _decision(usecase.record_decision(session, actor, round_id, body, clock.now()))


@router.get(
    "/rounds/{round_id}/decisions",
    tags=["rounds"],
    operation_id="list_round_decisions",
    summary="Get the decision a round led to, with its history",
    response_model=DecisionsPublic,
    responses=problem_responses(Forbidden, NotFound),
)
def list_round_decisions(actor: CurrentActor, session: SessionDep, round_id: Id) -> DecisionsPublic:
    """The round's current decision and the ones it amended, newest first."""
    current, history = usecase.list_decisions(session, actor, round_id)
    return DecisionsPublic(
        current=_decision(current) if current else None,
        history=[_decision(d) for d in history],
    )


@router.get(
    "/reports/decisions",
    tags=["reports"],
    operation_id="report_decisions",
    summary="Decisions by outcome and by kind of measure",
    response_model=DecisionsReport,
    responses=problem_responses(Forbidden),
)
def report_decisions(actor: CurrentActor, session: ReportsSessionDep) -> DecisionsReport:
    """Each child's latest decision, by outcome and by the kind of measure it concerned; small
    groups hidden."""
    return usecase.decisions_report(session, actor)


@router.get(
    "/reports/decisions.csv",
    tags=["reports"],
    operation_id="report_decisions_csv",
    summary="Decisions by outcome and by kind of measure, as CSV",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, **problem_responses(Forbidden)},
)
def report_decisions_csv(actor: CurrentActor, session: ReportsSessionDep) -> Response:
    """The same figure as CSV, suppressed alike."""
    report = usecase.decisions_report(session, actor)
    return csv_download(decisions_csv(report), "decisions.csv", report.as_of)
