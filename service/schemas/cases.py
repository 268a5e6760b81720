"""Schemas for cases (the child), measures and providers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, ClassVar

from annotated_types import Ge
from pydantic import AfterValidator, BaseModel, EmailStr, Field, StringConstraints, model_validator

from service.models.case import (
    CATEGORIES,
    CaseStatus,
    MeasureCategory,
    MeasureType,
    ProviderKind,
)
from service.schemas.common import VISIBLE, Day, Id, Lax, LongName, NotNull, Page, RequestBody

#: A case system's reference: ASCII letters and digits and `_.:/-`. The classes are spelled
#: out, since `\w` is any Unicode letter to the service's regex engine and ASCII alone to
#: JSON Schema's (ECMA-262).
ExternalRef = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:/\-]+$"
    ),
]
DisplayName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80, pattern=VISIBLE)
]

#: No child in the service's care was born before this year. That a birth lies behind the
#: service's today is the use case's to check, by the service's clock.
EARLIEST_BIRTH_YEAR = 1990


def _born_in_care(birth_date: date) -> date:
    if birth_date.year < EARLIEST_BIRTH_YEAR:
        raise ValueError(f"birth_date must be in {EARLIEST_BIRTH_YEAR} or later")
    return birth_date


#: The child's birth date (fødselsdato), in or after the earliest birth year.
BirthDate = Annotated[Day, AfterValidator(_born_in_care)]
#: The child's birth year, where the date is not known.
BirthYear = Annotated[int, Ge(EARLIEST_BIRTH_YEAR)]


def _check_birth(birth_date: date | None, birth_year: int | None) -> None:
    if birth_date is not None and birth_year is not None and birth_year != birth_date.year:
        raise ValueError("birth_year does not match birth_date")


class CaseCreate(RequestBody):
    """A child's case. Give a display name (a first name), never a CPR number."""

    external_ref: ExternalRef = Field(description="The case id in the case system (DUBU, Nexus)")
    display_name: DisplayName
    birth_date: BirthDate | None = None
    birth_year: BirthYear | None = Field(
        default=None, description="Required when birth_date is not given"
    )
    caseworker_id: Id | None = Field(
        default=None,
        description="The responsible caseworker; defaults to the caller if a caseworker",
    )

    #: Stated in the document too: the birth date or the birth year is given.
    schema_rules: ClassVar[dict[str, Any]] = {
        "anyOf": [
            {"required": ["birth_date"], "properties": {"birth_date": {"type": "string"}}},
            {"required": ["birth_year"], "properties": {"birth_year": {"type": "integer"}}},
        ]
    }

    @model_validator(mode="after")
    def _check(self) -> CaseCreate:
        if self.birth_date is None and self.birth_year is None:
            raise ValueError("give birth_date or birth_year")
        _check_birth(self.birth_date, self.birth_year)
        return self


class CaseUpsert(RequestBody):
    """The case as the case system knows it, keyed by its external reference."""

    display_name: DisplayName
    birth_date: BirthDate | None = None
    birth_year: BirthYear | None = None
    caseworker_id: Id
    status: Annotated[CaseStatus, Lax] = CaseStatus.ACTIVE

    #: Stated in the document too: the birth date or the birth year is given.
    schema_rules: ClassVar[dict[str, Any]] = {
        "anyOf": [
            {"required": ["birth_date"], "properties": {"birth_date": {"type": "string"}}},
            {"required": ["birth_year"], "properties": {"birth_year": {"type": "integer"}}},
        ]
    }

    @model_validator(mode="after")
    def _check(self) -> CaseUpsert:
        if self.birth_date is None and self.birth_year is None:
            raise ValueError("give birth_date or birth_year")
        _check_birth(self.birth_date, self.birth_year)
        return self


class CaseUpdate(RequestBody):
    display_name: DisplayName | NotNull = None
    birth_date: BirthDate | None = None
    birth_year: BirthYear | None = None
    caseworker_id: Id | NotNull = None
    status: Annotated[CaseStatus, Lax] | NotNull = None

    @model_validator(mode="after")
    def _check(self) -> CaseUpdate:
        _check_birth(self.birth_date, self.birth_year)
        return self


class CasePublic(BaseModel):
    id: int
    external_ref: str
    display_name: str
    birth_date: date | None
    birth_year: int
    caseworker_id: int
    team_id: int | None
    status: CaseStatus
    closed_at: datetime | None = None
    legal_hold: bool = False
    created_at: datetime
    updated_at: datetime


class LegalHold(RequestBody):
    """A legal hold keeps a case whatever retention says (a complaint, an inquiry, a court)."""

    hold: bool
    reason: str | None = Field(default=None, min_length=3, max_length=500)


class CasesPublic(Page[CasePublic]):
    pass


class ProviderCreate(RequestBody):
    name: LongName
    kind: Annotated[ProviderKind, Lax]
    email: EmailStr | None = None


class ProviderPublic(BaseModel):
    id: int
    name: str
    kind: ProviderKind
    email: str | None


class ProvidersPublic(Page[ProviderPublic]):
    pass


