"""Drift (a caseworker's own scoring over time): how far the official scores a caseworker sets
lie from the median of the informants' own scores of the same round and factor, in points on
the scale's direction. Positive: the official score sees more problems than the informants'
median ("more worried"); negative: fewer ("more hopeful"). Only the caseworker sees her own
figures; a leader sees the team's spread of them without names, and only where enough
caseworkers have figures (nothing ranks staff, `000` l.769-816). Advisory: it changes nothing.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Leaning = Literal["hopeful", "alike", "worried"]


@dataclass(frozen=True, slots=True)
class FactorDrift:
    """One factor in one period: the rounds compared, the mean signed difference, and its
    spread (the standard deviation over the rounds; None for a single round)."""

    rounds: int
    mean: float
    spread: float | None

    @property
    def leaning(self) -> Leaning:
        if self.mean < 0:
            return "hopeful"
        if self.mean > 0:
            return "worried"
        return "alike"


def summarise(rounds: int, total: float, squares: float) -> FactorDrift:
    """From the count, the sum and the sum of squares of the differences (what SQL adds up
    on both engines)."""
    mean = total / rounds
    spread = math.sqrt(max(squares / rounds - mean * mean, 0.0)) if rounds > 1 else None
    return FactorDrift(rounds, round(mean, 2), None if spread is None else round(spread, 2))


def quartiles(means: Sequence[float], min_group_size: int) -> tuple[float, float, float] | None:
    """The lower quartile, the median and the upper quartile of the caseworkers' mean
    differences, or None when fewer caseworkers than the smallest group shown have figures.
    No extremes: the lowest and the highest would each be one person."""
    if len(means) < max(min_group_size, 2):
        return None
    q1, q2, q3 = statistics.quantiles(sorted(means), n=4, method="inclusive")
    return round(q1, 2), round(q2, 2), round(q3, 2)
