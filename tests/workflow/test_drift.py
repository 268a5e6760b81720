"""A caseworker's drift: how far her official scores lie from the informants' median, in
points on the scale's direction, and the team's spread of it without names."""

from __future__ import annotations

from service.workflow.drift import FactorDrift, quartiles, summarise


def test_the_mean_and_spread_of_the_differences() -> None:
    drift = summarise(rounds=4, total=-1.6, squares=1.04)
    assert drift == FactorDrift(rounds=4, mean=-0.4, spread=0.32)
    assert drift.leaning == "hopeful"


def test_a_single_round_has_no_spread_and_no_leaning_without_a_difference() -> None:
    assert summarise(rounds=1, total=1.0, squares=1.0) == FactorDrift(1, 1.0, None)
    assert summarise(rounds=1, total=1.0, squares=1.0).leaning == "worried"
    assert summarise(rounds=3, total=0.0, squares=0.0).leaning == "alike"


def test_quartiles_only_at_the_minimum_group_size() -> None:
    assert quartiles([0.5, -0.5, 0.0, 1.0], min_group_size=5) is None
    assert quartiles([0.5, -0.5, 0.0, 1.0, 0.25], min_group_size=5) == (0.0, 0.25, 0.5)
