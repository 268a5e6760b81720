"""The case's follow-up cadence (its deviations from the standard and the providers'
requests), the team leader's approvals, and the administrator's cadence standard."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from service.api.deps import ClockDep, SessionDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.errors import NotFound, ServiceError, Unprocessable
from service.models.case import MeasureCategory, MeasureType
from service.models.staff import StaffRole
from service.schemas.cadence import (
    CadenceStandardAdopt,
    CadenceStandardUpdate,
    DeviationCreate,
    DeviationDecision,
    FollowUpRequestAnswer,
    FollowUpRequestCreate,
    ShippedKey,
)
from service.schemas.common import Id
from service.usecases.procedure import cadence_deviations as deviations
from service.usecases.procedure import cadence_standards as standards
from service.usecases.procedure import follow_up_requests as requests
from service.web.staff import cadence_form
from service.web.staff.pages import PageActor, Posted, csrf_failed, page, page_t, problem
from service.workflow.cadence_standards import DeviationReason

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


@router.get("/cases/{case_id}/cadence", response_class=HTMLResponse)
def cadencepage(request: Request, case_id: Id, actor: PageActor, session: SessionDep) -> Response:
    """The case's next follow-up against the standard, its deviations and requests."""
    try:
        view = deviations.overview(session, actor, case_id)
    except ServiceError as error:
        return problem(request, error)
    return page(
        request,
        "cadence.html",
        {"nav": "cases", "view": view, "reasons": list(DeviationReason)},
    )


@router.post("/cases/{case_id}/cadence/deviations")
def plan_deviation(
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
        body = DeviationCreate.model_validate(
            {
                "planned_on": data.get("planned_on", ""),
                "reason_code": data.get("reason_code", ""),
                "reason": data.get("reason", ""),
            }
        )
        deviations.create(session, actor, case_id, body, clock.now())
    except (ServiceError, ValueError) as error:
        return problem(request, error)
    return RedirectResponse(f"/cases/{case_id}/cadence", 303)


@router.post("/cases/{case_id}/cadence/requests")
def record_request(
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
        body = FollowUpRequestCreate(
            provider_name=data.get("provider_name", ""),
            provider_email=data.get("provider_email") or None,
            reason=data.get("reason", ""),
        )
        requests.create(session, actor, case_id, body, clock.now())
    except (ServiceError, ValueError) as error:
        return problem(request, error)
    return RedirectResponse(f"/cases/{case_id}/cadence", 303)


@router.post("/follow-up-requests/{request_id}/answer")
def answer_request(
    request: Request,
    request_id: Id,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    data: Posted,
) -> Response:
    failed = csrf_failed(request, data)
    if failed:
        return failed
    try:
        body = FollowUpRequestAnswer(
            accept=data.get("accept") == "yes",
            planned_on=_day(data.get("planned_on", "")),
            reason=data.get("reason", ""),
        )
        answered = requests.answer(session, actor, request_id, body, clock.now())
    except (ServiceError, ValueError) as error:
        return problem(request, error)
    return RedirectResponse(f"/cases/{answered.case_id}/cadence", 303)


@router.post("/cadence-deviations/{deviation_id}/decision")
def decide_deviation(
    request: Request,
    deviation_id: Id,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    data: Posted,
) -> Response:
    failed = csrf_failed(request, data)
    if failed:
        return failed
    try:
        body = DeviationDecision(approve=data.get("approve") == "yes", note=data.get("note", ""))
        deviations.decide(session, actor, deviation_id, body, clock.now())
    except (ServiceError, ValueError) as error:
        return problem(request, error)
    return RedirectResponse("/cases", 303)


@router.get("/cadence-standard", response_class=HTMLResponse)
def standardpage(request: Request, actor: PageActor, session: SessionDep) -> Response:
    """The municipality's written standard, and the shipped ones to adopt."""
    try:
        current = standards.public(session, standards.get_standard(session, actor))
    except NotFound:
        current = None
    except ServiceError as error:
        return problem(request, error)
    return page(
        request,
        "cadence_standard.html",
        {
            "nav": "cadence",
            "current": current,
            "shipped": standards.shipped_public(),
            "admin": actor.role is StaffRole.ADMINISTRATOR,
            "saved": request.session.pop("cadence_saved", None),
        },
    )


@router.post("/cadence-standard")
def adopt_standard(
    request: Request, actor: PageActor, session: SessionDep, clock: ClockDep, data: Posted
) -> Response:
    failed = csrf_failed(request, data)
    if failed:
        return failed
    try:
        body = CadenceStandardAdopt(based_on=ShippedKey(data.get("based_on", "")))
        standards.adopt(session, actor, body.based_on, clock.now())
    except (ServiceError, ValueError) as error:
        return problem(request, error)
    return RedirectResponse("/cadence-standard", 303)


def _edit_page(
    request: Request,
    form: cadence_form.ReadForm | None,
    rows: list[cadence_form.RuleRow],
    name: str,
    status: int = 200,
) -> Response:
    return page(
        request,
        "cadence_standard_edit.html",
        {
            "nav": "cadence",
            "name": name,
            "rows": rows,
            "categories": list(MeasureCategory),
            "types": list(MeasureType),
            "units": list(cadence_form.UNIT_MAX),
            "errors": form.errors if form else {},
            "error_items": cadence_form.error_items(form) if form else [],
            "field_id": cadence_form.field_id,
        },
        status=status,
    )


@router.get("/cadence-standard/edit", response_class=HTMLResponse)
def edit_standard_page(request: Request, actor: PageActor, session: SessionDep) -> Response:
    """The administrator edits the adopted standard's rules: each row a kind of measure."""
    try:
        actor.require_role(StaffRole.ADMINISTRATOR)
        current = standards.public(session, standards.get_standard(session, actor))
    except NotFound:
        return RedirectResponse("/cadence-standard", 303)
    except ServiceError as error:
        return problem(request, error)
    return _edit_page(request, None, cadence_form.rows_of(current), current.name)


@router.post("/cadence-standard/edit", response_class=HTMLResponse)
def edit_standard(
    request: Request, actor: PageActor, session: SessionDep, clock: ClockDep, data: Posted
) -> Response:
    failed = csrf_failed(request, data)
    if failed:
        return failed
    form = cadence_form.read(data, page_t(request))
    if not form.errors:
        try:
            standards.update(
                session,
                actor,
                CadenceStandardUpdate(name=form.name, rules=form.rules),
                clock.now(),
            )
        except Unprocessable as error:
            session.rollback()
            if error.code != "cadence_rule_repeated":
                return problem(request, error)
            cadence_form.refused_repeats(form, error.extra.get("errors") or [], page_t(request))
        except ServiceError as error:
            return problem(request, error)
        else:
            request.session["cadence_saved"] = True
            return RedirectResponse("/cadence-standard", 303)
    return _edit_page(request, form, form.rows, form.name, status=422)
