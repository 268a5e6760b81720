"""A scale as an instrument declares it: its range and which end is best.

No code outside this module assumes 0-4 or that low is good: it asks the scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class BestEnd(StrEnum):
    LOW = "low"
    HIGH = "high"


@dataclass(frozen=True, slots=True)
class Scale:
    minimum: int
    maximum: int
    best_end: BestEnd

    def __post_init__(self) -> None:
        if self.maximum <= self.minimum:
            raise ValueError("a scale needs at least two points")

    @property
    def points(self) -> range:
        return range(self.minimum, self.maximum + 1)

    @property
    def best(self) -> int:
        return self.minimum if self.best_end is BestEnd.LOW else self.maximum

    @property
    def worst(self) -> int:
        return self.maximum if self.best_end is BestEnd.LOW else self.minimum

    def contains(self, value: int) -> bool:
        return self.minimum <= value <= self.maximum

    def severity(self, value: int) -> int:
        """Distance from the best point: 0 is best, larger is worse, whichever end is best."""
        return value - self.minimum if self.best_end is BestEnd.LOW else self.maximum - value

    def is_worse(self, value: int, than: int) -> bool:
        return self.severity(value) > self.severity(than)

    def points_from_best(self) -> list[int]:
        """The points ordered from the best to the worst."""
        ordered = list(self.points)
        return ordered if self.best_end is BestEnd.LOW else ordered[::-1]
