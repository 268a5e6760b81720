"""A notification (underretning) about a child, and the day it was received: Kolding's time
zero, from which the plan and the outcome checkpoint are due (`workflow/notification.py`)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column
from sqlmodel import Field

from service.models.base import UTCDateTime, enum_type, utcnow
from service.models.tenancy import TenantOwned, tenant_index, tenant_key, tenant_reference
from service.workflow.notification import NotificationSource


class Notification(TenantOwned, table=True):
    """A notification received about the child of a case; who made it in general terms only."""

    __tablename__ = "case_notification"
    __table_args__ = (
        tenant_key(),
        tenant_reference("case_id", "child_case", ondelete="CASCADE"),
        tenant_reference("round_id", "scoring_round", ondelete="CASCADE"),
        tenant_reference("created_by_id", "staff_user"),
        tenant_index("ix_case_notification_case_id", "case_id"),
        tenant_index("ix_case_notification_round_id", "round_id"),
    )

    case_id: int
    received_on: date = Field(description="Time zero: the day the administration received it")
    source: NotificationSource = Field(sa_type=enum_type(NotificationSource, 32))
    note: str = Field(default="", max_length=500)
    plan_made_on: date | None = Field(default=None, description="The plan or decision, made")
    checkpoint_held_on: date | None = Field(default=None, description="The outcome checkpoint")
    round_id: int | None = Field(default=None, description="The baseline round opened from it")
    created_by_id: int | None = None
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
