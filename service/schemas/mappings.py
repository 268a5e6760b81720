"""Schemas for instrument mappings: how a round on one instrument is measured against an
earlier round on another."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, Field, model_validator

from service.schemas.common import Key, Lax, LongName, Page, RequestBody
from service.workflow.comparison import Combine


class FactorLinkSpec(RequestBody):
    """A factor of the later instrument and the earlier instrument's factors it comes from:
    one (`same`), or several by a stated rule (`worst`: the most severe of them). Only a
    factor that continues one earlier factor is measured against its status and goal; one
    split out of an earlier factor, or combined from several, starts a new baseline."""

    key: Key = Field(description="The factor of the later instrument (`to_key`)")
    sources: list[Key] = Field(
        min_length=1,
        max_length=10,
        description="Factors of the earlier instrument (`from_key`)",
        json_schema_extra={"uniqueItems": True},
    )
    combine: Annotated[Combine, Lax] = Combine.SAME

    #: Stated in the document too: `same` takes one source factor.
    schema_rules: ClassVar[dict[str, Any]] = {
        "if": {"properties": {"combine": {"const": Combine.SAME.value}}},
        "then": {"properties": {"sources": {"maxItems": 1}}},
    }

    @model_validator(mode="after")
    def _check(self) -> FactorLinkSpec:
        if len(set(self.sources)) != len(self.sources):
            raise ValueError("each source factor at most once")
        if self.combine is Combine.SAME and len(self.sources) != 1:
            raise ValueError("several source factors are combined by a rule: combine 'worst'")
        return self


class MappingCreate(RequestBody):
    """A mapping from the instrument family `from_key` to `to_key`. Their scales must have the
    same number of points (paired one to one from the best end); the factors they share are
    matched by key; `factors` states the others."""

    from_key: Key
    to_key: Key
    name_da: LongName
    name_en: LongName
    factors: list[FactorLinkSpec] = Field(default_factory=list, max_length=40)

    @model_validator(mode="after")
    def _check(self) -> MappingCreate:
        if self.from_key == self.to_key:
            raise ValueError("versions of one instrument are compared by factor key already")
        keys = [f.key for f in self.factors]
        if len(set(keys)) != len(keys):
            raise ValueError("each factor of the later instrument at most once")
        return self


class MappingPublic(BaseModel):
    id: int
    from_key: str
    to_key: str
    name_da: str
    name_en: str
    catalogue: bool = Field(description="Shipped with the catalogue (not the municipality's own)")
    factors: list[FactorLinkSpec] = Field(description="The stated links")
    shared_factors: list[str] = Field(
        description="Factors of the newest published versions that both have, matched by key"
    )
    created_at: datetime


class MappingsPublic(Page[MappingPublic]):
    pass
