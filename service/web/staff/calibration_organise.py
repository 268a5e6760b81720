"""The organiser's calibration pages: writing a vignette with its reference score and
rationale per factor, on the instrument's own form, and opening an exercise on it for a team.
Administrators and team leaders organise (the use cases say so)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from sqlmodel import Session
from starlette.responses import HTMLResponse, RedirectResponse, Response

from service.api.deps import ClockDep, SessionDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.auth.actor import Actor
from service.errors import ServiceError, Unprocessable
from service.models.instrument import InstrumentStatus
from service.schemas.calibration import ExerciseCreate, ReferenceEntry, VignetteCreate
from service.schemas.instruments import InstrumentForm
from service.usecases.administration import instruments, municipality
from service.usecases.calibration import access, exercises, vignettes
from service.web import forms
from service.web.staff.pages import (
    ALL,
    PageActor,
    Posted,
    csrf_failed,
    local_datetime,
    page,
    page_t,
    problem,
)

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)

#: The vignette's own fields, in the order the page shows them.
_VIGNETTE_FIELDS = ("title", "story")
#: The exercise's fields, in the order the page shows them.
_EXERCISE_FIELDS = ("vignette_id", "title", "closes_on", "team_id")
#: A schema field's refusal as the page's field and its message.
_VIGNETTE_ERRORS = {
    "title": "title:calibration.error.title",
    "story": "story:calibration.error.story",
}
_EXERCISE_ERRORS = {
    "vignette_id": "vignette_id:calibration.error.vignette",
    "title": "title:calibration.error.exercise_title",
    "closes_at": "closes_on:calibration.error.closes",
    "team_id": "team_id:calibration.error.team",
}


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return 0


def _field_errors(error: ValidationError, known: dict[str, str], otherwise: str) -> dict[str, str]:
    """A schema's refusal, as each page field's message (`known`: the schema's field, the
    page's field and its message; anything else goes to the field `otherwise`)."""
    found: dict[str, str] = {}
    for item in error.errors():
        loc = item.get("loc") or ()
        name = str(loc[0]) if loc else ""
        field, key = known.get(name, known[otherwise]).split(":")
        found.setdefault(field, key)
    return found


# --- the vignette -------------------------------------------------------------------------


def _vignette_page(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    form: InstrumentForm | None,
    typed: dict[str, str],
    values: dict[str, dict[str, str]],
    posted: forms.PostedForm | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    t = page_t(request)
    published, _ = instruments.list_instruments(
        session, actor, ALL, in_use=True, status=InstrumentStatus.PUBLISHED
    )
    field_errors = errors or {}
    items: list[tuple[str | None, str]] = [
        (f"#vignette-{name}", t(field_errors[name]))
        for name in _VIGNETTE_FIELDS
        if name in field_errors
    ]
    if form is not None and posted is not None:
        items += forms.error_items(t, form.factors, posted.errors)
    return page(
        request,
        "calibration_vignette.html",
        {
            "nav": "calibration",
            "instruments": published,
            "form": form,
            "typed": typed,
            "values": values,
            "errors": posted.errors if posted else {},
            "field_errors": field_errors,
            "error_items": items,
            "cannot": forms.CANNOT_ASSESS,
        },
        status=status,
    )


@router.get("/calibration/vignettes/new", response_class=HTMLResponse)
def vignette_new(
    request: Request, actor: PageActor, session: SessionDep, instrument_id: int | None = None
) -> Response:
    """First the instrument version the vignette is written in; then its form."""
    try:
        form = vignettes.vignette_form(session, actor, instrument_id) if instrument_id else None
        if form is None:
            access.require_organiser(actor)
    except ServiceError as error:
        return problem(request, error)
    return _vignette_page(request, session, actor, form=form, typed={}, values={})


@router.post("/calibration/vignettes/new", response_class=HTMLResponse)
def vignette_create(
    request: Request, actor: PageActor, session: SessionDep, data: Posted
) -> Response:
    refused = csrf_failed(request, data)
    if refused:
        return refused
    instrument_id = _int(data.get("instrument_id", ""))
    try:
        form = vignettes.vignette_form(session, actor, instrument_id)
    except ServiceError as error:
        return problem(request, error)
    typed = {name: data.get(name, "") for name in _VIGNETTE_FIELDS}
    posted = forms.read(data, form)
    # The rationale is written whether or not the instrument takes comments from informants.
    rationale = {f.key: data.get(f"comment-{f.key}", "")[:2000] for f in form.factors}
    values = {k: {**v, "comment": rationale[k]} for k, v in posted.values.items()}
    errors: dict[str, str] = {}
    body: VignetteCreate | None = None
    try:
        body = VignetteCreate(
            instrument_id=instrument_id,
            title=typed["title"],
            story=typed["story"],
            references=[
                ReferenceEntry(
                    factor_key=e.factor_key,
                    score=e.score,
                    cannot_assess=e.cannot_assess,
                    rationale=rationale[e.factor_key],
                )
                for e in posted.entries
                if e.score is not None or e.cannot_assess
            ],
        )
    except ValidationError as error:
        errors = _field_errors(error, _VIGNETTE_ERRORS, "title")
    if body is not None and not posted.errors:
        try:
            vignettes.create_vignette(session, actor, body)
        except Unprocessable as error:
            session.rollback()
            forms.absorb(posted, error)
        except ServiceError as error:
            return problem(request, error)
        else:
            request.session["calibration_vignette_saved"] = True
            return RedirectResponse("/calibration", 303)
    return _vignette_page(
        request,
        session,
        actor,
        form=form,
        typed=typed,
        values=values,
        posted=posted,
        errors=errors,
        status=422,
    )


# --- the exercise -------------------------------------------------------------------------


def organiser_context(
    session: Session, actor: Actor, typed: dict[str, str] | None = None
) -> dict[str, Any]:
    """What the calibration page offers an organiser: the vignettes to open an exercise on,
    and the teams to invite."""
    written, _ = vignettes.list_vignettes(session, actor, ALL)
    teams, _ = municipality.list_teams(session, actor, ALL)
    return {"vignettes": written, "teams": teams, "typed": typed or {}}


@router.post("/calibration/exercises", response_class=HTMLResponse)
def exercise_open(
    request: Request, actor: PageActor, session: SessionDep, clock: ClockDep, data: Posted
) -> Response:
    refused = csrf_failed(request, data)
    if refused:
        return refused
    typed = {name: data.get(name, "") for name in _EXERCISE_FIELDS}
    now = clock.now()
    errors: dict[str, str] = {}
    try:
        body = ExerciseCreate(
            vignette_id=_int(typed["vignette_id"]),
            title=typed["title"],
            closes_at=local_datetime(typed["closes_on"]),  # type: ignore[arg-type]
            team_id=_int(typed["team_id"]) or None,
        )
    except ValidationError as error:
        errors = _field_errors(error, _EXERCISE_ERRORS, "vignette_id")
    else:
        try:
            opened = exercises.open_exercise(session, actor, body, now)
        except Unprocessable as error:
            session.rollback()
            if error.code == "closes_in_past":
                errors["closes_on"] = "calibration.error.closes_in_past"
            else:
                errors["team_id"] = "calibration.error.no_one_invited"
        except ServiceError as error:
            return problem(request, error)
        else:
            return RedirectResponse(f"/calibration/{opened.id}", 303)
    t = page_t(request)
    listed, _ = exercises.list_exercises(session, actor, ALL, now)
    return page(
        request,
        "calibration.html",
        {
            "nav": "calibration",
            "open": [e for e in listed if not e.is_closed],
            "closed": [e for e in listed if e.is_closed],
            "over_time": None,
            "organise": organiser_context(session, actor, typed),
            "field_errors": errors,
            "exercise_errors": [
                (f"#exercise-{name}", t(errors[name]))
                for name in _EXERCISE_FIELDS
                if name in errors
            ],
        },
        status=422,
    )
