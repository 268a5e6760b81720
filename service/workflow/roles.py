"""Who can inform a round, grouped as KL's procedures group them."""

from __future__ import annotations

from enum import StrEnum


class InformantRole(StrEnum):
    CASEWORKER = "caseworker"  # socialrådgiver / sagsbehandler
    SCHOOL = "school"  # skole, lærer, SFO
    DAYCARE = "daycare"  # dagtilbud, daginstitution
    PROVIDER = "provider"  # leverandør: plejefamilie, institution, familiebehandler
    PSYCHOLOGIST = "psychologist"  # psykolog, PPR, sundhedsplejerske (health visitor)
    OTHER_PROFESSIONAL = "other_professional"
    MOTHER = "mother"
    FATHER = "father"
    CHILD = "child"  # barnet / den unge


#: The caseworker and "the other relevant professionals (school, daycare, psychologist...)".
PROFESSIONALS: frozenset[InformantRole] = frozenset(
    {
        InformantRole.CASEWORKER,
        InformantRole.SCHOOL,
        InformantRole.DAYCARE,
        InformantRole.PSYCHOLOGIST,
        InformantRole.OTHER_PROFESSIONAL,
    }
)
PROVIDER: frozenset[InformantRole] = frozenset({InformantRole.PROVIDER})
CASEWORKER: frozenset[InformantRole] = frozenset({InformantRole.CASEWORKER})
#: The child and the parents.
FAMILY: frozenset[InformantRole] = frozenset(
    {InformantRole.CHILD, InformantRole.MOTHER, InformantRole.FATHER}
)
EVERYONE: frozenset[InformantRole] = PROFESSIONALS | PROVIDER | FAMILY
