"""A round records the measures (foranstaltninger) it evaluates: those in force in its period
when it opens, or the ones it was opened for; the caseworker can change them until the round
is finished; rounds from before the record get theirs from the migration."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
from sqlalchemy import Engine, delete
from sqlmodel import Session, select

from service import migrations
from service.clock import FrozenClock
from service.models.round_measure import RoundMeasure
from tests.factories import CW2_A, CW_A
from tests.rounds_helpers import complete_round, new_case, open_round, set_procedure
from tests.world import World

SCORES = [(2, 1)] * 8


async def _measure(
    client: httpx.AsyncClient,
    world: World,
    case_id: int,
    start: date,
    end: date | None = None,
    kind: str = "home_based_support",
    provider_id: int | None = None,
) -> int:
    r = await client.post(
        f"/api/v1/cases/{case_id}/measures",
        json={
            "type": kind,
            "start_date": start.isoformat(),
            "end_date": end.isoformat() if end else None,
            "provider_id": provider_id,
        },
        headers=world.headers(CW_A),
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _ids(round_public: dict[str, Any]) -> set[int]:
    return {m["measure_id"] for m in round_public["measures"]}


async def test_a_round_evaluates_the_measures_in_force_in_its_period(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    await set_procedure(client, world, "kl3")
    case_id = await new_case(client, world)
    today = clock.now().date()
    ended_before = await _measure(
        client, world, case_id, today - timedelta(days=90), today - timedelta(days=10)
    )
    ongoing = await _measure(client, world, case_id, today - timedelta(days=60))
    starts_before_due = await _measure(client, world, case_id, today + timedelta(days=7))
    starts_after_due = await _measure(client, world, case_id, today + timedelta(days=30))
    first = await open_round(client, world, clock, case_id)  # due in 14 days
    assert _ids(first) == {ongoing, starts_before_due}
    assert {m["origin"] for m in first["measures"]} == {"opening"}
    assert ended_before not in _ids(first) and starts_after_due not in _ids(first)
    # Completing and moving on: a measure that ended since the last round is still credited.
    r = await client.put(
        f"/api/v1/rounds/{first['id']}/measures",
        json={"measure_ids": [ongoing]},
        headers=world.headers(CW_A),
    )
    assert r.status_code == 200 and _ids(r.json()) == {ongoing}, r.text
    await client.post(
        f"/api/v1/rounds/{first['id']}/transitions",
        json={"event": "cancel", "reason": "Prøve"},
        headers=world.headers(CW_A),
    )
    await complete_round(client, world, clock, case_id, SCORES, days_after=100)
    await client.patch(
        f"/api/v1/cases/{case_id}/measures/{ongoing}",
        json={"end_date": (clock.now().date() - timedelta(days=20)).isoformat()},
        headers=world.headers(CW_A),
    )
    follow_up = await open_round(client, world, clock, case_id)
    assert ongoing in _ids(follow_up)  # ended 20 days ago, after the previous round
    assert starts_after_due in _ids(follow_up)
    assert ended_before not in _ids(follow_up)
    fetched = await client.get(f"/api/v1/rounds/{follow_up['id']}", headers=world.headers(CW_A))
    assert _ids(fetched.json()) == _ids(follow_up)


async def test_an_integrator_opens_a_round_for_a_given_measure(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    case_id = await new_case(client, world)
    other_case = await new_case(client, world, ref="DUBU-OTHER")
    today = clock.now().date()
    provider = await client.post(
        "/api/v1/providers",
        json={"name": "Familiehuset", "kind": "family_therapy"},
        headers=world.headers("client-a"),
    )
    provider_id = provider.json()["id"]
    wanted = await _measure(client, world, case_id, today, provider_id=provider_id)
    await _measure(client, world, case_id, today - timedelta(days=5))
    foreign = await _measure(client, world, other_case, today)
    body = {
        "instrument_id": (await open_round(client, world, clock, other_case))["instrument_id"],
        "due_at": (clock.now() + timedelta(days=14)).isoformat(),
    }
    refused = await client.post(
        f"/api/v1/cases/{case_id}/rounds",
        json={**body, "measure_ids": [wanted, foreign]},
        headers=world.headers("client-a"),
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "measure_not_in_case"
    assert refused.json()["measure_ids"] == [foreign]
    r = await client.post(
        f"/api/v1/cases/{case_id}/rounds",
        json={**body, "measure_ids": [wanted]},
        headers=world.headers("client-a"),
    )
    assert r.status_code == 201, r.text
    [measure] = r.json()["measures"]
    assert measure["measure_id"] == wanted and measure["origin"] == "requested"
    assert measure["provider_id"] == provider_id and measure["provider_name"] == "Familiehuset"
    twice = await client.post(
        f"/api/v1/cases/{case_id}/rounds",
        json={**body, "measure_ids": [wanted, wanted]},
        headers=world.headers("client-a"),
    )
    assert twice.status_code == 422


async def test_measures_change_until_the_round_is_finished(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    await set_procedure(client, world, "kl3")
    case_id = await new_case(client, world)
    today = clock.now().date()
    first = await _measure(client, world, case_id, today - timedelta(days=30))
    second = await _measure(
        client, world, case_id, today - timedelta(days=400), today - timedelta(days=300)
    )
    rnd = await open_round(client, world, clock, case_id)
    url = f"/api/v1/rounds/{rnd['id']}/measures"
    r = await client.put(url, json={"measure_ids": [first, second]}, headers=world.headers(CW_A))
    assert r.status_code == 200, r.text
    origins = {m["measure_id"]: m["origin"] for m in r.json()["measures"]}
    assert origins == {first: "opening", second: "edited"}
    other = await client.put(url, json={"measure_ids": [first]}, headers=world.headers(CW2_A))
    assert other.status_code == 404  # not their case
    audit = await client.get(
        f"/api/v1/cases/{case_id}/audit-events",
        headers=world.headers("leader.a@aarhus.example.dk"),
    )
    assert any(e["action"] == "round.measures.update" for e in audit.json()["items"])
    await client.post(
        f"/api/v1/rounds/{rnd['id']}/transitions",
        json={"event": "cancel", "reason": "Prøve"},
        headers=world.headers(CW_A),
    )
    rid = await complete_round(client, world, clock, case_id, SCORES)
    r = await client.put(
        f"/api/v1/rounds/{rid}/measures", json={"measure_ids": []}, headers=world.headers(CW_A)
    )
    assert r.status_code == 409 and r.json()["code"] == "round_finished"


async def test_the_migration_back_fills_existing_rounds(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, engine: Engine
) -> None:
    await set_procedure(client, world, "kl3")
    case_id = await new_case(client, world)
    today = clock.now().date()
    early = await _measure(
        client, world, case_id, today - timedelta(days=30), today + timedelta(days=40)
    )
    late = await _measure(client, world, case_id, today + timedelta(days=100))
    first = await complete_round(client, world, clock, case_id, SCORES, days_after=120)
    second = await complete_round(client, world, clock, case_id, SCORES)
    with Session(engine) as session:
        expected = {(r.round_id, r.measure_id) for r in session.exec(select(RoundMeasure)).all()}
        session.execute(delete(RoundMeasure))
        session.commit()
    # The first round's period saw only the early measure; the second's (from the first
    # round's completion) both: the early one ended after it.
    assert expected == {(first, early), (second, early), (second, late)}
    migrations.downgrade(engine, "0007")
    migrations.upgrade(engine)
    with Session(engine) as session:
        rows = session.exec(select(RoundMeasure)).all()
    assert {(r.round_id, r.measure_id) for r in rows} == expected
    assert {r.origin for r in rows} == {"migration"}
