"""The load test's own logic: the busy hour it derives, and how it reads its ledger and the
receivers' counts (bench/load/). The load test itself is a benchmark, not part of the suite."""

from __future__ import annotations

import json
from collections import Counter

from bench.load.checks import Ledger, delivery, duplicates
from bench.load.rates import Municipality, busy_hour


def test_the_busy_hour_follows_from_the_municipality() -> None:
    hour = busy_hour()
    # 1,274 children at three rounds a year, and 600 new cases: 4,422 rounds a year; on 220
    # days, twice the average day, in 8 hours, twice the average hour: 10 rounds an hour.
    assert hour.rounds_a_year == 4422
    assert round(hour.rounds, 2) == 10.05
    assert round(hour.submissions, 1) == 50.2
    assert hour.invitations == hour.submissions
    assert round(hour.meeting_views, 1) == 60.3
    assert hour.case_views == 480 and hour.report_views == 24 and hour.polls == 60


def test_a_six_monthly_cadence_makes_fewer_rounds() -> None:
    assert busy_hour(Municipality(follow_up_months=6)).rounds_a_year == 1274 * 2 + 600
    assert busy_hour().scaled(10).submissions == busy_hour().submissions * 10


def _lines(*entries: dict[str, object]) -> list[str]:
    return [json.dumps(e) for e in entries]


def test_the_ledger_counts_requests_acknowledgements_and_retries() -> None:
    ledger = Ledger.of(
        _lines(
            {"request": "GET /cases", "start": 100.0, "ms": 50, "status": 200, "failed": False},
            {"request": "GET /cases", "start": 100.2, "ms": 150, "status": 200, "failed": False},
            {"request": "POST /x", "start": 100.5, "ms": 900, "status": 502, "failed": True},
            {"retry": "POST /x", "attempt": 0, "status": 502},
            {"recovered": "POST /x", "attempts": 2},
            {"ack": "submission", "token": "t1"},
            {"ack": "submission", "token": "t2"},
        )
    )
    endpoints = {e.name: e for e in ledger.endpoints()}
    assert endpoints["GET /cases"].percentile(50) == 50
    assert endpoints["GET /cases"].percentile(99) == 150
    assert endpoints["POST /x"].errors == 1
    assert [a["token"] for a in ledger.acks["submission"]] == ["t1", "t2"]
    assert (ledger.retries, ledger.recovered, ledger.gave_up) == (1, 1, 0)
    # At 100.3 s the second GET and nothing else was on its way; at 101 s only the POST.
    assert ledger.in_flight(100.3) == 1
    assert ledger.in_flight(101.0) == 1
    assert ledger.in_flight(102.0) == 0
    assert ledger.failed() == 1


def test_a_message_received_twice_or_never_is_told() -> None:
    received = Counter({1: 1, 2: 2, 4: 1})
    assert duplicates(received) == {2: 2}
    d = delivery([1, 2, 3], received)
    assert (d.sent, d.received, d.missing, d.duplicated, d.strangers) == (3, 4, 1, 1, 1)
    assert not d.exact
    assert delivery([1, 2], Counter({1: 1, 2: 1})).exact
