"""The informant's page behind the personal link: no account, Danish by default.

GET (and HEAD) only show; a POST acts. The child gets a simpler form, one question a screen.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from service.api.deps import (
    ClockDep,
    SessionDep,
    SettingsDep,
    carries_staff_credentials,
    client_address,
)
from service.api.throttle import guarded
from service.api.unit_of_work import UnitOfWorkRoute
from service.errors import Conflict, ServiceError, TooManyRequests, Unprocessable
from service.models.round import Informant
from service.rendering.language import Translator, request_language
from service.schemas.rounds import LinkFormPublic, SubmissionPublic
from service.usecases.child.family_result import FamilyResult, family_result
from service.usecases.collection import link_access, link_form, submissions
from service.web import child, forms
from service.web.family_view import family_view
from service.web.security import link_csrf, link_csrf_ok
from service.web.templating import render
from service.workflow.roles import InformantRole

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)
Token = Annotated[str, Path(min_length=1, max_length=128)]


def _gone(request: Request, error: ServiceError) -> HTMLResponse:
    """A plain page for an unknown, withdrawn or expired link: it names nothing of the round."""
    if isinstance(error, TooManyRequests):
        title, text = "link.unknown_title", "link.throttled"
    elif isinstance(error, link_access.UnknownLink):
        title, text = "link.unknown_title", "link.unknown"
    else:
        title = "link.gone_title"
        text = {"link_revoked": "link.revoked", "link_replaced": "link.replaced"}.get(
            error.code, "link.expired"
        )
    response = render(request, "message.html", {"title": title, "text": text}, status=error.status)
    for name, value in (error.headers() or {}).items():
        response.headers[name] = value
    return response


def _staff_refused(request: Request) -> HTMLResponse:
    """A browser logged in as staff gets neither the informant's form nor a say in it:
    staff enter an informant's scores on the informant's behalf, recorded as such."""
    return render(
        request, "message.html", {"title": "link.staff_title", "text": "link.staff"}, status=403
    )


async def _posted(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


PostedDep = Annotated[dict[str, str], Depends(_posted)]


def _page(
    request: Request,
    form: LinkFormPublic,
    token: str,
    csrf: str,
    language: str,
    *,
    posted: forms.PostedForm | None = None,
    status: int = 200,
    saved: bool = False,
    family: FamilyResult | None = None,
    send_refused: bool = False,
) -> HTMLResponse:
    values = posted.values if posted else forms.values_of(form.submission)
    errors = posted.errors if posted else {}
    scale = form.instrument.scale.to_scale()
    context: dict[str, Any] = {
        "form": form,
        "token": token,
        "csrf": csrf,
        "values": values,
        "errors": errors,
        "progress": forms.progress_line(
            Translator(request_language(request, language)),
            forms.answered(forms.values_of(form.submission)),
            len(form.instrument.factors),
            form.submission.saved_at if form.submission else None,
        ),
        "best": scale.best,
        "worst": scale.worst,
        "saved": saved,
        "cannot": forms.CANNOT_ASSESS,
        "family": family_view(
            family,
            form.submission,
            Translator(request_language(request, language)),
            scale.best,
            scale.worst,
            form.instrument.scale,
        )
        if family
        else None,
    }
    if form.informant.role is InformantRole.CHILD:
        # The child's own pages, to the end: one question a screen, then a thank-you.
        values = forms.values_of(form.submission) | values
        found = child.screens(form.instrument, values)
        asked = request.query_params.get("q", "")
        # Back where the child left off: the first question not answered yet.
        index = child.first_unanswered(found, values)
        if asked.isdigit() and 0 < int(asked) <= len(found):
            index = int(asked) - 1
        if posted and posted.errors:
            index = child.screen_of_error(found, posted.errors)
        if send_refused:
            index = len(found) - 1  # sending with areas unanswered: the list of what is left
        screen = found[index]
        value = values.get(screen.factor.key, {}) if screen.factor else {}
        context["errors"] = {
            k: child.CHILD_MESSAGE.get(e.message, e.message) for k, e in errors.items()
        }
        context |= {
            "values": values,
            "index": index,
            "screen": screen,
            "factor": screen.factor,
            "value": value,
            "area": child.area(form.instrument, screen),
            "areas": len(form.instrument.factors),
            "missing": child.missing(found, values),
            "send_refused": send_refused,
            "goal_points": child.goal_points(form.instrument, screen.factor, value["score"])
            if screen.ask == child.GOAL and screen.factor
            else [],
            "done": form.status == "submitted",
        }
        return render(request, "child.html", context, status=status, language=language)
    return render(request, "informant.html", context, status=status, language=language)


def _autosaved(
    request: Request,
    language: str,
    submission: SubmissionPublic | None,
    total: int = 0,
    status: int = 200,
) -> JSONResponse:
    """The answer to the form's script saving as the person goes: a line for its status."""
    t = Translator(request_language(request, language))
    if submission is None:
        return JSONResponse({"saved": False, "message": t("form.autosave_failed")}, status)
    done = forms.answered(forms.values_of(submission))
    message = forms.progress_line(t, done, total, submission.saved_at, time_only=True)
    return JSONResponse({"saved": True, "message": message, "answered": done})


