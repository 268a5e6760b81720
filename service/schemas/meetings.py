"""Schemas for the kind of a round's consensus meeting (mødeform)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from service.schemas.common import Lax, RequestBody
from service.workflow.meetings import MeetingKind
from service.workflow.roles import InformantRole


class MeetingKindWrite(RequestBody):
    kind: Annotated[MeetingKind, Lax] = Field(
        description="consensus: the ordinary consensus meeting; family_council: "
        "familierådslagning, the family and its network at the table; network_meeting: a "
        "cross-disciplinary network meeting of the professionals with the parents"
    )


class MeetingKindPublic(BaseModel):
    round_id: int
    kind: MeetingKind
    expected: list[InformantRole] = Field(
        description="The roles expected at the meeting of this kind, whose attendance the "
        "caseworker records"
    )
    decides: InformantRole = Field(description="Who sets the official scores: the caseworker")
    set_at: datetime | None = Field(description="None: the ordinary meeting, never changed")
