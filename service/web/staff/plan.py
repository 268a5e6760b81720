"""The child's plan (barnets plan; SØM) on its own page: the factors with their official goals
and the rows that serve them, rows added, changed and ended, each row's status at the round
that follows it now; and the plan as printed for a conversation with the family."""

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
from service.schemas.common import Id
from service.schemas.plan import (
    CasePlanPublic,
    PlanRowCreate,
    PlanRowEnd,
    PlanRowUpdate,
    PlanStatusWrite,
)
from service.usecases.administration import instruments
from service.usecases.child import cases, plan
from service.usecases.procedure import rounds
from service.web.staff.pages import PageActor, Posted, csrf_failed, page, page_t, problem
from service.workflow.plan import RowStatus
from service.workflow.roles import InformantRole

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)

#: The row's fields as the forms name them.
CELLS = ("situation", "desired_solution", "means", "actor_name", "external_resources")


def _refused(request: Request, session: Session, error: Exception) -> Response:
    session.rollback()
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        error = Unprocessable(f"{field}: {first['msg']}", code="validation_failed")
    assert isinstance(error, ServiceError | ValueError)
    return problem(request, error)


def _row_fields(data: dict[str, str]) -> dict[str, Any]:
    """A row as posted: its cells, the actor's role (empty: a service), the ticked factors."""
    return {
        **{cell: data.get(cell, "") for cell in CELLS},
        "actor_role": data.get("actor_role") or None,
        "factor_keys": [k.removeprefix("factor-") for k in data if k.startswith("factor-")],
    }


def _context(session: Session, actor: Actor, case_id: int) -> dict[str, Any]:
    found: CasePlanPublic = plan.case_plan(session, actor, case_id)
    form_round = (
        rounds.get_round(session, actor, found.form_round_id) if found.form_round_id else None
    )
    return {
        "case": cases.load_case(session, actor, case_id),
        "plan": found,
        "rows": {r.id: r for r in found.rows},
        "names": {f.factor_key: f for f in found.factors},
        "form_round": form_round,
        "scale": instruments.published_form(session, form_round.instrument_id).form.scale
        if form_round
        else None,
        "roles": list(InformantRole),
        "statuses": list(RowStatus),
    }


@router.get("/cases/{case_id}/plan", response_class=HTMLResponse)
def plan_page(request: Request, case_id: Id, actor: PageActor, session: SessionDep) -> Response:
    try:
        context = _context(session, actor, case_id)
    except ServiceError as error:
        return problem(request, error)
    return page(request, "plan.html", context)


@router.get("/cases/{case_id}/plan/print", response_class=HTMLResponse)
def plan_print(request: Request, case_id: Id, actor: PageActor, session: SessionDep) -> Response:
    """The plan for a conversation with the family: the rows in force with their goals, and
    no statuses or notes."""
    try:
        context = _context(session, actor, case_id)
    except ServiceError as error:
        return problem(request, error)
    return page(request, "plan_print.html", context)


@router.post("/cases/{case_id}/plan/rows")
def add_row(
    request: Request,
    case_id: Id,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    data: Posted,
) -> Response:
    failed = csrf_failed(request, data)
    if failed:
        return failed
    try:
        body = PlanRowCreate.model_validate(_row_fields(data), strict=False)
        row = plan.add_row(session, actor, case_id, body, clock.now())
    except (ServiceError, ValidationError, ValueError) as error:
        return _refused(request, session, error)
    return RedirectResponse(f"/cases/{case_id}/plan#row-{row.id}", 303)


@router.post("/cases/{case_id}/plan/rows/{row_id}")
def change_row(
    request: Request,
    case_id: Id,
    row_id: Id,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    data: Posted,
) -> Response:
    failed = csrf_failed(request, data)
    if failed:
        return failed
    try:
        body = PlanRowUpdate.model_validate(_row_fields(data), strict=False)
        plan.update_row(session, actor, case_id, row_id, body, clock.now())
    except (ServiceError, ValidationError, ValueError) as error:
        return _refused(request, session, error)
    return RedirectResponse(f"/cases/{case_id}/plan#row-{row_id}", 303)


@router.get("/cases/{case_id}/plan/rows/{row_id}/end", response_class=HTMLResponse)
def confirm_end(
    request: Request, case_id: Id, row_id: Id, actor: PageActor, session: SessionDep
) -> Response:
    """Ending a row asks first: it leaves the plan in force for good."""
    t = page_t(request)
    try:
        found = plan.case_plan(session, actor, case_id)
    except ServiceError as error:
        return problem(request, error)
    row = next((r for r in found.rows if r.id == row_id and r.ended_at is None), None)
    if row is None:
        return RedirectResponse(f"/cases/{case_id}/plan", 303)
    return page(
        request,
        "confirm.html",
        {
            "title": t("plan.end_title"),
            "texts": [t("plan.end_text", what=row.desired_solution, who=row.actor_name)],
            "action": f"/cases/{case_id}/plan/rows/{row_id}/end",
            "fields": {},
            "reason": t("plan.end_reason"),
            "button": t("plan.end"),
            "back": f"/cases/{case_id}/plan#row-{row_id}",
        },
    )


@router.post("/cases/{case_id}/plan/rows/{row_id}/end")
def end_row(
    request: Request,
    case_id: Id,
    row_id: Id,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    data: Posted,
) -> Response:
    failed = csrf_failed(request, data)
    if failed:
        return failed
    try:
        body = PlanRowEnd.model_validate({"reason": data.get("reason", "")}, strict=False)
        plan.end_row(session, actor, case_id, row_id, body, clock.now())
    except (ServiceError, ValidationError, ValueError) as error:
        return _refused(request, session, error)
    return RedirectResponse(f"/cases/{case_id}/plan#ended", 303)


@router.post("/rounds/{round_id}/plan/rows/{row_id}/status")
def set_status(
    request: Request,
    round_id: Id,
    row_id: Id,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    data: Posted,
) -> Response:
    failed = csrf_failed(request, data)
    if failed:
        return failed
    try:
        body = PlanStatusWrite.model_validate(
            {"status": data.get("status", ""), "note": data.get("note", "")}, strict=False
        )
        row = plan.set_status(session, actor, round_id, row_id, body, clock.now())
    except (ServiceError, ValidationError, ValueError) as error:
        return _refused(request, session, error)
    back = data.get("back", "")
    if back == "round":
        return RedirectResponse(f"/rounds/{round_id}#plan", 303)
    return RedirectResponse(f"/cases/{row.case_id}/plan#row-{row_id}", 303)
