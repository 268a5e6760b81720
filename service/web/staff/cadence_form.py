"""The administrator's form for the cadence standard (opfølgningsstandard): its rules as rows
to edit, read back as typed, and each field's error, so that nothing typed is lost when a
value is refused."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import ValidationError

from service.models.case import MeasureCategory, MeasureType
from service.rendering.language import Translator
from service.schemas.cadence import (
    CadenceRuleBody,
    CadenceStandardPublic,
    IntervalBody,
    IntervalPublic,
)

#: The units an interval is counted in, and the most of each a rule may give (as the API's
#: `IntervalBody` allows: a test holds the two together).
UNIT_MAX = {"weeks": 104, "months": 24}
#: Empty rows under the standard's own, for new rules.
BLANK_ROWS = 2
#: However many rows a posted form says it has.
MAX_ROWS = 60


@dataclass
class IntervalField:
    """An interval as typed: a number and its unit."""

    number: str = ""
    unit: str = "weeks"

    @classmethod
    def of(cls, interval: IntervalPublic | None) -> IntervalField:
        if interval is None:
            return cls()
        if interval.months:
            return cls(str(interval.months), "months")
        return cls(str(interval.weeks or ""), "weeks")

    @property
    def empty(self) -> bool:
        return not self.number.strip()


@dataclass
class RuleRow:
    """One rule of the form, as shown and as posted back."""

    index: int
    category: str = ""
    measure_type: str = ""
    intensive: bool = False
    first: IntervalField = field(default_factory=IntervalField)
    every: IntervalField = field(default_factory=IntervalField)
    later: IntervalField = field(default_factory=IntervalField)
    remove: bool = False
    is_new: bool = False

    @property
    def blank(self) -> bool:
        """A new row left as it was offered: no rule."""
        return (
            self.is_new
            and not (self.category or self.measure_type or self.intensive)
            and self.first.empty
            and self.every.empty
            and self.later.empty
        )


@dataclass
class ReadForm:
    """What was posted: the name, the rows, and the errors by field id."""

    name: str
    rows: list[RuleRow]
    rules: list[CadenceRuleBody] = field(default_factory=list)
    #: The row each of `rules` came from, to point a refusal of the n-th rule to its row.
    rows_of_rules: list[int] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


def rows_of(standard: CadenceStandardPublic) -> list[RuleRow]:
    """The standard's rules as rows, and blank rows for new ones."""
    rows = [
        RuleRow(
            index=n,
            category=r.category.value if r.category else "",
            measure_type=r.measure_type.value if r.measure_type else "",
            intensive=r.intensive,
            first=IntervalField.of(r.first),
            every=IntervalField.of(r.every),
            later=IntervalField.of(r.after_first_year),
        )
        for n, r in enumerate(standard.rules)
    ]
    start = len(rows)
    return rows + [RuleRow(index=start + n, is_new=True) for n in range(BLANK_ROWS)]


def field_id(row: int, part: str) -> str:
    return f"rule-{row}-{part}"


def _interval(data: Mapping[str, str], row: int, part: str) -> IntervalField:
    unit = data.get(field_id(row, f"{part}-unit"), "weeks")
    return IntervalField(
        data.get(field_id(row, part), "")[:8], unit if unit in UNIT_MAX else "weeks"
    )


def _count(text: str) -> int:
    try:
        return max(0, min(MAX_ROWS, int(text)))
    except ValueError:
        return 0


def read(data: Mapping[str, str], t: Translator) -> ReadForm:
    """The posted form: its rows as typed, and the rules of the rows that are neither blank
    nor removed, or each field's error."""
    rows = [
        RuleRow(
            index=n,
            category=data.get(field_id(n, "category"), "")[:40],
            measure_type=data.get(field_id(n, "type"), "")[:40],
            intensive=field_id(n, "intensive") in data,
            first=_interval(data, n, "first"),
            every=_interval(data, n, "every"),
            later=_interval(data, n, "later"),
            remove=field_id(n, "remove") in data,
            is_new=field_id(n, "new") in data,
        )
        for n in range(_count(data.get("rows", "0")))
    ]
    form = ReadForm(name=data.get("name", "").strip()[:120], rows=rows)
    if not form.name:
        form.errors["cadence-name"] = t("cadence.edit_error.name")
    for row in rows:
        if row.remove or row.blank:
            continue
        rule = _rule(row, form.errors, t)
        if rule is not None:
            form.rules.append(rule)
            form.rows_of_rules.append(row.index)
    return form


def _interval_body(
    row: RuleRow, part: str, typed: IntervalField, errors: dict[str, str], t: Translator
) -> IntervalBody | None:
    key = field_id(row.index, part)
    high = UNIT_MAX[typed.unit]
    try:
        return IntervalBody.model_validate({typed.unit: int(typed.number.strip())})
    except (ValueError, ValidationError):
        errors[key] = t(f"cadence.edit_error.{typed.unit}", high=high)
        return None


def _rule(row: RuleRow, errors: dict[str, str], t: Translator) -> CadenceRuleBody | None:
    before = len(errors)
    category = row.category or None
    measure_type = row.measure_type or None
    if category is not None and category not in {c.value for c in MeasureCategory}:
        errors[field_id(row.index, "category")] = t("cadence.edit_error.choice")
    if measure_type is not None and measure_type not in {m.value for m in MeasureType}:
        errors[field_id(row.index, "type")] = t("cadence.edit_error.choice")
    first = _interval_body(row, "first", row.first, errors, t)
    every = _interval_body(row, "every", row.every, errors, t)
    later = None if row.later.empty else _interval_body(row, "later", row.later, errors, t)
    if len(errors) > before or first is None or every is None:
        return None
    return CadenceRuleBody(
        category=MeasureCategory(category) if category else None,
        measure_type=MeasureType(measure_type) if measure_type else None,
        intensive=row.intensive,
        first=first,
        every=every,
        after_first_year=later,
    )


def refused_repeats(form: ReadForm, errors: list[dict[str, object]], t: Translator) -> None:
    """Point the use case's refusal of a repeated rule (its position among the rules) to the
    row it was typed in."""
    for error in errors:
        loc = error.get("loc")
        if isinstance(loc, list) and len(loc) == 3 and isinstance(loc[2], int):
            row = form.rows_of_rules[loc[2]]
            form.errors[field_id(row, "category")] = t("cadence.edit_error.repeated")


def error_items(form: ReadForm) -> list[tuple[str | None, str]]:
    """The error summary's items, in the order of the fields on the page."""
    return [(f"#{key}", text) for key, text in form.errors.items()]
