"""Liveness and readiness, for a load balancer or an orchestrator.

`/livez`: the process runs and answers (restart it if not). `/readyz`: send it traffic: the
database answers, its schema is one this code can run on, and the in-process dispatcher has
been round its loop recently. `/healthz` is the readiness check under its older name.

Where the leaders' reports read from a replica, readiness also says whether it answers and
how old its figures are. It does not decide readiness: without the replica every other
request is served, and the reports answer 503 with Retry-After until it is back.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text

from service.errors import problem_response
from service.ops.availability import RETRY_AFTER_SECONDS, UNAVAILABLE, first_line

router = APIRouter(include_in_schema=False)


@dataclass
class Heartbeat:
    """When a background loop last came round; read by the readiness check."""

    stale_after: float
    last: float | None = field(default=None)

    def beat(self) -> None:
        self.last = time.monotonic()

    def age(self) -> float | None:
        return None if self.last is None else time.monotonic() - self.last

    def fresh(self) -> bool:
        age = self.age()
        return age is not None and age <= self.stale_after


def schema_state(engine: Engine) -> str:
    """`ok` at head, or ahead of this code (a newer release migrated first, as an upgrade
    does); `behind` or `empty` when this code needs migrations the database lacks."""
    from service.migrations import current_revisions, head_revisions, known_revisions

    current = current_revisions(engine)
    if current == head_revisions():
        return "ok"
    if not current:
        return "empty"
    if current - known_revisions():
        return "ok"  # unknown to this code: newer
    return "behind"


def check(engine: Engine, heartbeat: Heartbeat | None) -> dict[str, str]:
    checks: dict[str, str] = {}
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
        checks["schema"] = schema_state(engine)
    except UNAVAILABLE as error:
        checks["database"] = f"unavailable: {first_line(error)}"[:200]
    if heartbeat is not None:
        age = heartbeat.age()
        checks["dispatcher"] = (
            "ok" if heartbeat.fresh() else ("not started" if age is None else f"stale: {age:.0f}s")
        )
    return checks


#: How old a replica's figures are: the moment they are from (`service.db.figures_as_of`).
_REPLICA_AGE = text(
    "SELECT extract(epoch FROM now() - CASE WHEN pg_is_in_recovery() THEN "
    "greatest(pg_last_xact_replay_timestamp(), (pg_control_checkpoint()).checkpoint_time) "
    "ELSE now() END)"
)


def replica_state(replica: Engine) -> str:
    """`ok, figures N s old`, or why the reports' replica cannot be read."""
    try:
        with replica.connect() as connection:
            age = float(connection.execute(_REPLICA_AGE).scalar_one() or 0)
    except UNAVAILABLE as error:
        return f"unavailable: {first_line(error)}"[:200]
    return f"ok, figures {age:.0f} s old"


@router.get("/livez")
async def livez() -> dict[str, str]:
    return {"status": "ok"}


async def _ready(request: Request) -> JSONResponse:
    heartbeat: Heartbeat | None = getattr(request.app.state, "dispatcher_heartbeat", None)
    checks = await run_in_threadpool(check, request.app.state.engine, heartbeat)
    body: dict[str, Any] = {"checks": checks}
    replica: Engine | None = getattr(request.app.state, "reports_engine", None)
    if replica is not None:
        body["reports_replica"] = await run_in_threadpool(replica_state, replica)
    if all(v == "ok" for v in checks.values()):
        return JSONResponse({"status": "ready", **body})
    return problem_response(
        503,
        "not_ready",
        "Not ready",
        "; ".join(f"{k}: {v}" for k, v in checks.items() if v != "ok"),
        instance=request.url.path,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        **body,
    )


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    return await _ready(request)


@router.get("/healthz")
async def healthz(request: Request) -> JSONResponse:
    return await _ready(request)
