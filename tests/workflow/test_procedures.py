"""The KL tables and the machine, without a database."""

from __future__ import annotations

import pytest

from service.workflow import machine
from service.workflow.machine import GuardFailed, IllegalEvent, RoundFacts
from service.workflow.procedures import (
    PROCEDURES,
    Gathering,
    InformantStep,
    Procedure,
    expected_at,
    gatherings,
    informant_step,
)
from service.workflow.roles import InformantRole as R
from service.workflow.states import RoundEvent as E
from service.workflow.states import RoundState as S
from service.workflow.states import Variant


@pytest.mark.parametrize(
    ("procedure", "variant", "role", "step"),
    [
        (Procedure.KL1, Variant.FIRST_TIME, R.SCHOOL, InformantStep.INDEPENDENT),
        (Procedure.KL1, Variant.FIRST_TIME, R.PROVIDER, InformantStep.MEETING_ONLY),
        (Procedure.KL1, Variant.FOLLOW_UP, R.PROVIDER, InformantStep.INDEPENDENT),
        (Procedure.KL1, Variant.FIRST_TIME, R.CHILD, InformantStep.FAMILY),
        (Procedure.KL2, Variant.FIRST_TIME, R.MOTHER, InformantStep.FAMILY),
        # Tabel 2 has no meeting: the first-time provider is told the result (trin 4).
        (Procedure.KL2, Variant.FIRST_TIME, R.PROVIDER, InformantStep.INFORMED),
        (Procedure.KL2, Variant.FOLLOW_UP, R.PROVIDER, InformantStep.INDEPENDENT),
        (Procedure.KL3, Variant.FIRST_TIME, R.CHILD, InformantStep.INDEPENDENT),
        (Procedure.KL3, Variant.FIRST_TIME, R.FATHER, InformantStep.INDEPENDENT),
        (Procedure.KL3, Variant.FIRST_TIME, R.PROVIDER, InformantStep.MEETING_ONLY),
        (Procedure.KL3, Variant.FOLLOW_UP, R.PROVIDER, InformantStep.INDEPENDENT),
    ],
)
def test_who_scores_when(
    procedure: Procedure, variant: Variant, role: R, step: InformantStep
) -> None:
    assert informant_step(PROCEDURES[procedure], variant, role) is step


def test_the_caseworker_scores_independently_everywhere() -> None:
    for spec in PROCEDURES.values():
        for variant in Variant:
            assert informant_step(spec, variant, R.CASEWORKER) is InformantStep.INDEPENDENT


def test_allowed_events_follow_the_tables() -> None:
    assert machine.allowed_events(Procedure.KL1, S.COLLECTING) == ["cancel", "close_collection"]
    assert machine.allowed_events(Procedure.KL3, S.CONSENSUS) == ["cancel", "finish_consensus"]
    assert machine.allowed_events(Procedure.KL2, S.PROVIDER_INFORMATION) == [
        "cancel",
        "inform_provider",
    ]
    assert machine.allowed_events(Procedure.KL1, S.COMPLETED) == []
    assert machine.allowed_events(Procedure.KL1, S.CANCELLED) == []


def test_fire_moves_and_the_machine_keeps_no_model() -> None:
    facts = RoundFacts(
        state=S.COLLECTING.value, independent_submissions=2, caseworker_submitted=True
    )
    assert machine.fire(Procedure.KL1, facts, E.CLOSE_COLLECTION) is S.CONSENSUS
    assert facts.state == "consensus"
    assert machine._MACHINES[Procedure.KL1].models == []


def test_illegal_event_names_state_and_allowed() -> None:
    with pytest.raises(IllegalEvent) as err:
        machine.fire(Procedure.KL3, RoundFacts(state="consensus"), E.FINISH_FAMILY_DIALOGUE)
    assert err.value.state is S.CONSENSUS
    assert err.value.allowed == ["cancel", "finish_consensus"]


@pytest.mark.parametrize(
    ("facts", "event", "kwargs", "unmet"),
    [
        (
            RoundFacts(state="collecting"),
            E.CLOSE_COLLECTION,
            {},
            ["has_independent_scores", "several_voices"],
        ),
        (
            RoundFacts(state="consensus", unsettled_factors=3),
            E.FINISH_CONSENSUS,
            {},
            ["all_factors_settled"],
        ),
        (
            RoundFacts(state="consensus", unrecorded_attendance=1),
            E.FINISH_CONSENSUS,
            {},
            ["attendance_recorded"],
        ),
        (
            RoundFacts(state="family_dialogue", family_unheard=1),
            E.FINISH_FAMILY_DIALOGUE,
            {"reason": "Familien deltog ikke."},
            ["family_heard"],
        ),
        (RoundFacts(state="collecting"), E.CANCEL, {"reason": "  "}, ["has_reason"]),
    ],
)
def test_guards(facts: RoundFacts, event: E, kwargs: dict[str, str], unmet: list[str]) -> None:
    state = facts.state
    with pytest.raises(GuardFailed) as err:
        machine.fire(Procedure.KL1, facts, event, **kwargs)
    assert err.value.unmet == unmet
    assert facts.state == state  # nothing moved


