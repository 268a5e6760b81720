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
    factor_key: str = Field(
        description="The factor's key in that round's form: an earlier factor where the "
        "newest one was split out of it after a change of form (familieforhold before "
        "relation_far)"
    )
    factor_name_da: str = Field(description="The factor's name in that round's form")
    factor_name_en: str
    score: int | None = Field(description="On that round's scale, as it was scored")
    goal: int | None = Field(description="On that round's scale, as it was set")
    score_on_newest_scale: int | None = Field(
        description="The score as the point of the same rank on the newest round's scale "
        "(3 on 0-4 is 4 on 1-5); the same as `score` where the scales agree"
    )
    goal_on_newest_scale: int | None
    not_assessed: bool
    outcome: Outcome | None
    no_outcome: NoOutcome | None


class SpreadPoint(BaseModel):
    """The professionals' (and the provider's) own scores of one round."""

    round_id: int
    min: int = Field(description="On that round's scale")
    max: int
    min_on_newest_scale: int = Field(description="On the newest round's scale")
    max_on_newest_scale: int
    informants: int


class RolePoint(BaseModel):
    round_id: int
    scores: list[int] = Field(
        description="Each informant of the role, never averaged, on that round's scale"
    )
    scores_on_newest_scale: list[int] = Field(description="The same, on the newest round's scale")
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
