"""Written cadence standards (opfølgningsstandarder) a municipality has adopted, the
deviations from them in a case (fagligt begrundede afvigelser), and the providers' requests
for a follow-up round.

A municipality has at most one standard in force, copied from a shipped one and edited as it
likes; its rules say, per kind of measure, when the follow-ups are due
(`service.workflow.cadence_standards`). Without one, the procedure's interval applies.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column
from sqlmodel import Field

from service.models.base import UTCDateTime, enum_type, utcnow
from service.models.case import MeasureCategory, MeasureType
from service.models.tenancy import TenantOwned, tenant_index, tenant_key, tenant_reference
from service.workflow.cadence_standards import DeviationKind, DeviationReason


class CadenceStandard(TenantOwned, table=True):
    """The municipality's written standard for follow-ups; one at most."""

    __tablename__ = "cadence_standard"
    __table_args__ = (
        tenant_key(),
        tenant_index("ix_cadence_standard_one", unique=True),
    )

    name: str = Field(max_length=120)
    based_on: str | None = Field(
        default=None, max_length=40, description="The shipped standard it was copied from"
    )
    adopted_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class CadenceRule(TenantOwned, table=True):
    """One kind of measure's follow-ups: the first after the measure's start, then every
    so often, and (optionally) every so often once the measure has run a year. Each interval
    is some months or some weeks."""

    __tablename__ = "cadence_rule"
    __table_args__ = (
        tenant_key(),
        tenant_reference("standard_id", "cadence_standard", ondelete="CASCADE"),
        tenant_index("ix_cadence_rule_standard_id", "standard_id"),
    )

    standard_id: int
    position: int = Field(default=0, description="The rule's place in the standard")
    category: MeasureCategory | None = Field(
        default=None, sa_type=enum_type(MeasureCategory, 32), description="None: any"
    )
    measure_type: MeasureType | None = Field(
        default=None, sa_type=enum_type(MeasureType, 32), description="None: any"
    )
    intensive: bool = Field(default=False, description="For intensive measures only")
    first_months: int = 0
    first_weeks: int = 0
    every_months: int = 0
    every_weeks: int = 0
    later_months: int = Field(default=0, description="After the first year; 0 and 0: no change")
    later_weeks: int = 0


class DeviationState(StrEnum):
    PENDING = "pending"  # fewer follow-ups, waiting for the team leader
    APPROVED = "approved"  # in force (more follow-ups are in force at once)
    REJECTED = "rejected"


class CadenceDeviation(TenantOwned, table=True):
    """A case's next follow-up planned away from the standard's date, and why."""

    __tablename__ = "cadence_deviation"
    __table_args__ = (
        tenant_key(),
        tenant_reference("case_id", "child_case", ondelete="CASCADE"),
        tenant_reference("round_id", "scoring_round", ondelete="CASCADE"),
        tenant_index("ix_cadence_deviation_case_id", "case_id"),
        tenant_index("ix_cadence_deviation_round_id", "round_id"),
        tenant_index("ix_cadence_deviation_state", "state"),
    )

    case_id: int
    round_id: int = Field(description="The completed round whose next due date it moves")
    kind: DeviationKind = Field(sa_type=enum_type(DeviationKind, 16))
    reason_code: DeviationReason = Field(sa_type=enum_type(DeviationReason, 32))
    reason: str = Field(default="", max_length=1000)
    standard_due_on: date
    planned_on: date
    state: DeviationState = Field(sa_type=enum_type(DeviationState, 16))
    requested_by_id: int | None = None
    requested_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    decided_by_id: int | None = None
    decided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    decision_note: str = Field(default="", max_length=1000)


class FollowUpRequestState(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class FollowUpRequest(TenantOwned, table=True):
    """A provider asks for a follow-up round; the caseworker accepts (and plans it) or
    declines with a reason, and the provider is told."""

    __tablename__ = "follow_up_request"
    __table_args__ = (
        tenant_key(),
        tenant_reference("case_id", "child_case", ondelete="CASCADE"),
        tenant_index("ix_follow_up_request_case_id", "case_id"),
        tenant_index("ix_follow_up_request_state", "state"),
    )

    case_id: int
    provider_name: str = Field(max_length=200)
    provider_email: str | None = Field(default=None, max_length=254)
    informant_id: int | None = Field(
        default=None, description="The informant whose personal link asked, if one did"
    )
    reason: str = Field(max_length=1000)
    state: FollowUpRequestState = Field(sa_type=enum_type(FollowUpRequestState, 16))
    requested_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    recorded_by_id: int | None = Field(
        default=None, description="The staff user who recorded it on the provider's behalf"
    )
    answered_by_id: int | None = None
    answered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    answer_reason: str = Field(default="", max_length=1000)
    planned_on: date | None = Field(default=None, description="The round's date, if accepted")
