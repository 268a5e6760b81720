"""Schema pieces shared by every concept: pagination and short text types."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

T = TypeVar("T")

#: Short single-line text, trimmed.
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
LongName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text2000 = Annotated[str, StringConstraints(max_length=2000)]
Text4000 = Annotated[str, StringConstraints(max_length=4000)]
Key = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_\-]*$"
    ),
]

MAX_PAGE_SIZE = 200


class PageParams(BaseModel):
    limit: int = Field(default=50, ge=1, le=MAX_PAGE_SIZE)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class Page(BaseModel, Generic[T]):
    """One page of a list; `total` counts every item the caller may see."""

    model_config = ConfigDict(from_attributes=True)

    items: list[T]
    total: int
    limit: int
    offset: int
