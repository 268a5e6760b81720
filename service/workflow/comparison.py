"""Which earlier round a completed round is measured against, and how its factors line up.

One rule for goal attainment and for the child's series alike: the case's latest round
completed before it on a comparable form. A form is comparable with itself, and with another
version of its family (same key, same scale: versions are declared comparable factor by
factor through the factor key).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from service.workflow.scale import Scale


class Crossing(StrEnum):
    """How a round reaches the one it is measured against."""

    SAME = "same"  # the same instrument version
    VERSION = "version"  # another version of the same instrument


@dataclass(frozen=True, slots=True)
class FormRef:
    instrument_id: int
    key: str
    version: int
    scale: Scale


@dataclass(frozen=True, slots=True)
class RoundRef:
    round_id: int
    completed_at: datetime
    form: FormRef


def crossing(current: FormRef, earlier: FormRef) -> Crossing | None:
    """How `current` compares with `earlier`, or None if it does not."""
    if earlier.instrument_id == current.instrument_id:
        return Crossing.SAME
    if earlier.key == current.key and earlier.scale == current.scale:
        return Crossing.VERSION
    return None


def compared_with(current: RoundRef, earlier: Iterable[RoundRef]) -> RoundRef | None:
    """The latest of `earlier` completed before `current` on a comparable form."""
    before = [
        r
        for r in earlier
        if r.round_id != current.round_id
        and (r.completed_at, r.round_id) < (current.completed_at, current.round_id)
        and crossing(current.form, r.form) is not None
    ]
    return max(before, key=lambda r: (r.completed_at, r.round_id), default=None)


def earlier_factor_key(current: FormRef, earlier: FormRef, key: str) -> str | None:
    """The factor of `earlier` that `current`'s factor `key` is measured against."""
    return key if crossing(current, earlier) is not None else None
