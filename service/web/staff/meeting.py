"""The meeting page (konsensusmøde): everyone's scores side by side and the official score."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from service.api.deps import ClockDep, SessionDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.auth.actor import Actor
from service.errors import ServiceError, Unprocessable
from service.schemas.rounds import OfficialScoresWrite, OfficialScoreWrite
from service.usecases import instruments, meeting, official_scores, rounds
from service.web import forms
from service.web.staff.pages import PageActor, Posted, csrf_failed, page, problem

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)


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
    view = meeting.meeting_view(session, rnd, municipality)
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
    return page(
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
def meetingpage(request: Request, round_id: int, actor: PageActor, session: SessionDep) -> Response:
    try:
        return _meeting(request, session, actor, round_id)
    except ServiceError as error:
        return problem(request, error)


@router.post("/rounds/{round_id}/meeting", response_class=HTMLResponse)
def meeting_save(
    request: Request,
    round_id: int,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    data: Posted,
) -> Response:
    failed = csrf_failed(request, data)
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
            official_scores.set_official(
                session, actor, round_id, OfficialScoresWrite(scores=entries), clock.now()
            )
        except Unprocessable as error:
            session.rollback()
            key = str(error.extra.get("factor_key", ""))
            return _meeting(
                request, session, actor, round_id, typed=typed, errors={key: error}, status=422
            )
        except ServiceError as error:
            return problem(request, error)
    return RedirectResponse(f"/rounds/{round_id}/meeting?saved=1", 303)
