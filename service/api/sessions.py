"""Short session forms: the staff's standing links and the child's series, and the standing
link as its holder uses it (no account). Opening the link changes nothing; a POST records."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status

from service.api.deps import (
    ClockDep,
    CurrentActor,
    PageDep,
    SessionDep,
    SettingsDep,
    carries_staff_credentials,
    client_address,
)
from service.api.throttle import guarded
from service.api.unit_of_work import UnitOfWorkRoute
from service.errors import (
    Conflict,
    Forbidden,
    NotFound,
    TooManyRequests,
    Unprocessable,
    problem_responses,
)
from service.rendering.language import LANGUAGES, Translator
from service.rendering.session_forms import link_form
from service.schemas.common import Id
from service.schemas.sessions import (
    SessionAnswerPublic,
    SessionAnswerWrite,
    SessionFormsLoad,
    SessionFormVersionPublic,
    SessionFormVersionsPublic,
    SessionLinkCreate,
    SessionLinkFormPublic,
    SessionLinkIssued,
    SessionLinkPublic,
    SessionLinksPublic,
    SessionSeriesPublic,
)
from service.usecases.collection.link_access import LinkGone, UnknownLink
from service.usecases.sessions import answers, forms, links
from service.usecases.sessions.links import HeldLink

router = APIRouter(tags=["session forms"], route_class=UnitOfWorkRoute)

Token = Annotated[str, Path(min_length=1, max_length=128, description="The standing link's token")]
Language = Annotated[str, Query(pattern="^(da|en)$", description="The forms' language")]
LINK_ERRORS = problem_responses(UnknownLink, LinkGone, TooManyRequests, Forbidden)


def session_link_url(base: str, token: str) -> str:
    """Where the holder opens the standing link."""
    return f"{base.rstrip('/')}/s/{token}"


def _held(request: Request, response: Response, token: str, session: SessionDep) -> HeldLink:
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    if carries_staff_credentials(request):
        raise Forbidden(
            "A standing link is its holder's alone and is used without credentials; staff "
            "read the series at GET /api/v1/cases/{case_id}/sessions.",
            code="staff_on_personal_link",
        )
    settings = request.app.state.settings
    clock = request.app.state.clock
    keyring = settings.keyring()
    return guarded(
        request, session, lambda: links.by_token(session, keyring, token, clock.now()), UnknownLink
    )


@router.post(
    "/cases/{case_id}/session-links",
    operation_id="issue_session_link",
    summary="Issue a standing link for session forms",
    status_code=status.HTTP_201_CREATED,
    response_model=SessionLinkIssued,
    responses=problem_responses(Forbidden, NotFound, Conflict),
)
def issue_session_link(
    actor: CurrentActor,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    case_id: Id,
    body: SessionLinkCreate,
) -> SessionLinkIssued:
    """A standing personal link for one of the case's measures, valid while the measure
    runs, until revoked: the young person's to answer the session forms through, or the
    provider's to read the series. The token is in this answer only."""
    link, measure, case, token = links.issue(
        session, actor, case_id, body, settings.keyring(), clock.now()
    )
    shown = links.public(link, measure, case, clock.now())
    return SessionLinkIssued(
        **shown.model_dump(), token=token, url=session_link_url(settings.public_base_url, token)
    )


@router.get(
    "/cases/{case_id}/session-links",
    operation_id="list_session_links",
    summary="List a case's standing links",
    response_model=SessionLinksPublic,
    responses=problem_responses(Forbidden, NotFound),
)
def list_session_links(
    actor: CurrentActor, session: SessionDep, clock: ClockDep, case_id: Id, page: PageDep
) -> SessionLinksPublic:
    """Every standing link issued in the case, newest first, whether it still works."""
    rows, total = links.list_links(session, actor, case_id, page, clock.now())
    return SessionLinksPublic(items=rows, total=total, **page.model_dump())


@router.post(
    "/cases/{case_id}/session-links/{link_id}/revoke",
    operation_id="revoke_session_link",
    summary="Revoke a standing link",
    response_model=SessionLinkPublic,
    responses=problem_responses(Forbidden, NotFound),
)
def revoke_session_link(
    actor: CurrentActor, session: SessionDep, clock: ClockDep, case_id: Id, link_id: Id
) -> SessionLinkPublic:
    """The link stops working at once; the sessions answered through it stay."""
    return links.revoke(session, actor, case_id, link_id, clock.now())


