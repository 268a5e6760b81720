"""Schemas for the decision a completed round leads to, and the management figure of them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from service.models.case import MeasureType
from service.schemas.common import Day, Id, Lax, RequestBody, Text2000
from service.schemas.reports import AsOf, DataUse
from service.workflow.decisions import DecidedBy, DecisionOutcome


class DecisionWrite(RequestBody):
    """What was decided about the measure after the round; recording it again amends it."""

    outcome: Annotated[DecisionOutcome, Lax]
    decided_by: Annotated[DecidedBy, Lax] = Field(
        default=DecidedBy.MEETING, description="The meeting, or the caseworker after it"
    )
    measure_id: Id | None = Field(
        default=None, description="The case's measure it concerns (none: a new one to start)"
    )
    reason: Annotated[Text2000, StringConstraints(min_length=1, strip_whitespace=True)] = Field(
        description="Why, in the light of the round's official scores"
    )
    decided_on: Day = Field(description="The day it was decided: not before the round completed")


class DecisionPublic(BaseModel):
    id: int
    round_id: int = Field(description="The completed round whose official scores it rests on")
    case_id: int
    outcome: DecisionOutcome
    decided_by: DecidedBy
    measure_id: int | None
    reason: str
    decided_on: date
    recorded_by_id: int | None
    recorded_at: datetime
    superseded_at: datetime | None = Field(description="Set when a later decision amended it")


class DecisionsPublic(BaseModel):
    current: DecisionPublic | None
    history: list[DecisionPublic] = Field(description="Amended decisions, newest first")


class DecisionCell(BaseModel):
    outcome: DecisionOutcome
    measure_type: MeasureType | None = Field(description="None: no measure named")
    children: int | None = Field(description="None: hidden, too few to show")


class DecisionTotal(BaseModel):
    key: str
    children: int | None


class DecisionsReport(BaseModel):
    """Each child's latest decision, by outcome and by the kind of measure it concerned,
    with small groups hidden (and enough besides that none can be worked out)."""

    scope: str
    as_of: AsOf
    min_group_size: int
    cells: list[DecisionCell]
    by_outcome: list[DecisionTotal]
    by_measure_type: list[DecisionTotal]
    total: int | None
    data_use: DataUse
