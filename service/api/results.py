"""What came of it: a child's progress over time, the round's report and exports."""

from __future__ import annotations

from fastapi import APIRouter

from service.api.deps import CurrentActor, SessionDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.errors import Forbidden, NotFound, problem_responses
from service.schemas.progress import CaseProgress
from service.usecases import progress

router = APIRouter(tags=["results"], route_class=UnitOfWorkRoute)


@router.get(
    "/cases/{case_id}/progress",
    operation_id="get_case_progress",
    summary="A child's progress over time",
    response_model=CaseProgress,
    responses=problem_responses(Forbidden, NotFound),
)
def get_case_progress(actor: CurrentActor, session: SessionDep, case_id: int) -> CaseProgress:
    """Per factor, in time order, the official status and goal of every completed round with
    its outcome; each informant role's own series; the professionals' spread per round."""
    return progress.case_progress(session, actor, case_id)
