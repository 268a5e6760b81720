"""Webhook subscriptions of integrator clients (case systems)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column
from sqlmodel import Field

from service.models.base import UTCDateTime, utcnow
from service.models.tenancy import TenantOwned, tenant_index, tenant_key, tenant_reference


class EventType(StrEnum):
    ROUND_OPENED = "round.opened"
    INFORMANT_SUBMITTED = "informant.submitted"
    COLLECTION_CLOSED = "round.collection_closed"
    ROUND_COMPLETED = "round.completed"
    REPORT_READY = "round.report_ready"  # the round's report is there to file (or changed)
    ROUND_CANCELLED = "round.cancelled"
    ROUND_OVERDUE = "round.overdue"
    INVITATION_NOT_DELIVERED = "invitation.not_delivered"
    CASE_FLAG_RAISED = "case.flag_raised"  # an advisory flag on a case, for the case system
    DECISION_RECORDED = "round.decision_recorded"  # what a completed round led to (or amended)
    FOLLOW_UP_REQUESTED = "case.follow_up_requested"  # a provider asks for a follow-up round
    FOLLOW_UP_REPLANNED = "case.follow_up_replanned"  # the next follow-up moved off the standard


class WebhookSubscription(TenantOwned, table=True):
    __tablename__ = "webhook_subscription"
    __table_args__ = (
        tenant_key(),
        tenant_reference("client_id", "integrator_client", ondelete="CASCADE"),
        tenant_index("ix_webhook_subscription_client_id", "client_id"),
    )

    client_id: int
    url: str = Field(max_length=500)
    secret: str = Field(
        max_length=300,
        description="The whsec_... signing secret (Standard Webhooks), sealed; shown once",
    )
    events: str = Field(max_length=1000, description="Space-separated event types")
    is_active: bool = True
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )

    @property
    def event_set(self) -> frozenset[EventType]:
        return frozenset(EventType(e) for e in self.events.split())
