"""The audit trail as a hash chain, one per municipality: each event carries the hash of
the one before it, so a changed, removed or inserted event is found (`konsensus audit
verify`).

An event's hash covers what happened (when, who, what, which object, which case) and a
digest of each personal part (the caller's address, the detail). Erasure pseudonymises an
event by blanking the personal parts and keeping their digests: the chain still verifies,
and what is left still proves that the event took place.

Writing and chaining are apart, so that no request waits for another:

- A write's events are inserted as its transaction commits, in that transaction (kept
  exactly when the change is), with their digests but no place in the chain, and without a
  lock: two requests of one municipality never queue behind each other for the audit.
- A read's events (a page or a meeting view seen) are handed, once the request's transaction
  has committed, to a buffer of the process (`ReadBuffer`), written in batches by the
  process's sealer task in a transaction of its own. A read takes no write lock (SQLite's
  single writer included). What a crash can lose: the read events of the last flush interval
  (`audit_read_flush_seconds`), never a write's event.
- The sealer (`seal_pending`, in every instance and in `konsensus worker`) takes each
  municipality's unsealed events in the order they were written, gives them their places and
  hashes after the chain's head, moves the head, and keeps the batch's range and last hash
  (`AuditSeal`). Only the sealer locks the head; two sealers skip each other's municipality.

`verify` walks the sealed events and says how many are not sealed yet. An event inserted or
removed before it is sealed (a second or two) is beyond the chain's reach.

The hash format is part of the stored data: changing it breaks every chain written before.
"""

from __future__ import annotations

import hashlib
import json
import threading
import weakref
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, bindparam, event, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from service.models.audit import AuditChainHead, AuditEvent, AuditSeal
from service.models.base import WRITE_INTENT

GENESIS = "0" * 64
PENDING_KEY = "konsensus_audit_pending"
READS_KEY = "konsensus_audit_reads"
ENGINE_KEY = "konsensus_engine"
#: Where a session's events are written, when not in the session itself (a reports session
#: on a replica, which takes no writes, records through the request's session).
THROUGH_KEY = "konsensus_audit_through"
#: Events sealed in one transaction at most; the rest wait for the next turn.
SEAL_BATCH = 2000

_EVENTS = AuditEvent.__table__  # type: ignore[attr-defined]
_HEADS = AuditChainHead.__table__  # type: ignore[attr-defined]
_SEALS = AuditSeal.__table__  # type: ignore[attr-defined]


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def digest(value: object) -> str:
    return hashlib.sha256(_canonical(value).encode()).hexdigest()


def _timestamp(value: datetime) -> str:
    moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(prev_hash: str, row: Mapping[str, Any]) -> str:
    """The hash of one event, from the one before it and what the event holds."""
    core = [
        row["municipality_id"],
        row["chain_seq"],
        _timestamp(row["occurred_at"]),
        str(row["actor_kind"]),
        row["actor_id"],
        row["action"],
        row["object_type"],
        row["object_id"],
        row["case_id"],
    ]
    material = "|".join([prev_hash, _canonical(core), row["address_digest"], row["detail_digest"]])
    return hashlib.sha256(material.encode()).hexdigest()


def with_digests(values: dict[str, Any]) -> dict[str, Any]:
    """The event as stored before it is sealed: its personal parts' digests taken now, so
    that erasure can blank them before the sealer comes round."""
    return {
        **values,
        "address_digest": digest(values.get("client_address")),
        "detail_digest": digest(values.get("detail") or {}),
    }


def engine_of(session: Session) -> Engine:
    """The engine the session was made from (`service.db.new_session` notes it: the session's
    own bind may be a per-session copy with other execution options)."""
    noted = session.info.get(ENGINE_KEY)
    if isinstance(noted, Engine):
        return noted
    bind = session.get_bind()
    return bind.engine


def record_through(session: Session, recorder: Session) -> None:
    """The events queued in `session` go to `recorder` instead, and are written as it
    commits (a read on a replica is audited on the database itself)."""
    session.info[THROUGH_KEY] = recorder


def recorder_of(session: Session) -> Session:
    """The session that writes `session`'s events: itself, unless `record_through` said."""
    found = session.info.get(THROUGH_KEY)
    return found if isinstance(found, Session) else session


def pending(session: Session) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = session.info.setdefault(PENDING_KEY, [])
    return found


def add(session: Session, values: dict[str, Any]) -> None:
    """Queue a write's event; it is inserted as the session commits, in its transaction."""
    pending(recorder_of(session)).append(values)


