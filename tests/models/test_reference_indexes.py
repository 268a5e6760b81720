"""Erasing a case deletes its rounds, informants and official scores; for every deleted row
the database looks up the rows that refer to it. Each reference between a municipality's
tables is therefore backed by an index (or key) led by its own columns, so that the look-up
never scans a table: on the national data a scan per deleted row turned a retention tick
into minutes."""

from __future__ import annotations

from sqlalchemy import ForeignKeyConstraint, Table, UniqueConstraint
from sqlmodel import SQLModel

import service.models  # noqa: F401  (registers every table)

#: Tables whose rows are never deleted one by one, so a reference to them needs no index:
#: a staff account is deactivated, never deleted (its name stays on what it decided).
NEVER_DELETED = {"staff_user"}


def _leading_columns(table: Table) -> list[list[str]]:
    keys = [[c.name for c in table.primary_key.columns]]
    keys += [[c.name for c in index.columns] for index in table.indexes]
    keys += [
        [c.name for c in constraint.columns]
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint)
    ]
    return keys


def _backed(reference: ForeignKeyConstraint, keys: list[list[str]]) -> bool:
    columns = [c.name for c in reference.columns]
    return any(key[: len(columns)] == columns for key in keys)


def test_every_reference_between_a_municipalitys_tables_is_indexed() -> None:
    unindexed = []
    for table in SQLModel.metadata.sorted_tables:
        keys = _leading_columns(table)
        for reference in table.foreign_key_constraints:
            columns = [c.name for c in reference.columns]
            if columns[0] != "municipality_id" or len(columns) < 2:
                continue  # a reference to the municipality or the shared catalogue
            if reference.referred_table.name in NEVER_DELETED:
                continue
            if not _backed(reference, keys):
                unindexed.append(f"{table.name}({', '.join(columns)})")
    assert unindexed == [], f"references without an index led by them: {unindexed}"
