"""Kolding's clock from the notification (underretning): the day it is received is time zero;
the plan (indsatsplanen, barnets plan where one is made) or the decision on what happens next
is due 14 days later, and the outcome checkpoint, where the child should be in noticeably
better health and development, about two months later (Kolding's note, L665-673).

Each deadline is upcoming, at risk (within its warning days), overdue, or met (with the day,
and whether that was late). Plain functions: no HTTP, no SQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from dateutil.relativedelta import relativedelta

#: Days from the notification to the plan.
PLAN_DAYS = 14
#: Months from the notification to the outcome checkpoint.
CHECKPOINT_MONTHS = 2
#: How many days before its date a deadline not yet met is at risk.
PLAN_WARNING_DAYS = 3
CHECKPOINT_WARNING_DAYS = 14


class NotificationSource(StrEnum):
    """Who made the notification, in general terms only (never a name)."""

    SCHOOL = "school"
    DAYCARE = "daycare"
    HEALTH = "health"  # sundhedspleje, egen læge, tandpleje
    HOSPITAL = "hospital"
    POLICE = "police"
    MUNICIPALITY = "municipality"  # another of the municipality's services
    PARENT = "parent"
    PRIVATE_PERSON = "private_person"
    ANONYMOUS = "anonymous"
    OTHER = "other"


class DeadlineKind(StrEnum):
    PLAN = "plan"
    CHECKPOINT = "checkpoint"


class DeadlineState(StrEnum):
    UPCOMING = "upcoming"
    AT_RISK = "at_risk"
    OVERDUE = "overdue"
    MET = "met"


#: Most urgent first: how the work lists order notifications.
_URGENCY = (DeadlineState.OVERDUE, DeadlineState.AT_RISK, DeadlineState.UPCOMING)


@dataclass(frozen=True, slots=True)
class Deadline:
    kind: DeadlineKind
    due_on: date
    state: DeadlineState
    days_left: int  # negative when overdue
    met_on: date | None = None
    late: bool = False  # met after its date


def plan_due(received_on: date) -> date:
    return received_on + relativedelta(days=PLAN_DAYS)


def checkpoint_due(received_on: date) -> date:
    """Two calendar months on; a month end that the later month lacks becomes its last day."""
    return received_on + relativedelta(months=CHECKPOINT_MONTHS)


def baseline_round_due(received_on: date) -> date:
    """The baseline round's answers are due by the plan's day: the plan is made from them."""
    return plan_due(received_on)


def check_received(received_on: date, *, today: date) -> None:
    """A notification is received today or earlier."""
    if received_on > today:
        raise ValueError(f"received_on cannot be after today ({today.isoformat()})")


def _deadline(
    kind: DeadlineKind, due_on: date, warning: int, today: date, met_on: date | None
) -> Deadline:
    days_left = (due_on - today).days
    if met_on is not None:
        return Deadline(kind, due_on, DeadlineState.MET, days_left, met_on, met_on > due_on)
    if days_left < 0:
        state = DeadlineState.OVERDUE
    elif days_left <= warning:
        state = DeadlineState.AT_RISK
    else:
        state = DeadlineState.UPCOMING
    return Deadline(kind, due_on, state, days_left)


def deadlines(
    received_on: date,
    *,
    today: date,
    plan_made_on: date | None = None,
    checkpoint_held_on: date | None = None,
) -> tuple[Deadline, Deadline]:
    """The plan's deadline and the checkpoint's, as they stand `today`."""
    return (
        _deadline(DeadlineKind.PLAN, plan_due(received_on), PLAN_WARNING_DAYS, today, plan_made_on),
        _deadline(
            DeadlineKind.CHECKPOINT,
            checkpoint_due(received_on),
            CHECKPOINT_WARNING_DAYS,
            today,
            checkpoint_held_on,
        ),
    )


def most_urgent(items: Iterable[Deadline]) -> Deadline | None:
    """The deadline that needs doing first, or None when all are met."""
    open_ = [d for d in items if d.state is not DeadlineState.MET]
    if not open_:
        return None
    return min(open_, key=lambda d: (_URGENCY.index(d.state), d.due_on))
