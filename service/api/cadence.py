"""Written cadence standards, deviations from them, and providers' requests for a follow-up."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from service.api.deps import ClockDep, CurrentActor, SessionDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.errors import Conflict, Forbidden, NotFound, Unprocessable, problem_responses
from service.schemas.cadence import (
    CadenceQuality,
    CadenceStandardAdopt,
    CadenceStandardPublic,
    CadenceStandardUpdate,
    DeviationCreate,
    DeviationDecision,
    DeviationPublic,
    DeviationsPublic,
    FollowUpRequestAnswer,
    FollowUpRequestCreate,
    FollowUpRequestPublic,
    FollowUpRequestsPublic,
    ShippedStandardsPublic,
)
from service.schemas.common import Id
from service.usecases.procedure import cadence_deviations as deviations
from service.usecases.procedure import cadence_standards as standards
from service.usecases.procedure import follow_up_requests as requests
from service.usecases.reports import cadence_quality as quality

router = APIRouter(route_class=UnitOfWorkRoute)


@router.get(
    "/cadence-standards",
    tags=["cadence"],
    operation_id="list_shipped_cadence_standards",
    summary="The shipped cadence standards",
    response_model=ShippedStandardsPublic,
    responses=problem_responses(),
)
def list_shipped(actor: CurrentActor) -> ShippedStandardsPublic:
    """Haderslev's, Herning's and Hvidovre's written standards for follow-ups, to adopt."""
    return ShippedStandardsPublic(items=standards.shipped_public())


@router.get(
    "/municipality/cadence-standard",
    tags=["cadence"],
    operation_id="get_cadence_standard",
    summary="The municipality's cadence standard",
    response_model=CadenceStandardPublic,
    responses=problem_responses(Forbidden, NotFound),
)
def get_standard(actor: CurrentActor, session: SessionDep) -> CadenceStandardPublic:
    """The written standard the municipality has adopted: when follow-ups are due per kind
    of measure."""
    return standards.public(session, standards.get_standard(session, actor))


@router.post(
    "/municipality/cadence-standard",
    tags=["cadence"],
    operation_id="adopt_cadence_standard",
    summary="Adopt a shipped cadence standard",
    response_model=CadenceStandardPublic,
    responses=problem_responses(Forbidden),
)
def adopt_standard(
    actor: CurrentActor, session: SessionDep, clock: ClockDep, body: CadenceStandardAdopt
) -> CadenceStandardPublic:
    """Administrators copy a shipped standard into the municipality, replacing its own."""
    standard = standards.adopt(session, actor, body.based_on, clock.now())
    return standards.public(session, standard)


@router.patch(
    "/municipality/cadence-standard",
    tags=["cadence"],
    operation_id="update_cadence_standard",
    summary="Edit the cadence standard",
    response_model=CadenceStandardPublic,
    responses=problem_responses(Forbidden, NotFound, Unprocessable),
)
def update_standard(
    actor: CurrentActor, session: SessionDep, clock: ClockDep, body: CadenceStandardUpdate
) -> CadenceStandardPublic:
    """Administrators rename the standard or replace its rules."""
    standard = standards.update(session, actor, body, clock.now())
    return standards.public(session, standard)


@router.delete(
    "/municipality/cadence-standard",
    tags=["cadence"],
    operation_id="withdraw_cadence_standard",
    summary="Withdraw the cadence standard",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(Forbidden, NotFound),
)
def withdraw_standard(actor: CurrentActor, session: SessionDep) -> None:
    """The procedure's interval applies again."""
    standards.withdraw(session, actor)


@router.post(
    "/cases/{case_id}/cadence-deviations",
    tags=["cadence"],
    operation_id="create_cadence_deviation",
    summary="Plan the next follow-up away from the standard",
    status_code=status.HTTP_201_CREATED,
    response_model=DeviationPublic,
    responses=problem_responses(Forbidden, NotFound, Conflict),
)
def create_deviation(
    actor: CurrentActor, session: SessionDep, clock: ClockDep, case_id: Id, body: DeviationCreate
) -> DeviationPublic:
    """Fewer follow-ups (a later date) wait for a team leader's approval; more (an earlier
    date) are in force at once. Either way with a reason code."""
    return deviations.public(deviations.create(session, actor, case_id, body, clock.now()))


