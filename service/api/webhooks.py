"""Webhook subscriptions for integrator clients, and the deliveries made to them."""

from __future__ import annotations

from fastapi import APIRouter, status

from service.api.deps import CurrentActor, PageDep, SessionDep, SettingsDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.errors import Forbidden, NotFound, problem_responses
from service.schemas.common import Id
from service.schemas.webhooks import (
    DeliveriesPublic,
    WebhookCreate,
    WebhookCreated,
    WebhookPublic,
    WebhooksPublic,
)
from service.usecases.administration import webhooks as usecase

router = APIRouter(tags=["webhooks"], route_class=UnitOfWorkRoute)


@router.post(
    "/webhooks",
    operation_id="create_webhook",
    summary="Subscribe to events",
    status_code=status.HTTP_201_CREATED,
    response_model=WebhookCreated,
    responses=problem_responses(Forbidden, usecase.ReceiverRefused, usecase.TooManyWebhooks),
)
def create_webhook(
    actor: CurrentActor, session: SessionDep, settings: SettingsDep, body: WebhookCreate
) -> WebhookCreated:
    """Events are POSTed signed (Standard Webhooks); the secret is returned this once.

    Needs the scope `webhooks:manage`. The receiver must be on the public internet (no
    loopback, private, link-local or metadata address, checked after name resolution here
    and at every delivery) and https in production; a client has a limited number of
    active subscriptions."""
    subscription, secret = usecase.subscribe(
        session,
        actor,
        body,
        settings.keyring(),
        usecase.ReceiverRules(
            production=settings.is_production,
            allow_loopback=settings.webhook_allow_loopback,
            per_client=settings.webhooks_per_client,
        ),
    )
    return WebhookCreated(**usecase.public(subscription).model_dump(), secret=secret)


@router.get(
    "/webhooks",
    operation_id="list_webhooks",
    summary="List the client's webhooks",
    response_model=WebhooksPublic,
    responses=problem_responses(Forbidden),
)
def list_webhooks(actor: CurrentActor, session: SessionDep, page: PageDep) -> WebhooksPublic:
    """The calling client's subscriptions."""
    rows, total = usecase.list_subscriptions(session, actor, page)
    return WebhooksPublic(items=[usecase.public(s) for s in rows], total=total, **page.model_dump())


@router.post(
    "/webhooks/{webhook_id}/deactivate",
    operation_id="deactivate_webhook",
    summary="Stop a webhook",
    response_model=WebhookPublic,
    responses=problem_responses(Forbidden, NotFound),
)
def deactivate_webhook(actor: CurrentActor, session: SessionDep, webhook_id: Id) -> WebhookPublic:
    """No more events are sent to it; deliveries still waiting are cancelled."""
    return usecase.public(usecase.unsubscribe(session, actor, webhook_id))


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    operation_id="list_webhook_deliveries",
    summary="A webhook's deliveries and their attempts",
    response_model=DeliveriesPublic,
    responses=problem_responses(Forbidden, NotFound),
)
def list_webhook_deliveries(
    actor: CurrentActor, session: SessionDep, webhook_id: Id, page: PageDep
) -> DeliveriesPublic:
    """Newest first: what was sent, whether it arrived, and every attempt."""
    rows, total = usecase.deliveries(session, actor, webhook_id, page)
    return DeliveriesPublic(items=rows, total=total, **page.model_dump())
