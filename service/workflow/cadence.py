"""When a case's next round is due (opfølgningskadence): from the date the round was planned
for, not the date it was completed, so that a late round does not push every later one.

The interval is the measure's own where one is set (real rhythms vary: every six weeks, every
three months), else the municipality's, else the procedure's (KL 1 and 3: every six months;
KL 2: every four). The first follow-up after intake has its own interval (Århus: three
months).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from service.workflow.procedures import Procedure

#: Months between rounds after the first follow-up, by KL's tables.
PROCEDURE_INTERVAL_MONTHS: dict[Procedure, int] = {
    Procedure.KL1: 6,
    Procedure.KL2: 4,
    Procedure.KL3: 6,
}


@dataclass(frozen=True, slots=True)
class Interval:
    """Some months, or some weeks."""

    months: int = 0
    weeks: int = 0

    def __post_init__(self) -> None:
        if (self.months > 0) == (self.weeks > 0) or self.months < 0 or self.weeks < 0:
            raise ValueError("an interval is some months or some weeks")

    def after(self, day: date) -> date:
        return day + relativedelta(months=self.months, weeks=self.weeks)

    @property
    def days(self) -> float:
        """About how long it is, to find the shortest of several."""
        return self.months * 30.44 + self.weeks * 7


def shortest(intervals: Iterable[Interval]) -> Interval | None:
    """The most frequent rhythm of several measures: the one followed."""
    return min(intervals, key=lambda i: i.days, default=None)


def planned_for(previous_next_due: date | None, due: date) -> date:
    """The date a round was planned for: when the previous round said the next was due, or,
    for the first round, its own due date."""
    return previous_next_due if previous_next_due is not None else due


def next_due(planned: date, interval: Interval) -> date:
    """The next round is due one interval after the date this one was planned for."""
    return interval.after(planned)
