"""Written cadence standards (opfølgningsstandarder): per kind of measure, when the first
follow-up is due after the measure starts, how often after that, and how often once the
measure has run a year (Herning: a placement every 6 weeks in its first year, a foster-family
placement every 3 months after it).

A standard's calendar is anchored on the measure's start, not on the rounds: a late round
does not push the later ones, and the dates that passed while it was late are skipped. Fewer
follow-ups than the standard (a later date) is a deviation a team leader approves; more (an
earlier date) is the caseworker's own call. Nothing here knows of HTTP or SQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

from dateutil.relativedelta import relativedelta

from service.workflow.cadence import Interval

#: However long a measure has run, its calendar is searched this far and no further.
_HORIZON_YEARS = 30


class DeviationKind(StrEnum):
    """Which way a planned follow-up departs from the standard."""

    FEWER = "fewer"  # later than the standard: færre opfølgninger, a leader approves
    MORE = "more"  # earlier than the standard: the caseworker's own call


class DeviationReason(StrEnum):
    """Why a case departs from the standard (fagligt begrundede afvigelser)."""

    LONG_TERM_FOSTER_CARE = "long_term_foster_care"  # langvarig anbringelse, et normalt hverdagsliv
    STABLE_PROGRESS = "stable_progress"  # stabil udvikling, ingen nye problemstillinger
    FAMILY_WISH = "family_wish"  # barnets eller familiens ønske
    OTHER_MEETINGS = "other_meetings"  # fulgt op i andre møder (skole, PPR, netværk)
    ACUTE_CONCERN = "acute_concern"  # skærpet bekymring, der kræver tættere opfølgning
    CHANGE_IN_MEASURE = "change_in_measure"  # indsatsen ændres eller skal justeres
    PROVIDER_REQUEST = "provider_request"  # leverandøren har bedt om en opfølgning
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Standard:
    """One kind of measure's standard: the first follow-up `first` after the start, then
    every `every`; from the first anniversary of the start on, every `after_first_year`
    (None: `every` goes on)."""

    first: Interval
    every: Interval
    after_first_year: Interval | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    """A standard and the measures it is for: a category of barnets lov and a kind of measure
    (None: any), and whether it is for intensive measures only (Hvidovre's intensive
    preventive measures)."""

    standard: Standard
    category: str | None = None
    measure_type: str | None = None
    intensive: bool = False

    def fits(self, category: str | None, measure_type: str, intensive: bool) -> bool:
        return (
            (self.category is None or self.category == category)
            and (self.measure_type is None or self.measure_type == measure_type)
            and (not self.intensive or intensive)
        )

    @property
    def precision(self) -> int:
        """How closely it names its measures: the closest fitting rule is the one followed."""
        return (self.category is not None) + (self.measure_type is not None) + int(self.intensive)


def rule_for(
    rules: Iterable[Rule], category: str | None, measure_type: str, intensive: bool
) -> Rule | None:
    """The rule a measure follows: the most precise one that fits, the first of equals."""
    fitting = [r for r in rules if r.fits(category, measure_type, intensive)]
    return max(fitting, key=lambda r: r.precision, default=None)


def repeated_rules(rules: Sequence[Rule]) -> list[int]:
    """The positions of rules that name the same measures as an earlier one: the earlier
    always wins (`rule_for`), so a repeated rule would never be followed."""
    seen: set[tuple[str | None, str | None, bool]] = set()
    repeated = []
    for position, rule in enumerate(rules):
        measures = (rule.category, rule.measure_type, rule.intensive)
        if measures in seen:
            repeated.append(position)
        seen.add(measures)
    return repeated


def calendar(start: date, standard: Standard) -> Iterator[date]:
    """The follow-up dates of a measure that started on `start`, in order, without end."""
    anniversary = start + relativedelta(years=1)
    anchor, interval = standard.first.after(start), standard.every
    yield anchor
    times = 1
    while True:
        day = interval.after(anchor, times)
        if (
            standard.after_first_year is not None
            and interval is standard.every
            and day >= anniversary
        ):
            # The first year is over: the last date in it is the new rhythm's anchor.
            anchor = interval.after(anchor, times - 1)
            interval, times = standard.after_first_year, 1
            day = interval.after(anchor)
        yield day
        times += 1


def dates_after(
    start: date, standard: Standard, after: date, through: date | None = None
) -> list[date]:
    """The standard's dates after `after`, up to and including the first one after `through`
    (the day the round was completed): the last is when the next follow-up is due, the others
    passed while the round was late and were skipped. Without `through`, only the next."""
    through = after if through is None or through < after else through
    horizon = through + relativedelta(years=_HORIZON_YEARS)
    found: list[date] = []
    for day in calendar(start, standard):
        if day > horizon:
            break
        if day <= after:
            continue
        found.append(day)
        if day > through:
            return found
    return found


def next_due(start: date, standard: Standard, after: date) -> date:
    """The first follow-up date of the standard after `after`."""
    return dates_after(start, standard, after)[-1]


def deviation(standard_due: date, planned: date) -> DeviationKind | None:
    """A planned follow-up later than the standard's date is fewer follow-ups, an earlier
    one more; on the date, none."""
    if planned > standard_due:
        return DeviationKind.FEWER
    if planned < standard_due:
        return DeviationKind.MORE
    return None


def needs_approval(kind: DeviationKind | None) -> bool:
    """Fewer follow-ups than the standard are decided with a team leader (004, l. 2461-2463);
    more are the caseworker's own call."""
    return kind is DeviationKind.FEWER


@dataclass(frozen=True, slots=True)
class Shipped:
    """A municipality's written standard as the service ships it, to adopt and edit."""

    key: str
    name: str
    rules: tuple[Rule, ...]


def interval(data: dict[str, int] | None) -> Interval | None:
    """An interval from its data form, {"weeks": 6} or {"months": 3}."""
    if data is None:
        return None
    return Interval(months=data.get("months", 0), weeks=data.get("weeks", 0))


def rule_from(data: dict[str, Any]) -> Rule:
    first, every = interval(data["first"]), interval(data["every"])
    assert first is not None and every is not None
    return Rule(
        Standard(first, every, interval(data.get("after_first_year"))),
        category=data.get("category"),
        measure_type=data.get("measure_type"),
        intensive=bool(data.get("intensive", False)),
    )


@cache
def shipped() -> tuple[Shipped, ...]:
    """Haderslev's, Herning's and Hvidovre's standards (Table 5 of Socialstyrelsen's
    evaluation), with the old § 52 mapped to barnets lov's categories."""
    text = resources.files("service.workflow").joinpath("cadence_standards.json").read_text()
    return tuple(
        Shipped(s["key"], s["name"], tuple(rule_from(r) for r in s["rules"]))
        for s in json.loads(text)["standards"]
    )


def gap_against(start: date, standard: Standard, previous: date, current: date) -> tuple[int, int]:
    """Days between two follow-ups (`previous`, `current`), and the days the standard allowed:
    up to its first date after `previous` (key figure: days between follow-ups, `004` #14)."""
    return (current - previous).days, (next_due(start, standard, previous) - previous).days
