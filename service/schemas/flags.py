"""Schemas for the advisory flags on a case."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from service.schemas.common import RequestBody, Text2000
from service.workflow.flags import FlagKind


class FlagPublic(BaseModel):
    """An advisory flag (opmærksomhedspunkt): it changes nothing by itself; the caseworker
    looks at it and signs it off with a note."""

    id: int
    case_id: int
    round_id: int = Field(description="The completed round whose figures raised it")
    kind: FlagKind
    advisory: Literal[True] = Field(
        default=True, description="Always true: a flag advises, it decides nothing"
    )
    why: dict[str, Any] = Field(
        description="`threshold` (the municipality's) and `factors`: per factor its key and "
        "the figures that reached the threshold"
    )
    raised_at: datetime
    signed_off_at: datetime | None
    signed_off_by_id: int | None
    sign_off_note: str | None


class FlagsPublic(BaseModel):
    items: list[FlagPublic]
    open: int = Field(description="How many of them are not signed off")


class FlagSignOff(RequestBody):
    note: Annotated[Text2000, StringConstraints(min_length=1, strip_whitespace=True)] = Field(
        description="What the caseworker made of the flag; kept in the case's history"
    )
