"""Calibration on a vignette (a written, fictitious child that staff score alike): how far a
person's scores lie from the municipality's reference, how the group's scores spread over the
scale, and how alike the group scored.

How alike is measured as everywhere else in the service (`workflow.agreement`): r_wg per factor,
and Krippendorff's alpha (ordinal) over the exercise, each factor a unit. Both are advisory,
both about the group and never about a person. "Cannot assess" is no score: it is counted,
never compared.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from service.workflow import agreement
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


@dataclass(frozen=True, slots=True)
class ExerciseAgreement:
    """How alike the group scored one vignette: per factor, and over the whole exercise."""

    factors: dict[str, agreement.FactorAgreement]
    alpha: float | None

    @property
    def mean_r_wg(self) -> float | None:
        found = [f.r_wg for f in self.factors.values() if f.r_wg is not None]
        return sum(found) / len(found) if found else None


def exercise_agreement(
    scale: Scale, per_factor: Mapping[str, Sequence[int | None]]
) -> ExerciseAgreement:
    """`per_factor` holds every answer's score of each factor (None: cannot assess)."""
    factors = {key: agreement.factor_agreement(values, scale) for key, values in per_factor.items()}
    counts = agreement.value_counts(per_factor.values(), scale)
    return ExerciseAgreement(factors, agreement.krippendorff_alpha(counts, "ordinal"))
