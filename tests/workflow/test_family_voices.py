"""Whose voice the family's step owes: the child always, each parent in the round; each is
heard by scoring or by the caseworker's reason for that person."""

from __future__ import annotations

import pytest

from service.workflow.family_voices import REASONS, FamilyMember, NotHeardReason, owed, unheard
from service.workflow.roles import InformantRole as R

MOTHER = FamilyMember(11, R.MOTHER, "Hanne Holm", scored=True)
FATHER = FamilyMember(12, R.FATHER, "Jens Holm", scored=False)
CHILD = FamilyMember(13, R.CHILD, "Emma", scored=False)


def test_the_child_is_owed_a_voice_even_when_not_an_informant() -> None:
    voices = owed([MOTHER])
    assert [(v.role, v.informant_id) for v in voices] == [(R.CHILD, None), (R.MOTHER, 11)]
    # A round with only the mother: finishing would leave the child never asked.
    assert [(v.role, v.informant_id) for v in unheard([MOTHER], [])] == [(R.CHILD, None)]


@pytest.mark.parametrize(
    ("members", "reasoned", "missing"),
    [
        ([MOTHER, FATHER, CHILD], [], [(R.FATHER, 12), (R.CHILD, 13)]),
        ([MOTHER, FATHER, CHILD], [(R.FATHER, 12)], [(R.CHILD, 13)]),
        ([MOTHER, FATHER, CHILD], [(R.FATHER, 12), (R.CHILD, 13)], []),
        # The reason recorded for the absent child does not stand for the child informant.
        ([MOTHER, CHILD], [(R.CHILD, None)], [(R.CHILD, 13)]),
        ([], [], [(R.CHILD, None)]),
        ([], [(R.CHILD, None)], []),
        # A reason for a parent who is not in the round changes nothing.
        ([MOTHER], [(R.FATHER, 99), (R.CHILD, None)], []),
    ],
)
def test_each_voice_is_scored_or_reasoned_for_per_person(
    members: list[FamilyMember],
    reasoned: list[tuple[R, int | None]],
    missing: list[tuple[R, int | None]],
) -> None:
    assert [v.key for v in unheard(members, reasoned)] == missing


def test_age_or_maturity_is_a_reason_for_the_child_alone() -> None:
    assert NotHeardReason.AGE_OR_MATURITY in REASONS[R.CHILD]
    assert NotHeardReason.AGE_OR_MATURITY not in REASONS[R.MOTHER]
    assert NotHeardReason.AGE_OR_MATURITY not in REASONS[R.FATHER]
