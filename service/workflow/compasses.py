"""Two compasses side by side (Forandringskompasset): the caseworker's and the provider's own
independent scores of one factor over the rounds, with the official score as a reference, and
where the two views part and meet.

Both are informants' own scores, given before the meeting; the official score is the
caseworker's decision and stays a reference, never one of the two views. Where a round has
several providers (a foster family and a school-based contact person), each provider's score is
kept and shown; the provider's line runs through their mean, and the gap is the widest between
the caseworker's and any provider's own score, so that no provider's view hides behind the
middle of two others.

The views are apart where the gap exceeds the municipality's divergence threshold (the same
rule that marks divergence at the meeting: two points or more by default); together where they
agree; close in between. They part where they are apart and were not at the last round in which
both scored the factor, and meet where they were apart then and are no longer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Stance(StrEnum):
    """How far apart the two views are at one round."""

    TOGETHER = "together"  # the same score
    CLOSE = "close"  # apart, but within the divergence threshold
    APART = "apart"  # further apart than the divergence threshold


class Turn(StrEnum):
    """Where the views change sides of the threshold."""

    PART = "part"  # apart now, not at the last round both scored
    MEET = "meet"  # apart at the last round both scored, not now


@dataclass(frozen=True, slots=True)
class RoundViews:
    """One round of one factor: each caseworker's and each provider's own score, and the
    official score, all on one scale; empty where nobody of the role scored it."""

    caseworker: tuple[int, ...]
    provider: tuple[int, ...]
    official: int | None


@dataclass(frozen=True, slots=True)
class ComparedRound:
    caseworker: float | None  # the caseworker's own view; the mean where there are several
    provider: float | None  # the provider's view; the mean where there are several
    gap: int | None  # the widest distance between a caseworker's and a provider's own score
    stance: Stance | None  # None where one of the views is missing
    turn: Turn | None


def own_view(scores: Sequence[int]) -> float | None:
    """One role's view at a round: its score, or the mean of several, to one decimal."""
    if not scores:
        return None
    return round(sum(scores) / len(scores), 1)


def stance(gap: int, threshold: int) -> Stance:
    if gap == 0:
        return Stance.TOGETHER
    return Stance.APART if gap > threshold else Stance.CLOSE


def compare(rounds: Sequence[RoundViews], threshold: int) -> list[ComparedRound]:
    """Each round of a factor, oldest first: the two views, their gap and where they turn."""
    found: list[ComparedRound] = []
    last: Stance | None = None  # at the last round where both scored
    for views in rounds:
        gap: int | None = None
        now: Stance | None = None
        turn: Turn | None = None
        if views.caseworker and views.provider:
            gap = max(abs(c - p) for c in views.caseworker for p in views.provider)
            now = stance(gap, threshold)
            if last is not None:
                if now is Stance.APART and last is not Stance.APART:
                    turn = Turn.PART
                elif last is Stance.APART and now is not Stance.APART:
                    turn = Turn.MEET
            last = now
        found.append(
            ComparedRound(
                caseworker=own_view(views.caseworker),
                provider=own_view(views.provider),
                gap=gap,
                stance=now,
                turn=turn,
            )
        )
    return found
