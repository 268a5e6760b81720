"""The child's plan (barnets plan; SØM): its rows with the factors they serve and the official
goals, and each row's status as followed at a round."""

from __future__ import annotations

from fastapi import APIRouter, status

from service.api.deps import ClockDep, CurrentActor, SessionDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.errors import Conflict, Forbidden, NotFound, Unprocessable, problem_responses
from service.schemas.common import Id
from service.schemas.plan import (
    CasePlanPublic,
    PlanRowCreate,
    PlanRowEnd,
    PlanRowPublic,
    PlanRowUpdate,
    PlanStatusWrite,
    RoundPlanPublic,
)
from service.usecases.child import plan

router = APIRouter(route_class=UnitOfWorkRoute, tags=["plan"])


@router.get(
    "/cases/{case_id}/plan",
    operation_id="get_case_plan",
    summary="Get the child's plan",
    response_model=CasePlanPublic,
    responses=problem_responses(Forbidden, NotFound),
)
def get_case_plan(actor: CurrentActor, session: SessionDep, case_id: Id) -> CasePlanPublic:
    """The plan (barnets plan): the factors of the case's form with their official goals and
    the rows that serve them, so that goals and activities are seen together; each row with
    its status at each round. Rows in force first, then the ended ones."""
    return plan.case_plan(session, actor, case_id)


@router.post(
    "/cases/{case_id}/plan/rows",
    operation_id="create_plan_row",
    summary="Add a row to the plan",
    status_code=status.HTTP_201_CREATED,
    response_model=PlanRowPublic,
    responses=problem_responses(Forbidden, NotFound, Conflict, Unprocessable),
)
def create_plan_row(
    actor: CurrentActor, session: SessionDep, clock: ClockDep, case_id: Id, body: PlanRowCreate
) -> PlanRowPublic:
    """A row (situation, desired solution, means, actor, external resources) serving one or
    more factors of the case's form. The plan's first row makes the plan that a notification's
    14 days wait for. 409 `plan_needs_round` before the case's first round."""
    return plan.add_row(session, actor, case_id, body, clock.now())


@router.patch(
    "/cases/{case_id}/plan/rows/{row_id}",
    operation_id="update_plan_row",
    summary="Change a row of the plan",
    response_model=PlanRowPublic,
    responses=problem_responses(Forbidden, NotFound, Conflict, Unprocessable),
)
def update_plan_row(
    actor: CurrentActor,
    session: SessionDep,
    clock: ClockDep,
    case_id: Id,
    row_id: Id,
    body: PlanRowUpdate,
) -> PlanRowPublic:
    """What is given changes; what is left out stays. 409 `plan_row_ended` once ended."""
    return plan.update_row(session, actor, case_id, row_id, body, clock.now())


@router.post(
    "/cases/{case_id}/plan/rows/{row_id}/end",
    operation_id="end_plan_row",
    summary="End a row of the plan",
    response_model=PlanRowPublic,
    responses=problem_responses(Forbidden, NotFound, Conflict, Unprocessable),
)
def end_plan_row(
    actor: CurrentActor,
    session: SessionDep,
    clock: ClockDep,
    case_id: Id,
    row_id: Id,
    body: PlanRowEnd,
) -> PlanRowPublic:
    """The row is done with or given up: it leaves the plan in force and keeps its history."""
    return plan.end_row(session, actor, case_id, row_id, body, clock.now())


@router.get(
    "/rounds/{round_id}/plan",
    operation_id="get_round_plan",
    summary="Get the plan as a round follows it",
    response_model=RoundPlanPublic,
    responses=problem_responses(Forbidden, NotFound),
)
def get_round_plan(actor: CurrentActor, session: SessionDep, round_id: Id) -> RoundPlanPublic:
    """The round's own official goals per factor with the rows that serve them: those in
    force while the round ran, each with its status."""
    return plan.round_plan(session, actor, round_id)


@router.put(
    "/rounds/{round_id}/plan/rows/{row_id}/status",
    operation_id="set_plan_row_status",
    summary="Follow a plan row at a round",
    response_model=PlanRowPublic,
    responses=problem_responses(Forbidden, NotFound, Conflict, Unprocessable),
)
def set_plan_row_status(
    actor: CurrentActor,
    session: SessionDep,
    clock: ClockDep,
    round_id: Id,
    row_id: Id,
    body: PlanStatusWrite,
) -> PlanRowPublic:
    """The row's status at the round (not started, under way, done, dropped) with the
    caseworker's note, which stays with the staff. 409 `plan_row_not_followed` at a cancelled
    round, or one opened after the row ended."""
    return plan.set_status(session, actor, round_id, row_id, body, clock.now())
