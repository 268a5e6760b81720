"""Goal attainment (målopfyldelse): the six outcomes of DOMAIN.md §6 (`002` l.2040-2058).

The rule is stated for a scale where lower is better; through `Scale.severity` it holds on
any scale, whichever end is best.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from service.workflow.scale import Scale


class Outcome(StrEnum):
    PROGRESSION_GOAL_MET = "progression_goal_met"  # Progressionsmål opfyldt
    PROGRESSION = "progression"  # Progression
    MAINTENANCE_GOAL_MET = "maintenance_goal_met"  # Fastholdelsesmål opfyldt
    UNPROBLEMATIC = "unproblematic"  # Uproblematisk
    NO_PROGRESSION = "no_progression"  # Ingen progression
    NEGATIVE_PROGRESSION = "negative_progression"  # Negativ progression


class NoOutcome(StrEnum):
    """Why a factor has no outcome."""

    NO_PREVIOUS_ROUND = "no_previous_round"
    NOT_IN_PREVIOUS_ROUND = "factor_not_in_previous_round"
    NO_PREVIOUS_STATUS = "no_previous_status"
    NO_PREVIOUS_GOAL = "no_previous_goal"
    NO_STATUS = "no_status"
    # After a change of form: a new baseline, since no goal was ever set for the factor.
    SPLIT_AFTER_FORM_CHANGE = "split_after_form_change"  # one of several out of one factor
    MERGED_AFTER_FORM_CHANGE = "merged_after_form_change"  # several factors made into one


class GoalWorseThanStatus(ValueError):
    """A goal may keep the status (maintenance) or improve it, never aim lower."""


def check_goal(scale: Scale, status: int, goal: int) -> None:
    if not scale.contains(goal):
        raise ValueError(f"goal {goal} is outside the scale {scale.minimum}..{scale.maximum}")
    if scale.is_worse(goal, than=status):
        raise GoalWorseThanStatus(f"the goal {goal} is worse than the status {status}")


@dataclass(frozen=True, slots=True)
class Attainment:
    outcome: Outcome | None
    no_outcome: NoOutcome | None = None


def attainment(
    scale: Scale, previous: int | None, goal: int | None, current: int | None
) -> Attainment:
    """Outcome for one factor: previous status `s0`, goal `g` set with it, new status `s1`."""
    if previous is None:
        return Attainment(None, NoOutcome.NO_PREVIOUS_STATUS)
    if current is None:
        return Attainment(None, NoOutcome.NO_STATUS)
    s0, s1 = scale.severity(previous), scale.severity(current)
    if s0 == 0 and s1 == 0:
        return Attainment(Outcome.UNPROBLEMATIC)
    if goal is None:
        return Attainment(None, NoOutcome.NO_PREVIOUS_GOAL)
    g = scale.severity(goal)
    if g > s0:
        raise GoalWorseThanStatus(f"the goal {goal} was worse than the status {previous}")
    if g < s0:  # a progression goal
        if s1 <= g:
            return Attainment(Outcome.PROGRESSION_GOAL_MET)
        if s1 < s0:
            return Attainment(Outcome.PROGRESSION)
        if s1 == s0:
            return Attainment(Outcome.NO_PROGRESSION)
        return Attainment(Outcome.NEGATIVE_PROGRESSION)
    # g == s0: a maintenance goal
    if s1 <= s0:
        return Attainment(Outcome.MAINTENANCE_GOAL_MET)
    return Attainment(Outcome.NEGATIVE_PROGRESSION)
