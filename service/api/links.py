"""The personal link, used without an account. Opening it (GET, HEAD) changes nothing; only a
POST acts, so that mail gateways that open every link leave it fully usable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Path, Request, Response
from sqlmodel import Session

from service.api.deps import (
    ClockDep,
    SessionDep,
    SettingsDep,
    carries_staff_credentials,
    client_address,
)
from service.api.throttle import guarded
from service.api.unit_of_work import UnitOfWorkRoute
from service.clock import Clock
from service.config import Settings
from service.errors import Conflict, Forbidden, TooManyRequests, problem_responses
from service.models.round import Informant
from service.schemas.family_result import FamilyResultPublic
from service.schemas.rounds import LinkFormPublic, LinkSubmissionPublic, ScoresWrite
from service.usecases.child import family_result
from service.usecases.collection import link_access, link_form, submissions

router = APIRouter(tags=["personal links"], route_class=UnitOfWorkRoute)
T = TypeVar("T")

Token = Annotated[str, Path(min_length=1, max_length=128, description="The personal link's token")]
LINK_ERRORS = problem_responses(
    link_access.UnknownLink, link_access.LinkGone, TooManyRequests, Forbidden
)


def _guarded(request: Request, response: Response, session: Session, find: Callable[[], T]) -> T:
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    if carries_staff_credentials(request):
        raise Forbidden(
            "A personal link is for the informant alone and is used without credentials. "
            "Staff enter an informant's scores on the informant's behalf "
            "(operation submit_on_behalf), recorded as such.",
            code="staff_on_personal_link",
        )
    return guarded(request, session, find, link_access.UnknownLink)


def get_informant(
    request: Request,
    response: Response,
    token: Token,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> Informant:
    """The informant behind the link, for reading."""
    keyring = settings.keyring()
    return _guarded(
        request,
        response,
        session,
        lambda: link_access.informant_by_token(session, keyring, token, clock.now()),
    )


def _save_through_link(
    request: Request,
    response: Response,
    token: str,
    session: Session,
    settings: Settings,
    clock: Clock,
    body: ScoresWrite,
    *,
    submit: bool,
) -> LinkSubmissionPublic:
    """Lock the link's round and save the draft or the submission.

    The link is looked up here rather than in a dependency: its round's lock is then taken
    in the thread that does the work and commits, and held no longer than that."""
    keyring = settings.keyring()
    link = _guarded(
        request,
        response,
        session,
        lambda: link_access.lock_link(session, keyring, token, clock.now()),
    )
    return submissions.save_via_link(
        session,
        link,
        body.scores,
        submit=submit,
        now=clock.now(),
        client_address=client_address(request),
        base_url=settings.public_base_url,
    )


InformantLink = Annotated[Informant, Depends(get_informant)]


@router.api_route(
    "/links/{token}",
    methods=["GET"],
    operation_id="read_link_form",
    summary="Read the form behind a personal link",
    response_model=LinkFormPublic,
    responses=LINK_ERRORS,
)
def read_link_form(informant: InformantLink, session: SessionDep) -> LinkFormPublic:
    """The child's display name, the factors with their guidance, and one's own submission."""
    return link_form.link_form(session, informant)


@router.get(
    "/links/{token}/result",
    operation_id="read_link_result",
    summary="Read the round's result on a family member's link",
    response_model=FamilyResultPublic,
    responses={
        **LINK_ERRORS,
        **problem_responses(family_result.NotFamily, family_result.ResultNotReady),
    },
)
def read_link_result(
    request: Request, informant: InformantLink, session: SessionDep
) -> FamilyResultPublic:
    """Once the round is completed, what its family page shows the mother, the father or the
    child: per factor the official score, goal and outcome beside their own answer, and their
    own series beside the official one. Never a professional's own score; the professionals'
    spread only where the procedure had the family meet them (KL 3). A professional's link
    gets 403; before the round is completed, 409."""
    return family_result.family_result_public(session, informant, client_address(request))


@router.head("/links/{token}", include_in_schema=False)
def head_link_form(informant: InformantLink) -> Response:
    return Response(headers={"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"})


@router.post(
    "/links/{token}/open",
    operation_id="open_link_form",
    summary="Record that the informant opened the form",
    response_model=LinkFormPublic,
    responses=LINK_ERRORS,
)
def open_link_form(
    request: Request, informant: InformantLink, session: SessionDep, clock: ClockDep
) -> LinkFormPublic:
    """The first opening by the person (not a mail scanner's GET) is recorded."""
    return link_form.open_form(session, informant, clock.now(), client_address(request))


@router.post(
    "/links/{token}/draft",
    operation_id="save_link_draft",
    summary="Save a draft",
    response_model=LinkSubmissionPublic,
    responses={**LINK_ERRORS, **problem_responses(Conflict)},
)
def save_link_draft(
    request: Request,
    response: Response,
    token: Token,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    body: ScoresWrite,
) -> LinkSubmissionPublic:
    """Keep what is filled in so far; change it freely until submitting."""
    return _save_through_link(
        request, response, token, session, settings, clock, body, submit=False
    )


@router.post(
    "/links/{token}/submission",
    operation_id="submit_link_scores",
    summary="Submit the scores",
    response_model=LinkSubmissionPublic,
    responses={**LINK_ERRORS, **problem_responses(Conflict)},
)
def submit_link_scores(
    request: Request,
    response: Response,
    token: Token,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    body: ScoresWrite,
) -> LinkSubmissionPublic:
    """Every factor scored or marked 'cannot assess'; final once submitted."""
    return _save_through_link(request, response, token, session, settings, clock, body, submit=True)
