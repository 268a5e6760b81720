"""A provider asks for a follow-up round (through its personal link, or staff record it on
its behalf); the caseworker accepts it, planning the next follow-up on a date (more
follow-ups: the caseworker's own call), or declines with a reason; the provider is told
through the outbox."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from service import wording
from service.auth.actor import Actor
from service.errors import Conflict, NotFound
from service.models.cadence import FollowUpRequest, FollowUpRequestState
from service.models.case import Case
from service.models.round import Informant, ScoringRound
from service.models.webhook import EventType
from service.notifications import outbox, webhooks
from service.schemas.cadence import (
    FollowUpRequestAnswer,
    FollowUpRequestCreate,
    FollowUpRequestPublic,
)
from service.usecases.child.cases import load_case
from service.usecases.data_rights import audit
from service.usecases.procedure.cadence_deviations import plan
from service.usecases.procedure.rounds import require_authority, require_round_writer
from service.workflow.cadence_standards import DeviationReason


def public(request: FollowUpRequest) -> FollowUpRequestPublic:
    return FollowUpRequestPublic.model_validate(request, from_attributes=True)


def create(
    session: Session, actor: Actor, case_id: int, data: FollowUpRequestCreate, now: datetime
) -> FollowUpRequest:
    """Staff (or the case system) record a provider's request on its behalf."""
    case = load_case(session, actor, case_id)
    require_round_writer(actor, case)
    request = FollowUpRequest(
        municipality_id=case.municipality_id,
        case_id=case_id,
        provider_name=data.provider_name,
        provider_email=data.provider_email or None,
        reason=data.reason,
        state=FollowUpRequestState.OPEN,
        requested_at=now,
        recorded_by_id=actor.id if actor.is_staff else None,
    )
    session.add(request)
    session.flush()
    audit.record(
        session,
        actor,
        "follow_up_request.create",
        "follow_up_request",
        request.id or 0,
        case_id=case_id,
    )
    _announce(session, request, now)
    return request


def create_from_link(
    session: Session, informant: Informant, reason: str, now: datetime
) -> FollowUpRequest:
    """A provider asks through its personal link: the request names the informant, whose
    address the answer goes to."""
    rnd = session.get(ScoringRound, informant.round_id)
    assert rnd is not None
    request = FollowUpRequest(
        municipality_id=informant.municipality_id,
        case_id=rnd.case_id,
        provider_name=informant.name,
        provider_email=informant.email,
        informant_id=informant.id,
        reason=reason,
        state=FollowUpRequestState.OPEN,
        requested_at=now,
    )
    session.add(request)
    session.flush()
    audit.record_system(
        session,
        informant.municipality_id,
        "follow_up_request.create",
        "follow_up_request",
        request.id or 0,
        case_id=rnd.case_id,
    )
    _announce(session, request, now)
    return request


def _announce(session: Session, request: FollowUpRequest, now: datetime) -> None:
    """The case system hears of the request (ids only: the reason stays here)."""
    webhooks.emit(
        session,
        request.municipality_id,
        EventType.FOLLOW_UP_REQUESTED,
        {"case_id": request.case_id, "request_id": request.id},
        now,
    )


def list_for_case(session: Session, actor: Actor, case_id: int) -> list[FollowUpRequest]:
    load_case(session, actor, case_id)
    rows = list(
        session.exec(
            select(FollowUpRequest)
            .where(FollowUpRequest.case_id == case_id)
            .order_by(col(FollowUpRequest.requested_at).desc(), col(FollowUpRequest.id).desc())
        ).all()
    )
    audit.record(session, actor, "follow_up_request.list", "case", case_id, case_id=case_id)
    return rows


def _latest_round_id(session: Session, case: Case) -> int | None:
    return session.exec(
        select(ScoringRound.id)
        .where(ScoringRound.case_id == case.id)
        .order_by(col(ScoringRound.created_at).desc(), col(ScoringRound.id).desc())
    ).first()


def answer(
    session: Session, actor: Actor, request_id: int, data: FollowUpRequestAnswer, now: datetime
) -> FollowUpRequest:
    """The caseworker accepts (the next follow-up is planned on `planned_on`) or declines
    with a reason; the provider hears either way, where it left an address."""
    request = session.get(FollowUpRequest, request_id)
    if request is None:
        raise NotFound(f"Request {request_id} not found.")
    case = load_case(session, actor, request.case_id, for_update=True)
    require_authority(actor, case)
    if request.state is not FollowUpRequestState.OPEN:
        raise Conflict("The request has been answered.", code="already_decided")
    if data.accept:
        assert data.planned_on is not None
        plan(
            session,
            actor,
            case,
            data.planned_on,
            DeviationReason.PROVIDER_REQUEST,
            data.reason or request.reason,
            now,
        )
        request.planned_on = data.planned_on
    request.state = FollowUpRequestState.ACCEPTED if data.accept else FollowUpRequestState.DECLINED
    request.answered_by_id, request.answered_at = actor.id, now
    request.answer_reason = data.reason
    session.add(request)
    if request.provider_email:
        outbox.follow_up_answer(
            session,
            case,
            _latest_round_id(session, case),
            request.provider_email,
            request.provider_name,
            accepted=data.accept,
            planned=wording.long_date(request.planned_on, "da") if request.planned_on else None,
            reason=data.reason,
            now=now,
        )
    audit.record(
        session,
        actor,
        "follow_up_request.accept" if data.accept else "follow_up_request.decline",
        "follow_up_request",
        request_id,
        case_id=case.id,
    )
    return request
