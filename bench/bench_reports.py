"""Benchmark at the size of a municipality (or the country): the pages a leader and a
caseworker open every day, on data made by `konsensus demo --scale`.

    .venv/bin/python -m bench.bench_reports                    # a temporary SQLite database
    .venv/bin/python -m bench.bench_reports --database-url postgresql://postgres@127.0.0.1/DB

Without a database URL it generates the municipality scale into a temporary SQLite file;
with one, it generates what is missing there (a second run reuses the data). Requests go
through the whole app in process (ASGI), so the figures are the service's own time.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import httpx

from service.clock import SystemClock
from service.config import Environment, Settings
from service.db import make_engine
from service.generator.run import GENERATED_PASSWORD, ScaleName, generate
from service.main import create_app
from service.migrations import migrate

SECRET = "benchmark-secret-0123456789-0123456789-abcdef"


def timed(seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"median {statistics.median(ms):8.1f} ms   p95 {p95:8.1f} ms   (n={len(ms)})"


async def measure(call: Callable[[], Awaitable[httpx.Response]], repeat: int) -> list[float]:
    first = await call()  # warm-up, and a check that it answers
    if first.status_code != 200:
        raise RuntimeError(f"{first.request.url} answered {first.status_code}: {first.text[:300]}")
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = await call()
        seconds.append(time.perf_counter() - started)
        assert response.status_code == 200
    return seconds


async def page_client(app: object, username: str) -> httpx.AsyncClient:
    """A browser-like client logged in to the staff pages."""
    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
        base_url="http://bench",
        timeout=120,
    )
    login = await http.get("/login")
    found = re.search(r'name="csrf" value="([^"]+)"', login.text)
    assert found, "no CSRF token on the login page"
    r = await http.post(
        "/login",
        data={"csrf": found.group(1), "username": username, "password": GENERATED_PASSWORD},
    )
    assert r.status_code == 303, f"login of {username} failed: {r.status_code}"
    return http


async def api_client(app: object, username: str) -> httpx.AsyncClient:
    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
        base_url="http://bench",
        timeout=120,
    )
    r = await http.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": username, "password": GENERATED_PASSWORD},
    )
    assert r.status_code == 200, r.text
    http.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
    return http


async def daily_pages(app: object, code: str, repeat: int) -> None:
    print(f"\nPages opened every day (municipality {code}), {repeat} requests each:")
    who = {
        "caseworker": f"sagsbehandler1@{code}.demo.konsensus.dk",
        "team leader": f"leder1@{code}.demo.konsensus.dk",
        "administrator": f"admin1@{code}.demo.konsensus.dk",
    }
    for label, username in who.items():
        pages = await page_client(app, username)
        api = await api_client(app, username)
        listed = (await api.get("/api/v1/due", params={"include_later": "true"})).json()
        due = listed["items"]
        print(f"  {label} ({listed['total']} active cases visible, pages of {listed['limit']})")
        calls: list[tuple[str, httpx.AsyncClient, str, dict[str, str]]] = [
            ("cases page  GET /cases", pages, "/cases", {}),
            ("due list    GET /api/v1/due", api, "/api/v1/due", {"include_later": "true"}),
            ("cases API   GET /api/v1/cases", api, "/api/v1/cases", {}),
        ]
        if label == "caseworker" and due:
            calls.append(("case page   GET /cases/{id}", pages, f"/cases/{due[0]['case_id']}", {}))
        for name, http, path, params in calls:
            seconds = await measure(partial(http.get, path, params=params), repeat)
            print(f"    {name:<34} {timed(seconds)}")
        await pages.aclose()
        await api.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a temporary SQLite database")
    parser.add_argument("--scale", choices=[s.value for s in ScaleName], default="municipality")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    scale = ScaleName(args.scale)
    tmp = None
    url = args.database_url
    if url is None:
        tmp = tempfile.TemporaryDirectory()
        url = f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    engine = make_engine(url)
    migrate(engine)
    started = time.perf_counter()
    result = generate(engine, scale, seed=args.seed, as_of=datetime.now(UTC).date())
    print(
        f"Generator ({scale.value}, {engine.dialect.name}): {result.children} children, "
        f"{result.rows} rows in {time.perf_counter() - started:.1f} s"
        + (f" (already present: {len(result.skipped)} municipalities)" if result.skipped else "")
    )
    settings = Settings(
        environment=Environment.DEVELOPMENT,
        database_url=url,
        secret_key=SECRET,
        dispatcher="off",
    )
    app = create_app(settings, engine=engine, clock=SystemClock())
    code = "900" if scale is ScaleName.MUNICIPALITY else "101"
    asyncio.run(daily_pages(app, code, args.repeat))
    engine.dispose()
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
