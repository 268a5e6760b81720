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
    #: The family's private network (privat netværk): grandparents, neighbours, a coach.
    NETWORK = "network"


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
#: The family's private network: scores in the family's step of each procedure where the
#: caseworker adds it, and is never one of the voices that step owes (`family_voices`).
NETWORK: frozenset[InformantRole] = frozenset({InformantRole.NETWORK})


class Audience(StrEnum):
    """Who reads a form's words: an instrument carries its factors in the words of each."""

    PARENTS = "parents"  # plain words, "du"
    MOTHER = "mother"  # a factor about the mother, as the mother reads it ("dig og dit barn")
    FATHER = "father"
    CHILD = "child"  # the question in a child's words


def audiences_for(role: InformantRole) -> tuple[Audience, ...]:
    """The wordings a role reads, the most particular first; professionals read the
    instrument's own words."""
    if role is InformantRole.MOTHER:
        return (Audience.MOTHER, Audience.PARENTS)
    if role is InformantRole.FATHER:
        return (Audience.FATHER, Audience.PARENTS)
    if role is InformantRole.CHILD:
        return (Audience.CHILD,)
    return ()
