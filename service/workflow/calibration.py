"""Calibration on a vignette (a written, fictitious child that staff score alike): how far a
person's scores lie from the municipality's reference, how the group's scores spread over the
scale, and how alike the group scored.

Two measures of agreement, both advisory, both about the group and never about a person:

- r_wg per factor (James, Demaree & Wolf): 1 - observed variance / the variance of scores
  spread evenly over the scale's points; 1 when everyone gave the same score, 0 (never less)
  when they agree no better than chance.
- Krippendorff's alpha over the exercise: the factors are the units, the people the coders,
  ordinal scores; from the `krippendorff` library.

"Cannot assess" is no score: it is counted, never compared.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import variance

from service.workflow.scale import Scale


def distances(own: Mapping[str, int | None], reference: Mapping[str, int | None]) -> dict[str, int]:
    """Per factor, how many scale points the person's score lies from the reference; a factor
    either side could not assess is left out."""
    result: dict[str, int] = {}
    for key, value in own.items():
        ref = reference.get(key)
        if value is not None and ref is not None:
            result[key] = abs(value - ref)
    return result


@dataclass(frozen=True, slots=True)
class Spread:
    """How one factor's scores lie over the scale."""

    counts: dict[int, int]
    cannot_assess: int

    @property
    def scored(self) -> int:
        return sum(self.counts.values())

    @property
    def lowest(self) -> int | None:
        used = [point for point, n in self.counts.items() if n]
        return min(used) if used else None

    @property
    def highest(self) -> int | None:
        used = [point for point, n in self.counts.items() if n]
        return max(used) if used else None


def spread(scale: Scale, values: Sequence[int | None]) -> Spread:
    counts = dict.fromkeys(scale.points, 0)
    for value in values:
        if value is not None and value in counts:
            counts[value] += 1
    return Spread(counts, sum(1 for v in values if v is None))


def r_wg(scale: Scale, values: Sequence[int | None]) -> float | None:
    """The within-group agreement on one factor; None with fewer than two scores."""
    scored = [v for v in values if v is not None]
    if len(scored) < 2:
        return None
    points = len(scale.points)
    expected = (points * points - 1) / 12
    return max(0.0, 1 - variance(scored) / expected)


def agreement_over_factors(
    scale: Scale, scores: Mapping[str, Mapping[str, int | None]]
) -> float | None:
    """Krippendorff's alpha (ordinal) over one exercise: `scores` maps each person (any key)
    to their score per factor. None when fewer than two people scored a common factor, or
    when no score differs from another (alpha is then undefined)."""
    import krippendorff  # numpy behind it: loaded when a report asks, not at start-up
    import numpy as np

    factors = sorted({key for row in scores.values() for key in row})
    rows = [
        [row.get(key) for key in factors]
        for row in scores.values()
        if any(v is not None for v in row.values())
    ]
    if len(rows) < 2 or not factors:
        return None
    compared = sum(1 for col in zip(*rows, strict=True) if sum(v is not None for v in col) >= 2)
    values = {v for row in rows for v in row if v is not None}
    if compared == 0 or len(values) < 2:
        return None
    data = np.array([[math.nan if v is None else float(v) for v in row] for row in rows])
    alpha = float(
        krippendorff.alpha(
            reliability_data=data,
            value_domain=[float(p) for p in scale.points],
            level_of_measurement="ordinal",
        )
    )
    return None if math.isnan(alpha) else alpha
