"""The child's form, one question a screen: for each factor how things are, then, if the child
answered with a point of the scale, how the child would like them to be next time (KL's tables:
"Barn/ung og forældre scorer og målfastsætter"); a last screen sends the answers.

Screens follow from the answers so far: a factor the child "does not know" has no goal
screen. The child counts areas, not screens ("Område 2 af 8"): a goal belongs to the area
it was asked about, so the count neither grows nor jumps as the child answers.

A score screen is never passed in silence: "Næste" with nothing chosen keeps the child on the
question, and "Det ved jeg ikke" is an answer the child picks on purpose."""

from __future__ import annotations

from dataclasses import dataclass

from service.schemas.instruments import FactorPublic, GuidancePublic, InstrumentForm
from service.web.forms import CANNOT_ASSESS, FieldError

SCORE, GOAL, SEND = "score", "goal", "send"

#: The adult form's refusals, as the child reads them.
CHILD_MESSAGE = {
    "error.score_required": "child.error_choose",
    "error.off_scale": "child.error_choose",
    "error.goal_worse": "child.error_goal_worse",
    "error.too_long": "child.error_too_long",
}


@dataclass(frozen=True, slots=True)
class Screen:
    ask: str  # score, goal or send
    factor: FactorPublic | None = None


def screens(instrument: InstrumentForm, values: dict[str, dict[str, str]]) -> list[Screen]:
    found = []
    for factor in instrument.factors:
        found.append(Screen(SCORE, factor))
        score = values.get(factor.key, {}).get("score", "")
        if score and score != CANNOT_ASSESS:
            found.append(Screen(GOAL, factor))
    found.append(Screen(SEND))
    return found


def area(instrument: InstrumentForm, screen: Screen) -> int:
    """The area a screen asks about, counted from 1; the goal shares its score's number."""
    keys = [f.key for f in instrument.factors]
    return keys.index(screen.factor.key) + 1 if screen.factor else len(keys)


def missing(
    found: list[Screen], values: dict[str, dict[str, str]]
) -> list[tuple[int, FactorPublic]]:
    """The areas the child has not answered yet ("Det ved jeg ikke" is an answer), each with
    the number of the screen that asks it (counted from 1, as the page's `q`)."""
    return [
        (index + 1, screen.factor)
        for index, screen in enumerate(found)
        if screen.ask == SCORE
        and screen.factor
        and not values.get(screen.factor.key, {}).get("score")
    ]


def unchosen(posted: dict[str, str]) -> tuple[str, FieldError] | None:
    """The refusal of "Næste" on a score screen where the child chose nothing (a radio group
    with nothing chosen is not posted at all), keyed by the factor asked."""
    key = posted.get("factor", "")
    if posted.get("ask") != SCORE or not key or posted.get(f"score-{key}", "").strip():
        return None
    return key, FieldError(SCORE, "child.error_choose")


def first_unanswered(found: list[Screen], values: dict[str, dict[str, str]]) -> int:
    """Where a child who comes back starts: the first factor not answered yet, or the last
    screen (send) when every factor is."""
    for index, screen in enumerate(found):
        factor = screen.factor
        if screen.ask == SCORE and factor and not values.get(factor.key, {}).get("score"):
            return index
    return len(found) - 1


def goal_points(
    instrument: InstrumentForm, factor: FactorPublic, score: str
) -> list[GuidancePublic]:
    """The goals the child may choose: from the best point to the one it gave (keeping how
    things are is a goal too; a goal is never worse than now)."""
    scale = instrument.scale.to_scale()
    if not score.lstrip("-").isdigit():
        return []
    now = scale.severity(int(score))
    points = [p for p in factor.guidance if scale.severity(p.value) <= now]
    return sorted(points, key=lambda p: scale.severity(p.value))


def screen_of_error(found: list[Screen], errors: dict[str, FieldError]) -> int:
    """The screen to show a refusal on: the first factor with an error, at its goal or score."""
    for index, screen in enumerate(found):
        error = errors.get(screen.factor.key) if screen.factor else None
        if error is not None and (screen.ask == GOAL) == (error.field == GOAL):
            return index
    for index, screen in enumerate(found):
        if screen.factor is not None and screen.factor.key in errors:
            return index
    return 0
