"""The municipality (kommune), the tenant, with its adopted scoring policy, and its teams."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.models.base import UTCDateTime, enum_type, utcnow
from service.models.tenancy import TenantOwned, tenant_key
from service.workflow.cadence import PROCEDURE_INTERVAL_MONTHS
from service.workflow.collection import CollectionClose as CollectionClose
from service.workflow.procedures import Procedure

#: Months between rounds after the first follow-up, by the procedure (KL's tables).
DEFAULT_INTERVAL_MONTHS = PROCEDURE_INTERVAL_MONTHS


class Municipality(SQLModel, table=True):
    """A municipality (kommune) and its scoring policy; the unit of tenancy."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    code: str = Field(max_length=3, unique=True, description="Danish municipality code, e.g. 751")
    procedure: Procedure = Field(sa_type=enum_type(Procedure, 8))
    first_follow_up_months: int = Field(
        default=3, description="Months from intake to first follow-up"
    )
    interval_months: int = Field(default=6, description="Months between later rounds")
    interval_is_own: bool = Field(
        default=False,
        description="The municipality chose the interval; otherwise it follows the procedure",
    )
    min_group_size: int = Field(default=5, description="Smallest group shown in aggregates")
    collection_close: CollectionClose = Field(
        default=CollectionClose.ALL_SUBMITTED, sa_type=enum_type(CollectionClose, 32)
    )
    divergence_threshold: int = Field(default=1, description="Informants diverge above max - min")
    link_grace_days: int = Field(default=7, description="Days a link works after the due date")
    reminder_days: str = Field(
        default="3 1", max_length=50, description="Days before the due date to remind, e.g. '3 1'"
    )
    auto_open_days: int | None = Field(
        default=None, description="Open the next round as a draft this many days before it is due"
    )
    retention_years: int = Field(
        default=5, description="Years a closed case's data is kept before it is erased"
    )
    contact_retention_days: int = Field(
        default=30, description="Days informants' contact details are kept after their round"
    )
    projector_shows_names: bool = Field(
        default=True,
        description="The meeting's projector mode shows informants' names; otherwise their role",
    )
    # KL (`002` l.1080-1092): leadership states beforehand how the figures will be used, at
    # what level, how often, and from when; before that day is the implementation period.
    data_use_statement: str = Field(
        default="",
        max_length=4000,
        description="How leadership will use the figures: what for, at what level, how often",
    )
    management_from: date | None = Field(
        default=None,
        description="The day from which figures may be used for management (ledelsesbrug)",
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    # The thresholds of the advisory flags (`service.workflow.flags`).
    flag_stalled_rounds: int = Field(
        default=2, description="Rounds in a row without progress on a factor that raise a flag"
    )
    flag_deterioration_points: int = Field(
        default=2, description="Points worse than the previous status that raise a flag"
    )
    flag_divergence_points: int = Field(
        default=3, description="Points between the informants' scores that raise a flag"
    )
    flag_child_gap_points: int = Field(
        default=2, description="Points the child's own score is worse than the official one"
    )
    # The procedure compliance report: a round held this many days after its due date still
    # counts as held on time.
    on_time_days: int = Field(
        default=14,
        sa_column_kwargs={"server_default": "14"},
        description="Days after the due date a round may complete and still count as on time",
    )


class Team(TenantOwned, table=True):
    """A team of caseworkers with a team leader (leder)."""

    __table_args__ = (tenant_key(), UniqueConstraint("municipality_id", "name"))

    name: str = Field(max_length=120)


class InstrumentSelection(TenantOwned, table=True):
    """An instrument family (by key) that the municipality has in use."""

    __tablename__ = "instrument_selection"
    __table_args__ = (tenant_key(), UniqueConstraint("municipality_id", "instrument_key"))

    instrument_key: str = Field(max_length=64)
