"""The caseworker's pages: log in, cases, a case, a round and its meeting.

A signed session cookie (HttpOnly; Secure outside development; SameSite=Lax) carries the
staff user; every form carries the session's CSRF token."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from service.api.deps import ClockDep, SessionDep, SettingsDep, client_address
from service.api.unit_of_work import UnitOfWorkRoute
from service.auth.actor import Actor
from service.auth.links import link_url
from service.errors import ServiceError, Unauthorized, Unprocessable
from service.models import tenancy
from service.schemas.common import PageParams
from service.schemas.rounds import (
    InformantCreate,
    LinkRequest,
    OfficialScoresWrite,
    OfficialScoreWrite,
    RoundCreate,
    TransitionRequest,
)
from service.usecases import auth, cases, due, informants, instruments, rounds, submissions
from service.web import forms
from service.web.i18n import LOCAL_TIME
from service.web.security import same, session_csrf
from service.web.templating import render
from service.workflow.roles import InformantRole
from service.workflow.states import RoundEvent, RoundState

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)
ALL = PageParams(limit=200, offset=0)


class LoginRequired(Exception):
    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def page_actor(request: Request, session: SessionDep) -> Actor:
    """The logged-in staff user; otherwise off to the login page."""
    user_id, municipality_id = (
        request.session.get("staff_id"),
        request.session.get("municipality_id"),
    )
    if not isinstance(user_id, int) or not isinstance(municipality_id, int):
        raise LoginRequired(request.url.path)
    try:
        actor = auth.staff_actor(session, user_id, municipality_id, client_address(request))
    except Unauthorized:
        request.session.clear()
        raise LoginRequired(request.url.path) from None
    tenancy.bind_session(session, municipality_id)
    return actor


PageActor = Annotated[Actor, Depends(page_actor)]


async def _posted(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


Posted = Annotated[dict[str, str], Depends(_posted)]


def _page(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    return render(
        request, template, {"csrf": session_csrf(request.session), **context}, status=status
    )


def _csrf_failed(request: Request, data: dict[str, str]) -> HTMLResponse | None:
    if same(session_csrf(request.session), data.get("csrf")):
        return None
    return render(
        request, "message.html", {"title": "error.title", "text": "csrf.failed"}, status=403
    )


def _problem(request: Request, error: ServiceError | ValueError) -> HTMLResponse:
    """A refusal as a page; a form value that did not validate counts as one too."""
    if isinstance(error, ValueError):
        error = Unprocessable(str(error).splitlines()[0], code="validation_failed")
    return _page(
        request,
        "problem.html",
        {"error": error, "back": request.headers.get("referer")},
        status=error.status,
    )


def _local(value: str) -> datetime | None:
    """A date or datetime-local field, in Danish time."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if len(value) <= 10:
        parsed = parsed.replace(hour=16)
    return parsed.replace(tzinfo=LOCAL_TIME).astimezone(UTC)


# --- logging in ---------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    return _page(request, "login.html", {"next": request.query_params.get("next", "/cases")})


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, session: SessionDep, settings: SettingsDep, data: Posted) -> Response:
    failed = _csrf_failed(request, data)
    if failed:
        return failed
    try:
        user = auth.authenticate_staff(
            session,
            data.get("username", ""),
            data.get("password", ""),
            production=settings.is_production,
        )
    except ServiceError:
        return _page(
            request,
            "login.html",
            {
                "failed": True,
                "username": data.get("username", ""),
                "next": data.get("next", "/cases"),
            },
            status=400,
        )
    request.session.clear()  # a fresh session (and CSRF token) at every login
    request.session.update(staff_id=user.id, municipality_id=user.municipality_id)
    target = data.get("next", "/cases")
    return RedirectResponse(
        target if target.startswith("/") and not target.startswith("//") else "/cases", 303
    )


@router.post("/logout")
def logout(request: Request, data: Posted) -> Response:
    if not _csrf_failed(request, data):
        request.session.clear()
    return RedirectResponse("/login", 303)


@router.get("/")
def home() -> Response:
    return RedirectResponse("/cases", 303)


# --- cases ------------------------------------------------------------------------------


@router.get("/cases", response_class=HTMLResponse)
def cases_page(
    request: Request, actor: PageActor, session: SessionDep, clock: ClockDep
) -> Response:
    rows, _ = cases.list_cases(session, actor, ALL)
    latest: dict[int, Any] = {}
    for rnd in rounds.list_rounds(session, actor, ALL)[0]:
        latest.setdefault(rnd.case_id, rnd)
    due_items = due.due_list(session, actor, clock.now(), include_later=True)
    status = {item.case_id: item.status for item in due_items}
    due_on = {item.case_id: item.due_on for item in due_items}
    return _page(
        request, "cases.html", {"cases": rows, "latest": latest, "status": status, "due_on": due_on}
    )


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: int, actor: PageActor, session: SessionDep) -> Response:
    try:
        case = cases.get_case(session, actor, case_id)
    except ServiceError as error:
        return _problem(request, error)
    case_rounds, _ = rounds.list_rounds(session, actor, ALL, case_id=case_id)
    in_use, _ = instruments.list_instruments(session, actor, ALL, in_use=True, status=None)
    return _page(
        request,
        "case.html",
        {
            "case": case,
            "rounds": [rounds.public(session, r) for r in case_rounds],
            "instruments": in_use,
        },
    )


