"""Which measures (foranstaltninger) a scoring round evaluates: those in force in its period.

A round's period runs from the case's previous completed round (the last status it measures
against) to the round's due date; a first round's period starts when it is opened. A measure
is in force in the period when the two overlap, so a measure that ended since the last round
is still credited with the change, and one starting before the scores are due counts too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date


def round_period(opened_on: date, due_on: date, previous_completed_on: date | None) -> Period:
    start = previous_completed_on if previous_completed_on is not None else opened_on
    return Period(min(start, due_on), due_on)


def in_force(start_date: date, end_date: date | None, period: Period) -> bool:
    return start_date <= period.end and (end_date is None or end_date >= period.start)
