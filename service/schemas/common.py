"""Schema pieces shared by every concept: request bodies, ids, pagination and short text
types."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar

from annotated_types import Ge, Le
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

T = TypeVar("T")

#: Short single-line text, trimmed.
#: Something other than blanks: the document says so too (a blank name is not schema-valid).
#: The blanks are spelled out, since regex engines disagree on `\s` (Python's strip and
#: ECMAScript differ on U+001C-U+001F, U+0085 and U+FEFF): a client's validator, the fuzzer's
#: and ours read this the same way.
BLANKS = r"\x00\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
VISIBLE = f"[^{BLANKS}]"
#: One word with no blank in it (a username, an address).
UNBROKEN = f"^{VISIBLE}+$"
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120, pattern=VISIBLE)
]
LongName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=VISIBLE)
]
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


#: A field that may be left out but is never null (`field: X | NotNull = None`): the document
#: says so, and null is refused.
NotNull = Annotated[None, SkipJsonSchema(), AfterValidator(lambda _: _no_null())]


def _no_null() -> None:
    raise ValueError("may be left out, but not null")


def _integral(value: Any) -> Any:
    """`2.0` is the JSON number 2 (JSON Schema counts it an integer); `2.5`, `"2"` and `true`
    stay what they are, and are refused where a whole number is due."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_integral(item) for item in value]
    return value


def _allows_null(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "null" or any(
        option.get("type") == "null" for option in schema.get("anyOf", [])
    )


def _document(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """A field that may not be null has no default of null in the document; a model's rules
    across its fields (`schema_rules`) are stated there too."""
    for field in schema.get("properties", {}).values():
        if "default" in field and field["default"] is None and not _allows_null(field):
            del field["default"]
    schema.update(getattr(model, "schema_rules", {}))


class RequestBody(BaseModel):
    """A JSON request body, read strictly: a number is a number and a truth value is `true` or
    `false` (`"2"`, `true` for a score and `"yes"` are refused, not converted). Dates, times and
    choices come as JSON text, so those fields say so with `Day`, `Moment` and `Lax`."""

    model_config = ConfigDict(strict=True, json_schema_extra=_document)

    @model_validator(mode="before")
    @classmethod
    def _whole_numbers(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {key: _integral(_without_nul(value)) for key, value in data.items()}
        return data


def _without_nul(value: Any) -> Any:
    """Text without NUL characters: no database column can hold them (PostgreSQL refuses
    them outright), and no person types one; they are dropped wherever they are nested."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    if isinstance(value, dict):
        return {k: _without_nul(v) for k, v in value.items()}
    return value


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
