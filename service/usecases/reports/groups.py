"""What a report can be broken down by, as SQL: the measure's kind, its provider, the team,
the child's age band, the procedure, and the period (quarter, half-year, year) in which the
round completed."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Integer, cast, extract, literal
from sqlalchemy import case as sql_case
from sqlmodel import col

from service.models.case import Case, Measure
from service.models.round import ScoringRound
from service.models.round_measure import RoundMeasure
from service.workflow.breakdowns import GroupBy, PeriodLength, Viewer

# The words of the breakdowns live with the rules; they are named here too for the reports.
__all__ = [
    "AGE_BANDS",
    "THROUGH_MEASURES",
    "GroupBy",
    "PeriodLength",
    "Viewer",
    "group_key",
    "label_start",
    "period_label",
    "period_start",
]

#: Age bands: (upper bound exclusive, label).
AGE_BANDS = ((6, "0-5"), (13, "6-12"), (18, "13-17"), (200, "18+"))

#: Breakdowns that go through the measures a round evaluates: a round that evaluates two
#: measures counts once for each.
THROUGH_MEASURES = frozenset({GroupBy.MEASURE_CATEGORY, GroupBy.MEASURE_TYPE, GroupBy.PROVIDER})


def _year(column: Any) -> Any:
    return cast(extract("year", column), Integer)


def group_key(group_by: GroupBy, period: PeriodLength) -> Any:
    """The SQL expression a report groups by (a measure's columns need the joins of
    `THROUGH_MEASURES`)."""
    completed = col(ScoringRound.completed_at)
    if group_by is GroupBy.MEASURE_CATEGORY:
        return col(Measure.category)
    if group_by is GroupBy.MEASURE_TYPE:
        return col(Measure.type)
    if group_by is GroupBy.PROVIDER:
        return col(RoundMeasure.provider_id)
    if group_by is GroupBy.TEAM:
        return col(Case.team_id)
    if group_by is GroupBy.PROCEDURE:
        return col(ScoringRound.procedure)
    if group_by is GroupBy.AGE_BAND:
        age = _year(completed) - col(Case.birth_year)
        return sql_case(
            *[(age < bound, literal(n)) for n, (bound, _) in enumerate(AGE_BANDS)],
            else_=literal(len(AGE_BANDS) - 1),
        )
    if group_by is GroupBy.PERIOD:
        month = cast(extract("month", completed), Integer)
        part = {
            PeriodLength.QUARTER: (month + 2) // 3,
            PeriodLength.HALF_YEAR: (month + 5) // 6,
            PeriodLength.YEAR: literal(0),
        }[period]
        return _year(completed) * 10 + cast(part, Integer)
    return literal(0)


def period_start(key: int, period: PeriodLength) -> date:
    """The first day of the period a key names."""
    year, part = divmod(int(key), 10)
    if period is PeriodLength.YEAR:
        return date(year, 1, 1)
    months = 3 if period is PeriodLength.QUARTER else 6
    return date(year, 1 + (part - 1) * months, 1)


def label_start(label: str, period: PeriodLength) -> date:
    """The first day of the period a label names ("2026-Q3", "2026-H1", "2026")."""
    year, _, part = label.partition("-")
    return period_start(int(year) * 10 + (int(part[1:]) if part else 0), period)


def period_label(key: int, period: PeriodLength) -> str:
    year, part = divmod(int(key), 10)
    if period is PeriodLength.QUARTER:
        return f"{year}-Q{part}"
    if period is PeriodLength.HALF_YEAR:
        return f"{year}-H{part}"
    return str(year)
