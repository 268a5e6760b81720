"""The audit trail: one append-only event per write, and per read of a child's data."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.models.base import UTCDateTime, enum_type, utcnow
from service.models.tenancy import TenantOwned, tenant_index, tenant_key


class ActorKind(StrEnum):
    STAFF = "staff"
    CLIENT = "client"
    INFORMANT = "informant"
    SYSTEM = "system"


class AuditEvent(TenantOwned, table=True):
    """Who, acting for which municipality, did what to which object, when, from where."""

    __tablename__ = "audit_event"
    __table_args__ = (
        tenant_key(),
        UniqueConstraint("municipality_id", "chain_seq"),
        tenant_index("ix_audit_event_occurred_at", "occurred_at"),
        tenant_index("ix_audit_event_case_id", "case_id"),
    )

    occurred_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    actor_kind: ActorKind = Field(sa_type=enum_type(ActorKind, 16))
    actor_id: str = Field(max_length=64)
    action: str = Field(max_length=64)
    object_type: str = Field(max_length=32)
    object_id: str = Field(max_length=64)
    case_id: int | None = None
    client_address: str | None = Field(default=None, max_length=64)
    detail: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The hash chain (service/models/audit_chain.py): place in the municipality's chain, the
    # hash of the event before, digests of the personal parts, and this event's hash.
    chain_seq: int = Field(description="Place in the municipality's chain, from 1")
    prev_hash: str = Field(max_length=64)
    address_digest: str = Field(max_length=64)
    detail_digest: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    pseudonymised_at: datetime | None = Field(
        default=None,
        sa_column=Column(UTCDateTime),
        description="When erasure blanked the detail and address (their digests stay)",
    )


class AuditChainHead(SQLModel, table=True):
    """The end of a municipality's audit chain: its last place and hash. Locked while events
    are added, so that two writers never fork the chain; a removed last event shows here."""

    __tablename__ = "audit_chain_head"

    municipality_id: int = Field(
        foreign_key="municipality.id", primary_key=True, ondelete="CASCADE"
    )
    seq: int = 0
    hash: str = Field(max_length=64)
