"""The standing link's page (/s/...), no account, Danish by default: the young person picks
the form for before or after the session and answers it on one screen; the provider's link
shows the series of the measure it delivers. GET only shows; a POST records."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from service.api.deps import ClockDep, SessionDep, SettingsDep, client_address
from service.api.deps import carries_staff_credentials as staff_browser
from service.api.throttle import guarded
from service.api.unit_of_work import UnitOfWorkRoute
from service.errors import ServiceError
from service.rendering.language import Translator, request_language
from service.rendering.session_forms import form_public, series_view
from service.schemas.sessions import AnswerItem, SessionAnswerWrite
from service.usecases.collection.link_access import UnknownLink
from service.usecases.sessions import answers, links
from service.usecases.sessions.links import HeldLink
from service.web.informant import _gone, _staff_refused
from service.web.security import link_csrf, link_csrf_ok
from service.web.templating import render
from service.workflow.sessions import LinkHolder, SessionForm

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)
Token = Annotated[str, Path(min_length=1, max_length=128)]


async def _posted(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


PostedDep = Annotated[dict[str, str], Depends(_posted)]


def _chosen(value: str | None) -> SessionForm | None:
    return next((f for f in SessionForm if f.value == value), None)


def _form_page(
    request: Request,
    session: SessionDep,
    held: HeldLink,
    token: str,
    csrf: str,
    form: SessionForm,
    *,
    values: dict[str, str] | None = None,
    missing: list[str] | None = None,
    key: str | None = None,
) -> HTMLResponse:
    t = Translator(request_language(request))
    # The forms the link was made with: the municipality's own version, or the shipped pair.
    shown = form_public(t, form, answers.form_version(session, held))
    context: dict[str, Any] = {
        "child": held.case.display_name,
        "token": token,
        "csrf": csrf,
        "form": shown,
        "points": range(shown.lowest, shown.highest + 1),
        "values": values or {},
        "errors": {item: "sessions.missing" for item in missing or []},
        "error_items": [
            (f"#answer-{item.item}", f"{item.text} {t('sessions.missing')}")
            for item in shown.items
            if item.item in (missing or [])
        ],
        "submission_key": key or secrets.token_urlsafe(16),
    }
    return render(request, "session_form.html", context, status=422 if missing else 200)


@router.get("/s/{token}", response_class=HTMLResponse)
def session_link_page(
    request: Request, token: Token, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> Response:
    if staff_browser(request):
        return _staff_refused(request)
    keyring = settings.keyring()
    try:
        held = guarded(
            request,
            session,
            lambda: links.by_token(session, keyring, token, clock.now()),
            UnknownLink,
        )
    except ServiceError as error:
        return _gone(request, error)
    t = Translator(request_language(request))
    child = held.case.display_name
    if held.link.holder is LinkHolder.PROVIDER:
        series = answers.provider_series(session, held, client_address(request))
        return render(
            request,
            "session_series.html",
            {"child": child, "view": series_view(t, series)},
        )
    form = _chosen(request.query_params.get("form"))
    if form is not None:
        return _form_page(request, session, held, token, link_csrf(keyring, token), form)
    return render(
        request,
        "session_start.html",
        {"child": child, "token": token, "done": request.query_params.get("done") == "1"},
    )


@router.post("/s/{token}", response_class=HTMLResponse)
def session_link_post(
    request: Request,
    token: Token,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: PostedDep,
) -> Response:
    if staff_browser(request):
        return _staff_refused(request)
    keyring = settings.keyring()
    try:
        held = guarded(
            request,
            session,
            lambda: links.by_token(session, keyring, token, clock.now()),
            UnknownLink,
        )
    except ServiceError as error:
        return _gone(request, error)
    if not link_csrf_ok(keyring, token, data.get("csrf")):
        return render(
            request, "message.html", {"title": "error.title", "text": "csrf.failed"}, status=403
        )
    form = _chosen(data.get("form"))
    if form is None or held.link.holder is not LinkHolder.YOUNG_PERSON:
        return RedirectResponse(f"/s/{token}", status_code=303)
    definition = answers.form_pair(session, held)[form]
    given = {item: data.get(f"answer-{item}", "") for item in definition.items}
    missing = [
        item
        for item, value in given.items()
        if not value.isdigit() or not definition.lowest <= int(value) <= definition.highest
    ]
    key = data.get("submission_key", "")
    if missing:
        return _form_page(
            request,
            session,
            held,
            token,
            link_csrf(keyring, token),
            form,
            values=given,
            missing=missing,
            key=key,
        )
    try:
        body = SessionAnswerWrite(
            form=form,
            answers=[AnswerItem(item=item, value=int(value)) for item, value in given.items()],
            submission_key=key,
        )
    except ValueError:
        # A form that did not come from this page: shown afresh, nothing recorded.
        return RedirectResponse(f"/s/{token}?form={form.value}", status_code=303)
    answers.record(session, held, body, clock.now(), client_address(request))
    return RedirectResponse(f"/s/{token}?done=1", status_code=303)
