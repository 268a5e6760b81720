"""Calibration on a vignette: each person's distance from the reference, the spread per factor,
and how alike the group scored (r_wg per factor, Krippendorff's alpha over the exercise)."""

from __future__ import annotations

import pytest

from service.workflow.agreement import AgreementLevel
from service.workflow.calibration import distances, exercise_agreement, spread
from service.workflow.scale import BestEnd, Scale

SCALE = Scale(0, 4, BestEnd.LOW)


def test_distance_is_measured_per_factor_and_skips_what_cannot_be_compared() -> None:
    reference = {"skole": 2, "familie": 3, "helbred": None}
    own = {"skole": 4, "familie": 3, "helbred": 1, "fritid": 2}
    # helbred has no reference score; fritid no reference at all: neither is compared.
    assert distances(own, reference) == {"skole": 2, "familie": 0}
    assert distances({"skole": None}, {"skole": 2}) == {}


def test_spread_counts_every_point_of_the_scale_and_those_who_could_not_assess() -> None:
    result = spread(SCALE, [1, 1, 3, None])
    assert result.counts == {0: 0, 1: 2, 2: 0, 3: 1, 4: 0}
    assert result.cannot_assess == 1
    assert result.scored == 3
    assert (result.lowest, result.highest) == (1, 3)


def test_the_group_agrees_per_factor_and_over_the_exercise() -> None:
    alike = exercise_agreement(SCALE, {"a": [1, 1, 1], "b": [3, 3, 3], "c": [0, 0, None]})
    assert alike.factors["a"].r_wg == 1.0 and alike.factors["a"].level is AgreementLevel.HIGH
    # Two scores are too few for r_wg, yet they count towards alpha.
    assert alike.factors["c"].r_wg is None
    assert alike.alpha == pytest.approx(1.0)
    assert alike.mean_r_wg == 1.0
    apart = exercise_agreement(SCALE, {"a": [0, 4, 2], "b": [4, 0, 2], "c": [0, 4, 4]})
    assert apart.alpha is not None and apart.alpha < 0.2
    assert apart.factors["a"].r_wg == 0.0
    assert exercise_agreement(SCALE, {"a": [2], "b": [1]}).alpha is None