def test_one_reason_for_the_whole_family_no_longer_ends_its_step() -> None:
    """Each voice is scored or reasoned for per person (family_voices); the event's reason
    is only a note of the dialogue."""
    for procedure in (Procedure.KL1, Procedure.KL2):
        missing = RoundFacts(state="family_dialogue", family_unheard=2)
        with pytest.raises(GuardFailed) as err:
            machine.fire(procedure, missing, E.FINISH_FAMILY_DIALOGUE, reason="Mødte ikke op")
        assert err.value.unmet == ["family_heard"]
        heard = RoundFacts(state="family_dialogue", family_unheard=0)
        assert machine.fire(procedure, heard, E.FINISH_FAMILY_DIALOGUE) in (
            S.COMPLETED,
            S.PROVIDER_INFORMATION,
        )


def test_kl3_closes_its_collection_only_with_the_family_heard() -> None:
    """KL 3 takes the family's scores in trin 1: its collection is the family's step."""
    ready = {"independent_submissions": 3, "caseworker_submitted": True}
    missing = RoundFacts(state="collecting", family_unheard=1, **ready)  # type: ignore[arg-type]
    with pytest.raises(GuardFailed) as err:
        machine.fire(Procedure.KL3, missing, E.CLOSE_COLLECTION, reason="x", by_caseworker=True)
    assert err.value.unmet == ["family_heard"]
    heard = RoundFacts(state="collecting", family_unheard=0, **ready)  # type: ignore[arg-type]
    assert machine.fire(Procedure.KL3, heard, E.CLOSE_COLLECTION) is S.CONSENSUS
    # KL 1 and 2 hear the family in trin 3: their collection does not wait for it.
    early = RoundFacts(state="collecting", family_unheard=1, **ready)  # type: ignore[arg-type]
    assert machine.fire(Procedure.KL1, early, E.CLOSE_COLLECTION) is S.CONSENSUS


@pytest.mark.parametrize(
    ("recipients", "reason", "informs"),
    [(1, None, True), (0, None, False), (0, "Leverandøren er ophørt.", True), (0, " ", False)],
)
def test_kl2_tells_the_provider_or_says_why_not(
    recipients: int, reason: str | None, informs: bool
) -> None:
    facts = RoundFacts(state="provider_information", provider_recipients=recipients)
    if informs:
        assert machine.fire(Procedure.KL2, facts, E.INFORM_PROVIDER, reason=reason) is (S.COMPLETED)
        return
    with pytest.raises(GuardFailed) as err:
        machine.fire(Procedure.KL2, facts, E.INFORM_PROVIDER, reason=reason)
    assert err.value.unmet == ["provider_reached"]


@pytest.mark.parametrize(
    ("scores", "caseworker", "kwargs", "closes"),
    [
        (2, True, {}, True),
        (5, True, {}, True),
        # "Et produkt af flere aktørers vurdering": one voice, or none of the caseworker's,
        # closes only on the caseworker's reasoned word.
        (1, True, {}, False),
        (3, False, {}, False),
        (1, True, {"reason": "Skolen svarede ikke i tide."}, False),  # a reason, not by them
        (1, True, {"reason": "Skolen svarede ikke i tide.", "by_caseworker": True}, True),
        (3, False, {"reason": "Syg.", "by_caseworker": True}, True),
        (1, True, {"reason": "  ", "by_caseworker": True}, False),
    ],
)
def test_closing_the_independent_step_needs_several_voices_or_the_caseworkers_reason(
    scores: int, caseworker: bool, kwargs: dict[str, object], closes: bool
) -> None:
    facts = RoundFacts(
        state="collecting", independent_submissions=scores, caseworker_submitted=caseworker
    )
    if closes:
        assert machine.fire(Procedure.KL1, facts, E.CLOSE_COLLECTION, **kwargs) is S.CONSENSUS
        return
    with pytest.raises(GuardFailed) as err:
        machine.fire(Procedure.KL1, facts, E.CLOSE_COLLECTION, **kwargs)
    assert err.value.unmet == ["several_voices"]


