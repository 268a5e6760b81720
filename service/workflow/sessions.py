"""Short session forms (samtaleskemaer): the young person's few answers before or after each
session with the provider, and what a series of them shows. No HTTP, no SQL.

The service ships two forms in its own words, four items each on a 0-10 line where 10 is
best: how things are going (the outcome form) and how the session went (the alliance form).
A session is a point in the child's series; no consensus round is held for it.

A municipality with a licence for a named pair of forms loads it as its own version: its
items and line (e.g. 1-5) replace the shipped ones for links made after it. A series may then
hold both; each answer is scored on its own line, and the series puts every score on the
shipped 0-10 line, so that points, trends and the meeting's summary compare.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class SessionForm(StrEnum):
    OUTCOME = "outcome"  # hvordan går det: myself, family, school/daily life, overall
    ALLIANCE = "alliance"  # hvordan var samtalen: heard, what I wanted, the way, overall


class SessionTiming(StrEnum):
    BEFORE = "before"  # før samtalen
    AFTER = "after"  # efter samtalen


class LinkHolder(StrEnum):
    """Who a standing link is handed to: the young person answers through it; the provider
    reads the series of the measure it delivers."""

    YOUNG_PERSON = "young_person"
    PROVIDER = "provider"


#: The line's ends; 10 is best on both forms.
LOWEST, HIGHEST = 0, 10

#: The items of each form, in the order asked; their words are in the message catalogues.
ITEMS: dict[SessionForm, tuple[str, ...]] = {
    SessionForm.OUTCOME: ("myself", "family", "daily_life", "overall"),
    SessionForm.ALLIANCE: ("heard", "wanted", "way", "overall"),
}

#: At most this many items on a form: it is answered on a phone in under a minute.
MOST_ITEMS = 10


@dataclass(frozen=True, slots=True)
class FormDefinition:
    """What an answer to a form is checked against: its items in order and its line."""

    items: tuple[str, ...]
    lowest: int = LOWEST
    highest: int = HIGHEST


#: A pair: the outcome form and the alliance form.
FormPair = dict[SessionForm, FormDefinition]

#: The service's own pair, in the service's own words.
SHIPPED: FormPair = {form: FormDefinition(items) for form, items in ITEMS.items()}


class DefinitionError(ValueError):
    """A pair a municipality loads does not make a form that can be answered."""


def check_definition(definition: FormDefinition) -> FormDefinition:
    """Items named once each, one to `MOST_ITEMS` of them, and a line with two ends at least,
    within the shipped line (so that every point fits a phone's width)."""
    if not 1 <= len(definition.items) <= MOST_ITEMS:
        raise DefinitionError(f"A form has 1 to {MOST_ITEMS} items, not {len(definition.items)}.")
    seen: set[str] = set()
    for item in definition.items:
        if item in seen:
            raise DefinitionError(f"The item {item!r} is named twice on one form.")
        seen.add(item)
    if not LOWEST <= definition.lowest < definition.highest <= HIGHEST:
        raise DefinitionError(
            f"A line runs from {LOWEST} or above to {HIGHEST} or below, its bottom below its "
            f"top; not {definition.lowest}-{definition.highest}."
        )
    return definition


def on_shipped_line(score: float, lowest: int, highest: int) -> float:
    """A score on a form's own line, put on the shipped 0-10 line, to one decimal."""
    if (lowest, highest) == (LOWEST, HIGHEST):
        return score
    return round(LOWEST + (score - lowest) * (HIGHEST - LOWEST) / (highest - lowest), 1)


#: When each form is usually filled in: how things are going before, the session after.
USUAL_TIMING: dict[SessionForm, SessionTiming] = {
    SessionForm.OUTCOME: SessionTiming.BEFORE,
    SessionForm.ALLIANCE: SessionTiming.AFTER,
}

#: A change of the mean smaller than this, between the first and last session, is "steady".
STEADY = 1.0


class AnswerError(ValueError):
    """The answers do not fit the form; `item` names the first one at fault (None: the form)."""

    def __init__(self, message: str, item: str | None = None) -> None:
        super().__init__(message)
        self.item = item


def check_answers(
    form: SessionForm, answers: dict[str, int], pair: FormPair = SHIPPED
) -> dict[str, int]:
    """Every item of the form answered once, on its line; the answers in the form's order.
    `pair` is the version of the forms the link was made with (the shipped one by default)."""
    definition = pair[form]
    items, lowest, highest = definition.items, definition.lowest, definition.highest
    unknown = sorted(set(answers) - set(items))
    if unknown:
        raise AnswerError(f"The {form.value} form has no item {unknown[0]!r}.", unknown[0])
    for item in items:
        if item not in answers:
            raise AnswerError(f"Answer {item!r} on the {form.value} form.", item)
        value = answers[item]
        if isinstance(value, bool) or not isinstance(value, int):
            raise AnswerError(f"{item!r} is a whole number from {lowest} to {highest}.", item)
        if not lowest <= value <= highest:
            raise AnswerError(f"{item!r} is from {lowest} to {highest}, not {value}.", item)
    return {item: answers[item] for item in items}


def mean(answers: dict[str, int]) -> float:
    """The form's score: the mean of its items, to one decimal."""
    return round(sum(answers.values()) / len(answers), 1) if answers else 0.0


@dataclass(frozen=True, slots=True)
class Answered:
    """One recorded use of a form, on the line of the version it was answered on."""

    on: date
    form: SessionForm
    timing: SessionTiming
    answers: dict[str, int]
    lowest: int = LOWEST
    highest: int = HIGHEST


@dataclass(frozen=True, slots=True)
class SessionPoint:
    """One session day in the series: each form's score that day on the shipped 0-10 line
    (None: not answered)."""

    on: date
    outcome: float | None
    alliance: float | None


def series(used: Iterable[Answered]) -> list[SessionPoint]:
    """One point per session day, oldest first. A form answered twice on one day (a second
    session, or answered again) counts with its latest answer."""
    days: dict[date, dict[SessionForm, float]] = {}
    for entry in used:
        days.setdefault(entry.on, {})[entry.form] = on_shipped_line(
            mean(entry.answers), entry.lowest, entry.highest
        )
    return [
        SessionPoint(on, forms.get(SessionForm.OUTCOME), forms.get(SessionForm.ALLIANCE))
        for on, forms in sorted(days.items())
    ]


class Trend(StrEnum):
    UP = "up"
    STEADY = "steady"
    DOWN = "down"
    TOO_FEW = "too_few"  # fewer than two measurements: no progress is shown from one


def trend(values: Sequence[float | None]) -> Trend:
    """From the first to the last score given: up, down, or steady within `STEADY`."""
    given = [v for v in values if v is not None]
    if len(given) < 2:
        return Trend.TOO_FEW
    change = given[-1] - given[0]
    if change >= STEADY:
        return Trend.UP
    if change <= -STEADY:
        return Trend.DOWN
    return Trend.STEADY


@dataclass(frozen=True, slots=True)
class SeriesSummary:
    """What the meeting page says of the sessions since the last round."""

    sessions: int
    outcome_first: float | None
    outcome_last: float | None
    outcome_trend: Trend
    alliance_last: float | None
    alliance_trend: Trend


def summary(points: Sequence[SessionPoint]) -> SeriesSummary:
    outcomes = [p.outcome for p in points if p.outcome is not None]
    alliances = [p.alliance for p in points if p.alliance is not None]
    return SeriesSummary(
        sessions=len(points),
        outcome_first=outcomes[0] if outcomes else None,
        outcome_last=outcomes[-1] if outcomes else None,
        outcome_trend=trend(outcomes),
        alliance_last=alliances[-1] if alliances else None,
        alliance_trend=trend(alliances),
    )
