"""Calibration pages: the person's exercises, scoring a vignette alone on the same form as the
informants, and once closed the spread, the reference with its rationale and the person's own
distance; for those who organise, the group's agreement over time, without names."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from service.api.deps import ClockDep, SessionDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.errors import ServiceError, Unprocessable
from service.schemas.calibration import AnswerWrite, CalibrationScoreEntry
from service.schemas.common import Id
from service.usecases.calibration import access, exercises, results
from service.web import forms
from service.web.staff import calibration_organise
from service.web.staff.pages import ALL, PageActor, Posted, csrf_failed, page, page_t, problem

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)


@router.get("/calibration", response_class=HTMLResponse)
def calibrationpage(
    request: Request, actor: PageActor, session: SessionDep, clock: ClockDep
) -> Response:
    now = clock.now()
    try:
        listed, _ = exercises.list_exercises(session, actor, ALL, now)
        over_time = (
            results.agreement_over_time(session, actor, now) if access.is_organiser(actor) else None
        )
    except ServiceError as error:
        return problem(request, error)
    return page(
        request,
        "calibration.html",
        {
            "nav": "calibration",
            "open": [e for e in listed if not e.is_closed],
            "closed": [e for e in listed if e.is_closed],
            "over_time": over_time,
            "min_group": results.MIN_GROUP,
            "organise": (
                calibration_organise.organiser_context(session, actor)
                if access.is_organiser(actor)
                else None
            ),
            "vignette_saved": request.session.pop("calibration_vignette_saved", None),
        },
    )


def _exercise_context(
    request: Request, actor: Any, session: Any, exercise_id: int, now: Any
) -> dict[str, Any]:
    view = exercises.exercise_view(session, actor, exercise_id, now)
    context: dict[str, Any] = {
        "nav": "calibration",
        "view": view,
        "paragraphs": [p for p in view.vignette.story.split("\n\n") if p.strip()],
        "values": {
            s.factor_key: {
                "score": forms.CANNOT_ASSESS if s.cannot_assess else str(s.score),
                "comment": s.comment,
            }
            for s in (view.answer.scores if view.answer else [])
        },
        "errors": {},
        "error_items": [],
        "cannot": forms.CANNOT_ASSESS,
        "results": None,
        "min_group": results.MIN_GROUP,
    }
    if view.exercise.is_closed:
        context["results"] = results.exercise_results(session, actor, exercise_id, now)
    return context


@router.get("/calibration/{exercise_id}", response_class=HTMLResponse)
def exercisepage(
    request: Request, exercise_id: Id, actor: PageActor, session: SessionDep, clock: ClockDep
) -> Response:
    try:
        context = _exercise_context(request, actor, session, exercise_id, clock.now())
    except ServiceError as error:
        return problem(request, error)
    context["sent"] = request.session.pop("calibration_sent", None)
    return page(request, "calibration_exercise.html", context)


@router.post("/calibration/{exercise_id}", response_class=HTMLResponse)
def exercise_answer(
    request: Request,
    exercise_id: Id,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    data: Posted,
) -> Response:
    refused = csrf_failed(request, data)
    if refused:
        return refused
    now = clock.now()
    try:
        view = exercises.exercise_view(session, actor, exercise_id, now)
    except ServiceError as error:
        return problem(request, error)
    posted = forms.read(data, view.form)
    entries = [
        CalibrationScoreEntry(
            factor_key=e.factor_key,
            score=e.score,
            cannot_assess=e.cannot_assess,
            comment=data.get(f"comment-{e.factor_key}", "")[:2000],
        )
        for e in posted.entries
        if e.score is not None or e.cannot_assess
    ]
    if not posted.errors:
        try:
            exercises.submit_answer(session, actor, exercise_id, AnswerWrite(scores=entries), now)
        except Unprocessable as error:
            session.rollback()
            forms.absorb(posted, error)
        except ServiceError as error:
            return problem(request, error)
        else:
            request.session["calibration_sent"] = True
            return RedirectResponse(f"/calibration/{exercise_id}", 303)
    context = _exercise_context(request, actor, session, exercise_id, now)
    t = page_t(request)
    context.update(
        values={
            k: {"score": v.get("score", ""), "comment": data.get(f"comment-{k}", "")}
            for k, v in posted.values.items()
        },
        errors=posted.errors,
        error_items=forms.error_items(t, view.form.factors, posted.errors),
        sent=None,
    )
    return page(request, "calibration_exercise.html", context, status=422)
