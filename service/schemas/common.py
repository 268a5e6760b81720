"""Schema pieces shared by every concept: request bodies, ids, pagination and short text
types."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar

from annotated_types import Ge, Le
from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
)

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

#: The largest id the database stores: ids are `integer` columns on PostgreSQL (4 bytes).
MAX_ID = 2**31 - 1

#: An id of a row, wherever it is given: in the path, the query or a body. Anything outside
#: what the database can hold is refused (422) before a query is built from it.
Id = Annotated[int, Ge(1), Le(MAX_ID)]


class RequestBody(BaseModel):
    """A JSON request body, read strictly: a number is a number and a truth value is `true` or
    `false` (`"2"`, `true` for a score and `"yes"` are refused, not converted). Dates, times and
    choices come as JSON text, so those fields say so with `Day`, `Moment` and `Lax`."""

    model_config = ConfigDict(strict=True)


#: For a choice (an enum) in a strict body: given as its text.
Lax = Strict(False)

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _day_text(value: Any) -> Any:
    if isinstance(value, str) and not _DAY.match(value):
        raise ValueError("a date is written YYYY-MM-DD")
    if not isinstance(value, str | date) or isinstance(value, datetime):
        raise ValueError("a date is written YYYY-MM-DD")
    return value


def _moment_text(value: Any) -> Any:
    if isinstance(value, str) and not _MOMENT.match(value):
        raise ValueError("a time is written as ISO 8601, YYYY-MM-DDTHH:MM:SS+HH:MM")
    if not isinstance(value, str | datetime):
        raise ValueError("a time is written as ISO 8601, YYYY-MM-DDTHH:MM:SS+HH:MM")
    return value


#: A calendar day as ISO 8601 text (`2026-12-01`), not a number of seconds.
Day = Annotated[date, Lax, BeforeValidator(_day_text)]
#: A moment with its offset as ISO 8601 text (`2026-12-01T10:00:00+01:00`).
Moment = Annotated[AwareDatetime, Lax, BeforeValidator(_moment_text)]


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
