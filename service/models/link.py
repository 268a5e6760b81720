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
from service.models.tenancy import TenantOwned, tenant_index, tenant_key, tenant_reference


class LinkEnd(StrEnum):
    REPLACED = "replaced"  # a new link was issued in its place
    REVOKED = "revoked"  # withdrawn by the caseworker


class InformantLink(TenantOwned, table=True):
    """One issued personal link (personligt link); only its keyed hash is kept."""

    __tablename__ = "informant_link"
    __table_args__ = (
        tenant_key(),
        tenant_reference("round_id", "scoring_round", ondelete="CASCADE"),
        tenant_reference("informant_id", "informant", ondelete="CASCADE"),
        tenant_index("ix_informant_link_round_id", "round_id"),
        tenant_index("ix_informant_link_informant_id", "informant_id"),
        # Global: a personal link is looked up before its municipality is known.
        Index("ix_informant_link_token_hash", "token_hash", unique=True),
    )

    round_id: int
    informant_id: int
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
