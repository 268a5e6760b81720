"""The outbox: every message (email, SMS, webhook) is written in the transaction of the change
that causes it, and delivered only after that transaction commits."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field

from service.models.base import UTCDateTime, enum_type, utcnow
from service.models.tenancy import TenantOwned, tenant_index, tenant_key, tenant_reference


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    WEBHOOK = "webhook"


class MessageKind(StrEnum):
    INVITATION = "invitation"
    REMINDER = "reminder"
    RECEIPT = "receipt"  # "thank you, received"
    NOTICE = "notice"  # to a participant without a link: who sees what, and their rights
    RESULT = "result"  # to the family: the round's result, with a link to see it
    CASEWORKER = "caseworker"
    PROVIDER_RESULT = "provider_result"  # KL 2, trin 4: the provider is told the result
    EVENT = "event"  # a webhook
    FOLLOW_UP_ANSWER = "follow_up_answer"  # a provider's request for a follow-up, answered


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # finally: shown to the caseworker, never dropped
    CANCELLED = "cancelled"  # a reminder no longer needed (submitted, revoked, closed)


class OutboxMessage(TenantOwned, table=True):
    __tablename__ = "outbox_message"
    __table_args__ = (
        tenant_key(),
        # Global: the dispatcher's queue, taken across every municipality.
        Index("ix_outbox_message_due", "status", "next_attempt_at"),
        tenant_reference("staff_user_id", "staff_user"),
        tenant_reference("informant_id", "informant"),
        tenant_reference("subscription_id", "webhook_subscription"),
        tenant_reference("round_id", "scoring_round"),
        tenant_index("ix_outbox_message_staff_user_id", "staff_user_id"),
        tenant_index("ix_outbox_message_informant_id", "informant_id"),
        tenant_index("ix_outbox_message_subscription_id", "subscription_id"),
        tenant_index("ix_outbox_message_round_id", "round_id"),
    )

    channel: Channel = Field(sa_type=enum_type(Channel, 16))
    kind: MessageKind = Field(sa_type=enum_type(MessageKind, 16))
    staff_user_id: int | None = None
    recipient: str = Field(max_length=500, description="Email address, phone number or URL")
    subject: str = Field(default="", max_length=300)
    body_text: str = Field(default="", max_length=20000)
    body_html: str = Field(default="", max_length=40000)
    payload: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    sealed_link: str | None = Field(
        default=None,
        max_length=500,
        description="The personal link the body stands in for (LINK_PLACEHOLDER), sealed; "
        "put in at delivery and dropped once the message is sent, failed or cancelled",
    )
    informant_id: int | None = None
    subscription_id: int | None = None
    round_id: int | None = None
    status: DeliveryStatus = Field(
        default=DeliveryStatus.PENDING, sa_type=enum_type(DeliveryStatus, 16)
    )
    attempts: int = 0
    next_attempt_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    claimed_until: datetime | None = Field(
        default=None,
        sa_column=Column(UTCDateTime),
        description="A dispatcher's lease; when it passes unfinished, another may retry",
    )
    claimed_by: str | None = Field(
        default=None, max_length=32, description="Which dispatcher holds the lease"
    )
    last_error: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class DeliveryAttempt(TenantOwned, table=True):
    """One try at delivering a message: when, and what came of it."""

    __tablename__ = "delivery_attempt"
    __table_args__ = (
        tenant_key(),
        tenant_reference("message_id", "outbox_message", ondelete="CASCADE"),
        tenant_index("ix_delivery_attempt_message_id", "message_id"),
    )

    message_id: int
    attempted_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    ok: bool
    error: str | None = Field(default=None, max_length=2000)
