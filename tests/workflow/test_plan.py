"""The plan's rules without a database: a row's factors, which rounds follow a row, and the
rows grouped per factor beside the goals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from service.workflow.plan import MAX_FACTORS, PlanRule, by_factor, can_follow, check_factors
from service.workflow.states import RoundState

FORM = ["udvikling", "familie", "skole", "fritid"]
NOW = datetime(2026, 12, 9, 10, tzinfo=UTC)


def test_a_row_serves_known_factors_each_once() -> None:
    assert check_factors(["skole", "fritid", "skole"], FORM) == ["skole", "fritid"]
    for keys, field in (([], "factor_keys"), (["skole", "lykke"], "factor_keys")):
        with pytest.raises(PlanRule) as refused:
            check_factors(keys, FORM)
        assert refused.value.field == field
    with pytest.raises(PlanRule):
        check_factors([f"f{n}" for n in range(MAX_FACTORS + 1)], [f"f{n}" for n in range(20)])


def test_a_row_is_followed_at_rounds_opened_while_it_was_in_force() -> None:
    can_follow(row_ended_at=None, round_state=RoundState.COMPLETED, round_created_at=NOW)
    can_follow(row_ended_at=NOW, round_state=RoundState.CONSENSUS, round_created_at=NOW)
    with pytest.raises(PlanRule) as ended:
        can_follow(
            row_ended_at=NOW, round_state=RoundState.DRAFT, round_created_at=NOW + timedelta(1)
        )
    assert ended.value.field == "row_id"
    with pytest.raises(PlanRule) as cancelled:
        can_follow(row_ended_at=None, round_state=RoundState.CANCELLED, round_created_at=NOW)
    assert cancelled.value.field == "round_id"


def test_rows_stand_under_every_factor_they_serve_in_the_forms_order() -> None:
    grouped = by_factor(FORM, [(["fritid", "skole"], "AKT"), (["skole"], "Hanne"), (["old"], "x")])
    assert [(g.factor_key, g.rows) for g in grouped] == [
        ("skole", ["AKT", "Hanne"]),
        ("fritid", ["AKT"]),
        ("old", ["x"]),
    ]
