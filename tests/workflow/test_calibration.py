"""Calibration on a vignette: each person's distance from the reference, the spread per factor,
and how alike the group scored (r_wg per factor, Krippendorff's alpha over the exercise)."""

from __future__ import annotations

import math

import pytest

from service.workflow.calibration import (
    agreement_over_factors,
    distances,
    r_wg,
    spread,
)
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


def test_r_wg_is_one_when_all_agree_and_zero_at_uniform_disagreement() -> None:
    assert r_wg(SCALE, [2, 2, 2]) == 1.0
    # The variance of a uniform spread over five points is (5^2 - 1)/12 = 2; a sample of
    # 0, 4 has variance 8 > 2: worse than chance is shown as 0, never negative.
    assert r_wg(SCALE, [0, 4]) == 0.0
    assert r_wg(SCALE, [1, 2]) == pytest.approx(1 - 0.5 / 2)
    assert r_wg(SCALE, [3]) is None


def test_alpha_over_the_exercise_needs_two_people_and_some_variation() -> None:
    alike = {"anna": {"a": 1, "b": 3, "c": 0}, "bo": {"a": 1, "b": 3, "c": 0}}
    assert agreement_over_factors(SCALE, alike) == pytest.approx(1.0)
    apart = {"anna": {"a": 0, "b": 4, "c": 0}, "bo": {"a": 4, "b": 0, "c": 4}}
    alpha = agreement_over_factors(SCALE, apart)
    assert alpha is not None and alpha < 0
    assert agreement_over_factors(SCALE, {"anna": {"a": 1}}) is None
    same_everywhere = {"anna": {"a": 2}, "bo": {"a": 2}}
    result = agreement_over_factors(SCALE, same_everywhere)
    assert result is None or not math.isnan(result)
