from __future__ import annotations

import pytest

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
