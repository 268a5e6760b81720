"""The child's plan (barnets plan, Barnets Lov § 91; SØM in Kolding: situation, ønske, midler):
rows of a situation, the desired solution, the means, who does it (a participant of the case
or a named service) and what is needed from outside, each serving one or more of the form's
factors, whose official goals are the plan's goals. One plan, not two: the goals stay on the
factors, and the rows say what is done to reach them.

A row's status is followed at each round; a row is ended, never deleted, so the history of
what was tried stays. Plain functions: no HTTP, no SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Generic, TypeVar

from service.workflow.states import RoundState

#: At most this many factors per row: a row that serves everything says nothing.
MAX_FACTORS = 8


class RowStatus(StrEnum):
    """How far a row has come, as followed at a round (status ved opfølgning)."""

    NOT_STARTED = "not_started"  # ikke startet
    UNDER_WAY = "under_way"  # i gang
    DONE = "done"  # gennemført
    DROPPED = "dropped"  # opgivet


class PlanRule(ValueError):
    """A plan row or status that breaks a rule; `field` names what to correct."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def check_factors(keys: Sequence[str], known: Iterable[str]) -> list[str]:
    """The row's factors in the order given, each once; every one a factor of the case's form.

    Raises `PlanRule` on none, too many, or one the form does not have."""
    chosen = list(dict.fromkeys(keys))
    if not chosen:
        raise PlanRule("factor_keys", "a plan row serves at least one factor")
    if len(chosen) > MAX_FACTORS:
        raise PlanRule("factor_keys", f"a plan row serves at most {MAX_FACTORS} factors")
    unknown = sorted(set(chosen) - set(known))
    if unknown:
        raise PlanRule("factor_keys", f"not a factor of the case's form: {', '.join(unknown)}")
    return chosen


def can_follow(
    *,
    row_ended_at: datetime | None,
    round_state: RoundState,
    round_created_at: datetime,
) -> None:
    """A row's status is followed at a round of its case that was not cancelled; a row
    ended before the round was opened is no longer followed there.

    Raises `PlanRule` otherwise."""
    if round_state is RoundState.CANCELLED:
        raise PlanRule("round_id", "a cancelled round follows no plan")
    if row_ended_at is not None and row_ended_at < round_created_at:
        raise PlanRule("row_id", "the row ended before the round was opened")


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class FactorRows(Generic[T]):
    """A factor and the rows that serve it, in the plan's order."""

    factor_key: str
    rows: list[T]


def by_factor(
    factor_keys: Sequence[str], rows: Iterable[tuple[Sequence[str], T]]
) -> list[FactorRows[T]]:
    """Each factor of the form in its order, with the rows that serve it (a row serving two
    factors is under both): goals and activities side by side. Factors no row serves are
    left out; a row's factor that the form no longer has is kept, after the others."""
    listed: dict[str, list[T]] = {key: [] for key in factor_keys}
    for keys, row in rows:
        for key in keys:
            listed.setdefault(key, []).append(row)
    return [FactorRows(key, found) for key, found in listed.items() if found]
