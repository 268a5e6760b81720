"""Instrument schemas: the definition a municipality submits, and what the API returns."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, model_validator

from service.models.instrument import InstrumentStatus
from service.schemas.common import Key, Lax, LongName, Page, RequestBody, Text2000, Text4000
from service.workflow.roles import Audience
from service.workflow.scale import BestEnd, Scale


class ScaleLabel(RequestBody):
    value: int = Field(ge=-10, le=20)
    label_da: LongName
    label_en: LongName


class ScaleSpec(RequestBody):
    """The scale: its range and which end is best (no code assumes 0-4)."""

    min: int = Field(ge=-10, le=10)
    max: int = Field(ge=-10, le=20)
    best_end: Annotated[BestEnd, Lax]
    labels: list[ScaleLabel] = Field(default_factory=list, max_length=31)

    @model_validator(mode="after")
    def _check(self) -> ScaleSpec:
        if self.max <= self.min:
            raise ValueError("scale.max must be greater than scale.min")
        if self.max - self.min > 10:
            raise ValueError("a scale has at most 11 points")
        if self.labels and sorted(lab.value for lab in self.labels) != list(
            range(self.min, self.max + 1)
        ):
            raise ValueError("scale.labels must name every point of the scale exactly once")
        return self

    def to_scale(self) -> Scale:
        return Scale(self.min, self.max, self.best_end)


class GuidancePoint(RequestBody):
    """Guidance (vejledende bemærkning) for one point of the scale."""

    value: int = Field(ge=-10, le=20)
    text_da: Text2000 = Field(min_length=1)
    text_en: Text2000 = Field(min_length=1)


class AudienceWords(RequestBody):
    """A factor in the words of one audience (parents, a mother or father about themselves,
    the child): its name (the child's question), a line of help and, optionally, the text of
    every scale point."""

    name_da: LongName
    name_en: LongName
    description_da: Text2000 = ""
    description_en: Text2000 = ""
    guidance: list[GuidancePoint] = Field(default_factory=list, max_length=11)


class FactorSpec(RequestBody):
    key: Key
    name_da: LongName
    name_en: LongName
    description_da: Text2000 = ""
    description_en: Text2000 = ""
    guidance: list[GuidancePoint] = Field(min_length=2, max_length=11)
    audiences: dict[Annotated[Audience, Lax], AudienceWords] = Field(
        default_factory=dict,
        description="The factor in other readers' words; professionals read the fields above",
    )


class InstrumentDefinition(RequestBody):
    """A whole instrument version: what a municipality submits to create or replace a draft."""

    key: Key
    name_da: LongName
    name_en: LongName
    description_da: Text4000 = ""
    description_en: Text4000 = ""
    scale: ScaleSpec
    free_text_per_factor: bool = True
    factors: list[FactorSpec] = Field(min_length=1, max_length=40)

    @model_validator(mode="after")
    def _check(self) -> InstrumentDefinition:
        keys = [f.key for f in self.factors]
        if len(set(keys)) != len(keys):
            raise ValueError("factor keys must be unique within an instrument")
        points = list(range(self.scale.min, self.scale.max + 1))
        for factor in self.factors:
            if sorted(g.value for g in factor.guidance) != points:
                raise ValueError(
                    f"factor {factor.key!r} must have guidance for every scale point "
                    f"{self.scale.min}..{self.scale.max}, once each"
                )
            for audience, words in factor.audiences.items():
                if words.guidance and sorted(g.value for g in words.guidance) != points:
                    raise ValueError(
                        f"factor {factor.key!r}: the {audience.value} guidance must cover "
                        f"every scale point {self.scale.min}..{self.scale.max}, once each"
                    )
        return self


class InstrumentCreate(InstrumentDefinition):
    pass


class GuidancePublic(BaseModel):
    value: int
    text_da: str
    text_en: str


class FactorPublic(BaseModel):
    id: int
    key: str
    position: int
    name_da: str
    name_en: str
    description_da: str
    description_en: str
    guidance: list[GuidancePublic]
    audiences: dict[Annotated[Audience, Lax], AudienceWords] = Field(default_factory=dict)


class InstrumentSummary(BaseModel):
    id: int
    key: str
    version: int
    status: InstrumentStatus
    name_da: str
    name_en: str
    scale: ScaleSpec
    catalogue: bool = Field(description="Part of the shared catalogue (not the municipality's own)")
    in_use: bool = Field(description="The municipality has this instrument family in use")
    published_at: datetime | None


class InstrumentPublic(InstrumentSummary):
    description_da: str
    description_en: str
    free_text_per_factor: bool
    factors: list[FactorPublic]


class InstrumentForm(BaseModel):
    """The form an informant fills in: scale, factors and guidance for every point."""

    id: int
    key: str
    catalogue: bool = Field(
        description="One of the shipped forms, whose guidance is this service's own wording of "
        "the Århus factors (not the original forms; a municipality holding the licence for "
        "those loads them as its own instrument)"
    )
    version: int
    name_da: str
    name_en: str
    description_da: str
    description_en: str
    scale: ScaleSpec
    free_text_per_factor: bool
    factors: list[FactorPublic]


class InstrumentsPublic(Page[InstrumentSummary]):
    pass