@router.post("/cases/{case_id}/rounds")
def open_round(
    request: Request,
    case_id: int,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    data: Posted,
) -> Response:
    failed = _csrf_failed(request, data)
    if failed:
        return failed
    try:
        body = RoundCreate(
            instrument_id=int(data.get("instrument_id") or 0),
            due_at=_local(data.get("due_at", "")) or clock.now(),
            meeting_at=_local(data.get("meeting_at", "")),
        )
        rnd = rounds.open_round(session, actor, case_id, body, clock.now())
    except (ServiceError, ValueError) as error:
        return _problem(request, error)
    return RedirectResponse(f"/rounds/{rnd.id}", 303)


# --- a round ----------------------------------------------------------------------------


@router.get("/rounds/{round_id}", response_class=HTMLResponse)
def round_page(
    request: Request, round_id: int, actor: PageActor, session: SessionDep, clock: ClockDep
) -> Response:
    try:
        rnd = rounds.get_round(session, actor, round_id)
    except ServiceError as error:
        return _problem(request, error)
    case = cases.load_case(session, actor, rnd.case_id)
    context: dict[str, Any] = {
        "round": rounds.public(session, rnd),
        "case": case,
        "informants": informants.list_informants(session, actor, round_id, clock.now()),
        "roles": list(InformantRole),
        "new_link": request.session.pop("new_link", None),
        "own_id": actor.id,
    }
    if rnd.state is RoundState.COMPLETED:
        context["result"] = rounds.round_result(session, actor, round_id)
    return _page(request, "round.html", context)


@router.post("/rounds/{round_id}/informants")
def add_informant(
    request: Request, round_id: int, actor: PageActor, session: SessionDep, data: Posted
) -> Response:
    failed = _csrf_failed(request, data)
    if failed:
        return failed
    try:
        informants.add_informant(
            session,
            actor,
            round_id,
            InformantCreate(
                role=InformantRole(data.get("role", "")),
                name=data.get("name", ""),
                email=data.get("email") or None,
            ),
        )
    except (ServiceError, ValueError) as error:
        return _problem(request, error)
    return RedirectResponse(f"/rounds/{round_id}", 303)


@router.post("/rounds/{round_id}/informants/{informant_id}/link")
def issue_link(
    request: Request,
    round_id: int,
    informant_id: int,
    actor: PageActor,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: Posted,
) -> Response:
    failed = _csrf_failed(request, data)
    if failed:
        return failed
    try:
        informant, token = informants.issue_link(
            session,
            actor,
            round_id,
            informant_id,
            LinkRequest(),
            settings.secret_key.get_secret_value(),
            clock.now(),
            base_url=settings.public_base_url,
        )
    except ServiceError as error:
        return _problem(request, error)
    # Shown once, on the next page: only a hash of it is kept.
    request.session["new_link"] = {
        "name": informant.name,
        "url": link_url(settings.public_base_url, token),
    }
    return RedirectResponse(f"/rounds/{round_id}", 303)


@router.post("/rounds/{round_id}/informants/{informant_id}/reminder")
def remind(
    request: Request,
    round_id: int,
    informant_id: int,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    data: Posted,
) -> Response:
    failed = _csrf_failed(request, data)
    if failed:
        return failed
    try:
        informants.remind(session, actor, round_id, informant_id, clock.now())
    except ServiceError as error:
        return _problem(request, error)
    return RedirectResponse(f"/rounds/{round_id}", 303)


@router.post("/rounds/{round_id}/events")
def round_event(
    request: Request,
    round_id: int,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    data: Posted,
) -> Response:
    failed = _csrf_failed(request, data)
    if failed:
        return failed
    try:
        rounds.transition(
            session,
            actor,
            round_id,
            TransitionRequest(
                event=RoundEvent(data.get("event", "")), reason=data.get("reason") or None
            ),
            clock.now(),
        )
    except (ServiceError, ValueError) as error:
        return _problem(request, error)
    return RedirectResponse(f"/rounds/{round_id}", 303)


# --- the meeting ------------------------------------------------------------------------


