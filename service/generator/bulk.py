"""Bulk writing for the generator: rows as tuples, ids handed out by the writer, and each
table written the fastest way its engine offers (COPY on PostgreSQL, one executemany on
SQLite), with the same column conversions the ORM would make.

Only for loading a quiet database (the generator): ids are taken as max(id) + 1 when the
writer starts, so nothing else may insert into these tables meanwhile.

On PostgreSQL the load runs with the municipality's tables' references and secondary
indexes set aside (`set_aside`), made again in one pass each at the end of the load's
transaction: checking a reference row by row as COPY writes costs ten times the writing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import ForeignKeyConstraint, Index, Table, func, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.schema import AddConstraint, CreateIndex, DropConstraint, DropIndex
from sqlmodel import SQLModel

Row = tuple[Any, ...]


def table_of(model: type[SQLModel]) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


class Ids:
    """The next free id of each table, read once."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._next: dict[str, int] = {}

    def take(self, table: Table) -> int:
        name = table.name
        if name not in self._next:
            self._next[name] = self._first_free(table)
        value = self._next[name]
        self._next[name] = value + 1
        return value

    def _first_free(self, table: Table) -> int:
        """SQLite: max(id) + 1, read from the rowid at once. PostgreSQL: the id sequence's next
        value (kept past the ids given out by hand, `BulkWriter.finish`); max(id) would read the
        whole table, which is keyed by (municipality_id, id), once per municipality loaded."""
        if self._connection.dialect.name == "postgresql":
            sequence = self._connection.execute(
                text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}
            ).scalar_one()
            last, called = self._connection.execute(
                text(f"SELECT last_value, is_called FROM {sequence}")
            ).one()
            return int(last) + 1 if called else int(last)
        found = self._connection.execute(select(func.max(table.c.id))).scalar()
        return int(found or 0) + 1

    @property
    def tables(self) -> list[str]:
        return list(self._next)


class BulkWriter:
    """Buffers rows per table and writes them in one go per table on `flush`."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.dialect = connection.dialect
        self.ids = Ids(connection)
        self._rows: dict[str, list[Row]] = {}
        self._columns: dict[str, tuple[Table, tuple[str, ...]]] = {}
        self._order: list[str] = []
        self.written = 0

    def add(self, model: type[SQLModel], columns: Sequence[str], row: Row) -> None:
        table = table_of(model)
        name = table.name
        if name not in self._columns:
            self._columns[name] = (table, tuple(columns))
            self._order.append(name)
            self._rows[name] = []
        self._rows[name].append(row)

    def new_id(self, model: type[SQLModel]) -> int:
        table = table_of(model)
        if table.name not in self._columns:
            # Registered at first use, so that the tables are flushed parents first.
            self._order.append(table.name)
            self._rows[table.name] = []
        return self.ids.take(table)

    def flush(self) -> None:
        """Write what is buffered, parents before children (the order tables were first used)."""
        for name in self._order:
            rows = self._rows.get(name)
            if not rows:
                continue
            table, columns = self._columns[name]
            self._write(table, columns, rows)
            self.written += len(rows)
            self._rows[name] = []

    def _processors(self, table: Table, columns: Sequence[str]) -> list[Callable[[Any], Any]]:
        processors: list[Callable[[Any], Any]] = []
        for name in columns:
            kind = table.c[name].type
            processor = kind.dialect_impl(self.dialect).bind_processor(self.dialect)
            if processor is None and hasattr(kind, "process_bind_param"):
                processor = kind.bind_processor(self.dialect)
            processors.append(processor or _identity)
        return processors

    def _write(self, table: Table, columns: Sequence[str], rows: list[Row]) -> None:
        processors = self._processors(table, columns)
        converted = [tuple(p(v) for p, v in zip(processors, row, strict=True)) for row in rows]
        names = ", ".join(columns)
        if self.dialect.name == "postgresql":
            raw = self.connection.connection.driver_connection
            assert raw is not None
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy,
            ):
                for row in converted:
                    copy.write_row(row)
            return
        marks = ", ".join("?" for _ in columns)
        self.connection.exec_driver_sql(
            f"INSERT INTO {table.name} ({names}) VALUES ({marks})", converted
        )

    def finish(self) -> None:
        """Flush, and on PostgreSQL move each sequence past the ids given out by hand."""
        self.flush()
        if self.dialect.name != "postgresql":
            return
        for name in self.ids.tables:
            self.connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT coalesce(max(id), 0) + 1 FROM {name}), false)"
                )
            )


def _identity(value: Any) -> Any:
    return value


def _municipality_tables() -> list[Table]:
    return [
        table
        for table in SQLModel.metadata.sorted_tables
        if "municipality_id" in table.c and not table.c.municipality_id.nullable
    ]


@contextmanager
def set_aside(connection: Connection) -> Iterator[None]:
    """Within the connection's transaction (PostgreSQL): drop the references and the
    secondary (not unique) indexes of the municipality's tables, and make them again from the
    models when the block ends, each reference checked against every row in one pass. If the
    block fails, the transaction's rollback brings them back as they were."""
    present = inspect(connection)
    references: list[ForeignKeyConstraint] = []
    indexes: list[Index] = []
    for table in _municipality_tables():
        names = {fk["name"] for fk in present.get_foreign_keys(table.name)}
        references += [fk for fk in table.foreign_key_constraints if _name(fk) in names]
        names = {ix["name"] for ix in present.get_indexes(table.name)}
        indexes += [ix for ix in table.indexes if not ix.unique and ix.name in names]
    for reference in references:
        connection.execute(DropConstraint(reference))
    for index in indexes:
        connection.execute(DropIndex(index))
    yield
    for index in indexes:
        connection.execute(CreateIndex(index))
    for reference in references:
        connection.execute(AddConstraint(reference))


def _name(constraint: ForeignKeyConstraint) -> str:
    """The constraint's name as the naming convention makes it in the database."""
    return str(constraint.name)
