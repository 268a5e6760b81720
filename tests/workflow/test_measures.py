"""The period a round evaluates, and which measures were in force in it."""

from __future__ import annotations

from datetime import date

from service.workflow.measures import Period, in_force, round_period


def test_a_first_round_runs_from_its_opening_and_a_follow_up_from_the_last_round() -> None:
    assert round_period(date(2026, 3, 1), date(2026, 3, 15), None) == Period(
        date(2026, 3, 1), date(2026, 3, 15)
    )
    assert round_period(date(2026, 9, 1), date(2026, 9, 15), date(2026, 3, 20)) == Period(
        date(2026, 3, 20), date(2026, 9, 15)
    )


def test_a_measure_is_in_force_when_it_overlaps_the_period() -> None:
    span = Period(date(2026, 3, 20), date(2026, 9, 15))
    assert in_force(date(2026, 1, 1), None, span)
    assert in_force(date(2026, 1, 1), date(2026, 3, 20), span)  # ended on the first day
    assert in_force(date(2026, 9, 15), None, span)  # starts on the last day
    assert not in_force(date(2026, 1, 1), date(2026, 3, 19), span)
    assert not in_force(date(2026, 9, 16), None, span)
