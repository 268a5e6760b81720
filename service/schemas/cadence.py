"""Written cadence standards, deviations from them, and providers' requests for a follow-up."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, Field, StringConstraints, model_validator

from service.models.cadence import DeviationState, FollowUpRequestState
from service.models.case import MeasureCategory, MeasureType
from service.schemas.common import VISIBLE, Day, Lax, LongName, Name, NotNull, RequestBody
from service.workflow.cadence_standards import DeviationKind, DeviationReason, shipped

Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]
Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=254)]
Given = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000, pattern=VISIBLE)
]


class ShippedKey(StrEnum):
    """The shipped standards (`workflow/cadence_standards.json`), by key."""

    HADERSLEV = "haderslev"
    HERNING = "herning"
    HVIDOVRE = "hvidovre"


assert {k.value for k in ShippedKey} == {s.key for s in shipped()}


class IntervalBody(RequestBody):
    """Some months or some weeks: one of the two."""

    months: Annotated[int, Field(ge=1, le=24)] | NotNull = None
    weeks: Annotated[int, Field(ge=1, le=104)] | NotNull = None

    schema_rules: ClassVar[dict[str, Any]] = {
        "oneOf": [{"required": ["months"]}, {"required": ["weeks"]}]
    }

    @model_validator(mode="after")
    def _one(self) -> IntervalBody:
        if (self.months is None) == (self.weeks is None):
            raise ValueError("give months or weeks, one of them")
        return self


class IntervalPublic(BaseModel):
    months: int | None = None
    weeks: int | None = None


class CadenceRuleBody(RequestBody):
    """The follow-ups of one kind of measure: `first` after the measure's start, then
    `every`; from the first anniversary of the start on, `after_first_year` if given."""

    category: Annotated[MeasureCategory, Lax] | None = Field(
        default=None, description="The measure's category in barnets lov; null: any"
    )
    measure_type: Annotated[MeasureType, Lax] | None = Field(
        default=None, description="The kind of measure; null: any"
    )
    intensive: bool = Field(default=False, description="For intensive measures only")
    first: IntervalBody
    every: IntervalBody
    after_first_year: IntervalBody | None = None


class CadenceRulePublic(BaseModel):
    category: MeasureCategory | None
    measure_type: MeasureType | None
    intensive: bool
    first: IntervalPublic
    every: IntervalPublic
    after_first_year: IntervalPublic | None


class CadenceStandardAdopt(RequestBody):
    """Adopt a shipped standard: it is copied into the municipality, replacing its own."""

    based_on: Annotated[ShippedKey, Lax]


class CadenceStandardUpdate(RequestBody):
    name: Name | NotNull = None
    rules: list[CadenceRuleBody] | NotNull = Field(default=None, max_length=40)


class CadenceStandardPublic(BaseModel):
    name: str
    based_on: str | None
    adopted_at: datetime | None
    updated_at: datetime | None
    rules: list[CadenceRulePublic]


class ShippedStandardsPublic(BaseModel):
    items: list[CadenceStandardPublic]


class DeviationCreate(RequestBody):
    """Plan the case's next follow-up on another date than the standard's, and say why."""

    planned_on: Day
    reason_code: Annotated[DeviationReason, Lax]
    reason: Reason = ""


class DeviationDecision(RequestBody):
    approve: bool
    note: Reason = ""


class DeviationPublic(BaseModel):
    id: int
    case_id: int
    round_id: int
    kind: DeviationKind = Field(description="fewer: later than the standard; more: earlier")
    reason_code: DeviationReason
    reason: str
    standard_due_on: date
    planned_on: date
    state: DeviationState
    requested_by_id: int | None
    requested_at: datetime
    decided_by_id: int | None
    decided_at: datetime | None
    decision_note: str


class DeviationsPublic(BaseModel):
    items: list[DeviationPublic]


class FollowUpRequestCreate(RequestBody):
    """A provider's request for a follow-up round, recorded by staff on its behalf."""

    provider_name: LongName
    provider_email: Email | None = None
    reason: Given


class FollowUpRequestAnswer(RequestBody):
    """Accept (and plan the round on `planned_on`) or decline, with a reason."""

    accept: bool
    planned_on: Day | None = Field(default=None, description="Required when accepting")
    reason: Reason = ""

    #: Stated in the document too: a date to accept, a reason to decline.
    schema_rules: ClassVar[dict[str, Any]] = {
        "allOf": [
            {
                "if": {"properties": {"accept": {"const": True}}, "required": ["accept"]},
                "then": {
                    "required": ["planned_on"],
                    "properties": {"planned_on": {"type": "string"}},
                },
            },
            {
                "if": {"properties": {"accept": {"const": False}}, "required": ["accept"]},
                "then": {
                    "required": ["reason"],
                    "properties": {"reason": {"type": "string", "pattern": VISIBLE}},
                },
            },
        ]
    }

    @model_validator(mode="after")
    def _planned(self) -> FollowUpRequestAnswer:
        if self.accept and self.planned_on is None:
            raise ValueError("planned_on is required when accepting")
        if not self.accept and not self.reason:
            raise ValueError("a reason is required when declining")
        return self


class FollowUpRequestPublic(BaseModel):
    id: int
    case_id: int
    provider_name: str
    informant_id: int | None
    reason: str
    state: FollowUpRequestState
    requested_at: datetime
    answered_by_id: int | None
    answered_at: datetime | None
    answer_reason: str
    planned_on: date | None


class FollowUpRequestsPublic(BaseModel):
    items: list[FollowUpRequestPublic]


class CadenceKindQuality(BaseModel):
    """Days between follow-ups against the standard, for one kind of measure."""

    category: MeasureCategory | None
    measure_type: MeasureType
    gaps: int | None = Field(description="Pairs of follow-ups counted; null: too few to show")
    mean_days: float | None
    mean_standard_days: float | None
    within_share: float | None = Field(description="Share of gaps within the standard")


class CadenceCaseGap(BaseModel):
    """A case's latest days between follow-ups, and the days its standard allowed."""

    case_id: int
    display_name: str
    external_ref: str
    category: MeasureCategory | None
    measure_type: MeasureType
    completed_on: date
    days: int
    standard_days: int


class CadenceQuality(BaseModel):
    standard: str = Field(description="The adopted standard's name")
    kinds: list[CadenceKindQuality]
    cases: list[CadenceCaseGap] = Field(description="Cases whose latest gap exceeded the standard")
