"""Advisory flags on a case (opmærksomhedspunkter), raised when a round completes
(`service.workflow.flags`) and open until the caseworker signs them off with a note.

Keyed (municipality_id, id), referring to the case and the round that raised it by
(municipality_id, x_id), so that a flag goes with its case when the case is erased. A round
raises a kind once (a unique index led by the municipality); the open flags of a case, and of
the work lists, are read by the case and by whether they are signed off.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field

from service.models.base import UTCDateTime, enum_type, utcnow
from service.models.tenancy import TenantOwned, tenant_index, tenant_key, tenant_reference
from service.workflow.flags import FlagKind


class CaseFlag(TenantOwned, table=True):
    """One advisory flag: what raised it, why, and its sign-off."""

    __tablename__ = "case_flag"
    __table_args__ = (
        tenant_key(),
        tenant_reference("case_id", "child_case", ondelete="CASCADE"),
        tenant_reference("round_id", "scoring_round", ondelete="CASCADE"),
        tenant_reference("signed_off_by_id", "staff_user"),
        tenant_index("ix_case_flag_round_kind", "round_id", "kind", unique=True),
        tenant_index("ix_case_flag_case_open", "case_id", "signed_off_at"),
    )

    case_id: int
    round_id: int = Field(description="The completed round that raised it")
    kind: FlagKind = Field(sa_type=enum_type(FlagKind, 32))
    why: dict[str, Any] = Field(
        default_factory=dict,
        sa_column=Column(JSON, nullable=False),
        description="The threshold and, per factor, the figures that raised it",
    )
    raised_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    signed_off_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    signed_off_by_id: int | None = None
    sign_off_note: str | None = Field(default=None, max_length=2000)
