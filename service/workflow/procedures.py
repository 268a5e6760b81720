"""KL's three example procedures (`002` Tabel 1-3), each as one small declarative table.

Read them side by side with DOMAIN.md §5. The first-time and follow-up variants share one
state graph; they differ in who scores independently in step 1 (the provider, once chosen,
scores from the first follow-up on) and who meets in step 2.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from service.workflow.roles import (
    CASEWORKER,
    EVERYONE,
    FAMILY,
    NETWORK,
    PROFESSIONALS,
    PROVIDER,
    InformantRole,
)
from service.workflow.states import RoundEvent as E
from service.workflow.states import RoundState as S
from service.workflow.states import Variant


class Procedure(StrEnum):
    """KL's example procedures for scoring and goal setting (Tabel 1-3)."""

    KL1 = "kl1"
    KL2 = "kl2"
    KL3 = "kl3"


FIRST, FOLLOW_UP = Variant.FIRST_TIME, Variant.FOLLOW_UP
#: The states a round can be cancelled from.
CANCELLABLE = (S.DRAFT, S.COLLECTING, S.CONSENSUS, S.FAMILY_DIALOGUE, S.PROVIDER_INFORMATION)


class Consensus(StrEnum):
    """How the official score is set in step 2."""

    MEETING = "meeting"  # all meet; on disagreement the caseworker decides
    CASEWORKER_ALONE = "caseworker_alone"  # the caseworker collects the scores and decides


@dataclass(frozen=True, slots=True)
class Transition:
    event: E
    source: tuple[S, ...]
    dest: S
    guards: tuple[str, ...] = ()


#: Trin 1 closes on scores, from several informants and the caseworker among them (the score is
#: "et produkt af flere aktørers vurdering"), or the caseworker confirms it short, with a reason.
CLOSE_GUARDS = ("has_independent_scores", "several_voices")
#: Trin 2 at a meeting ends with every factor settled and everyone expected there recorded as
#: present or absent: nobody is taken to have come without the caseworker's word.
MEETING_GUARDS = ("all_factors_settled", "attendance_recorded")


def t(event: E, source: S | tuple[S, ...], dest: S, *guards: str) -> Transition:
    return Transition(event, source if isinstance(source, tuple) else (source,), dest, guards)


@dataclass(frozen=True, slots=True)
class ProcedureSpec:
    procedure: Procedure
    #: Trin 1: who scores (and, in KL 2, sets goals) independently.
    independent: dict[Variant, frozenset[InformantRole]]
    #: Trin 2: how the official score and goal are set, and who meets (nobody: no meeting).
    consensus: Consensus
    meeting: dict[Variant, frozenset[InformantRole]]
    #: Trin 3: who scores in dialogue after step 2 (kept as notes), and with whom.
    family: frozenset[InformantRole]
    dialogue: frozenset[InformantRole]
    #: Trin 4: the provider is informed of the result.
    informs_provider: bool
    transitions: tuple[Transition, ...]
    #: The progress line: the states a round passes through, in order.
    steps: tuple[S, ...] = field(default=())


# Tabel 1. Trin 1: caseworker and professionals score separately (follow-up: and the provider).
# Trin 2: all of them plus the provider meet; the caseworker decides on disagreement.
# Trin 3: child and parents score in dialogue; step 2's score is reported, theirs kept as notes.
# The family's private network, where the caseworker adds it, scores in that step too.
KL1 = ProcedureSpec(
    procedure=Procedure.KL1,
    independent={FIRST: PROFESSIONALS, FOLLOW_UP: PROFESSIONALS | PROVIDER},
    consensus=Consensus.MEETING,
    meeting={FIRST: PROFESSIONALS | PROVIDER, FOLLOW_UP: PROFESSIONALS | PROVIDER},
    family=FAMILY | NETWORK,
    dialogue=CASEWORKER | PROVIDER,
    informs_provider=False,
    transitions=(
        t(E.OPEN, S.DRAFT, S.COLLECTING),
        t(E.CLOSE_COLLECTION, S.COLLECTING, S.CONSENSUS, *CLOSE_GUARDS),
        t(E.FINISH_CONSENSUS, S.CONSENSUS, S.FAMILY_DIALOGUE, *MEETING_GUARDS),
        t(E.FINISH_FAMILY_DIALOGUE, S.FAMILY_DIALOGUE, S.COMPLETED, "family_heard"),
        t(E.CANCEL, CANCELLABLE, S.CANCELLED, "has_reason"),
    ),
    steps=(S.COLLECTING, S.CONSENSUS, S.FAMILY_DIALOGUE, S.COMPLETED),
)

