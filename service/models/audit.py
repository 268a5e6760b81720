"""The audit trail: one append-only event per write, and per read of a child's data."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
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
        # What the sealer looks for: the events not yet in the chain, in the order written.
        Index(
            "ix_audit_event_unsealed",
            "municipality_id",
            "id",
            sqlite_where=text("chain_seq IS NULL"),
            postgresql_where=text("chain_seq IS NULL"),
        ),
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
    # The hash chain (service/models/audit_chain.py): digests of the personal parts, taken as
    # the event is written; place in the municipality's chain, the hash of the event before,
    # and this event's hash, given by the sealer shortly after (None until then).
    address_digest: str = Field(max_length=64)
    detail_digest: str = Field(max_length=64)
    chain_seq: int | None = Field(
        default=None, description="Place in the municipality's chain, from 1; None until sealed"
    )
    prev_hash: str | None = Field(default=None, max_length=64)
    hash: str | None = Field(default=None, max_length=64)
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


class AuditSeal(TenantOwned, table=True):
    """One batch of events sealed into a municipality's chain: its places and the hash of its
    last event, kept so that each sealed range can be checked (and copied elsewhere) on its own."""

    __tablename__ = "audit_seal"
    __table_args__ = (tenant_key(), UniqueConstraint("municipality_id", "last_seq"))

    first_seq: int
    last_seq: int
    head_hash: str = Field(max_length=64)
    sealed_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
