"""The measures (foranstaltninger) a scoring round evaluates: those in force in its period,
so that each outcome can be attributed to the measures and providers behind it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field

from service.models.base import UTCDateTime, enum_type, utcnow
from service.models.tenancy import TenantOwned


class RoundMeasureOrigin(StrEnum):
    """How a measure came to be recorded with a round."""

    OPENING = "opening"  # in force in the round's period when it was opened
    REQUESTED = "requested"  # named by whoever opened the round ("for" this measure)
    EDITED = "edited"  # added by the caseworker before the round completed
    MIGRATION = "migration"  # back-filled for rounds older than the record


class RoundMeasure(TenantOwned, table=True):
    """One measure evaluated by one round, with the provider it had then."""

    __tablename__ = "round_measure"
    __table_args__ = (UniqueConstraint("round_id", "measure_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="scoring_round.id", index=True, ondelete="CASCADE")
    measure_id: int = Field(foreign_key="measure.id", index=True, ondelete="CASCADE")
    provider_id: int | None = Field(
        default=None,
        foreign_key="provider.id",
        index=True,
        description="The measure's provider when recorded: a later change of provider does "
        "not move this round's results to the new one",
    )
    origin: RoundMeasureOrigin = Field(sa_type=enum_type(RoundMeasureOrigin, 16))
    recorded_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
