"""Injectable time, so that tests move the clock instead of sleeping; and the one local time
the service reckons days in (a due date, "today", a date typed on a page)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

#: Danish time: what a caseworker's "today" and a family's deadline mean.
LOCAL_TIME = ZoneInfo("Europe/Copenhagen")


def local_date(moment: datetime) -> date:
    """The Danish date of a moment: between 22 or 23 o'clock and midnight UTC, already the
    next day's."""
    return moment.astimezone(LOCAL_TIME).date()


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that stands still until moved; for tests and demo data."""

    def __init__(self, at: datetime) -> None:
        self._now = at

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, at: datetime) -> None:
        self._now = at
