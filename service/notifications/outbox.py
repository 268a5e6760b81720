"""Writing messages to the outbox, in the caller's transaction: a change that is rolled back
sends nothing."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, func, select

from service.models.case import Case
from service.models.municipality import Municipality
from service.models.outbox import Channel, DeliveryStatus, MessageKind, OutboxMessage
from service.models.round import Informant, ScoringRound
from service.models.staff import StaffUser
from service.notifications.messages import render


def invite(
    session: Session,
    rnd: ScoringRound,
    case: Case,
    informant: Informant,
    link: str,
    now: datetime,
) -> OutboxMessage:
    """The invitation with the personal link: who asks, about whom, by when, the rights."""
    municipality = session.get(Municipality, rnd.municipality_id)
    caseworker = session.get(StaffUser, case.caseworker_id)
    assert municipality is not None and informant.email
    rendered = render(
        "invitation",
        informant.language.value,
        name=informant.name,
        caseworker=caseworker.full_name if caseworker else "",
        municipality=municipality.name,
        child=case.display_name,
        due=rnd.due_at,
        link=link,
    )
    message = OutboxMessage(
        municipality_id=rnd.municipality_id,
        channel=Channel.EMAIL,
        kind=MessageKind.INVITATION,
        recipient=informant.email,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        informant_id=informant.id,
        round_id=rnd.id,
        created_at=now,
        next_attempt_at=now,
    )
    session.add(message)
    return message


def invitation_status(session: Session, round_id: int) -> dict[int, DeliveryStatus]:
    """Per informant of the round, the status of the latest invitation (one query)."""
    latest = (
        select(func.max(OutboxMessage.id))
        .where(OutboxMessage.round_id == round_id, OutboxMessage.kind == MessageKind.INVITATION)
        .group_by(col(OutboxMessage.informant_id))
    )
    rows = session.exec(
        select(OutboxMessage.informant_id, OutboxMessage.status).where(
            col(OutboxMessage.id).in_(latest)
        )
    ).all()
    return {
        informant_id: DeliveryStatus(status)
        for informant_id, status in rows
        if informant_id is not None
    }
