"""Erasure takes exactly what it erases, on both engines: a case with everything under it
(retention, after its keeping period), or a whole municipality.

A case with a first and a follow-up round is the shape that matters: the follow-up's
outcomes were measured against the first round (`factor_outcome.previous_round_id`), and
PostgreSQL runs the cascade of a round's delete row by row, so a reference that only waits
for the cascade of the next round to take its rows away blocks the delete. Every table is
compared before and after: what went is what the erased rows own (by any reference, followed
to the end), and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Engine, Table, text, update
from sqlmodel import Session, SQLModel, col, select

import service.models  # noqa: F401  (registers every table)
from service.clock import FrozenClock, local_date
from service.models.case import Case
from service.models.retention import ErasureRecord
from service.usecases.data_rights.retention import Periods
from service.usecases.procedure.schedule import run_tick
from tests.factories import CW_A
from tests.rounds_helpers import (
    add_informant,
    amend,
    complete_round,
    issue_link,
    new_case,
    open_round,
    set_procedure,
)
from tests.sessions_helpers import issue_session_link, session_body
from tests.world import World

PERIODS = Periods(
    outbox_body_days=30, delivery_attempt_days=90, idempotency_hours=48, address_days=90
)
FIRST = [(3, 2), (2, 2), (4, 3), (1, 1), (0, 0), (2, 1), (3, 3), (None, None)]
SECOND = [(2, 1), (2, 2), (3, 2), (1, 1), (0, 0), (2, 2), (3, 3), (None, None)]
SCHOOL = [3, 2, 4, 1, 1, 2, 3, None]

#: What a case with two completed rounds has under it (and so what its erasure must take).
UNDER_A_CASE = {
    "child_case",
    "measure",
    "case_notification",
    "case_level",
    "scoring_round",
    "round_transition",
    "informant",
    "informant_link",
    "attendance",
    "not_heard",
    "submission",
    "submission_score",
    "official_score",
    "official_score_amendment",
    "disagreement_note",
    "factor_outcome",
    "round_measure",
    "round_disagreement",
    "round_factor_disagreement",
    "round_factor_drift",
    "round_factor_agreement",
    "round_factor_counts",
    "case_flag",
    "round_meeting_kind",
    "plan_row",
    "plan_row_status",
    "outbox_message",
    "session_link",
    "session_answer",
    "cadence_deviation",
    "follow_up_request",
}

Key = tuple[Any, ...]
Rows = dict[str, dict[Key, dict[str, Any]]]


def _tables() -> list[Table]:
    return list(SQLModel.metadata.sorted_tables)


def _snapshot(engine: Engine) -> Rows:
    """Every row of every table, by its primary key."""
    rows: Rows = {}
    with engine.connect() as connection:
        for table in _tables():
            key = [c.name for c in table.primary_key.columns]
            rows[table.name] = {
                tuple(r[k] for k in key): dict(r)
                for r in connection.execute(table.select()).mappings()
            }
    return rows


def _owned(rows: Rows, roots: Iterable[tuple[str, Key]]) -> set[tuple[str, Key]]:
    """The roots and every row that refers, by any reference and through any chain of them,
    to one of them: what a delete of the roots may take, and all it may take."""
    owned = set(roots)
    grew = True
    while grew:
        grew = False
        for table in _tables():
            for fk in table.foreign_key_constraints:
                parent = fk.referred_table.name
                local = [c.name for c in fk.columns]
                remote = [e.column.name for e in fk.elements]
                targets = {
                    tuple(row[c] for c in remote)
                    for key, row in rows[parent].items()
                    if (parent, key) in owned
                }
                for key, row in rows[table.name].items():
                    if (table.name, key) in owned:
                        continue
                    value = tuple(row[c] for c in local)
                    if None not in value and value in targets:
                        owned.add((table.name, key))
                        grew = True
    return owned


def _gone(before: Rows, after: Rows) -> set[tuple[str, Key]]:
    return {
        (table, key) for table, rows in before.items() for key in rows if key not in after[table]
    }


def _case_key(rows: Rows, case_id: int) -> tuple[str, Key]:
    [key] = [k for k, row in rows["child_case"].items() if row["id"] == case_id]
    return ("child_case", key)


async def _case_with_two_rounds(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, ref: str
) -> int:
    """A case with a measure, a first round and a follow-up measured against it, both
    completed with the school and the child scoring, a session form answered through a
    standing link, the first round's score amended after
    the follow-up was done (which measures the follow-up's outcome again), and a third round
    under way with a personal link issued and the plan's row followed at it: every table
    under a case has rows of it."""
    case_id = await new_case(client, world, ref=ref)
    for path, body in (
        ("notifications", {"received_on": local_date(clock.now()).isoformat(), "source": "school"}),
        ("levels", {"kind": "concern", "value": 2}),
    ):
        r = await client.post(
            f"/api/v1/cases/{case_id}/{path}", json=body, headers=world.headers(CW_A)
        )
        assert r.status_code == 201, r.text
    r = await client.post(
        f"/api/v1/cases/{case_id}/measures",
        json={"type": "home_based_support", "start_date": local_date(clock.now()).isoformat()},
        headers=world.headers(CW_A),
    )
    assert r.status_code == 201, r.text
    link = await issue_session_link(client, world, case_id, int(r.json()["id"]))
    answered = await client.post(
        f"/api/v1/session-forms/{link['token']}/sessions",
        json=session_body("outcome", [4, 5, 6, 5]),
    )
    assert answered.status_code == 201, answered.text
    first = await complete_round(
        client, world, clock, case_id, FIRST, {"school": SCHOOL, "child": [2] * 7 + [None]}
    )
    await complete_round(
        client, world, clock, case_id, SECOND, {"school": SCHOOL, "child": [1] * 7 + [None]}
    )
    # The next follow-up planned sooner than the cadence says, and a provider's request
    # declined (the provider is told by email).
    planned = (local_date(clock.now()) + timedelta(days=1)).isoformat()
    r = await client.post(
        f"/api/v1/cases/{case_id}/cadence-deviations",
        json={"planned_on": planned, "reason_code": "acute_concern"},
        headers=world.headers(CW_A),
    )
    assert r.status_code == 201, r.text
    r = await client.post(
        f"/api/v1/cases/{case_id}/follow-up-requests",
        json={"provider_name": "Familiehuset", "provider_email": "fh@example.dk", "reason": "Uro."},
        headers=world.headers(CW_A),
    )
    assert r.status_code == 201, r.text
    r = await client.post(
        f"/api/v1/follow-up-requests/{r.json()['id']}/answer",
        json={"accept": False, "reason": "Vi ses snart."},
        headers=world.headers(CW_A),
    )
    assert r.status_code == 200, r.text
    amended = await amend(client, world, first, "udvikling_adfaerd", (2, 2))
    assert amended.status_code == 201, amended.text
    third = int((await open_round(client, world, clock, case_id))["id"])
    kind = await client.put(
        f"/api/v1/rounds/{third}/meeting-kind",
        json={"kind": "family_council"},
        headers=world.headers(CW_A),
    )
    assert kind.status_code == 200, kind.text
    # The child's plan, with a row followed at the round under way.
    row = await client.post(
        f"/api/v1/cases/{case_id}/plan/rows",
        json={
            "situation": "Sulten i skolen.",
            "desired_solution": "Mæt.",
            "means": "Madmakker.",
            "actor_name": "Klasselærer",
            "factor_keys": ["skoleforhold"],
        },
        headers=world.headers(CW_A),
    )
    assert row.status_code == 201, row.text
    status = await client.put(
        f"/api/v1/rounds/{third}/plan/rows/{row.json()['id']}/status",
        json={"status": "under_way"},
        headers=world.headers(CW_A),
    )
    assert status.status_code == 200, status.text
    school = await add_informant(client, world, third, "school", "Lærer Ane")
    await issue_link(client, world, third, school["id"])
    return case_id


async def _populated(client: httpx.AsyncClient, world: World, clock: FrozenClock) -> None:
    await set_procedure(client, world, "kl3")
    hook = await client.post(
        "/api/v1/webhooks",
        json={"url": "http://127.0.0.1:9/hook", "events": ["round.report_ready"]},
        headers=world.headers("client-a"),
    )
    assert hook.status_code == 201, hook.text


async def _closed_years_ago(
    client: httpx.AsyncClient, world: World, engine: Engine, case_id: int, now: datetime
) -> None:
    r = await client.patch(
        f"/api/v1/cases/{case_id}", json={"status": "closed"}, headers=world.headers(CW_A)
    )
    assert r.status_code == 200, r.text
    with Session(engine) as session:
        session.execute(
            update(Case)
            .where(col(Case.id) == case_id)
            .values(closed_at=now - timedelta(days=365 * 6))
        )
        session.commit()


async def test_retention_erases_a_case_with_a_follow_up_round_and_nothing_else(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, engine: Engine
) -> None:
    await _populated(client, world, clock)
    erased = await _case_with_two_rounds(client, world, clock, "ERASE-1")
    kept = await _case_with_two_rounds(client, world, clock, "KEEP-1")
    await _closed_years_ago(client, world, engine, erased, clock.now())
    before = _snapshot(engine)
    owned = _owned(before, [_case_key(before, erased)])
    assert {table for table, _ in owned} == UNDER_A_CASE
    assert any(
        row["previous_round_id"] is not None
        for key, row in before["factor_outcome"].items()
        if ("factor_outcome", key) in owned
    )

    result = run_tick(engine, clock.now(), periods=PERIODS)

    assert result.retention is not None and result.retention.cases_erased == 1
    after = _snapshot(engine)
    assert _gone(before, after) == owned
    with Session(engine) as session:
        record = session.exec(select(ErasureRecord).where(ErasureRecord.case_id == erased)).one()
        assert (record.external_ref, record.rounds) == ("ERASE-1", 3)
        assert session.get(Case, kept) is not None


async def test_a_municipality_goes_with_everything_of_its_own_and_nothing_else(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, engine: Engine
) -> None:
    """No endpoint deletes a municipality; its offboarding is a delete of its row. The audit
    trail refuses deletes by design, so it is set aside here, as such an offboarding would;
    what is checked is that every reference lets the rest go."""
    await _populated(client, world, clock)
    await _case_with_two_rounds(client, world, clock, "MUN-1")
    await _case_with_two_rounds(client, world, clock, "MUN-2")
    municipality = world.municipalities["751"]
    before = _snapshot(engine)
    [root] = [k for k, row in before["municipality"].items() if row["id"] == municipality]
    owned = _owned(before, [("municipality", root)])
    assert {table for table, _ in owned} >= UNDER_A_CASE
    assert len(before["municipality"]) > 1  # the other one stays

    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER audit_event_no_delete"))
        else:
            connection.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
        connection.execute(text("DELETE FROM municipality WHERE id = :id"), {"id": municipality})

    after = _snapshot(engine)
    assert _gone(before, after) == owned
