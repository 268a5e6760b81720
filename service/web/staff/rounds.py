"""A round's page: its progress, informants, links, reminders and the events its state allows.
A refused change comes back to the page it came from, with the reason at the top; every step
that ends something, and re-issuing a link that is in use, asks for confirmation first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from sqlmodel import Session, col, select
from starlette.responses import HTMLResponse, RedirectResponse, Response

from service.api.deps import ClockDep, SessionDep, SettingsDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.auth.actor import Actor
from service.auth.links import link_url
from service.clock import LOCAL_TIME, Clock
from service.config import Settings
from service.errors import ServiceError, Unprocessable
from service.models.outbox import DeliveryStatus, MessageKind, OutboxMessage
from service.models.round import Language
from service.schemas.common import Id
from service.schemas.decisions import DecisionWrite
from service.schemas.rounds import (
    AttendanceWrite,
    InformantCreate,
    LinkRequest,
    RoundMeasuresWrite,
    TransitionRequest,
)
from service.usecases.administration import instruments
from service.usecases.child import cases, plan, results
from service.usecases.collection import family_voices, informants
from service.usecases.consensus import attendance, meeting, meeting_kind
from service.usecases.procedure import decisions, round_guide, round_measure_edits, rounds
from service.web.staff.meeting import meeting_page
from service.web.staff.pages import (
    ALL,
    UNCONFIRMED,
    PageActor,
    Posted,
    csrf_failed,
    page,
    page_t,
    problem,
    refusal_items,
)
from service.workflow.decisions import DecisionOutcome
from service.workflow.meetings import MeetingKind
from service.workflow.procedures import PROCEDURES, Gathering, family_step_states, gatherings
from service.workflow.roles import InformantRole
from service.workflow.states import RoundEvent, RoundState

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)


@dataclass(frozen=True, slots=True)
class InformantPost:
    """A form posted on a round's pages about one of its informants (a new link, a reminder,
    the scores entered on their behalf): who posted what, where; `refused` is the answer when
    the form's CSRF token does not match. The request's session stays a parameter of the
    endpoint itself, which the route commits as the endpoint returns."""

    request: Request
    round_id: int
    informant_id: int
    actor: Actor
    settings: Settings
    clock: Clock
    data: dict[str, str]
    refused: HTMLResponse | None


async def _informant_post(
    request: Request,
    round_id: Id,
    informant_id: Id,
    actor: PageActor,
    settings: SettingsDep,
    clock: ClockDep,
    data: Posted,
) -> InformantPost:
    refused = csrf_failed(request, data)
    return InformantPost(request, round_id, informant_id, actor, settings, clock, data, refused)


InformantPosted = Annotated[InformantPost, Depends(_informant_post)]


@dataclass(frozen=True, slots=True)
class ResultDelivery:
    """How the newest result message to one family member went, over all its channels:
    sent if any got through, waiting while any is still trying, failed when none did."""

    informant_id: int
    status: DeliveryStatus
    sent_at: datetime | None


def result_deliveries(session: Session, round_id: int) -> dict[int, ResultDelivery]:
    """Per family member sent the result (the round already read under access checks): the
    newest message's delivery, from the outbox. A message replaced before it went (cancelled)
    tells nothing."""
    rows = session.exec(
        select(
            OutboxMessage.informant_id,
            OutboxMessage.created_at,
            OutboxMessage.status,
            OutboxMessage.sent_at,
        )
        .where(
            OutboxMessage.round_id == round_id,
            OutboxMessage.kind == MessageKind.RESULT,
            OutboxMessage.status != DeliveryStatus.CANCELLED,
        )
        .order_by(col(OutboxMessage.created_at))
    ).all()
    newest: dict[int, tuple[datetime, list[tuple[DeliveryStatus, datetime | None]]]] = {}
    for informant_id, created_at, status, sent_at in rows:
        if informant_id is None:
            continue
        at, tries = newest.get(informant_id, (created_at, []))
        if created_at > at:  # a newer message: the older ones no longer matter
            at, tries = created_at, []
        tries.append((DeliveryStatus(status), sent_at))
        newest[informant_id] = (at, tries)
    deliveries = {}
    for informant_id, (_, tries) in newest.items():
        sent = [when for status, when in tries if status is DeliveryStatus.SENT]
        if sent:
            status, when = DeliveryStatus.SENT, max((w for w in sent if w), default=None)
        elif any(status is DeliveryStatus.PENDING for status, _ in tries):
            status, when = DeliveryStatus.PENDING, None
        else:
            status, when = DeliveryStatus.FAILED, None
        deliveries[informant_id] = ResultDelivery(informant_id, status, when)
    return deliveries


def round_page(
    request: Request,
    session: Any,
    actor: Actor,
    round_id: Id,
    clock: Clock,
    *,
    refusal: ServiceError | None = None,
    typed: dict[str, str] | None = None,
    fields: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    rnd = rounds.get_round(session, actor, round_id)
    t = page_t(request)
    refused = refusal_items(t, refusal) if refusal else None
    if fields:  # the summary links to each field that needs correcting
        refused = [(f"#informant-{k}", t(v)) for k, v in fields.items()]
    case = cases.load_case(session, actor, rnd.case_id)
    talks = Gathering.FAMILY_DIALOGUE in gatherings(PROCEDURES[rnd.procedure])
    context: dict[str, Any] = {
        "round": rounds.public(session, rnd),
        "dialogue": attendance.attendance_public(session, rnd, Gathering.FAMILY_DIALOGUE).items
        if talks and rnd.state is RoundState.FAMILY_DIALOGUE
        else [],
        "case": case,
        "informants": informants.read_informants(session, actor, round_id, clock.now()),
        "roles": [r for r in InformantRole if r is not InformantRole.CASEWORKER],
        "languages": list(Language),
        "new_link": request.session.pop("new_link", None),
        "on_behalf_saved": request.session.pop("on_behalf_saved", None),
        "own_id": actor.id,
        "refusal": refused,
        "typed": typed or {},
        "fields": fields or {},
        "scale": instruments.published_form(session, rnd.instrument_id).form.scale,
        "case_measures": cases.list_measures(session, actor, rnd.case_id, ALL)[0],
        "meeting_kind": meeting_kind.kind_of(session, rnd),
        "round_plan": plan.plan_at(session, rnd),
        "meeting_kinds": list(MeetingKind),
        "providers": {p.id: p.name for p in cases.list_providers(session, actor, ALL)[0]},
    }
    if rnd.state in (RoundState.DRAFT, RoundState.COLLECTING):
        context["guide"] = round_guide.round_guide(session, actor, round_id)
    if rnd.state in family_step_states(PROCEDURES[rnd.procedure]):
        context["family_voices"] = family_voices.voices(session, rnd)
    if rnd.state is RoundState.COMPLETED:
        context["result"] = results.round_result(session, actor, round_id)
        context["result_deliveries"] = result_deliveries(session, round_id)
        context["decision"], context["decision_history"] = decisions.list_decisions(
            session, actor, round_id
        )
        context["decision_outcomes"] = list(DecisionOutcome)
        context["today"] = clock.now().astimezone(LOCAL_TIME).date()
    return page(request, "round.html", context, status=status)


def _refused(
    request: Request,
    session: Any,
    actor: Actor,
    round_id: Id,
    clock: Clock,
    error: ServiceError | ValueError,
    *,
    origin: str = "round",
    typed: dict[str, str] | None = None,
    fields: dict[str, str] | None = None,
) -> HTMLResponse:
    """Back to the page the person came from, with the reason at the top (and, for a form's
    fields, each field's own message, linked from there)."""
    session.rollback()
    if isinstance(error, ValueError):
        error = Unprocessable(str(error).splitlines()[0], code="validation_failed")
    try:
        if origin == "meeting":
            return meeting_page(
                request, session, actor, round_id, clock, refusal=error, status=error.status
            )
        return round_page(
            request,
            session,
            actor,
            round_id,
            clock,
            refusal=error,
            typed=typed,
            fields=fields,
            status=error.status,
        )
    except ServiceError as other:  # the page itself cannot be shown (gone, not allowed)
        return problem(request, other)


@router.get("/rounds/{round_id}", response_class=HTMLResponse)
def roundpage(
    request: Request, round_id: Id, actor: PageActor, session: SessionDep, clock: ClockDep
) -> Response:
    try:
        return round_page(request, session, actor, round_id, clock)
    except ServiceError as error:
        return problem(request, error)


async def _checked_measures(request: Request) -> list[str]:
    form = await request.form()
    return [v for v in form.getlist("measure") if isinstance(v, str)]


CheckedMeasures = Annotated[list[str], Depends(_checked_measures)]


@router.post("/rounds/{round_id}/measures")
def set_measures(
    request: Request,
    round_id: Id,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    data: Posted,
    checked: CheckedMeasures,
) -> Response:
    failed = csrf_failed(request, data)
    if failed:
        return failed
    try:
        chosen = RoundMeasuresWrite(measure_ids=[int(v) for v in checked])
        round_measure_edits.set_round_measures(session, actor, round_id, chosen, clock.now())
    except (ServiceError, ValueError) as error:
        return _refused(request, session, actor, round_id, clock, error)
    return RedirectResponse(f"/rounds/{round_id}", 303)


@router.post("/rounds/{round_id}/attendance")
def record_attendance(
    request: Request,
    round_id: int,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    data: Posted,
) -> Response:
    """Who was in the family dialogue, ticked off on the round's page."""
    failed = csrf_failed(request, data)
    if failed:
        return failed
    # Three states per person: present, absent, or (nothing chosen) not recorded.
    chosen = {
        int(k.removeprefix("attendance-")): v
        for k, v in data.items()
        if k.startswith("attendance-") and k.removeprefix("attendance-").isdigit()
    }
    try:
        body = AttendanceWrite(
            gathering=Gathering(data.get("gathering", "")),
            present=[i for i, v in chosen.items() if v == "present"],
            absent=[i for i, v in chosen.items() if v == "absent"],
        )
        meeting.record_attendance(session, actor, round_id, body, clock.now())
    except (ServiceError, ValueError) as error:
        return _refused(request, session, actor, round_id, clock, error)
    return RedirectResponse(f"/rounds/{round_id}#dialogue", 303)


@router.post("/rounds/{round_id}/informants")
def add_informant(
    request: Request,
    round_id: Id,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    data: Posted,
) -> Response:
    failed = csrf_failed(request, data)
    if failed:
        return failed
    typed = {k: data.get(k, "") for k in INFORMANT_FIELDS}
    try:
        created = InformantCreate.model_validate(
            {k: v or None for k, v in typed.items()} | {"language": typed["language"] or "da"}
        )
    except ValidationError as invalid:
        # Each field's own message beside it, and linked from the summary at the top.
        fields = informant_field_errors(invalid)
        error = Unprocessable("A field is not filled in correctly.", code="validation_failed")
        return _refused(request, session, actor, round_id, clock, error, typed=typed, fields=fields)
    try:
        informants.add_informant(session, actor, round_id, created, now=clock.now())
    except (ServiceError, ValueError) as error:
        return _refused(request, session, actor, round_id, clock, error, typed=typed)
    return RedirectResponse(f"/rounds/{round_id}#informants", 303)


#: The add-informant form's fields, in the form's order.
INFORMANT_FIELDS = ("role", "name", "email", "phone", "language")


def informant_field_errors(invalid: ValidationError) -> dict[str, str]:
    """The message key for each field of the add-informant form that did not validate."""
    fields: dict[str, str] = {}
    for problem_ in invalid.errors():
        field = str(problem_["loc"][0]) if problem_["loc"] else ""
        if field not in INFORMANT_FIELDS or field in fields:
            continue
        if field == "name" and problem_["type"] == "string_too_long":
            fields[field] = "error.informant.name_too_long"
        else:
            fields[field] = f"error.informant.{field}"
    return fields


@router.get("/rounds/{round_id}/informants/{informant_id}/link", response_class=HTMLResponse)
def confirm_link(
    request: Request,
    round_id: Id,
    informant_id: Id,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
) -> Response:
    """Before a link in use is replaced: the old one stops working."""
    try:
        listed = informants.list_informants(session, actor, round_id, clock.now())
    except ServiceError as error:
        return problem(request, error)
    informant = next((i for i in listed if i.id == informant_id), None)
    if informant is None:
        return RedirectResponse(f"/rounds/{round_id}", 303)
    t = page_t(request)
    if rounds.get_round(session, actor, round_id).state is RoundState.COMPLETED:
        # A family member's new link to the result: sent at once where they can be reached.
        reached = "confirm.link_result_sent" if informant.email or informant.phone else None
        return page(
            request,
            "confirm.html",
            {
                "title": t("confirm.link_result_title", name=informant.name),
                "texts": [
                    t("confirm.link_result", name=informant.name),
                    t(reached or "confirm.link_result_hand", name=informant.name),
                ],
                "action": f"/rounds/{round_id}/informants/{informant_id}/link",
                "fields": {"confirmed": "1"},
                "button": t("round.result_link"),
                "back": f"/rounds/{round_id}#informants",
            },
        )
    return page(
        request,
        "confirm.html",
        {
            "title": t("confirm.link_title", name=informant.name),
            "texts": [
                t(
                    "confirm.link_submitted"
                    if informant.submission == "submitted"
                    else "confirm.link_active",
                    name=informant.name,
                )
            ],
            "action": f"/rounds/{round_id}/informants/{informant_id}/link",
            "fields": {"confirmed": "1"},
            "button": t("round.reissue_link"),
            "back": f"/rounds/{round_id}#informants",
        },
    )


@router.post("/rounds/{round_id}/informants/{informant_id}/link")
def issue_link(post: InformantPosted, session: SessionDep) -> Response:
    if post.refused:
        return post.refused
    request, round_id, informant_id = post.request, post.round_id, post.informant_id
    actor, settings, clock = post.actor, post.settings, post.clock
    if post.data.get("confirmed") != "1":
        try:
            listed = informants.list_informants(session, actor, round_id, clock.now())
        except ServiceError as error:
            return problem(request, error)
        current = next((i for i in listed if i.id == informant_id), None)
        if current is not None and (current.link == "active" or current.submission == "submitted"):
            return RedirectResponse(f"/rounds/{round_id}/informants/{informant_id}/link", 303)
    try:
        informant, token = informants.issue_link(
            session,
            actor,
            round_id,
            informant_id,
            LinkRequest(),
            settings.keyring(),
            clock.now(),
            base_url=settings.public_base_url,
        )
    except ServiceError as error:
        return _refused(request, session, actor, round_id, clock, error)
    # Shown once, on the next page: only a hash of it is kept.
    request.session["new_link"] = {
        "name": informant.name,
        "url": link_url(settings.public_base_url, token),
    }
    return RedirectResponse(f"/rounds/{round_id}", 303)


@router.post("/rounds/{round_id}/informants/{informant_id}/reminder")
def remind(post: InformantPosted, session: SessionDep) -> Response:
    if post.refused:
        return post.refused
    request, round_id, actor, clock = post.request, post.round_id, post.actor, post.clock
    try:
        informants.remind(session, actor, round_id, post.informant_id, clock.now())
    except ServiceError as error:
        return _refused(request, session, actor, round_id, clock, error)
    return RedirectResponse(f"/rounds/{round_id}#informants", 303)


#: Why a step needs the caseworker's reason as things stand, said on its confirmation page.
_WHY_A_REASON = {
    RoundEvent.CLOSE_COLLECTION: "confirm.close_collection.short",
}


def _event(value: str) -> RoundEvent | None:
    try:
        return RoundEvent(value)
    except ValueError:
        return None


@router.get("/rounds/{round_id}/confirm", response_class=HTMLResponse)
def confirm_event(
    request: Request, round_id: Id, actor: PageActor, session: SessionDep
) -> Response:
    """What a step will do, and a button to take it (or go back)."""
    event = _event(request.query_params.get("event", ""))
    origin = "meeting" if request.query_params.get("from") == "meeting" else "round"
    back = f"/rounds/{round_id}" + ("/meeting" if origin == "meeting" else "")
    if event is None:
        return RedirectResponse(back, 303)
    try:
        rnd = rounds.get_round(session, actor, round_id)
        case = cases.load_case(session, actor, rnd.case_id)
        needed = event in rounds.public(session, rnd).reason_needed
    except ServiceError as error:
        return problem(request, error)
    t = page_t(request)
    texts = [t(f"confirm.{event.value}.text")]
    if needed and event in _WHY_A_REASON:
        texts.append(t(_WHY_A_REASON[event]))
    if event is RoundEvent.FINISH_FAMILY_DIALOGUE:
        missing = family_voices.voices(session, rnd).missing
        if missing:  # per person, on the round's page: the step waits for it
            texts.append(t.plural("confirm.finish_family_dialogue.missing", missing))
    return page(
        request,
        "confirm.html",
        {
            "title": t(f"confirm.{event.value}.title", child=case.display_name),
            "texts": texts,
            "action": f"/rounds/{round_id}/events",
            "fields": {"event": event.value, "confirmed": "1", "from": origin},
            "reason": t("round.reason_required" if needed else "round.reason"),
            "reason_required": needed,
            "button": t(f"event.{event.value}"),
            "danger": event is RoundEvent.CANCEL,
            "back": back,
        },
    )


@router.post("/rounds/{round_id}/events")
def round_event(
    request: Request,
    round_id: Id,
    actor: PageActor,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: Posted,
) -> Response:
    failed = csrf_failed(request, data)
    if failed:
        return failed
    origin = "meeting" if data.get("from") == "meeting" else "round"
    event = _event(data.get("event", ""))
    if event is None:
        return RedirectResponse(f"/rounds/{round_id}", 303)
    if event not in UNCONFIRMED and data.get("confirmed") != "1":
        return RedirectResponse(
            f"/rounds/{round_id}/confirm?event={event.value}&from={origin}", 303
        )
    try:
        rounds.transition(
            session,
            actor,
            round_id,
            TransitionRequest(event=event, reason=data.get("reason") or None),
            clock.now(),
            keyring=settings.keyring(),
            base_url=settings.public_base_url,
        )
    except (ServiceError, ValueError) as error:
        return _refused(request, session, actor, round_id, clock, error, origin=origin)
    return RedirectResponse(f"/rounds/{round_id}", 303)


@router.post("/rounds/{round_id}/decisions")
def record_decision(
    request: Request,
    round_id: Id,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    data: Posted,
) -> Response:
    """The decision the round led to, from the round page; recording it again amends it."""
    failed = csrf_failed(request, data)
    if failed:
        return failed
    try:
        body = DecisionWrite.model_validate(
            {
                "outcome": data.get("outcome", ""),
                "decided_by": data.get("decided_by", "meeting"),
                "measure_id": int(data["measure_id"]) if data.get("measure_id") else None,
                "reason": data.get("reason", ""),
                "decided_on": data.get("decided_on", ""),
            }
        )
        decisions.record_decision(session, actor, round_id, body, clock.now())
    except (ServiceError, ValueError) as error:
        return _refused(request, session, actor, round_id, clock, error)
    return RedirectResponse(f"/rounds/{round_id}#decision", 303)
