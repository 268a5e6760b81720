"""The audit trail as a hash chain, one per municipality: each event carries the hash of
the one before it, so a changed, removed or inserted event is found (`konsensus audit
verify`).

An event's hash covers what happened (when, who, what, which object, which case) and a
digest of each personal part (the caller's address, the detail). Erasure pseudonymises an
event by blanking the personal parts and keeping their digests: the chain still verifies,
and what is left still proves that the event took place.

Events are written as the transaction commits: the chain's head is locked (a row per
municipality) only for those few statements, so two writers never fork the chain.

The hash format is part of the stored data: changing it breaks every chain written before.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, event, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from service.models.audit import AuditChainHead, AuditEvent

GENESIS = "0" * 64
PENDING_KEY = "konsensus_audit_pending"

_EVENTS = AuditEvent.__table__  # type: ignore[attr-defined]
_HEADS = AuditChainHead.__table__  # type: ignore[attr-defined]


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


def pending(session: Session) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = session.info.setdefault(PENDING_KEY, [])
    return found


def add(session: Session, values: dict[str, Any]) -> None:
    """Queue an event; it is chained and written when the session commits."""
    pending(session).append(values)


_ADVANCE = (
    update(_HEADS)
    .where(_HEADS.c.municipality_id == bindparam("municipality"))
    .values(seq=_HEADS.c.seq + bindparam("count"))
    .returning(_HEADS.c.seq, _HEADS.c.hash)
)
_SET_HASH = (
    update(_HEADS)
    .where(_HEADS.c.municipality_id == bindparam("municipality"))
    .values(hash=bindparam("head_hash"))
)


def _advance(session: Session, municipality_id: int, count: int) -> tuple[int, str]:
    """Take `count` places at the end of the municipality's chain (locking its head until
    commit); returns the last place taken and the hash before the first."""
    row = session.execute(_ADVANCE, {"municipality": municipality_id, "count": count}).first()
    if row is None:
        session.execute(
            _insert_head_if_missing(session),
            {"municipality_id": municipality_id, "seq": 0, "hash": GENESIS},
        )
        row = session.execute(_ADVANCE, {"municipality": municipality_id, "count": count}).first()
    assert row is not None
    return int(row[0]), str(row[1])


def _insert_head_if_missing(session: Session) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return pg_insert(_HEADS).on_conflict_do_nothing(index_elements=["municipality_id"])
    return sqlite_insert(_HEADS).on_conflict_do_nothing(index_elements=["municipality_id"])


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
            "address_digest": digest(row.get("client_address")),
            "detail_digest": digest(row.get("detail") or {}),
        }
        row["hash"] = prev_hash = event_hash(prev_hash, row)
        chained.append(row)
    return chained, prev_hash


def seal(session: Session) -> None:
    """Write the queued events at the end of their municipalities' chains."""
    queued = session.info.pop(PENDING_KEY, None)
    if not queued:
        return
    by_municipality: dict[int, list[dict[str, Any]]] = {}
    for values in queued:
        by_municipality.setdefault(int(values["municipality_id"]), []).append(values)
    for municipality_id in sorted(by_municipality):  # one order: no deadlock between writers
        rows = by_municipality[municipality_id]
        last_seq, prev_hash = _advance(session, municipality_id, len(rows))
        chained, head_hash = chain(prev_hash, last_seq - len(rows) + 1, rows)
        session.execute(insert(_EVENTS), chained)
        session.execute(_SET_HASH, {"municipality": municipality_id, "head_hash": head_hash})


@event.listens_for(OrmSession, "before_commit")
def _seal_before_commit(session: OrmSession) -> None:
    if session.info.get(PENDING_KEY):
        seal(session)  # type: ignore[arg-type]


@event.listens_for(OrmSession, "after_soft_rollback")
def _forget_on_rollback(session: OrmSession, _previous: Any) -> None:
    session.info.pop(PENDING_KEY, None)


# -- verification ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Verdict:
    municipality_id: int
    events: int
    problems: tuple[str, ...]

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


def _rows(session: Session, municipality_id: int) -> Iterator[dict[str, Any]]:
    query = (
        select(*(_EVENTS.c[name] for name in _COLUMNS))
        .where(_EVENTS.c.municipality_id == municipality_id)
        .order_by(_EVENTS.c.chain_seq, _EVENTS.c.id)
        .execution_options(yield_per=2000)
    )
    for row in session.execute(query):
        yield dict(row._mapping)


def verify(session: Session, municipality_id: int, limit: int = 50) -> Verdict:
    """Walk the municipality's chain from its first event; every gap, change, insertion or
    removal (at the end too, against the head) is a problem."""
    problems: list[str] = []
    expected_seq, prev_hash, count = 1, GENESIS, 0
    for row in _rows(session, municipality_id):
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
        prev_hash, expected_seq = row["hash"], seq + 1
        if len(problems) >= limit:
            break
    head = session.execute(
        select(_HEADS.c.seq, _HEADS.c.hash).where(_HEADS.c.municipality_id == municipality_id)
    ).first()
    head_seq, head_hash = (int(head[0]), str(head[1])) if head else (0, GENESIS)
    if len(problems) < limit and (head_seq, head_hash) != (expected_seq - 1, prev_hash):
        problems.append(
            f"the chain ends at place {expected_seq - 1}, but {head_seq} events were written: "
            "events were removed at the end"
            if head_seq > expected_seq - 1
            else f"the chain's head (place {head_seq}) does not match its last event"
        )
    return Verdict(municipality_id, count, tuple(problems))


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
