"""The audit trail: one append-only event per write, and per read of a child's data."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column
from sqlmodel import Field

from service.models.base import UTCDateTime, enum_type, utcnow
from service.models.tenancy import TenantOwned


class ActorKind(StrEnum):
    STAFF = "staff"
    CLIENT = "client"
    INFORMANT = "informant"
    SYSTEM = "system"


class AuditEvent(TenantOwned, table=True):
    """Who, acting for which municipality, did what to which object, when, from where."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False, index=True)
    )
    actor_kind: ActorKind = Field(sa_type=enum_type(ActorKind, 16))
    actor_id: str = Field(max_length=64)
    action: str = Field(max_length=64)
    object_type: str = Field(max_length=32)
    object_id: str = Field(max_length=64)
    case_id: int | None = Field(default=None, index=True)
    client_address: str | None = Field(default=None, max_length=64)
    detail: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
