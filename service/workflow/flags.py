"""Advisory flags on a case (opmærksomhedspunkter): what a completed round's figures suggest
the caseworker look at. A flag changes nothing by itself (`000` l.1474-1506); it stays open
until the caseworker signs it off with a note, and it never ranks anyone.

Four kinds, each with the municipality's threshold (`FlagPolicy`), all read on the scale's
direction (`Scale.severity`), so that they hold whichever end of the scale is best:

- no progress: a factor's outcome (DOMAIN.md §6) was "no progression" or "negative
  progression" in each of the last `stalled_rounds` rounds;
- sharp deterioration: a factor's official score is `deterioration_points` or more worse than
  the status it is measured against;
- informants diverge: the independent scores of a factor lie `divergence_points` or more apart;
- the child sees it worse: the child's own independent score is `child_gap_points` or more
  worse than the official one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from service.workflow.outcomes import Outcome
from service.workflow.scale import Scale


class FlagKind(StrEnum):
    NO_PROGRESS = "no_progress"  # Ingen fremgang
    SHARP_DETERIORATION = "sharp_deterioration"  # Markant forværring
    INFORMANTS_DIVERGE = "informants_diverge"  # Stor uenighed blandt informanterne
    CHILD_SEES_WORSE = "child_sees_worse"  # Barnet ser det værre end den officielle score


#: Outcomes that are no progress.
STALLED = frozenset({Outcome.NO_PROGRESSION, Outcome.NEGATIVE_PROGRESSION})


@dataclass(frozen=True, slots=True)
class FlagPolicy:
    """The municipality's thresholds; the defaults are the service's."""

    stalled_rounds: int = 2
    deterioration_points: int = 2
    divergence_points: int = 3
    child_gap_points: int = 2


@dataclass(frozen=True, slots=True)
class FactorFacts:
    """What a completed round knows of one factor."""

    factor_key: str
    official: int | None
    #: The status it is measured against, on this round's scale (None: none).
    previous: int | None = None
    #: This round's outcome first, then the earlier rounds' (a round without one: None).
    outcomes: Sequence[Outcome | None] = ()
    #: The submitted independent scores ("cannot assess" left out).
    independent: Sequence[int] = ()
    #: The child's own independent score, if the child scored it.
    child: int | None = None


@dataclass(frozen=True, slots=True)
class FlagFactor:
    """One factor behind a flag, and the figures that raised it."""

    factor_key: str
    figures: dict[str, int | list[int] | list[str]]


@dataclass(frozen=True, slots=True)
class RaisedFlag:
    kind: FlagKind
    threshold: int
    factors: list[FlagFactor] = field(default_factory=list)

    def why(self) -> dict[str, object]:
        """The reason as structured data, kept with the flag."""
        return {
            "threshold": self.threshold,
            "factors": [{"factor_key": f.factor_key, **f.figures} for f in self.factors],
        }


def _no_progress(facts: FactorFacts, policy: FlagPolicy) -> FlagFactor | None:
    last = list(facts.outcomes[: policy.stalled_rounds])
    if len(last) < policy.stalled_rounds or not all(o in STALLED for o in last):
        return None
    return FlagFactor(facts.factor_key, {"outcomes": [str(o) for o in last]})


def _deterioration(scale: Scale, facts: FactorFacts, policy: FlagPolicy) -> FlagFactor | None:
    if facts.official is None or facts.previous is None:
        return None
    worse = scale.severity(facts.official) - scale.severity(facts.previous)
    if worse < policy.deterioration_points:
        return None
    return FlagFactor(
        facts.factor_key,
        {"previous": facts.previous, "official": facts.official, "points": worse},
    )


def _divergence(facts: FactorFacts, policy: FlagPolicy) -> FlagFactor | None:
    if len(facts.independent) < 2:
        return None
    spread = max(facts.independent) - min(facts.independent)
    if spread < policy.divergence_points:
        return None
    return FlagFactor(
        facts.factor_key,
        {"lowest": min(facts.independent), "highest": max(facts.independent), "points": spread},
    )


def _child_worse(scale: Scale, facts: FactorFacts, policy: FlagPolicy) -> FlagFactor | None:
    if facts.child is None or facts.official is None:
        return None
    gap = scale.severity(facts.child) - scale.severity(facts.official)
    if gap < policy.child_gap_points:
        return None
    return FlagFactor(
        facts.factor_key, {"child": facts.child, "official": facts.official, "points": gap}
    )


def raised_flags(
    scale: Scale, factors: Sequence[FactorFacts], policy: FlagPolicy
) -> list[RaisedFlag]:
    """The flags a completed round raises: one per kind, with every factor behind it."""
    found: dict[FlagKind, tuple[int, list[FlagFactor]]] = {
        FlagKind.NO_PROGRESS: (policy.stalled_rounds, []),
        FlagKind.SHARP_DETERIORATION: (policy.deterioration_points, []),
        FlagKind.INFORMANTS_DIVERGE: (policy.divergence_points, []),
        FlagKind.CHILD_SEES_WORSE: (policy.child_gap_points, []),
    }
    for facts in factors:
        for kind, hit in (
            (FlagKind.NO_PROGRESS, _no_progress(facts, policy)),
            (FlagKind.SHARP_DETERIORATION, _deterioration(scale, facts, policy)),
            (FlagKind.INFORMANTS_DIVERGE, _divergence(facts, policy)),
            (FlagKind.CHILD_SEES_WORSE, _child_worse(scale, facts, policy)),
        ):
            if hit is not None:
                found[kind][1].append(hit)
    return [RaisedFlag(kind, threshold, hits) for kind, (threshold, hits) in found.items() if hits]
