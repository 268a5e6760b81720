"""The outcome rule of DOMAIN.md §6, on both scales and on a scale where high is best."""

from __future__ import annotations

import pytest

from service.workflow.outcomes import (
    GoalWorseThanStatus,
    NoOutcome,
    Outcome,
    attainment,
    check_goal,
)
from service.workflow.scale import BestEnd, Scale

ARHUS = Scale(0, 4, BestEnd.LOW)
KL = Scale(1, 5, BestEnd.LOW)
HIGH = Scale(1, 10, BestEnd.HIGH)


@pytest.mark.parametrize(
    ("scale", "s0", "g", "s1", "expected"),
    [
        (ARHUS, 0, 0, 0, Outcome.UNPROBLEMATIC),
        (KL, 1, 1, 1, Outcome.UNPROBLEMATIC),
        (ARHUS, 3, 1, 1, Outcome.PROGRESSION_GOAL_MET),
        (ARHUS, 3, 1, 0, Outcome.PROGRESSION_GOAL_MET),
        (ARHUS, 3, 1, 2, Outcome.PROGRESSION),
        (ARHUS, 3, 1, 3, Outcome.NO_PROGRESSION),
        (ARHUS, 3, 1, 4, Outcome.NEGATIVE_PROGRESSION),
        (ARHUS, 2, 2, 2, Outcome.MAINTENANCE_GOAL_MET),
        (ARHUS, 2, 2, 1, Outcome.MAINTENANCE_GOAL_MET),
        (ARHUS, 2, 2, 3, Outcome.NEGATIVE_PROGRESSION),
        (KL, 4, 2, 2, Outcome.PROGRESSION_GOAL_MET),
        (KL, 4, 2, 3, Outcome.PROGRESSION),
        (KL, 1, 1, 2, Outcome.NEGATIVE_PROGRESSION),  # best, kept as goal, then worse
        (HIGH, 4, 8, 9, Outcome.PROGRESSION_GOAL_MET),
        (HIGH, 4, 8, 6, Outcome.PROGRESSION),
        (HIGH, 4, 8, 3, Outcome.NEGATIVE_PROGRESSION),
        (HIGH, 10, 10, 10, Outcome.UNPROBLEMATIC),
    ],
)
def test_rule(scale: Scale, s0: int, g: int, s1: int, expected: Outcome) -> None:
    assert attainment(scale, s0, g, s1).outcome is expected


def test_no_outcome_says_why() -> None:
    assert attainment(ARHUS, None, None, 2).no_outcome is NoOutcome.NO_PREVIOUS_STATUS
    assert attainment(ARHUS, 2, 1, None).no_outcome is NoOutcome.NO_STATUS
    assert attainment(ARHUS, 2, None, 2).no_outcome is NoOutcome.NO_PREVIOUS_GOAL


def test_goal_never_worse_than_status() -> None:
    check_goal(ARHUS, 2, 2)
    check_goal(ARHUS, 2, 0)
    with pytest.raises(GoalWorseThanStatus):
        check_goal(ARHUS, 2, 3)
    with pytest.raises(GoalWorseThanStatus):
        check_goal(HIGH, 6, 5)
    with pytest.raises(ValueError, match="outside"):
        check_goal(KL, 2, 0)