# Tabel 2. Trin 1: as KL 1, scores and goals. Trin 2: the caseworker sets score and goal alone.
# Trin 3: child and parents in dialogue; step 2's score is reported. Trin 4: provider informed.
KL2 = ProcedureSpec(
    procedure=Procedure.KL2,
    independent={FIRST: PROFESSIONALS, FOLLOW_UP: PROFESSIONALS | PROVIDER},
    consensus=Consensus.CASEWORKER_ALONE,
    meeting={FIRST: frozenset(), FOLLOW_UP: frozenset()},
    family=FAMILY | NETWORK,
    dialogue=CASEWORKER,
    informs_provider=True,
    transitions=(
        t(E.OPEN, S.DRAFT, S.COLLECTING),
        t(E.CLOSE_COLLECTION, S.COLLECTING, S.CONSENSUS, *CLOSE_GUARDS),
        t(E.FINISH_CONSENSUS, S.CONSENSUS, S.FAMILY_DIALOGUE, "all_factors_settled"),
        t(E.FINISH_FAMILY_DIALOGUE, S.FAMILY_DIALOGUE, S.PROVIDER_INFORMATION, "family_heard"),
        t(E.INFORM_PROVIDER, S.PROVIDER_INFORMATION, S.COMPLETED, "provider_reached"),
        t(E.CANCEL, CANCELLABLE, S.CANCELLED, "has_reason"),
    ),
    steps=(S.COLLECTING, S.CONSENSUS, S.FAMILY_DIALOGUE, S.PROVIDER_INFORMATION, S.COMPLETED),
)

# Tabel 3. Trin 1: everyone, child and parents too (follow-up: and the provider), separately;
# so trin 1 is where the family must be heard, and where the family's network scores (Kolding:
# "barnet/den unge, forældrene, netværket og fagprofessionelle voksne") where it is added.
# Trin 2: all of them plus the provider meet; the caseworker decides on disagreement.
KL3 = ProcedureSpec(
    procedure=Procedure.KL3,
    independent={FIRST: (EVERYONE - PROVIDER) | NETWORK, FOLLOW_UP: EVERYONE | NETWORK},
    consensus=Consensus.MEETING,
    meeting={FIRST: EVERYONE, FOLLOW_UP: EVERYONE},
    family=frozenset(),
    dialogue=frozenset(),
    informs_provider=False,
    transitions=(
        t(E.OPEN, S.DRAFT, S.COLLECTING),
        t(E.CLOSE_COLLECTION, S.COLLECTING, S.CONSENSUS, *CLOSE_GUARDS, "family_heard"),
        t(E.FINISH_CONSENSUS, S.CONSENSUS, S.COMPLETED, *MEETING_GUARDS),
        t(E.CANCEL, CANCELLABLE, S.CANCELLED, "has_reason"),
    ),
    steps=(S.COLLECTING, S.CONSENSUS, S.COMPLETED),
)

PROCEDURES: dict[Procedure, ProcedureSpec] = {spec.procedure: spec for spec in (KL1, KL2, KL3)}


class Gathering(StrEnum):
    """Where people meet in a procedure, and whose presence is recorded."""

    MEETING = "meeting"  # trin 2 of KL 1 and 3: "alle ovenstående (plus leverandør) mødes"
    FAMILY_DIALOGUE = "family_dialogue"  # trin 3 of KL 1 and 2: "i dialog med socialrådgiver..."


#: The state in which the people at each gathering are ticked off.
GATHERING_STATE: dict[Gathering, S] = {
    Gathering.MEETING: S.CONSENSUS,
    Gathering.FAMILY_DIALOGUE: S.FAMILY_DIALOGUE,
}


def gatherings(spec: ProcedureSpec) -> tuple[Gathering, ...]:
    meets = spec.consensus is Consensus.MEETING
    return (Gathering.MEETING,) * meets + (Gathering.FAMILY_DIALOGUE,) * bool(spec.family)


def expected_at(
    spec: ProcedureSpec, variant: Variant, gathering: Gathering
) -> frozenset[InformantRole]:
    """Who the table expects at a gathering: each of them is recorded as present or absent by
    the caseworker, and is not recorded until then."""
    if gathering not in gatherings(spec):
        return frozenset()
    if gathering is Gathering.MEETING:
        return spec.meeting[variant]
    return spec.dialogue


class InformantStep(StrEnum):
    """When an informant scores."""

    INDEPENDENT = "independent"  # trin 1, before the consensus
    FAMILY = "family"  # trin 3, after the official score is set
    MEETING_ONLY = "meeting_only"  # takes part in the meeting without a score of its own
    INFORMED = "informed"  # trin 4 (KL 2): is told the result, without a score of its own


def informant_step(spec: ProcedureSpec, variant: Variant, role: InformantRole) -> InformantStep:
    if role in spec.independent[variant]:
        return InformantStep.INDEPENDENT
    if role in spec.family:
        return InformantStep.FAMILY
    if role in spec.meeting[variant]:
        return InformantStep.MEETING_ONLY
    if spec.informs_provider and role is InformantRole.PROVIDER:
        return InformantStep.INFORMED
    raise ValueError(f"{role.value} has no part in {spec.procedure.value} ({variant.value})")


#: The state in which each kind of informant may submit.
SCORING_STATE: dict[InformantStep, S] = {
    InformantStep.INDEPENDENT: S.COLLECTING,
    InformantStep.FAMILY: S.FAMILY_DIALOGUE,
}


def guarded_from(spec: ProcedureSpec, guard: str) -> frozenset[S]:
    """The states from which a step of the table waits on `guard`."""
    return frozenset(s for tr in spec.transitions if guard in tr.guards for s in tr.source)


def family_step_states(spec: ProcedureSpec) -> frozenset[S]:
    """Where the caseworker may record why the child or a parent does not score: from the
    draft until the step that takes the family's scores ends (trin 3 of KL 1 and 2, trin 1
    of KL 3)."""
    order = (S.DRAFT, *spec.steps)
    end = max(order.index(s) for s in guarded_from(spec, "family_heard"))
    return frozenset(order[: end + 1])
