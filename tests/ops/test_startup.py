"""What a process does at start-up so that its first requests do not wait."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import fastapi.routing
import httpx
import pytest
from sqlalchemy import Engine

from service.config import Settings
from service.main import create_app
from service.rendering.templates import templates


@asynccontextmanager
async def started(settings: Settings, engine: Engine) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app once its start-up has run, as a process's first visitor sees it."""
    app = create_app(settings, engine=engine)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as http,
    ):
        yield http


async def test_every_route_is_prepared_before_the_first_request(
    settings: Settings, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FastAPI prepares a route (its dependencies, its validators) the first time a request
    walks past it; the start-up does it for every route, so that the first page after a
    start does not wait for all the API's (some 0.3 s on these machines)."""
    prepared: list[str] = []
    prepare = fastapi.routing._populate_api_route_state

    def counted(route: Any, path: str, *args: Any, **kwargs: Any) -> None:
        prepared.append(path)
        prepare(route, path, *args, **kwargs)

    monkeypatch.setattr(fastapi.routing, "_populate_api_route_state", counted)
    async with started(settings, engine) as http:
        at_start = len(prepared)
        for path in ("/login", "/api/v1/reports/agreement", "/nothing-here"):
            await http.get(path)
    assert at_start > 200, at_start
    assert prepared[at_start:] == []


async def test_a_page_is_not_matched_against_the_apis_routes(
    settings: Settings, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every API route lies under /api/v1: a page's path is not tried against each of them
    (some 0.7 ms of CPU a pass), and the API's paths still find theirs."""
    tried: list[str] = []
    matches = fastapi.routing.APIRoute.matches

    def counted(route: fastapi.routing.APIRoute, scope: Any) -> Any:
        tried.append(route.endpoint.__module__)
        return matches(route, scope)

    async with started(settings, engine) as http:
        monkeypatch.setattr(fastapi.routing.APIRoute, "matches", counted)
        assert (await http.get("/login")).status_code == 200
        on_page = list(tried)
        tried.clear()
        assert (await http.get("/api/v1/openapi.json")).status_code == 200
        r = await http.get("/api/v1/cases")
        assert r.status_code == 401, r.text  # found, and asks who is asking
    assert on_page and not [m for m in on_page if m.startswith("service.api.")], on_page
    assert "service.api.cases" in tried, tried


async def test_the_pages_templates_are_compiled_before_the_first_request(
    settings: Settings, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Jinja compiles a template when it is first rendered (some 15 ms each); the start-up
    compiles every page's, so that the first visitors after a start do not wait for it."""
    assert templates.env.cache is not None  # Jinja keeps what it compiled
    templates.env.cache.clear()  # as in a process that has rendered nothing yet
    compiled: list[str | None] = []
    compile_ = templates.env.compile

    def counted(source: Any, name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        compiled.append(name)
        return compile_(source, name, *args, **kwargs)

    monkeypatch.setattr(templates.env, "compile", counted)
    async with started(settings, engine) as http:
        at_start = len(compiled)
        for path in ("/login", "/nothing-here", "/l/not-a-token"):
            assert (await http.get(path)).status_code in (200, 404), path
    assert at_start > 50, at_start
    assert compiled[at_start:] == []
