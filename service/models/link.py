"""Every personal link ever issued to an informant: who issued it, when it ended and why.

The informant row keeps the hash of its current link (the hot path looks it up there); this
history keeps all of them, so that a replaced link answers as withdrawn rather than unknown,
and the round's history shows who issued and re-issued each link."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index
from sqlmodel import Field

from service.models.base import UTCDateTime, enum_type
from service.models.tenancy import TenantOwned


class LinkEnd(StrEnum):
    REPLACED = "replaced"  # a new link was issued in its place
    REVOKED = "revoked"  # withdrawn by the caseworker


class InformantLink(TenantOwned, table=True):
    """One issued personal link (personligt link); only its keyed hash is kept."""

    __tablename__ = "informant_link"
    __table_args__ = (Index("ix_informant_link_token_hash", "token_hash", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="scoring_round.id", index=True, ondelete="CASCADE")
    informant_id: int = Field(foreign_key="informant.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64)
    key_id: str = Field(max_length=16, description="Which key the hash was made under")
    issued_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    issued_by: str = Field(max_length=64, description="staff:<id>, client:<id> or system")
    issued_by_label: str = Field(max_length=200)
    ended_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    end: LinkEnd | None = Field(default=None, sa_type=enum_type(LinkEnd, 16))
    ended_by: str | None = Field(default=None, max_length=64)
    ended_by_label: str | None = Field(default=None, max_length=200)
