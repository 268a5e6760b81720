"""Alembic builds the schema: no drift between models and migrations, and both directions work."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlmodel import SQLModel

from alembic import command
from service import migrations
from service.clock import FrozenClock
from service.config import get_settings
from service.db import make_engine
from tests.api.test_instrument_mappings import AARHUS_BF, KL_BF, _complete
from tests.databases import DatabaseFactory
from tests.rounds_helpers import new_case, set_procedure
from tests.world import World

#: Without a `database_url` these would run in the SQLite leg alone: a migration that works on
#: one engine and not the other is what they are here to find.
pytestmark = pytest.mark.every_engine


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


def test_the_alembic_command_upgrades_an_empty_database(
    empty_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`alembic upgrade head`, as an operator runs it, with its own engine: on SQLite the
    batch migrations recreate tables, which needs foreign keys off as `konsensus migrate`
    has them."""
    monkeypatch.setenv(
        "KONSENSUS_DATABASE_URL", empty_engine.url.render_as_string(hide_password=False)
    )
    get_settings.cache_clear()
    try:
        command.upgrade(migrations.alembic_config(), "head")
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert set(SQLModel.metadata.tables) <= set(inspect(empty_engine).get_table_names())
    assert _diff(empty_engine) == []


def test_migrate_loads_the_catalogue_once(empty_engine: Engine) -> None:
    assert migrations.migrate(empty_engine) == 6
    assert migrations.migrate(empty_engine) == 0


async def test_stored_outcomes_of_split_factors_become_a_new_baseline(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, engine: Engine
) -> None:
    """Outcomes stored before the rule, for relations split out of familieforhold, lose the
    outcome measured against a goal nobody set; a factor the forms share keeps its own."""
    await set_procedure(client, world, "kl3")
    case_id = await new_case(client, world)
    first = dict.fromkeys(AARHUS_BF, (1, 1)) | {"familieforhold": (3, 2)}
    await _complete(client, world, clock, case_id, "aarhus-boern-familie", first)
    second = dict.fromkeys(KL_BF, (2, 2)) | {"relation_far": (4, 3)}
    r2 = await _complete(client, world, clock, case_id, "kl-boern-familie", second)
    rid = int(r2["round_id"])
    # As the rule before stored them: each relation against familieforhold's 3 (4) and goal.
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE factor_outcome SET outcome = 'no_progression', no_outcome = NULL, "
                "previous_score = 4, previous_goal = 3 WHERE round_id = :rid "
                "AND no_outcome = 'split_after_form_change'"
            ),
            {"rid": rid},
        )
    migrations.downgrade(engine, "20261207_figures_01")
    migrations.upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT f.key, o.outcome, o.no_outcome, o.previous_score FROM factor_outcome o "
                "JOIN instrument_factor f ON f.id = o.factor_id WHERE o.round_id = :rid"
            ),
            {"rid": rid},
        ).all()
    stored = {key: (outcome, why, previous) for key, outcome, why, previous in rows}
    for key in ("relation_mor", "relation_far", "relation_soeskende"):
        assert stored[key] == (None, "split_after_form_change", None), key
    assert stored["udvikling_adfaerd"] == ("maintenance_goal_met", None, 2)
