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
        (RoundFacts(state="family_dialogue"), E.FINISH_FAMILY_DIALOGUE, {}, ["family_heard"]),
        (RoundFacts(state="collecting"), E.CANCEL, {"reason": "  "}, ["has_reason"]),
    ],
)
def test_guards(facts: RoundFacts, event: E, kwargs: dict[str, str], unmet: list[str]) -> None:
    state = facts.state
    with pytest.raises(GuardFailed) as err:
        machine.fire(Procedure.KL1, facts, event, **kwargs)
    assert err.value.unmet == unmet
    assert facts.state == state  # nothing moved


def test_family_step_passes_with_a_reason_instead_of_scores() -> None:
    facts = RoundFacts(state="family_dialogue")
    assert (
        machine.fire(Procedure.KL2, facts, E.FINISH_FAMILY_DIALOGUE, reason="Mødte ikke op")
        is S.PROVIDER_INFORMATION
    )


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


@pytest.mark.parametrize(
    ("informants", "scored", "reason", "ends"),
    [
        (3, 3, None, True),  # the child and both parents
        (3, 1, None, False),  # one is not enough: the others would vanish from the result
        (3, 2, "Far ønskede ikke at deltage.", True),
        (0, 0, None, False),  # no family at all: say why
        (0, 0, "Familien er ikke inddraget endnu.", True),
    ],
)
def test_the_family_step_ends_when_every_family_informant_scored_or_a_reason_is_given(
    informants: int, scored: int, reason: str | None, ends: bool
) -> None:
    facts = RoundFacts(
        state="family_dialogue", family_informants=informants, family_submissions=scored
    )
    if ends:
        assert machine.fire(Procedure.KL1, facts, E.FINISH_FAMILY_DIALOGUE, reason=reason) is (
            S.COMPLETED
        )
        return
    with pytest.raises(GuardFailed) as err:
        machine.fire(Procedure.KL1, facts, E.FINISH_FAMILY_DIALOGUE, reason=reason)
    assert err.value.unmet == ["family_heard"]


def test_which_steps_need_a_reason_as_things_stand() -> None:
    short = RoundFacts(state="collecting", independent_submissions=1, caseworker_submitted=True)
    assert machine.needs_reason(Procedure.KL1, short) == ["cancel", "close_collection"]
    enough = RoundFacts(state="collecting", independent_submissions=2, caseworker_submitted=True)
    assert machine.needs_reason(Procedure.KL1, enough) == ["cancel"]
    partial = RoundFacts(state="family_dialogue", family_informants=2, family_submissions=1)
    assert "finish_family_dialogue" in machine.needs_reason(Procedure.KL1, partial)


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
