"""What the load run's figures and checks are made of: plain functions over the ledger's
lines and the receivers' counts, with no database and no HTTP (tested in
tests/bench/test_load.py)."""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Endpoint:
    name: str
    latencies: list[float] = field(default_factory=list)  # ms
    errors: int = 0

    def percentile(self, q: float) -> float:
        """The nearest-rank percentile (q in 0-100) of the latencies, in ms."""
        ordered = sorted(self.latencies)
        if not ordered:
            return 0.0
        rank = max(1, math.ceil(q / 100 * len(ordered)))
        return ordered[rank - 1]


@dataclass
class Ledger:
    """What the load's users wrote down: every request, every write the service
    acknowledged, every retry."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    acks: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    retries: int = 0
    recovered: int = 0
    gave_up: int = 0

    @classmethod
    def read(cls, path: Path) -> Ledger:
        return cls.of(path.read_text().splitlines())

    @classmethod
    def of(cls, lines: Iterable[str]) -> Ledger:
        ledger = cls()
        for line in lines:
            if not line.strip():
                continue
            entry = json.loads(line)
            if "request" in entry:
                ledger.requests.append(entry)
            elif "ack" in entry:
                ledger.acks[entry["ack"]].append(entry)
            elif "retry" in entry:
                ledger.retries += 1
            elif "recovered" in entry:
                ledger.recovered += 1
            elif "gave_up" in entry:
                ledger.gave_up += 1
        return ledger

    def endpoints(self) -> list[Endpoint]:
        """Per endpoint, in the order of their names."""
        found: dict[str, Endpoint] = {}
        for r in self.requests:
            endpoint = found.setdefault(r["request"], Endpoint(r["request"]))
            endpoint.latencies.append(float(r["ms"]))
            endpoint.errors += bool(r["failed"])
        return [found[name] for name in sorted(found)]

    def in_flight(self, at: float) -> int:
        """Requests sent before `at` (epoch seconds) and answered after it."""
        return sum(1 for r in self.requests if r["start"] <= at <= r["start"] + r["ms"] / 1000)

    def failed(self) -> int:
        return sum(1 for r in self.requests if r["failed"])


def duplicates(received: Mapping[int, int]) -> dict[int, int]:
    """The ids that arrived more than once, with how often."""
    return {i: n for i, n in received.items() if n > 1}


@dataclass
class Delivery:
    """The outbox's sent messages of one channel against what the receiver counted."""

    sent: int
    received: int
    missing: int  # sent by the outbox's account, never received
    duplicated: int  # received more than once
    strangers: int  # received, not in the outbox as sent

    @property
    def exact(self) -> bool:
        return not (self.missing or self.duplicated or self.strangers)


def delivery(sent_ids: Iterable[int], received: Counter[int]) -> Delivery:
    sent = set(sent_ids)
    return Delivery(
        sent=len(sent),
        received=sum(received.values()),
        missing=len(sent - set(received)),
        duplicated=len(duplicates(received)),
        strangers=len(set(received) - sent),
    )
