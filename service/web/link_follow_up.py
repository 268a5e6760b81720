"""A provider asks for a follow-up round from its personal link's page; the caseworker
answers it on the case's cadence page, and the provider is told by email."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.responses import HTMLResponse, Response

from service.api.deps import ClockDep, SessionDep, SettingsDep, carries_staff_credentials
from service.api.throttle import guarded
from service.api.unit_of_work import UnitOfWorkRoute
from service.errors import ServiceError
from service.models.round import Informant
from service.usecases.collection import link_access
from service.usecases.procedure import follow_up_requests
from service.web.informant import PostedDep
from service.web.security import link_csrf_ok
from service.web.templating import render
from service.workflow.roles import InformantRole

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)
Token = Annotated[str, Path(min_length=1, max_length=128)]
REASON_MAX = 1000


def _message(request: Request, title: str, text: str, status: int, language: str) -> HTMLResponse:
    return render(
        request, "message.html", {"title": title, "text": text}, status=status, language=language
    )


@router.post("/l/{token}/follow-up", response_class=HTMLResponse)
def ask_for_follow_up(
    request: Request,
    token: Token,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: PostedDep,
) -> Response:
    if carries_staff_credentials(request):
        return _message(request, "link.staff_title", "link.staff", 403, "da")
    keyring = settings.keyring()
    try:
        informant: Informant = guarded(
            request,
            session,
            lambda: link_access.informant_by_token(session, keyring, token, clock.now()),
            link_access.UnknownLink,
        )
    except ServiceError as error:
        return _message(request, "link.unknown_title", "link.unknown", error.status, "da")
    language = informant.language.value
    if not link_csrf_ok(keyring, token, data.get("csrf")):
        return _message(request, "error.title", "csrf.failed", 403, language)
    reason = data.get("reason", "").strip()
    if informant.role is not InformantRole.PROVIDER:
        return _message(request, "error.title", "cadence.ask_providers_only", 403, language)
    if not reason or len(reason) > REASON_MAX:
        return _message(request, "error.title", "cadence.ask_reason_missing", 422, language)
    follow_up_requests.create_from_link(session, informant, reason, clock.now())
    return _message(request, "cadence.asked_title", "cadence.asked_text", 200, language)