def add_read(session: Session, values: dict[str, Any]) -> None:
    """Queue a read's event; once the session has committed, it goes to the process's read
    buffer (a read that fails, and so rolls back, records nothing)."""
    recorder_of(session).info.setdefault(READS_KEY, []).append(values)


_INSERT_EVENT = insert(_EVENTS)


def write_pending(session: Session) -> None:
    """Insert the queued events of a write, unsealed."""
    queued = session.info.pop(PENDING_KEY, None)
    if not queued:
        return
    # Most writes record one event: one plain INSERT then, without the driver's batch set-up.
    rows = [with_digests(v) for v in queued]
    session.execute(_INSERT_EVENT, rows[0] if len(rows) == 1 else rows)


@event.listens_for(OrmSession, "before_commit")
def _write_before_commit(session: OrmSession) -> None:
    if session.info.get(PENDING_KEY):
        write_pending(session)  # type: ignore[arg-type]


@event.listens_for(OrmSession, "after_commit")
def _hand_over_reads(session: OrmSession) -> None:
    reads = session.info.pop(READS_KEY, None)
    if reads:
        read_buffer(engine_of(session)).extend(reads)  # type: ignore[arg-type]


@event.listens_for(OrmSession, "after_soft_rollback")
def _forget_on_rollback(session: OrmSession, _previous: Any) -> None:
    session.info.pop(PENDING_KEY, None)
    session.info.pop(READS_KEY, None)


# -- the read buffer -------------------------------------------------------------------------


class ReadBuffer:
    """The read events of one process and database, waiting to be written in a batch by the
    process's sealer task (`service.ops.audit_sealer`). While the database is away they wait
    here, and are written when it is back."""

    def __init__(self, engine: Engine) -> None:
        self._engine = weakref.ref(engine)
        self._lock = threading.Lock()
        self._events: list[dict[str, Any]] = []

    def extend(self, events: Iterable[dict[str, Any]]) -> None:
        with self._lock:
            self._events.extend(events)

    def __len__(self) -> int:
        return len(self._events)

    def take(self) -> list[dict[str, Any]]:
        with self._lock:
            taken, self._events = self._events, []
        return taken

    def flush_into(self, session: Session) -> int:
        """Write what is waiting in the session's transaction (where a request must see its
        process's reads at once: the audit trail's own listing)."""
        taken = self.take()
        if taken:
            session.execute(insert(_EVENTS), [with_digests(v) for v in taken])
        return len(taken)

    def flush(self) -> int:
        """Write what is waiting, in one transaction; returns how many were written. On a
        failure the events are put back for the next turn."""
        engine = self._engine()
        taken = self.take()
        if not taken or engine is None:
            return 0
        try:
            with writing(engine).begin() as connection:
                connection.execute(insert(_EVENTS), [with_digests(v) for v in taken])
        except Exception:
            with self._lock:
                self._events[:0] = taken
            raise
        return len(taken)


_buffers: weakref.WeakKeyDictionary[Engine, ReadBuffer] = weakref.WeakKeyDictionary()
_buffers_lock = threading.Lock()


def writing(engine: Engine) -> Engine:
    """The engine for a transaction that writes (SQLite takes its write lock up front)."""
    return engine.execution_options(**{WRITE_INTENT: True})


def read_buffer(engine: Engine) -> ReadBuffer:
    """The process's read buffer for `engine`."""
    with _buffers_lock:
        found = _buffers.get(engine)
        if found is None:
            found = _buffers[engine] = ReadBuffer(engine)
        return found


# -- the sealer ------------------------------------------------------------------------------


def chain(
    prev_hash: str, first_seq: int, rows: Iterable[dict[str, Any]]
) -> tuple[list[dict[str, Any]], str]:
    """Give each row its place, its digests and its hash; returns the rows and the last hash."""
    chained = []
    for seq, row in enumerate(rows, start=first_seq):
        row = {
            **row,
            "chain_seq": seq,
            "prev_hash": prev_hash,
            "address_digest": row.get("address_digest") or digest(row.get("client_address")),
            "detail_digest": row.get("detail_digest") or digest(row.get("detail") or {}),
        }
        row["hash"] = prev_hash = event_hash(prev_hash, row)
        chained.append(row)
    return chained, prev_hash


