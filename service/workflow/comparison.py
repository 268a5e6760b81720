"""Which earlier round a completed round is measured against, and how its factors line up.

One rule for goal attainment and for the child's series alike: the case's latest round
completed before it on a comparable form. A form is comparable with itself; with another
version of its family (same key, same scale: versions are declared comparable factor by
factor through the factor key); and with another instrument that a declared mapping leads
from (Århus 0-4 to KL's 1-5, "Børn og familie" to "Unge" as the child grows): the mapping
pairs the scales' points one to one from the best end, keeps the factors the two share by
key, and states how the others map (familieforhold to the relations with mother, father and
siblings; and back, as the most severe of the three).

Only a factor that continues one earlier factor one to one is measured against its status
and goal. A factor split out of an earlier one (the father relation out of familieforhold)
or combined from several (familieforhold out of the three relations) had no goal set for it:
its first round on the new form is a new baseline, with no outcome (`Lineage`). The earlier
factor's line may still be drawn before it in the child's series, marked as the earlier
factor, its values on the newest scale.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from service.workflow.scale import Scale


class Crossing(StrEnum):
    """How a round reaches the one it is measured against."""

    SAME = "same"  # the same instrument version
    VERSION = "version"  # another version of the same instrument
    MAPPING = "mapping"  # another instrument, through a declared mapping


class Combine(StrEnum):
    """How a factor relates to several factors of the earlier instrument."""

    SAME = "same"  # one factor: its status and goal as they are
    WORST = "worst"  # the most severe of them (a merge: a new baseline, no outcome)


class Lineage(StrEnum):
    """How a factor stands to the earlier round's factors (faktorens oprindelse)."""

    CONTINUED = "continued"  # one earlier factor, and no other factor takes it up
    SPLIT = "split"  # one of several factors that one earlier factor was split into
    MERGED = "merged"  # combined from several earlier factors
    NEW = "new"  # no earlier factor


@dataclass(frozen=True, slots=True)
class FactorLink:
    """A factor of the later instrument and the factors of the earlier one it is measured
    against."""

    key: str
    sources: tuple[str, ...]
    combine: Combine = Combine.SAME

    def __post_init__(self) -> None:
        if not self.sources:
            raise ValueError(f"{self.key}: a link needs a factor to measure against")
        if self.combine is Combine.SAME and len(self.sources) != 1:
            raise ValueError(f"{self.key}: several factors are combined by a stated rule")


@dataclass(frozen=True, slots=True)
class InstrumentMapping:
    """A declared mapping from the instrument family `from_key` to `to_key`."""

    id: int
    from_key: str
    to_key: str
    links: tuple[FactorLink, ...] = ()

    def link(self, key: str) -> FactorLink:
        """The stated link of `key`, or the factor of the same key."""
        for found in self.links:
            if found.key == key:
                return found
        return FactorLink(key, (key,))


@dataclass(frozen=True, slots=True)
class Mappings:
    """The mappings in force, by (earlier family, later family)."""

    by_pair: Mapping[tuple[str, str], InstrumentMapping] = field(default_factory=dict)

    def find(self, earlier_key: str, current_key: str) -> InstrumentMapping | None:
        return self.by_pair.get((earlier_key, current_key))


NO_MAPPINGS = Mappings()


@dataclass(frozen=True, slots=True)
class FormRef:
    instrument_id: int
    key: str
    version: int
    scale: Scale
    factor_keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RoundRef:
    round_id: int
    completed_at: datetime
    form: FormRef


def _points(scale: Scale) -> int:
    return scale.maximum - scale.minimum + 1


def translate(value: int | None, earlier: Scale, later: Scale) -> int | None:
    """A point of `earlier` as the point of the same rank from the best end on `later` (3 on
    0-4 is 4 on 1-5); the scales of a mapping have as many points."""
    if value is None or earlier == later:
        return value
    if _points(earlier) != _points(later):
        raise ValueError("only scales with as many points pair one to one")
    return later.points_from_best()[earlier.severity(value)]


