"""Bulk writing for the generator: rows as tuples, ids handed out by the writer, and each
table written the fastest way its engine offers (COPY on PostgreSQL, one executemany on
SQLite), with the same column conversions the ORM would make.

Only for loading a quiet database (the generator): ids are taken as max(id) + 1 when the
writer starts, so nothing else may insert into these tables meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table, func, select, text
from sqlalchemy.engine import Connection
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
            found = self._connection.execute(select(func.max(table.c.id))).scalar()
            self._next[name] = int(found or 0) + 1
        value = self._next[name]
        self._next[name] = value + 1
        return value

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