def _meeting(
    request: Request,
    session: Any,
    actor: Actor,
    round_id: int,
    *,
    typed: dict[str, dict[str, str]] | None = None,
    errors: dict[str, ServiceError] | None = None,
    status: int = 200,
) -> HTMLResponse:
    rnd, case, municipality = rounds.load_round(session, actor, round_id)
    rounds.require_authority(actor, case)
    from service.usecases import consensus

    view = consensus.meeting_view(session, rnd, municipality)
    form = instruments.published_form(session, rnd.instrument_id)
    official = {
        f.factor_key: {
            "score": ""
            if f.official is None or f.official.score is None
            else str(f.official.score),
            "goal": "" if f.official is None or f.official.goal is None else str(f.official.goal),
            "rationale": f.official.rationale if f.official else "",
            "not_assessed_reason": f.official.not_assessed_reason if f.official else "",
        }
        for f in view.factors
    }
    return _page(
        request,
        "meeting.html",
        {
            "round": rounds.public(session, rnd),
            "case": case,
            "view": view,
            "points": list(form.scale.points),
            "values": official | (typed or {}),
            "errors": errors or {},
            "saved": request.query_params.get("saved") == "1",
        },
        status=status,
    )


@router.get("/rounds/{round_id}/meeting", response_class=HTMLResponse)
def meeting_page(
    request: Request, round_id: int, actor: PageActor, session: SessionDep
) -> Response:
    try:
        return _meeting(request, session, actor, round_id)
    except ServiceError as error:
        return _problem(request, error)


@router.post("/rounds/{round_id}/meeting", response_class=HTMLResponse)
def meeting_save(
    request: Request,
    round_id: int,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    data: Posted,
) -> Response:
    failed = _csrf_failed(request, data)
    if failed:
        return failed
    keys = [k.removeprefix("official-") for k in data if k.startswith("official-")]
    typed = {
        k: {
            "score": data.get(f"official-{k}", ""),
            "goal": data.get(f"goal-{k}", ""),
            "rationale": data.get(f"rationale-{k}", ""),
            "not_assessed_reason": data.get(f"reason-{k}", ""),
        }
        for k in keys
    }
    entries = []
    for key, v in typed.items():
        if not v["score"]:
            continue  # not decided yet
        not_assessed = v["score"] == forms.CANNOT_ASSESS
        entries.append(
            OfficialScoreWrite(
                factor_key=key,
                score=None if not_assessed else int(v["score"]),
                goal=None if not_assessed or not v["goal"] else int(v["goal"]),
                rationale=v["rationale"][:4000],
                not_assessed_reason=v["not_assessed_reason"][:2000],
            )
        )
    if entries:
        try:
            rounds.set_official(
                session, actor, round_id, OfficialScoresWrite(scores=entries), clock.now()
            )
        except Unprocessable as error:
            session.rollback()
            key = str(error.extra.get("factor_key", ""))
            return _meeting(
                request,
                session,
                actor,
                round_id,
                typed=typed,
                errors={key: error},
                status=422,
            )
        except ServiceError as error:
            return _problem(request, error)
    return RedirectResponse(f"/rounds/{round_id}/meeting?saved=1", 303)


# --- scores entered for an informant ------------------------------------------------------


@router.get("/rounds/{round_id}/informants/{informant_id}/scores", response_class=HTMLResponse)
def on_behalf_page(
    request: Request, round_id: int, informant_id: int, actor: PageActor, session: SessionDep
) -> Response:
    try:
        rnd, case, _ = rounds.load_round(session, actor, round_id)
        rounds.require_authority(actor, case)
        informant = informants.load_informant(session, rnd, informant_id)
    except ServiceError as error:
        return _problem(request, error)
    form = submissions.link_form(session, informant)
    return _page(
        request,
        "on_behalf.html",
        {
            "form": form,
            "round_id": round_id,
            "informant": informant,
            "values": forms.values_of(form.submission),
            "errors": {},
            "cannot": forms.CANNOT_ASSESS,
        },
    )


@router.post("/rounds/{round_id}/informants/{informant_id}/scores", response_class=HTMLResponse)
def on_behalf_save(
    request: Request,
    round_id: int,
    informant_id: int,
    actor: PageActor,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: Posted,
) -> Response:
    failed = _csrf_failed(request, data)
    if failed:
        return failed
    try:
        rnd, _, _ = rounds.load_round(session, actor, round_id)
        informant = informants.load_informant(session, rnd, informant_id)
        form = submissions.link_form(session, informant)
    except ServiceError as error:
        return _problem(request, error)
    posted = forms.read(data, form.instrument)
    if not posted.errors:
        try:
            submissions.save_on_behalf(
                session,
                actor,
                round_id,
                informant_id,
                posted.entries,
                submit=data.get("action") == "submit",
                now=clock.now(),
                base_url=settings.public_base_url,
            )
            return RedirectResponse(f"/rounds/{round_id}", 303)
        except Unprocessable as error:
            session.rollback()
            forms.absorb(posted, error)
        except ServiceError as error:
            return _problem(request, error)
    return _page(
        request,
        "on_behalf.html",
        {
            "form": form,
            "round_id": round_id,
            "informant": informant,
            "values": posted.values,
            "errors": posted.errors,
            "cannot": forms.CANNOT_ASSESS,
        },
        status=422,
    )
