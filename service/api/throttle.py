"""Throttling of link guessing: past a few unknown tokens a minute from one address, 429."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from typing import TypeVar

from starlette.requests import Request

from service.errors import TooManyRequests

T = TypeVar("T")


class GuessThrottle:
    """A sliding one-minute window of failed lookups per client address (per process)."""

    def __init__(self, limit_per_minute: int = 10, window_seconds: float = 60.0) -> None:
        self.limit = limit_per_minute
        self.window = window_seconds
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _prune(self, address: str, now: float) -> deque[float]:
        failures = self._failures[address]
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def blocked(self, address: str) -> int:
        """Seconds until `address` may try again, or 0."""
        now = time.monotonic()
        with self._lock:
            failures = self._prune(address, now)
            if len(failures) < self.limit:
                return 0
            return max(1, int(failures[0] + self.window - now) + 1)

    def fail(self, address: str) -> None:
        with self._lock:
            now = time.monotonic()
            self._prune(address, now).append(now)
            if len(self._failures) > 10_000:  # bound memory under a spray of addresses
                for key in [k for k, v in self._failures.items() if not v]:
                    del self._failures[key]


def guarded(request: Request, find: Callable[[], T], unknown: type[Exception]) -> T:
    """Run a personal-link lookup; each `unknown` link counts against the caller's address,
    and an address past the limit is refused before anything is looked up."""
    throttle: GuessThrottle = request.app.state.link_throttle
    address = request.client.host if request.client else "unknown"
    wait = throttle.blocked(address)
    if wait:
        raise TooManyRequests(
            "Too many unknown links from this address; wait a minute.", retry_after=wait
        )
    try:
        return find()
    except unknown:
        throttle.fail(address)
        raise
