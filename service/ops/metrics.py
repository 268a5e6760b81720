"""Metrics in the Prometheus text format, at `/metrics`.

Counters and histograms live in one registry per process; the state of the work (rounds by
state, the outbox's depth and age) is read from the database at each scrape, so every
instance reports the same figures. Labels name routes, states and channels: never a
municipality, a person, a case or a token.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, text
from starlette.responses import Response

from service.ops.availability import UNAVAILABLE

log = logging.getLogger("konsensus.metrics")

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)

REQUESTS = Counter(
    "konsensus_http_requests",
    "HTTP requests answered, by route template and status.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "konsensus_http_request_duration_seconds",
    "Time from a request's arrival to the end of its response, by route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
THROTTLED = Counter(
    "konsensus_throttled_requests",
    "Requests refused with 429: guessed personal links (link_guess) and logins (login).",
    ["kind"],
    registry=REGISTRY,
)
DATABASE_UNAVAILABLE = Counter(
    "konsensus_database_unavailable",
    "Requests answered 503 because the database could not be reached.",
    registry=REGISTRY,
)
DELIVERIES = Counter(
    "konsensus_deliveries",
    "Delivery attempts by channel and result (sent, retry, failed, lease_lost).",
    ["channel", "result"],
    registry=REGISTRY,
)

_ROUNDS = text("SELECT state, count(*) FROM scoring_round GROUP BY state")
_OUTBOX = text(
    "SELECT channel, status, count(*), min(created_at) FROM outbox_message "
    "WHERE status IN ('pending', 'failed') GROUP BY channel, status"
)


def _as_utc(value: object) -> datetime | None:
    if isinstance(value, str):  # SQLite hands back text for an aggregate
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


class WorkState(Collector):
    """Read at each scrape: what waits in the database, summed over every municipality."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterable[Metric]:
        up = GaugeMetricFamily("konsensus_database_up", "1 if the database answered the scrape.")
        rounds = GaugeMetricFamily("konsensus_rounds", "Scoring rounds by state.", labels=["state"])
        depth = GaugeMetricFamily(
            "konsensus_outbox_messages",
            "Messages not delivered: pending (still trying) and failed (gave up), by channel.",
            labels=["channel", "status"],
        )
        age = GaugeMetricFamily(
            "konsensus_outbox_oldest_pending_age_seconds",
            "Age of the oldest message still pending, by channel.",
            labels=["channel"],
        )
        try:
            with self.engine.connect() as connection:
                for state, count in connection.execute(_ROUNDS):
                    rounds.add_metric([str(state)], float(count))
                now = datetime.now(UTC)
                for channel, status, count, oldest in connection.execute(_OUTBOX):
                    depth.add_metric([str(channel), str(status)], float(count))
                    created = _as_utc(oldest)
                    if status == "pending" and created is not None:
                        age.add_metric([str(channel)], max(0.0, (now - created).total_seconds()))
            up.add_metric([], 1.0)
        except UNAVAILABLE:
            up.add_metric([], 0.0)
        yield from (up, rounds, depth, age)


def exposition(engine: Engine) -> bytes:
    state = CollectorRegistry(auto_describe=False)
    state.register(WorkState(engine))
    return generate_latest(REGISTRY) + generate_latest(state)


router = APIRouter(include_in_schema=False)


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    body = await run_in_threadpool(exposition, request.app.state.engine)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