@router.get(
    "/cases/{case_id}/cadence-deviations",
    tags=["cadence"],
    operation_id="list_cadence_deviations",
    summary="A case's deviations from the standard",
    response_model=DeviationsPublic,
    responses=problem_responses(Forbidden, NotFound),
)
def list_deviations(actor: CurrentActor, session: SessionDep, case_id: Id) -> DeviationsPublic:
    """Every deviation planned in the case, the newest first, with its decision."""
    rows = deviations.list_for_case(session, actor, case_id)
    return DeviationsPublic(items=[deviations.public(d) for d in rows])


@router.get(
    "/cadence-deviations/pending",
    tags=["cadence"],
    operation_id="list_pending_cadence_deviations",
    summary="Deviations waiting for approval",
    response_model=DeviationsPublic,
    responses=problem_responses(Forbidden),
)
def pending_deviations(actor: CurrentActor, session: SessionDep) -> DeviationsPublic:
    """Fewer follow-ups waiting for a team leader, in the cases the caller sees."""
    return DeviationsPublic(
        items=[deviations.public(d) for d, _ in deviations.pending(session, actor)]
    )


@router.post(
    "/cadence-deviations/{deviation_id}/decision",
    tags=["cadence"],
    operation_id="decide_cadence_deviation",
    summary="Approve or reject fewer follow-ups",
    response_model=DeviationPublic,
    responses=problem_responses(Forbidden, NotFound, Conflict),
)
def decide_deviation(
    actor: CurrentActor,
    session: SessionDep,
    clock: ClockDep,
    deviation_id: Id,
    body: DeviationDecision,
) -> DeviationPublic:
    """The team leader's decision; approved, the case's next follow-up moves."""
    return deviations.public(deviations.decide(session, actor, deviation_id, body, clock.now()))


@router.post(
    "/cases/{case_id}/follow-up-requests",
    tags=["cadence"],
    operation_id="create_follow_up_request",
    summary="Record a provider's request for a follow-up",
    status_code=status.HTTP_201_CREATED,
    response_model=FollowUpRequestPublic,
    responses=problem_responses(Forbidden, NotFound),
)
def create_request(
    actor: CurrentActor,
    session: SessionDep,
    clock: ClockDep,
    case_id: Id,
    body: FollowUpRequestCreate,
) -> FollowUpRequestPublic:
    """Staff or the case system record a provider's request on its behalf."""
    return requests.public(requests.create(session, actor, case_id, body, clock.now()))


@router.get(
    "/cases/{case_id}/follow-up-requests",
    tags=["cadence"],
    operation_id="list_follow_up_requests",
    summary="A case's requests for a follow-up",
    response_model=FollowUpRequestsPublic,
    responses=problem_responses(Forbidden, NotFound),
)
def list_requests(actor: CurrentActor, session: SessionDep, case_id: Id) -> FollowUpRequestsPublic:
    """The providers' requests in the case, the newest first, with their answers."""
    rows = requests.list_for_case(session, actor, case_id)
    return FollowUpRequestsPublic(items=[requests.public(r) for r in rows])


@router.post(
    "/follow-up-requests/{request_id}/answer",
    tags=["cadence"],
    operation_id="answer_follow_up_request",
    summary="Accept or decline a request for a follow-up",
    response_model=FollowUpRequestPublic,
    responses=problem_responses(Forbidden, NotFound, Conflict),
)
def answer_request(
    actor: CurrentActor,
    session: SessionDep,
    clock: ClockDep,
    request_id: Id,
    body: FollowUpRequestAnswer,
) -> FollowUpRequestPublic:
    """Accepted, the next follow-up is planned on `planned_on`; declined, with a reason. The
    provider is told."""
    return requests.public(requests.answer(session, actor, request_id, body, clock.now()))


@router.get(
    "/reports/cadence-quality",
    tags=["cadence"],
    operation_id="get_cadence_quality",
    summary="Days between follow-ups against the standard",
    response_model=CadenceQuality,
    responses=problem_responses(Forbidden, NotFound),
)
def get_cadence_quality(actor: CurrentActor, session: SessionDep) -> CadenceQuality:
    """Per kind of measure (small groups suppressed) and per case behind the standard: the
    days between completed rounds set against the adopted standard's."""
    found = quality.cadence_quality(session, actor)
    if found is None:
        raise NotFound(
            "The municipality has adopted no cadence standard.",
            code="cadence_standard_not_adopted",
        )
    return found