_HASHED = (
    "id",
    "municipality_id",
    "occurred_at",
    "actor_kind",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "case_id",
    "address_digest",
    "detail_digest",
)
_UNSEALED = (
    select(*(_EVENTS.c[name] for name in _HASHED))
    .where(
        _EVENTS.c.municipality_id == bindparam("municipality"),
        _EVENTS.c.chain_seq.is_(None),
    )
    .order_by(_EVENTS.c.id)
    .limit(bindparam("batch"))
)
_PLACE = (
    update(_EVENTS)
    .where(
        _EVENTS.c.municipality_id == bindparam("m"),
        _EVENTS.c.id == bindparam("event_id"),
        _EVENTS.c.chain_seq.is_(None),
    )
    .values(chain_seq=bindparam("seq"), prev_hash=bindparam("prev"), hash=bindparam("own"))
)
_SET_HEAD = (
    update(_HEADS)
    .where(_HEADS.c.municipality_id == bindparam("municipality"))
    .values(seq=bindparam("head_seq"), hash=bindparam("head_hash"))
)


def _insert_head_if_missing(connection: Connection) -> Any:
    if connection.dialect.name == "postgresql":
        return pg_insert(_HEADS).on_conflict_do_nothing(index_elements=["municipality_id"])
    return sqlite_insert(_HEADS).on_conflict_do_nothing(index_elements=["municipality_id"])


def _lock_head(connection: Connection, municipality_id: int) -> tuple[int, str] | None:
    """The municipality's head, locked until commit; None where another sealer holds it."""
    query = select(_HEADS.c.seq, _HEADS.c.hash).where(_HEADS.c.municipality_id == municipality_id)
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    row = connection.execute(query).first()
    if row is None:
        connection.execute(
            _insert_head_if_missing(connection),
            {"municipality_id": municipality_id, "seq": 0, "hash": GENESIS},
        )
        row = connection.execute(query).first()
    return (int(row[0]), str(row[1])) if row is not None else None


def seal_municipality(
    connection: Connection, municipality_id: int, now: datetime, batch: int = SEAL_BATCH
) -> int:
    """Seal up to `batch` of the municipality's unsealed events, oldest first, in the
    connection's transaction; returns how many."""
    head = _lock_head(connection, municipality_id)
    if head is None:
        return 0
    last_seq, prev_hash = head
    rows = [
        dict(r._mapping)
        for r in connection.execute(_UNSEALED, {"municipality": municipality_id, "batch": batch})
    ]
    if not rows:
        return 0
    chained, head_hash = chain(prev_hash, last_seq + 1, rows)
    connection.execute(
        _PLACE,
        [
            {
                "m": municipality_id,
                "event_id": r["id"],
                "seq": r["chain_seq"],
                "prev": r["prev_hash"],
                "own": r["hash"],
            }
            for r in chained
        ],
    )
    new_seq = last_seq + len(chained)
    connection.execute(
        _SET_HEAD, {"municipality": municipality_id, "head_seq": new_seq, "head_hash": head_hash}
    )
    connection.execute(
        insert(_SEALS),
        {
            "municipality_id": municipality_id,
            "first_seq": last_seq + 1,
            "last_seq": new_seq,
            "head_hash": head_hash,
            "sealed_at": now,
        },
    )
    return len(chained)


def unsealed_municipalities(connection: Connection) -> list[int]:
    found = connection.execute(
        select(_EVENTS.c.municipality_id)
        .where(_EVENTS.c.chain_seq.is_(None))
        .group_by(_EVENTS.c.municipality_id)
        .order_by(_EVENTS.c.municipality_id)
    )
    return [int(m) for (m,) in found]


def seal_pending(engine: Engine, now: datetime | None = None) -> int:
    """Write the process's buffered reads, then seal every municipality's unsealed events,
    one transaction per municipality and batch; returns how many were sealed."""
    read_buffer(engine).flush()
    now = now or datetime.now(UTC)
    sealed = 0
    with engine.connect() as connection:
        municipalities = unsealed_municipalities(connection)
    for municipality_id in municipalities:
        while True:
            with writing(engine).begin() as connection:
                count = seal_municipality(connection, municipality_id, now)
            sealed += count
            if count < SEAL_BATCH:
                break
    return sealed


# -- verification ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Verdict:
    municipality_id: int
    events: int
    problems: tuple[str, ...]
    #: Events written but not yet in the chain (the sealer comes round within seconds).
    unsealed: int = 0

    @property
    def intact(self) -> bool:
        return not self.problems


