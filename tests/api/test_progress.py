"""A child's progress over time: the official series per factor with outcomes, each role's own
series beside it, the professionals' spread; across instrument versions, marked; a bounded
number of statements whatever the number of rounds; audited as a read."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx
from sqlalchemy import Engine

from service.clock import FrozenClock
from tests.api.test_query_counts import count_statements
from tests.factories import ADMIN_A, CW2_A, CW_A, LEADER_A, instrument_definition
from tests.rounds_helpers import complete_round, new_case, set_procedure
from tests.world import World

#: aarhus-boern-familie is 0-4 with 0 best: three rounds of improvement on the first factor.
OFFICIAL = (
    [(3, 2), (2, 2), (4, 3), (1, 1), (0, 0), (2, 1), (3, 3), (None, None)],
    [(2, 1), (2, 2), (3, 2), (1, 1), (0, 0), (2, 2), (3, 3), (None, None)],
    [(1, 1), (3, 2), (2, 2), (1, 1), (0, 0), (1, 1), (3, 3), (None, None)],
)


def _scores(official: Sequence[tuple[int | None, int | None]], shift: int) -> list[int | None]:
    return [None if s is None else max(0, min(4, s + shift)) for s, _ in official]


async def _progress(client: httpx.AsyncClient, world: World, case_id: int, who: str = CW_A) -> Any:
    r = await client.get(f"/api/v1/cases/{case_id}/progress", headers=world.headers(who))
    assert r.status_code == 200, r.text
    return r.json()


async def test_the_series_per_factor_with_each_role_apart(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    await set_procedure(client, world, "kl3")
    case_id = await new_case(client, world)
    empty = await _progress(client, world, case_id)
    assert empty["snapshot"] is True and empty["rounds"] == [] and empty["factors"] == []
    round_ids = []
    for n, official in enumerate(OFFICIAL):
        scores = {
            "school": _scores(official, 1),
            "psychologist": _scores(official, -1),
            "child": _scores(official, -2),
            "mother": _scores(official, 0),
        }
        round_ids.append(await complete_round(client, world, clock, case_id, official, scores))
        if n == 0:
            one = await _progress(client, world, case_id)
            assert one["snapshot"] is True and len(one["rounds"]) == 1
    body = await _progress(client, world, case_id)
    assert body["snapshot"] is False and body["other_rounds"] == []
    assert [r["round_id"] for r in body["rounds"]] == round_ids
    assert [r["compared_with_round_id"] for r in body["rounds"]] == [None, *round_ids[:2]]
    assert [r["crosses"] for r in body["rounds"]] == [None, "same", "same"]
    first = body["factors"][0]
    assert first["factor_key"] == "udvikling_adfaerd"
    assert [(p["score"], p["goal"]) for p in first["official"]] == [(3, 2), (2, 1), (1, 1)]
    assert [p["outcome"] for p in first["official"]] == [
        None,
        "progression_goal_met",
        "progression_goal_met",
    ]
    assert first["official"][0]["no_outcome"] == "no_previous_round"
    # The professionals' spread: caseworker (the official score), school (+1), psychologist (-1).
    assert [(s["min"], s["max"], s["informants"]) for s in first["spread"]] == [
        (2, 4, 3),
        (1, 3, 3),
        (0, 2, 3),
    ]
    roles = {r["role"]: r["points"] for r in first["roles"]}
    assert list(roles)[:2] == ["child", "mother"]  # the family's own series first
    assert [p["scores"] for p in roles["child"]] == [[1], [0], [0]]
    assert [p["scores"] for p in roles["mother"]] == [[3], [2], [1]]
    assert [p["scores"] for p in roles["school"]] == [[4], [3], [2]]
    not_assessed = body["factors"][7]
    assert [p["not_assessed"] for p in not_assessed["official"]] == [True, True, True]
    assert [p["cannot_assess"] for p in not_assessed["roles"][0]["points"]] == [1, 1, 1]
    # Only who may see the case; every read is audited.
    other = await client.get(f"/api/v1/cases/{case_id}/progress", headers=world.headers(CW2_A))
    assert other.status_code == 404
    audit = await client.get(
        f"/api/v1/cases/{case_id}/audit-events?limit=200", headers=world.headers(LEADER_A)
    )
    reads = [e for e in audit.json()["items"] if e["action"] == "case.progress.read"]
    assert len(reads) == 3  # the refused read changed nothing


async def _custom(client: httpx.AsyncClient, world: World, key: str) -> int:
    admin = world.headers(ADMIN_A)
    definition = instrument_definition(key=key, points=range(0, 5))
    r = await client.post("/api/v1/instruments", json=definition, headers=admin)
    assert r.status_code == 201, r.text
    iid = int(r.json()["id"])
    assert (
        await client.post(f"/api/v1/instruments/{iid}/publish", headers=admin)
    ).status_code == 200
    return iid


async def test_the_series_continues_across_versions_and_says_so(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    await set_procedure(client, world, "kl3")
    admin = world.headers(ADMIN_A)
    v1 = await _custom(client, world, "egen-trivsel")
    unrelated = await _custom(client, world, "andet-skema")
    r = await client.post(f"/api/v1/instruments/{v1}/versions", headers=admin)
    assert r.status_code == 201, r.text
    v2 = int(r.json()["id"])
    assert (
        await client.post(f"/api/v1/instruments/{v2}/publish", headers=admin)
    ).status_code == 200
    await client.patch(
        "/api/v1/municipality/policy",
        json={"instruments_in_use": ["egen-trivsel", "andet-skema"]},
        headers=admin,
    )
    case_id = await new_case(client, world)
    keys = ["trivsel", "skole", "venner"]

    async def complete(iid: int, official: list[tuple[int, int]]) -> int:
        from tests import rounds_helpers

        saved = rounds_helpers.FACTORS
        rounds_helpers.FACTORS = keys
        try:
            return await complete_round(client, world, clock, case_id, official, instrument_id=iid)
        finally:
            rounds_helpers.FACTORS = saved

    a = await complete(v1, [(3, 2), (2, 2), (1, 1)])
    b = await complete(unrelated, [(4, 4), (4, 4), (4, 4)])
    c = await complete(v2, [(2, 2), (2, 2), (0, 0)])
    body = await _progress(client, world, case_id)
    assert [r["round_id"] for r in body["rounds"]] == [a, c]
    assert body["rounds"][1]["crosses"] == "version"
    assert body["rounds"][1]["instrument_version"] == 2
    assert body["other_rounds"] == [b]
    trivsel = body["factors"][0]
    assert [p["score"] for p in trivsel["official"]] == [3, 2]
    assert trivsel["official"][1]["outcome"] == "progression_goal_met"


async def _statements_for(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, engine: Engine, rounds: int
) -> int:
    case_id = await new_case(client, world, ref=f"DUBU-N{rounds}")
    for n in range(rounds):
        official = [(2 - n % 2, 1)] + [(1, 1)] * 6 + [(0, 0)]
        await complete_round(
            client, world, clock, case_id, official, {"child": _scores(official, 1)}, days_after=30
        )
    await _progress(client, world, case_id)  # every form read once, as in a running service
    with count_statements(engine) as statements:
        body = await _progress(client, world, case_id)
    assert len(body["rounds"]) == rounds
    return len(statements)


async def test_statements_per_progress_call_do_not_grow_with_the_rounds(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, engine: Engine
) -> None:
    await set_procedure(client, world, "kl3")
    two = await _statements_for(client, world, clock, engine, 2)
    twenty = await _statements_for(client, world, clock, engine, 20)
    print(f"statements per progress call: 2 rounds {two}, 20 rounds {twenty}")
    assert two == twenty and two <= 12, (two, twenty)
