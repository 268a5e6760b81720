"""Throttling of link guessing: past a few unknown tokens a minute from one address, 429. The
count is kept in the store that every process shares (`service.auth.throttle`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlmodel import Session
from starlette.requests import Request

from service.auth.throttle import GuessThrottle
from service.clock import Clock
from service.errors import TooManyRequests

T = TypeVar("T")


def guarded(
    request: Request, session: Session, find: Callable[[], T], unknown: type[Exception]
) -> T:
    """Run a personal-link lookup; each `unknown` link counts against the caller's address,
    and an address past the limit is refused before anything is looked up. The failure is
    counted in a transaction of its own: the request's, with nothing else in it, rolled
    back first and then committed with the count."""
    throttle: GuessThrottle = request.app.state.link_throttle
    clock: Clock = request.app.state.clock
    address = request.client.host if request.client else "unknown"
    wait = throttle.blocked(session, address, clock.now())
    if wait:
        raise TooManyRequests(
            "Too many unknown links from this address; wait a minute.", retry_after=wait
        )
    try:
        return find()
    except unknown:
        session.rollback()
        throttle.fail(session, address, clock.now())
        session.commit()
        raise
