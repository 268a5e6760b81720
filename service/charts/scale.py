"""Where a score sits on a chart: its distance from the scale's worst end, from 0 to 1."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape


@dataclass(frozen=True, slots=True)
class ChartScale:
    minimum: int
    maximum: int
    best_low: bool  # the lowest value is the best (the Århus and KL forms)

    def goodness(self, value: float) -> float:
        """1 at the best end, 0 at the worst."""
        span = self.maximum - self.minimum
        if span <= 0:
            return 1.0
        fraction = (value - self.minimum) / span
        return 1.0 - fraction if self.best_low else fraction

    @property
    def values(self) -> range:
        return range(self.minimum, self.maximum + 1)

    @property
    def best(self) -> int:
        return self.minimum if self.best_low else self.maximum


def text(value: object) -> str:
    return escape(str(value), quote=True)


def num(value: float) -> str:
    """A coordinate, short."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def wrap(label: str, width: int = 16) -> list[str]:
    """A label in lines of about `width` characters, broken at spaces."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]
