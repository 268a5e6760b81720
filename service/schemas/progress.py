"""Schemas for a child's progress over time: the official series per factor, each informant
role's own series beside it, and the professionals' spread."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from service.schemas.rounds import RoundMeasurePublic
from service.workflow.comparison import Crossing
from service.workflow.outcomes import NoOutcome, Outcome
from service.workflow.procedures import Procedure
from service.workflow.roles import InformantRole
from service.workflow.scale import BestEnd
from service.workflow.states import Variant


class ProgressScale(BaseModel):
    min: int
    max: int
    best_end: BestEnd


class ProgressRound(BaseModel):
    """A completed round in the series, oldest first."""

    round_id: int
    completed_at: datetime
    instrument_id: int
    instrument_key: str
    instrument_version: int
    instrument_name_da: str
    instrument_name_en: str
    scale: ProgressScale
    procedure: Procedure
    variant: Variant
    compared_with_round_id: int | None = Field(description="The round it was measured against")
    crosses: Crossing | None = Field(
        description="How it reaches that round: the same form, another version of it, or a "
        "mapping between forms; a chart marks where the series crosses a version or mapping"
    )
    measures: list[RoundMeasurePublic]


class OfficialPoint(BaseModel):
    round_id: int
    factor_key: str = Field(description="The factor's key in that round's form")
    score: int | None
    goal: int | None
    not_assessed: bool
    outcome: Outcome | None
    no_outcome: NoOutcome | None


class SpreadPoint(BaseModel):
    """The professionals' (and the provider's) own scores of one round."""

    round_id: int
    min: int
    max: int
    informants: int


class RolePoint(BaseModel):
    round_id: int
    scores: list[int] = Field(description="Each informant of the role, never averaged")
    cannot_assess: int = Field(description="How many of them could not assess it")


class RoleSeries(BaseModel):
    role: InformantRole
    points: list[RolePoint]


class FactorProgress(BaseModel):
    factor_key: str = Field(description="The factor's key in the newest round's form")
    position: int
    name_da: str
    name_en: str
    official: list[OfficialPoint]
    spread: list[SpreadPoint]
    roles: list[RoleSeries] = Field(
        description="Each role's own series: the child's and each parent's always apart"
    )


class CaseProgress(BaseModel):
    case_id: int
    snapshot: bool = Field(
        description="Fewer than two completed rounds: a snapshot, not progress (shown as such)"
    )
    rounds: list[ProgressRound]
    factors: list[FactorProgress]
    other_rounds: list[int] = Field(
        description="Completed rounds outside the series: on a form not comparable with it"
    )
