"""Alembic builds the schema: no drift between models and migrations, and both directions work."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect
from sqlmodel import SQLModel

from service import migrations
from service.db import make_engine
from tests.databases import DatabaseFactory


@pytest.fixture
def empty_engine(db_factory: DatabaseFactory) -> Iterator[Engine]:
    url = db_factory.empty()
    engine = make_engine(url)
    yield engine
    engine.dispose()
    db_factory.drop(url)


def _diff(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, SQLModel.metadata))


def test_models_and_migrations_do_not_drift(engine: Engine) -> None:
    assert _diff(engine) == []


def test_upgrade_to_head_and_downgrade_to_base(empty_engine: Engine) -> None:
    migrations.upgrade(empty_engine)
    tables = set(inspect(empty_engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    assert _diff(empty_engine) == []
    migrations.downgrade(empty_engine, "base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    # And up again, so that downgrade left nothing behind that blocks it.
    migrations.upgrade(empty_engine)
    assert _diff(empty_engine) == []


def test_migrate_loads_the_catalogue_once(empty_engine: Engine) -> None:
    assert migrations.migrate(empty_engine) == 6
    assert migrations.migrate(empty_engine) == 0
