"""Advisory flags on a case, and their sign-off by the case's caseworker."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from service.api.deps import ClockDep, CurrentActor, SessionDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.errors import Conflict, Forbidden, NotFound, problem_responses
from service.models.case_flag import CaseFlag
from service.schemas.common import Id
from service.schemas.flags import FlagPublic, FlagSignOff, FlagsPublic
from service.usecases.child import flags as usecase

router = APIRouter(route_class=UnitOfWorkRoute)


def _flag(flag: CaseFlag) -> FlagPublic:
    return FlagPublic.model_validate(flag, from_attributes=True)


@router.get(
    "/cases/{case_id}/flags",
    tags=["cases"],
    operation_id="list_case_flags",
    summary="List a case's advisory flags",
    response_model=FlagsPublic,
    responses=problem_responses(Forbidden, NotFound),
)
def list_case_flags(
    actor: CurrentActor,
    session: SessionDep,
    case_id: Id,
    open_only: Annotated[bool, Query(alias="open")] = False,
) -> FlagsPublic:
    """The flags completed rounds raised on the case, newest first; `open=true`: only those
    not signed off. Each is advisory and says why."""
    rows = usecase.list_flags(session, actor, case_id, open_only=open_only)
    return FlagsPublic(
        items=[_flag(f) for f in rows], open=sum(f.signed_off_at is None for f in rows)
    )


@router.post(
    "/cases/{case_id}/flags/{flag_id}/sign-off",
    tags=["cases"],
    operation_id="sign_off_case_flag",
    summary="Sign off an advisory flag",
    response_model=FlagPublic,
    responses=problem_responses(Forbidden, NotFound, Conflict),
)
def sign_off_case_flag(
    actor: CurrentActor,
    session: SessionDep,
    clock: ClockDep,
    case_id: Id,
    flag_id: Id,
    body: FlagSignOff,
) -> FlagPublic:
    """The case's caseworker has looked at the flag: the note says what they made of it."""
    return _flag(usecase.sign_off(session, actor, case_id, flag_id, body.note, clock.now()))