def test_which_steps_need_a_reason_as_things_stand() -> None:
    short = RoundFacts(state="collecting", independent_submissions=1, caseworker_submitted=True)
    assert machine.needs_reason(Procedure.KL1, short) == ["cancel", "close_collection"]
    enough = RoundFacts(state="collecting", independent_submissions=2, caseworker_submitted=True)
    assert machine.needs_reason(Procedure.KL1, enough) == ["cancel"]
    # A voice of the family missing: a reason for the event does not let it through.
    partial = RoundFacts(state="family_dialogue", family_unheard=1)
    assert "finish_family_dialogue" not in machine.needs_reason(Procedure.KL1, partial)
    untold = RoundFacts(state="provider_information")
    assert machine.needs_reason(Procedure.KL2, untold) == ["cancel", "inform_provider"]


def test_who_is_at_each_gathering_follows_the_tables() -> None:
    kl1, kl2, kl3 = (PROCEDURES[p] for p in Procedure)
    assert gatherings(kl1) == (Gathering.MEETING, Gathering.FAMILY_DIALOGUE)
    assert gatherings(kl2) == (Gathering.FAMILY_DIALOGUE,)  # Tabel 2 has no meeting
    assert gatherings(kl3) == (Gathering.MEETING,)
    # Tabel 1, trin 2 first time: "alle ovenstående plus leverandør mødes".
    assert R.PROVIDER in expected_at(kl1, Variant.FIRST_TIME, Gathering.MEETING)
    assert R.MOTHER not in expected_at(kl1, Variant.FIRST_TIME, Gathering.MEETING)
    # Tabel 1, trin 3: "i dialog med socialrådgiver og leverandør"; Tabel 2: the caseworker.
    assert expected_at(kl1, Variant.FOLLOW_UP, Gathering.FAMILY_DIALOGUE) == {
        R.CASEWORKER,
        R.PROVIDER,
    }
    assert expected_at(kl2, Variant.FOLLOW_UP, Gathering.FAMILY_DIALOGUE) == {R.CASEWORKER}
    assert expected_at(kl2, Variant.FIRST_TIME, Gathering.MEETING) == frozenset()
    # Tabel 3: everyone meets, the child and the parents too.
    assert {R.CHILD, R.MOTHER, R.PROVIDER} <= expected_at(
        kl3, Variant.FIRST_TIME, Gathering.MEETING
    )


@pytest.mark.parametrize(
    ("procedure", "variant", "step"),
    [
        (Procedure.KL1, Variant.FIRST_TIME, InformantStep.FAMILY),
        (Procedure.KL2, Variant.FOLLOW_UP, InformantStep.FAMILY),
        # KL 3 hears the family in trin 1: the network scores there, before the meeting.
        (Procedure.KL3, Variant.FIRST_TIME, InformantStep.INDEPENDENT),
        (Procedure.KL3, Variant.FOLLOW_UP, InformantStep.INDEPENDENT),
    ],
)
def test_the_network_scores_in_the_familys_step(
    procedure: Procedure, variant: Variant, step: InformantStep
) -> None:
    spec = PROCEDURES[procedure]
    assert informant_step(spec, variant, R.NETWORK) is step
    # Not expected at the ordinary meeting: only a family council invites it.
    assert R.NETWORK not in expected_at(spec, variant, Gathering.MEETING)


def test_a_meeting_kind_changes_who_attends_never_who_decides() -> None:
    from service.workflow.meetings import (
        DECIDES,
        MeetingKind,
        expected_at_meeting,
        holds_meeting,
    )

    kl3, kl2 = PROCEDURES[Procedure.KL3], PROCEDURES[Procedure.KL2]
    ordinary = expected_at_meeting(kl3, Variant.FOLLOW_UP, MeetingKind.CONSENSUS)
    council = expected_at_meeting(kl3, Variant.FOLLOW_UP, MeetingKind.FAMILY_COUNCIL)
    assert ordinary == expected_at(kl3, Variant.FOLLOW_UP, Gathering.MEETING)
    assert council - ordinary == {R.NETWORK}
    network = expected_at_meeting(
        PROCEDURES[Procedure.KL1], Variant.FIRST_TIME, MeetingKind.NETWORK_MEETING
    )
    assert {R.MOTHER, R.FATHER, R.SCHOOL, R.PROVIDER} <= network and R.NETWORK not in network
    # KL 2 has no meeting to give a kind; the caseworker decides in every kind.
    assert (
        not holds_meeting(kl2)
        and expected_at_meeting(kl2, Variant.FOLLOW_UP, MeetingKind.FAMILY_COUNCIL) == set()
    )
    assert {R.CASEWORKER} == DECIDES
    # The tables that decide are the same whatever the kind: it is no input to them.
    assert all(
        "kind" not in g
        for spec in PROCEDURES.values()
        for tr in spec.transitions
        for g in tr.guards
    )
