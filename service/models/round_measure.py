"""The measures (foranstaltninger) a scoring round evaluates: those in force in its period,
so that each outcome can be attributed to the measures and providers behind it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field

from service.models.base import UTCDateTime, enum_type, utcnow
from service.models.tenancy import TenantOwned, tenant_index, tenant_key, tenant_reference


class RoundMeasureOrigin(StrEnum):
    """How a measure came to be recorded with a round."""

    OPENING = "opening"  # in force in the round's period when it was opened
    REQUESTED = "requested"  # named by whoever opened the round ("for" this measure)
    EDITED = "edited"  # added by the caseworker before the round completed
    MIGRATION = "migration"  # back-filled for rounds older than the record


class RoundMeasure(TenantOwned, table=True):
    """One measure evaluated by one round, with the provider it had then."""

    __tablename__ = "round_measure"
    __table_args__ = (
        tenant_key(),
        UniqueConstraint("municipality_id", "round_id", "measure_id"),
        tenant_reference("round_id", "scoring_round", ondelete="CASCADE"),
        tenant_reference("measure_id", "measure", ondelete="CASCADE"),
        tenant_reference("provider_id", "provider"),
        tenant_index("ix_round_measure_measure_id", "measure_id"),
        tenant_index("ix_round_measure_provider_id", "provider_id"),
    )

    round_id: int
    measure_id: int
    provider_id: int | None = Field(
        default=None,
        description="The measure's provider when recorded: a later change of provider does "
        "not move this round's results to the new one",
    )
    origin: RoundMeasureOrigin = Field(sa_type=enum_type(RoundMeasureOrigin, 16))
    recorded_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
