"""The child's form, one question a screen: for each factor how things are, then, if the child
answered with a point of the scale, how the child would like them to be next time (KL's tables:
"Barn/ung og forældre scorer og målfastsætter"); a last screen sends the answers.

Screens are counted from the answers so far: a factor the child "does not know" has no goal
screen. The screens before the current one depend only on earlier answers, so a screen's
number stays the same while the child moves on."""

from __future__ import annotations

from dataclasses import dataclass

from service.schemas.instruments import FactorPublic, GuidancePublic, InstrumentForm
from service.web.forms import CANNOT_ASSESS, FieldError

SCORE, GOAL, SEND = "score", "goal", "send"


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
