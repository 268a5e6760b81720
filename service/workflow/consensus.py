"""The consensus step without a database: spread and divergence per factor, when a rationale
is required, and which informant scores become disagreement notes."""

from __future__ import annotations

from dataclasses import dataclass

from service.workflow.outcomes import GoalWorseThanStatus, check_goal
from service.workflow.roles import InformantRole
from service.workflow.scale import Scale

DEFAULT_DIVERGENCE_THRESHOLD = 1


@dataclass(frozen=True, slots=True)
class InformantScore:
    informant_id: int
    role: InformantRole
    name: str
    score: int | None  # None: cannot assess, or not given
    goal: int | None
    comment: str


@dataclass(frozen=True, slots=True)
class Spread:
    minimum: int | None
    maximum: int | None
    scored: int  # how many informants gave a score

    @property
    def width(self) -> int:
        if self.minimum is None or self.maximum is None:
            return 0
        return self.maximum - self.minimum

    def diverges(self, threshold: int) -> bool:
        """Informants diverge when max - min is above the threshold (an advisory flag)."""
        return self.width > threshold

    def contains(self, value: int) -> bool:
        return (
            self.minimum is not None
            and self.maximum is not None
            and self.minimum <= value <= self.maximum
        )


def spread(scores: list[InformantScore]) -> Spread:
    values = [s.score for s in scores if s.score is not None]
    return Spread(min(values, default=None), max(values, default=None), len(values))


def order_by_divergence(spreads: dict[str, Spread], positions: dict[str, int]) -> list[str]:
    """Factor keys, the most divergent first, then in the instrument's order."""
    return sorted(spreads, key=lambda key: (-spreads[key].width, positions[key]))


@dataclass(frozen=True, slots=True)
class OfficialDecision:
    """The caseworker's official score and goal for one factor, or 'not assessed'."""

    score: int | None
    goal: int | None
    rationale: str
    not_assessed_reason: str = ""

    @property
    def not_assessed(self) -> bool:
        return self.score is None


class DecisionRefused(ValueError):
    """The decision breaks a rule: `field` names which part, `code` which rule."""

    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code


def check_decision(
    scale: Scale, decision: OfficialDecision, informant_spread: Spread, threshold: int
) -> None:
    """KL: score every factor; a goal never worse than the status; explain departures."""
    if decision.score is None:
        if decision.goal is not None:
            raise DecisionRefused(
                "goal", "goal_not_allowed", "A factor that is not assessed has no goal."
            )
        if not decision.not_assessed_reason.strip():
            raise DecisionRefused(
                "not_assessed_reason",
                "not_assessed_reason_required",
                "Say why the factor is not assessed.",
            )
        return
    if not scale.contains(decision.score):
        raise DecisionRefused(
            "score",
            "off_scale",
            f"The score must be on the scale {scale.minimum}..{scale.maximum}.",
        )
    if decision.goal is None:
        raise DecisionRefused(
            "goal", "goal_required", "Set a goal with the score (keeping the status is a goal too)."
        )
    try:
        check_goal(scale, decision.score, decision.goal)
    except GoalWorseThanStatus as exc:
        raise DecisionRefused("goal", "goal_worse_than_status", f"{exc}.".capitalize()) from exc
    except ValueError as exc:
        raise DecisionRefused("goal", "off_scale", f"{exc}.".capitalize()) from exc
    if decision.rationale.strip():
        return
    if informant_spread.scored and not informant_spread.contains(decision.score):
        raise DecisionRefused(
            "rationale",
            "rationale_required",
            "The official score lies outside the informants' range: give a rationale.",
        )
    if informant_spread.diverges(threshold):
        raise DecisionRefused(
            "rationale",
            "rationale_required",
            "The informants diverge on this factor: give a rationale.",
        )


@dataclass(frozen=True, slots=True)
class Disagreement:
    """An informant's score or proposed goal that differs from the official one: kept as a
    note, never overwritten (Tabel 1-3: "uenighed om scoring og/eller målfastsættelse")."""

    informant: InformantScore
    official_score: int | None
    official_goal: int | None
    score_differs: bool
    goal_differs: bool


def disagreements(scores: list[InformantScore], decision: OfficialDecision) -> list[Disagreement]:
    """Every informant whose score, or whose proposed goal, differs from the official one.

    An informant who could not assess the factor has no position to keep; one who scored and
    proposed no goal disagrees on the goal only by proposing another one."""
    found = []
    for s in scores:
        if s.score is None:
            continue
        score_differs = s.score != decision.score
        goal_differs = s.goal is not None and s.goal != decision.goal
        if score_differs or goal_differs:
            found.append(
                Disagreement(s, decision.score, decision.goal, score_differs, goal_differs)
            )
    return found
