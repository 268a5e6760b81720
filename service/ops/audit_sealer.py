"""The audit trail's background work in each process: the buffered read events written in
batches, and every municipality's unsealed events chained (`service.models.audit_chain`).

It runs in every service instance and in `konsensus worker`. Several sealers may share one
PostgreSQL database: each municipality's chain is sealed by one of them at a time (the
others skip it until the next turn).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine

from service.models import audit_chain

log = logging.getLogger(__name__)


class AuditSealer:
    """Writes the process's read events every `flush_seconds`, and seals every
    `seal_seconds`; both once more on the way out."""

    def __init__(self, engine: Engine, flush_seconds: float, seal_seconds: float) -> None:
        self.engine = engine
        self.flush_seconds = flush_seconds
        self.seal_seconds = seal_seconds
        self.sealed = 0

    def flush_reads(self) -> int:
        return audit_chain.read_buffer(self.engine).flush()

    def seal(self) -> int:
        count = audit_chain.seal_pending(self.engine)
        self.sealed += count
        return count

    async def run(self, stop: asyncio.Event) -> None:
        next_seal = time.monotonic()
        while not stop.is_set():
            try:
                if time.monotonic() >= next_seal:
                    await run_in_threadpool(self.seal)  # writes the reads first
                    next_seal = time.monotonic() + self.seal_seconds
                else:
                    await run_in_threadpool(self.flush_reads)
            except Exception:  # the database away, say: the next turn tries again
                log.exception("audit sealer: turn failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.flush_seconds)
        try:
            await run_in_threadpool(self.seal)
        except Exception:
            log.exception("audit sealer: last turn failed; buffered read events are lost")