CATEGORY_HELP = (
    "Its kind in barnets lov: early_preventive (§ 30), supportive (§ 32, stk. 1), "
    "supportive_without_consent (§§ 37-41), placement_with_consent (§ 46) or "
    "placement_without_consent (§ 47)"
)


FOLLOW_UP_HELP = (
    "The measure's own rhythm of rounds (e.g. every 6 weeks, or every 3 months): months or "
    "weeks, not both; without it the municipality's cadence applies"
)
FollowUpMonths = Annotated[int, Field(ge=1, le=24)]
FollowUpWeeks = Annotated[int, Field(ge=1, le=104)]


def _category_rules() -> list[dict[str, Any]]:
    """Per kind of measure, the categories it can be given under (and whether it may be left
    out): the rule of `usecases.cases.measure_category`, stated in the document."""
    rules = []
    for kind, (allowed, default) in CATEGORIES.items():
        category: dict[str, Any] = {"enum": sorted(c.value for c in allowed)}
        then: dict[str, Any] = {"properties": {"category": category}}
        if default is None:
            then["required"] = ["category"]
        else:
            then["properties"]["category"] = {"anyOf": [category, {"type": "null"}]}
        rules.append(
            {
                "if": {"properties": {"type": {"const": kind.value}}, "required": ["type"]},
                "then": then,
            }
        )
    return rules


def _one_rhythm(months: int | None, weeks: int | None) -> None:
    if months is not None and weeks is not None:
        raise ValueError("give follow_up_months or follow_up_weeks, not both")


class MeasureCreate(RequestBody):
    """A measure; its category must be one its type can be given under (stated per type)."""

    type: Annotated[MeasureType, Lax]
    category: Annotated[MeasureCategory, Lax] | None = Field(
        default=None,
        description=CATEGORY_HELP + "; may be left out for preventive (§ 30), home-based "
        "support and contact person (§ 32), required for placements and other measures",
    )
    provider_id: Id | None = None
    description: Annotated[str, StringConstraints(max_length=1000)] = ""
    start_date: Day
    end_date: Day | None = None
    follow_up_months: FollowUpMonths | None = Field(default=None, description=FOLLOW_UP_HELP)
    follow_up_weeks: FollowUpWeeks | None = Field(default=None, description=FOLLOW_UP_HELP)
    intensive: bool = Field(
        default=False,
        description="An intensive measure (Hvidovre's intensive preventive measures): a "
        "cadence standard may follow it up more often",
    )

    #: Stated in the document too: months or weeks, not both.
    schema_rules: ClassVar[dict[str, Any]] = {
        "allOf": _category_rules(),
        "not": {
            "required": ["follow_up_months", "follow_up_weeks"],
            "properties": {
                "follow_up_months": {"type": "integer"},
                "follow_up_weeks": {"type": "integer"},
            },
        },
    }

    @model_validator(mode="after")
    def _check(self) -> MeasureCreate:
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError("end_date cannot be before start_date")
        _one_rhythm(self.follow_up_months, self.follow_up_weeks)
        return self


class MeasureUpdate(RequestBody):
    category: Annotated[MeasureCategory, Lax] | NotNull = Field(
        default=None, description=CATEGORY_HELP + "; one the measure's type can be given under"
    )
    provider_id: Id | None = None
    description: Annotated[str, StringConstraints(max_length=1000)] | None = None
    end_date: Day | None = None
    follow_up_months: FollowUpMonths | None = Field(
        default=None, description=FOLLOW_UP_HELP + "; setting one clears the other, null clears"
    )
    follow_up_weeks: FollowUpWeeks | None = Field(default=None, description=FOLLOW_UP_HELP)
    intensive: bool | NotNull = Field(default=None, description="An intensive measure")

    #: Stated in the document too: months or weeks, not both.
    schema_rules: ClassVar[dict[str, Any]] = {
        "not": {
            "required": ["follow_up_months", "follow_up_weeks"],
            "properties": {
                "follow_up_months": {"type": "integer"},
                "follow_up_weeks": {"type": "integer"},
            },
        }
    }

    @model_validator(mode="after")
    def _check(self) -> MeasureUpdate:
        _one_rhythm(self.follow_up_months, self.follow_up_weeks)
        return self


class MeasurePublic(BaseModel):
    id: int
    case_id: int
    type: MeasureType
    category: MeasureCategory | None = Field(description=CATEGORY_HELP)
    paragraph: str | None = Field(description="The provision of barnets lov, e.g. '§ 32, stk. 1'")
    provider_id: int | None
    description: str
    start_date: date
    end_date: date | None
    follow_up_months: int | None = Field(description=FOLLOW_UP_HELP)
    follow_up_weeks: int | None
    intensive: bool = Field(default=False, description="An intensive measure")


class MeasuresPublic(Page[MeasurePublic]):
    pass


class AuditEventPublic(BaseModel):
    id: int
    occurred_at: datetime
    actor_kind: str
    actor_id: str
    action: str
    object_type: str
    object_id: str
    case_id: int | None
    client_address: str | None
    detail: dict[str, object]


class AuditEventsPublic(Page[AuditEventPublic]):
    pass
