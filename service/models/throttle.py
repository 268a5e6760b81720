"""Failed attempts (logins, unknown personal links) counted where every process and instance
sees them: the database by default (Redis where configured, `service.auth.throttle`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from service.models.base import UTCDateTime


class ThrottleCounter(SQLModel, table=True):
    """Failures under one key (an account, an address) since the window began. The key is a
    hash: no username or address is kept here. A row past `expires_at` counts for nothing
    and is pruned at the next failure."""

    __tablename__ = "throttle_counter"

    key: str = Field(primary_key=True, max_length=64)
    failures: int = 0
    last_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
