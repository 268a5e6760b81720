"""The sweeps that run across every municipality (the clock's tick: closing, overdue
notices, drafts opened ahead) and the disagreement summary's writer and rebuild join a
municipality's tables within the municipality, and do each round's work inside its own
municipality: with the schema distributed by municipality, every join stays on one shard.

What is checked is the SQL the database receives."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import Engine, event
from sqlmodel import SQLModel

import service.models  # noqa: F401  (registers every table)
from service.clock import FrozenClock
from service.db import session_scope
from service.usecases.consensus.round_disagreement import rebuild_disagreement
from service.usecases.procedure.schedule import run_tick
from tests.factories import ADMIN_A, CW_A, CW_B, create_case, instrument_id
from tests.rounds_helpers import (
    entries,
    fire,
    new_case,
    open_round,
    set_official,
    set_procedure,
    submit_on_behalf,
)
from tests.world import World

SCORES = [2, 3, 2, 1, 2, 0, 2, 0]
KEYS = (
    "udvikling_adfaerd",
    "familieforhold",
    "skoleforhold",
    "sundhedsforhold",
    "fritid_venskaber",
    "selvhjulpenhed",
    "tilknytning",
    "kriminalitet",
)

#: Tables that belong to exactly one municipality (distributed by it).
TENANT_TABLES = frozenset(
    name
    for name, table in SQLModel.metadata.tables.items()
    if "municipality_id" in table.c and not table.c.municipality_id.nullable
)

_JOIN = re.compile(
    r"\bJOIN\s+(\w+)(?:\s+AS\s+(\w+))?\s+ON\s+(.*?)"
    r"(?=\s+(?:LEFT OUTER JOIN|LEFT JOIN|JOIN|WHERE|GROUP BY|ORDER BY|LIMIT|FOR UPDATE)\b|\)|$)",
    re.DOTALL,
)


def joins_across_municipalities(sql: str) -> list[str]:
    """The joins of a municipality's table whose condition does not hold the two rows to one
    municipality: those would cross shards with the schema distributed by municipality."""
    flat = re.sub(r"%\(\w+\)s", "?", " ".join(sql.replace('"', "").split()))
    wrong = []
    for table, alias, condition in _JOIN.findall(flat):
        if table not in TENANT_TABLES:
            continue
        name = alias or table
        # Held to the other table's municipality, or (in a session bound to one) to the
        # municipality's id.
        within = re.search(
            rf"\b{name}\.municipality_id = (?:\w+\.municipality_id\b|\?)"
            rf"|\b\w+\.municipality_id = {name}\.municipality_id\b",
            condition,
        )
        if within is None:
            wrong.append(f"JOIN {table} ON {condition}")
    return wrong


def test_the_check_sees_a_join_on_ids_alone() -> None:
    assert joins_across_municipalities(
        "SELECT 1 FROM scoring_round JOIN child_case ON child_case.id = scoring_round.case_id"
    ) == ["JOIN child_case ON child_case.id = scoring_round.case_id"]
    assert (
        joins_across_municipalities(
            "SELECT 1 FROM scoring_round JOIN child_case ON child_case.municipality_id = "
            "scoring_round.municipality_id AND child_case.id = scoring_round.case_id"
        )
        == []
    )
    assert joins_across_municipalities("SELECT 1 FROM a JOIN municipality ON x = y") == []


@contextmanager
def statements_of(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def capture(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", capture)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", capture)


async def _completed_alone(client: httpx.AsyncClient, world: World, clock: FrozenClock) -> int:
    """A KL 3 round of municipality A that the caseworker completes alone."""
    case_id = await new_case(client, world, ref="SWEEP-1")
    rnd = await open_round(client, world, clock, case_id)
    own = (
        await client.get(f"/api/v1/rounds/{rnd['id']}/informants", headers=world.headers(CW_A))
    ).json()["items"][0]
    await submit_on_behalf(client, world, rnd["id"], own["id"], entries(SCORES))
    assert (await fire(client, world, rnd["id"], "close_collection", "Alene.")).status_code == 200
    official = {k: (s, s) for k, s in zip(KEYS, SCORES, strict=True)}
    assert (await set_official(client, world, rnd["id"], official)).status_code == 200
    assert (await fire(client, world, rnd["id"], "finish_consensus")).json()["state"] == "completed"
    return int(rnd["id"])


async def test_the_sweeps_and_the_summary_join_within_the_municipality(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, engine: Engine
) -> None:
    await set_procedure(client, world, "kl3")
    r = await client.patch(
        "/api/v1/municipality/policy",
        json={"auto_open_days": 14, "collection_close": "due_date"},
        headers=world.headers(ADMIN_A),
    )
    assert r.status_code == 200, r.text
    with statements_of(engine) as written:
        await _completed_alone(client, world, clock)
    # Two rounds left collecting past their due date, one in each municipality.
    await open_round(client, world, clock, await new_case(client, world, ref="SWEEP-2"))
    b_case = await create_case(client, world, CW_B, external_ref="B-1")
    r = await client.post(
        f"/api/v1/cases/{b_case['id']}/rounds",
        json={
            "instrument_id": await instrument_id(client, world, "kl-boern-familie", CW_B),
            "due_at": (clock.now() + timedelta(days=14)).isoformat(),
        },
        headers=world.headers(CW_B),
    )
    assert r.status_code == 201, r.text
    clock.advance(timedelta(days=92))
    with statements_of(engine) as swept:
        result = run_tick(engine, clock.now())
    assert result.opened == 1 and result.overdue >= 1
    with statements_of(engine) as rebuilt, session_scope(engine) as session:
        rebuild_disagreement(session.connection(), world.municipalities["751"])
    for name, statements in (("completion", written), ("tick", swept), ("rebuild", rebuilt)):
        joins = [s for s in statements if " JOIN " in s.upper()]
        assert joins, name  # the check looked at something
        wrong = [(w, s) for s in joins for w in joins_across_municipalities(s)]
        assert wrong == [], (name, wrong)
