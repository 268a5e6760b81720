"""Use cases for integrators' webhook subscriptions."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.auth.keys import Keyring
from service.auth.seal import seal
from service.errors import Conflict, Forbidden, NotFound, Unprocessable
from service.models.outbox import DeliveryAttempt, DeliveryStatus, OutboxMessage
from service.models.staff import Scope
from service.models.webhook import WebhookSubscription
from service.notifications.webhooks import (
    SECRET_SEAL_CONTEXT,
    AddressRefused,
    check_url,
    new_secret,
)
from service.schemas.common import PageParams
from service.schemas.webhooks import AttemptPublic, DeliveryPublic, WebhookCreate, WebhookPublic
from service.usecases.data_rights import audit, idempotency


def _require_client(actor: Actor) -> None:
    if not actor.is_client:
        raise Forbidden("Webhooks belong to integrator clients.", code="clients_only")
    actor.require_scope(Scope.WEBHOOKS)


class ReceiverRefused(Unprocessable):
    code = "webhook_url_refused"
    title = "The receiver's address is not accepted"


class TooManyWebhooks(Conflict):
    code = "webhook_limit"
    title = "The client has as many webhooks as it may"


@dataclass(frozen=True, slots=True)
class ReceiverRules:
    production: bool
    allow_loopback: bool
    per_client: int


def public(subscription: WebhookSubscription) -> WebhookPublic:
    return WebhookPublic(
        id=subscription.id or 0,
        url=subscription.url,
        events=sorted(subscription.event_set),
        is_active=subscription.is_active,
        created_at=subscription.created_at,
    )


def subscribe(
    session: Session, actor: Actor, data: WebhookCreate, keyring: Keyring, rules: ReceiverRules
) -> tuple[WebhookSubscription, str]:
    """A new subscription, and its signing secret (returned this once, kept only sealed).

    The receiver must be on the public internet (no loopback, private, link-local or
    metadata address, also after name resolution; checked again at every delivery), https
    in production, and the client within its number of active subscriptions."""
    _require_client(actor)
    url = str(data.url)
    try:
        check_url(
            url,
            production=rules.production,
            allow_loopback=rules.allow_loopback,
            resolve_names=True,
        )
    except AddressRefused as refused:
        raise ReceiverRefused(f"The receiver URL is refused: {refused}.") from None
    active = session.exec(
        select(func.count())
        .select_from(WebhookSubscription)
        .where(
            col(WebhookSubscription.client_id) == actor.id,
            col(WebhookSubscription.is_active).is_(True),
        )
    ).one()
    if active >= rules.per_client:
        raise TooManyWebhooks(
            f"The client has {active} active webhooks, the most it may have; deactivate one first.",
            limit=rules.per_client,
        )
    secret = new_secret()
    subscription = WebhookSubscription(
        municipality_id=actor.municipality_id,
        client_id=actor.id,
        url=url,
        secret=seal(keyring, secret, SECRET_SEAL_CONTEXT),
        events=" ".join(sorted({e.value for e in data.events})),
    )
    session.add(subscription)
    session.flush()
    audit.record(session, actor, "webhook.create", "webhook", subscription.id or 0)
    return subscription, secret


_OUTBOX = OutboxMessage.__table__  # type: ignore[attr-defined]


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
    """No more events go to it, and those still waiting to be delivered are cancelled."""
    subscription = _own(session, actor, subscription_id)
    subscription.is_active = False
    session.add(subscription)
    idempotency.forget(session, idempotency.webhook(subscription_id))
    session.execute(
        update(_OUTBOX)
        .where(
            _OUTBOX.c.subscription_id == subscription_id,
            _OUTBOX.c.status == DeliveryStatus.PENDING.value,
        )
        .values(status=DeliveryStatus.CANCELLED.value)
    )
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
