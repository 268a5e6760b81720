"""The decision a completed round leads to (`service.workflow.decisions`): one current per
round, amendable; an amendment keeps the earlier decision, marked superseded, as history.

Keyed (municipality_id, id), referring to the round, its case and the measure it concerns by
(municipality_id, x_id), so that a decision goes with its case when the case is erased.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column
from sqlmodel import Field

from service.models.base import UTCDateTime, enum_type, utcnow
from service.models.tenancy import TenantOwned, tenant_index, tenant_key, tenant_reference
from service.workflow.decisions import DecidedBy, DecisionOutcome


class RoundDecision(TenantOwned, table=True):
    """What was decided about the measure after a completed round, why, and when."""

    __tablename__ = "round_decision"
    __table_args__ = (
        tenant_key(),
        tenant_reference("round_id", "scoring_round", ondelete="CASCADE"),
        tenant_reference("case_id", "child_case", ondelete="CASCADE"),
        tenant_reference("measure_id", "measure", ondelete="CASCADE"),
        tenant_reference("recorded_by_id", "staff_user"),
        tenant_index("ix_round_decision_round_current", "round_id", "superseded_at"),
        tenant_index("ix_round_decision_case_id", "case_id"),
        tenant_index("ix_round_decision_measure_id", "measure_id"),
    )

    round_id: int
    case_id: int
    outcome: DecisionOutcome = Field(sa_type=enum_type(DecisionOutcome, 16))
    decided_by: DecidedBy = Field(sa_type=enum_type(DecidedBy, 16))
    measure_id: int | None = Field(default=None, description="The measure it concerns")
    reason: str = Field(max_length=2000)
    decided_on: date
    recorded_by_id: int | None = None
    recorded_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    superseded_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
