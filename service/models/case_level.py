"""A case's collaboration level (samarbejdsniveau, 1-3) and degree of concern
(bekymringsgrad, 1-3), as entries with history: the newest of each kind is the current one."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column
from sqlmodel import Field

from service.models.base import UTCDateTime, enum_type, utcnow
from service.models.tenancy import TenantOwned, tenant_index, tenant_key, tenant_reference


class LevelKind(StrEnum):
    #: Kolding's Samarbejdsmodel: 1 one provider (e.g. the daycare), 2 two or more providers
    #: coordinating, 3 broad cross-disciplinary collaboration.
    COLLABORATION = "collaboration"
    #: The degree of concern the situation gives: 1 some, 2 considerable, 3 serious.
    CONCERN = "concern"


#: The levels of each kind, lowest first.
LEVELS: dict[LevelKind, range] = {
    LevelKind.COLLABORATION: range(1, 4),
    LevelKind.CONCERN: range(1, 4),
}


class CaseLevel(TenantOwned, table=True):
    """One setting of a case's collaboration level or degree of concern; never changed after."""

    __tablename__ = "case_level"
    __table_args__ = (
        tenant_key(),
        tenant_reference("case_id", "child_case", ondelete="CASCADE"),
        tenant_reference("set_by_id", "staff_user"),
        tenant_index("ix_case_level_case_kind", "case_id", "kind"),
    )

    case_id: int
    kind: LevelKind = Field(sa_type=enum_type(LevelKind, 16))
    value: int
    note: str = Field(default="", max_length=500)
    set_by_id: int | None = None
    set_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
