"""The rhythm of rounds, without a database: the next round is due from the date this one was
planned for, so rounds completed late keep the rhythm."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.workflow import cadence
from service.workflow.cadence import Interval

_intervals = st.one_of(
    st.builds(Interval, months=st.integers(min_value=1, max_value=12)),
    st.builds(Interval, weeks=st.integers(min_value=1, max_value=26)),
)


@given(
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    interval=_intervals,
    delays=st.lists(st.integers(min_value=0, max_value=400), min_size=1, max_size=8),
)
def test_late_rounds_do_not_push_the_later_ones(
    start: date, interval: Interval, delays: list[int]
) -> None:
    """Whatever the delays, the n-th round is due n intervals on from the first plan."""
    planned = start
    completed = start
    for delay in delays:
        completed = planned + timedelta(days=delay)  # when it happened: never used below
        planned = cadence.next_due(cadence.planned_for(planned, completed), interval)
    expected = start
    for _ in delays:
        expected = interval.after(expected)
    assert planned == expected


@given(
    planned=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    interval=_intervals,
    delay=st.integers(min_value=-30, max_value=1500),
)
def test_the_next_round_is_never_due_in_the_past(
    planned: date, interval: Interval, delay: int
) -> None:
    """The first date of the rhythm after the completion; the ones before it were skipped."""
    completed = planned + timedelta(days=delay)
    due = cadence.next_due(planned, interval, completed)
    skipped = cadence.skipped(planned, interval, completed)
    rhythm = [interval.after(planned, n) for n in range(1, len(skipped) + 2)]
    assert [*skipped, due] == rhythm
    assert due > completed
    assert all(d <= completed for d in skipped)


def test_a_round_planned_for_january_2025_completed_in_december_2026() -> None:
    planned, four_months = date(2025, 1, 17), Interval(months=4)
    assert cadence.next_due(planned, four_months, date(2026, 12, 7)) == date(2027, 1, 17)
    assert cadence.skipped(planned, four_months, date(2026, 12, 7)) == [
        date(2025, 5, 17),
        date(2025, 9, 17),
        date(2026, 1, 17),
        date(2026, 5, 17),
        date(2026, 9, 17),
    ]
    # On time: nothing skipped.
    assert cadence.skipped(planned, four_months, date(2025, 1, 20)) == []


def test_the_first_round_is_planned_for_its_due_date() -> None:
    assert cadence.planned_for(None, date(2026, 3, 1)) == date(2026, 3, 1)
    assert cadence.planned_for(date(2026, 2, 1), date(2026, 3, 1)) == date(2026, 2, 1)


def test_the_most_frequent_rhythm_of_several_measures_is_followed() -> None:
    assert cadence.shortest([Interval(months=3), Interval(weeks=6), Interval(months=6)]) == (
        Interval(weeks=6)
    )
    assert cadence.shortest([]) is None


@pytest.mark.parametrize(("months", "weeks"), [(0, 0), (1, 1), (-1, 0)])
def test_an_interval_is_months_or_weeks(months: int, weeks: int) -> None:
    with pytest.raises(ValueError, match="months or some weeks"):
        Interval(months=months, weeks=weeks)
