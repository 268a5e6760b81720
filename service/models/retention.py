"""What retention erased, and when: the record kept after the data is gone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field

from service.models.base import UTCDateTime
from service.models.tenancy import TenantOwned, tenant_key


class ErasureRecord(TenantOwned, table=True):
    """One erasure: a case with everything under it, or informants' contact details. Holds
    counts and the case system's reference, nothing about the child."""

    __tablename__ = "erasure_record"
    __table_args__ = (tenant_key(),)

    erased_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    reason: str = Field(max_length=200)
    case_id: int | None = None
    external_ref: str | None = Field(default=None, max_length=64)
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    rounds: int = 0
    informants: int = 0
    submissions: int = 0
    audit_events_pseudonymised: int = 0
