"""Use cases for integrators' webhook subscriptions."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func
from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.errors import Forbidden, NotFound
from service.models.outbox import DeliveryAttempt, OutboxMessage
from service.models.webhook import WebhookSubscription
from service.notifications.webhooks import new_secret
from service.schemas.common import PageParams
from service.schemas.webhooks import AttemptPublic, DeliveryPublic, WebhookCreate, WebhookPublic
from service.usecases import audit, idempotency


def _require_client(actor: Actor) -> None:
    if not actor.is_client:
        raise Forbidden("Webhooks belong to integrator clients.", code="clients_only")


def public(subscription: WebhookSubscription) -> WebhookPublic:
    return WebhookPublic(
        id=subscription.id or 0,
        url=subscription.url,
        events=sorted(subscription.event_set),
        is_active=subscription.is_active,
        created_at=subscription.created_at,
    )


def subscribe(session: Session, actor: Actor, data: WebhookCreate) -> WebhookSubscription:
    _require_client(actor)
    subscription = WebhookSubscription(
        municipality_id=actor.municipality_id,
        client_id=actor.id,
        url=str(data.url),
        secret=new_secret(),
        events=" ".join(sorted({e.value for e in data.events})),
    )
    session.add(subscription)
    session.flush()
    audit.record(session, actor, "webhook.create", "webhook", subscription.id or 0)
    return subscription


def _own(session: Session, actor: Actor, subscription_id: int) -> WebhookSubscription:
    _require_client(actor)
    subscription = session.exec(
        select(WebhookSubscription).where(
            WebhookSubscription.id == subscription_id, WebhookSubscription.client_id == actor.id
        )
    ).first()
    if subscription is None:
        raise NotFound(f"Webhook {subscription_id} not found.", code="webhook_not_found")
    return subscription


def list_subscriptions(
    session: Session, actor: Actor, page: PageParams
) -> tuple[list[WebhookSubscription], int]:
    _require_client(actor)
    where = col(WebhookSubscription.client_id) == actor.id
    total = session.exec(select(func.count()).select_from(WebhookSubscription).where(where)).one()
    rows = session.exec(
        select(WebhookSubscription)
        .where(where)
        .order_by(col(WebhookSubscription.id))
        .offset(page.offset)
        .limit(page.limit)
    ).all()
    return list(rows), total


def unsubscribe(session: Session, actor: Actor, subscription_id: int) -> WebhookSubscription:
    subscription = _own(session, actor, subscription_id)
    subscription.is_active = False
    session.add(subscription)
    idempotency.forget(session, idempotency.webhook(subscription_id))
    audit.record(session, actor, "webhook.deactivate", "webhook", subscription_id)
    return subscription


def deliveries(
    session: Session, actor: Actor, subscription_id: int, page: PageParams
) -> tuple[list[DeliveryPublic], int]:
    """The deliveries of one subscription, newest first, each with its attempts."""
    subscription = _own(session, actor, subscription_id)
    where = col(OutboxMessage.subscription_id) == subscription.id
    total = session.exec(select(func.count()).select_from(OutboxMessage).where(where)).one()
    messages = session.exec(
        select(OutboxMessage)
        .where(where)
        .order_by(col(OutboxMessage.id).desc())
        .offset(page.offset)
        .limit(page.limit)
    ).all()
    attempts: dict[int, list[AttemptPublic]] = defaultdict(list)
    for attempt in session.exec(
        select(DeliveryAttempt)
        .where(col(DeliveryAttempt.message_id).in_([m.id for m in messages]))
        .order_by(col(DeliveryAttempt.id))
    ).all():
        attempts[attempt.message_id].append(
            AttemptPublic(attempted_at=attempt.attempted_at, ok=attempt.ok, error=attempt.error)
        )
    return [
        DeliveryPublic(
            id=f"msg_{m.id}",
            event=m.subject,
            body=m.body_text,
            status=m.status,
            attempts=attempts[m.id or 0],
            created_at=m.created_at,
            sent_at=m.sent_at,
            next_attempt_at=m.next_attempt_at if m.status.value == "pending" else None,
        )
        for m in messages
    ], total