_COLUMNS = (
    "id",
    "municipality_id",
    "chain_seq",
    "prev_hash",
    "hash",
    "occurred_at",
    "actor_kind",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "case_id",
    "client_address",
    "detail",
    "address_digest",
    "detail_digest",
    "pseudonymised_at",
)


def _rows(session: Session, municipality_id: int, up_to: int) -> Iterator[dict[str, Any]]:
    query = (
        select(*(_EVENTS.c[name] for name in _COLUMNS))
        .where(
            _EVENTS.c.municipality_id == municipality_id,
            _EVENTS.c.chain_seq.is_not(None),
            _EVENTS.c.chain_seq <= up_to,
        )
        .order_by(_EVENTS.c.chain_seq, _EVENTS.c.id)
        .execution_options(yield_per=2000)
    )
    for row in session.execute(query):
        yield dict(row._mapping)


def verify(session: Session, municipality_id: int, limit: int = 50) -> Verdict:
    """Walk the municipality's sealed events from the first to the head (as it stood when the
    walk began: a sealer may go on meanwhile); every gap, change, insertion or removal (at the
    end too, against the head), and every sealed range whose last event is not the one it
    sealed, is a problem."""
    head = session.execute(
        select(_HEADS.c.seq, _HEADS.c.hash).where(_HEADS.c.municipality_id == municipality_id)
    ).first()
    head_seq, head_hash = (int(head[0]), str(head[1])) if head else (0, GENESIS)
    ranges = dict(
        session.execute(
            select(_SEALS.c.last_seq, _SEALS.c.head_hash).where(
                _SEALS.c.municipality_id == municipality_id, _SEALS.c.last_seq <= head_seq
            )
        ).all()
    )
    problems: list[str] = []
    expected_seq, prev_hash, count = 1, GENESIS, 0
    for row in _rows(session, municipality_id, head_seq):
        count += 1
        seq, ident = row["chain_seq"], row["id"]
        if seq != expected_seq:
            problems.append(
                f"event {ident}: at place {seq}, expected {expected_seq}"
                + (f" (places {expected_seq}-{seq - 1} missing)" if seq > expected_seq else "")
            )
        if row["prev_hash"] != prev_hash:
            problems.append(f"event {ident} (place {seq}): does not follow the event before it")
        if (
            row["client_address"] is not None
            and digest(row["client_address"]) != row["address_digest"]
        ):
            problems.append(f"event {ident} (place {seq}): its address was changed")
        if row["pseudonymised_at"] is None and digest(row["detail"] or {}) != row["detail_digest"]:
            problems.append(f"event {ident} (place {seq}): its detail was changed")
        if event_hash(row["prev_hash"], row) != row["hash"]:
            problems.append(f"event {ident} (place {seq}): changed since it was written")
        if seq in ranges and ranges.pop(seq) != row["hash"]:
            problems.append(f"event {ident} (place {seq}): not the event its batch sealed")
        prev_hash, expected_seq = row["hash"], seq + 1
        if len(problems) >= limit:
            break
    if len(problems) < limit and (head_seq, head_hash) != (expected_seq - 1, prev_hash):
        problems.append(
            f"the chain ends at place {expected_seq - 1}, but {head_seq} events were sealed: "
            "events were removed at the end"
            if head_seq > expected_seq - 1
            else f"the chain's head (place {head_seq}) does not match its last event"
        )
    unsealed = session.execute(
        select(func.count())
        .select_from(_EVENTS)
        .where(_EVENTS.c.municipality_id == municipality_id, _EVENTS.c.chain_seq.is_(None))
    ).scalar_one()
    return Verdict(municipality_id, count, tuple(problems), int(unsealed))


def pseudonymise_case(session: Session, municipality_id: int, case_id: int, now: datetime) -> int:
    """Blank the personal parts of a case's events (its caller addresses and details); the
    events stay in the chain, and the chain still verifies."""
    result = session.execute(
        update(_EVENTS)
        .where(
            _EVENTS.c.municipality_id == municipality_id,
            _EVENTS.c.case_id == case_id,
            _EVENTS.c.pseudonymised_at.is_(None),
        )
        .values(client_address=None, detail={}, pseudonymised_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def forget_addresses(session: Session, before: datetime) -> int:
    """The callers' addresses of events older than `before` are erased (their digests stay)."""
    result = session.execute(
        update(_EVENTS)
        .where(_EVENTS.c.occurred_at < before, _EVENTS.c.client_address.is_not(None))
        .values(client_address=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)
