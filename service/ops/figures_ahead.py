"""The leaders' figures worked out ahead, in the background of the process that delivers the
outbox (the service instance with the dispatcher in-process, or `konsensus worker`): every
`seconds`, the agreement report's views whose data changed are worked out and kept
(`service.usecases.reports.agreement_ahead`).

A loop of its own, not a step of the dispatcher's tick: a municipality's views take seconds to
work out after rounds complete, and invitations and webhooks are not held up meanwhile. Of two
workers on one PostgreSQL database, one works a municipality's views out at a time; should
both keep a view, the last one's figures, from the same or newer data, stay.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine

from service.clock import Clock
from service.usecases.reports.agreement_ahead import AheadResult, work_ahead

log = logging.getLogger(__name__)

#: How often the views' fingerprints are read: a leader's read within this long of a round
#: completing works its figures out itself (correct, only slower).
SECONDS = 60.0


class FiguresAhead:
    def __init__(self, engine: Engine, clock: Clock, seconds: float = SECONDS) -> None:
        self.engine = engine
        self.clock = clock
        self.seconds = seconds
        self.turns = 0
        self.worked_out = 0

    def turn(self) -> AheadResult:
        found = work_ahead(self.engine, self.clock.now())
        self.turns += 1
        self.worked_out += found.worked_out
        return found

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await run_in_threadpool(self.turn)
            except Exception:  # the database away, say: the next turn tries again
                log.exception("figures ahead: turn failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.seconds)
