"""The ASGI application: `service.main:app`."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from sqlalchemy import Engine

from service.api.idempotency import IdempotencyKeys
from service.api.router import api_router
from service.auth import oidc, passwords, throttle
from service.clock import Clock, SystemClock
from service.config import Settings, get_settings
from service.db import make_engine, make_reports_engine
from service.errors import install_handlers
from service.notifications.dispatcher import Dispatcher, Policy, senders_for
from service.openapi import install as install_openapi
from service.openapi import render as render_openapi
from service.ops import availability, health, logs, metrics
from service.ops.audit_sealer import AuditSealer
from service.ops.figures_ahead import FiguresAhead
from service.ops.middleware import Observe
from service.rendering import templates as pages
from service.usecases.data_rights.retention import Periods
from service.usecases.procedure.schedule import run_tick
from service.web.app import install_pages
from service.web.security import BodyLimit

API_DESCRIPTION = """\
Konsensus lets a municipality score how a child in a vulnerable position is doing, with
everyone who knows the child, and follow the score over time (the Århus / KL concept of
outcome documentation).

Authenticate at `POST /api/v1/auth/token` (OAuth2: password grant for staff,
client credentials for case systems) and send `Authorization: Bearer <token>`.
Every error is RFC 9457 `application/problem+json` with a stable `code`.
"""


def create_app(
    settings: Settings | None = None, *, engine: Engine | None = None, clock: Clock | None = None
) -> FastAPI:
    settings = settings or get_settings()
    engine = engine or make_engine(settings.database_url, echo=settings.database_echo)
    reports_engine = make_reports_engine(
        settings.database_url, settings.reports_database_url, echo=settings.database_echo
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # FastAPI prepares a router's routes (their dependencies and validators) when a
        # request first walks past them: some 0.5 s for all of them, which the first request
        # after a start would wait for (a page walks every API route first). Done here, before
        # any request, and before the objects are frozen below.
        for _ in iter_route_contexts(app.routes):
            pass
        # Likewise the pages' templates, which Jinja compiles when first rendered.
        pages.compile_all()
        # What exists at start-up (modules, models, schemas: some 150 000 objects) lives as
        # long as the process. Left to the collector, each full collection walks all of it and
        # stops every request for ~0.1 s; frozen, it is never walked again. Garbage is
        # collected first, or it would be kept for good.
        gc.collect()
        gc.freeze()
        logs.configure(settings.log_format, settings.log_level)
        # The outbox is delivered in-process by default; `konsensus worker` does it apart.
        stop = asyncio.Event()
        task = ahead = None
        if settings.dispatcher == "inprocess":
            dispatcher = Dispatcher(
                engine,
                app.state.clock,
                Policy.of(settings),
                senders_for(settings, engine, app.state.clock),
                tick=partial(
                    run_tick, base_url=settings.public_base_url, periods=Periods.of(settings)
                ),
                heartbeat=app.state.dispatcher_heartbeat,
            )
            task = asyncio.create_task(dispatcher.run(stop, settings.dispatcher_interval_seconds))
            # Beside the deliveries, where they run: one process works the figures out.
            ahead = asyncio.create_task(FiguresAhead(engine, app.state.clock).run(stop))
        sealer = AuditSealer(engine, settings.audit_read_flush_seconds, settings.audit_seal_seconds)
        sealing = asyncio.create_task(sealer.run(stop))
        yield
        stop.set()
        if task is not None:
            await task
        if ahead is not None:
            await ahead
        await sealing
        engine.dispose()
        if reports_engine is not None:
            reports_engine.dispose()

    app = FastAPI(
        title="Konsensus",
        version="1.0.0",
        description=API_DESCRIPTION,
        lifespan=lifespan,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.reports_engine = reports_engine
    app.state.clock = clock or SystemClock()
    store = throttle.store_for(settings.throttle_store, settings.redis_url, settings.redis_prefix)
    app.state.link_throttle = throttle.GuessThrottle(store, settings.link_guess_limit_per_minute)
    app.state.login_throttle = throttle.LoginThrottle(
        store,
        throttle.LoginPolicy(
            settings.login_free_failures_per_account,
            settings.login_free_failures_per_address,
            settings.login_delay_seconds,
            settings.login_delay_ceiling_seconds,
            timedelta(seconds=settings.login_failure_window_seconds),
        ),
    )
    passwords.limit_checks(settings.password_checks_at_once)
    app.state.identity_providers = oidc.ProviderDirectory(
        settings.identity_provider_timeout_seconds
    )
    # Readiness asks after the in-process dispatcher only; `konsensus worker` runs apart.
    app.state.dispatcher_heartbeat = (
        health.Heartbeat(stale_after=dispatcher_stale_after(settings))
        if settings.dispatcher == "inprocess"
        else None
    )
    install_handlers(app)
    availability.install(app)
    app.include_router(health.router)
    app.include_router(metrics.router)
    app.include_router(api_router)
    install_openapi(app)
    install_pages(app, settings)
    app.add_middleware(IdempotencyKeys)
    # Outside everything that reads a body (the idempotency keys' hash included).
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(Observe)  # outermost: counts and times everything, errors included
    return app


def dispatcher_stale_after(settings: Settings) -> float:
    """How long the dispatcher may go without coming round its loop before the instance is
    not ready: a few idle waits, or one batch held to its lease."""
    return max(30.0, 5 * settings.dispatcher_interval_seconds) + settings.delivery_lease_seconds


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of a freshly built app: what `make openapi` commits."""
    return create_app().openapi()


def write_openapi(path: str | Path) -> None:
    Path(path).write_text(render_openapi(openapi_document()), encoding="utf-8")


app = create_app()
