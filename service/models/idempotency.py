"""Idempotency keys of API callers: the first response to a key, replayed for 24 hours.

The response is kept sealed (AES-GCM under a key derived from the service secret), never as
it was sent: it may carry a personal link, a client secret or a webhook secret. `holds` names
what such a response carries, so that the record goes when that is revoked."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field

from service.models.base import UTCDateTime, utcnow
from service.models.tenancy import TenantOwned, tenant_index, tenant_key


class IdempotencyRecord(TenantOwned, table=True):
    __tablename__ = "idempotency_record"
    __table_args__ = (
        tenant_key(),
        UniqueConstraint("municipality_id", "caller", "key"),
        tenant_index("ix_idempotency_record_holds", "holds"),
    )

    caller: str = Field(max_length=64, description="staff:<id> or client:<id>")
    key: str = Field(max_length=200)
    method: str = Field(max_length=8)
    path: str = Field(max_length=500)
    body_hash: str = Field(max_length=64)
    status_code: int | None = Field(default=None, description="None while the first is running")
    content_type: str | None = Field(default=None, max_length=100)
    response: str | None = Field(
        default=None, sa_column=Column(Text), description="The response body, sealed"
    )
    holds: str | None = Field(
        default=None,
        max_length=80,
        description="link:<informant id>, client:<id> or webhook:<id>: the secret it carries",
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
