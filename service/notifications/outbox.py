"""Writing messages to the outbox, in the caller's transaction: a change that is rolled back
sends nothing."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

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
) -> list[OutboxMessage]:
    """The invitation with the personal link, by email and by SMS as the informant can be
    reached: who asks, about whom, by when, the rights."""
    municipality = session.get(Municipality, rnd.municipality_id)
    caseworker = session.get(StaffUser, case.caseworker_id)
    assert municipality is not None
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

    def message(
        channel: Channel, recipient: str, body_text: str, subject: str = "", body_html: str = ""
    ) -> OutboxMessage:
        return OutboxMessage(
            municipality_id=rnd.municipality_id,
            channel=channel,
            kind=MessageKind.INVITATION,
            recipient=recipient,
            subject=subject,
            body_text=body_text,
            body_html=body_html,
            informant_id=informant.id,
            round_id=rnd.id,
            created_at=now,
            next_attempt_at=now,
        )

    messages = []
    if informant.email:
        messages.append(
            message(
                Channel.EMAIL,
                informant.email,
                subject=rendered.subject,
                body_text=rendered.text,
                body_html=rendered.html,
            )
        )
    if informant.phone:
        messages.append(message(Channel.SMS, informant.phone, body_text=rendered.sms))
    session.add_all(messages)
    return messages


def invitation_status(session: Session, round_id: int) -> dict[int, DeliveryStatus]:
    """Per informant, how the latest invitation went over all its channels: sent if any
    channel got through, pending while any is still trying, failed when none did."""
    rows = session.exec(
        select(OutboxMessage.informant_id, OutboxMessage.created_at, OutboxMessage.status)
        .where(OutboxMessage.round_id == round_id, OutboxMessage.kind == MessageKind.INVITATION)
        .order_by(col(OutboxMessage.created_at))
    ).all()
    latest: dict[int, tuple[datetime, set[DeliveryStatus]]] = {}
    for informant_id, created_at, status in rows:
        if informant_id is None:
            continue
        at, statuses = latest.get(informant_id, (created_at, set()))
        if created_at > at:
            at, statuses = created_at, set()
        statuses.add(DeliveryStatus(status))
        latest[informant_id] = (at, statuses)
    result = {}
    for informant_id, (_, statuses) in latest.items():
        if DeliveryStatus.SENT in statuses:
            result[informant_id] = DeliveryStatus.SENT
        elif DeliveryStatus.PENDING in statuses:
            result[informant_id] = DeliveryStatus.PENDING
        else:
            result[informant_id] = DeliveryStatus.FAILED
    return result
