from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.workflow.consensus import (
    DecisionRefused,
    InformantScore,
    OfficialDecision,
    check_decision,
    disagreements,
    order_by_divergence,
    spread,
)
from service.workflow.roles import InformantRole
from service.workflow.scale import BestEnd, Scale

SCALE = Scale(0, 4, BestEnd.LOW)


def _s(i: int, score: int | None) -> InformantScore:
    return InformantScore(i, InformantRole.SCHOOL, f"I{i}", score, None, "")


def test_spread_ignores_cannot_assess() -> None:
    sp = spread([_s(1, 1), _s(2, None), _s(3, 3)])
    assert (sp.minimum, sp.maximum, sp.width, sp.scored) == (1, 3, 2, 2)
    assert sp.diverges(1) and not sp.diverges(2)
    assert spread([_s(1, None)]).width == 0


def test_order_most_divergent_first_then_instrument_order() -> None:
    spreads = {
        "a": spread([_s(1, 1), _s(2, 1)]),
        "b": spread([_s(1, 0), _s(2, 4)]),
        "c": spread([_s(1, 0), _s(2, 1)]),
        "d": spread([_s(1, 2), _s(2, 3)]),
    }
    assert order_by_divergence(spreads, {"a": 1, "b": 2, "c": 3, "d": 4}) == ["b", "c", "d", "a"]


@pytest.mark.parametrize(
    ("decision", "scores", "field", "code"),
    [
        (OfficialDecision(4, 2, ""), [_s(1, 1), _s(2, 2)], "rationale", "rationale_required"),
        (OfficialDecision(2, 2, ""), [_s(1, 0), _s(2, 3)], "rationale", "rationale_required"),
        (OfficialDecision(2, 3, "x"), [_s(1, 2)], "goal", "goal_worse_than_status"),
        (OfficialDecision(2, 5, "x"), [_s(1, 2)], "goal", "off_scale"),
        (OfficialDecision(2, None, "x"), [_s(1, 2)], "goal", "goal_required"),
        (OfficialDecision(5, 4, "x"), [_s(1, 2)], "score", "off_scale"),
        (OfficialDecision(None, 1, "", "Too young"), [_s(1, 2)], "goal", "goal_not_allowed"),
        (
            OfficialDecision(None, None, "", ""),
            [_s(1, 2)],
            "not_assessed_reason",
            "not_assessed_reason_required",
        ),
    ],
)
def test_decisions_refused(
    decision: OfficialDecision, scores: list[InformantScore], field: str, code: str
) -> None:
    """First case outside the informants' range, second they diverge."""
    with pytest.raises(DecisionRefused) as err:
        check_decision(SCALE, decision, spread(scores), 1)
    assert (err.value.field, err.value.code) == (field, code)


def test_decisions_accepted() -> None:
    check_decision(SCALE, OfficialDecision(2, 1, ""), spread([_s(1, 2), _s(2, 3)]), 1)
    check_decision(SCALE, OfficialDecision(4, 2, "Seen at home"), spread([_s(1, 1)]), 1)
    check_decision(SCALE, OfficialDecision(None, None, "", "Not relevant"), spread([_s(1, 1)]), 1)


def test_disagreements_are_the_differing_scores() -> None:
    notes = disagreements([_s(1, 2), _s(2, 3), _s(3, None)], OfficialDecision(2, 1, ""))
    assert [(n.informant.informant_id, n.official_score) for n in notes] == [(2, 2)]


def test_a_differing_goal_alone_is_a_disagreement() -> None:
    """Tabel 1-3: "uenighed om scoring og/eller målfastsættelse"."""
    same_score_other_goal = InformantScore(1, InformantRole.SCHOOL, "I1", 2, 2, "")
    no_goal_proposed = InformantScore(2, InformantRole.SCHOOL, "I2", 2, None, "")
    notes = disagreements([same_score_other_goal, no_goal_proposed], OfficialDecision(2, 1, ""))
    assert [(n.informant.informant_id, n.score_differs, n.goal_differs) for n in notes] == [
        (1, False, True)
    ]


_points = st.integers(min_value=0, max_value=4)


@given(
    scores=st.lists(
        st.tuples(st.one_of(st.none(), _points), st.one_of(st.none(), _points)), max_size=8
    ),
    official=st.one_of(st.none(), st.tuples(_points, _points)),
)
def test_every_differing_position_is_kept_and_only_those(
    scores: list[tuple[int | None, int | None]], official: tuple[int, int] | None
) -> None:
    decision = (
        OfficialDecision(official[0], official[1], "")
        if official
        else OfficialDecision(None, None, "", "Not relevant")
    )
    informants = [
        InformantScore(
            i, InformantRole.SCHOOL, f"I{i}", score, goal if score is not None else None, ""
        )
        for i, (score, goal) in enumerate(scores)
    ]
    kept = {n.informant.informant_id: n for n in disagreements(informants, decision)}
    for s in informants:
        score_differs = s.score is not None and s.score != decision.score
        goal_differs = s.score is not None and s.goal is not None and s.goal != decision.goal
        if score_differs or goal_differs:
            note = kept[s.informant_id]
            assert (note.score_differs, note.goal_differs) == (score_differs, goal_differs)
            assert (note.official_score, note.official_goal) == (decision.score, decision.goal)
        else:
            assert s.informant_id not in kept
