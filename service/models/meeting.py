"""How a round's consensus meeting is held (mødeform): an ordinary consensus meeting, a family
council (familierådslagning) or a cross-disciplinary network meeting. One row per round where
the caseworker chose a kind; a round without one holds the ordinary meeting. The kind changes
who is expected at the meeting, never who decides (`service.workflow.meetings`).

Keyed (municipality_id, id) and referring to the round by (municipality_id, round_id), like
every table of a municipality; a row goes with its round (cascade) when a case is erased.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field

from service.models.base import UTCDateTime, enum_type, utcnow
from service.models.tenancy import TenantOwned, tenant_index, tenant_key, tenant_reference
from service.workflow.meetings import MeetingKind


class RoundMeetingKind(TenantOwned, table=True):
    """The kind of a round's consensus meeting, as the caseworker last set it."""

    __tablename__ = "round_meeting_kind"
    __table_args__ = (
        tenant_key(),
        tenant_reference("round_id", "scoring_round", ondelete="CASCADE"),
        tenant_reference("set_by_id", "staff_user"),
        tenant_index("ix_round_meeting_kind_round_id", "round_id", unique=True),
    )

    round_id: int
    kind: MeetingKind = Field(sa_type=enum_type(MeetingKind, 32))
    set_by_id: int | None = None
    set_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