def crossing(
    current: FormRef, earlier: FormRef, mappings: Mappings = NO_MAPPINGS
) -> Crossing | None:
    """How `current` compares with `earlier`, or None if it does not."""
    if earlier.instrument_id == current.instrument_id:
        return Crossing.SAME
    if earlier.key == current.key and earlier.scale == current.scale:
        return Crossing.VERSION
    if mappings.find(earlier.key, current.key) is not None and _points(earlier.scale) == _points(
        current.scale
    ):
        return Crossing.MAPPING
    return None


def compared_with(
    current: RoundRef, earlier: Iterable[RoundRef], mappings: Mappings = NO_MAPPINGS
) -> RoundRef | None:
    """The latest of `earlier` completed before `current` on a comparable form."""
    before = [
        r
        for r in earlier
        if r.round_id != current.round_id
        and (r.completed_at, r.round_id) < (current.completed_at, current.round_id)
        and crossing(current.form, r.form, mappings) is not None
    ]
    return max(before, key=lambda r: (r.completed_at, r.round_id), default=None)


#: A factor's official status and goal: (score, goal), None where not assessed or not set.
Official = tuple[int | None, int | None]


@dataclass(frozen=True, slots=True)
class Basis:
    """How a round's factors are measured against the earlier round's: which factors, and
    their status and goal translated onto the later round's scale."""

    crossing: Crossing
    current: FormRef
    earlier: FormRef
    mapping: InstrumentMapping | None = None

    def link(self, key: str) -> FactorLink:
        if self.mapping is None:
            return FactorLink(key, (key,))
        return self.mapping.link(key)

    def sources(self, key: str) -> tuple[str, ...]:
        """The earlier round's factors that `key` is measured against (those it has)."""
        link = self.link(key)
        known = set(self.earlier.factor_keys)
        return tuple(k for k in link.sources if not known or k in known)

    def dependents(self, earlier_key: str) -> list[str]:
        """The later round's factors measured against the earlier factor `earlier_key`."""
        return [k for k in self.current.factor_keys if earlier_key in self.sources(k)]

    def lineage(self, key: str) -> Lineage:
        """Whether `key` continues one earlier factor, was split out of one, or combined
        from several: only a continued factor has a status and goal to be measured against."""
        sources = self.sources(key)
        if not sources:
            return Lineage.NEW
        if len(sources) > 1:
            return Lineage.MERGED
        if len(self.dependents(sources[0])) > 1:
            return Lineage.SPLIT
        return Lineage.CONTINUED

    def translate(self, value: int | None) -> int | None:
        """A point of the earlier scale as the point of the same rank from the best end."""
        if self.crossing is not Crossing.MAPPING:
            return value
        return translate(value, self.earlier.scale, self.current.scale)

    def earlier_official(self, key: str, officials: Mapping[str, Official]) -> Official | None:
        """The earlier status and goal that `key` is measured against, on the later scale;
        None where the earlier round has no such factor."""
        sources = [k for k in self.sources(key) if k in officials]
        if not sources:
            return None
        link = self.link(key)
        if link.combine is Combine.WORST and len(sources) > 1:
            scale = self.earlier.scale
            assessed = [officials[k] for k in sources if officials[k][0] is not None]
            if not assessed:
                return (None, None)
            score, goal = max(
                assessed,
                key=lambda sg: (
                    scale.severity(sg[0] or 0),
                    -1 if sg[1] is None else scale.severity(sg[1]),
                ),
            )
        else:
            score, goal = officials[sources[0]]
        return self.translate(score), self.translate(goal)


def basis(current: FormRef, earlier: FormRef, mappings: Mappings = NO_MAPPINGS) -> Basis | None:
    """How `current` is measured against `earlier`, or None if it is not comparable."""
    found = crossing(current, earlier, mappings)
    if found is None:
        return None
    mapping = mappings.find(earlier.key, current.key) if found is Crossing.MAPPING else None
    return Basis(found, current, earlier, mapping)


def earlier_factor_key(
    current: FormRef, earlier: FormRef, key: str, mappings: Mappings = NO_MAPPINGS
) -> str | None:
    """The factor of `earlier` that `current`'s factor `key` is measured against, where it is
    one factor (a factor combined from several has no single earlier key)."""
    found = basis(current, earlier, mappings)
    if found is None:
        return None
    sources = found.sources(key)
    return sources[0] if len(sources) == 1 else None
