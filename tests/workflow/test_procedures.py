"""The KL tables and the machine, without a database."""

from __future__ import annotations

import pytest

from service.workflow import machine
from service.workflow.machine import GuardFailed, IllegalEvent, RoundFacts
from service.workflow.procedures import PROCEDURES, InformantStep, Procedure, informant_step
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
    facts = RoundFacts(state=S.COLLECTING.value, independent_submissions=2)
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
        (RoundFacts(state="collecting"), E.CLOSE_COLLECTION, {}, ["has_independent_scores"]),
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
