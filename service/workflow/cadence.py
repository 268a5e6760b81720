"""When a case's next round is due (opfølgningskadence): on the rhythm from the date the round
was planned for, not the date it was completed, so that a late round does not push every later
one; the first date of the rhythm after the completion, so that it is never in the past, the
dates passed meanwhile being skipped.

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

    def after(self, day: date, times: int = 1) -> date:
        """`times` intervals on from `day`, counted from `day` itself so that month ends do not
        drift (31 January, 28 February, 31 March)."""
        return day + relativedelta(months=self.months * times, weeks=self.weeks * times)

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


def rhythm(planned: date, interval: Interval, completed: date | None = None) -> list[date]:
    """The dates on the rhythm after `planned`, up to and including the first one after
    `completed`: the last is when the next round is due, the others passed while this round
    was late and were skipped. Without `completed`, only the next date."""
    dates = [interval.after(planned)]
    while completed is not None and dates[-1] <= completed:
        dates.append(interval.after(planned, len(dates) + 1))
    return dates


def next_due(planned: date, interval: Interval, completed: date | None = None) -> date:
    """The next round is due on the first date of the rhythm (one interval on from the date
    this one was planned for, and so on) after the round was completed: never in the past."""
    return rhythm(planned, interval, completed)[-1]


def skipped(planned: date, interval: Interval, completed: date) -> list[date]:
    """The dates of the rhythm that passed while the round was late: no round was held then."""
    return rhythm(planned, interval, completed)[:-1]
