"""Whose voice the family's step must carry (barnets og forældrenes stemme).

The step that takes the family's scores (trin 3 of KL 1 and 2, trin 1 of KL 3) ends only when
the child and each parent in the round have scored, or the caseworker has recorded, per
person, why not. Barnets Lov § 5, stk. 3-4: the child's views are obtained before decisions
about it, set aside only where age or maturity, or the decision's nature, speaks against it,
and then found out in another way; so the child is owed a voice even when it is not added to
the round as an informant.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from service.workflow.roles import FAMILY, InformantRole


class NotHeardReason(StrEnum):
    """Why a member of the family did not score (begrundelse for ikke at være hørt)."""

    AGE_OR_MATURITY = "age_or_maturity"  # the child only: Barnets Lov § 5, stk. 3
    DECLINED = "declined"  # ønsker ikke at deltage
    NOT_REACHABLE = "not_reachable"  # kunne ikke nås


#: The reasons that can be given for each family role.
REASONS: dict[InformantRole, tuple[NotHeardReason, ...]] = {
    InformantRole.CHILD: tuple(NotHeardReason),
    InformantRole.MOTHER: (NotHeardReason.DECLINED, NotHeardReason.NOT_REACHABLE),
    InformantRole.FATHER: (NotHeardReason.DECLINED, NotHeardReason.NOT_REACHABLE),
}


@dataclass(frozen=True, slots=True)
class FamilyMember:
    """A family informant of the round, and whether it has submitted its scores."""

    informant_id: int
    role: InformantRole
    name: str
    scored: bool


@dataclass(frozen=True, slots=True)
class Voice:
    """Someone the family's step owes a voice: a family informant of the round, or the child
    who is not one (`informant_id` None)."""

    role: InformantRole
    informant_id: int | None
    name: str | None
    scored: bool

    @property
    def key(self) -> tuple[InformantRole, int | None]:
        return self.role, self.informant_id


def owed(members: Iterable[FamilyMember]) -> list[Voice]:
    """Every voice the step must carry: each family informant of the round, and the child
    where no child is among them."""
    voices = [Voice(m.role, m.informant_id, m.name, m.scored) for m in members if m.role in FAMILY]
    if not any(v.role is InformantRole.CHILD for v in voices):
        voices.insert(0, Voice(InformantRole.CHILD, None, None, scored=False))
    return voices


def unheard(
    members: Sequence[FamilyMember], reasoned: Iterable[tuple[InformantRole, int | None]]
) -> list[Voice]:
    """The voices neither scored nor reasoned for: what keeps the family's step open."""
    given = set(reasoned)
    return [v for v in owed(members) if not v.scored and v.key not in given]
