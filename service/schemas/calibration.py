"""Calibration on vignettes: the vignette with its reference scores, the exercise, a person's
answer, and the results (the spread per factor, the reference and its rationale, the person's
own distance, and the group's agreement, never by name)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, Field, StringConstraints, model_validator

from service.schemas.common import (
    VISIBLE,
    Id,
    Key,
    LongName,
    Moment,
    Page,
    RequestBody,
    Text2000,
)

#: The vignette's text: a fictitious child's situation, as long as a case summary.
Story = Annotated[str, StringConstraints(min_length=1, max_length=8000, pattern=VISIBLE)]

#: Stated in the document too: a score, or "cannot assess", never both and never neither.
_EITHER: dict[str, Any] = {
    "if": {"properties": {"cannot_assess": {"const": True}}, "required": ["cannot_assess"]},
    "then": {"properties": {"score": {"type": "null"}}},
    "else": {"properties": {"score": {"type": "integer"}}, "required": ["score"]},
}


class _Scored(RequestBody):
    factor_key: Key
    score: int | None = Field(default=None, ge=-10, le=20)
    cannot_assess: bool = False

    schema_rules: ClassVar[dict[str, Any]] = _EITHER

    @model_validator(mode="after")
    def _either(self) -> Any:
        if self.cannot_assess and self.score is not None:
            raise ValueError("give a score or cannot_assess, not both")
        if not self.cannot_assess and self.score is None:
            raise ValueError("give a score, or cannot_assess")
        return self


class ReferenceEntry(_Scored):
    """The municipality's reference score of one factor, and why it is that."""

    rationale: Text2000 = ""


class CalibrationScoreEntry(_Scored):
    """One factor of a person's answer."""

    comment: Text2000 = ""


def _unique_factors(entries: list[Any]) -> None:
    keys = [e.factor_key for e in entries]
    if len(set(keys)) != len(keys):
        raise ValueError("each factor at most once")


class VignetteCreate(RequestBody):
    instrument_id: Id = Field(description="The published instrument version it is written for")
    title: LongName
    story: Story
    references: list[ReferenceEntry] = Field(max_length=60)

    @model_validator(mode="after")
    def _unique(self) -> VignetteCreate:
        _unique_factors(self.references)
        return self


class ReferencePublic(BaseModel):
    factor_key: str
    factor_name_da: str
    factor_name_en: str
    score: int | None
    cannot_assess: bool
    rationale: str


class VignettePublic(BaseModel):
    id: int
    instrument_id: int
    title: str
    story: str
    created_at: datetime
    references: list[ReferencePublic] = Field(
        description="Empty for a person who may not see them yet"
    )


VignettesPublic = Page[VignettePublic]


class ExerciseCreate(RequestBody):
    vignette_id: Id
    title: LongName
    closes_at: Moment = Field(description="Until then each scores alone; then results show")
    team_id: Id | None = Field(default=None, description="Invite the team's staff")
    staff_ids: list[Id] = Field(default_factory=list, max_length=200)


class ExercisePublic(BaseModel):
    id: int
    vignette_id: int
    instrument_id: int
    title: str
    team_id: int | None
    closes_at: datetime
    closed_at: datetime | None
    is_closed: bool
    invited: int
    submitted: int
    invited_me: bool = Field(description="The caller is invited to score it")
    submitted_by_me: bool


ExercisesPublic = Page[ExercisePublic]


class AnswerWrite(RequestBody):
    scores: list[CalibrationScoreEntry] = Field(max_length=60)

    @model_validator(mode="after")
    def _unique(self) -> AnswerWrite:
        _unique_factors(self.scores)
        return self


class AnswerPublic(BaseModel):
    exercise_id: int
    submitted_at: datetime | None
    scores: list[CalibrationScoreEntry]


class PointCount(BaseModel):
    score: int
    count: int


class CalibrationFactorResult(BaseModel):
    factor_key: str
    factor_name_da: str
    factor_name_en: str
    counts: list[PointCount] = Field(description="How many gave each point of the scale")
    cannot_assess: int
    r_wg: float | None = Field(description="Within-group agreement, 0-1; none below two scores")
    reference: ReferencePublic | None
    own_score: int | None = None
    own_cannot_assess: bool | None = None
    own_distance: int | None = Field(
        default=None, description="Scale points from the reference: shown to the person only"
    )


class ExerciseResults(BaseModel):
    exercise: ExercisePublic
    story: str
    submitted: int
    shown: bool = Field(
        description="False when too few answered for the group's figures to be shown"
    )
    alpha: float | None = Field(description="Krippendorff's alpha (ordinal) over the factors")
    factors: list[CalibrationFactorResult]


class AgreementPoint(BaseModel):
    """One closed exercise's agreement: are the staff scoring more alike over time?"""

    exercise_id: int
    title: str
    closed_at: datetime
    submitted: int
    alpha: float | None
    mean_r_wg: float | None


class AgreementOverTime(BaseModel):
    items: list[AgreementPoint]


class CalibrationDistance(BaseModel):
    """How far one person's score of one factor lay from the reference in one exercise."""

    exercise_id: int
    exercise_title: str
    closed_at: datetime
    factor_key: str
    factor_name_da: str
    factor_name_en: str
    own_score: int
    reference_score: int
    distance: int


class CalibrationDistances(BaseModel):
    items: list[CalibrationDistance]
