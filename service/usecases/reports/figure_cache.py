"""Figures a report worked out, kept in the process while the data they came from is unchanged.

A report over a municipality's whole history (agreement across every completed round, with its
bootstrap intervals) costs far more to work out than to read back, and its data change only
when a round completes, a case is erased or a case moves to another team. The report names a
key that says exactly which data it read: the filter, the scope, and a fingerprint of the rows
behind the figures taken in the same snapshot (a count and sums, read from an index). A new or
removed row changes the fingerprint, so a figure is never read back for data it was not worked
out from.

Kept per database (per connection pool, which an engine's light copies share): two databases
with the same ids are two different things.
Bounded (least recently used first out), per process; another instance works the figures out
once for itself.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import Pool
from sqlmodel import Session

T = TypeVar("T")


class FigureCache(Generic[T]):
    """Up to `size` figures per database, by key."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._kept: weakref.WeakKeyDictionary[Pool, OrderedDict[Hashable, T]] = (
            weakref.WeakKeyDictionary()
        )

    def get_or_compute(self, session: Session, key: Hashable, compute: Callable[[], T]) -> T:
        """The figures kept for `key` in the session's database, or `compute()`'s, kept."""
        database = _pool_of(session)
        with self._lock:
            kept = self._kept.setdefault(database, OrderedDict())
            if key in kept:
                kept.move_to_end(key)
                return kept[key]
        # Worked out outside the lock: two requests may both work it out, neither waits.
        found = compute()
        with self._lock:
            kept = self._kept.setdefault(database, OrderedDict())
            kept[key] = found
            kept.move_to_end(key)
            while len(kept) > self._size:
                kept.popitem(last=False)
        return found

    def clear(self) -> None:
        """Forget every figure (a benchmark's first read)."""
        with self._lock:
            self._kept.clear()


def _pool_of(session: Session) -> Pool:
    bind = session.get_bind()
    engine: Engine = bind.engine if isinstance(bind, Connection) else bind
    return engine.pool