@router.get(
    "/cases/{case_id}/sessions",
    operation_id="read_session_series",
    summary="Read the child's series of session forms",
    response_model=SessionSeriesPublic,
    responses=problem_responses(Forbidden, NotFound),
)
def read_session_series(
    actor: CurrentActor, session: SessionDep, case_id: Id
) -> SessionSeriesPublic:
    """Every answered session form, and one point per session day with both forms' scores
    (0-10, 10 best) and their trend; no consensus round is held per session."""
    return answers.case_series(session, actor, case_id)


@router.get(
    "/session-forms/{token}",
    operation_id="read_session_form",
    summary="Read the session forms behind a standing link",
    response_model=SessionLinkFormPublic,
    responses=LINK_ERRORS,
)
def read_session_form(
    request: Request,
    response: Response,
    token: Token,
    session: SessionDep,
    language: Language = "da",
) -> SessionLinkFormPublic:
    """The child's display name, who will see the answers, and both forms' items and lines:
    the municipality's own forms current when the link was made, or the shipped ones."""
    held = _held(request, response, token, session)
    return link_form(
        Translator(language if language in LANGUAGES else "da"),
        held.case.display_name,
        held.link.holder,
        answers.form_version(session, held),
    )


@router.post(
    "/session-forms/{token}/sessions",
    operation_id="record_session",
    summary="Record one session's form",
    status_code=status.HTTP_201_CREATED,
    response_model=SessionAnswerPublic,
    responses={
        200: {"description": "Sent before with this submission_key", "model": SessionAnswerPublic},
        **LINK_ERRORS,
        **problem_responses(Unprocessable),
    },
)
def record_session(
    request: Request,
    response: Response,
    token: Token,
    session: SessionDep,
    clock: ClockDep,
    body: SessionAnswerWrite,
) -> SessionAnswerPublic:
    """Today's answers to one form (every item, 0-10); 201 when recorded, 200 when the same
    submission_key was recorded before. A provider's link gets 403."""
    held = _held(request, response, token, session)
    recorded, new = answers.record(session, held, body, clock.now(), client_address(request))
    if not new:
        response.status_code = status.HTTP_200_OK
    return recorded


@router.get(
    "/session-forms/{token}/series",
    operation_id="read_session_series_by_link",
    summary="Read the series through a provider's standing link",
    response_model=SessionSeriesPublic,
    responses=LINK_ERRORS,
)
def read_session_series_by_link(
    request: Request, response: Response, token: Token, session: SessionDep
) -> SessionSeriesPublic:
    """The sessions of the measure the provider delivers; a young person's link gets 403."""
    held = _held(request, response, token, session)
    return answers.provider_series(session, held, client_address(request))


@router.get(
    "/municipality/session-forms",
    operation_id="list_session_form_versions",
    summary="List the municipality's own session forms",
    response_model=SessionFormVersionsPublic,
    responses=problem_responses(Forbidden),
)
def list_session_form_versions(
    actor: CurrentActor, session: SessionDep
) -> SessionFormVersionsPublic:
    """Administrators: every version of the forms the municipality has loaded, newest first,
    and which is current; none current means links are made with the service's shipped
    forms, in its own words."""
    return forms.list_versions(session, actor)


@router.post(
    "/municipality/session-forms",
    operation_id="load_session_forms",
    summary="Load the municipality's own session forms",
    status_code=status.HTTP_201_CREATED,
    response_model=SessionFormVersionPublic,
    responses=problem_responses(Forbidden, Unprocessable),
)
def load_session_forms(
    actor: CurrentActor, session: SessionDep, clock: ClockDep, body: SessionFormsLoad
) -> SessionFormVersionPublic:
    """Administrators load a pair of forms as a new version, e.g. a named instrument the
    municipality holds a licence for: each form's items with Danish and English words and
    its line (at most 10 items; a line within 0-10). It becomes current: standing links made
    from now on use it, while earlier links and their answers keep the forms they had."""
    return forms.load(session, actor, body, clock.now())


@router.delete(
    "/municipality/session-forms/current",
    operation_id="use_shipped_session_forms",
    summary="Go back to the shipped session forms",
    response_model=SessionFormVersionsPublic,
    responses=problem_responses(Forbidden),
)
def use_shipped_session_forms(
    actor: CurrentActor, session: SessionDep
) -> SessionFormVersionsPublic:
    """Administrators: no version is current, so links made from now on use the service's
    shipped forms; earlier links keep theirs, and every version stays listed."""
    return forms.back_to_shipped(session, actor)
