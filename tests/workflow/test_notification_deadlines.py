"""Kolding's clock from the notification (underretning), without a database: the plan is due
14 days after it was received, the outcome checkpoint about two months after."""

from __future__ import annotations

from datetime import date

import pytest

from service.workflow import notification
from service.workflow.notification import DeadlineKind, DeadlineState

RECEIVED = date(2026, 11, 30)


def test_the_plan_is_due_in_14_days_and_the_checkpoint_in_two_months() -> None:
    plan, checkpoint = notification.deadlines(RECEIVED, today=RECEIVED)
    assert (plan.kind, plan.due_on) == (DeadlineKind.PLAN, date(2026, 12, 14))
    assert (checkpoint.kind, checkpoint.due_on) == (DeadlineKind.CHECKPOINT, date(2027, 1, 30))
    assert plan.state is checkpoint.state is DeadlineState.UPCOMING
    assert plan.days_left == 14


def test_month_ends_do_not_overflow() -> None:
    _, checkpoint = notification.deadlines(date(2026, 12, 31), today=date(2026, 12, 31))
    assert checkpoint.due_on == date(2027, 2, 28)


@pytest.mark.parametrize(
    ("today", "state", "days_left"),
    [
        (date(2026, 12, 10), DeadlineState.UPCOMING, 4),
        (date(2026, 12, 11), DeadlineState.AT_RISK, 3),
        (date(2026, 12, 14), DeadlineState.AT_RISK, 0),
        (date(2026, 12, 15), DeadlineState.OVERDUE, -1),
    ],
)
def test_a_plan_not_yet_made_is_at_risk_three_days_before_and_overdue_after(
    today: date, state: DeadlineState, days_left: int
) -> None:
    plan, _ = notification.deadlines(RECEIVED, today=today)
    assert (plan.state, plan.days_left) == (state, days_left)


def test_the_checkpoint_is_at_risk_two_weeks_before() -> None:
    _, checkpoint = notification.deadlines(RECEIVED, today=date(2027, 1, 16))
    assert checkpoint.state is DeadlineState.AT_RISK
    _, checkpoint = notification.deadlines(RECEIVED, today=date(2027, 1, 15))
    assert checkpoint.state is DeadlineState.UPCOMING


def test_a_met_deadline_stays_met_and_says_whether_it_was_late() -> None:
    plan, checkpoint = notification.deadlines(
        RECEIVED,
        today=date(2027, 6, 1),
        plan_made_on=date(2026, 12, 16),
        checkpoint_held_on=date(2027, 1, 20),
    )
    assert plan.state is checkpoint.state is DeadlineState.MET
    assert plan.late and not checkpoint.late
    assert plan.met_on == date(2026, 12, 16)


def test_the_first_round_is_due_before_the_plan() -> None:
    """The answers of the baseline round are in by the day the plan is due, so that the
    plan is made from them."""
    assert notification.baseline_round_due(RECEIVED) == date(2026, 12, 14)


def test_a_notification_cannot_be_received_in_the_future() -> None:
    with pytest.raises(ValueError, match="after today"):
        notification.check_received(date(2026, 12, 8), today=date(2026, 12, 7))
    notification.check_received(date(2026, 12, 7), today=date(2026, 12, 7))


def test_the_worst_state_of_a_notification_orders_the_work_list() -> None:
    plan, checkpoint = notification.deadlines(RECEIVED, today=date(2026, 12, 15))
    assert notification.most_urgent((plan, checkpoint)) is plan
    plan, checkpoint = notification.deadlines(
        RECEIVED, today=date(2027, 1, 20), plan_made_on=date(2026, 12, 10)
    )
    assert notification.most_urgent((plan, checkpoint)) is checkpoint
    plan, checkpoint = notification.deadlines(
        RECEIVED,
        today=date(2027, 1, 20),
        plan_made_on=date(2026, 12, 10),
        checkpoint_held_on=date(2027, 1, 19),
    )
    assert notification.most_urgent((plan, checkpoint)) is None
