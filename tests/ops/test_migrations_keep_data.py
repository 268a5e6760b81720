"""Migrating a database that holds data keeps the data: on SQLite a batch migration
recreates tables, and with foreign keys enforced that would cascade-delete the rows under a
recreated parent (or, with the audit trail's guard, fail the upgrade)."""

from __future__ import annotations

import httpx
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from service.clock import FrozenClock
from service.migrations import downgrade, upgrade
from service.models.audit import AuditEvent
from service.models.case import Case
from service.models.outbox import OutboxMessage
from service.models.round import Informant, ScoringRound
from tests.factories import CW_A
from tests.rounds_helpers import new_case, open_round
from tests.world import World

TABLES = (Case, ScoringRound, Informant, OutboxMessage, AuditEvent)


def _counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {
            model.__name__: session.exec(select(func.count()).select_from(model)).one()
            for model in TABLES
        }


async def test_down_and_up_again_keeps_every_row(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, engine: Engine
) -> None:
    for n in range(3):
        rnd = await open_round(client, world, clock, await new_case(client, world, ref=f"M-{n}"))
        r = await client.post(
            f"/api/v1/rounds/{rnd['id']}/informants",
            json={"role": "school", "name": "Lærer", "email": f"l{n}@skole.example.dk"},
            headers=world.headers(CW_A),
        )
        await client.post(
            f"/api/v1/rounds/{rnd['id']}/informants/{r.json()['id']}/link",
            headers=world.headers(CW_A),
        )
    before = _counts(engine)
    assert all(before.values()), before
    downgrade(engine, "i12_01")  # back past every table this release recreates
    upgrade(engine)
    assert _counts(engine) == before
