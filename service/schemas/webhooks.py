"""Schemas for integrators' webhook subscriptions and their deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AnyHttpUrl, BaseModel, Field

from service.models.outbox import DeliveryStatus
from service.models.webhook import EventType
from service.schemas.common import Lax, Page, RequestBody


class WebhookCreate(RequestBody):
    url: AnyHttpUrl = Field(description="Where the events are POSTed")
    events: list[Annotated[EventType, Lax]] = Field(min_length=1, max_length=20)


class WebhookPublic(BaseModel):
    id: int
    url: str
    events: list[EventType]
    is_active: bool
    created_at: datetime


class WebhookCreated(WebhookPublic):
    secret: str = Field(description="whsec_... for verifying signatures; shown once")


class WebhooksPublic(Page[WebhookPublic]):
    pass


class AttemptPublic(BaseModel):
    attempted_at: datetime
    ok: bool
    error: str | None


class DeliveryPublic(BaseModel):
    id: str = Field(description="The webhook-id header of the delivery")
    event: str
    body: str
    status: DeliveryStatus
    attempts: list[AttemptPublic]
    created_at: datetime
    sent_at: datetime | None
    next_attempt_at: datetime | None


class DeliveriesPublic(Page[DeliveryPublic]):
    pass
