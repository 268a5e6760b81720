"""The kinds of consensus meeting (mødeformer), from Kolding's practice (`003`): the ordinary
consensus meeting of the procedure, a family council (familierådslagning) where the family and
its own network sit at the table, and a cross-disciplinary network meeting (tværfagligt
netværkssamarbejdsmøde) of the professionals around the child with the parents.

A kind changes who is invited to the meeting and whose attendance the caseworker records;
never who decides: in every kind the caseworker sets the official scores, and the procedures'
tables and their guards stay as they are.
"""

from __future__ import annotations

from enum import StrEnum

from service.workflow.procedures import (
    Gathering,
    ProcedureSpec,
    expected_at,
    gatherings,
)
from service.workflow.roles import (
    CASEWORKER,
    FAMILY,
    NETWORK,
    PROFESSIONALS,
    PROVIDER,
    InformantRole,
)
from service.workflow.states import Variant


class MeetingKind(StrEnum):
    """How the consensus meeting is held (mødeform)."""

    CONSENSUS = "consensus"  # the ordinary consensus meeting (konsensusmøde)
    FAMILY_COUNCIL = "family_council"  # familierådslagning
    NETWORK_MEETING = "network_meeting"  # tværfagligt netværksmøde


#: Who each kind invites besides those the procedure's table has at the meeting.
INVITED: dict[MeetingKind, frozenset[InformantRole]] = {
    MeetingKind.CONSENSUS: frozenset(),
    MeetingKind.FAMILY_COUNCIL: FAMILY | NETWORK,
    MeetingKind.NETWORK_MEETING: PROFESSIONALS
    | PROVIDER
    | {InformantRole.MOTHER, InformantRole.FATHER},
}
#: Who decides at the meeting, whatever its kind: the caseworker.
DECIDES: frozenset[InformantRole] = CASEWORKER


def holds_meeting(spec: ProcedureSpec) -> bool:
    """Whether the procedure has a meeting that a kind can be given to (not KL 2)."""
    return Gathering.MEETING in gatherings(spec)


def expected_at_meeting(
    spec: ProcedureSpec, variant: Variant, kind: MeetingKind
) -> frozenset[InformantRole]:
    """Who is expected at the meeting of this kind: the table's set and those the kind invites;
    each of them is recorded as present or absent by the caseworker."""
    if not holds_meeting(spec):
        return frozenset()
    return expected_at(spec, variant, Gathering.MEETING) | INVITED[kind]
