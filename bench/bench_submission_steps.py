"""Benchmark: where a link submission's CPU goes, step by step, beside the bare insert's.

    .venv/bin/python -m bench.bench_submission_steps [--database-url URL] [--requests N]

Nothing is served: the service's app and the bare endpoint (`bench/bare_app.py`) are called
in this process, one request at a time, so no wait for a lock, the GIL or a free thread is
counted, only work. The CPU of the thread that runs each step of the submission is added up
per step; what the request cost the process beyond its endpoint's thread is the framework's
(the middlewares, routing, dependencies, validation of the body, encoding of the answer, the
hand-over to a worker thread). Prints each step's CPU per submission in µs with its share,
and the bare insert's whole CPU per request for scale (`bench_rounds`' targets compare the
two under load).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import importlib
import json
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from bench.bench_rounds import SECRET, prepare, scores_body
from service.config import get_settings

#: The steps of a link submission, in the order they run: (module, function, what it does).
#: A step's figure includes the steps it calls; `STEPS_WITHIN` says which those are.
STEPS = (
    ("service.api.links", "_save_through_link", "the endpoint, before its commit"),
    (
        "service.auth.throttle",
        "GuessThrottle.blocked",
        "guess throttle's check (first statement: a pooled connection, BEGIN)",
    ),
    ("service.usecases.collection.link_access", "lock_link", "link found, its round locked"),
    ("service.usecases.collection.submissions", "save_via_link", "the use case"),
    ("service.usecases.collection.submissions", "record_opening", "first opening recorded"),
    ("service.usecases.collection.submissions", "_save", "the submission stored"),
    ("service.usecases.collection.submissions", "_insert_if_absent", "submission row inserted"),
    ("service.usecases.collection.submissions", "_when_all_submitted", "'all submitted?' count"),
    ("service.usecases.collection.submissions", "submission_public", "the answer built"),
    ("sqlalchemy.orm.session", "Session.commit", "the commit, with the audit event"),
    ("service.models.audit_chain", "write_pending", "the audit event inserted"),
    # Not part of the request, but of the process's CPU while it serves submissions.
    ("service.ops.audit_sealer", "AuditSealer.seal", "the audit sealer (off the request path)"),
)
STEPS_WITHIN = {
    "the endpoint, before its commit": (
        "guess throttle's check (first statement: a pooled connection, BEGIN)",
        "link found, its round locked",
        "the use case",
    ),
    "the use case": ("first opening recorded", "the submission stored", "the answer built"),
    "the submission stored": ("submission row inserted", "'all submitted?' count"),
    "the commit, with the audit event": ("the audit event inserted",),
}


class Steps:
    """Thread CPU per step, added up over the calls."""

    def __init__(self) -> None:
        self.nanoseconds: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()

    @contextmanager
    def timing(self) -> Iterator[None]:
        """Count each step while inside; the functions are put back after."""
        originals: list[tuple[object, str, Any]] = []
        for module_name, path, label in STEPS:
            owner: Any = importlib.import_module(module_name)
            *outer, name = path.split(".")
            for part in outer:
                owner = getattr(owner, part)
            original = getattr(owner, name)
            originals.append((owner, name, original))
            setattr(owner, name, self._timed(original, label))
        try:
            yield
        finally:
            for owner, name, original in originals:
                setattr(owner, name, original)

    def _timed(self, function: Callable[..., Any], label: str) -> Callable[..., Any]:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.thread_time_ns()
            try:
                return function(*args, **kwargs)
            finally:
                self.nanoseconds[label] += time.thread_time_ns() - started
                self.calls[label] += 1

        return timed


async def call(app: Any, method: str, path: str, body: dict[str, Any] | None = None) -> int:
    """One request straight into the ASGI app (no server, no client library to count)."""
    payload = json.dumps(body).encode() if body is not None else b""
    headers = [(b"host", b"127.0.0.1"), (b"content-length", str(len(payload)).encode())]
    if body is not None:
        headers.append((b"content-type", b"application/json"))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
        "root_path": "",
    }
    delivered = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": payload, "more_body": False}
        await asyncio.Event().wait()  # the client never goes away
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])

    await app(scope, receive, send)
    return status


async def measure(url: str, requests: int) -> None:
    os.environ.update(
        {
            "KONSENSUS_DATABASE_URL": url,
            "KONSENSUS_SECRET_KEY": SECRET,
            "KONSENSUS_ENVIRONMENT": "test",
            "KONSENSUS_LINK_GUESS_LIMIT_PER_MINUTE": "1000",
            "KONSENSUS_DISPATCHER": "off",  # nothing else at work in the process
            "KONSENSUS_LOG_LEVEL": "WARNING",
        }
    )
    get_settings.cache_clear()  # read from the environment just set
    fixture = prepare(url, requests)
    from bench import bare_app
    from service.main import create_app

    app = create_app()
    body = scores_body()
    async with app.router.lifespan_context(app):
        for _ in range(20):  # the first requests compile what every later one reuses
            await call(bare_app.app, "GET", "/healthz")
        warm = max(1, requests // 10)
        for target in fixture.bare_targets[:warm]:
            assert await call(bare_app.app, "POST", "/submit", target) == 200
        for token in fixture.tokens[:warm]:
            assert await call(app, "POST", f"/api/v1/links/{token}/submission", body) == 200
        bare_targets, tokens = fixture.bare_targets[warm:], fixture.tokens[warm:]

        started = time.process_time_ns()
        for target in bare_targets:
            assert await call(bare_app.app, "POST", "/submit", target) == 200
        bare = (time.process_time_ns() - started) / len(bare_targets) / 1000

        steps = Steps()
        with steps.timing():
            started = time.process_time_ns()
            for token in tokens:
                status = await call(app, "POST", f"/api/v1/links/{token}/submission", body)
                assert status == 200, status
            whole = (time.process_time_ns() - started) / len(tokens) / 1000
    report(steps, len(tokens), whole, bare)


def report(steps: Steps, n: int, whole: float, bare: float) -> None:
    per = {label: steps.nanoseconds[label] / n / 1000 for _, _, label in STEPS}
    endpoint = (
        per["the endpoint, before its commit"]
        + per["the commit, with the audit event"]
        + per["the audit sealer (off the request path)"]
    )
    print(f"{n} submissions, one at a time; CPU per submission in µs (share of the whole)")
    print(f"  {'the whole request':<70} {whole:7.0f}  100%")
    framework = whole - endpoint
    label = "  the framework (outside the endpoint thread)"
    print(f"  {label:<70} {framework:7.0f}  {framework / whole:4.0%}")
    depth = {label: 1 for _, _, label in STEPS}
    for parent, children in STEPS_WITHIN.items():
        for child in children:
            depth[child] = depth[parent] + 1
    for _, _, label in STEPS:
        inner = sum(per[c] for c in STEPS_WITHIN.get(label, ()))
        own = f"  (own {per[label] - inner:.0f})" if label in STEPS_WITHIN else ""
        name = "  " * depth[label] + label
        print(f"  {name:<70} {per[label]:7.0f}  {per[label] / whole:4.0%}{own}")
    print(f"the bare insert, whole request: {bare:.0f} µs; a submission: {whole / bare:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--requests", type=int, default=600)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/steps.db"
        print(f"database: {url.split('@')[-1]}", flush=True)
        asyncio.run(measure(url, args.requests))


if __name__ == "__main__":
    main()