@router.api_route("/l/{token}", methods=["GET", "HEAD"], response_class=HTMLResponse)
def informant_page(
    request: Request, token: Token, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> Response:
    if carries_staff_credentials(request):
        return _staff_refused(request)
    keyring = settings.keyring()
    try:
        informant: Informant = guarded(
            request,
            session,
            lambda: link_access.informant_by_token(session, keyring, token, clock.now()),
            link_access.UnknownLink,
        )
    except ServiceError as error:
        return _gone(request, error)
    form = link_form.link_form(session, informant)
    return _page(
        request,
        form,
        token,
        link_csrf(keyring, token),
        informant.language.value,
        saved=request.query_params.get("saved") == "1",
        family=family_result(session, informant, client_address(request)),
    )


@router.post("/l/{token}", response_class=HTMLResponse)
def informant_post(
    request: Request,
    token: Token,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: PostedDep,
) -> Response:
    if carries_staff_credentials(request):
        return _staff_refused(request)
    keyring = settings.keyring()
    csrf = link_csrf(keyring, token)
    try:
        link = guarded(
            request,
            session,
            lambda: link_access.lock_link(session, keyring, token, clock.now()),
            link_access.UnknownLink,
        )
    except ServiceError as error:
        return _gone(request, error)
    language = link.informant.language.value
    if not link_csrf_ok(keyring, token, data.get("csrf")):
        return render(
            request,
            "message.html",
            {"title": "error.title", "text": "csrf.failed"},
            status=403,
            language=language,
        )
    form = link_form.link_form(session, link.informant)
    action = data.get("action", "draft")
    is_child = link.informant.role is InformantRole.CHILD
    # The child's screens post one factor each (the last screen none).
    only = ([data["factor"]] if data.get("factor") else []) if is_child else None
    posted = forms.read(data, form.instrument, only)
    if is_child and action == "next" and (refused := child.unchosen(data)):
        posted.errors[refused[0]] = refused[1]
    autosave = action == "autosave"
    if posted.errors:
        if autosave:
            return _autosaved(request, language, None, status=422)
        return _page(request, form, token, csrf, language, posted=posted, status=422)
    try:
        saved = submissions.save_via_link(
            session,
            link,
            posted.entries,
            submit=action == "submit",
            now=clock.now(),
            client_address=client_address(request),
            merge=is_child,
            base_url=settings.public_base_url,
        )
    except Unprocessable as error:
        if autosave:
            return _autosaved(request, language, None, status=422)
        if is_child and error.code == "incomplete":
            # The last screen again, listing what is left in the child's words.
            return _page(request, form, token, csrf, language, status=422, send_refused=True)
        forms.absorb(posted, error)
        return _page(request, form, token, csrf, language, posted=posted, status=422)
    except Conflict:
        if autosave:
            return _autosaved(request, language, None, status=409)
        return _page(
            request,
            link_form.link_form(session, link.informant),
            token,
            csrf,
            language,
            status=409,
        )
    if autosave:
        return _autosaved(request, language, saved.submission, total=len(form.instrument.factors))
    if action == "submit":
        return RedirectResponse(f"/l/{token}", status_code=303)
    if is_child and action in ("next", "back"):
        step = int(data.get("q", "1") or 1) + (1 if action == "next" else -1)
        return RedirectResponse(f"/l/{token}?q={max(step, 1)}", status_code=303)
    return RedirectResponse(f"/l/{token}?saved=1", status_code=303)
