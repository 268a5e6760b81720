"""Dependencies shared by the routers, as `Annotated` aliases defined once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import Engine
from sqlmodel import Session

from service.auth.actor import Actor
from service.auth.tokens import TokenConfig
from service.clock import Clock
from service.config import Settings
from service.db import new_reports_session, new_session
from service.models import tenancy
from service.schemas.common import MAX_PAGE_SIZE, PageParams
from service.usecases.administration.auth import actor_from_token

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


# Dependencies that only read the application's state are `async`: FastAPI then runs them on
# the event loop instead of handing each to a worker thread and back.
async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


SettingsDep = Annotated[Settings, Depends(get_settings)]
ClockDep = Annotated[Clock, Depends(get_clock)]


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session and transaction per request, committed before the response is sent.

    Every request writes (reads of a child's data are audited), so on SQLite each takes the
    write lock when its first statement runs (BEGIN IMMEDIATE): concurrent requests queue
    instead of failing when a reader tries to become a writer. Endpoints commit in their own
    worker thread (`UnitOfWorkRoute`); what is left here is finished in one, too.
    """
    session = new_session(get_engine(request), write=True)
    try:
        yield session
        if session.in_transaction():
            await run_in_threadpool(session.commit)
    finally:
        if session.in_transaction():
            await run_in_threadpool(session.close)  # rolls back: it talks to the database
        else:
            session.close()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def token_config(settings: Settings) -> TokenConfig:
    return TokenConfig(
        secret=settings.secret_key.get_secret_value(),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        lifetime=timedelta(minutes=settings.access_token_minutes),
        previous=settings.previous_secrets,
    )


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def carries_staff_credentials(request: Request) -> bool:
    """Whether the request comes from a staff browser (a logged-in session) or carries API
    credentials: a personal link is the informant's alone, and staff who enter an
    informant's scores do so on the informant's behalf, recorded as such."""
    if request.headers.get("authorization"):
        return True
    session = request.scope.get("session")
    return isinstance(session, dict) and isinstance(session.get("staff_id"), int)


def get_actor(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> Actor:
    """The authenticated staff user or integrator client; binds the session to its municipality."""
    from service.errors import Unauthorized

    if not token:
        raise Unauthorized(
            "Send a bearer access token from /api/v1/auth/token.", code="missing_token"
        )
    actor = actor_from_token(session, token_config(settings), token, client_address(request))
    tenancy.bind_session(session, actor.municipality_id)
    return actor


CurrentActor = Annotated[Actor, Depends(get_actor)]


@asynccontextmanager
async def reports_session(
    request: Request, primary: Session, municipality_id: int
) -> AsyncIterator[Session]:
    """The session a leader's report reads its figures through: on the reports' replica
    where one is configured (`reports_database_url`), else the request's own session. The
    read's audit event is written by the request's session either way."""
    replica: Engine | None = request.app.state.reports_engine
    if replica is None:
        yield primary
        return
    session = new_reports_session(replica, primary, municipality_id)
    try:
        yield session
    finally:
        if session.in_transaction():
            await run_in_threadpool(session.close)  # ends the read on the replica
        else:
            session.close()


async def get_reports_session(
    request: Request, session: SessionDep, actor: CurrentActor
) -> AsyncIterator[Session]:
    async with reports_session(request, session, actor.municipality_id) as found:
        yield found


ReportsSessionDep = Annotated[Session, Depends(get_reports_session, scope="function")]


async def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Page size")] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


PageDep = Annotated[PageParams, Depends(page_params)]
