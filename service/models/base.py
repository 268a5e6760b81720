"""Shared column types and the metadata naming convention.

The naming convention is set before any model is defined, so that constraint names are
stable across engines and Alembic can drop what it created.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Constraint,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKeyConstraint,
    PrimaryKeyConstraint,
    Table,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import CreateColumn
from sqlalchemy.sql.compiler import DDLCompiler, SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

#: Execution option asking SQLite to take the write lock when the transaction begins (see
#: `service.db`): for a connection that will write, so that it queues for the lock up front.
WRITE_INTENT = "konsensus_write_intent"


def _fk_column(constraint: Constraint, table: Table) -> str:
    """The column a foreign key is named after: its own, not the municipality that a
    reference between two of a municipality's tables carries beside it."""
    assert isinstance(constraint, ForeignKeyConstraint)
    keys = [key for key in constraint.column_keys if key != "municipality_id"]
    return (keys or constraint.column_keys)[0]


SQLModel.metadata.naming_convention = {
    "fk_column": _fk_column,
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(fk_column)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: The primary key of a municipality's table (`tenancy.TenantOwned`).
TENANT_KEY = ("municipality_id", "id")


def _is_tenant_key(constraint: PrimaryKeyConstraint) -> bool:
    return sorted(column.name for column in constraint.columns) == sorted(TENANT_KEY)


# On SQLite (one file on one machine, never distributed) a municipality's table keeps the
# rowid as its key, so that SQLite still hands out the ids: PRIMARY KEY (id), with UNIQUE
# (municipality_id, id) beside it as the parent key of the composite foreign keys. The
# unique constraint is unnamed, as autogenerate does not compare those; the metadata says
# PRIMARY KEY (municipality_id, id), which is what PostgreSQL gets.
@compiles(PrimaryKeyConstraint, "sqlite")
def _tenant_key_sqlite(constraint: PrimaryKeyConstraint, compiler: DDLCompiler, **kw: Any) -> str:
    if not _is_tenant_key(constraint):
        return compiler.visit_primary_key_constraint(constraint, **kw)
    preparer = compiler.preparer
    named = f"CONSTRAINT {preparer.format_constraint(constraint)} " if constraint.name else ""
    return f"{named}PRIMARY KEY (id), UNIQUE (municipality_id, id)"


@compiles(CreateColumn, "sqlite")
def _tenant_id_sqlite(create: CreateColumn, compiler: DDLCompiler, **kw: Any) -> str:
    """The `id` of a municipality's table: a plain INTEGER (the rowid under PRIMARY KEY (id));
    SQLAlchemy refuses autoincrement in a composite key on SQLite."""
    column = create.element
    table = column.table
    if column.name != "id" or not isinstance(table, Table) or not _is_tenant_key(table.primary_key):
        spec: str = compiler.visit_create_column(create, **kw)  # type: ignore[no-untyped-call]
        return spec
    kind = compiler.dialect.type_compiler_instance.process(column.type)
    return f"{compiler.preparer.format_column(column)} {kind} NOT NULL"


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; the service stores UTC only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_type(enum_cls: type[Any], length: int = 32) -> Any:
    """A StrEnum stored as a plain string column (no native enum type to migrate)."""
    from sqlalchemy import Enum

    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
    )


#: Where the service's users are: dates shown and compared (due dates) are Danish dates.
LOCAL_ZONE = "Europe/Copenhagen"
#: The SQLite function that `local_date` compiles to there (registered per connection).
SQLITE_LOCAL_DATE = "konsensus_local_date"


class local_date(FunctionElement[date]):  # noqa: N801 - reads as an SQL function
    """The Danish calendar date of a UTC timestamp column, in SQL: what
    `value.astimezone(Europe/Copenhagen).date()` is in Python, so that due dates can be
    compared, sorted and paginated in the database."""

    type = Date()
    inherit_cache = True


@compiles(local_date, "postgresql")
def _local_date_pg(element: local_date, compiler: SQLCompiler, **kw: Any) -> str:
    (argument,) = element.clauses
    return f"CAST(({compiler.process(argument, **kw)} AT TIME ZONE '{LOCAL_ZONE}') AS DATE)"


@compiles(local_date, "sqlite")
def _local_date_sqlite(element: local_date, compiler: SQLCompiler, **kw: Any) -> str:
    (argument,) = element.clauses
    return f"{SQLITE_LOCAL_DATE}({compiler.process(argument, **kw)})"


def sqlite_local_date(value: str | None) -> str | None:
    """`local_date` for SQLite, which stores UTCDateTime as naive UTC text."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value).replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(LOCAL_ZONE)).date().isoformat()


class days_between(FunctionElement[float]):  # noqa: N801 - reads as an SQL function
    """Days from one UTC timestamp column to another, as a fraction, in SQL."""

    type = Float()
    inherit_cache = True


@compiles(days_between, "postgresql")
def _days_between_pg(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = element.clauses
    return (
        f"(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - "
        f"{compiler.process(start, **kw)})) / 86400.0)"
    )


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = element.clauses
    return (
        f"(julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}))"
    )
