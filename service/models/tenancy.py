"""Tenancy: every row that belongs to a municipality (kommune) carries its id, and a session
bound to a municipality can neither read nor write another municipality's rows.

The guard sits on the ORM session itself, so a query written without a municipality
filter still cannot cross municipalities.

The schema is keyed by the municipality as well, so that it can be distributed by it (see
"Scaling out by municipality" in the README): a municipality's table has the primary key
(municipality_id, id), its indexes and unique constraints lead with municipality_id, and
its references to another of the municipality's tables are composite,
(municipality_id, x_id) -> (municipality_id, id), so that a row can only refer to a row of
its own municipality. `tests/models/test_distribution.py` holds every table to it.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    ForeignKeyConstraint,
    Index,
    PrimaryKeyConstraint,
    and_,
    column,
    event,
    or_,
)
from sqlalchemy.orm import ORMExecuteState, declared_attr, with_loader_criteria
from sqlalchemy.sql import Executable
from sqlmodel import Field, Session, SQLModel

SESSION_KEY = "municipality_id"

#: Execution option for the few lookups that are global by nature (a username is unique
#: across municipalities). Use it only with `.execution_options(**ALL_MUNICIPALITIES)`.
ALL_MUNICIPALITIES = {"konsensus_all_municipalities": True}


class _OwnedMarker:
    """A plain base of every tenant-owned model, so that one loader criterion covers them
    all (SQLModel bases expose no class attributes for the criterion to use)."""


class _SharedMarker:
    """The same, for rows that are either a municipality's or the shared catalogue's."""


def _municipality_column(cls: Any) -> Any:
    """The class's `municipality_id`; for a marker, a stand-in column that lets SQLAlchemy
    build the criterion once before it applies it to each mapped class."""
    try:
        return cls.municipality_id
    except AttributeError:
        return column("municipality_id")


class TenantOwned(SQLModel, _OwnedMarker):
    """Rows that always belong to exactly one municipality, keyed by (municipality_id, id).

    A model's `__table_args__` start with `tenant_key()`. The ORM still knows a row by its
    `id` alone (ids are unique across municipalities), so `session.get(Model, id)` works."""

    municipality_id: int = Field(
        foreign_key="municipality.id", primary_key=True, ondelete="CASCADE"
    )
    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs={"autoincrement": True})

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805 - a class-level attribute
        return {"primary_key": [cls.__table__.c.id]}  # type: ignore[attr-defined]


def tenant_key() -> PrimaryKeyConstraint:
    """The primary key of a municipality's table, the municipality first (as declared: an
    implicit key would put the autoincrementing id first)."""
    return PrimaryKeyConstraint("municipality_id", "id")


def tenant_reference(
    column_name: str, parent: str, *, ondelete: str | None = None
) -> ForeignKeyConstraint:
    """A reference to another of the municipality's tables: (municipality_id, column) ->
    (municipality_id, id), so that the two rows are of one municipality, and sit together
    when the tables are distributed by it."""
    return ForeignKeyConstraint(
        ["municipality_id", column_name],
        [f"{parent}.municipality_id", f"{parent}.id"],
        ondelete=ondelete,
    )


def tenant_index(name: str, *columns: str, unique: bool = False) -> Index:
    """An index of a municipality's table, led by the municipality."""
    return Index(name, "municipality_id", *columns, unique=unique)


def joined_within(left: Any, right: Any, *conditions: Any) -> ColumnElement[bool]:
    """A join's condition between two of the municipality's tables: `conditions` (the ids),
    and the two rows of one municipality. The municipality adds nothing to the result (a row
    can only refer to its own municipality's rows), but it keeps the join on one shard when
    the tables are distributed by it; a sweep across every municipality joins with it."""
    return and_(_municipality_of(left) == _municipality_of(right), *conditions)


def _municipality_of(selectable: Any) -> Any:
    """`municipality_id` of a model class, or of a table or subquery (`.c`)."""
    columns = getattr(selectable, "c", None)
    return columns.municipality_id if columns is not None else selectable.municipality_id


class TenantOrShared(SQLModel, _SharedMarker):
    """Rows that belong to one municipality, or (with no municipality) to the shared catalogue."""

    municipality_id: int | None = Field(
        default=None, foreign_key="municipality.id", index=True, ondelete="CASCADE"
    )


class CrossTenantWrite(RuntimeError):
    """A session bound to one municipality tried to write another's row."""


def bind_session(session: Session, municipality_id: int | None) -> None:
    session.info[SESSION_KEY] = municipality_id


@contextmanager
def bound_to(session: Session, municipality_id: int) -> Iterator[None]:
    """Within the block, the session reads and writes only `municipality_id`'s rows: a sweep
    across municipalities does the work of each round inside its own municipality, so that
    every statement of that work names the municipality (and stays on its shard)."""
    before = session.info.get(SESSION_KEY)
    session.flush()  # what was changed outside the block is written as it was changed
    bind_session(session, municipality_id)
    try:
        yield
        session.flush()  # and what the block changed, inside the municipality
    finally:
        bind_session(session, before)


def session_municipality(session: Session) -> int | None:
    value = session.info.get(SESSION_KEY)
    return value if isinstance(value, int) else None


@lru_cache(maxsize=512)
def _criteria(municipality_id: int) -> tuple[Any, ...]:
    """The loader criteria that keep a session inside one municipality, built once per
    municipality; they reach every statement, joins and subqueries included."""
    return (
        with_loader_criteria(
            _OwnedMarker,
            lambda cls: _municipality_column(cls) == municipality_id,
            include_aliases=True,
        ),
        with_loader_criteria(
            _SharedMarker,
            lambda cls: or_(
                _municipality_column(cls) == municipality_id,
                _municipality_column(cls).is_(None),
            ),
            include_aliases=True,
        ),
    )


# A statement built once and run again and again (the hot paths keep theirs in module
# constants) is scoped once per municipality: the scoped copy keeps the cache key SQLAlchemy
# computed for it, instead of computing it anew on every execution.
_scoped: weakref.WeakKeyDictionary[Executable, dict[int, Executable]] = weakref.WeakKeyDictionary()


def _scoped_statement(statement: Executable, municipality_id: int) -> Executable:
    per_municipality = _scoped.get(statement)
    if per_municipality is None:
        per_municipality = _scoped[statement] = {}
    scoped = per_municipality.get(municipality_id)
    if scoped is None:
        scoped = per_municipality[municipality_id] = statement.options(*_criteria(municipality_id))
    return scoped


@event.listens_for(Session, "do_orm_execute")
def _scope_reads(state: ORMExecuteState) -> None:
    municipality_id = state.session.info.get(SESSION_KEY)
    if municipality_id is None or not (state.is_select or state.is_update or state.is_delete):
        return
    if state.execution_options.get("konsensus_all_municipalities"):
        return
    state.statement = _scoped_statement(state.statement, municipality_id)


@event.listens_for(Session, "before_flush")
def _guard_writes(session: Session, _context: Any, _instances: Any) -> None:
    municipality_id = session.info.get(SESSION_KEY)
    if municipality_id is None:
        return
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, TenantOwned | TenantOrShared):
            owner = obj.municipality_id
            if owner != municipality_id:
                raise CrossTenantWrite(
                    f"{type(obj).__name__} of municipality {owner} written in a session "
                    f"bound to municipality {municipality_id}"
                )
